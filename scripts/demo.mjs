// A worked estimate for a sample California cart, using the release pkg/ in
// Node. No network and no TaxJar token: the TaxJar answer is a canned one.
// Run with `make demo` (which builds pkg/ first).
//
// Temporary: a storefront demo replaces this later.

import { readFileSync } from "node:fs";
import {
  initSync,
  validateCart,
  taxRequest,
  applyTax,
  cartKey,
  version,
} from "../pkg/edgetax.js";

initSync({ module: readFileSync(new URL("../pkg/edgetax_bg.wasm", import.meta.url)) });

const cart = {
  from_country: "US",
  from_zip: "92093",
  from_state: "CA",
  from_city: "La Jolla",
  from_street: "9500 Gilman Drive",
  to_country: "US",
  to_zip: "90002",
  to_state: "CA",
  to_city: "Los Angeles",
  to_street: "1335 E 103rd St",
  shipping: 7.99,
  order_discount: 10,
  line_items: [
    { id: "1", description: "Trail Runner", quantity: 2, unit_price: 64.99, product_tax_code: "20010" },
    { id: "2", description: "Water bottle", quantity: 1, unit_price: 19.99 },
  ],
};

// What TaxJar answers for this cart at LA's 9.5% (6.25% state, 0.25% county,
// 3% special districts). The $10 order discount is split 8.67 / 1.33, so the
// lines are taxable at 121.31 and 18.66. TaxJar rounds each line on its own:
// 11.52 + 1.77 = 13.29, a cent short of the order's 13.30 (a known rounding
// quirk of the API). applyTax reconciles the lines to the order total.
const canned = {
  tax: {
    order_total_amount: 147.96,
    shipping: 7.99,
    taxable_amount: 139.97,
    amount_to_collect: 13.3,
    rate: 0.095,
    has_nexus: true,
    freight_taxable: false,
    tax_source: "destination",
    jurisdictions: { country: "US", state: "CA", county: "LOS ANGELES", city: "LOS ANGELES" },
    breakdown: {
      taxable_amount: 139.97,
      tax_collectable: 13.3,
      combined_tax_rate: 0.095,
      state_taxable_amount: 139.97,
      state_tax_rate: 0.0625,
      state_tax_collectable: 8.75,
      county_taxable_amount: 139.97,
      county_tax_rate: 0.0025,
      county_tax_collectable: 0.35,
      city_taxable_amount: 0,
      city_tax_rate: 0,
      city_tax_collectable: 0,
      special_district_taxable_amount: 139.97,
      special_tax_rate: 0.03,
      special_district_tax_collectable: 4.2,
      line_items: [
        {
          id: "1",
          taxable_amount: 121.31,
          tax_collectable: 11.52,
          combined_tax_rate: 0.095,
          state_taxable_amount: 121.31,
          state_sales_tax_rate: 0.0625,
          state_amount: 7.58,
          county_taxable_amount: 121.31,
          county_tax_rate: 0.0025,
          county_amount: 0.3,
          city_taxable_amount: 0,
          city_tax_rate: 0,
          city_amount: 0,
          special_district_taxable_amount: 121.31,
          special_tax_rate: 0.03,
          special_district_amount: 3.64,
        },
        {
          id: "2",
          taxable_amount: 18.66,
          tax_collectable: 1.77,
          combined_tax_rate: 0.095,
          state_taxable_amount: 18.66,
          state_sales_tax_rate: 0.0625,
          state_amount: 1.17,
          county_taxable_amount: 18.66,
          county_tax_rate: 0.0025,
          county_amount: 0.05,
          city_taxable_amount: 0,
          city_tax_rate: 0,
          city_amount: 0,
          special_district_taxable_amount: 18.66,
          special_tax_rate: 0.03,
          special_district_amount: 0.56,
        },
      ],
    },
  },
};

const heading = (text) => console.log(`\n== ${text} ==`);
const cents = (v) => Math.round(Number(v) * 100);
const show = (v) => (v === undefined || v === null ? "-" : String(v));

console.log(`edgetax ${version()}: a worked estimate (no network, canned TaxJar answer)`);

heading("Cart");
console.log(`from ${cart.from_city} ${cart.from_zip} ${cart.from_state}  ->  ${cart.to_street}, ${cart.to_city} ${cart.to_zip} ${cart.to_state}`);
for (const l of cart.line_items) {
  console.log(`  ${l.quantity} x ${l.description.padEnd(14)} $${l.unit_price}${l.product_tax_code ? `  (tax code ${l.product_tax_code})` : ""}`);
}
console.log(`  order discount $${cart.order_discount}, shipping $${cart.shipping}`);

heading("validateCart");
const errors = validateCart(cart);
if (errors.length === 0) {
  console.log("valid: no errors");
} else {
  for (const e of errors) console.log(`  ${e.code} at ${e.field ?? "(cart)"}: ${e.message}`);
}

heading("taxRequest: the POST /v2/taxes body");
console.log(JSON.stringify(taxRequest(cart, { plugin: "edgetax-demo" }), null, 2));

heading("TaxJar's answer (canned)");
const lineSum = canned.tax.breakdown.line_items.reduce((s, l) => s + cents(l.tax_collectable), 0);
console.log(`amount_to_collect ${canned.tax.amount_to_collect.toFixed(2)}, but its lines add up to ${(lineSum / 100).toFixed(2)}`);

heading("applyTax: the estimate");
const estimate = applyTax(cart, canned);
const byId = new Map(cart.line_items.map((l) => [String(l.id), l]));
const rows = [["line", "amount", "discount", "taxable", "tax"]];
for (const l of estimate.line_items ?? []) {
  const input = byId.get(String(l.id));
  const label = input?.description ? `${l.id} ${input.description}` : show(l.id);
  rows.push([label, show(l.amount), show(l.discount), show(l.taxable_amount), show(l.tax_collectable)]);
}
const ship = estimate.shipping ?? {};
rows.push(["shipping", show(ship.amount), show(ship.discount), show(ship.taxable_amount), show(ship.tax_collectable)]);
// The total row adds up the columns (in cents, from the decimal strings);
// taxable and tax are the estimate's own order-level figures.
const money = (c) => (c / 100).toFixed(2);
const sum = (key) => money([...(estimate.line_items ?? []), ship].reduce((s, r) => s + cents(r[key] ?? 0), 0));
rows.push(["total", sum("amount"), sum("discount"), show(estimate.taxable_amount), show(estimate.amount_to_collect)]);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const fmt = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(fmt(rows[0]));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows.slice(1, -1)) console.log(fmt(r));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
console.log(fmt(rows.at(-1)));
console.log(`order total ${show(estimate.order_total_amount)} + tax ${show(estimate.amount_to_collect)} = ${money(cents(estimate.order_total_amount) + cents(estimate.amount_to_collect))} to pay`);
console.log(`rate ${show(estimate.rate)}, source ${show(estimate.source)}, estimated ${show(estimate.estimated)}`);

heading("cartKey");
console.log(cartKey(cart));
