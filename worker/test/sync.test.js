// Durable Transaction Sync: POST /sync/orders and /sync/refunds queue
// platform orders and refunds (servers only, bodies checked first), and
// the queue consumer syncs them to the fake TaxJar with retries. The
// consumer is driven directly (createMessageBatch / getQueueResult), with
// the producer swapped for a recorder, so every retry round is explicit
// and no test waits for a real delay.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, FAKE, fakeFail, fakeRequests, logLines, withEnv } from "./helpers.js";
import { deliverBatch, order } from "./queue.js";

const refundOf = (id, orderId) => ({ refund: { id, created_at: "2024-03-05T10:00:00Z" }, order: order(orderId) });

/** An env whose SYNC_QUEUE records what is sent (plus any other changes). */
function recording(changes = {}) {
  const sent = [];
  const queue = {
    async sendBatch(messages) {
      sent.push(...messages.map((m) => m.body));
    },
  };
  return { sent, env: withEnv({ SYNC_QUEUE: queue, ...changes }) };
}

/**
 * Delivers `bodies` to the Worker's queue handler until every message is
 * acked, redelivering retried ones with attempts + 1 (at most 11 rounds, as
 * max_retries = 10, or `rounds`). Returns the bodies still unacked and the delays asked.
 */
async function drain(bodies, testEnv, rounds = 11) {
  let pending = bodies.map((body, i) => ({ id: `msg-${i}`, body, attempts: 1 }));
  const delays = [];
  for (let round = 0; round < rounds && pending.length > 0; round++) {
    const { retries } = await deliverBatch(pending, testEnv);
    delays.push(...retries.map((r) => r.delaySeconds));
    const retried = new Set(retries.map((r) => r.id));
    pending = pending.filter((p) => retried.has(p.id)).map((p) => ({ ...p, attempts: p.attempts + 1 }));
  }
  return { pending, delays };
}

const state = async () => (await fetch(`${FAKE}/__fake/state`)).json();

describe("POST /sync/orders and /sync/refunds", () => {
  it("queue orders (a list or one) and refunds, answering 202 { queued }", async () => {
    const { sent, env: testEnv } = recording();
    const list = await call("/sync/orders", { body: { orders: [order("a1"), order("a2")] }, envOverride: testEnv });
    expect(list.status).toBe(202);
    expect(list.json).toEqual({ queued: 2 });
    const one = await call("/sync/orders", { body: order("a3"), envOverride: testEnv });
    expect(one.json).toEqual({ queued: 1 });
    const refunds = await call("/sync/refunds", { body: refundOf("r1", "a1"), envOverride: testEnv });
    expect(refunds.status).toBe(202);
    expect(sent.map((b) => JSON.parse(b).type)).toEqual(["order", "order", "order", "refund"]);
  });

  it("check the whole body first: 400 with code and field, nothing queued", async () => {
    const { sent, env: testEnv } = recording();
    const bad = order("b2");
    delete bad.sales_tax;
    const res = await call("/sync/orders", { body: { orders: [order("b1"), bad] }, envOverride: testEnv });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe("missing_field");
    expect(res.json.field).toBe("orders[1].sales_tax");
    const noOrder = await call("/sync/refunds", { body: { refund: { id: "r9" } }, envOverride: testEnv });
    expect(noOrder.status).toBe(400);
    expect(noOrder.json.field).toBe("order");
    const notList = await call("/sync/orders", { body: { orders: {} }, envOverride: testEnv });
    expect([notList.status, notList.json.field]).toEqual([400, "orders"]);
    expect(sent).toEqual([]);
  });

  it("are for servers only: browsers get 403, even from allowed origins", async () => {
    const { sent, env: testEnv } = recording();
    const res = await call("/sync/orders", { as: "browser", body: order("c1"), envOverride: testEnv });
    expect(res.status).toBe(403);
    const none = await call("/sync/orders", { as: "none", body: order("c1"), envOverride: testEnv });
    expect(none.status).toBe(403);
    expect(sent).toEqual([]);
  });

  it("REPORTING_ENABLED=false refuses sync, transactions and customers with 503", async () => {
    const { sent, env: testEnv } = recording({ REPORTING_ENABLED: "false" });
    for (const path of ["/sync/orders", "/v2/transactions/orders", "/v2/customers"]) {
      const res = await call(path, { body: order("d1"), envOverride: testEnv });
      expect(res.status).toBe(503);
      expect(res.json.detail).toBe("reporting disabled");
    }
    expect(sent).toEqual([]);
    expect(await fakeRequests()).toEqual([]);
  });
});

describe("the SYNC_QUEUE consumer", () => {
  it("syncs once, skips an unchanged order, and updates a changed one", async () => {
    const { sent, env: testEnv } = recording();
    await call("/sync/orders", { body: order("e1"), envOverride: testEnv });
    expect((await drain(sent, testEnv)).pending).toEqual([]);
    // The same order again: the record in SYNC_STATE says unchanged.
    expect((await drain(sent, testEnv)).pending).toEqual([]);
    let requests = await fakeRequests();
    expect(requests.map((r) => r.method)).toEqual(["POST"]);
    const stored = JSON.parse(await env.SYNC_STATE.get("order:e1"));
    expect(stored.transaction_id).toBe("e1");
    const changed = [];
    await call("/sync/orders", { body: order("e1", { shipping: 7 }), envOverride: recordingInto(changed, testEnv) });
    expect((await drain(changed, testEnv)).pending).toEqual([]);
    requests = await fakeRequests();
    expect(requests.map((r) => r.method)).toEqual(["POST", "PUT"]);
    expect(logLines.some((l) => l.includes('"event":"skip"') && l.includes("unchanged"))).toBe(true);
  });

  it("delivers 12 orders and 6 refunds exactly once through 500s, a timeout and a 429", async () => {
    const { sent, env: testEnv } = recording();
    const orders = Array.from({ length: 12 }, (_, i) => order(`f${i + 1}`));
    const refunds = Array.from({ length: 6 }, (_, i) => refundOf(`fr${i + 1}`, `f${i + 1}`));
    expect((await call("/sync/orders", { body: { orders }, envOverride: testEnv })).json).toEqual({ queued: 12 });
    expect((await call("/sync/refunds", { body: { refunds }, envOverride: testEnv })).json).toEqual({ queued: 6 });

    await fakeFail({ everyNth: 3, status: 500 });
    const first = await drain(sent.slice(0, 6), testEnv);
    // Beyond UPSTREAM_TIMEOUT_MS (300 in the tests): the fake still records it.
    await fakeFail({ everyNth: 2, times: 1, delayMs: 600 });
    const second = await drain(sent.slice(6, 12), testEnv);
    await fakeFail({ everyNth: 2, times: 2, status: 429 });
    const third = await drain(sent.slice(12), testEnv);
    for (const run of [first, second, third]) {
      expect(run.pending).toEqual([]);
      expect(run.delays.length).toBeGreaterThan(0);
    }
    // The timeout was logged as a failed attempt, without the token.
    expect(logLines.some((l) => l.includes('"event":"error"') && l.includes("timeout"))).toBe(true);
    const delays = [...first.delays, ...second.delays, ...third.delays];
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.every((d) => d >= 10 && d <= 3600)).toBe(true);

    // The timed-out request (delayMs 600) finishes in the fake before anything is read.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const fake = await state();
    const ids = (list) => list.map((t) => t.transaction_id).sort();
    expect(ids(fake.orders)).toEqual(orders.map((o) => o.id).sort());
    expect(ids(fake.refunds)).toEqual(refunds.map((r) => `${r.refund.id}-refund`).sort());
    // Every created transaction was created once (a retried create that had
    // landed answers 422 and becomes an update).
    const created = (await fakeRequests()).filter((r) => r.method === "POST" && r.status === 201);
    expect(created.length).toBe(18);
    const attemptLines = logLines.filter((l) => l.includes('"resource":') && l.includes('"event":"response"'));
    expect(attemptLines.length).toBeGreaterThanOrEqual(18);
  });
});

it("after a create answered 422 and its update failed, the next delivery only updates", async () => {
  const { sent, env: testEnv } = recording();
  await call("/sync/orders", { body: order("h1"), envOverride: testEnv });
  // 1st delivery: the create lands, its answer is lost.
  await fakeFail({ status: 502, afterCommit: true, times: 1 });
  expect((await drain(sent, testEnv, 1)).pending.length).toBe(1);
  // 2nd: the create meets 422, the update fails.
  await fakeFail({ everyNth: 2, times: 1, status: 500 });
  expect((await drain(sent, testEnv, 1)).pending.length).toBe(1);
  // TaxJar has it: the record says so (no hash yet), so the 3rd sends one PUT.
  const known = JSON.parse(await env.SYNC_STATE.get("order:h1"));
  expect([known.transaction_id, known.hash]).toEqual(["h1", ""]);
  expect((await drain(sent, testEnv, 1)).pending).toEqual([]);
  const requests = await fakeRequests();
  expect(requests.map((r) => [r.method, r.status, r.servedStatus ?? null])).toEqual([
    ["POST", 502, 201],
    ["POST", 422, null],
    ["PUT", 500, null],
    ["PUT", 200, null],
  ]);
  expect(JSON.parse(await env.SYNC_STATE.get("order:h1")).hash).toMatch(/^[0-9a-f]{64}$/);
});

/** A recording env over `base` that appends to `into`. */
function recordingInto(into, base) {
  return {
    ...base,
    SYNC_QUEUE: {
      async sendBatch(messages) {
        into.push(...messages.map((m) => m.body));
      },
    },
  };
}

it("with the real SYNC_QUEUE, miniflare delivers to the consumer", async () => {
  const orders = [order("g1"), order("g2"), order("g3")];
  const res = await call("/sync/orders", { body: { orders } });
  expect(res.json).toEqual({ queued: 3 });
  let synced = [];
  for (let i = 0; i < 100 && synced.length < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    synced = (await state()).orders;
  }
  expect(synced.map((o) => o.transaction_id).sort()).toEqual(["g1", "g2", "g3"]);
});
