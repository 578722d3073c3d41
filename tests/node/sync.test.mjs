// Transaction Sync from the release pkg, in Node, against the local TaxJar
// fake: the exported builders reproduce TaxJar's documented requests, and
// `TransactionSync` does POST → 422 → PUT, PUT → 404 → POST, skips
// unchanged payloads, deletes cancelled orders, syncs customers, logs
// every call without the token, and with injected 500s a retrying caller
// gets every order and refund in exactly once.

import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  TransactionSync,
  orderTransaction,
  refundTransaction,
  shouldSync,
  customerRequest,
  planBackfill,
  exportCsv,
  payloadHash,
} from "../../pkg/server/node.js";
import { startFake } from "../fake-taxjar/server.mjs";

// The server build's Node entry compiles its wasm at import: no init.

const TOKEN = "sk_test_SECRET_8f3b2c1d";
const DOCS = new URL("../../../shared/conformance/taxjar-docs/transactions/", import.meta.url);
let fake;
let logs;

before(async () => {
  fake = await startFake({ token: TOKEN });
});
after(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  logs = [];
});

const documented = (name) => JSON.parse(readFileSync(new URL(`${name}.json`, DOCS), "utf8")).request;
const calls = () => fake.requests.length;
const sync = (options = {}) =>
  new TransactionSync({ apiUrl: fake.url, apiKey: TOKEN, onLog: (e) => logs.push(e), ...options });

function order(id, overrides = {}) {
  return {
    id,
    created_at: "2024-03-01T10:00:00Z",
    status: "completed",
    from_country: "US",
    from_zip: "92093",
    from_state: "CA",
    to_country: "US",
    to_zip: "90002",
    to_state: "CA",
    to_city: "Los Angeles",
    to_street: "123 Palm Grove Ln",
    shipping: 5,
    sales_tax: "1.35",
    line_items: [
      { id: "1", quantity: 1, unit_price: "10.00", description: "Widget" },
      { id: "2", quantity: 1, unit_price: 5 },
    ],
    ...overrides,
  };
}

const docsOrder = {
  id: "123",
  created_at: "2015/05/14",
  status: "completed",
  to_street: "123 Palm Grove Ln",
  to_city: "Los Angeles",
  to_state: "CA",
  to_zip: "90002",
  to_country: "US",
  shipping: 1.5,
  sales_tax: 0.95,
  line_items: [
    { quantity: 1, product_identifier: "12-34234-9", description: "Fuzzy Widget", unit_price: 15, sales_tax: 0.95 },
  ],
};

test("the documented create requests are reproduced from a platform order", () => {
  assert.deepStrictEqual(orderTransaction(docsOrder), documented("create-an-order-transaction"));
  const refund = refundTransaction({ id: "321", created_at: "2015/05/14" }, docsOrder, { refundSuffix: "" });
  assert.deepStrictEqual(refund, documented("create-a-refund-transaction"));
});

test("the guide's examples, exact", () => {
  const tax = orderTransaction(order("g1"));
  assert.deepStrictEqual(tax.line_items.map((l) => l.sales_tax), [0.9, 0.45]);
  assert.equal(tax.amount, 20);
  const half = orderTransaction(
    order("g2", {
      order_discount: 10,
      sales_tax: 0.9,
      line_items: [
        { id: "1", quantity: 2, unit_price: 5 },
        { id: "2", quantity: 1, unit_price: 10 },
      ],
    }),
  );
  assert.deepStrictEqual(half.line_items.map((l) => l.discount), [5, 5]);
  const perUnit = orderTransaction(
    order("g3", { sales_tax: 0.95, line_items: [{ quantity: 3, unit_price: 5, unit_discount: 1, sales_tax: 0.95 }] }),
  );
  assert.equal(perUnit.line_items[0].discount, 3);
});

test("builders reject bad input with code and field", () => {
  assert.throws(() => orderTransaction(order("x", { exemption_type: "wholesale" })), (e) => {
    assert.equal(e.field, "sales_tax");
    assert.equal(e.code, "exempt_with_tax");
    return true;
  });
  assert.throws(() => orderTransaction(order("x", { sales_tax: undefined })), { code: "missing_field", field: "sales_tax" });
  assert.throws(() => customerRequest({ customer_id: "1", exemption_type: "marketplace" }), {
    code: "invalid_exemption_type",
  });
  assert.deepStrictEqual(shouldSync(order("x", { status: "pending" })), { sync: false, reason: "status" });
  assert.deepStrictEqual(shouldSync(order("x", { status: "complete" }), { statuses: ["complete"] }), {
    sync: true,
    reason: "ready",
  });
  const plan = planBackfill({ from: "2024-03-01", to: "2024-03-31" }, [
    { id: "a", created_at: "2024-03-02" },
    { id: "b", created_at: "2024-03-02", updated_at: "2024-03-05T00:00:00Z", synced_at: "2024-03-04T00:00:00Z" },
  ]);
  assert.deepStrictEqual(plan.map((d) => d.action), ["create", "update"]);
  const csv = exportCsv([orderTransaction(order("c1", { to_street: 'Main St, "B"' }))]);
  assert.match(csv, /^provider,order_id,transaction_type,transaction_reference_id,completed_at,customer_name,shiptostreet,/);
  assert.match(csv, /\r\napi,c1,Order,,2024-03-01,,"Main St, ""B""",.*,5\.00,,[0-9.-]+,20\.00,1\.35\r\n$/);
  assert.equal(payloadHash({ b: 1, a: 2 }), payloadHash({ a: 2, b: 1 }));
});

test("TransactionSync options: a wrong one is an error naming it; the rest are used", async () => {
  const base = { apiUrl: fake.url, apiKey: TOKEN };
  assert.throws(() => new TransactionSync({ apiUrl: fake.url }), { code: "missing_field", field: "apiKey" });
  assert.throws(() => new TransactionSync({ ...base, apiUrl: 5 }), { code: "invalid_type", field: "apiUrl", message: "apiUrl must be a string" });
  assert.throws(() => new TransactionSync({ ...base, timeoutMs: 0 }), { code: "invalid_value", field: "timeoutMs" });
  assert.throws(() => new TransactionSync({ ...base, refundSuffix: 1 }), { code: "invalid_type", field: "refundSuffix" });
  assert.throws(() => new TransactionSync({ ...base, settings: { statuses: "complete" } }), {
    code: "invalid_type",
    field: "settings",
    message: 'invalid type: string "complete", expected a sequence',
  });
  // settings.statuses decides what syncs; refundSuffix names the refund.
  const s = new TransactionSync({ ...base, refundSuffix: "-r", settings: { statuses: ["shipped"] } });
  const pending = await s.syncOrder(order("7007", { status: "completed" }));
  assert.deepStrictEqual([pending.action, pending.reason], ["skip", "status"]);
  const o = order("7008", { status: "shipped" });
  assert.equal((await s.syncOrder(o)).action, "create");
  const refund = await s.syncRefund({ id: "7008", created_at: "2024-03-05" }, o);
  assert.equal(refund.transaction_id, "7008-r");
});

test("first sync POSTs; a 422 falls back to PUT", async () => {
  const s = sync();
  const first = await s.syncOrder(order("1001"));
  assert.equal(first.action, "create");
  assert.equal(first.status, 201);
  assert.equal(first.fallback, false);
  assert.equal(first.record.transaction_id, "1001");
  assert.equal(first.response.order.transaction_id, "1001");
  // The record was lost: POST again → 422 → PUT.
  const again = await s.syncOrder(order("1001", { shipping: 7 }));
  assert.deepStrictEqual([again.action, again.status, again.fallback], ["update", 200, true]);
  assert.deepStrictEqual(
    fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
    [
      "POST /v2/transactions/orders 201",
      "POST /v2/transactions/orders 422",
      "PUT /v2/transactions/orders/1001 200",
    ],
  );
  for (const r of fake.requests) {
    assert.equal(r.headers["x-api-version"], "2020-08-07");
    assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
  }
  assert.equal(fake.state.orders.get("1001").record.shipping, "7.0");
});

test("an update PUTs; a 404 falls back to POST", async () => {
  const s = sync();
  const stale = { transaction_id: "2002", hash: "stale", synced_at: "2024-01-01T00:00:00.000Z" };
  const result = await s.syncOrder(order("2002"), stale);
  assert.deepStrictEqual([result.action, result.status, result.fallback], ["create", 201, true]);
  assert.deepStrictEqual(fake.requests.map((r) => `${r.method} ${r.status}`), ["PUT 404", "POST 201"]);
  assert.notEqual(result.record.hash, "stale");
  // A changed order with its record: one PUT.
  const update = await s.syncOrder(order("2002", { sales_tax: "1.50" }), result.record);
  assert.deepStrictEqual([update.action, update.status, update.fallback], ["update", 200, false]);
  assert.equal(calls(), 3);
});

test("an unchanged payload is skipped with no call", async () => {
  const s = sync({ now: () => Date.UTC(2024, 2, 1, 12) });
  const first = await s.syncOrder(order("3003"));
  assert.equal(first.record.synced_at, "2024-03-01T12:00:00.000Z");
  const before = calls();
  const second = await s.syncOrder(order("3003"), first.record);
  assert.deepStrictEqual([second.action, second.reason, second.status], ["skip", "unchanged", null]);
  assert.deepStrictEqual(second.record, first.record);
  assert.equal(calls() - before, 0);
  // Orders that should not sync are skipped too, without a call.
  const pending = await s.syncOrder(order("3004", { status: "pending" }));
  assert.deepStrictEqual([pending.action, pending.reason], ["skip", "status"]);
  assert.equal(calls() - before, 0);
});

test("a cancelled order is sent as DELETE", async () => {
  const s = sync();
  const created = await s.syncOrder(order("4004"));
  assert.ok(fake.state.orders.has("4004"));
  const cancelled = await s.syncOrder(order("4004", { status: "cancelled" }), created.record);
  assert.deepStrictEqual([cancelled.action, cancelled.status], ["delete", 200]);
  assert.equal(fake.requests.at(-1).method, "DELETE");
  assert.equal(fake.requests.at(-1).path, "/v2/transactions/orders/4004");
  assert.equal(fake.state.orders.has("4004"), false);
  // Deleted once: the same cancelled order is not deleted again.
  const again = await s.syncOrder(order("4004", { status: "cancelled" }), cancelled.record);
  assert.deepStrictEqual([again.action, again.reason], ["skip", "already_deleted"]);
  // A delete of what is not there is done (404).
  const gone = await s.deleteOrder("#4005");
  assert.deepStrictEqual([gone.action, gone.status, gone.transaction_id], ["delete", 404, "4005"]);
});

test("refunds sync negative, with the suffix and the order as reference", async () => {
  const s = sync();
  const o = order("5005");
  await s.syncOrder(o);
  const partial = await s.syncRefund({ id: "5005", created_at: "2024-03-05", line_items: [{ id: "2" }] }, o);
  assert.deepStrictEqual([partial.action, partial.transaction_id], ["create", "5005-refund"]);
  const second = await s.syncRefund({ id: "R2", created_at: "2024-03-06", line_items: [{ id: "1" }] }, o);
  assert.equal(second.action, "create");
  const stored = fake.state.refunds.get("5005-refund").record;
  assert.deepStrictEqual([stored.transaction_reference_id, stored.amount, stored.sales_tax], ["5005", "-5.0", "-0.45"]);
  assert.equal(fake.state.refunds.size, 2);
  const repeat = await s.syncRefund({ id: "5005", created_at: "2024-03-05", line_items: [{ id: "2" }] }, o, partial.record);
  assert.equal(repeat.action, "skip");
});

test("customers: POST, 422 → PUT, 404 → POST, unchanged skipped, delete", async () => {
  const s = sync();
  const customer = {
    customer_id: "c-1",
    exemption_type: "wholesale",
    name: "Dunder Mifflin",
    exempt_regions: [{ country: "US", state: "PA" }],
  };
  const created = await s.syncCustomer(customer);
  assert.deepStrictEqual([created.action, created.status], ["create", 201]);
  const fallback = await s.syncCustomer({ ...customer, name: "Dunder Mifflin Paper" });
  assert.deepStrictEqual([fallback.action, fallback.fallback], ["update", true]);
  const before = calls();
  const skipped = await s.syncCustomer({ ...customer, name: "Dunder Mifflin Paper" }, fallback.record);
  assert.equal(skipped.action, "skip");
  assert.equal(calls(), before);
  const deleted = await s.deleteCustomer("c-1", skipped.record);
  assert.equal(deleted.action, "delete");
  assert.equal(fake.state.customers.size, 0);
  const recreated = await s.syncCustomer(customer, fallback.record);
  assert.deepStrictEqual([recreated.action, recreated.fallback], ["create", true]);
  assert.equal(fake.state.customers.get("c-1").name, "Dunder Mifflin");
  await assert.rejects(s.syncCustomer({ customer_id: "c-2" }), { code: "missing_field", field: "exemption_type" });
});

test("the logger sees every request and response, the token redacted", async () => {
  const s = sync();
  await s.syncOrder(order("6006"));
  await s.syncOrder(order("6006", { shipping: 6 }));
  await s.syncCustomer({ customer_id: "c-6", exemption_type: "government" });
  await s.syncOrder(order("6006", { status: "cancelled" }));
  fake.setFailure({ status: 500, times: 1 });
  await assert.rejects(s.syncOrder(order("6007")), { code: "upstream_error", status: 500 });
  const requests = logs.filter((e) => e.event === "request");
  const responses = logs.filter((e) => e.event === "response");
  assert.equal(requests.length, calls());
  assert.equal(responses.length, calls());
  const text = JSON.stringify(logs);
  assert.equal(text.includes(TOKEN), false);
  assert.ok(text.includes("[REDACTED]"));
  assert.equal(requests[0].headers.Authorization, "Bearer [REDACTED]");
  assert.equal(requests[0].headers["x-api-version"], "2020-08-07");
  assert.equal(requests[0].url, `${fake.url}/v2/transactions/orders`);
  assert.equal(requests[0].body.transaction_id, "6006");
  assert.equal(responses[0].status, 201);
  assert.equal(responses.at(-1).level, "error");
  // A bad key: 401 as `unauthorized`, still without the token in the logs.
  const wrong = sync({ apiKey: `${TOKEN}-wrong` });
  await assert.rejects(wrong.syncOrder(order("6008")), { code: "unauthorized", status: 401 });
  assert.equal(JSON.stringify(logs).includes(TOKEN), false);
});

test("every third call a 500: a retrying caller gets all orders and refunds in exactly once", async () => {
  const N = 12;
  const s = sync();
  fake.setFailure({ status: 500, everyNth: 3 });
  const orders = Array.from({ length: N }, (_, i) =>
    order(`R-${i}`, { sales_tax: (1 + i / 100).toFixed(2), shipping: i }),
  );
  const records = new Map();
  let failures = 0;
  async function retry(op) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await op();
      } catch (error) {
        assert.equal(error.code, "upstream_error");
        assert.equal(error.status, 500);
        failures += 1;
        assert.ok(attempt < 5, "gave up");
      }
    }
  }
  for (const o of orders) {
    const r = await retry(() => s.syncOrder(o, records.get(o.id)));
    records.set(o.id, r.record);
    const refund = { id: o.id, created_at: "2024-03-09", line_items: [{ id: "1" }] };
    const rr = await retry(() => s.syncRefund(refund, o, records.get(`${o.id}-refund`)));
    records.set(`${o.id}-refund`, rr.record);
  }
  assert.ok(failures >= (2 * N) / 3 - 1, `only ${failures} failures injected`);
  fake.setFailure(null);
  const state = await (await fetch(`${fake.url}/__fake/state`)).json();
  assert.equal(state.orders.length, N);
  assert.equal(state.refunds.length, N);
  for (const o of orders) {
    assert.deepStrictEqual(fake.state.orders.get(o.id).request, orderTransaction(o));
    const writes = fake.requests.filter(
      (r) => r.status >= 200 && r.status < 300 && r.body?.transaction_id === o.id,
    );
    assert.equal(writes.length, 1, `order ${o.id} written ${writes.length} times`);
  }
  // Synced again with their records: nothing changed, nothing sent.
  const before = calls();
  for (const o of orders) {
    const again = await s.syncOrder(o, records.get(o.id));
    assert.equal(again.action, "skip");
  }
  assert.equal(calls(), before);
});
