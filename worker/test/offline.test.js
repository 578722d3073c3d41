// Backup estimates: when /v2/taxes is answered offline, how it is flagged,
// that it is never cached, who gets one, and the kept summary rates.
import { env } from "cloudflare:workers";
import { applyTax, offlineEstimate } from "edgetax";
import { describe, expect, it } from "vitest";
import {
  account, call, fakeFail, fakeRequests, logLines, ORIGIN, runScheduled, today, withEnv,
} from "./helpers.js";

let carts = 0;

/**
 * An NJ cart (6.625%, shipping taxed) no other test sends: 2 × 10.02 + 5.00
 * shipping = 25.04, so 1.66 of tax. The line id keeps it apart in the cache.
 */
function njCart(extra = {}) {
  carts += 1;
  return {
    to_country: "US", to_zip: "07446", to_state: "NJ", shipping: 5,
    line_items: [{ id: `nj${carts}`, quantity: 2, unit_price: "10.02" }],
    ...extra,
  };
}

const TOKEN_UNSET = { error: "Service Unavailable", detail: "TAXJAR_API_TOKEN is not set", status: 503 };
const noToken = (more = {}) => withEnv({ TAXJAR_API_TOKEN: undefined, ...more });
const lineTaxes = (estimate) => estimate.line_items.map((l) => [l.id, l.tax_collectable]);

/** The last report line of the summary-rates refresh. */
function ratesReport() {
  const lines = logLines.map((l) => { try { return JSON.parse(l); } catch { return null; } });
  return lines.filter((l) => l?.event === "refresh_rates").at(-1);
}

/** Checks the flags of a backup answer. */
function expectOffline(r) {
  expect(r.status).toBe(200);
  expect(r.headers["x-edgetax-source"]).toBe("offline");
  expect(r.headers["x-edgetax-cache"]).toBe("miss");
  expect([r.json.tax.estimated, r.json.tax.source]).toEqual([true, "offline"]);
}

describe("without a token (the demo default)", () => {
  it("answers a browser's NJ cart offline at 6.625%, to the cent, without calling TaxJar", async () => {
    const cart = {
      to_country: "US", to_zip: "07446", to_state: "NJ", shipping: 4.95,
      line_items: [{ id: "a", quantity: 3, unit_price: "19.99" }],
    };
    const r = await call("/v2/taxes", { as: "browser", body: cart, envOverride: noToken() });
    expectOffline(r);
    expect(r.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(r.json).toEqual({
      tax: {
        order_total_amount: 64.92, shipping: 4.95, taxable_amount: 64.92, amount_to_collect: 4.3,
        rate: 0.06625, has_nexus: true, freight_taxable: true, tax_source: "destination",
        estimated: true, source: "offline", rates_as_of: "2026-07-01", warnings: [],
        breakdown: {
          taxable_amount: 64.92, tax_collectable: 4.3, combined_tax_rate: 0.06625,
          shipping: { taxable_amount: 4.95, tax_collectable: 0.33, combined_tax_rate: 0.06625 },
          line_items: [{ id: "a", taxable_amount: 59.97, tax_collectable: 3.97, combined_tax_rate: 0.06625 }],
        },
      },
    });
    // applyTax on the body gives offlineEstimate's figures back.
    const again = applyTax(cart, r.text);
    const offline = offlineEstimate(cart);
    expect([lineTaxes(again), again.shipping.tax_collectable, again.amount_to_collect]).toEqual(
      [lineTaxes(offline), offline.shipping.tax_collectable, offline.amount_to_collect],
    );
    expect(lineTaxes(again)).toEqual([["a", "3.97"]]);
    expect(await fakeRequests()).toEqual([]);
  });

  it("still refuses servers, other routes, bad carts and OFFLINE_FALLBACK=false", async () => {
    const server = await call("/v2/taxes", { body: njCart(), envOverride: noToken() });
    expect([server.status, server.json]).toEqual([503, TOKEN_UNSET]);
    const lookup = await call("/v2/categories", { method: "GET", as: "browser", envOverride: noToken() });
    expect([lookup.status, lookup.json]).toEqual([503, TOKEN_UNSET]);
    const bad = await call("/v2/taxes", { as: "browser", body: njCart({ to_zip: "0744" }), envOverride: noToken() });
    expect([bad.status, bad.json.code, bad.json.field, bad.headers["x-edgetax-source"]]).toEqual(
      [400, "invalid_zip", "to_zip", undefined],
    );
    const off = noToken({ OFFLINE_FALLBACK: "false" });
    const refused = await call("/v2/taxes", { as: "browser", body: njCart(), envOverride: off });
    expect([refused.status, refused.json, refused.headers["x-edgetax-source"]]).toEqual([503, TOKEN_UNSET, undefined]);
    expect(await fakeRequests()).toEqual([]);
  });

  it("answers servers offline with OFFLINE_FOR_SERVERS=true, but never transactions", async () => {
    const servers = noToken({ OFFLINE_FOR_SERVERS: "true" });
    const r = await call("/v2/taxes", { body: njCart(), envOverride: servers });
    expectOffline(r);
    expect(r.json.tax.amount_to_collect).toBe(1.66);
    const order = await call("/v2/transactions/orders", { body: { transaction_id: "x" }, envOverride: servers });
    expect([order.status, order.json]).toEqual([503, TOKEN_UNSET]);
    expect(await fakeRequests()).toEqual([]);
  });
});

describe("when TaxJar fails after its retry", () => {
  it("answers a browser offline on a 500, never caches it, and asks TaxJar again next time", async () => {
    await fakeFail({ status: 500, times: 2, path: "/v2/taxes" });
    const cart = njCart();
    const before = logLines.length;
    const r = await call("/v2/taxes", { as: "browser", body: cart });
    expectOffline(r);
    expect(r.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(r.headers["access-control-expose-headers"]).toBe("Retry-After, x-edgetax-cache, x-edgetax-source");
    expect([r.json.tax.order_total_amount, r.json.tax.amount_to_collect, r.json.tax.rate]).toEqual([25.04, 1.66, 0.06625]);
    expect((await fakeRequests()).map((s) => s.status)).toEqual([500, 500]);
    const entry = JSON.parse(logLines[before]);
    expect([entry.status, entry.cache, entry.attempts]).toEqual([200, "miss", 2]);
    const again = await call("/v2/taxes", { as: "browser", body: cart });
    expect([again.status, again.headers["x-edgetax-cache"], again.headers["x-edgetax-source"]]).toEqual([200, "miss", undefined]);
    expect(again.json.tax.estimated).toBeUndefined();
    expect((await fakeRequests()).map((s) => s.status)).toEqual([500, 500, 200]);
    const third = await call("/v2/taxes", { as: "browser", body: cart });
    expect([third.headers["x-edgetax-cache"], third.text]).toEqual(["hit", again.text]);
    expect((await fakeRequests()).length).toBe(3);
  });

  it("answers a browser offline on a timeout, and on a 429 (not retried)", async () => {
    await fakeFail({ hang: true, times: 2, path: "/v2/taxes" });
    const cart = njCart();
    expectOffline(await call("/v2/taxes", { as: "browser", body: cart }));
    expect((await fakeRequests()).length).toBe(2);
    const healthy = await call("/v2/taxes", { as: "browser", body: cart });
    expect([healthy.status, healthy.headers["x-edgetax-source"]]).toEqual([200, undefined]);
    await fakeFail({ status: 429, retryAfter: 7, times: 1, path: "/v2/taxes" });
    const limited = await call("/v2/taxes", { as: "browser", body: njCart() });
    expectOffline(limited);
    expect(limited.headers["retry-after"]).toBeUndefined();
    expect((await fakeRequests()).map((s) => s.status)).toEqual([null, null, 200, 429]);
  });

  it("gives servers the error, unless OFFLINE_FOR_SERVERS=true; OFFLINE_FALLBACK=false gives everyone the error", async () => {
    await fakeFail({ status: 500, times: 2, path: "/v2/taxes" });
    const server = await call("/v2/taxes", { body: njCart() });
    expect([server.status, server.json.detail, server.headers["x-edgetax-source"]]).toEqual(
      [502, "TaxJar answered 500 Internal Server Error: Injected failure (fake-taxjar)", undefined],
    );
    await fakeFail({ status: 500, times: 2, path: "/v2/taxes" });
    expectOffline(await call("/v2/taxes", { body: njCart(), envOverride: withEnv({ OFFLINE_FOR_SERVERS: "true" }) }));
    await fakeFail({ hang: true, times: 2, path: "/v2/taxes" });
    const off = await call("/v2/taxes", { as: "browser", body: njCart(), envOverride: withEnv({ OFFLINE_FALLBACK: "false" }) });
    expect([off.status, off.json.error, off.headers["x-edgetax-source"]]).toEqual([504, "Gateway Timeout", undefined]);
    expect((await fakeRequests()).length).toBe(6);
  });
});

describe("summary rates kept by the scheduled handler", () => {
  const caCart = { to_zip: "90002", to_state: "CA", shipping: 1.5, line_items: [{ id: "1", unit_price: 15 }] };

  // KV is not reset between tests: each test starts without kept rates.
  const forget = async () => env.RATES.delete(`summary_rates:${await account()}`);

  it("stores /v2/summary_rates in KV, and the next backup estimate uses CA's average rate", async () => {
    await forget();
    const day = today();
    await runScheduled();
    const seen = await fakeRequests();
    // The same cron also syncs the console's nexus regions (console-nexus.test.js).
    expect(seen.map((s) => [s.method, s.path, s.headers.authorization])).toEqual(
      [["GET", "/v2/summary_rates", "Bearer test-token"], ["GET", "/v2/nexus/regions", "Bearer test-token"]],
    );
    const report = ratesReport();
    expect(report).toEqual({
      event: "refresh_rates", status: "stored", store: "kv", regions: 3, fetched_at: day, attempts: 1, detail: null,
    });
    const stored = JSON.parse(await env.RATES.get(`summary_rates:${await account()}`));
    expect(stored.fetched_at).toBe(day);
    expect(stored.summary_rates.map((r) => [r.country_code, r.region_code, r.average_rate.rate])).toEqual(
      [["US", "CA", 0.0827], ["CA", "BC", 0.12], ["UK", null, 0.2]],
    );
    await fakeFail({ status: 503, times: 2, path: "/v2/taxes" });
    const r = await call("/v2/taxes", { as: "browser", body: caCart });
    expectOffline(r);
    // 15.00 × 8.27% = 1.2405; CA does not tax shipping.
    expect([r.json.tax.rate, r.json.tax.amount_to_collect, r.json.tax.rates_as_of, r.json.tax.freight_taxable]).toEqual(
      [0.0827, 1.24, day, false],
    );
    expect(r.json.tax.warnings).toEqual(["local rates may apply"]);
  });

  it("keeps them in the Cache API without a RATES binding", async () => {
    const unbound = withEnv({ RATES: undefined });
    const day = today();
    await runScheduled(unbound);
    expect(ratesReport()).toMatchObject({ status: "stored", store: "cache", regions: 3 });
    const url = `https://edgetax.invalid/__edgetax/rates/${await account()}/v2/summary_rates`;
    const entry = await caches.default.match(url);
    expect(entry.headers.get("cache-control")).toBe("max-age=604800");
    expect((await entry.json()).fetched_at).toBe(day);
    await fakeFail({ hang: true, times: 2, path: "/v2/taxes" });
    const r = await call("/v2/taxes", { as: "browser", body: caCart, envOverride: unbound });
    expect([r.status, r.json.tax.rate, r.json.tax.rates_as_of]).toEqual([200, 0.0827, day]);
  });

  it("skips without a token and keeps nothing when TaxJar fails", async () => {
    await forget();
    await runScheduled(noToken());
    expect(ratesReport()).toEqual({
      event: "refresh_rates", status: "skipped", store: null, regions: null, fetched_at: null, attempts: 0,
      detail: "TAXJAR_API_TOKEN is not set",
    });
    expect(await fakeRequests()).toEqual([]);
    await fakeFail({ status: 500, times: 2, path: "/v2/summary_rates" });
    await runScheduled();
    expect(ratesReport()).toEqual({
      event: "refresh_rates", status: "failed", store: null, regions: null, fetched_at: null, attempts: 2,
      detail: "TaxJar answered 500 Internal Server Error: Injected failure (fake-taxjar)",
    });
    expect(await env.RATES.get(`summary_rates:${await account()}`)).toBeNull();
    // Without kept rates, CA is estimated from the embedded table (7.25%).
    await fakeFail({ status: 500, times: 2, path: "/v2/taxes" });
    const r = await call("/v2/taxes", { as: "browser", body: caCart });
    expect([r.json.tax.rate, r.json.tax.amount_to_collect, r.json.tax.rates_as_of]).toEqual([0.0725, 1.09, "2026-07-01"]);
  });
});
