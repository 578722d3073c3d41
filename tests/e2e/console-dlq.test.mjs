// Transaction Sync's dead-letter queue in the merchant console (issue
// #19), in Chromium against wrangler dev's real Queues and D1: the sync
// queue's max_retries is 0 for this stack, so an order whose delivery
// fails goes straight to the dead-letter queue, whose consumer marks it
// dead; "Retry" in the console queues it again and it lands exactly once.

import assert from "node:assert/strict";
import { test } from "node:test";
import { demoStack, focusedId, openConsolePage, seriousViolations, signInWithKeyboard } from "./browser.mjs";

const PROXY_KEY = "pk_console_dlq_0123456789";
const stack = demoStack({ mode: "fake", queueRetries: 0, workerVars: { PROXY_KEYS: PROXY_KEY } });

async function until(check, what) {
  for (let i = 0; i < 120; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function fakeOrders() {
  const state = await (await fetch(`${stack.demo.fakeUrl}/__fake/state`)).json();
  return state.orders.map((t) => t.transaction_id);
}

test("an order in the dead-letter queue is shown dead and retried from the console, landing once", async () => {
  const order = {
    id: "dlq-e2e-1", created_at: "2024-03-01T10:00:00Z", status: "completed",
    from_country: "US", from_zip: "92093", from_state: "CA", to_country: "US", to_zip: "90002", to_state: "CA",
    shipping: 5, sales_tax: "0.93", line_items: [{ id: "1", quantity: 1, unit_price: "10.00" }],
  };
  stack.demo.fake.setFailure({ status: 503, times: 1, path: "/v2/transactions" });
  const queued = await fetch(`${stack.demo.apiUrl}/sync/orders`, {
    method: "POST",
    headers: { authorization: `Bearer ${PROXY_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(order),
  });
  assert.equal(queued.status, 202);

  const { context, page, problems } = await openConsolePage(stack);
  await signInWithKeyboard(page, stack.demo.consoleKey);
  const row = page.locator("#recent li", { hasText: "order dlq-e2e-1" });
  await until(async () => {
    await page.reload();
    await page.locator("#signed-in").waitFor({ state: "visible" });
    return (await row.locator(".status-dead").count()) === 1;
  }, "the order to be dead");
  assert.match(await row.textContent(), /order dlq-e2e-1: dead \(in the dead-letter queue: every delivery failed\)/);
  assert.equal(await page.locator("#sync-counts tr").first().locator("td").last().textContent(), "1");
  assert.deepEqual(await fakeOrders(), []);
  assert.deepEqual(await seriousViolations(page), [], "a dead transaction");

  await row.getByRole("button", { name: "Retry order dlq-e2e-1" }).focus();
  await page.keyboard.press("Enter");
  await page.locator("#message").filter({ hasText: "order dlq-e2e-1 was queued again." }).waitFor();
  assert.equal(await focusedId(page), "sync-title");
  await until(async () => (await fakeOrders()).includes("dlq-e2e-1"), "the retried order at TaxJar");
  await until(async () => {
    await page.reload();
    await page.locator("#signed-in").waitFor({ state: "visible" });
    return (await row.locator(".status-created").count()) === 1;
  }, "the order to be created");
  assert.deepEqual(await fakeOrders(), ["dlq-e2e-1"]);
  assert.deepEqual(problems, []);
  await context.close();
});
