// "Deploy the Worker from npm" as the README shows it (issue #17): a
// scratch Worker project with the packed tarball installed, the README's
// wrangler.toml and a one-line src/index.js, run in workerd by
// `wrangler dev`. No Rust and no clone of this repository are involved.
// Without a token it must answer a browser's cart with a backup estimate,
// and refuse a foreign origin.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startWranglerDev } from "../scripts/wrangler-dev.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "edgetax-npm-worker-"));
const SHOP = "https://shop.example";
let dev;

before(async () => {
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const packed = JSON.parse(run("npm", ["pack", join(ROOT, "pkg"), "--json", "--pack-destination", dir]))[0];
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "tax-worker", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", join(dir, packed.filename)]);
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "index.js"), 'export { default } from "edgetax/worker";\n');
  // The README's template, as written there.
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const toml = /```toml\n(name = "tax-worker"[\s\S]*?)```/.exec(readme)[1];
  writeFileSync(join(dir, "wrangler.toml"), toml);
  dev = await startWranglerDev({ cwd: dir, vars: { ALLOWED_ORIGINS: SHOP } });
});

after(async () => {
  await dev?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the Worker from npm answers a browser's cart (a backup estimate without a token)", async () => {
  const cart = { to_country: "US", to_zip: "90002", to_state: "CA", amount: "10.00", shipping: "0" };
  const res = await fetch(`${dev.base}/v2/taxes`, {
    method: "POST",
    headers: { Origin: SHOP, "Content-Type": "application/json" },
    body: JSON.stringify(cart),
  });
  const body = await res.json();
  assert.deepEqual(
    [res.status, res.headers.get("access-control-allow-origin"), res.headers.get("x-edgetax-source"), body.tax.estimated],
    [200, SHOP, "offline", true],
  );
});

test("…and refuses another origin, as the repo's Worker does", async () => {
  const res = await fetch(`${dev.base}/v2/categories`, { headers: { Origin: "https://evil.example" } });
  assert.deepEqual([res.status, await res.json()], [403, { error: "Forbidden", detail: "this origin is not allowed", status: 403 }]);
});
