// offlineEstimate from the release pkg in Node: the embedded statewide and
// Canadian rates, flagged, reconciled, and overridden by summary rates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, offlineEstimate } from "../../pkg/edgetax.js";

initSync({ module: readFileSync(new URL("../../pkg/edgetax_bg.wasm", import.meta.url)) });

const cents = (s) => Math.round(Number(s) * 100);
const sum = (e) => e.line_items.reduce((t, l) => t + cents(l.tax_collectable), cents(e.shipping.tax_collectable));

test("a California cart is a flagged 7.25% floor", () => {
  const e = offlineEstimate(
    { to_zip: "90002", to_state: "CA", shipping: 5, line_items: [{ id: "1", unit_price: 19.99, quantity: 2 }, { id: "2", unit_price: 10 }] },
    { date: "2026-11-21" },
  );
  assert.equal(e.source, "offline");
  assert.equal(e.estimated, true);
  assert.equal(e.rate, "0.0725");
  assert.equal(e.amount_to_collect, "3.62"); // 49.98 × 7.25% = 3.62355; CA shipping is not taxed
  assert.equal(e.shipping.tax_collectable, "0.00");
  assert.deepEqual(e.warnings, ["local rates may apply"]);
  assert.equal(sum(e), cents(e.amount_to_collect));
});

test("summary rates replace the embedded rate and date the estimate", () => {
  const rates = JSON.parse(readFileSync(new URL("../../../shared/conformance/taxjar-ruby-fixtures/summary_rates.json", import.meta.url), "utf8"));
  const e = offlineEstimate({ to_zip: "90002", to_state: "CA", line_items: [{ id: "1", unit_price: 100 }] }, { ...rates, fetched_at: "2026-11-20" });
  assert.equal(e.rate, "0.0827");
  assert.equal(e.amount_to_collect, "8.27");
  assert.equal(e.rates_as_of, "2026-11-20");
});

test("bad rates input is a clear error", () => {
  assert.throws(() => offlineEstimate({ to_zip: "90002", to_state: "CA", amount: 1 }, { date: "yesterday" }), { code: "invalid_value", field: "rates.date" });
  // A wrong type names its field, worded as every option error is.
  const cart = { to_zip: "90002", to_state: "CA", amount: 1 };
  const named = (field, message) => ({ code: "invalid_type", field, message });
  assert.throws(() => offlineEstimate(cart, 5), named("rates", "rates must be an object or JSON text"));
  assert.throws(() => offlineEstimate(cart, { summary_rates: {} }), named("rates.summary_rates", "rates.summary_rates must be an array"));
  assert.throws(() => offlineEstimate(cart, { shipping_taxable: { NY: "yes" } }), named("rates.shipping_taxable.NY", "rates.shipping_taxable.NY must be true or false"));
  assert.throws(() => offlineEstimate(cart, { date: true }), named("rates.date", "rates.date must be a date"));
  assert.throws(
    () => offlineEstimate(cart, { summary_rates: [{ country_code: "US", region_code: "CA", average_rate: { rate: [] } }] }),
    named("rates.summary_rates[0].average_rate.rate", "rates.summary_rates[0].average_rate.rate must be a number or a decimal string"),
  );
});
