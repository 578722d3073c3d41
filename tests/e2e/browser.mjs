// Shared by the e2e tests: Chromium as this machine runs it, and a
// recorder of the widget's events (each with its detail and the time).

import { after, before } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import { chromium } from "playwright-core";
import { startDemo } from "../../scripts/demo-storefront.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Records every `edgetax:estimate` and `edgetax:error` in `window.__edgetaxEvents`. */
export function recordEvents(page) {
  return page.addInitScript(() => {
    window.__edgetaxEvents = [];
    for (const type of ["edgetax:estimate", "edgetax:error"]) {
      document.addEventListener(type, (e) => {
        const d = e.detail;
        const detail = d instanceof Error
          ? { name: d.name, message: d.message, code: d.code, field: d.field, status: d.status }
          : JSON.parse(JSON.stringify(d));
        window.__edgetaxEvents.push({ type, detail, at: performance.now() });
      });
    }
  });
}

/**
 * The demo shop (Worker and TaxJar fake) and Chromium, started before the
 * calling file's tests and stopped after them: `{ demo, browser }`.
 */
export function demoStack(options = { mode: "fake" }) {
  const stack = { demo: null, browser: null };
  before(async () => {
    stack.demo = await startDemo({ port: 0, workerPort: 0, ...options });
    stack.browser = await launch();
  });
  after(async () => {
    await stack.browser?.close();
    await stack.demo?.stop();
  });
  return stack;
}

/** axe's serious and critical violations on `page`, as `id: targets` lines. */
export async function seriousViolations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
}

/** The id of the focused element ("" for none). */
export const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? "");

/**
 * A fresh context (axe needs one) on the merchant console of `stack`'s
 * Worker, signed out, with its problems recorded: page errors, console
 * errors, and answers of 400 or more other than `expected(status, path)`
 * (the session check's and a wrong passphrase's 401, and /favicon.ico,
 * are always expected).
 */
export async function openConsolePage(stack, expected = () => false) {
  const context = await stack.browser.newContext({ viewport: { width: 1100, height: 800 }, locale: "en-US" });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => {
    // Failed loads are judged by their responses, below.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) problems.push(msg.text());
  });
  page.on("response", (res) => {
    const path = new URL(res.url()).pathname;
    const always = (res.status() === 401 && path === "/console/api/session") || path === "/favicon.ico";
    if (res.status() >= 400 && !always && !expected(res.status(), path)) problems.push(`${res.status()} ${path}`);
  });
  await page.goto(stack.demo.consoleUrl);
  await page.locator("#signin").waitFor({ state: "visible" });
  return { context, page, problems };
}

/** Signs in to the console page with the keyboard only. */
export async function signInWithKeyboard(page, passphrase) {
  await page.locator("#passphrase").focus();
  await page.keyboard.type(passphrase);
  await page.keyboard.press("Enter");
  await page.locator("#signed-in").waitFor({ state: "visible" });
}
