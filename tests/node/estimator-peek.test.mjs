// Estimator.peek (#18): a cart's figure now, with no call: a memo hit, a
// skip, or a provisional estimate from the rates TaxJar gave the same tax
// context. Checked against the local TaxJar fake: exact call counts,
// counters untouched by peek, and provisional figures equal to TaxJar's
// to the cent over 200 scripted random edits.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Estimator } from "../../pkg/edgetax.js";
import { TOKEN, cart, fakeSession } from "./estimator-session.mjs";
import { rng } from "../../bench/rng.mjs";

const session = fakeSession();
const taxCalls = () => session.fake.stats()["POST /v2/taxes"] ?? 0;

function estimator(options = {}) {
  return new Estimator({ apiUrl: session.fake.url, apiKey: TOKEN, now: () => session.clock, ...options });
}

/** What a shopper sees: the total, shipping's tax and each line's tax. */
const figures = (e) => ({
  amount_to_collect: e.amount_to_collect,
  shipping: e.shipping.tax_collectable,
  lines: Object.fromEntries(e.line_items.map((l) => [l.id, l.tax_collectable])),
});

const ZERO_STATS = { calls: 0, cache_hits: 0, coalesced: 0, no_nexus_skips: 0, exempt_skips: 0, invalid: 0, errors: 0, provisional_hits: 0, provisional_misses: 0 };

test("peek: null before any answer, the memo hit after, and neither calls nor counts", async () => {
  const e = estimator();
  assert.equal(e.peek(cart()), null);
  assert.equal(e.peek({ ...cart(), to_zip: "123" }), null, "an invalid cart is null, not thrown");
  assert.deepEqual(e.stats(), ZERO_STATS);
  const first = await e.estimate(cart());
  const hit = e.peek(cart());
  assert.equal(hit.source, "cache");
  assert.equal(hit.provisional, false);
  assert.deepEqual(figures(hit), figures(first));
  assert.equal(taxCalls(), 1);
  assert.deepEqual(e.stats(), { ...ZERO_STATS, calls: 1 }, "peek counted nothing");
});

test("peek: a provisional figure for a new quantity equals TaxJar's, and is counted a hit", async () => {
  const e = estimator();
  await e.estimate(cart());
  const edited = cart({
    line_items: [
      { id: "1", quantity: 3, unit_price: 19.99, product_tax_code: "20010" },
      { id: "2", quantity: 1, unit_price: 9.95 },
      { id: "3", quantity: 2, unit_price: 4.5 },
    ],
  });
  const provisional = e.peek(edited);
  assert.equal(provisional.source, "provisional");
  assert.equal(provisional.provisional, true);
  assert.equal(taxCalls(), 1, "peek made no call");
  const truth = await e.estimate(edited);
  assert.equal(truth.source, "taxjar");
  assert.deepEqual(figures(provisional), figures(truth));
  assert.equal(taxCalls(), 2);
  assert.equal(e.stats().provisional_hits, 1);
  assert.equal(e.stats().provisional_misses, 0);
});

test("peek: null where the rate could differ: another unit price for a code, an unknown code, another place", async () => {
  const e = estimator();
  await e.estimate(cart());
  const line = (overrides) => cart({ line_items: [{ id: "1", quantity: 1, unit_price: 19.99, product_tax_code: "20010", ...overrides }] });
  assert.equal(e.peek(line({ unit_price: 120 })), null, "New York clothing at $120 is over the $110 threshold");
  assert.equal(e.peek(line({ product_tax_code: "40030" })), null, "a code never answered");
  assert.equal(e.peek(cart({ to_zip: "10001", to_city: "New York" })), null, "another tax context");
  assert.equal(e.peek(cart({ customer_id: "c-1" })), null, "another customer");
  // Lines without a code take the general rate at any price.
  assert.equal(e.peek(cart({ line_items: [{ id: "9", quantity: 1, unit_price: 500 }] })).source, "provisional");
  e.clear();
  assert.equal(e.peek(cart({ line_items: [{ id: "9", quantity: 1, unit_price: 500 }] })), null, "clear() forgets the rates");
  assert.equal(taxCalls(), 1);
});

test("peek: a destination TaxJar said has no nexus is zero at once", async () => {
  const e = estimator();
  const oregon = (items) => cart({ to_zip: "97035", to_state: "OR", to_city: "Lake Oswego", line_items: items });
  const first = await e.estimate(oregon([{ id: "1", quantity: 1, unit_price: 10 }]));
  assert.equal(first.has_nexus, false);
  const zero = e.peek(oregon([{ id: "7", quantity: 4, unit_price: 99, product_tax_code: "30070" }]));
  assert.equal(zero.source, "provisional");
  assert.equal(zero.has_nexus, false);
  assert.equal(zero.amount_to_collect, "0.00");
});

test("peek: a figure TaxJar then changes is counted a miss (the customer became exempt meanwhile)", async () => {
  const e = estimator();
  const mine = (items) => cart({ customer_id: "cust-42", line_items: items });
  await e.estimate(mine(cart().line_items));
  const edited = mine([{ id: "2", quantity: 5, unit_price: 9.95 }]);
  const provisional = e.peek(edited);
  assert.notEqual(provisional.amount_to_collect, "0.00");
  const created = await fetch(`${session.fake.url}/v2/customers`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ customer_id: "cust-42", exemption_type: "wholesale", name: "Reseller" }),
  });
  assert.equal(created.status, 201);
  const truth = await e.estimate(edited);
  assert.equal(truth.amount_to_collect, "0.00");
  assert.deepEqual(e.stats().provisional_misses, 1);
  assert.deepEqual(e.stats().provisional_hits, 0);
});

const CATALOG = [
  { unit_price: 19.99, product_tax_code: "20010" },
  { unit_price: 9.95 },
  { unit_price: 129, product_tax_code: "20010" },
  { unit_price: 3.49, product_tax_code: "40030" },
  { unit_price: 45 },
];

test("peek: 200 random edits: every provisional figure equals TaxJar's to the cent, no extra calls", async () => {
  const next = rng(18);
  const pick = (n) => Math.floor(next() * n);
  const e = estimator();
  let items = [{ id: "a0", quantity: 1, ...CATALOG[0] }];
  let discount = 0;
  let serial = 1;
  let provisional = 0;
  let nulls = 0;
  let hits = 0;
  const misses = [];
  for (let edit = 0; edit < 200; edit++) {
    const kind = pick(4);
    if (kind === 0 && items.length) {
      const at = pick(items.length);
      items = items.map((l, i) => (i === at ? { ...l, quantity: 1 + pick(5) } : l));
    } else if (kind === 1 || !items.length) {
      items = [...items, { id: `a${serial++}`, quantity: 1 + pick(3), ...CATALOG[pick(CATALOG.length)] }];
    } else if (kind === 2 && items.length > 1) {
      items = items.filter((_, i) => i !== pick(items.length));
    } else {
      discount = [0, 5, 12.5][pick(3)];
    }
    const c = cart({ line_items: items, order_discount: discount });
    const calls = taxCalls();
    const peeked = e.peek(c);
    assert.equal(taxCalls(), calls);
    const truth = await e.estimate(c);
    if (peeked === null) nulls++;
    else if (peeked.source === "cache") hits++;
    else {
      provisional++;
      if (JSON.stringify(figures(peeked)) !== JSON.stringify(figures(truth))) misses.push({ edit, items, peeked, truth });
    }
  }
  console.log(`# 200 edits: ${provisional} provisional, ${hits} memo hits, ${nulls} null; ${misses.length} provisional misses; ${taxCalls()} TaxJar calls`);
  assert.deepEqual(misses, []);
  assert.equal(e.stats().provisional_hits, provisional);
  assert.equal(e.stats().provisional_misses, 0);
  assert.ok(provisional >= 100, `most edits get a provisional figure (${provisional})`);
  assert.equal(e.stats().calls, taxCalls(), "every call was a needed one");
});
