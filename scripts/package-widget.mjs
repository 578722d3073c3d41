#!/usr/bin/env node
// Adds the <edgetax-estimate> widget to the npm package, after
// `wasm-pack build --target web --release --out-name edgetax` (which rewrites
// pkg/package.json each time, so run this after every build):
//
//   www/widget/edgetax-estimate{.js,-template.js,.d.ts}  →  pkg/widget/
//   pkg/package.json: "files" += "widget", "sideEffects" += "./widget/*",
//                     "exports": ".", "./widget", and the wasm (for Workers)
//   pkg/*.d.ts: the raw wasm exports typed `unknown`, not `any`
//
// Idempotent. Usage: node scripts/package-widget.mjs [pkgDir]

import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PKG = resolve(process.argv[2] ?? join(ROOT, "pkg"));
const SRC = join(ROOT, "www", "widget");
const FILES = ["edgetax-estimate.js", "edgetax-estimate-template.js", "edgetax-estimate.d.ts"];

const manifestPath = join(PKG, "package.json");
if (!existsSync(manifestPath) || !existsSync(join(PKG, "edgetax.js"))) {
  console.error(`package-widget: no built package in ${PKG} (run wasm-pack build first)`);
  process.exit(1);
}

mkdirSync(join(PKG, "widget"), { recursive: true });
for (const file of FILES) copyFileSync(join(SRC, file), join(PKG, "widget", file));

const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const addTo = (list, item) => (list.includes(item) ? list : [...list, item]);

manifest.files = addTo(manifest.files ?? [], "widget");
// Importing the widget defines the custom element: bundlers must keep it.
if (Array.isArray(manifest.sideEffects)) manifest.sideEffects = addTo(manifest.sideEffects, "./widget/*");
else if (manifest.sideEffects === false) manifest.sideEffects = ["./widget/*"];

const main = manifest.module ?? manifest.main ?? "edgetax.js";
const types = manifest.types ?? "edgetax.d.ts";
const wasm = "edgetax_bg.wasm";
manifest.exports = {
  ".": { types: `./${types}`, default: `./${main}` },
  "./widget": { types: "./widget/edgetax-estimate.d.ts", default: "./widget/edgetax-estimate.js" },
  // Workers import the module itself: `import wasmModule from "edgetax/edgetax_bg.wasm"`.
  [`./${wasm}`]: `./${wasm}`,
  [`./${main}`]: { types: `./${types}`, default: `./${main}` },
  "./package.json": "./package.json",
};

// The raw wasm exports (`InitOutput` and edgetax_bg.wasm.d.ts) are typed
// `any` by wasm-bindgen; the package ships no `any`, so they say `unknown`
// (nobody calls them: the typed API above them does).
const noAny = (text) => text.replace(/\bany\b/g, "unknown");
const dts = join(PKG, types);
const api = readFileSync(dts, "utf8");
const start = api.indexOf("export interface InitOutput {");
if (start >= 0) {
  const end = api.indexOf("\n}\n", start);
  writeFileSync(dts, api.slice(0, start) + noAny(api.slice(start, end)) + api.slice(end));
}
const raw = join(PKG, `${wasm}.d.ts`);
if (existsSync(raw)) writeFileSync(raw, noAny(readFileSync(raw, "utf8")));

// wasm-pack writes 2-space JSON with a trailing newline; keep that.
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`package-widget: ${PKG}/widget/ (${FILES.join(", ")}), exports ".", "./widget"`);
