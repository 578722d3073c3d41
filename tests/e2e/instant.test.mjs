// Instant figures (#18), in Chromium against the demo shop, its Worker and
// the TaxJar fake: an edit shows its figure in the same task as the click
// (`Estimator.peek`), a memo hit is final, a provisional figure is replaced
// by TaxJar's after one call, screen readers hear only final figures, and
// every state of the widget passes axe. Also: a page whose origin the
// Worker does not allow is told so.

import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { startDemo } from "../../scripts/demo-storefront.mjs";
import { demoStack, recordEvents } from "./browser.mjs";

const WAIT_MS = 15_000;
const SETTLE_MS = 800; // > the 250 ms debounce

let page;

const fakeStats = async (d = stack.demo) => (await fetch(`${d.fakeUrl}/__fake/stats`)).json();
const taxCalls = (stats) => stats["POST /v2/taxes"] ?? 0;

async function openStore(url = stack.demo.url) {
  // A context of its own: axe needs one (browser.newPage hides its own).
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await recordEvents(page);
  await page.goto(url);
}

const ready = () => page.waitForFunction(() => document.querySelector("#tax")?.status === "ready");

/** Clicks the button labelled `label` from inside the page, and reports
 *  what happened before the click handler returned: the events, the
 *  widget's status and what screen readers were told. */
function clickNow(label) {
  return page.evaluate((name) => {
    const el = document.querySelector("#tax");
    const root = el.shadowRoot;
    const live = root.querySelector("[data-announce]");
    const before = { events: window.__edgetaxEvents.length, live: live.textContent };
    const t0 = performance.now();
    document.querySelector(`button[aria-label="${name}"]`).click();
    const events = window.__edgetaxEvents.slice(before.events);
    return {
      events: events.map((e) => ({ type: e.type, source: e.detail.source, amount: e.detail.amount_to_collect, ms: e.at - t0 })),
      status: el.status,
      busy: root.querySelector('[part="container"]').getAttribute("aria-busy"),
      stale: root.querySelector('[part="container"]').hasAttribute("data-stale"),
      skeletons: root.querySelectorAll('[part="skeleton"]').length,
      badges: [...root.querySelectorAll('[part~="badge"]')].map((b) => b.textContent.trim()),
      liveBefore: before.live,
      live: live.textContent,
    };
  }, label);
}

/** The last final (not provisional) estimate event after `since`. */
async function finalEvent(since) {
  const found = await page.waitForFunction(
    (n) => window.__edgetaxEvents.slice(n).filter((e) => e.type === "edgetax:estimate" && e.detail.source !== "provisional").at(-1)?.detail,
    since,
  );
  return found.jsonValue();
}

const eventCount = () => page.evaluate(() => window.__edgetaxEvents.length);
const liveText = () => page.evaluate(() => document.querySelector("#tax").shadowRoot.querySelector("[data-announce]").textContent);

async function seriousViolations() {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(" ")} (${n.any[0]?.message ?? n.failureSummary})`).join("; ")}`);
}

const stack = demoStack();

beforeEach(async () => {
  await fetch(`${stack.demo.fakeUrl}/__fake/reset`, { method: "POST" });
  await openStore();
  await ready();
});

afterEach(async () => {
  await page?.context().close();
});

test("an edit shows a provisional figure in the same task as the click, then TaxJar's after one call", async () => {
  const base = taxCalls(await fakeStats());
  const announced = await liveText();
  const since = await eventCount();
  const now = await clickNow("Increase quantity of Trail Runner");
  assert.deepEqual(now.events.map((e) => [e.type, e.source]), [["edgetax:estimate", "provisional"]]);
  assert.equal(now.status, "provisional");
  assert.equal(now.busy, "true");
  assert.ok(now.badges.includes("Updating"), `badges: ${now.badges}`);
  assert.equal(now.skeletons, 0);
  assert.equal(now.live, announced, "a provisional figure is not read out");
  const final = await finalEvent(since);
  assert.equal(final.source, "taxjar");
  assert.equal(final.amount_to_collect, now.events[0].amount, "TaxJar's figure is the provisional one");
  await page.waitForFunction(() => document.querySelector("#tax").status === "ready");
  assert.match(await liveText(), new RegExp(`^Total tax \\$${final.amount_to_collect.replace(".", "\\.")}, order total \\$[0-9,.]+\\.$`));
  await page.waitForTimeout(SETTLE_MS);
  assert.equal(taxCalls(await fakeStats()) - base, 1, "one call for the edit");
  assert.equal(await page.evaluate(() => document.querySelector("#tax").shadowRoot.querySelector('[part="container"]').getAttribute("aria-busy")), "false");
});

test("undoing an edit is a memo hit: final in the same task, no call, read out once", async () => {
  const since = await eventCount();
  await clickNow("Increase quantity of Insulated Bottle");
  await finalEvent(since);
  await page.waitForFunction(() => document.querySelector("#tax").status === "ready");
  const base = taxCalls(await fakeStats());
  const undo = await clickNow("Decrease quantity of Insulated Bottle");
  assert.deepEqual(undo.events.map((e) => [e.type, e.source]), [["edgetax:estimate", "cache"]]);
  assert.equal(undo.status, "ready");
  assert.equal(undo.busy, "false");
  assert.notEqual(undo.live, undo.liveBefore, "the final figure is read out");
  await page.waitForTimeout(SETTLE_MS);
  assert.equal(taxCalls(await fakeStats()), base, "no call");
  assert.equal(await liveText(), undo.live, "and only once");
});

test("a provisional figure whose element leaves and comes back still gets TaxJar's", async () => {
  await page.evaluate(() => { document.querySelector("#tax").debounceMs = 60_000; });
  const now = await clickNow("Increase quantity of Trail Runner");
  assert.equal(now.status, "provisional");
  const since = await eventCount();
  await page.evaluate(() => {
    const el = document.querySelector("#tax");
    const parent = el.parentNode;
    el.remove();
    parent.append(el);
  });
  const final = await finalEvent(since);
  assert.equal(final.source, "taxjar");
  assert.equal(final.amount_to_collect, now.events[0].amount);
});

test("the first cart is estimated at once; between estimates the last figure stays, dimmed", async () => {
  // A second widget with a 10 s debounce: its first cart must not wait for it.
  const ms = await page.evaluate(async () => {
    const el = document.createElement("edgetax-estimate");
    el.setAttribute("api-url", document.querySelector("#tax").getAttribute("api-url"));
    el.debounceMs = 10_000;
    document.body.append(el);
    const t0 = performance.now();
    const done = new Promise((resolve) => el.addEventListener("edgetax:estimate", resolve, { once: true }));
    el.cart = { ...document.querySelector("#tax").cart, to_street: "1 First Cart Way" };
    await done;
    const ms = performance.now() - t0;
    el.remove();
    return ms;
  });
  assert.ok(ms < 5_000, `the first estimate took ${ms} ms, not the 10 s debounce`);
  // A new street is a new tax context: no figure yet, so the last one stays.
  const now = await page.evaluate(() => {
    const el = document.querySelector("#tax");
    el.cart = { ...el.cart, to_street: "2 Dimmed Ave" };
    const card = el.shadowRoot.querySelector('[part="container"]');
    return { status: el.status, stale: card.hasAttribute("data-stale"), skeletons: el.shadowRoot.querySelectorAll('[part="skeleton"]').length, tax: el.shadowRoot.querySelector('[data-amount="tax"]').textContent };
  });
  assert.deepEqual([now.status, now.stale, now.skeletons], ["loading", true, 0]);
  assert.match(now.tax, /^\$\d+\.\d\d$/);
  await ready();
});

test("every state of the widget passes axe (no serious or critical violations)", async () => {
  const states = {};
  states.ready = await seriousViolations();
  // Provisional: a long debounce holds the state while axe looks.
  await page.evaluate(() => { document.querySelector("#tax").debounceMs = 60_000; });
  const now = await clickNow("Increase quantity of Trail Runner");
  assert.equal(now.status, "provisional");
  states.provisional = await seriousViolations();
  if (process.env.UPDATE_SCREENSHOTS === "1") {
    await page.locator("#tax").screenshot({ path: fileURLToPath(new URL("../../docs/screenshots/provisional.png", import.meta.url)) });
  }
  // Loading with the last figure dimmed: a new street, a new tax context.
  const stale = await page.evaluate(() => {
    const el = document.querySelector("#tax");
    el.cart = { ...el.cart, to_street: "3 Stale St" };
    return [el.status, el.shadowRoot.querySelector('[part="container"]').hasAttribute("data-stale")];
  });
  assert.deepEqual(stale, ["loading", true]);
  states.stale = await seriousViolations();
  // Loading with no figure at all (the skeleton), invalid and error: a
  // second widget, whose first call TaxJar's fake holds for 8 s.
  await fetch(`${stack.demo.fakeUrl}/__fake/fail`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path: "/v2/taxes", delayMs: 8000, times: 1 }),
  });
  await page.evaluate(() => {
    const el = document.createElement("edgetax-estimate");
    el.id = "probe";
    el.setAttribute("api-url", document.querySelector("#tax").getAttribute("api-url"));
    el.debounceMs = 60_000;
    document.querySelector("#tax").after(el);
  });
  const probe = (cart) => page.evaluate((c) => { document.querySelector("#probe").cart = c; }, cart);
  const cart = { to_country: "US", to_zip: "90002", to_state: "CA", to_street: "8 Slow Rd", amount: "10" };
  await probe(cart);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.querySelector("#probe").status), "loading");
  assert.ok(await page.evaluate(() => document.querySelector("#probe").shadowRoot.querySelectorAll('[part="skeleton"]').length > 0));
  states.loading = await seriousViolations();
  await probe({ ...cart, to_zip: "9000" });
  await page.evaluate(() => document.querySelector("#probe").refresh());
  await page.waitForFunction(() => document.querySelector("#probe").status === "invalid");
  states.invalid = await seriousViolations();
  await probe(cart);
  await page.evaluate(() => document.querySelector("#probe").setAttribute("api-url", "http://127.0.0.1:9"));
  await page.waitForFunction(() => document.querySelector("#probe").status === "error");
  states.error = await seriousViolations();
  assert.deepEqual(states, { ready: [], provisional: [], stale: [], loading: [], invalid: [], error: [] });
});

test("a page whose origin the Worker does not allow is told so, not to check its connection", async () => {
  const other = await startDemo({ port: 0, workerPort: 0, mode: "fake", workerVars: { ALLOWED_ORIGINS: "https://shop.example" } });
  try {
    await page.context().close();
    await openStore(other.url);
    await page.waitForFunction(() => document.querySelector("#tax")?.status === "error");
    const shown = await page.evaluate(() => {
      const root = document.querySelector("#tax").shadowRoot;
      const error = window.__edgetaxEvents.find((e) => e.type === "edgetax:error").detail;
      return { title: root.querySelector('[part="error-message"]').textContent, detail: root.querySelector('[part="error-detail"]').textContent, code: error.code, status: error.status };
    });
    assert.deepEqual(shown, {
      title: "Tax can't be shown on this page.",
      detail: "This page's address isn't allowed to use the store's tax service.",
      code: "upstream_error",
      status: 403,
    });
    assert.equal(taxCalls(await fakeStats(other)), 0, "nothing reached TaxJar");
  } finally {
    await other.stop();
  }
});
