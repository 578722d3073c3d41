// node --test tests/fake-taxjar/
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConformanceDir, startFake } from './server.mjs';

const CONFORMANCE = defaultConformanceDir();
const readJson = (...p) => JSON.parse(readFileSync(join(CONFORMANCE, ...p), 'utf8'));
const docsTx = (name) => readJson('taxjar-docs', 'transactions', `${name}.json`);

let fake;
before(async () => { fake = await startFake(); });
after(() => fake.close());
beforeEach(() => fake.reset());

/** fetch wrapper: JSON body by default, Bearer test-token unless token: null. */
async function call(method, path, { body, raw, type = 'application/json', token = 'test-token', headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  const init = { method, headers: h };
  if (body !== undefined || raw !== undefined) {
    h['content-type'] = type;
    init.body = raw ?? JSON.stringify(body);
  }
  const res = await fetch(`${fake.url}${path}`, init);
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

const err = (status, error, detail) => ({ error, detail, status });

describe('documented POST /v2/taxes scenarios', () => {
  const dir = join(CONFORMANCE, 'taxjar-docs', 'taxes');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  test('there are nine', () => assert.equal(files.length, 9));
  for (const file of files) {
    test(file, async () => {
      const { request, response } = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const r = await call('POST', '/v2/taxes', { body: request });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, response);
      const withPlugin = await call('POST', '/v2/taxes', { body: { ...request, plugin: 'edgetax' } });
      assert.deepEqual(withPlugin.json, response);
    });
  }
});

describe('auth', () => {
  test('401 without a token, route text reflects the request', async () => {
    const r = await call('POST', '/v2/taxes', { body: {}, token: null });
    assert.equal(r.status, 401);
    assert.equal(r.text, '{"error":"Unauthorized","detail":"Not authorized for route \'POST /v2/taxes\'","status":401}');
    const g = await call('GET', '/v2/categories', { token: 'wrong' });
    assert.deepEqual(g.json, err(401, 'Unauthorized', "Not authorized for route 'GET /v2/categories'"));
  });
  test('legacy Token token="..." header is accepted', async () => {
    const r = await call('GET', '/v2/categories', { token: null, headers: { authorization: 'Token token="test-token"' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, readJson('taxjar-ruby-fixtures', 'categories.json'));
  });
  test('custom tokens option', async () => {
    const other = await startFake({ tokens: ['a', 'b'] });
    try {
      const get = (t) => fetch(`${other.url}/v2/categories`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status);
      assert.deepEqual([await get('a'), await get('b'), await get('test-token')], [200, 200, 401]);
    } finally {
      await other.close();
    }
  });
});

describe('computed taxes', () => {
  const nyCart = {
    from_country: 'US', from_state: 'NY', from_zip: '12054',
    to_country: 'US', to_state: 'NY', to_zip: '10001', amount: 80.94, shipping: 10,
    line_items: [
      { quantity: 3, unit_price: 19.99, discount: 5 },
      { quantity: 1, unit_price: 0.99 },
      { quantity: 2, unit_price: 12.49 },
    ],
  };
  const zero = { city_taxable_amount: 0, city_tax_rate: 0 };
  const line = (id, taxable, collect, state, county) => ({
    id, taxable_amount: taxable, tax_collectable: collect, combined_tax_rate: 0.08875,
    state_taxable_amount: taxable, state_sales_tax_rate: 0.04, state_amount: state,
    county_taxable_amount: taxable, county_tax_rate: 0.04875, county_amount: county,
    ...zero, city_amount: 0,
    special_district_taxable_amount: 0, special_tax_rate: 0, special_district_amount: 0,
  });

  test('3-line NY cart, exact cents; total rounded once (8.07) while parts sum to 8.08', async () => {
    const r = await call('POST', '/v2/taxes', { body: nyCart });
    assert.equal(r.status, 200);
    const shipping = { ...line(undefined, 10, 0.89, 0.4, 0.49) };
    delete shipping.id;
    delete shipping.special_district_taxable_amount;
    shipping.special_taxable_amount = 0;
    assert.deepEqual(r.json, {
      tax: {
        order_total_amount: 90.94, shipping: 10, taxable_amount: 90.94, amount_to_collect: 8.07,
        rate: 0.08875, has_nexus: true, freight_taxable: true, tax_source: 'destination',
        jurisdictions: { country: 'US', state: 'NY' },
        breakdown: {
          taxable_amount: 90.94, tax_collectable: 8.07, combined_tax_rate: 0.08875,
          state_taxable_amount: 90.94, state_tax_rate: 0.04, state_tax_collectable: 3.64,
          county_taxable_amount: 90.94, county_tax_rate: 0.04875, county_tax_collectable: 4.43,
          ...zero, city_tax_collectable: 0,
          special_district_taxable_amount: 0, special_tax_rate: 0, special_district_tax_collectable: 0,
          shipping,
          line_items: [
            line('1', 54.97, 4.88, 2.2, 2.68),
            line('2', 0.99, 0.09, 0.04, 0.05),
            line('3', 24.98, 2.22, 1, 1.22),
          ],
        },
      },
    });
  });

  test('no nexus (TX, not a configured region)', async () => {
    const r = await call('POST', '/v2/taxes', {
      body: { to_country: 'US', to_state: 'TX', to_zip: '75001', amount: 20, shipping: 4.5 },
    });
    assert.deepEqual(r.json, {
      tax: {
        amount_to_collect: 0, freight_taxable: false, has_nexus: false, rate: 0,
        tax_source: null, taxable_amount: 0, order_total_amount: 24.5, shipping: 4.5,
      },
    });
  });

  test('validation errors are TaxJar-style 400s', async () => {
    const base = { to_country: 'US', to_state: 'CA', to_zip: '90002', shipping: 0, amount: 1 };
    const bad = async (body) => (await call('POST', '/v2/taxes', { body })).text;
    const { to_zip, ...noZip } = base; // eslint-disable-line no-unused-vars
    assert.equal(await bad(noZip), '{"error":"Bad Request","detail":"to_zip is missing","status":400}');
    assert.equal(await bad({ ...base, line_items: [{ quantity: 1, unit_price: -2 }] }),
      '{"error":"Bad Request","detail":"line_items[0].unit_price cannot be negative","status":400}');
  });
});

describe('transactions', () => {
  const create = docsTx('create-an-order-transaction');

  test('create → 201 in TaxJar shape; duplicate → 422; refunds have their own ids', async () => {
    const r = await call('POST', '/v2/transactions/orders', { body: create.request });
    assert.equal(r.status, 201);
    const expected = structuredClone(create.response);
    expected.order.line_items[0].product_identifier = '12-34234-9'; // the docs example has a typo here
    assert.deepEqual(r.json, expected);
    const dup = await call('POST', '/v2/transactions/orders', { body: create.request });
    assert.equal(dup.status, 422);
    assert.equal(dup.text, '{"error":"Unprocessable Entity","detail":"Provider tranx already imported for your user account","status":422}');
    const refund = docsTx('create-a-refund-transaction').request;
    const ref = await call('POST', '/v2/transactions/refunds', { body: { ...refund, transaction_id: '123' } });
    assert.equal(ref.status, 201);
    assert.deepEqual((await call('GET', '/v2/transactions/orders')).json, { orders: ['123'] });
    assert.deepEqual((await call('GET', '/v2/transactions/refunds')).json, { refunds: ['123'] });
    assert.deepEqual((await call('GET', '/v2/transactions/orders/123')).json, expected);
  });

  test('update: 404 when missing, 200 when stored', async () => {
    const update = docsTx('update-an-order-transaction').request;
    const missing = await call('PUT', '/v2/transactions/orders/123', { body: update });
    assert.equal(missing.status, 404);
    assert.equal(missing.text, '{"error":"Not Found","detail":"Resource can not be found","status":404}');
    await call('POST', '/v2/transactions/orders', { body: create.request });
    const r = await call('PUT', '/v2/transactions/orders/123', { body: update });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.order.line_items, [{
      id: '1', quantity: 1, product_identifier: '12-34234-0', unit_price: '15.0', discount: '0.0', sales_tax: '0.95',
    }]);
    assert.deepEqual([r.json.order.amount, r.json.order.shipping, r.json.order.to_city], ['17.0', '2.0', 'LOS ANGELES']);
  });

  test('delete answers like the docs, then 404', async () => {
    await call('POST', '/v2/transactions/orders', { body: create.request });
    const r = await call('DELETE', '/v2/transactions/orders/123');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, docsTx('delete-an-order-transaction').response);
    assert.equal((await call('DELETE', '/v2/transactions/orders/123')).status, 404);
    assert.equal((await call('GET', '/v2/transactions/orders/123')).status, 404);
  });

  test('400 when amount ≠ Σ lines + shipping, and when a required field is missing', async () => {
    const r = await call('POST', '/v2/transactions/orders', { body: { ...create.request, amount: 16.51 } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, err(400, 'Bad Request',
      'amount 16.51 must equal the sum of line items (quantity * unit_price - discount) plus shipping: 16.5'));
    const { sales_tax, ...noTax } = create.request; // eslint-disable-line no-unused-vars
    const m = await call('POST', '/v2/transactions/orders', { body: noTax, headers: { 'x-api-version': '2020-08-07' } });
    assert.deepEqual(m.json, err(400, 'Bad Request', 'sales_tax is missing'));
    assert.deepEqual(fake.state.orders.size, 0);
  });

  test('406 for a body that is not JSON', async () => {
    const wrongType = await call('POST', '/v2/transactions/orders', { raw: 'transaction_id=1', type: 'application/x-www-form-urlencoded' });
    const badJson = await call('POST', '/v2/transactions/orders', { raw: '{"transaction_id":' });
    for (const r of [wrongType, badJson]) {
      assert.equal(r.status, 406);
      assert.deepEqual(r.json, err(406, 'Not Acceptable', 'Request body must be JSON sent with Content-Type: application/json'));
    }
  });

  test('customers: create/show/duplicate/delete like customer.json', async () => {
    const { customer } = readJson('taxjar-ruby-fixtures', 'customer.json');
    const r = await call('POST', '/v2/customers', { body: customer });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { customer });
    assert.equal((await call('POST', '/v2/customers', { body: customer })).status, 422);
    assert.deepEqual((await call('GET', '/v2/customers/123')).json, { customer });
    assert.deepEqual((await call('POST', '/v2/customers', { body: { customer_id: '9' } })).json,
      err(400, 'Bad Request', 'exemption_type is missing'));
    assert.deepEqual((await call('DELETE', '/v2/customers/123')).json, { customer });
    assert.equal((await call('PUT', '/v2/customers/123', { body: customer })).status, 404);
  });
});

describe('failure injection', () => {
  const categories = () => call('GET', '/v2/categories');

  test('status 500 with an HTML body, times: 1', async () => {
    fake.setFailure({ status: 500, body: '<html><body>Bad gateway</body></html>', contentType: 'text/html', times: 1 });
    const first = await categories();
    assert.equal(first.status, 500);
    assert.equal(first.headers.get('content-type'), 'text/html');
    assert.equal(first.text, '<html><body>Bad gateway</body></html>');
    assert.equal((await categories()).status, 200);
    assert.equal(fake.state.failure, null);
  });

  test('delay only: answered normally, late', async () => {
    fake.setFailure({ delayMs: 150, times: 1 });
    const t0 = performance.now();
    const r = await categories();
    assert.equal(r.status, 200);
    assert.ok(performance.now() - t0 >= 145, 'delayed by ~150 ms');
  });

  test('everyNth: 3 fails requests 3 and 6', async () => {
    fake.setFailure({ status: 503, everyNth: 3 });
    const statuses = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await categories()).status);
    assert.deepEqual(statuses, [200, 200, 503, 200, 200, 503, 200]);
  });

  test('429 with Retry-After and default TaxJar-style body; path filter', async () => {
    fake.setFailure({ status: 429, retryAfter: 7, path: '/v2/transactions' });
    assert.equal((await categories()).status, 200);
    const r = await call('GET', '/v2/transactions/orders');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '7');
    assert.deepEqual(r.json, err(429, 'Too Many Requests', 'Injected failure (fake-taxjar)'));
    fake.setFailure(null);
    assert.equal((await call('GET', '/v2/transactions/orders')).status, 200);
  });

  test('hang never answers; close() ends it and kept-alive sockets promptly', async () => {
    const other = await startFake();
    const res = await fetch(`${other.url}/v2/categories`, { headers: { authorization: 'Bearer test-token' } });
    await res.text(); // leaves a kept-alive socket
    other.setFailure({ hang: true });
    const pending = fetch(`${other.url}/v2/categories`, { headers: { authorization: 'Bearer test-token' } });
    while (other.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await other.close();
    assert.ok(performance.now() - t0 < 1000);
    await assert.rejects(pending);
  });
});

describe('recording and control routes', () => {
  test('requests are recorded and counted per route pattern', async () => {
    await call('POST', '/v2/taxes', { body: { to_country: 'FR', shipping: 0, amount: 10 } });
    await call('POST', '/v2/taxes', { body: {}, token: null });
    await call('GET', '/v2/transactions/orders/a%2Fb?x=1');
    await call('GET', '/v2/nope');
    assert.deepEqual(fake.stats(), {
      total: 4, 'POST /v2/taxes': 2, 'GET /v2/transactions/orders/:id': 1, 'GET /v2/nope': 1,
    });
    const [first, , third] = fake.requests;
    assert.deepEqual({ ...first, at: undefined }, {
      method: 'POST', path: '/v2/taxes', query: {}, headers: first.headers,
      body: { to_country: 'FR', shipping: 0, amount: 10 }, at: undefined, route: 'POST /v2/taxes', status: 200,
    });
    assert.equal(first.headers.authorization, 'Bearer test-token');
    assert.match(first.at, /^\d{4}-\d{2}-\d{2}T/);
    assert.deepEqual([third.path, third.query, third.status], ['/v2/transactions/orders/a%2Fb', { x: '1' }, 404]);
  });

  test('/__fake/fail, /__fake/requests, /__fake/reset over HTTP need no auth and are not recorded', async () => {
    const set = await call('POST', '/__fake/fail', { body: { status: 502, times: 1 }, token: null });
    assert.deepEqual(set.json, { ok: true, failure: { status: 502, times: 1 } });
    assert.equal((await call('GET', '/v2/summary_rates')).status, 502);
    const ok = await call('GET', '/v2/summary_rates');
    assert.deepEqual(ok.json, readJson('taxjar-ruby-fixtures', 'summary_rates.json'));
    const list = await call('GET', '/__fake/requests', { token: null });
    assert.deepEqual(list.json.map((r) => [r.method, r.path, r.status, r.injected ?? false]),
      [['GET', '/v2/summary_rates', 502, true], ['GET', '/v2/summary_rates', 200, false]]);
    assert.deepEqual((await call('GET', '/__fake/stats', { token: null })).json, { total: 2, 'GET /v2/summary_rates': 2 });
    await call('POST', '/__fake/fail', { body: { status: 500 }, token: null });
    assert.deepEqual((await call('POST', '/__fake/reset', { token: null })).json, { ok: true });
    assert.equal(fake.requests.length, 0);
    assert.equal((await call('GET', '/v2/summary_rates')).status, 200);
    await call('POST', '/__fake/fail', { body: { status: 500 }, token: null });
    await call('DELETE', '/__fake/fail', { token: null });
    assert.equal((await call('GET', '/v2/summary_rates')).status, 200);
  });
});

describe('other endpoints and errors', () => {
  const ruby = (f) => readJson('taxjar-ruby-fixtures', `${f}.json`);

  test('fixtures: nexus regions, rates, validation, addresses', async () => {
    assert.deepEqual((await call('GET', '/v2/nexus/regions')).json, ruby('nexus_regions'));
    assert.deepEqual((await call('GET', '/v2/rates/90002')).json, ruby('rates'));
    assert.deepEqual((await call('GET', '/v2/rates/V5K0A1?country=CA')).json, ruby('rates_ca'));
    assert.deepEqual((await call('GET', '/v2/validation?vat=FR40303265045')).json, ruby('validation'));
    const addr = { country: 'US', state: 'AZ', zip: '85297', city: 'Gilbert', street: '3301 South Greenfield Rd' };
    assert.deepEqual((await call('POST', '/v2/addresses/validate', { body: addr })).json, ruby('addresses'));
  });

  test('computed rate for a ZIP outside the fixtures', async () => {
    assert.deepEqual((await call('GET', '/v2/rates/98101')).json, {
      rate: {
        zip: '98101', country: 'US', country_rate: '0.0', state: 'WA', state_rate: '0.065',
        county: null, county_rate: '0.0', city: null, city_rate: '0.036',
        combined_district_rate: '0.0', combined_rate: '0.101', freight_taxable: true,
      },
    });
  });

  test('nexusRegions and latencyMs options', async () => {
    const other = await startFake({ nexusRegions: ['US-TX', { country_code: 'CA', region_code: 'ON' }], latencyMs: 60 });
    try {
      const t0 = performance.now();
      const r = await fetch(`${other.url}/v2/nexus/regions`, { headers: { authorization: 'Bearer test-token' } });
      assert.ok(performance.now() - t0 >= 55);
      assert.deepEqual(await r.json(), {
        regions: [
          { country_code: 'US', country: 'United States', region_code: 'TX', region: 'Texas' },
          { country_code: 'CA', country: 'Canada', region_code: 'ON', region: 'Ontario' },
        ],
      });
    } finally {
      await other.close();
    }
  });

  test('404 unknown route, 405 wrong method, 413 oversized body', async () => {
    assert.equal((await call('GET', '/v2/unknown')).text,
      '{"error":"Not Found","detail":"No such route \'GET /v2/unknown\'","status":404}');
    const m = await call('DELETE', '/v2/taxes');
    assert.equal(m.status, 405);
    assert.equal(m.headers.get('allow'), 'POST');
    assert.deepEqual(m.json, err(405, 'Method Not Allowed', "Method not allowed for route 'DELETE /v2/taxes'"));
    const big = await call('POST', '/v2/taxes', { raw: `"${'x'.repeat(1024 * 1024)}"` });
    assert.equal(big.status, 413);
    assert.deepEqual(big.json, err(413, 'Payload Too Large', 'Request body exceeds 1048576 bytes'));
  });
});
