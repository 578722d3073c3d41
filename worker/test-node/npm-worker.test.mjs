// "Deploy the Worker from npm" as the README shows it (issue #17): a
// scratch Worker project with the packed tarball installed, the README's
// wrangler.toml and a one-line src/index.js, run in workerd by
// `wrangler dev`. No Rust and no clone of this repository are involved.
// Without a token it must answer a browser's cart with a backup estimate,
// and refuse a foreign origin.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchProject } from "../../tests/node/scratch-project.mjs";
import { startWranglerDev } from "../scripts/wrangler-dev.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHOP = "https://shop.example";
let dev;
let project;

before(async () => {
  project = scratchProject("tax-worker");
  const { dir } = project;
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
  project?.remove();
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
