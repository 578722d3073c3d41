// The Estimator's memo-hit path in Node, against the local TaxJar fake: a
// cart text seen before is looked up without being parsed again, and that
// shortcut must never serve an answer the memo itself would not (TTL,
// clear(), LRU eviction, nexus regions that changed, a changed cart).
// Exact upstream call counts; time is driven by the `now` option.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Estimator } from "../../pkg/edgetax.js";
import { startFake } from "../fake-taxjar/server.mjs";
import { TOKEN, cart, fakeSession } from "./estimator-session.mjs";

const session = fakeSession();
const taxCalls = (f = session.fake) => f.stats()["POST /v2/taxes"] ?? 0;

function estimator(options = {}, f = session.fake) {
  return new Estimator({ apiUrl: f.url, apiKey: TOKEN, now: () => session.clock, ...options });
}

test("the same cart object changed in place is asked again, and changed back is a hit", async () => {
  const e = estimator();
  const c = cart();
  const first = await e.estimate(c);
  assert.equal(first.order_total_amount, "47.88");
  assert.equal((await e.estimate(c)).source, "cache");
  c.shipping = 0;
  const free = await e.estimate(c);
  assert.equal(free.source, "taxjar");
  assert.equal(free.order_total_amount, "39.89");
  c.line_items[1].quantity = 3;
  const three = await e.estimate(c);
  assert.equal(three.source, "taxjar");
  assert.equal(three.order_total_amount, "49.84");
  assert.equal(taxCalls(), 3);
  c.shipping = 7.99;
  c.line_items[1].quantity = 2;
  const back = await e.estimate(c);
  assert.equal(back.source, "cache");
  assert.equal(back.order_total_amount, "47.88");
  assert.equal(taxCalls(), 3);
  assert.deepEqual(e.stats(), { calls: 3, cache_hits: 2, coalesced: 0, no_nexus_skips: 0, exempt_skips: 0, invalid: 0, errors: 0, provisional_hits: 0, provisional_misses: 0 });
});

test("the cart is read when estimate() is called, not when the promise settles", async () => {
  const e = estimator();
  const c = cart();
  const pending = e.estimate(c);
  c.shipping = 100;
  assert.equal((await pending).order_total_amount, "47.88");
  await e.estimate(cart());
  const hit = e.estimate(c); // shipping 100: not the memoized cart
  c.shipping = 7.99;
  const answer = await hit;
  assert.equal(answer.source, "taxjar");
  assert.equal(answer.order_total_amount, "139.89");
  assert.equal(taxCalls(), 2);
});

test("a hit dies with the TTL, to the millisecond, and the next answer is a new object", async () => {
  const e = estimator({ ttlSeconds: 10 });
  const c = cart();
  const fresh = await e.estimate(c);
  const hit = await e.estimate(c);
  session.clock += 9_999;
  assert.equal(await e.estimate(c), hit, "the same frozen object until the TTL");
  session.clock += 1; // expires_at <= now
  const again = await e.estimate(c);
  assert.equal(again.source, "taxjar");
  assert.notEqual(again, fresh);
  assert.equal(taxCalls(), 2);
  session.clock += 9_999;
  assert.equal((await e.estimate(c)).source, "cache");
  session.clock += 1;
  assert.equal((await e.estimate(c)).source, "taxjar");
  assert.equal(taxCalls(), 3);
  assert.equal(e.stats().cache_hits, 3);
});

test("clear() forgets the answer for a cart text seen before", async () => {
  const e = estimator();
  const c = cart();
  await e.estimate(c);
  assert.equal((await e.estimate(c)).source, "cache");
  e.clear();
  assert.equal((await e.estimate(c)).source, "taxjar");
  assert.equal((await e.estimate(c)).source, "cache");
  assert.equal(taxCalls(), 2);
  assert.equal(e.stats().cache_hits, 2);
});

test("LRU eviction: an evicted cart is asked again, however often its text was seen", async () => {
  const e = estimator({ maxEntries: 3 });
  const carts = Array.from({ length: 10 }, (_, i) => cart({ shipping: i }));
  for (const c of carts) await e.estimate(c);
  assert.equal(taxCalls(), 10);
  for (const c of carts.slice(7)) assert.equal((await e.estimate(c)).source, "cache");
  assert.equal(taxCalls(), 10);
  for (const c of carts.slice(0, 7)) assert.equal((await e.estimate(c)).source, "taxjar");
  assert.equal(taxCalls(), 17);
  // Two texts of one cart (lines reordered) share one memo entry: evicting
  // it evicts both.
  const one = estimator({ maxEntries: 1 });
  const a = cart();
  const reversed = cart({ line_items: [...cart().line_items].reverse() });
  await one.estimate(a);
  assert.deepEqual((await one.estimate(reversed)).line_items.map((l) => l.id), ["2", "1"]);
  await one.estimate(cart({ shipping: 1 }));
  assert.equal((await one.estimate(reversed)).source, "taxjar");
  assert.equal((await one.estimate(a)).source, "cache");
  assert.equal(taxCalls(), 20);
});

test("nexus regions fetched again without the destination turn a memoized cart into a skip", async () => {
  const own = await startFake({ token: TOKEN, nexusRegions: ["US-NY", "US-CA"] });
  try {
    const e = estimator({ nexusRegions: "fetch", ttlSeconds: 100 }, own);
    await e.estimate(cart({ to_zip: "90002", to_state: "CA", to_city: "Los Angeles" })); // fetches the regions
    session.clock += 50_000;
    const ny = cart();
    assert.equal((await e.estimate(ny)).source, "taxjar");
    assert.equal((await e.estimate(ny)).source, "cache"); // memoized until +150 s
    const i = own.state.nexusRegions.findIndex((r) => r.region_code === "NY");
    assert.ok(i >= 0);
    own.state.nexusRegions.splice(i, 1);
    session.clock += 60_000; // the regions (fetched at 0 s) are stale; ny's answer is not
    assert.equal((await e.estimate(cart({ to_zip: "90002", to_state: "CA", shipping: 1 }))).source, "taxjar");
    assert.equal(own.stats()["GET /v2/nexus/regions"], 2);
    const skipped = await e.estimate(ny);
    assert.equal(skipped.source, "no_nexus");
    assert.equal(skipped.amount_to_collect, "0.00");
    assert.equal(taxCalls(own), 3);
    assert.deepEqual(e.stats(), { calls: 3, cache_hits: 1, coalesced: 0, no_nexus_skips: 1, exempt_skips: 0, invalid: 0, errors: 0, provisional_hits: 0, provisional_misses: 0 });
  } finally {
    await own.close();
  }
});

test("a memoized 4xx is served again from a seen text, and dies after 60 s", async () => {
  const e = estimator();
  const bad = cart({ shipping: 3 });
  session.fake.setFailure({ status: 400, body: '{"error":"Bad Request","detail":"to_zip is not used within to_state","status":400}', times: 1 });
  await assert.rejects(e.estimate(bad), { code: "upstream_error", status: 400 });
  for (let i = 0; i < 3; i++) await assert.rejects(e.estimate(bad), { code: "upstream_error", status: 400, field: null });
  assert.equal(taxCalls(), 1);
  session.clock += 60_000;
  assert.equal((await e.estimate(bad)).source, "taxjar");
  assert.equal(taxCalls(), 2);
  assert.deepEqual(e.stats(), { calls: 2, cache_hits: 3, coalesced: 0, no_nexus_skips: 0, exempt_skips: 0, invalid: 0, errors: 4, provisional_hits: 0, provisional_misses: 0 });
});

test("an aborted signal rejects even a hit; carts that are not JSON reject, never throw", async () => {
  const e = estimator();
  const c = cart();
  await e.estimate(c);
  await assert.rejects(e.estimate(c, { signal: AbortSignal.abort() }), { name: "AbortError" });
  assert.equal(e.stats().cache_hits, 0);

  let pending;
  assert.doesNotThrow(() => {
    pending = e.estimate({ ...cart(), shipping: 1n });
  });
  await assert.rejects(pending, { code: "invalid_type", field: "cart" });
  const cyclic = cart();
  cyclic.self = cyclic;
  await assert.rejects(e.estimate(cyclic), { code: "invalid_type", field: "cart" });
  await assert.rejects(e.estimate(undefined), { code: "invalid_type", field: "cart" });
  assert.equal(e.stats().invalid, 3);
  assert.equal(taxCalls(), 1);
});
