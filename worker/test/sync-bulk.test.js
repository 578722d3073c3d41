// Transaction Sync under failure (issue #10): 1,000 orders and 1,000
// refunds go through POST /sync/* and the SYNC_QUEUE consumer while 30% of
// the fake TaxJar's answers fail at random (seeded): 5xx, 429, timeouts,
// and writes that land but whose answer is lost. Every transaction must
// end in the fake exactly once with its amounts, and none in the DLQ.
//
// The queue is driven as miniflare delivers it (batches of max_batch_size
// = 10, a retried message comes back with attempts + 1, after attempt
// max_retries + 1 = 11 it goes to the dead-letter queue), one batch at a
// time so the fake meets the requests in the same order every run. A
// round starts once the slow answers of the last one have landed (a real
// retry comes 10 s or more later) and after the delay the Worker asked
// for, scaled down 500 times.
import { expect, it } from "vitest";
import { seededRandom } from "../../tests/fake-taxjar/failures.mjs";
import { call, FAKE, fakeFail, logLines, withEnv } from "./helpers.js";
import { drainQueue, FAILURES, order as platformOrder, settledRequests } from "./queue.js";

const ORDERS = 1000;
const SEED = 20260410;
const TIMEOUT_MS = 200; // UPSTREAM_TIMEOUT_MS for this test

const cents = (value) => Math.round(Number(value) * 100);
const money = (c) => (c / 100).toFixed(2);

/** 1,000 orders of 1–3 lines, and one refund of each: full, one line, or an amount. */
function generate(random) {
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const orders = [];
  const refunds = [];
  const expected = new Map(); // transaction id → { amount, shipping, sales_tax, lines } in cents
  for (let i = 1; i <= ORDERS; i++) {
    const lines = Array.from({ length: int(1, 3) }, (_, k) => {
      const quantity = int(1, 3);
      const price = int(100, 9999);
      const discount = int(0, 3) === 0 ? int(1, price) : 0;
      return { id: String(k + 1), quantity, price, discount };
    });
    const shipping = int(0, 999);
    const net = lines.reduce((sum, l) => sum + l.quantity * l.price - l.discount, 0);
    const tax = Math.round(net * 0.0925);
    const order = platformOrder(`bulk-${i}`, {
      shipping: money(shipping),
      sales_tax: money(tax),
      line_items: lines.map((l) => ({
        id: l.id,
        quantity: l.quantity,
        unit_price: money(l.price),
        ...(l.discount ? { discount: money(l.discount) } : {}),
      })),
    });
    orders.push(order);
    expected.set(`order:${order.id}`, { amount: net + shipping, shipping, sales_tax: tax, lines: lines.length });

    const refund = { id: `bulk-r${i}`, created_at: "2024-03-05T10:00:00Z" };
    const kind = i % 3;
    let want;
    if (kind === 0) {
      // The whole order.
      want = { amount: -(net + shipping), shipping: -shipping, sales_tax: -tax, lines: lines.length };
    } else if (kind === 1) {
      // Its first line, with the tax given.
      const l = lines[0];
      const lineTax = Math.min(tax, int(0, 500));
      refund.line_items = [{ id: "1" }];
      refund.sales_tax = money(lineTax);
      want = { amount: -(l.quantity * l.price - l.discount), shipping: 0, sales_tax: -lineTax, lines: 1 };
    } else {
      // An amount without lines.
      const amount = int(1, net);
      const amountTax = Math.min(tax, int(0, 300));
      refund.amount = money(amount);
      refund.sales_tax = money(amountTax);
      want = { amount: -amount, shipping: 0, sales_tax: -amountTax, lines: 0 };
    }
    refunds.push({ refund, order });
    expected.set(`refund:${refund.id}-refund`, want);
  }
  return { orders, refunds, expected };
}

/** Shuffles in place (Fisher–Yates) with `random`. */
function shuffle(list, random) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

it("1,000 orders and 1,000 refunds land exactly once with 30% of upstream calls failing", { timeout: 600_000 }, async () => {
  const random = seededRandom(SEED);
  const { orders, refunds, expected } = generate(random);
  const sent = [];
  const testEnv = withEnv({
    UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
    SYNC_QUEUE: {
      async sendBatch(messages) {
        sent.push(...messages.map((m) => m.body));
      },
    },
  });
  for (let i = 0; i < ORDERS; i += 100) {
    const batch = await call("/sync/orders", { body: { orders: orders.slice(i, i + 100) }, envOverride: testEnv });
    expect([batch.status, batch.json]).toEqual([202, { queued: 100 }]);
    const more = await call("/sync/refunds", { body: { refunds: refunds.slice(i, i + 100) }, envOverride: testEnv });
    expect([more.status, more.json]).toEqual([202, { queued: 100 }]);
  }
  expect(sent.length).toBe(2 * ORDERS);

  await fakeFail({ rate: 0.3, seed: SEED, path: "/v2/transactions", choices: FAILURES });
  const logsBefore = logLines.length;
  const started = Date.now();
  const run = await drainQueue(shuffle(sent, random), testEnv);
  const seconds = (Date.now() - started) / 1000;

  const requests = await settledRequests();
  // None in the DLQ; if one is, the diff shows what TaxJar saw of it.
  const history = (body) => {
    const job = JSON.parse(body);
    const id = job.type === "order" ? job.order.id : `${job.refund.id}-refund`;
    const calls = requests.filter((r) => r.path.endsWith(`/${id}`) || r.body?.transaction_id === id);
    return { id, calls: calls.map((r) => [r.at, r.method, r.status, r.servedStatus ?? null, r.failure ?? null]) };
  };
  expect(run.dlq.map((p) => history(p.body))).toEqual([]);
  // Each retry waits 10 s doubled per attempt (at most an hour).
  for (const r of run.retries) expect(r.delaySeconds).toBe(Math.min(10 * 2 ** (r.attempts - 1), 3600));

  await fakeFail(null);
  const state = await (await fetch(`${FAKE}/__fake/state`)).json();

  // Exactly the 2,000 transactions, each with its amounts.
  const stored = new Map([
    ...state.orders.map((t) => [`order:${t.transaction_id}`, t]),
    ...state.refunds.map((t) => [`refund:${t.transaction_id}`, t]),
  ]);
  expect([state.orders.length, state.refunds.length]).toEqual([ORDERS, ORDERS]);
  expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
  const wrong = [];
  for (const [key, want] of expected) {
    const t = stored.get(key);
    const got = {
      amount: cents(t.amount),
      shipping: cents(t.shipping),
      sales_tax: cents(t.sales_tax),
      lines: t.line_items.length,
    };
    if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ key, got, want });
  }
  expect(wrong).toEqual([]);

  // Created once each: one POST that the fake answered (or would have
  // answered, when the answer was lost) 201 per transaction.
  const committed = (r) => r.servedStatus ?? r.status;
  const creates = new Map();
  for (const r of requests) {
    if (r.method !== "POST" || committed(r) !== 201) continue;
    const key = `${r.path.endsWith("/refunds") ? "refund" : "order"}:${r.body.transaction_id}`;
    creates.set(key, (creates.get(key) ?? 0) + 1);
  }
  expect([...creates.values()].every((n) => n === 1)).toBe(true);
  expect(creates.size).toBe(2 * ORDERS);
  // A 422 is heard once per transaction: after it, a retry updates.
  const heard422 = new Map();
  for (const r of requests.filter((q) => q.method === "POST" && q.status === 422)) {
    heard422.set(r.body.transaction_id + r.path, (heard422.get(r.body.transaction_id + r.path) ?? 0) + 1);
  }
  expect([...heard422.entries()].filter(([, n]) => n > 1)).toEqual([]);

  // One log line per upstream call, none with the token (setup.js checks).
  const attemptLines = logLines.slice(logsBefore).filter((l) => l.includes('"resource":'));
  expect(attemptLines.length).toBe(requests.length);

  const injected = requests.filter((r) => r.injected);
  const byKind = Object.fromEntries(FAILURES.map((f) => [f.label, injected.filter((r) => r.failure === f.label).length]));
  const methods = Object.fromEntries(
    ["POST", "PUT"].map((m) => [m, requests.filter((r) => r.method === m).length]),
  );
  // Every kind of failure was met, at about the rate asked.
  expect(Object.values(byKind).every((n) => n > 0)).toBe(true);
  expect(injected.length / requests.length).toBeGreaterThan(0.25);
  expect(injected.length / requests.length).toBeLessThan(0.35);
  const report = {
    messages: sent.length,
    orders: ORDERS,
    refunds: ORDERS,
    upstreamCalls: requests.length,
    ...methods,
    failuresInjected: injected.length,
    byKind,
    deliveries: run.deliveries,
    queueRetries: run.retries.length,
    // A delivery stops at its first failure: retries beyond the injected
    // failures are calls this machine was too slow for.
    uninjectedFailures: run.retries.length - injected.length,
    rounds: run.rounds,
    maxAttempts: Math.max(...run.retries.map((r) => r.attempts + 1)),
    dlq: run.dlq.length,
    seconds,
  };
  console.info(`sync-bulk: ${JSON.stringify(report)}`);
});
