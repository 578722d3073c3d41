// The merchant console's onboarding and settings (issue #19) in Chromium,
// against wrangler dev and the TaxJar fake, with no TAXJAR_API_TOKEN
// secret: a wrong token refused, the fake's token pasted, verified and
// used for a cart; the connection test; calculations and reporting
// switched off and on with the keyboard, each taking effect from the next
// request; a bad value refused at its field. axe in each state.
// UPDATE_SCREENSHOTS=1 also rewrites docs/screenshots/console-*.png.

import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { demoStack, focusedId, openConsolePage, seriousViolations, signInWithKeyboard } from "./browser.mjs";

const SHOTS = process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL("../../docs/screenshots/", import.meta.url)) : null;
const PROXY_KEY = "pk_console_e2e_0123456789";
const stack = demoStack({ mode: "fake", workerVars: { TAXJAR_API_TOKEN: "", PROXY_KEYS: PROXY_KEY } });

/** A server's POST to the Worker, as the npm taxjar client would send it. */
async function post(path, body) {
  const res = await fetch(`${stack.demo.apiUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${PROXY_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, source: res.headers.get("x-edgetax-source"), json: await res.json() };
}

const cart = (zip = "90002") => ({
  to_country: "US", to_zip: zip, to_state: "CA", shipping: 0,
  line_items: [{ id: "1", quantity: 1, unit_price: "25.00" }],
});

/** Waits until `check()` is true (every 250 ms, at most 15 s). */
async function until(check) {
  for (let i = 0; i < 60; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("timed out waiting");
}

/** The transaction ids of the orders the fake TaxJar holds. */
async function fakeOrders() {
  const state = await (await fetch(`${stack.demo.fakeUrl}/__fake/state`)).json();
  return state.orders.map((t) => t.transaction_id);
}

/** With UPDATE_SCREENSHOTS, the section `selector` (else the page) as docs/screenshots/`name`. */
async function shot(page, name, selector) {
  if (!SHOTS) return;
  if (selector) await page.locator(selector).screenshot({ path: join(SHOTS, name) });
  else await page.screenshot({ path: join(SHOTS, name) });
}

test("onboarding: a pasted token is verified by TaxJar, kept sealed, and used with no secret", async () => {
  // 422 is the wrong token's answer, expected here.
  const { context, page, problems } = await openConsolePage(stack, (status, path) => status === 422 && path === "/console/api/token");
  await shot(page, "console-signin.png");
  await signInWithKeyboard(page, stack.demo.consoleKey);
  assert.equal(await page.locator("#token").textContent(), "not configured");
  assert.deepEqual(await seriousViolations(page), [], "signed in, no token");
  // Without a token, a server's cart is refused (backup estimates are for browsers).
  assert.equal((await post("/v2/taxes", cart())).status, 503);

  await page.locator("#api-token").focus();
  await page.keyboard.type("not-the-fake-token-1234");
  await page.keyboard.press("Enter");
  await page.locator("#message.error").waitFor();
  assert.equal(await page.locator("#message").textContent(), "Not saved: TaxJar refused this API token (401 Unauthorized).");
  assert.equal(await focusedId(page), "api-token");

  const token = stack.demo.fakeToken;
  await page.locator("#api-token").fill("");
  await page.keyboard.type(token);
  await page.keyboard.press("Enter");
  await page.locator("#message:not(.error)").filter({ hasText: "API token saved" }).waitFor();
  assert.equal(await page.locator("#message").textContent(), `API token saved, ending in ${token.slice(-4)}.`);
  await page.locator("#token").filter({ hasText: `pasted here, ending in ${token.slice(-4)}` }).waitFor();
  assert.equal(await page.locator("#api-token").inputValue(), "");
  assert.equal(await focusedId(page), "status-title");
  // The page never holds the token.
  assert.equal((await page.content()).includes(token), false);

  // Test connection.
  await page.locator("#test").focus();
  await page.keyboard.press("Enter");
  await page.locator("#test-result.ok").waitFor();
  assert.match(await page.locator("#test-result").textContent(), /^Connected: TaxJar accepted the API token \(200, \d+ ms\)\.$/);
  assert.deepEqual(await seriousViolations(page), [], "token pasted, connection tested");
  await shot(page, "console-connection.png", "#status");

  // A cart is now calculated by TaxJar (the fake), with the pasted token.
  const before = stack.demo.fake.requests.filter((r) => r.path === "/v2/taxes").length;
  const taxed = await post("/v2/taxes", cart("90003"));
  assert.equal(taxed.status, 200);
  assert.equal(taxed.source, null);
  assert.equal(taxed.json.tax.has_nexus, true);
  const sent = stack.demo.fake.requests.filter((r) => r.path === "/v2/taxes");
  assert.equal(sent.length, before + 1);
  assert.equal(sent.at(-1).headers.authorization, `Bearer ${token}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("settings: calculations and reporting switched off and on with the keyboard; a bad value refused at its field", async () => {
  const { context, page, problems } = await openConsolePage(stack, (status, path) => status === 400 && path === "/console/api/settings");
  await signInWithKeyboard(page, stack.demo.consoleKey);
  const source = (name) => page.locator(`#set-${name}-source strong`).textContent();
  assert.equal(await source("calculations_enabled"), "a wrangler.toml var");
  assert.equal(await source("allowed_origins"), "a wrangler.toml var");

  // Calculations off: Space on the switch, Enter on Save.
  await page.locator("#set-calculations_enabled").focus();
  await page.keyboard.press("Space");
  await page.locator("#set-reporting_enabled").focus();
  await page.keyboard.press("Space");
  await page.locator("#settings-form button[type=submit]").focus();
  await page.keyboard.press("Enter");
  await page.locator("#message").filter({ hasText: "Saved:" }).waitFor();
  assert.equal(await page.locator("#message").textContent(), "Saved: Tax calculations, Reporting (Transaction Sync).");
  assert.equal(await source("calculations_enabled"), "this console");
  assert.equal(await page.locator("#set-calculations_enabled").isChecked(), false);
  assert.deepEqual(await seriousViolations(page), [], "settings saved");
  await shot(page, "console-settings.png", "#settings");

  const off = await post("/v2/taxes", cart("90004"));
  assert.deepEqual([off.status, off.json.detail], [503, "calculations disabled"]);
  const sync = await post("/sync/orders", { orders: [] });
  assert.deepEqual([sync.status, sync.json.detail], [503, "reporting disabled"]);

  // Reset calculations: the default applies again at once.
  await page.locator("#fields button.reset").first().focus();
  await page.keyboard.press("Enter");
  await page.locator("#message").filter({ hasText: "Saved: Tax calculations." }).waitFor();
  assert.equal(await source("calculations_enabled"), "a wrangler.toml var");
  assert.equal((await post("/v2/taxes", cart("90005"))).status, 200);

  // A bad value: its field says why, and has the focus.
  await page.locator("#set-cache_ttl_seconds").fill("");
  await page.locator("#set-cache_ttl_seconds").press("Enter");
  await page.locator("#set-cache_ttl_seconds-error").filter({ hasText: "must be" }).waitFor();
  assert.equal(await page.locator("#set-cache_ttl_seconds-error").textContent(), "cache_ttl_seconds must be a whole number");
  assert.equal(await focusedId(page), "set-cache_ttl_seconds");
  assert.equal(await page.locator("#set-cache_ttl_seconds").getAttribute("aria-invalid"), "true");
  assert.deepEqual(await seriousViolations(page), [], "a refused value");

  // Reporting back on, for any test after this one.
  await page.locator("#set-cache_ttl_seconds").fill("900");
  await page.locator("#set-reporting_enabled").check();
  await page.locator("#settings-form button[type=submit]").click();
  await page.locator("#message").filter({ hasText: "Saved: Reporting" }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

/** Signs in to the console API from Node: `(method, path, body) => { status, json }`. */
async function adminApi() {
  const base = `${stack.demo.consoleUrl}/api`;
  const signIn = await fetch(`${base}/session`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ passphrase: stack.demo.consoleKey }),
  });
  const cookie = signIn.headers.get("set-cookie").split(";")[0];
  const { csrf_token: csrf } = await signIn.json();
  return async (method, path, body) => {
    const res = await fetch(`${base}/${path}`, {
      method,
      headers: { cookie, "x-csrf-token": csrf, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: await res.json() };
  };
}

test("nexus: regions synced from the fake; an address added with the keyboard, a bad ZIP refused, the address sent", async () => {
  const admin = await adminApi();
  if ((await admin("GET", "status")).json.api_token.source !== "console") {
    assert.equal((await admin("PUT", "token", { api_token: stack.demo.fakeToken })).status, 200);
  }
  const { context, page, problems } = await openConsolePage(stack, (status, path) => status === 400 && path === "/console/api/nexus/addresses");
  await signInWithKeyboard(page, stack.demo.consoleKey);
  assert.equal(await page.locator("#synced-at").textContent(), "Never synced.");

  await page.locator("#sync-nexus").focus();
  await page.keyboard.press("Enter");
  await page.locator("#message").filter({ hasText: "Nexus regions synced" }).waitFor();
  const regions = await page.locator("#regions li").allTextContents();
  assert.deepEqual(await page.locator("#message").textContent(), `Nexus regions synced: ${regions.length} regions.`);
  assert.ok(regions.includes("California (US-CA)"), `${regions}`);
  assert.equal(await page.locator("#nexus-source").textContent(), "Synced from TaxJar.");
  assert.match(await page.locator("#synced-at").textContent(), /^Last synced .+ UTC\.$/);
  // The Worker now answers the regions itself.
  const served = await fetch(`${stack.demo.apiUrl}/v2/nexus/regions`, { headers: { authorization: `Bearer ${PROXY_KEY}` } });
  assert.equal(served.headers.get("x-edgetax-source"), "synced");
  assert.equal((await served.json()).regions.length, regions.length);

  // An address with a ZIP that does not fit: refused, the ZIP field focused.
  await page.locator("#addr-state").focus();
  await page.keyboard.type("CA");
  await page.keyboard.press("Tab");
  await page.keyboard.type("9410");
  await page.keyboard.press("Enter");
  await page.locator("#message.error").waitFor();
  assert.match(await page.locator("#message").textContent(), /^Not saved: nexus_addresses\[0\]\.zip/);
  assert.equal(await focusedId(page), "addr-zip");
  assert.deepEqual(await seriousViolations(page), [], "a refused address");

  await page.keyboard.type("7");
  await page.keyboard.press("Tab");
  await page.keyboard.type("San Francisco");
  await page.keyboard.press("Enter");
  await page.locator("#message").filter({ hasText: "Address added." }).waitFor();
  assert.deepEqual(await page.locator("#addresses li span").allTextContents(), ["San Francisco, CA 94107, US"]);
  assert.deepEqual(await seriousViolations(page), [], "an address added");
  await shot(page, "console-nexus.png", "#nexus");

  // Every tax request now carries it.
  const taxed = await post("/v2/taxes", cart("90006"));
  assert.equal(taxed.status, 200);
  const sent = stack.demo.fake.requests.filter((r) => r.path === "/v2/taxes").at(-1);
  assert.deepEqual(sent.body.nexus_addresses, [{ country: "US", state: "CA", zip: "94107", city: "San Francisco" }]);

  // Remove it again with the keyboard.
  await page.locator("#addresses button", { hasText: "Remove" }).focus();
  await page.keyboard.press("Enter");
  await page.locator("#message").filter({ hasText: "Address removed." }).waitFor();
  assert.equal(await page.locator("#addresses li").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("logs and savings: the calls made are listed without the token, filtered, downloaded, and counted", async () => {
  const admin = await adminApi();
  if ((await admin("GET", "status")).json.api_token.source !== "console") {
    assert.equal((await admin("PUT", "token", { api_token: stack.demo.fakeToken })).status, 200);
  }
  const before = (await admin("GET", "savings")).json.month_to_date;
  const taxed = await post("/v2/taxes", cart("90010"));
  assert.equal(taxed.status, 200);
  assert.equal((await post("/v2/taxes", cart("90010"))).status, 200); // the edge cache
  assert.equal((await post("/v2/taxes", { ...cart(), to_zip: "abc" })).status, 400);

  // Savings: exactly the three requests above were added this month (the
  // rows are written after each answer, in waitUntil).
  let after;
  await until(async () => {
    after = (await admin("GET", "savings")).json.month_to_date;
    return after.requests - before.requests === 3;
  });
  assert.deepEqual([after.requests - before.requests, after.billed - before.billed], [3, 1]);
  const { context, page, problems } = await openConsolePage(stack);
  await signInWithKeyboard(page, stack.demo.consoleKey);
  assert.equal(await page.locator("#billed-month").textContent(), `${after.billed} of ${after.requests} tax requests (${after.month})`);
  assert.equal(await page.locator("#chart svg rect").count() > 0, true);
  assert.match(await page.locator("#chart title").textContent(), /^Tax requests per day for 30 days: \d+ requests, \d+ billed TaxJar calls\.$/);

  // Logs: newest first; the 400 names its field; no token anywhere on the page.
  const first = page.locator("#log-rows tr").first();
  assert.deepEqual(await first.locator("td").evaluateAll((tds) => tds.slice(1, 4).map((td) => td.textContent)), ["POST /v2/taxes", "400", "worker"]);
  await first.locator("summary").focus();
  await page.keyboard.press("Enter");
  assert.match(await first.locator("pre").first().textContent(), /"to_zip":"abc"/);
  assert.equal((await page.content()).includes(stack.demo.fakeToken), false);
  assert.deepEqual(await seriousViolations(page), [], "logs and savings");
  await shot(page, "console-savings.png", "#savings");
  await shot(page, "console-logs.png", "#logs");

  // Filter 4xx with the keyboard.
  await page.locator("#log-status").selectOption("4xx");
  await page.locator("#logs-form button[type=submit]").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => [...document.querySelectorAll("#log-rows tr td:nth-child(3)")].every((td) => td.textContent.startsWith("4")));
  const statuses = await page.locator("#log-rows tr td:nth-child(3)").allTextContents();
  assert.ok(statuses.length >= 1 && statuses.every((s) => s.startsWith("4")), `${statuses}`);
  // "Download for support" is the same filter, as a JSON file.
  const href = await page.locator("#log-download").getAttribute("href");
  assert.equal(href, "/console/api/logs/download?status=4xx");
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#log-download").click()]);
  assert.match(download.suggestedFilename(), /^edgetax-logs-\d{4}-\d{2}-\d{2}\.json$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Transaction Sync: a failing order retried from the console; a backfill upload followed to the end", async () => {
  const admin = await adminApi();
  if ((await admin("GET", "status")).json.api_token.source !== "console") {
    assert.equal((await admin("PUT", "token", { api_token: stack.demo.fakeToken })).status, 200);
  }
  const platformOrder = (id, created_at = "2024-03-01T10:00:00Z") => ({
    id, created_at, status: "completed", from_country: "US", from_zip: "92093", from_state: "CA",
    to_country: "US", to_zip: "90002", to_state: "CA", shipping: 5, sales_tax: "0.93",
    line_items: [{ id: "1", quantity: 1, unit_price: "10.00" }],
  });
  // The first delivery of e2e-1 fails: it is listed as failing.
  stack.demo.fake.setFailure({ status: 500, times: 1, path: "/v2/transactions" });
  assert.equal((await post("/sync/orders", platformOrder("e2e-1"))).status, 202);
  const { context, page, problems } = await openConsolePage(stack);
  await signInWithKeyboard(page, stack.demo.consoleKey);
  const failing = page.locator("#recent li", { hasText: "order e2e-1" });
  await until(async () => (await admin("GET", "sync")).json.recent.some((t) => t.id === "e2e-1" && t.status === "failing"));
  await page.reload();
  await page.locator("#signed-in").waitFor({ state: "visible" });
  await failing.locator(".status-failing").waitFor();
  assert.deepEqual(await seriousViolations(page), [], "a failing transaction");
  await failing.getByRole("button", { name: "Retry order e2e-1" }).focus();
  await page.keyboard.press("Enter");
  await page.locator("#message").filter({ hasText: "order e2e-1 was queued again." }).waitFor();
  await until(async () => (await admin("GET", "sync")).json.recent.some((t) => t.id === "e2e-1" && t.status === "created"));
  assert.equal((await fakeOrders()).filter((id) => id === "e2e-1").length, 1);

  // Backfill: 30 orders in range, 5 out of it, uploaded as a file.
  const orders = [
    ...Array.from({ length: 30 }, (_, i) => platformOrder(`bf-e2e-${i}`)),
    ...Array.from({ length: 5 }, (_, i) => platformOrder(`bf-old-${i}`, "2022-01-01T00:00:00Z")),
  ];
  await page.locator("#backfill-file").setInputFiles({ name: "orders.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ orders })) });
  await page.locator("#backfill-from").fill("2024-01-01");
  await page.locator("#backfill-to").fill("2024-12-31");
  await page.locator("#backfill-form button[type=submit]").focus();
  await page.keyboard.press("Enter");
  await page.locator("#backfill-counts").filter({ hasText: "Done." }).waitFor({ timeout: 60_000 });
  assert.equal(await page.locator("#backfill-counts").textContent(), "35 received, 30 sent, 5 skipped, 0 failed. Done.");
  assert.equal(await page.locator("#backfill-bar").getAttribute("value"), "35");
  assert.deepEqual(await seriousViolations(page), [], "a finished backfill");
  await shot(page, "console-sync.png", "#sync");
  const stored = (await fakeOrders()).filter((id) => id.startsWith("bf-"));
  assert.deepEqual(stored.sort(), orders.slice(0, 30).map((o) => o.id).sort());

  // A CSV file of the same fields works too.
  const csv = "type,id,created_at,status,from_country,from_zip,from_state,to_country,to_zip,to_state,shipping,sales_tax,line_items.id,line_items.quantity,line_items.unit_price\r\n"
    + "order,csv-e2e-1,2024-05-01,completed,US,92093,CA,US,90002,CA,5,0.93,1,1,10.00\r\n";
  await page.locator("#backfill-file").setInputFiles({ name: "orders.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.locator("#backfill-form button[type=submit]").click();
  await page.locator("#backfill-counts").filter({ hasText: "1 received, 1 sent, 0 skipped, 0 failed. Done." }).waitFor({ timeout: 60_000 });
  assert.ok((await fakeOrders()).includes("csv-e2e-1"));
  await page.locator("#backfill-file").setInputFiles({ name: "orders.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ orders })) });

  // The same upload as TaxJar's CSV import file.
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#backfill-csv").click()]);
  assert.equal(download.suggestedFilename(), "taxjar-transactions.csv");
  assert.deepEqual(problems, []);
  await context.close();
});
