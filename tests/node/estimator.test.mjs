// The Estimator from the release pkg, in Node, against the local TaxJar
// fake: a scripted checkout session with exact upstream call counts for each
// rule (validate, memo, coalescing, nexus gate, exemptions, errors, logs).
// Time is driven by the `now` option, so TTLs are tested without waiting.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Estimator } from "../../pkg/edgetax.js";
import { TOKEN, cart, fakeSession } from "./estimator-session.mjs";

const session = fakeSession();

/** Upstream `POST /v2/taxes` calls the fake has seen. */
const taxCalls = () => session.fake.stats()["POST /v2/taxes"] ?? 0;

function estimator(options = {}) {
  return new Estimator({ apiUrl: session.fake.url, apiKey: TOKEN, now: () => session.clock, ...options });
}

/** Line taxes plus shipping tax, in cents. */
function sumCents(estimate) {
  const cents = (s) => Math.round(Number(s) * 100);
  return estimate.line_items.reduce((t, l) => t + cents(l.tax_collectable), cents(estimate.shipping.tax_collectable));
}

test("rule 1: an invalid cart rejects with code and field, makes no call, counts invalid", async () => {
  const e = estimator();
  await assert.rejects(e.estimate(cart({ to_zip: "123" })), (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, "invalid_zip");
    assert.equal(err.field, "to_zip");
    return true;
  });
  await assert.rejects(e.estimate(cart({ line_items: [{ id: "a", unit_price: Number.NaN }] })), {
    code: "invalid_amount",
    field: "line_items[0].unit_price",
  });
  assert.equal(taxCalls(), 0);
  assert.equal(e.stats().invalid, 2);
});

test("rule 2: memo per cart state: hits, TTL, A → B → A, LRU bound", async () => {
  const e = estimator({ ttlSeconds: 900, maxEntries: 2 });
  const a = await e.estimate(cart());
  assert.equal(a.source, "taxjar");
  assert.equal(a.estimated, false);
  assert.equal(sumCents(a), Math.round(Number(a.amount_to_collect) * 100));
  const again = await e.estimate(cart({ line_items: [...cart().line_items].reverse() }));
  assert.equal(again.source, "cache");
  assert.deepEqual(again.line_items.map((l) => l.id), ["2", "1"], "lines follow the caller's order");
  assert.equal(again.amount_to_collect, a.amount_to_collect);
  assert.equal(taxCalls(), 1);
  // Hits hand out one deep-frozen object per line order: nobody can change
  // the memoized answer, and no hit pays for a copy.
  const hit1 = await e.estimate(cart());
  const hit2 = await e.estimate(cart());
  assert.equal(hit1, hit2);
  assert.ok(Object.isFrozen(hit1) && Object.isFrozen(hit1.line_items) && Object.isFrozen(hit1.line_items[0]) && Object.isFrozen(hit1.shipping));
  assert.equal(Object.isFrozen(a), false, "a fresh answer is the caller's own");

  // A → B → A within TTL costs two calls.
  await e.estimate(cart({ to_zip: "10001", to_city: "New York" }));
  assert.equal((await e.estimate(cart())).source, "cache");
  assert.equal(taxCalls(), 2);

  // A third state evicts the least recently used (B, since A was just read).
  await e.estimate(cart({ shipping: 0 }));
  assert.equal(taxCalls(), 3);
  assert.equal((await e.estimate(cart())).source, "cache");
  await e.estimate(cart({ to_zip: "10001", to_city: "New York" }));
  assert.equal(taxCalls(), 4);

  // After the TTL the same cart is asked again.
  session.clock += 900_001;
  assert.equal((await e.estimate(cart())).source, "taxjar");
  assert.equal(taxCalls(), 5);
  assert.deepEqual(e.stats(), { calls: 5, cache_hits: 5, coalesced: 0, no_nexus_skips: 0, exempt_skips: 0, invalid: 0, errors: 0, provisional_hits: 0, provisional_misses: 0 });
});

test("rule 3: concurrent estimates share one call; an abort rejects only its caller", async () => {
  session.fake.setFailure({ delayMs: 150, path: "/v2/taxes" });
  const e = estimator();
  const controller = new AbortController();
  const first = e.estimate(cart());
  const aborted = e.estimate(cart(), { signal: controller.signal });
  const third = e.estimate(cart({ to_state: "ny" }));
  await new Promise((resolve) => setTimeout(resolve, 30)); // all three have joined the call
  controller.abort();
  await assert.rejects(aborted, { name: "AbortError" });
  const [r1, r3] = await Promise.all([first, third]);
  assert.equal(r1.amount_to_collect, r3.amount_to_collect);
  assert.equal(taxCalls(), 1);
  assert.equal(e.stats().coalesced, 2);
  session.fake.setFailure(null);
  // The shared answer was memoized although one waiter left.
  assert.equal((await e.estimate(cart())).source, "cache");
  // A signal that is already aborted rejects at once, without a call.
  await assert.rejects(e.estimate(cart({ shipping: 1 }), { signal: AbortSignal.abort() }), { name: "AbortError" });
  assert.equal(taxCalls(), 1);
});

test("rule 4: the nexus gate skips destinations outside known regions", async () => {
  const e = estimator({ nexusRegions: [{ country_code: "US", region_code: "NY" }] });
  const oregon = await e.estimate(cart({ to_zip: "97035", to_state: "OR", to_city: "Portland" }));
  assert.equal(oregon.source, "no_nexus");
  assert.equal(oregon.has_nexus, false);
  assert.equal(oregon.amount_to_collect, "0.00");
  assert.deepEqual(oregon.line_items.map((l) => l.tax_collectable), ["0.00", "0.00"]);
  assert.equal(oregon.order_total_amount, "47.88");
  assert.equal(taxCalls(), 0);
  // The cart's own nexus address opens the gate.
  await e.estimate(cart({ to_zip: "97035", to_state: "OR", nexus_addresses: [{ country: "US", state: "OR" }] }));
  assert.equal(taxCalls(), 1);
  assert.equal(e.stats().no_nexus_skips, 1);
});

test("rule 4: nexusRegions 'fetch' asks once; a failed fetch lets calls through and is logged", async () => {
  const e = estimator({ nexusRegions: "fetch" });
  const [tx, or] = await Promise.all([
    e.estimate(cart({ to_zip: "75001", to_state: "TX" })),
    e.estimate(cart({ to_zip: "97035", to_state: "OR" })),
  ]);
  assert.equal(tx.source, "no_nexus");
  assert.equal(or.source, "no_nexus");
  await e.estimate(cart()); // NY is in the fake's regions
  assert.equal(session.fake.stats()["GET /v2/nexus/regions"], 1);
  assert.equal(taxCalls(), 1);

  session.fake.reset();
  session.fake.setFailure({ status: 500, path: "/v2/nexus/regions" });
  const logs = [];
  const failing = estimator({ nexusRegions: "fetch", onLog: (entry) => logs.push(entry) });
  assert.equal((await failing.estimate(cart({ to_zip: "97035", to_state: "OR" }))).source, "taxjar");
  assert.equal(taxCalls(), 1);
  assert.ok(logs.some((l) => l.event === "nexus_fetch_failed" && l.status === 500), JSON.stringify(logs));
});

test("rule 5: exempt orders skip the call; customer_id, non_exempt and marketplace call", async () => {
  const e = estimator();
  for (const type of ["wholesale", "government", "other"]) {
    const r = await e.estimate(cart({ exemption_type: type }));
    assert.equal(r.source, "exempt");
    assert.equal(r.amount_to_collect, "0.00");
    assert.equal(r.exemption_type, type);
  }
  assert.equal(taxCalls(), 0);
  await e.estimate(cart({ customer_id: "c-123" }));
  await e.estimate(cart({ exemption_type: "non_exempt" }));
  await e.estimate(cart({ exemption_type: "marketplace" }));
  assert.equal(taxCalls(), 3);
  assert.equal(e.stats().exempt_skips, 3);
});

test("rule 6: a 4xx is memoized for 60 s, a 5xx is not", async () => {
  const e = estimator();
  session.fake.setFailure({ status: 400, body: '{"error":"Bad Request","detail":"to_zip 10541 is not used within to_state NY","status":400}', times: 1 });
  const bad = cart({ shipping: 3 });
  await assert.rejects(e.estimate(bad), (err) => {
    assert.equal(err.code, "upstream_error");
    assert.equal(err.status, 400);
    assert.equal(err.detail, "to_zip 10541 is not used within to_state NY");
    return true;
  });
  await assert.rejects(e.estimate(bad), { code: "upstream_error", status: 400 });
  assert.equal(taxCalls(), 1, "the same bad cart is not billed again");
  session.clock += 60_001;
  assert.equal((await e.estimate(bad)).source, "taxjar");
  assert.equal(taxCalls(), 2);

  session.fake.setFailure({ status: 503, times: 1 });
  const other = cart({ shipping: 4 });
  await assert.rejects(e.estimate(other), { code: "upstream_error", status: 503 });
  assert.equal((await e.estimate(other)).source, "taxjar");
  assert.equal(taxCalls(), 4);
  assert.equal(e.stats().errors, 3);
});

test("rule 6: timeout, network failure, 401 and a non-JSON body", async () => {
  session.fake.setFailure({ delayMs: 400, path: "/v2/taxes" });
  await assert.rejects(estimator({ timeoutMs: 50 }).estimate(cart()), { code: "timeout" });
  session.fake.setFailure(null);

  const closed = new Estimator({ apiUrl: "http://127.0.0.1:9", now: () => session.clock });
  await assert.rejects(closed.estimate(cart()), { code: "network_error" });

  await assert.rejects(estimator({ apiKey: "wrong" }).estimate(cart()), { code: "unauthorized", status: 401 });

  session.fake.setFailure({ status: 200, body: "<html><body>Gateway</body></html>", contentType: "text/html", times: 1 });
  await assert.rejects(estimator().estimate(cart()), { code: "upstream_unparseable", status: 200 });
});

test("rule 7: one log entry per call, hit, skip and error, never the apiKey", async () => {
  const logs = [];
  const e = estimator({ onLog: (entry) => logs.push(entry), nexusRegions: [{ country_code: "US", region_code: "NY" }] });
  await e.estimate(cart());
  await e.estimate(cart());
  await e.estimate(cart({ to_zip: "97035", to_state: "OR" }));
  await e.estimate(cart({ exemption_type: "wholesale" }));
  await assert.rejects(e.estimate(cart({ to_zip: "1" })));
  session.fake.setFailure({ status: 500, times: 1 });
  await assert.rejects(e.estimate(cart({ shipping: 2 })));
  assert.deepEqual(logs.map((l) => l.event), ["call", "cache_hit", "no_nexus_skip", "exempt_skip", "invalid", "error"]);
  assert.equal(logs[0].status, 200);
  assert.equal(typeof logs[0].ms, "number");
  assert.match(logs[0].key, /^et1_[0-9a-f]{32}$/);
  assert.equal(logs[5].status, 500);
  assert.ok(!JSON.stringify(logs).includes(TOKEN));
});

test("defaults and plugin go into the request; apiKey is sent as Bearer only when given", async () => {
  const e = estimator({ defaults: { from_country: "US", from_zip: "12054", from_state: "NY" }, plugin: "edgetax-test" });
  await e.estimate(cart());
  const sent = session.fake.requests.find((r) => r.path === "/v2/taxes");
  assert.equal(sent.body.from_zip, "12054");
  assert.equal(sent.body.plugin, "edgetax-test");
  assert.equal(sent.body.shipping, 7.99);
  assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(e.stats().calls, 1);
});

test("storage 'session' lets a new Estimator (a reload) reuse the answer", async () => {
  const store = new Map();
  globalThis.sessionStorage = {
    get length() { return store.size; },
    key: (i) => [...store.keys()][i] ?? null,
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
  };
  try {
    await estimator({ storage: "session" }).estimate(cart());
    const reloaded = estimator({ storage: "session" });
    assert.equal((await reloaded.estimate(cart())).source, "cache");
    assert.equal(taxCalls(), 1);
    reloaded.clear();
    assert.equal(store.size, 0);
    assert.equal((await reloaded.estimate(cart())).source, "taxjar");
    assert.equal(taxCalls(), 2);
  } finally {
    delete globalThis.sessionStorage;
  }
});

test("bad options are clear errors", () => {
  assert.throws(() => new Estimator({}), { code: "missing_field", field: "apiUrl" });
  assert.throws(() => new Estimator({ apiUrl: "http://x", nexusRegions: "always" }), { code: "invalid_value", field: "nexusRegions" });
  // A wrong type names its option, not the whole object.
  assert.throws(() => new Estimator({ apiUrl: "http://x", nexusRegions: 5 }), {
    code: "invalid_type",
    field: "nexusRegions",
    message: 'nexusRegions must be "fetch" or a list of regions',
  });
  assert.throws(() => new Estimator({ apiUrl: "http://x", nexusRegions: [{ country_code: 5 }] }), {
    code: "invalid_type",
    field: "nexusRegions",
    message: "invalid type: integer `5`, expected a string",
  });
  assert.throws(() => new Estimator({ apiUrl: 8080 }), { code: "invalid_type", field: "apiUrl", message: "apiUrl must be a string" });
  assert.throws(() => new Estimator({ apiUrl: "http://x", ttlSeconds: "60" }), { code: "invalid_type", field: "ttlSeconds" });
  assert.throws(() => new Estimator({ apiUrl: "http://x", ttlSeconds: -1 }), { code: "invalid_value", field: "ttlSeconds" });
  assert.throws(() => new Estimator({ apiUrl: "http://x", offline: "yes" }), { code: "invalid_type", field: "offline", message: "offline must be true or false" });
  // Absent and null are the defaults; an option the Estimator does not know is an error naming it.
  assert.ok(new Estimator({ apiUrl: "http://x", ttlSeconds: null, storage: undefined }));
  assert.throws(() => new Estimator({ apiUrl: "http://x", colour: "red" }), { code: "invalid_value", field: "colour" });
  assert.throws(() => new Estimator({ apiUrl: "http://x", storage: "local" }), { code: "invalid_value", field: "storage" });
  assert.throws(() => new Estimator({ apiUrl: "http://x", onLog: "yes" }), { code: "invalid_type", field: "onLog" });
});

test("offline: true answers a flagged offlineEstimate when the Worker is unreachable, and asks again next time", async () => {
  const logs = [];
  const e = new Estimator({ apiUrl: "http://127.0.0.1:9", offline: true, onLog: (l) => logs.push(l.event), now: () => session.clock });
  const nj = cart({ to_zip: "07446", to_state: "NJ", shipping: 0, line_items: [{ id: "a", unit_price: 100 }] });
  const first = await e.estimate(nj);
  assert.equal(first.source, "offline");
  assert.equal(first.estimated, true);
  assert.equal(first.amount_to_collect, "6.63"); // 6.625% of 100.00, half away from zero
  assert.equal(first.line_items[0].tax_collectable, "6.63");
  assert.match(first.rates_as_of, /^\d{4}-\d{2}-\d{2}$/);
  const second = await e.estimate(nj);
  assert.equal(second.source, "offline", "a backup is not memoized");
  assert.deepEqual(logs, ["error", "offline", "error", "offline"]);
  assert.equal(e.stats().calls, 2);
  // Without the option the same failure rejects.
  await assert.rejects(new Estimator({ apiUrl: "http://127.0.0.1:9" }).estimate(nj), { code: "network_error" });
});
