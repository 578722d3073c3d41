// The merchant console's first part (issue #19) in Chromium, against the
// demo stack's Worker (wrangler dev, the TaxJar fake): sign in with the
// keyboard only, see the status, sign out; a wrong passphrase is announced;
// axe finds no serious or critical violation signed out, after an error,
// and signed in. The page runs under its own CSP (no inline script).

import assert from "node:assert/strict";
import { test } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import { demoStack } from "./browser.mjs";

const WAIT_MS = 20_000;
const stack = demoStack({ mode: "fake" });

async function seriousViolations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
}

/** A fresh context (axe needs one) on the console page, its errors recorded. */
async function openConsole() {
  const context = await stack.browser.newContext({ viewport: { width: 1100, height: 800 }, locale: "en-US" });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => {
    // Failed loads are judged by their responses, below.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) problems.push(msg.text());
  });
  page.on("response", (res) => {
    const path = new URL(res.url()).pathname;
    // Expected: the session check and a wrong passphrase (401), and the
    // browser's own /favicon.ico (the Worker has none).
    const expected = (res.status() === 401 && path === "/console/api/session") || path === "/favicon.ico";
    if (res.status() >= 400 && !expected) problems.push(`${res.status()} ${path}`);
  });
  await page.goto(stack.demo.consoleUrl);
  await page.locator("#signin").waitFor({ state: "visible" });
  return { context, page, problems };
}

const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? "");

test("sign in with the keyboard only, see the status, sign out; axe in every state", async () => {
  const { context, page, problems } = await openConsole();
  assert.deepEqual(await seriousViolations(page), [], "signed out");

  // Tab to the passphrase field, type a wrong one, Enter.
  await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "passphrase");
  await page.keyboard.type("not-the-passphrase");
  await page.keyboard.press("Enter");
  await page.locator("#message.error").waitFor();
  assert.equal(await page.locator("#message").textContent(), "That passphrase is not right.");
  assert.equal(await page.locator("#message").getAttribute("role"), "status");
  assert.equal(await focusedId(page), "passphrase");
  assert.deepEqual(await seriousViolations(page), [], "after an error");

  // The right one.
  await page.keyboard.type(stack.demo.consoleKey);
  await page.keyboard.press("Enter");
  await page.locator("#status").waitFor({ state: "visible" });
  assert.equal(await page.locator("#signin").isHidden(), true);
  assert.equal(await page.locator("#message").textContent(), "Signed in.");
  assert.equal(await page.locator("#token").textContent(), "configured");
  const host = new URL(stack.demo.fakeUrl).host;
  assert.equal(await page.locator("#environment").textContent(), `custom (${host})`);
  assert.equal(await focusedId(page), "status-title");
  assert.deepEqual(await seriousViolations(page), [], "signed in");

  // The cookie is HttpOnly, SameSite=Strict, Path=/console, not Secure on 127.0.0.1.
  const [cookie] = await context.cookies(stack.demo.consoleUrl);
  assert.equal(cookie.name, "edgetax_console");
  assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.path, cookie.secure], [true, "Strict", "/console", false]);
  assert.deepEqual(await page.evaluate(() => document.cookie), "");

  // A reload keeps the session.
  await page.reload();
  await page.locator("#status").waitFor({ state: "visible" });

  // Tab to Sign out, Enter.
  await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "signout");
  await page.keyboard.press("Enter");
  await page.locator("#signin").waitFor({ state: "visible" });
  assert.equal(await page.locator("#message").textContent(), "Signed out.");
  assert.equal(await focusedId(page), "passphrase");
  assert.deepEqual(await context.cookies(stack.demo.consoleUrl), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the console page sends its CSP and the demo prints a passphrase", async () => {
  assert.match(stack.demo.consoleKey, /^demo-[A-Za-z0-9_-]{12}$/);
  assert.equal(stack.demo.consoleUrl, `${stack.demo.apiUrl}/console`);
  const res = await fetch(stack.demo.consoleUrl);
  await res.text();
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-security-policy"), "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  assert.equal(res.headers.get("access-control-allow-origin"), null);
});
