// Shared by the e2e tests: Chromium as this machine runs it, and a
// recorder of the widget's events (each with its detail and the time).

import { after, before } from "node:test";
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
