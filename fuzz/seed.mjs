#!/usr/bin/env node
// Writes the seed corpora of the fuzz targets into fuzz/seeds/<target>/
// from ../shared/conformance (TaxJar's documented requests and answers,
// the taxjar-ruby fixtures) and the legacy reference's curl examples and
// answers (../shared/seeds/002_...). Nothing is committed: `make fuzz`
// runs this first. Each file is named by its content's hash, so reruns
// write the same files. Input formats are those of fuzz/fuzz_targets/*.rs.
//
//   node fuzz/seed.mjs [shared-dir]   (default: ../shared from the repo)

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const shared = process.argv[2] ?? join(here, '..', '..', 'shared');
const conformance = join(shared, 'conformance');
const out = join(here, 'seeds');

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const jsonFiles = (dir) =>
  readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));

const seeds = { cart: [], response: [], order: [], legacy_query: [] };
const NUL = Buffer.from([0]);
const text = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
/** A selector byte followed by the parts, joined by NUL. */
const framed = (selector, ...parts) => {
  const joined = [];
  parts.forEach((p, i) => joined.push(...(i ? [NUL] : []), text(p)));
  return Buffer.concat([Buffer.from([selector]), ...joined]);
};

/** `value` with every number replaced by `n`: boundary seeds, so the
 * fuzzer starts next to the edges of `Decimal`, i64 cents and f64 too. */
const extreme = (value, n) =>
  typeof value === 'number'
    ? n
    : Array.isArray(value)
      ? value.map((v) => extreme(v, n))
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, extreme(v, n)]))
        : value;
const EXTREMES = [1e20, 92233720368547760];

// ---- TaxJar's documented tax calculations: carts, and cart + answer ----
const taxes = jsonFiles(join(conformance, 'taxjar-docs', 'taxes')).map(readJson);
const carts = taxes.map((t) => t.request);
for (const t of taxes) {
  seeds.cart.push(text(t.request));
  seeds.response.push(framed(0x00, t.request, t.response)); // v2, 200
  for (const n of EXTREMES) seeds.response.push(framed(0x00, t.request, extreme(t.response, n)));
}

// ---- The legacy reference: curl examples as carts, JSON answers -------
const reference = readFileSync(
  readdirSync(join(shared, 'seeds'))
    .filter((f) => f.startsWith('002_'))
    .map((f) => join(shared, 'seeds', f))[0],
  'utf8',
);

/** The cart a legacy curl URL was made from (bracketed keys → lists). */
function cartFromQuery(query) {
  const cart = {};
  const lists = { line_items: new Map(), nexus_addresses: new Map() };
  for (const pair of query.split('&')) {
    const [rawKey, rawValue = ''] = pair.split('=');
    const key = decodeURIComponent(rawKey);
    const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    const nested = /^(line_items|nexus_addresses)\[([^\]]*)\]\[([^\]]*)\]$/.exec(key);
    if (nested) {
      const [, list, id, field] = nested;
      if (!lists[list].has(id)) lists[list].set(id, { id });
      lists[list].get(id)[field] = value;
    } else {
      cart[key] = value;
    }
  }
  for (const [list, items] of Object.entries(lists)) {
    if (items.size) cart[list] = [...items.values()];
  }
  return cart;
}

const legacyCarts = [];
for (const [, path, query = ''] of reference.matchAll(
  /https:\/\/api\.taxjar\.com(\/[^?"'\s]*)(?:\?([^"'\s]*))?/g,
)) {
  const location = /^\/locations\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (location) {
    seeds.legacy_query.push(framed(0x01, location[1], location[2] ?? ''));
  } else if (query) {
    legacyCarts.push(cartFromQuery(query));
  }
}
seeds.legacy_query.push(framed(0x01, 'V0J1A0', 'AIYANSH', 'CA'));

/** Every balanced {...} block of the reference that is JSON. */
function jsonBlocks(source) {
  const blocks = [];
  for (let start = source.indexOf('{'); start !== -1; start = source.indexOf('{', start + 1)) {
    let depth = 0;
    for (let i = start; i < source.length; i++) {
      if (source[i] === '{') depth++;
      else if (source[i] === '}' && --depth === 0) {
        try {
          blocks.push(JSON.parse(source.slice(start, i + 1)));
          start = i; // not the blocks inside it
        } catch {}
        break;
      }
    }
  }
  return blocks;
}
const legacyAnswers = jsonBlocks(reference).filter((b) => !('location' in b));
const locationAnswers = jsonBlocks(reference).filter((b) => 'location' in b);

for (const cart of [...carts, ...legacyCarts]) {
  seeds.legacy_query.push(framed(0x00, cart));
}
for (const cart of legacyCarts) seeds.cart.push(text(cart));
for (const answer of legacyAnswers) {
  const enhanced = 'breakdown' in answer || 'order_total_amount' in answer;
  const selector = enhanced ? 0xb0 : 0xa0;
  for (const cart of legacyCarts) {
    seeds.response.push(framed(selector, cart, answer));
    for (const n of EXTREMES) seeds.response.push(framed(selector, cart, extreme(answer, n)));
  }
}
for (const answer of locationAnswers) seeds.response.push(framed(0xd0, answer));

// ---- The taxjar-ruby fixtures: every v2 answer type -------------------
const fixtures = join(conformance, 'taxjar-ruby-fixtures');
const typeOf = {
  'order.json': 0, 'refund.json': 1, 'orders.json': 2, 'refunds.json': 3,
  'customer.json': 4, 'customers.json': 5, 'nexus_regions.json': 6,
  'rates.json': 7, 'rates_au.json': 7, 'rates_ca.json': 7, 'rates_eu.json': 7,
  'rates_sst.json': 7, 'summary_rates.json': 8, 'categories.json': 9,
  'addresses.json': 10, 'addresses_multiple.json': 10, 'validation.json': 11,
};
for (const path of jsonFiles(fixtures)) {
  const name = path.split('/').pop();
  const body = readFileSync(path, 'utf8');
  if (name.startsWith('taxes')) {
    seeds.response.push(framed(0x00, body)); // the default cart
    seeds.response.push(framed(0x00, carts.find((c) => c.to_country === 'US') ?? {}, body));
  }
  if (name in typeOf) seeds.response.push(framed(0xc0 | typeOf[name], body));
  if (name === 'categories.json') seeds.response.push(framed(0xd0, body));
}
// Error statuses (low bits: 6 = 400, 7 = 401, 10 = 429, 11 = 500, 12 = 502)
// with the bodies the conformance README lists: TaxJar's JSON, a status
// as a string, a detail as a list, a gateway's HTML, nothing.
const errorBodies = [
  { error: 'Bad Request', detail: 'to_zip 9000 is not used within to_state CA', status: 400 },
  { error: 'Unauthorized', detail: 'Not authorized for route', status: '401' },
  { error: 'Too Many Requests', detail: ['Rate limit', 'exceeded'], status: 429 },
  '<html><body><h1>502 Bad Gateway</h1></body></html>',
  '',
];
for (const [i, body] of errorBodies.entries()) {
  const status = [6, 7, 10, 12, 11][i];
  seeds.response.push(framed(0x00 | status, body));
  seeds.response.push(framed(0xe0 | status, body));
}

// ---- Orders and refunds: TaxJar's documented transaction requests ----
/** A transaction request as a platform order or refund (positive money). */
function platform(request) {
  const { transaction_id, transaction_reference_id, ...rest } = request;
  const positive = (v) => (typeof v === 'number' ? Math.abs(v) : typeof v === 'string' ? v.replace(/^-/, '') : v);
  const money = ['amount', 'shipping', 'sales_tax', 'unit_price', 'discount'];
  const fix = (o) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, money.includes(k) ? positive(v) : v]));
  const item = fix({ id: transaction_id, ...rest });
  if (Array.isArray(item.line_items)) item.line_items = item.line_items.map(fix);
  return item;
}
const transactions = jsonFiles(join(conformance, 'taxjar-docs', 'transactions')).map(readJson);
const orders = [];
const refunds = [];
for (const t of transactions) {
  const request = t.request && typeof t.request === 'object' ? t.request : null;
  const answer = t.response?.order ?? t.response?.refund;
  for (const body of [request, answer]) {
    if (!body?.transaction_id) continue;
    (t.url.includes('/refunds') ? refunds : orders).push(platform(body));
  }
}
for (const path of ['order.json', 'refund.json'].map((f) => join(fixtures, f))) {
  const body = readJson(path);
  if (body.order) orders.push(platform(body.order));
  if (body.refund) refunds.push(platform(body.refund));
}
// Boundary variants: every number 1e27, and a per-unit discount per line.
for (const order of [...orders]) {
  const big = extreme(order, 1e27);
  big.line_items = (big.line_items ?? []).map((l) => ({ ...l, unit_discount: 1e27 }));
  orders.push(big);
}
for (const order of orders) {
  seeds.order.push(text(order));
  seeds.cart.push(text(order));
  const full = { id: `${order.id}-r`, created_at: order.transaction_date ?? '2015/05/14' };
  seeds.order.push(Buffer.concat([text(order), NUL, text(full)]));
  for (const refund of refunds) seeds.order.push(Buffer.concat([text(order), NUL, text(refund)]));
}

// ---- Write ------------------------------------------------------------
rmSync(out, { recursive: true, force: true });
for (const [target, list] of Object.entries(seeds)) {
  const dir = join(out, target);
  mkdirSync(dir, { recursive: true });
  const names = new Set();
  for (const seed of list) {
    const name = createHash('sha1').update(seed).digest('hex');
    names.add(name);
    writeFileSync(join(dir, name), seed);
  }
  console.log(`seeds/${target}: ${names.size} files`);
}
