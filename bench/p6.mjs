// P6 (#18): the latency from a cart edit to the figure on screen, in
// Chromium (Playwright) against the demo shop, its Worker and the TaxJar
// fake. This build's widget and a baseline widget (default: the last one
// before instant figures, `git show a147e23:www/widget/...`) run side by
// side on the same package, page and Worker:
//
// - medians over 50 edits each: a memo hit (undoing an edit), a new
//   quantity (provisional, then final), from the click to the first
//   `edgetax:estimate` event, to the next frame, and to the final figure;
// - one scripted session of 200 random edits (quantities, adding and
//   removing lines, the HALF discount) with a shopper's pauses: the calls
//   each widget makes to the Worker (each a billed TaxJar call unless the
//   Worker's cache answers), and how many provisional figures TaxJar's
//   answer for the same cart then matched to the cent.
//
// Prints figures, never fails on them. Run after `make build`:
//   node bench/p6.mjs [--baseline REV]

import { execFileSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { startDemo } from "../scripts/demo-storefront.mjs";
import { launch, recordEvents } from "../tests/e2e/browser.mjs";
import { rng } from "./rng.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const at = process.argv.indexOf("--baseline");
const BASELINE = at > 0 ? process.argv[at + 1] : "a147e23";
const SAMPLES = 50;
const SESSION_EDITS = 200;

const git = (path) => execFileSync("git", ["show", `${BASELINE}:${path}`], { cwd: ROOT, encoding: "utf8" });
const baselineFiles = {
  "edgetax-estimate.js": git("www/widget/edgetax-estimate.js"),
  "edgetax-estimate-template.js": git("www/widget/edgetax-estimate-template.js"),
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => (x === null ? "—" : `${x.toFixed(1)} ms`);

/** A page of the demo shop with `widget` ("current" or "baseline"). */
async function open(browser, demo, widget) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
  const page = await context.newPage();
  if (widget === "baseline") {
    await page.route("**/pkg/widget/*.js", (route) => {
      const name = new URL(route.request().url()).pathname.split("/").pop();
      return route.fulfill({ contentType: "text/javascript", body: baselineFiles[name] });
    });
  }
  const calls = { count: 0 };
  page.on("request", (req) => {
    if (req.method() === "POST" && new URL(req.url()).pathname === "/v2/taxes") calls.count++;
  });
  await recordEvents(page);
  await page.goto(demo.url);
  await page.waitForFunction(() => document.querySelector("#tax")?.status === "ready");
  return { page, calls };
}

/**
 * Clicks the button labelled `label` and waits for the final figure:
 * `{ first, source, frame, final }`, each in ms from the click.
 */
function edit(page, label) {
  return page.evaluate((name) => new Promise((resolve) => {
    const el = document.querySelector("#tax");
    const n = window.__edgetaxEvents.length;
    let frame = null;
    const t0 = performance.now();
    requestAnimationFrame(() => { frame = performance.now() - t0; });
    const done = () => {
      const events = window.__edgetaxEvents.slice(n).filter((e) => e.type === "edgetax:estimate");
      const final = events.filter((e) => e.detail.source !== "provisional").at(-1);
      if (!final || el.status !== "ready" || frame === null) return false;
      resolve({ first: events[0].at - t0, source: events[0].detail.source, frame, final: final.at - t0 });
      return true;
    };
    document.querySelector(`button[aria-label="${name}"]`).click();
    const poll = () => { if (!done()) setTimeout(poll, 1); };
    poll();
  }), label);
}

async function latencies(browser, demo, widget) {
  const { page } = await open(browser, demo, widget);
  // Memo hits: + then − on the bottle; after the first two, each is known.
  const undo = [];
  for (let i = 0; i < SAMPLES + 2; i++) {
    const label = i % 2 ? "Decrease quantity of Insulated Bottle" : "Increase quantity of Insulated Bottle";
    const r = await edit(page, label);
    if (i >= 2) undo.push(r);
  }
  // New quantities of the Trail Runner: each a cart never answered.
  const fresh = [];
  for (let i = 0; i < SAMPLES; i++) fresh.push(await edit(page, "Increase quantity of Trail Runner"));
  await page.context().close();
  return { undo, fresh };
}

/** One scripted session: the same seeded edits and pauses for each widget. */
async function session(browser, demo, widget) {
  const { page, calls } = await open(browser, demo, widget);
  const next = rng(6);
  for (let i = 0; i < SESSION_EDITS; i++) {
    const kind = Math.floor(next() * 6);
    const k = Math.floor(next() * 1000);
    await page.evaluate(([kind, k]) => {
      const pick = (sel) => {
        const all = [...document.querySelectorAll(sel)].filter((b) => !b.disabled);
        return all.length ? all[k % all.length] : null;
      };
      const lines = document.querySelectorAll("[data-remove]").length;
      const button =
        kind <= 1 ? pick("[data-inc]")
        : kind === 2 ? pick("[data-dec]")
        : kind === 3 ? pick("[data-add]")
        : kind === 4 && lines > 1 ? pick("[data-remove]")
        : null;
      if (button) return button.click();
      // Otherwise the HALF discount, on or off.
      const remove = document.querySelector('button[aria-label="Remove discount code"]');
      if (remove) return remove.click();
      document.querySelector("#discount-code").value = "half";
      document.querySelector("#discount-form").requestSubmit();
    }, [kind, k]);
    // A shopper's pauses: mostly quick clicks in a row, sometimes a look.
    await page.waitForTimeout(next() < 0.6 ? 60 + next() * 140 : 400 + next() * 1100);
  }
  await page.waitForFunction(() => ["ready", "invalid", "error"].includes(document.querySelector("#tax").status));
  await page.waitForTimeout(600);
  const events = await page.evaluate(() => window.__edgetaxEvents.filter((e) => e.type === "edgetax:estimate").map((e) => e.detail));
  await page.context().close();
  // A provisional figure against TaxJar's answer for the same cart key.
  const figures = (e) => JSON.stringify([e.amount_to_collect, e.shipping.tax_collectable, e.line_items.map((l) => [l.id, l.tax_collectable]).sort()]);
  let checked = 0;
  const misses = [];
  events.forEach((e, i) => {
    if (e.source !== "provisional") return;
    const truth = events.slice(i + 1).find((t) => t.key === e.key && t.source === "taxjar");
    if (!truth) return;
    checked++;
    if (figures(truth) !== figures(e)) misses.push({ provisional: e.amount_to_collect, taxjar: truth.amount_to_collect });
  });
  const count = (s) => events.filter((e) => e.source === s).length;
  return { calls: calls.count, provisional: count("provisional"), cache: count("cache"), taxjar: count("taxjar"), checked, misses };
}

const demo = await startDemo({ port: 0, workerPort: 0, mode: "fake" });
const browser = await launch();
try {
  console.log(`== P6 in Chromium, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}; baseline widget: ${BASELINE}`);
  const rows = [];
  for (const widget of ["current", "baseline"]) {
    const { undo, fresh } = await latencies(browser, demo, widget);
    const sources = (xs) => [...new Set(xs.map((x) => x.source))].join("/");
    rows.push([widget, "undo (memo hit)", sources(undo), median(undo.map((x) => x.first)), median(undo.map((x) => x.frame)), median(undo.map((x) => x.final))]);
    rows.push([widget, "new quantity", sources(fresh), median(fresh.map((x) => x.first)), median(fresh.map((x) => x.frame)), median(fresh.map((x) => x.final))]);
  }
  console.log(`medians over ${SAMPLES} edits each, from the click:`);
  console.log("widget    edit              first figure      to event    to next frame  to final figure");
  for (const [w, kind, source, first, frame, final] of rows) {
    console.log(`${w.padEnd(9)} ${kind.padEnd(17)} ${source.padEnd(17)} ${ms(first).padStart(9)}  ${ms(frame).padStart(12)}  ${ms(final).padStart(14)}`);
  }
  console.log(`\none session of ${SESSION_EDITS} random edits (seed 6), the same for each widget:`);
  for (const widget of ["current", "baseline"]) {
    const s = await session(browser, demo, widget);
    console.log(`${widget.padEnd(9)} calls to the Worker ${s.calls}; figures: ${s.provisional} provisional, ${s.cache} memo hits, ${s.taxjar} TaxJar; provisional figures checked against TaxJar's answer for the same cart: ${s.checked}, different: ${s.misses.length}${s.misses.length ? ` ${JSON.stringify(s.misses)}` : ""}`);
  }
} finally {
  await browser.close();
  await demo.stop();
}
