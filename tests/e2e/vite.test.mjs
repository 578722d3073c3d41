// A user's Vite app (issue #17): the packed tarball installed in a scratch
// project, `vite build`, the built site served and opened in Chromium. The
// page imports `edgetax` and `edgetax/widget` as a user would, calls
// init() and the exports; Vite must ship the .wasm itself.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { extname, join, normalize } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { scratchProject } from "../node/scratch-project.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const VITE = join(HERE, "node_modules", "vite", "bin", "vite.js");
let project;
let server;
let browser;

after(async () => {
  await browser?.close();
  server?.close();
  project?.remove();
});

test("a Vite build of an app using edgetax and edgetax/widget runs in Chromium", async () => {
  project = scratchProject("vite");
  const { dir, run } = project;
  writeFileSync(join(dir, "index.html"), `<!doctype html><html lang="en"><body>
<edgetax-estimate api-url="http://127.0.0.1:9"></edgetax-estimate>
<script type="module" src="/main.js"></script></body></html>`);
  writeFileSync(join(dir, "main.js"), `import init, { validateCart, taxRequest, version } from "edgetax";
import "edgetax/widget";
await init();
window.result = {
  version: version(),
  issues: validateCart({ to_zip: "9" }).map((i) => i.code),
  amount: taxRequest({ to_zip: "90002", to_state: "CA", amount: "10.50" }).amount,
  element: customElements.get("edgetax-estimate") === document.querySelector("edgetax-estimate").constructor,
};`);
  run(process.execPath, [VITE, "build", "--logLevel", "warn"]);
  const assets = readdirSync(join(dir, "dist", "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `no .wasm shipped: ${assets.join(", ")}`);

  const root = join(dir, "dist");
  server = await new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      const path = new URL(req.url, "http://x").pathname;
      const file = normalize(join(root, path === "/" ? "index.html" : path));
      const type = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" }[extname(file)];
      let body;
      try {
        if (!file.startsWith(root)) throw new Error("outside");
        body = readFileSync(file);
      } catch {
        return res.writeHead(404).end();
      }
      res.writeHead(200, { "content-type": type ?? "application/octet-stream" }).end(body);
    });
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 15_000 });
  const result = await page.evaluate(() => window.result);
  assert.deepEqual({ ...result, issues: undefined }, { version: "0.1.0", issues: undefined, amount: 10.5, element: true });
  assert.ok(result.issues.includes("invalid_zip"), result.issues.join(", "));
});
