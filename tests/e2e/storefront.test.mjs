// End-to-end: the demo storefront (www/) and the <edgetax-estimate> widget in
// Chromium, through the edgetax Worker under `wrangler dev`, against the local
// TaxJar fake. Upstream calls are counted at the fake (/__fake/stats).
//
//   make build && (cd worker && npm ci) && (cd tests/e2e && npm ci)
//   node --test tests/e2e/
//   UPDATE_SCREENSHOTS=1 node --test tests/e2e/   # also rewrites docs/screenshots/*.png

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, afterEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startDemo } from "../../scripts/demo-storefront.mjs";
import { demoStack, recordEvents } from "./browser.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const UPDATE = process.env.UPDATE_SCREENSHOTS === "1";
const SHOTS = UPDATE ? join(ROOT, "docs", "screenshots") : mkdtempSync(join(tmpdir(), "edgetax-e2e-shots-"));
const WAIT_MS = 15_000; // bound on any single wait for the page
const SETTLE_MS = 800; // > the 250 ms debounce: long enough for a stray call to show up
/** The fake's combined California rate (tests/fake-taxjar/README.md). */
const CA_RATE_PPM = 92_500n; // 0.0925 in millionths

let page;

// ---- helpers ----------------------------------------------------------------

/** "$1,234.56" or "−$0.50" or "12.3" → integer cents (BigInt). */
function cents(text) {
  const t = String(text).replace(/[\u2212]/g, "-").replace(/[^0-9.-]/g, "");
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(t);
  assert.ok(m, `not an amount: ${JSON.stringify(text)}`);
  const v = BigInt(m[2]) * 100n + BigInt((m[3] ?? "").padEnd(2, "0"));
  return m[1] ? -v : v;
}

/** round(amountCents × rate) to the cent, half away from zero, in integers. */
function taxOf(amountCents, ratePpm = CA_RATE_PPM) {
  const scaled = amountCents * ratePpm; // cents × 1e6
  const q = scaled / 1_000_000n;
  const r = scaled % 1_000_000n;
  return r * 2n >= 1_000_000n ? q + 1n : q;
}

async function fakeStats() {
  const res = await fetch(`${stack.demo.fakeUrl}/__fake/stats`, { signal: AbortSignal.timeout(5000) });
  return res.json();
}

async function fakeRequests() {
  const res = await fetch(`${stack.demo.fakeUrl}/__fake/requests`, { signal: AbortSignal.timeout(5000) });
  return res.json();
}

const taxCalls = (stats) => stats["POST /v2/taxes"] ?? 0;

/** Number of widget events seen so far. */
const eventCount = () => page.evaluate(() => window.__edgetaxEvents.length);

/**
 * Waits for a widget event after `since`; returns the last one. Estimate
 * events count only when final (not a provisional figure shown at once).
 */
async function nextEvent(since, type = "edgetax:estimate") {
  const found = await page.waitForFunction(
    ([n, t]) => window.__edgetaxEvents.slice(n)
      .filter((e) => e.type === t && e.detail?.source !== "provisional").at(-1)?.detail,
    [since, type],
    { timeout: WAIT_MS },
  );
  return found.jsonValue();
}

/** The final (not provisional) events after `since`. */
const finalEvents = (since) => page.evaluate((n) => window.__edgetaxEvents.slice(n)
  .filter((e) => e.type !== "edgetax:estimate" || e.detail?.source !== "provisional"), since);

/** Runs `action` and resolves to the Estimate the widget shows after it. */
async function estimateAfter(action) {
  const since = await eventCount();
  await action();
  const estimate = await nextEvent(since);
  await page.waitForFunction(() => document.querySelector("#tax").status === "ready", null, { timeout: WAIT_MS });
  return estimate;
}

/** What the page shows: the summary rows and the widget's figures, in cents. */
async function shown() {
  const raw = await page.evaluate(() => {
    const text = (el) => el?.textContent.trim() ?? null;
    const root = document.querySelector("#tax").shadowRoot;
    return {
      subtotal: text(document.querySelector("#sum-subtotal")),
      discount: document.querySelector("#sum-discount-row").hidden ? "0" : text(document.querySelector("#sum-discount")),
      shipping: text(document.querySelector("#sum-shipping")),
      lines: [...root.querySelectorAll('[part="line"]')].map((li) => ({
        id: li.dataset.lineId,
        tax: text(li.querySelector('[part="line-tax"]')),
        detail: text(li.querySelector('[part="line-detail"]')),
      })),
      shippingTax: text(root.querySelector('[data-amount="shipping"]')),
      totalTax: text(root.querySelector('[data-amount="tax"]')),
      orderTotal: text(root.querySelector('[data-amount="total"]')),
      badges: [...root.querySelectorAll('[part~="badge"]')].map((b) => b.textContent.trim()),
      busy: root.querySelector('[part="container"]').getAttribute("aria-busy"),
    };
  });
  const shipping = raw.shipping === "Free" ? 0n : cents(raw.shipping);
  return {
    ...raw,
    subtotal: cents(raw.subtotal),
    discount: raw.discount === "0" ? 0n : -cents(raw.discount), // shown as "−$57.49"
    shipping,
    lines: raw.lines.map((l) => ({ ...l, tax: cents(l.tax) })),
    shippingTax: cents(raw.shippingTax),
    totalTax: cents(raw.totalTax),
    orderTotal: cents(raw.orderTotal),
  };
}

/**
 * Line taxes as TaxJar's fake computes them at one rate: the total is the
 * exact sum rounded once, and each line is its own rounded tax give or take
 * the cent that reconciling moves onto it.
 */
function assertLineTaxes(lines, amounts, ratePpm = CA_RATE_PPM) {
  assert.equal(lines.length, amounts.length);
  const total = lines.reduce((a, l) => a + l.tax, 0n);
  assert.equal(total, taxOf(amounts.reduce((a, x) => a + x, 0n), ratePpm), "total tax = exact tax rounded once");
  lines.forEach((l, i) => {
    const d = l.tax - taxOf(amounts[i], ratePpm);
    assert.ok(d >= -1n && d <= 1n, `line ${l.id}: ${l.tax} is within a cent of ${taxOf(amounts[i], ratePpm)}`);
  });
}

/** Every figure adds up to the cent. */
function assertAddsUp(s) {
  const lineSum = s.lines.reduce((a, l) => a + l.tax, 0n);
  assert.equal(lineSum + s.shippingTax, s.totalTax, "line taxes + shipping tax = total tax");
  assert.equal(s.subtotal - s.discount + s.shipping + s.totalTax, s.orderTotal, "items − discount + shipping + tax = order total");
}

async function openStore({ clock = false } = {}) {
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  page.setDefaultTimeout(WAIT_MS);
  if (clock) await page.clock.install();
  await recordEvents(page);
  await page.goto(stack.demo.url);
  await page.waitForFunction(() => document.querySelector("#tax")?.status === "ready", null, { timeout: WAIT_MS });
  await page.evaluate(() => document.fonts.ready);
}

// ---- lifecycle ---------------------------------------------------------------

const stack = demoStack();

after(() => {
  if (!UPDATE) rmSync(SHOTS, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${stack.demo.fakeUrl}/__fake/reset`, { method: "POST" });
  await openStore();
});

afterEach(async () => {
  await page?.close();
});

// ---- tests -------------------------------------------------------------------

test("the default storefront shows sandbox data and tax that adds up (screenshot)", async () => {
  assert.equal(await page.locator("#data-source").textContent(), "Sandbox data");
  const s = await shown();
  assert.equal(s.busy, "false");
  assert.deepEqual(s.lines.map((l) => l.id), ["trail-runner", "bottle"]);
  // Trail Runner 64.99 and 2 × 24.99 in Los Angeles at 9.25%; shipping untaxed in CA.
  assertLineTaxes(s.lines, [6499n, 4998n]);
  assert.equal(s.shippingTax, 0n);
  assertAddsUp(s);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, "storefront.png"), fullPage: true });
});

test("changing a quantity updates line tax and totals, to the cent", async () => {
  const before = await shown();
  const estimate = await estimateAfter(() =>
    page.getByRole("button", { name: "Increase quantity of Trail Runner" }).click());
  const s = await shown();
  assert.equal(s.subtotal, before.subtotal + 6499n);
  assertLineTaxes(s.lines, [2n * 6499n, 4998n]); // Trail Runner × 2, Insulated Bottle × 2
  assert.ok(s.lines[0].tax > before.lines[0].tax, "the Trail Runner line's tax went up");
  assert.ok(s.totalTax > before.totalTax);
  assertAddsUp(s);
  // The widget shows exactly the Estimate's strings.
  assert.equal(s.totalTax, cents(estimate.amount_to_collect));
  assert.equal(s.orderTotal, cents(estimate.order_total_amount) + cents(estimate.amount_to_collect));
  assert.equal(await page.locator("#checkout-label").textContent(), `Place order · ${(await page.evaluate(() => document.querySelector("#tax").shadowRoot.querySelector('[data-amount="total"]').textContent))}`);
});

test("typing an address makes exactly one upstream call after the debounce", async () => {
  // Real keystrokes with the page's clock paused, so a busy machine cannot
  // stretch a gap between two keys past the debounce: no timer fires until
  // the test moves the clock.
  await page.close();
  await openStore({ clock: true });
  const street = `4${Date.now() % 100000} Sunset Blvd`;
  const base = await fakeStats();
  const since = await eventCount();
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
  const field = page.getByLabel("Street address");
  await field.fill("");
  await field.pressSequentially(street, { delay: 20 });
  await page.waitForTimeout(400);
  assert.equal((await fakeStats()).total, base.total, "no call while typing");
  await page.clock.runFor(249);
  await page.waitForTimeout(300);
  assert.equal((await fakeStats()).total, base.total, "no call before the 250 ms debounce is up");
  assert.equal(await page.evaluate(() => document.querySelector("#tax").status), "loading");
  await page.clock.runFor(1);
  await page.clock.resume();
  const estimate = await nextEvent(since);
  await page.waitForTimeout(SETTLE_MS);
  const stats = await fakeStats();
  assert.equal(stats.total - base.total, 1, `one upstream request in all: ${JSON.stringify(stats)}`);
  assert.equal(taxCalls(stats) - taxCalls(base), 1, "one POST /v2/taxes");
  const requests = (await fakeRequests()).filter((r) => r.path === "/v2/taxes");
  assert.equal(requests.at(-1).body.to_street, street, "the call is for the whole address, after the last keystroke");
  const events = (await finalEvents(since)).map((e) => e.type);
  assert.deepEqual(events, ["edgetax:estimate"], "one estimate event, for the final address");
  assert.equal(estimate.source, "taxjar");
  assertAddsUp(await shown());
});

test("HALF splits the discount over the lines and changes the tax", async () => {
  const before = await shown();
  const beforeEstimate = await page.evaluate(() => document.querySelector("#tax").estimate);
  const estimate = await estimateAfter(async () => {
    await page.getByLabel("Discount code").fill("half");
    await page.getByRole("button", { name: "Apply" }).click();
  });
  const s = await shown();
  assert.equal(s.discount, (before.subtotal + 1n) / 2n, "50 % of the subtotal, half a cent rounded up");
  // The discount is split over the lines, to the cent.
  const lineDiscounts = estimate.line_items.map((l) => cents(l.discount));
  assert.ok(lineDiscounts.every((d) => d > 0n), `every line carries a share: ${lineDiscounts}`);
  assert.equal(lineDiscounts.reduce((a, d) => a + d, 0n), s.discount);
  // Each line's tax is on its discounted amount, and the tax went down.
  for (const line of estimate.line_items) {
    assert.equal(cents(line.taxable_amount), cents(line.amount) - cents(line.discount));
  }
  assertLineTaxes(s.lines, estimate.line_items.map((l) => cents(l.taxable_amount)));
  assert.ok(s.totalTax < before.totalTax, `tax ${s.totalTax} < ${before.totalTax}`);
  assert.notEqual(estimate.amount_to_collect, beforeEstimate.amount_to_collect);
  assert.ok(s.lines.every((l) => /off/.test(l.detail ?? "")), "each line shows its share of the discount");
  assertAddsUp(s);
});

test("the tax-exempt toggle gives zero tax with no upstream call", async () => {
  const base = await fakeStats();
  const estimate = await estimateAfter(() => page.getByText("Tax-exempt customer (wholesale)").click());
  await page.waitForTimeout(SETTLE_MS);
  const stats = await fakeStats();
  assert.equal(stats.total, base.total, "no upstream request");
  assert.equal(estimate.source, "exempt");
  assert.equal(estimate.amount_to_collect, "0.00");
  const s = await shown();
  assert.equal(s.totalTax, 0n);
  assert.ok(s.lines.every((l) => l.tax === 0n));
  assert.ok(s.badges.includes("Tax exempt"), `badges: ${s.badges}`);
  assertAddsUp(s);
  // The exemption came signed by the demo's server (a customer_context), and
  // the Worker refuses the same exemption from the page without one.
  const cart = await page.evaluate(() => document.querySelector("#tax").cart);
  assert.match(cart.customer_context ?? "", /^cc1\./);
  assert.equal(cart.exemption_type, undefined);
  const bare = await page.evaluate(async (api) => {
    const body = JSON.stringify({ to_zip: "90002", to_state: "CA", amount: 10, exemption_type: "wholesale" });
    const res = await fetch(`${api}/v2/taxes`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
    return { status: res.status, body: await res.json() };
  }, stack.demo.apiUrl);
  assert.deepEqual([bare.status, bare.body.code, bare.body.field], [400, "invalid_value", "exemption_type"]);
  assert.equal((await fakeStats()).total, base.total, "still no upstream request");
});

test("a destination without nexus gives zero and a \"no nexus\" badge", async () => {
  const base = await fakeStats();
  const estimate = await estimateAfter(async () => {
    await page.getByLabel("State").selectOption("TX");
    await page.getByLabel("ZIP code").fill("78701");
    await page.getByLabel("City").fill("Austin");
  });
  await page.waitForTimeout(SETTLE_MS);
  assert.equal(estimate.has_nexus, false);
  assert.equal(estimate.amount_to_collect, "0.00");
  const stats = await fakeStats();
  assert.equal(taxCalls(stats), taxCalls(base), "the nexus gate made no tax call");
  const s = await shown();
  assert.equal(s.totalTax, 0n);
  assert.ok(s.badges.includes("No nexus"), `badges: ${s.badges}`);
  assert.match(await page.locator("#tax").locator('[part="note"]').textContent(), /doesn't collect sales tax for TX/);
  assertAddsUp(s);
});

test("a late answer for an older cart is dropped, and the latest cart wins", async () => {
  // The next tax call answers slowly; the cart changes while it is in flight.
  await fetch(`${stack.demo.fakeUrl}/__fake/fail`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path: "/v2/taxes", delayMs: 1500, times: 1 }),
  });
  const since = await eventCount();
  await page.getByRole("button", { name: "Increase quantity of Insulated Bottle" }).click();
  // Shown at once as a provisional figure; its call follows the debounce.
  await page.waitForFunction(() => document.querySelector("#tax").status === "provisional");
  await page.waitForTimeout(450); // the slow call (bottle × 3) is now in flight
  await page.getByRole("button", { name: "Remove Trail Runner" }).click();
  const estimate = await nextEvent(since);
  await page.waitForTimeout(1500 + SETTLE_MS); // the slow answer has come back by now
  const events = await finalEvents(since);
  assert.equal(events.length, 1, `one final event, for the latest cart: ${JSON.stringify(events.map((e) => e.type))}`);
  assert.deepEqual(estimate.line_items.map((l) => l.id), ["bottle"]);
  const s = await shown();
  assert.deepEqual(s.lines.map((l) => l.id), ["bottle"]);
  assert.equal(s.lines[0].tax, taxOf(3n * 2499n));
  assertAddsUp(s);
});

test("stopping the Worker shows the error state, and Retry recovers (screenshot)", async () => {
  await stack.demo.stopWorker();
  // A cart no earlier test estimated, so the Worker's cache cannot answer it after the restart.
  const street = `9${Date.now() % 100000} Retry Rd`;
  try {
    const since = await eventCount();
    await page.getByLabel("Street address").fill(street);
    const error = await nextEvent(since, "edgetax:error");
    assert.equal(error.code, "network_error");
    const widget = page.locator("#tax");
    await widget.locator('[part="error"]').waitFor({ state: "visible" });
    assert.match(await widget.locator('[part="error-message"]').textContent(), /couldn't reach the tax service/);
    assert.equal(await page.evaluate(() => document.querySelector("#tax").status), "error");
    assert.equal(await widget.locator('[part="container"]').getAttribute("aria-busy"), "false");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "error-state.png") });
  } finally {
    await stack.demo.startWorker();
  }
  const base = await fakeStats();
  const estimate = await estimateAfter(() => page.locator("#tax").getByRole("button", { name: "Retry" }).click());
  assert.equal(taxCalls(await fakeStats()) - taxCalls(base), 1, "Retry made the call");
  assert.equal(estimate.source, "taxjar");
  const s = await shown();
  assertLineTaxes(s.lines, [6499n, 4998n]);
  assert.equal(await page.locator("#tax").locator('[part="error"]').isVisible(), false);
  assertAddsUp(s);
});

test("the widget's styles are isolated from the page, both ways", async () => {
  // Its own classes (.row, .badge, .amount, .card) style nothing outside it.
  const outside = await page.evaluate(() => {
    const probe = document.createElement("div");
    probe.className = "row badge amount card skeleton";
    document.body.append(probe);
    const cs = getComputedStyle(probe);
    const out = { display: cs.display, borderRadius: cs.borderTopLeftRadius, padding: cs.paddingTop, animation: cs.animationName };
    probe.remove();
    return out;
  });
  assert.deepEqual(outside, { display: "block", borderRadius: "0px", padding: "0px", animation: "none" });
  // Inherited page styles, and rules for the elements and classes it uses inside, do not reach in.
  await page.addStyleTag({
    content: `body { color: rgb(255, 0, 0); letter-spacing: 7px; font-family: serif; line-height: 4; }
      span, div, li, p, button, section, header { color: rgb(255, 0, 0) !important; background: rgb(255, 0, 0) !important; }
      .row, .label, .amount, .card { color: rgb(255, 0, 0) !important; padding: 40px !important; }`,
  });
  const inside = await page.evaluate(() => {
    const root = document.querySelector("#tax").shadowRoot;
    const cs = getComputedStyle(root.querySelector('[part~="order-total-row"] .label'));
    const card = getComputedStyle(root.querySelector('[part="container"]'));
    return { color: cs.color, letterSpacing: cs.letterSpacing, font: cs.fontFamily, padding: cs.paddingTop, cardBg: card.backgroundColor };
  });
  assert.notEqual(inside.color, "rgb(255, 0, 0)");
  assert.equal(inside.letterSpacing, "normal");
  assert.doesNotMatch(inside.font, /^serif$/);
  assert.equal(inside.padding, "0px");
  assert.notEqual(inside.cardBg, "rgb(255, 0, 0)");
});

test("with no token (the make demo default) the Worker's offline estimate shows an Estimate badge", async () => {
  // A second stack in the default mode: no fake, no token, no network.
  const offline = await startDemo({ port: 0, workerPort: 0, mode: "offline" });
  const own = await stack.browser.newPage();
  // Issue #19: no console errors, and the widget's nexus fetch is a clean 200.
  const problems = [];
  const nexus = [];
  own.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
  own.on("pageerror", (err) => problems.push(err.message));
  own.on("response", (res) => {
    if (res.status() >= 400 && !res.url().endsWith("/favicon.ico")) problems.push(`${res.status()} ${res.url()}`);
    if (new URL(res.url()).pathname === "/v2/nexus/regions" && res.request().method() === "GET") {
      nexus.push([res.status(), res.headers()["x-edgetax-source"]]);
    }
  });
  try {
    await own.goto(offline.url);
    await own.waitForFunction(() => document.querySelector("#tax")?.status === "ready", null, { timeout: WAIT_MS });
    assert.equal(await own.locator("#data-source").textContent(), "Offline estimates");
    assert.deepEqual(nexus, [[200, "offline"]]);
    assert.deepEqual(problems, []);
    const figures = await own.evaluate(() => {
      const root = document.querySelector("#tax").shadowRoot;
      return {
        badges: [...root.querySelectorAll('[part~="badge"]')].map((b) => b.textContent.trim()),
        lines: [...root.querySelectorAll('[part="line-tax"]')].map((el) => el.textContent.trim()),
        shipping: root.querySelector('[data-amount="shipping"]').textContent.trim(),
        tax: root.querySelector('[data-amount="tax"]').textContent.trim(),
      };
    });
    assert.ok(figures.badges.includes("Estimate"), `badges: ${figures.badges}`);
    // California's 7.25% statewide floor: (64.99 + 2 × 24.99) × 7.25% = 8.3353 → $8.34,
    // split over the lines to the cent; shipping is not taxed in CA.
    assert.equal(figures.tax, "$8.34");
    assert.equal(figures.shipping, "$0.00");
    assert.equal(figures.lines.reduce((t, s) => t + cents(s), 0n), 834n);
  } finally {
    await own.close();
    await offline.stop();
  }
});
