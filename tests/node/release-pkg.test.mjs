// Tests the release package exactly as npm users get it: pkg/ built by
// `wasm-pack build --target web --release` (wasm-opt'd), loaded in Node
// through its Node entries, which need no init().
// Run with `node --test tests/node/` after `make build`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import init, {
  Estimator,
  allocate,
  validateCart,
  taxRequest,
  applyTax,
  cartKey,
  version,
} from "../../pkg/node.js";
import * as server from "../../pkg/server/node.js";

const wasmUrl = new URL("../../pkg/edgetax_bg.wasm", import.meta.url);

/** Runs `fn`, asserting it throws an `Error` with the given `code`. */
function assertThrowsCode(fn, code) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.equal(err.code, code);
    return true;
  });
}

test("allocate splits by largest remainder, first lines take the extra cents", () => {
  assert.deepEqual(allocate("10.00", [1, 1, 1]), ["3.34", "3.33", "3.33"]);
  assert.deepEqual(allocate("-10.00", [1, 1, 1]), ["-3.34", "-3.33", "-3.33"]);
  assert.deepEqual(allocate("1.00", [0, 1]), ["0.00", "1.00"]);
});

test("allocate with no weights throws invalid_value", () => {
  assertThrowsCode(() => allocate("1.00", []), "invalid_value");
});

test("taxRequest builds the exact POST /v2/taxes body without float noise", () => {
  const body = taxRequest({
    to_country: "US",
    to_zip: "90002",
    to_state: "CA",
    shipping: 1.5,
    line_items: [{ id: "1", quantity: 3, unit_price: 9.98 }],
  });
  assert.equal(body.amount, 29.94);
  assert.equal(body.shipping, 1.5);
  assert.equal(body.line_items.length, 1);
  const [line] = body.line_items;
  assert.equal(line.id, "1");
  assert.equal(line.unit_price, 9.98);
  assert.equal(line.quantity, 3);
  assert.equal(line.discount, 0);
  const json = JSON.stringify(body);
  assert.ok(json.includes("29.94"), json);
  assert.ok(!json.includes("29.939999"), json);
});

test("validateCart reports every bad field with its code and path", () => {
  const errors = validateCart({
    to_country: "US",
    to_state: "CA",
    to_zip: "123",
    line_items: [{ id: "a", unit_price: -1 }],
  });
  assert.ok(Array.isArray(errors), "validateCart returns an array");
  const found = (code, field) => errors.some((e) => e.code === code && e.field === field);
  assert.ok(found("invalid_zip", "to_zip"), JSON.stringify(errors));
  assert.ok(found("invalid_amount", "line_items[0].unit_price"), JSON.stringify(errors));
  for (const e of errors) {
    assert.equal(typeof e.message, "string");
  }
});

test("applyTax on TaxJar's documented United States scenario", () => {
  const scenarioUrl = new URL(
    "../../../shared/conformance/taxjar-docs/taxes/united-states.json",
    import.meta.url,
  );
  const { request: cart, response } = JSON.parse(readFileSync(scenarioUrl, "utf8"));
  const estimate = applyTax(cart, response);
  assert.equal(estimate.amount_to_collect, "1.35");
  assert.equal(estimate.line_items.length, 1);
  assert.equal(estimate.line_items[0].id, "1");
  assert.equal(estimate.line_items[0].tax_collectable, "1.35");
  assert.equal(estimate.shipping.tax_collectable, "0.00");
  assert.equal(estimate.source, "taxjar");
  assert.equal(estimate.estimated, false);
  assert.equal(estimate.key, cartKey(cart));
});

test("applyTax reads absent has_nexus, freight_taxable and tax_source as the types say", () => {
  const cart = { to_country: "US", to_zip: "90002", to_state: "CA", line_items: [{ id: "a", unit_price: "10" }] };
  const estimate = applyTax(cart, { tax: { amount_to_collect: "0.00" } });
  assert.equal(estimate.has_nexus, false);
  assert.equal(estimate.freight_taxable, false);
  assert.equal(estimate.tax_source, null);
  assert.equal(estimate.amount_to_collect, "0.00");
  assert.equal(estimate.line_items[0].tax_collectable, "0.00");
});

test("taxRequest and applyTax options: each read as documented, a wrong one named", () => {
  const cart = { to_country: "US", to_zip: "90002", to_state: "CA", line_items: [{ id: "a", unit_price: "10" }] };
  const text = JSON.stringify({ tax: { amount_to_collect: "0.95", has_nexus: true, rate: 0.095, taxable_amount: 10 } });
  assert.equal(applyTax(cart, text, { status: 200 }).amount_to_collect, "0.95");
  assert.equal(applyTax(cart, text, null).amount_to_collect, "0.95");
  const error = '{"error":"Bad Request","detail":"to_zip is wrong","status":400}';
  assert.throws(() => applyTax(cart, error, { status: 400 }), { code: "upstream_error", status: 400, detail: "to_zip is wrong" });
  assert.deepStrictEqual(applyTax(cart, text, { warning: '299 - "rates may be stale"' }).warnings, ['299 - "rates may be stale"']);
  assert.equal(taxRequest(cart, { plugin: "shop" }).plugin, "shop");
  const named = (code, field, message) => ({ code, field, message });
  assert.throws(() => applyTax(cart, text, { status: "200" }), named("invalid_type", "options.status", "options.status must be a number"));
  assert.throws(() => applyTax(cart, text, { status: 99 }), named("invalid_value", "options.status", "options.status 99 is not an HTTP status (100 to 599)"));
  assert.throws(() => applyTax(cart, text, { status: 200.5 }), { code: "invalid_value", field: "options.status" });
  assert.throws(() => applyTax(cart, text, { warning: 5 }), named("invalid_type", "options.warning", "options.warning must be a string"));
  assert.throws(() => applyTax(cart, text, "yes"), named("invalid_type", "options", "options must be an object"));
  assert.throws(() => taxRequest(cart, { plugin: 7 }), named("invalid_type", "options.plugin", "options.plugin must be a string"));
  assert.throws(() => taxRequest(cart, { dialect: "klingon" }), { code: "invalid_value", field: "options.dialect" });
});

test("the browser build speaks v2; the legacy dialects are in edgetax/server", async () => {
  // init() in Node is harmless: the entry already compiled the wasm.
  await init();
  const cart = { to_country: "US", to_zip: "07446", to_state: "NJ", amount: "28.93" };
  assert.equal(taxRequest(cart, { dialect: "v2" }).amount, 28.93);
  const legacy = /the legacy dialects are in edgetax\/server/;
  for (const call of [() => taxRequest(cart, { dialect: "legacy-standard" }), () => applyTax(cart, "{}", { dialect: "legacy-enhanced" })]) {
    assert.throws(call, (e) => e instanceof Error && e.code === "invalid_value" && e.field === "options.dialect" && legacy.test(e.message));
  }
  assert.equal(server.taxRequest(cart, { dialect: "legacy-standard" }).path, "/sales_tax");
  // What each build exports: the server's extras are not in the browser's.
  const browser = await import("../../pkg/node.js");
  for (const name of ["WorkerProxy", "TransactionSync", "orderTransaction", "refundTransaction", "shouldSync",
    "customerRequest", "planBackfill", "exportCsv", "payloadHash", "authorizationHeader", "parseLegacyLocation"]) {
    assert.equal([name, typeof server[name]].join(" "), `${name} function`);
    assert.equal([name, typeof browser[name]].join(" "), `${name} undefined`);
  }
  for (const name of ["init", "initSync", "Estimator", "validateCart", "taxRequest", "applyTax", "cartKey", "allocate", "offlineEstimate", "version"]) {
    const fn = name === "init" ? browser.default : browser[name];
    assert.equal([name, typeof fn].join(" "), `${name} function`);
  }
});

test("cartKey ignores line order and money spelling, not the address", () => {
  const cart = {
    to_country: "US",
    to_zip: "90002",
    to_state: "CA",
    to_street: "1335 E 103rd St",
    line_items: [
      { id: "a", quantity: 1, unit_price: 10 },
      { id: "b", quantity: 2, unit_price: "4.50" },
    ],
  };
  const reordered = {
    ...cart,
    line_items: [
      { id: "b", quantity: 2, unit_price: "4.50" },
      { id: "a", quantity: 1, unit_price: "10.00" },
    ],
  };
  const key = cartKey(cart);
  assert.equal(typeof key, "string");
  assert.ok(key.length > 0);
  assert.equal(cartKey(reordered), key);
  assert.notEqual(cartKey({ ...cart, to_street: "1 Other St" }), key);
});

test("version() is the crate version in Cargo.toml", () => {
  const toml = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8");
  const pkgSection = toml.split(/^\[/m).find((s) => s.startsWith("package]"));
  const m = /^version\s*=\s*"([^"]+)"/m.exec(pkgSection);
  assert.ok(m, "Cargo.toml has a [package] version");
  assert.equal(version(), m[1]);
});

test("the release .wasm is the optimized one (no debug sections, under 1 MB)", () => {
  // An unoptimized or debug build is well over 1 MB and carries a
  // `.debug_info` section; the size budget itself is checked by `make test`.
  const bytes = readFileSync(wasmUrl);
  assert.ok(bytes.length < 1024 * 1024, `pkg/edgetax_bg.wasm is ${bytes.length} bytes`);
  assert.equal(bytes.includes(Buffer.from(".debug_info")), false);
});

test("a misspelt option is an invalid_value error naming it and the closest known one", () => {
  const named = (field, message) => ({ code: "invalid_value", field, message });
  assert.throws(() => new Estimator({ apiUrl: "https://tax.example", ttlSecond: 60 }),
    named("ttlSecond", "ttlSecond is not an option: did you mean ttlSeconds?"));
  assert.throws(() => new Estimator({ apiURL: "https://tax.example" }),
    named("apiURL", "apiURL is not an option: did you mean apiUrl?"));
  const cart = { to_country: "US", to_zip: "90002", to_state: "CA", amount: "10" };
  assert.throws(() => taxRequest(cart, { plugn: "shop" }), named("options.plugn", "options.plugn is not an option: did you mean plugin?"));
  assert.throws(() => applyTax(cart, "{}", { colour: 1 }),
    named("options.colour", "options.colour is not an option (known: dialect, status, warning)"));
  assert.throws(() => new server.TransactionSync({ apiUrl: "https://api.taxjar.com", apiKey: "k", refundSufix: "-r" }),
    named("refundSufix", "refundSufix is not an option: did you mean refundSuffix?"));
  // Every documented option is still accepted.
  const all = { apiUrl: "https://tax.example", apiKey: "k", ttlSeconds: 1, maxEntries: 2, timeoutMs: 3, nexusRegions: "fetch",
    defaults: {}, plugin: "p", storage: "none", offline: false, onLog: () => {}, now: () => 0 };
  assert.equal(typeof new Estimator(all).estimate, "function");
});
