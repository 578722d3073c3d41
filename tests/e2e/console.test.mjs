// The merchant console's first part (issue #19) in Chromium, against the
// demo stack's Worker (wrangler dev, the TaxJar fake): sign in with the
// keyboard only, see the status, sign out; a wrong passphrase is announced;
// axe finds no serious or critical violation signed out, after an error,
// and signed in. The page runs under its own CSP (no inline script).

import assert from "node:assert/strict";
import { test } from "node:test";
import { demoStack, focusedId, openConsolePage, seriousViolations } from "./browser.mjs";

const stack = demoStack({ mode: "fake" });

const openConsole = () => openConsolePage(stack);

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
  assert.equal(await page.locator("#token").textContent(), "configured (TAXJAR_API_TOKEN secret)");
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

  // Tab to Sign out (the last control), Enter.
  for (let i = 0; i < 300 && (await focusedId(page)) !== "signout"; i++) await page.keyboard.press("Tab");
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

// Last in this file: it locks this stack's address out of signing in for 10 minutes.
test("the 6th wrong passphrase within 10 minutes is refused with 429, and the page says when to try again", async () => {
  const { context, page, problems } = await openConsolePage(stack, (status, path) => status === 429 && path === "/console/api/session");
  for (let i = 1; i <= 6; i++) {
    await page.locator("#passphrase").fill(`wrong-${i}`);
    await page.locator("#passphrase").press("Enter");
    const expected = i <= 5 ? "That passphrase is not right." : "Too many failed attempts. Try again in 10 minutes.";
    await page.locator("#message.error").filter({ hasText: expected }).waitFor();
    await page.locator("#message").evaluate((el) => { el.textContent = ""; el.classList.remove("error"); });
  }
  // Even the right passphrase is refused now.
  await page.locator("#passphrase").fill(stack.demo.consoleKey);
  await page.locator("#passphrase").press("Enter");
  await page.locator("#message.error").filter({ hasText: "Too many failed attempts" }).waitFor();
  assert.equal(await page.locator("#signin").isVisible(), true);
  assert.deepEqual(problems, []);
  await context.close();
});
