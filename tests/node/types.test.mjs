// The published TypeScript types, checked against the built pkg/:
// tests/types/usage.ts must compile under `tsc --strict` (and its expected
// errors must stay errors), and no .d.ts of the package may use `any`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PKG = join(ROOT, "pkg");

test("tests/types/usage.ts compiles against pkg/ with tsc --strict", () => {
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tests", "types")], { encoding: "utf8" });
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});

/** The text of a .d.ts without its comments (where "any" is an English word). */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
}

test("no .d.ts of the package uses `any`", () => {
  const files = ["", "widget", "server", "worker"].flatMap((dir) =>
    readdirSync(join(PKG, dir))
      .filter((f) => f.endsWith(".d.ts"))
      .map((f) => join(dir, f)),
  );
  for (const expected of ["edgetax.d.ts", "edgetax_bg.wasm.d.ts", "server/edgetax_server.d.ts", "worker/index.d.ts"]) {
    assert.ok(files.includes(expected), `${expected} not in ${files.join(", ")}`);
  }
  for (const file of files) {
    const lines = code(readFileSync(join(PKG, file), "utf8")).split("\n");
    const found = lines.filter((line) => /\bany\b/.test(line));
    assert.deepEqual(found, [], `${file} uses any`);
  }
  // The scan itself finds one.
  assert.equal(/\bany\b/.test(code("/** if any */ f(x: any): void;")), true);
});
