// Order/refund transactions and customers, kept in memory per server instance,
// with TaxJar's validation rules and response shapes.

import {
  add, dec, eq, isNumeric, mul, round, sub, sum, toMoneyString, toNumber,
} from './decimal.mjs';
import {
  HttpError, badRequest, notFound, present, requireKeys, requireObject,
} from './errors.mjs';
import { EXEMPTION_TYPES } from './taxes.mjs';

export const USER_ID = 10649;

export function createStore() {
  return { orders: new Map(), refunds: new Map(), customers: new Map() };
}

export function clearStore(store) {
  store.orders.clear();
  store.refunds.clear();
  store.customers.clear();
}

const DATE_RE = /^(\d{4})[/-](\d{2})[/-](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/;

/** "2015/05/14" → "2015-05-14T00:00:00Z"; datetimes are converted to UTC. */
export function formatDate(value, name = 'transaction_date') {
  const m = DATE_RE.exec(String(value).trim());
  if (!m) throw badRequest(`${name} is invalid`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone = 'Z'] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) {
    throw badRequest(`${name} is invalid`); // e.g. 2015/02/30
  }
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const t = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  if (Number.isNaN(t.getTime())) throw badRequest(`${name} is invalid`);
  return `${t.toISOString().slice(0, 19)}Z`;
}

function numberField(obj, key, label, fallback) {
  if (!present(obj[key])) return fallback;
  if (!isNumeric(obj[key])) throw badRequest(`${label} must be a number`);
  return dec(obj[key]);
}

function copyFields(src, dst, keys, upperKeys = []) {
  for (const k of keys) {
    if (present(src[k])) dst[k] = upperKeys.includes(k) ? String(src[k]).toUpperCase() : String(src[k]);
  }
}

const FROM_KEYS = ['from_country', 'from_zip', 'from_state', 'from_city', 'from_street'];
const TO_KEYS = ['to_country', 'to_zip', 'to_state', 'to_city', 'to_street'];

/** Validate a transaction request and build TaxJar's stored/response shape. */
function buildTransaction(kind, body) {
  requireObject(body);
  const required = ['transaction_id', 'transaction_date'];
  if (kind === 'refund') required.push('transaction_reference_id');
  required.push('to_country', 'to_zip', 'to_state', 'amount', 'shipping', 'sales_tax');
  requireKeys(body, required);
  if (present(body.exemption_type) && !EXEMPTION_TYPES.includes(body.exemption_type)) {
    throw badRequest(`exemption_type must be one of ${EXEMPTION_TYPES.join(', ')}`);
  }
  const amount = numberField(body, 'amount', 'amount');
  const shipping = numberField(body, 'shipping', 'shipping');
  const salesTax = numberField(body, 'sales_tax', 'sales_tax');
  if (present(body.line_items) && !Array.isArray(body.line_items)) {
    throw badRequest('line_items must be an array');
  }
  const items = body.line_items ?? [];
  const lines = items.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      throw badRequest(`line_items[${i}] must be an object`);
    }
    const at = (k) => `line_items[${i}].${k}`;
    const quantity = numberField(item, 'quantity', at('quantity'), dec(1));
    const unitPrice = numberField(item, 'unit_price', at('unit_price'), dec(0));
    const discount = numberField(item, 'discount', at('discount'), dec(0));
    const lineTax = numberField(item, 'sales_tax', at('sales_tax'), dec(0));
    const out = { id: present(item.id) ? String(item.id) : String(i + 1), quantity: toNumber(quantity) };
    copyFields(item, out, ['product_identifier', 'description', 'product_tax_code']);
    out.unit_price = toMoneyString(unitPrice);
    out.discount = toMoneyString(discount);
    out.sales_tax = toMoneyString(lineTax);
    return { out, total: sub(mul(quantity, unitPrice), discount) };
  });
  // API version 2020-08-07 rule (applied always): amount = Σ lines + shipping, to the cent.
  if (lines.length > 0) {
    const expected = add(sum(lines.map((l) => l.total)), shipping);
    if (!eq(round(amount, 2), round(expected, 2))) {
      throw badRequest(
        `amount ${toMoneyString(amount)} must equal the sum of line items `
        + `(quantity * unit_price - discount) plus shipping: ${toMoneyString(round(expected, 2))}`,
      );
    }
  }

  const t = {
    transaction_id: String(body.transaction_id),
    user_id: USER_ID,
    transaction_date: formatDate(body.transaction_date),
  };
  if (kind === 'refund') t.transaction_reference_id = String(body.transaction_reference_id);
  t.provider = present(body.provider) ? String(body.provider) : 'api';
  if (present(body.exemption_type)) t.exemption_type = body.exemption_type;
  if (present(body.customer_id)) t.customer_id = String(body.customer_id);
  copyFields(body, t, FROM_KEYS, ['from_city']);
  copyFields(body, t, TO_KEYS, ['to_city']);
  t.amount = toMoneyString(amount);
  t.shipping = toMoneyString(shipping);
  t.sales_tax = toMoneyString(salesTax);
  t.line_items = lines.map((l) => l.out);
  return t;
}

const collection = (kind) => (kind === 'order' ? 'orders' : 'refunds');

export function createTransaction(store, kind, body) {
  const t = buildTransaction(kind, body);
  const map = store[collection(kind)];
  if (map.has(t.transaction_id)) {
    throw new HttpError(422, 'Provider tranx already imported for your user account');
  }
  map.set(t.transaction_id, { request: structuredClone(body), record: t });
  return { status: 201, body: { [kind]: structuredClone(t) } };
}

export function updateTransaction(store, kind, id, body) {
  const map = store[collection(kind)];
  const existing = map.get(id);
  if (!existing) throw notFound();
  requireObject(body);
  const merged = { ...existing.request, ...body, transaction_id: id };
  const t = buildTransaction(kind, merged);
  map.set(id, { request: merged, record: t });
  return { status: 200, body: { [kind]: structuredClone(t) } };
}

export function showTransaction(store, kind, id) {
  const existing = store[collection(kind)].get(id);
  if (!existing) throw notFound();
  return { status: 200, body: { [kind]: structuredClone(existing.record) } };
}

export function deleteTransaction(store, kind, id) {
  const map = store[collection(kind)];
  const existing = map.get(id);
  if (!existing) throw notFound();
  map.delete(id);
  const blank = (keys) => Object.fromEntries(keys.map((k) => [k, null]));
  return {
    status: 200,
    body: {
      [kind]: {
        transaction_id: id,
        user_id: USER_ID,
        transaction_date: null,
        transaction_reference_id: null,
        provider: existing.record.provider,
        ...blank(FROM_KEYS),
        ...blank(TO_KEYS),
        amount: null,
        shipping: null,
        sales_tax: null,
        line_items: [],
      },
    },
  };
}

/**
 * `{orders: [ids]}` / `{refunds: [ids]}`. Filters like TaxJar: `transaction_date`,
 * `from_transaction_date` + `to_transaction_date` (inclusive), `provider` (default "api").
 */
export function listTransactions(store, kind, query = {}) {
  const day = (v, name) => formatDate(v, name).slice(0, 10);
  const exact = present(query.transaction_date) ? day(query.transaction_date, 'transaction_date') : null;
  const from = present(query.from_transaction_date) ? day(query.from_transaction_date, 'from_transaction_date') : null;
  const to = present(query.to_transaction_date) ? day(query.to_transaction_date, 'to_transaction_date') : null;
  const provider = present(query.provider) ? String(query.provider) : 'api';
  const ids = [];
  for (const [id, { record }] of store[collection(kind)]) {
    const d = record.transaction_date.slice(0, 10);
    if (record.provider !== provider) continue;
    if (exact && d !== exact) continue;
    if (from && d < from) continue;
    if (to && d > to) continue;
    ids.push(id);
  }
  return { status: 200, body: { [collection(kind)]: ids } };
}

// ---- customers -------------------------------------------------------------

const CUSTOMER_EXEMPTIONS = ['wholesale', 'government', 'other', 'non_exempt'];
const CUSTOMER_FIELDS = ['name', 'country', 'state', 'zip', 'city', 'street'];

function buildCustomer(body) {
  requireObject(body);
  requireKeys(body, ['customer_id', 'exemption_type']);
  if (!CUSTOMER_EXEMPTIONS.includes(body.exemption_type)) {
    throw badRequest(`exemption_type must be one of ${CUSTOMER_EXEMPTIONS.join(', ')}`);
  }
  const regions = body.exempt_regions ?? [];
  if (!Array.isArray(regions)) throw badRequest('exempt_regions must be an array');
  const c = {
    customer_id: String(body.customer_id),
    exemption_type: body.exemption_type,
    exempt_regions: regions.map((r, i) => {
      if (!r || !present(r.country)) throw badRequest(`exempt_regions[${i}].country is missing`);
      return { country: String(r.country), state: present(r.state) ? String(r.state) : null };
    }),
  };
  for (const k of CUSTOMER_FIELDS) c[k] = present(body[k]) ? String(body[k]) : null;
  return c;
}

export function createCustomer(store, body) {
  const c = buildCustomer(body);
  if (store.customers.has(c.customer_id)) {
    throw new HttpError(422, 'Customer already exists for your user account');
  }
  store.customers.set(c.customer_id, c);
  return { status: 201, body: { customer: structuredClone(c) } };
}

export function updateCustomer(store, id, body) {
  const existing = store.customers.get(id);
  if (!existing) throw notFound();
  requireObject(body);
  const c = buildCustomer({ ...existing, ...body, customer_id: id });
  store.customers.set(id, c);
  return { status: 200, body: { customer: structuredClone(c) } };
}

export function showCustomer(store, id) {
  const c = store.customers.get(id);
  if (!c) throw notFound();
  return { status: 200, body: { customer: structuredClone(c) } };
}

export function deleteCustomer(store, id) {
  const c = store.customers.get(id);
  if (!c) throw notFound();
  store.customers.delete(id);
  return { status: 200, body: { customer: structuredClone(c) } };
}

export function listCustomers(store) {
  return { status: 200, body: { customers: [...store.customers.keys()] } };
}
