// Transaction Sync and Backfill Transactions in the console (issue #19),
// in workerd with the real D1 (LOGS): 500 orders uploaded, 30% of
// TaxJar's answers failing, each order in the range lands exactly once and
// none outside it; the progress and counts say so; an upload again sends
// nothing twice; a dead-letter message is listed and retried from the
// console; the same upload downloads as TaxJar's CSV import file.
// The queue is driven as in sync-bulk.test.js (test/queue.js).
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../src/index.js";
import { call, consoleCall as admin, consoleSession, FAKE, fakeFail, withEnv } from "./helpers.js";
import { deliverBatch, drainQueue, FAILURES, order } from "./queue.js";

const SEED = 20261207;

/** An env whose SYNC_QUEUE records what is sent. */
function recording() {
  const sent = [];
  const testEnv = withEnv({
    UPSTREAM_TIMEOUT_MS: "200",
    SYNC_QUEUE: { async sendBatch(messages) { sent.push(...messages.map((m) => m.body)); } },
  });
  return { sent, testEnv };
}

const state = async () => (await fetch(`${FAKE}/__fake/state`)).json();

beforeEach(async () => {
  for (const table of ["transactions", "calls"]) {
    await env.LOGS.prepare(`DROP TABLE IF EXISTS ${table}`).run();
  }
});

describe("Backfill Transactions", () => {
  it("500 orders with 30% of upstream calls failing: each in range lands exactly once, and the counts say so", { timeout: 300_000 }, async () => {
    // 450 updated in March 2024 (in range), 50 in 2023 (out of range).
    const orders = Array.from({ length: 500 }, (_, i) => order(`bf-${i + 1}`, {
      created_at: i < 450 ? "2024-03-01T10:00:00Z" : "2023-06-01T10:00:00Z",
      line_items: [{ id: "1", quantity: 1 + (i % 3), unit_price: `${10 + (i % 50)}.00` }],
      sales_tax: (((10 + (i % 50)) * (1 + (i % 3)) * 0.0925)).toFixed(2),
    }));
    const { sent, testEnv } = recording();
    const s = await consoleSession({ envOverride: testEnv });
    const upload = { from: "2024-01-01", to: "2024-12-31", orders };
    const started = await admin(s, "POST", "backfill", upload, testEnv);
    expect(started.status).toBe(200);
    expect(started.json.batch).toMatch(/^bf-[0-9a-f]{12}$/);
    expect(started.json).toMatchObject({ received: 500, sent: 0, skipped: 50, failed: 0, pending: 450 });
    expect(sent.length).toBe(450);

    await fakeFail({ rate: 0.3, seed: SEED, path: "/v2/transactions", choices: FAILURES });
    const run = await drainQueue(sent, testEnv);
    await fakeFail(null);
    expect(run.dlq).toEqual([]);
    expect(run.retries.length).toBeGreaterThan(50); // the failures were met, and retried

    const stored = (await state()).orders.map((t) => t.transaction_id).sort();
    const expected = orders.slice(0, 450).map((o) => o.id).sort();
    expect(stored).toEqual(expected); // each exactly once, none out of range

    const progress = await admin(s, "GET", `backfill?batch=${started.json.batch}`, undefined, testEnv);
    expect(progress.json).toEqual({ batch: started.json.batch, received: 500, sent: 450, skipped: 50, failed: 0, pending: 0 });
    const counts = await admin(s, "GET", "sync", undefined, testEnv);
    const o = counts.json.orders;
    // A create whose answer was lost comes back 422 and is sent as an update.
    expect([o.received, o.created + o.updated, o.deleted, o.skipped, o.failing, o.dead]).toEqual([500, 450, 0, 50, 0, 0]);
    expect(o.updated).toBeGreaterThan(0);
    expect(counts.json.recent.length).toBe(20);

    // The same upload again: queued, and every one skipped as unchanged.
    sent.length = 0;
    const again = await admin(s, "POST", "backfill", upload, testEnv);
    expect(again.json).toMatchObject({ received: 500, skipped: 50, pending: 450 });
    await drainQueue(sent, testEnv);
    const after = await admin(s, "GET", `backfill?batch=${again.json.batch}`, undefined, testEnv);
    expect(after.json).toMatchObject({ received: 500, sent: 0, skipped: 500, failed: 0, pending: 0 });
    expect((await state()).orders.length).toBe(450);
  });

  it("refuses a bad upload naming the field, and queues nothing", async () => {
    const { sent, testEnv } = recording();
    const s = await consoleSession({ envOverride: testEnv });
    const bad = order("bad-1", { line_items: [{ id: "1", quantity: "x", unit_price: "1.00" }] });
    const res = await admin(s, "POST", "backfill", { from: "2024-01-01", orders: [order("ok-1"), bad] }, testEnv);
    expect([res.status, res.json.field]).toEqual([400, "orders[1].line_items[0].quantity"]);
    const noFrom = await admin(s, "POST", "backfill", { orders: [order("ok-1")] }, testEnv);
    expect([noFrom.status, noFrom.json.field]).toEqual([400, "from"]);
    expect(sent).toEqual([]);
  });

  it("downloads the upload's orders and refunds in range as TaxJar's CSV import file", async () => {
    const { testEnv } = recording();
    const s = await consoleSession({ envOverride: testEnv });
    const o = order("csv-1");
    const upload = {
      from: "2024-03-01", to: "2024-03-31",
      orders: [o, order("csv-old", { created_at: "2023-01-01T00:00:00Z" })],
      refunds: [{ refund: { id: "csv-r1", created_at: "2024-03-05T10:00:00Z" }, order: o }],
    };
    const res = await admin(s, "POST", "backfill/csv", upload, testEnv);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="taxjar-transactions.csv"');
    const lines = res.text.trim().split("\r\n");
    expect(lines[0].startsWith("provider,order_id,transaction_type,")).toBe(true);
    expect(lines.length).toBe(3);
    expect(lines[1]).toContain(",csv-1,Order,");
    expect(lines[2]).toContain(",csv-r1-refund,Refund,csv-1,");
  });
});

describe("Backfill Transactions from a CSV file", () => {
  it("reads orders, their line items and refunds from the CSV, and queues them", async () => {
    const { sent, testEnv } = recording();
    const s = await consoleSession({ envOverride: testEnv });
    const csv = [
      "type,id,created_at,status,from_country,from_zip,from_state,to_country,to_zip,to_state,to_city,to_street,shipping,sales_tax,order_id,line_items.id,line_items.quantity,line_items.unit_price",
      "order,csv-a,2024-03-02,completed,US,92093,CA,US,90002,CA,Los Angeles,1 Main St,5,1.85,,1,1,10.00",
      "order,csv-a,2024-03-02,completed,US,92093,CA,US,90002,CA,Los Angeles,1 Main St,5,1.85,,2,1,10.00",
      "refund,csv-r,2024-03-04,,,,,,,,,,,,csv-a,,,",
    ].join("\r\n");
    const res = await admin(s, "POST", "backfill", { from: "2024-03-01", csv }, testEnv);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ received: 2, pending: 2 });
    const jobs = sent.map((b) => JSON.parse(b));
    expect(jobs.map((j) => j.type)).toEqual(["order", "refund"]);
    expect(jobs[0].order.line_items).toEqual([
      { id: "1", quantity: "1", unit_price: "10.00" },
      { id: "2", quantity: "1", unit_price: "10.00" },
    ]);
    expect(jobs[1].refund).toEqual({ id: "csv-r", created_at: "2024-03-04" });
    const bad = await admin(s, "POST", "backfill", { from: "2024-03-01", csv: "id,x\r\n1,2,3" }, testEnv);
    expect([bad.status, bad.json.field, bad.json.detail]).toEqual([400, "csv", "csv: line 2 has 3 cells; the header has 2"]);
  });
});

describe("Transaction Sync: failing, dead-letter, retry", () => {
  it("lists a failing order, marks it dead from the DLQ, and retries it from the console", async () => {
    const { sent, testEnv } = recording();
    const s = await consoleSession({ envOverride: testEnv });
    expect((await call("/sync/orders", { body: order("dlq-1"), envOverride: testEnv })).status).toBe(202);
    await fakeFail({ status: 500, times: 1, path: "/v2/transactions" });
    const first = await deliverBatch([{ id: "m1", body: sent[0], attempts: 1 }], testEnv);
    expect(first.retries.length).toBe(1);
    let view = await admin(s, "GET", "sync", undefined, testEnv);
    expect(view.json.orders).toMatchObject({ received: 1, failing: 1 });
    expect(view.json.recent[0]).toMatchObject({ kind: "order", id: "dlq-1", status: "failing" });
    expect(view.json.recent[0].detail).toMatch(/500/);

    // After max_retries the message is in the dead-letter queue.
    const batch = createMessageBatch("edgetax-sync-dlq", [{ id: "d1", timestamp: new Date(), attempts: 1, body: sent[0] }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, testEnv, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["d1"]);
    view = await admin(s, "GET", "sync", undefined, testEnv);
    expect(view.json.orders).toMatchObject({ received: 1, failing: 0, dead: 1 });

    const retried = await admin(s, "POST", "sync/retry", { kind: "order", id: "dlq-1" }, testEnv);
    expect([retried.status, retried.json]).toEqual([200, { retried: true }]);
    expect(sent.length).toBe(2);
    expect(sent[1]).toBe(sent[0]);
    const done = await deliverBatch([{ id: "m2", body: sent[1], attempts: 1 }], testEnv);
    expect(done.acked).toEqual(["m2"]);
    view = await admin(s, "GET", "sync", undefined, testEnv);
    expect(view.json.orders).toMatchObject({ received: 1, created: 1, dead: 0 });
    expect((await state()).orders.map((t) => t.transaction_id)).toEqual(["dlq-1"]);

    const none = await admin(s, "POST", "sync/retry", { kind: "order", id: "dlq-1" }, testEnv);
    expect(none.status).toBe(404);

    // Both deliveries' calls to TaxJar are in the logs for support.
    const logs = await admin(s, "GET", "logs?route=%2Fv2%2Ftransactions%2Forders", undefined, testEnv);
    expect(logs.json.entries.map((e) => [e.method, e.route, e.status, e.source]).reverse()).toEqual([
      ["POST", "/v2/transactions/orders", 500, "taxjar"],
      ["POST", "/v2/transactions/orders", 201, "taxjar"],
    ]);
    expect(JSON.parse(logs.json.entries[0].request).transaction_id).toBe("dlq-1");
  });
});
