// Shared by the sync tests: platform orders, and the SYNC_QUEUE consumer
// driven directly (createMessageBatch / getQueueResult) so every retry
// round is explicit and no test waits for a real delay.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { expect } from "vitest";
import worker from "../src/index.js";
import { FAKE } from "./helpers.js";

const BATCH = 10; // max_batch_size in wrangler.toml
const MAX_ATTEMPTS = 11; // max_retries + 1
const SLOW_MS = 400; // a "slow" upstream answers after the Worker gave up (UPSTREAM_TIMEOUT_MS 200)
const BACKOFF_MS_PER_S = 2; // real milliseconds waited per second of retry delay



/** A platform order (as /sync/orders takes it) shipped within California. */
export function order(id, overrides = {}) {
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
    line_items: [{ id: "1", quantity: 1, unit_price: "10.00" }],
    ...overrides,
  };
}

/**
 * Delivers one batch of `{ id, body, attempts }` to the Worker's queue
 * handler. Returns the ids it acked and the retries it asked for
 * (`{ id, attempts, delaySeconds }`, which getQueueResult does not report).
 */
export async function deliverBatch(messages, testEnv) {
  const batch = createMessageBatch(
    "edgetax-sync",
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
  );
  const asked = [];
  const watched = {
    queue: batch.queue,
    messages: batch.messages.map((m) => ({
      id: m.id,
      body: m.body,
      attempts: m.attempts,
      ack: () => m.ack(),
      retry: (options) => {
        asked.push({ id: m.id, attempts: m.attempts, delaySeconds: options?.delaySeconds });
        m.retry(options);
      },
    })),
  };
  const ctx = createExecutionContext();
  await worker.queue(watched, testEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  const retried = new Set(result.retryMessages.map((r) => r.msgId));
  return { acked: result.explicitAcks, retries: asked.filter((r) => retried.has(r.id)) };
}

// One in ten failed calls of each kind. "lost-*" and "late-commit" are the
// cases where the write lands at TaxJar but the Worker never hears so.
export const FAILURES = [
  { label: "500", status: 500 },
  { label: "502-html", status: 502, body: "<html><body>Bad gateway</body></html>", contentType: "text/html" },
  { label: "503", status: 503 },
  { label: "504-slow", status: 504, delayMs: SLOW_MS },
  { label: "429", status: 429, retryAfter: 1 },
  { label: "429-bare", status: 429 },
  { label: "reset", reset: true },
  { label: "late-commit", delayMs: SLOW_MS },
  { label: "lost-502", afterCommit: true, status: 502 },
  { label: "lost-reset", afterCommit: true, reset: true },
];

/**
 * Delivers `bodies` in batches of 10 until none is left; a retried message
 * comes back in the next round with attempts + 1, unless it had its 11th.
 */
export async function drainQueue(bodies, testEnv) {
  let pending = bodies.map((body, i) => ({ id: `msg-${i}`, body, attempts: 1 }));
  const stats = { rounds: 0, deliveries: 0, retries: [], dlq: [] };
  while (pending.length > 0) {
    stats.rounds += 1;
    const next = [];
    for (let start = 0; start < pending.length; start += BATCH) {
      const chunk = pending.slice(start, start + BATCH);
      const { acked, retries } = await deliverBatch(chunk, testEnv);
      stats.deliveries += chunk.length;
      stats.retries.push(...retries.map((r) => ({ ...r, round: stats.rounds })));
      // Every message is acked or retried, none left to the default.
      expect(acked.length + retries.length).toBe(chunk.length);
      const retried = new Set(retries.map((r) => r.id));
      for (const p of chunk) {
        if (!retried.has(p.id)) continue;
        if (p.attempts >= MAX_ATTEMPTS) stats.dlq.push(p);
        else next.push({ ...p, attempts: p.attempts + 1 });
      }
    }
    pending = next;
    // A retry waits 10 s or more: every late answer has landed by then.
    await settledRequests();
    // The backoff, 500 times faster (10 s → 20 ms), so that a stall of
    // this busy machine cannot pass for ten failures in a row.
    const asked = Math.max(0, ...stats.retries.filter((r) => r.round === stats.rounds).map((r) => r.delaySeconds));
    await new Promise((resolve) => setTimeout(resolve, asked * BACKOFF_MS_PER_S));
  }
  return stats;
}

/** The fake's requests once every late one (answered after a timeout) is settled. */
export async function settledRequests() {
  for (let i = 0; ; i++) {
    const requests = await (await fetch(`${FAKE}/__fake/requests`)).json();
    const open = requests.filter((r) => r.status === null && r.servedStatus === undefined && r.failure !== "reset");
    if (open.length === 0 || i === 50) return requests;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

