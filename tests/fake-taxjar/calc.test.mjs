// Unit tests of the fake's exact decimal helper, tax calculation and transaction rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as d from './decimal.mjs';
import { calculateTax } from './taxes.mjs';
import { normalizeRegions } from './regions.mjs';
import * as tx from './transactions.mjs';

const regions = normalizeRegions(['US-CA', 'US-NY', 'US-WA']);
const calc = (body, ctx = {}) => calculateTax(body, { nexusRegions: regions, ...ctx }).tax;

describe('decimal', () => {
  test('exact arithmetic and half-away-from-zero rounding', () => {
    assert.equal(d.toPlain(d.add(0.1, 0.2)), '0.3');
    assert.equal(d.toPlain(d.round(1.005, 2)), '1.01');
    assert.equal(d.toPlain(d.round(-1.005, 2)), '-1.01');
    assert.equal(d.toPlain(d.round('0.0049', 2)), '0');
    assert.equal(d.toPlain(d.mul(6, '0.0925')), '0.555');
    assert.equal(d.toPlain(d.div(2.17, 37.93, 5)), '0.05721');
    assert.equal(d.toPlain(d.dec(1e-7)), '0.0000001');
    assert.deepEqual([d.toMoneyString(15), d.toMoneyString(-16.5), d.toMoneyString('0.950')], ['15.0', '-16.5', '0.95']);
    assert.equal(d.isNumeric('12.5'), true);
    assert.equal(d.isNumeric('abc'), false);
  });
});

describe('calculateTax', () => {
  const ca = { to_country: 'US', to_state: 'CA', to_zip: '94103', shipping: 5 };

  test('half cents round away from zero without float noise (6.00 × 0.0925 = 0.555 → 0.56)', () => {
    const t = calc({ ...ca, line_items: [{ id: 'sku', quantity: 2, unit_price: 3 }] });
    assert.deepEqual([t.amount_to_collect, t.rate, t.freight_taxable, t.taxable_amount], [0.56, 0.0925, false, 6]);
    assert.equal(t.breakdown.shipping, undefined);
    assert.deepEqual(t.breakdown.line_items.map((l) => [l.id, l.tax_collectable, l.state_amount, l.county_amount, l.special_district_amount]),
      [['sku', 0.56, 0.38, 0.06, 0.12]]);
  });

  test('amount only: no breakdown', () => {
    assert.deepEqual(calc({ ...ca, amount: 100 }), {
      order_total_amount: 105, shipping: 5, taxable_amount: 100, amount_to_collect: 9.25, rate: 0.0925,
      has_nexus: true, freight_taxable: false, tax_source: 'destination', jurisdictions: { country: 'US', state: 'CA' },
    });
  });

  test('99999 exempt; NY clothing under 110 keeps only the county part', () => {
    const t = calc({
      to_country: 'US', to_state: 'NY', to_zip: '10001', shipping: 0,
      line_items: [
        { quantity: 1, unit_price: 50, product_tax_code: '20010' },
        { quantity: 1, unit_price: 120, product_tax_code: '20010' },
        { quantity: 1, unit_price: 10, product_tax_code: '99999' },
      ],
    });
    const rows = t.breakdown.line_items.map((l) => [l.taxable_amount, l.combined_tax_rate, l.state_amount, l.county_amount, l.tax_collectable]);
    assert.deepEqual(rows, [[50, 0.04875, 0, 2.44, 2.44], [120, 0.08875, 4.8, 5.85, 10.65], [0, 0, 0, 0, 0]]);
    // 50 × 0.04875 + 120 × 0.08875 = 13.0875 → 13.09; effective rate 13.0875 / 170
    assert.deepEqual([t.taxable_amount, t.amount_to_collect, t.rate], [170, 13.09, 0.07699]);
    assert.deepEqual([t.breakdown.state_taxable_amount, t.breakdown.state_tax_collectable], [120, 4.8]);
  });

  test('order exemption and customer exemption zero everything and echo the type', () => {
    const body = { ...ca, amount: 10, exemption_type: 'wholesale' };
    const t = calc(body);
    assert.deepEqual([t.amount_to_collect, t.taxable_amount, t.rate, t.exemption_type, t.has_nexus], [0, 0, 0, 'wholesale', true]);
    const customers = new Map([['c1', { customer_id: 'c1', exemption_type: 'government', exempt_regions: [{ country: 'US', state: 'CA' }] }]]);
    const byCustomer = calc({ ...ca, amount: 10, customer_id: 'c1' }, { customers });
    assert.deepEqual([byCustomer.amount_to_collect, byCustomer.exemption_type], [0, 'government']);
    const overridden = calc({ ...ca, amount: 10, customer_id: 'c1', exemption_type: 'non_exempt' }, { customers });
    assert.deepEqual([overridden.amount_to_collect, overridden.exemption_type], [0.93, 'non_exempt']);
  });

  test('Canada QC and international VAT', () => {
    const qc = calc({
      to_country: 'CA', to_state: 'QC', to_zip: 'H2X 1Y4', shipping: 10,
      nexus_addresses: [{ country: 'CA', state: 'ON' }], line_items: [{ quantity: 1, unit_price: 100 }],
    });
    assert.deepEqual([qc.rate, qc.amount_to_collect, qc.breakdown.gst, qc.breakdown.qst, qc.breakdown.pst], [0.14975, 16.47, 5.5, 10.97, 0]);
    const de = calc({ to_country: 'DE', to_zip: '10115', shipping: 0, amount: 10.05, nexus_addresses: [{ country: 'DE' }] });
    assert.deepEqual([de.rate, de.amount_to_collect, de.jurisdictions], [0.2, 2.01, { country: 'DE' }]);
  });

  test('nexus_addresses replace the configured regions', () => {
    const t = calc({ ...ca, amount: 10, nexus_addresses: [{ country: 'US', state: 'TX' }] });
    assert.equal(t.has_nexus, false);
  });

  test('validation messages', () => {
    const msg = (body) => { try { calc(body); return null; } catch (e) { return [e.status, e.detail]; } };
    assert.deepEqual(msg({ shipping: 0, amount: 1 }), [400, 'to_country is missing']);
    assert.deepEqual(msg({ to_country: 'US', to_zip: '90002', shipping: 0, amount: 1 }), [400, 'to_state is missing']);
    assert.deepEqual(msg({ to_country: 'US', to_zip: '90002', to_state: 'CA', amount: 1 }), [400, 'shipping is missing']);
    assert.deepEqual(msg({ to_country: 'US', to_zip: '9000', to_state: 'CA', shipping: 0, amount: 1 }),
      [400, 'to_zip 9000 is not a valid US zip code']);
    assert.deepEqual(msg({ to_country: 'FR', shipping: 0 }), [400, 'amount is missing (provide amount or line_items)']);
    assert.deepEqual(msg({ to_country: 'FR', shipping: -1, amount: 1 }), [400, 'shipping cannot be negative']);
  });
});

describe('transactions', () => {
  const order = {
    transaction_id: 'o1', transaction_date: '2024-02-29T23:30:00-02:00', to_country: 'US', to_zip: '10001',
    to_state: 'NY', to_city: 'new york', amount: 30.5, shipping: 0.5, sales_tax: 2.66,
    line_items: [{ quantity: 3, unit_price: 10.333, discount: 0.999 }],
  };

  test('dates normalise to UTC, money to decimal strings; amount rule compares cents', () => {
    const store = tx.createStore();
    const { status, body } = tx.createTransaction(store, 'order', order);
    assert.equal(status, 201);
    assert.deepEqual(body.order, {
      transaction_id: 'o1', user_id: 10649, transaction_date: '2024-03-01T01:30:00Z', provider: 'api',
      to_country: 'US', to_zip: '10001', to_state: 'NY', to_city: 'NEW YORK',
      amount: '30.5', shipping: '0.5', sales_tax: '2.66',
      line_items: [{ id: '1', quantity: 3, unit_price: '10.333', discount: '0.999', sales_tax: '0.0' }],
    });
    assert.throws(() => tx.createTransaction(store, 'order', { ...order, transaction_date: '2023/02/29' }),
      { status: 400, detail: 'transaction_date is invalid' });
  });

  test('refunds need transaction_reference_id and accept negative amounts', () => {
    const store = tx.createStore();
    const refund = { ...order, transaction_id: 'r1', amount: -30.5, shipping: -0.5, sales_tax: -2.66,
      line_items: [{ quantity: 3, unit_price: -10.333, discount: -0.999 }] };
    assert.throws(() => tx.createTransaction(store, 'refund', refund), { status: 400, detail: 'transaction_reference_id is missing' });
    const { body } = tx.createTransaction(store, 'refund', { ...refund, transaction_reference_id: 'o1' });
    assert.deepEqual([body.refund.transaction_reference_id, body.refund.amount], ['o1', '-30.5']);
  });

  test('list filters by date range and provider (default "api")', () => {
    const store = tx.createStore();
    tx.createTransaction(store, 'order', { ...order, transaction_id: 'a', transaction_date: '2024/01/10' });
    tx.createTransaction(store, 'order', { ...order, transaction_id: 'b', transaction_date: '2024/02/10' });
    tx.createTransaction(store, 'order', { ...order, transaction_id: 'c', transaction_date: '2024/02/11', provider: 'ebay' });
    const list = (q) => tx.listTransactions(store, 'order', q).body.orders;
    assert.deepEqual(list({}), ['a', 'b']);
    assert.deepEqual(list({ from_transaction_date: '2024/02/01', to_transaction_date: '2024/02/28' }), ['b']);
    assert.deepEqual(list({ provider: 'ebay' }), ['c']);
    assert.deepEqual(list({ transaction_date: '2024-01-10' }), ['a']);
  });
});
