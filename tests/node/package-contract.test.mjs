// Contracts between the package's parts that no compiler checks: the error
// codes (Rust `Code`, the TypeScript `ErrorCode`, the widget's CART_CODES),
// and importing the widget where there is no DOM (server-side rendering).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

/** The codes `Code::as_str` gives, from src/error.rs. */
function rustCodes() {
  const source = read("src/error.rs");
  const body = source.slice(source.indexOf("pub fn as_str"), source.indexOf("impl fmt::Display for Code"));
  return new Set([...body.matchAll(/Code::\w+ => "(\w+)"/g)].map((m) => m[1]));
}

/** The members of `export type ErrorCode = ...` in a built .d.ts. */
function typeScriptCodes(path) {
  const dts = read(path);
  const start = dts.indexOf("export type ErrorCode =");
  const body = dts.slice(start, dts.indexOf(";", start));
  return new Set([...body.matchAll(/"(\w+)"/g)].map((m) => m[1]));
}

// Codes about TaxJar's answer or the network, not the cart: retrying can help.
const NOT_CART = ["upstream_unparseable", "upstream_error", "unauthorized", "timeout", "network_error", "exempt_with_tax", "amount_mismatch"];

test("the error codes agree: Rust Code, TypeScript ErrorCode (both builds), the widget's CART_CODES", async () => {
  const rust = rustCodes();
  assert.equal(rust.size, 19, [...rust].join(", "));
  assert.deepEqual(typeScriptCodes("pkg/edgetax.d.ts"), rust);
  assert.deepEqual(typeScriptCodes("pkg/server/edgetax_server.d.ts"), rust);
  const { CART_CODES } = await import("../../pkg/widget/edgetax-estimate-template.js");
  // Every Rust code is either a cart code (the widget says "check the cart")
  // or one of NOT_CART: a new code must be placed in one of them.
  for (const code of rust) assert.equal(CART_CODES.has(code), !NOT_CART.includes(code), code);
  for (const code of CART_CODES) assert.ok(rust.has(code), `CART_CODES has ${code}, which Rust does not`);
});

test("importing edgetax/widget on a server does not throw, and defines nothing", async () => {
  assert.equal(typeof globalThis.HTMLElement, "undefined");
  const widget = await import("../../pkg/widget/edgetax-estimate.js");
  assert.equal(typeof widget.EdgetaxEstimateElement, "function");
  assert.equal(widget.toCents("1.35"), 135n);
});

test("a page whose CSP refuses WebAssembly reads as wasm_blocked, not the browser's words", async () => {
  const { describe } = await import("../../pkg/widget/edgetax-estimate-template.js");
  assert.deepEqual(describe({ code: "wasm_blocked" }), [
    "Tax can't be shown on this page.",
    "This page's security settings block the tax calculator.",
  ]);
});
