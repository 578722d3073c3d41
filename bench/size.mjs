// Sizes of what users download: the release .wasm and its JS glue (pkg/),
// and the Worker bundle from `wrangler deploy --dry-run`. Each raw, gzip -9
// (the gzip program) and brotli (quality 11, as CDNs serve it).
//
//   node bench/size.mjs           all figures (needs `make build`, worker/ installed)
//   node bench/size.mjs --check   the .wasm budget only: exits 1 when
//                                 its gzip -9 size is over 80 KB (81,920 bytes)
//   node bench/size.mjs --ceiling the guard `make test` runs until the
//                                 budget can be met: exits 1 when the .wasm
//                                 grows past CEILING; reports the budget

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WASM = join(ROOT, "pkg", "edgetax_bg.wasm");
const BUDGET = 80 * 1024; // issue #9: gzip -9, everything included
// The .wasm is far over BUDGET (docs/BENCHMARKS.md, "Size"), so `make test`
// cannot enforce it yet; it enforces this instead, so the size does not
// grow unnoticed. Session 4 left the .wasm at 307,522 bytes gzip -9; the
// ceiling leaves room for fixes, not for features. Raise it only in a
// commit that says why, and lower it whenever the size drops.
// Raised from 310,000 for signed customer contexts (issue #16, hole 3):
// HMAC-SHA256, base64url (the base64 crate, ~2.5 KB gzip of it), token
// reading and checks, customerContext: 320,415 bytes gzip -9 with them.
const CEILING = 323_000;

const gzip9 = (bytes) => execFileSync("gzip", ["-9", "-c"], { input: bytes, maxBuffer: 1 << 28 }).length;
const brotli = (bytes) =>
  brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  }).length;
const sizes = (bytes) => ({ raw: bytes.length, gzip: gzip9(bytes), brotli: brotli(bytes) });
const n = (x) => x.toLocaleString("en-US");
const row = (name, s) => `| ${name} | ${n(s.raw)} | ${n(s.gzip)} | ${n(s.brotli)} |`;
const header = ["| file | raw | gzip -9 | brotli |", "| --- | --- | --- | --- |"];

function files(dir, keep) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && keep(f))
    .sort();
}

/** Prints the budget's verdict for `gz` (the .wasm's gzip -9 bytes); true when within. */
function budget(gz) {
  const over = gz - BUDGET;
  const verdict = over > 0 ? `OVER by ${n(over)} bytes` : `within, ${n(-over)} bytes to spare`;
  console.log(`budget: pkg/edgetax_bg.wasm gzip -9 ${n(gz)} bytes, budget ${n(BUDGET)} (80 KB): ${verdict}`);
  return over <= 0;
}

const wasmGzip = () => gzip9(readFileSync(WASM));

if (process.argv.includes("--check")) {
  process.exit(budget(wasmGzip()) ? 0 : 1);
}

if (process.argv.includes("--ceiling")) {
  const gz = wasmGzip();
  budget(gz);
  const verdict = gz > CEILING ? `OVER by ${n(gz - CEILING)} bytes` : `within, ${n(CEILING - gz)} bytes to spare`;
  console.log(`ceiling (growth guard until the budget can be met): ${n(CEILING)} bytes: ${verdict}`);
  process.exit(gz > CEILING ? 1 : 0);
}

console.log("command: node bench/size.mjs");
console.log("\nrelease pkg (wasm-pack build --target web --release, wasm-opt -Oz):");
console.log(header.join("\n"));
const wasm = sizes(readFileSync(WASM));
console.log(row("`pkg/edgetax_bg.wasm`", wasm));
const glue = [join(ROOT, "pkg", "edgetax.js"), ...files(join(ROOT, "pkg", "snippets"), (f) => f.endsWith(".js"))];
const glueBytes = glue.map((f) => readFileSync(f));
console.log(row("`pkg/edgetax.js` (glue)", sizes(glueBytes[0])));
console.log(row(`glue + ${glue.length - 1} inline-JS snippets`, sizes(Buffer.concat(glueBytes))));

// The Worker as `wrangler deploy` would upload it (no account needed).
const out = mkdtempSync(join(tmpdir(), "edgetax-size-"));
try {
  const log = execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], {
    cwd: join(ROOT, "worker"),
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  console.log("\nWorker bundle (cd worker && npx wrangler deploy --dry-run --outdir <tmp>):");
  console.log(header.join("\n"));
  const bundle = files(out, (f) => !f.endsWith(".map") && !f.endsWith(".md"));
  for (const f of bundle) {
    const name = f.slice(out.length + 1).replace(/^[0-9a-f]{40}-/, "");
    console.log(row(`\`${name}\``, sizes(readFileSync(f))));
  }
  console.log(row("total", sizes(Buffer.concat(bundle.map((f) => readFileSync(f))))));
  const total = log.match(/Total Upload: .*/);
  if (total) console.log(`wrangler: ${total[0].trim()}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log();
budget(wasm.gzip);
