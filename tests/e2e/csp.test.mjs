// A page whose Content Security Policy does not allow WebAssembly (no
// 'wasm-unsafe-eval' in script-src): the widget must tell the shopper that
// tax can't be shown on this page, and its edgetax:error carries code
// `wasm_blocked` (issue #17). With 'wasm-unsafe-eval' the same page works.
// A small static server for pkg/ here; no Worker is needed, since the wasm
// is refused before any estimate.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const PAGE = `<!doctype html><html lang="en"><body>
<edgetax-estimate api-url="http://127.0.0.1:9"></edgetax-estimate>
<script type="module" src="/page.js"></script></body></html>`;
const SCRIPT = `import "/pkg/widget/edgetax-estimate.js";
const el = document.querySelector("edgetax-estimate");
window.result = new Promise((resolve) => {
  el.addEventListener("edgetax:error", (e) => resolve({ code: e.detail.code, status: el.status }));
  el.addEventListener("edgetax:estimate", () => resolve({ code: "estimated" }));
});
el.cart = { to_country: "US", to_zip: "90002", to_state: "CA", amount: "10" };`;

let server;
let browser;

/** Serves the page (with `csp`) and pkg/ under /pkg/. */
function start(csp) {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      const path = new URL(req.url, "http://x").pathname;
      const headers = { "content-security-policy": csp };
      if (path === "/") return res.writeHead(200, { ...headers, "content-type": "text/html" }).end(PAGE);
      if (path === "/page.js") return res.writeHead(200, { ...headers, "content-type": "text/javascript" }).end(SCRIPT);
      const file = normalize(join(PKG, path.replace(/^\/pkg\//, "")));
      if (!path.startsWith("/pkg/") || !file.startsWith(PKG)) return res.writeHead(404).end();
      let body;
      try {
        body = readFileSync(file);
      } catch {
        return res.writeHead(404).end();
      }
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    });
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function visit(csp) {
  server?.close();
  server = await start(csp);
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await page.evaluate(() => window.result);
  const text = await page.locator("edgetax-estimate").evaluate((el) => el.shadowRoot.textContent);
  await page.close();
  return { ...result, text };
}

test("without 'wasm-unsafe-eval' the widget says tax can't be shown here (wasm_blocked)", async () => {
  const r = await visit("default-src 'self'; script-src 'self'");
  assert.deepEqual([r.code, r.status], ["wasm_blocked", "error"]);
  assert.ok(r.text.includes("Tax can't be shown on this page."), r.text);
  assert.ok(!/unsafe-eval|CompileError/.test(r.text), r.text);
});

test("with 'wasm-unsafe-eval' the wasm runs (the error is the unreachable Worker's)", async () => {
  const r = await visit("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' http://127.0.0.1:9");
  assert.equal(r.code, "network_error");
});
