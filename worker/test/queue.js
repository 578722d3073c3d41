// Shared by the sync tests: platform orders, and the SYNC_QUEUE consumer
// driven directly (createMessageBatch / getQueueResult) so every retry
// round is explicit and no test waits for a real delay.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../src/index.js";

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
