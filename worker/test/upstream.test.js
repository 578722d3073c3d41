// What reaches TaxJar, what comes back, and what the cache keeps.
import { exports } from "cloudflare:workers";
import { cartKey } from "edgetax";
import { describe, expect, inject, it } from "vitest";
import { call, FAKE, fakeFail, fakeRequests, freshCart, KEY, logLines, ORIGIN, record, withEnv } from "./helpers.js";

/** The cache entry the Worker keeps for a path (as the Rust side names it). */
async function cached(path) {
  const bytes = new TextEncoder().encode(`${FAKE}\ntest-token`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const account = [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return caches.default.match(`https://proxy.example/__edgetax/cache/${account}${path}`);
}

const taxesEntry = (cart) => cached(`/v2/taxes/${cartKey(cart)}`);
const injected = (status, error) => ({ error, detail: "Injected failure (fake-taxjar)", status });

describe("forwarding", () => {
  it("answers the documented US scenario exactly, sending the documented request", async () => {
    const us = inject("usScenario");
    const r = await call("/v2/taxes", { body: us.request });
    expect(r.status).toBe(200);
    expect(r.json).toEqual(us.response);
    const [seen] = await fakeRequests();
    expect(seen.body).toEqual({ ...us.request, plugin: "edgetax" });
  });

  it("forwards lookups with only the query TaxJar reads, and caches them for 6 h", async () => {
    const first = await call("/v2/rates/90404?city=Santa%20Monica&country=US&junk=1", { method: "GET" });
    expect(first.status).toBe(200);
    expect(first.headers["x-edgetax-cache"]).toBe("miss");
    expect(first.json.rate.zip).toBe("90404");
    const second = await call("/v2/rates/90404?country=US&city=Santa+Monica", { method: "GET", as: "browser" });
    expect(second.status).toBe(200);
    expect(second.headers["x-edgetax-cache"]).toBe("hit");
    expect(second.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(second.text).toBe(first.text);
    const seen = await fakeRequests();
    expect(seen.map((s) => [s.method, s.path, s.query])).toEqual([
      ["GET", "/v2/rates/90404", { country: "US", city: "Santa Monica" }],
    ]);
    expect(seen[0].headers.authorization).toBe("Bearer test-token");
    expect(seen[0].headers["x-api-version"]).toBe("2020-08-07");
    const entry = await cached("/v2/rates/90404?country=US&city=Santa%20Monica");
    expect(entry.headers.get("cache-control")).toBe("max-age=21600");
  });

  it("forwards categories and nexus regions, then serves them from the cache", async () => {
    for (const path of ["/v2/categories", "/v2/nexus/regions"]) {
      const a = await call(path, { method: "GET", as: "browser" });
      const b = await call(path, { method: "GET" });
      expect([a.status, a.headers["x-edgetax-cache"], b.status, b.headers["x-edgetax-cache"]]).toEqual([200, "miss", 200, "hit"]);
      expect(b.text).toBe(a.text);
    }
    expect((await fakeRequests()).map((s) => s.path)).toEqual(["/v2/categories", "/v2/nexus/regions"]);
  });
});

describe("cache", () => {
  it("answers an identical cart from another shopper from the cache, without calling TaxJar", async () => {
    const cart = freshCart();
    const first = await call("/v2/taxes", { as: "browser", body: cart, headers: { "CF-Connecting-IP": "203.0.113.7" } });
    expect([first.status, first.headers["x-edgetax-cache"]]).toEqual([200, "miss"]);
    // The same cart, spelled differently, from another shopper and origin.
    const respelled = {
      line_items: [{ unit_price: `${cart.line_items[0].unit_price}0`, id: "1", description: "Mug" }],
      shipping: "1.50", to_street: cart.to_street, to_city: cart.to_city, to_state: "ca", to_zip: "90002",
    };
    const second = await call("/v2/taxes", {
      as: "none", body: respelled, headers: { Origin: "https://other.example", "CF-Connecting-IP": "198.51.100.9" },
    });
    expect(second.status).toBe(200);
    expect(second.headers["x-edgetax-cache"]).toBe("hit");
    expect(second.headers["access-control-allow-origin"]).toBe("https://other.example");
    expect(second.text).toBe(first.text);
    expect((await fakeRequests()).length).toBe(1);
    const entry = await taxesEntry(cart);
    expect(entry.headers.get("cache-control")).toBe("max-age=900");
    expect(entry.headers.get("x-edgetax-status")).toBe("200");
  });

  it("shares one upstream call among concurrent identical carts", async () => {
    await fakeFail({ delayMs: 150, path: "/v2/taxes" });
    const cart = freshCart();
    const send = () => exports.default.fetch("https://proxy.example/v2/taxes", {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify(cart),
    });
    const answers = await Promise.all([send(), send(), send()].map(async (p) => record(await p)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.headers["x-edgetax-cache"]).sort()).toEqual(["hit", "hit", "miss"]);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect((await fakeRequests()).length).toBe(1);
    const coalesced = logLines.map((l) => JSON.parse(l)).filter((e) => e.cache === "coalesced");
    expect(coalesced.length).toBe(2);
  });

  it("keeps a TaxJar 4xx for 60 s", async () => {
    await fakeFail({ status: 400, times: 1, path: "/v2/taxes" });
    const cart = freshCart();
    const first = await call("/v2/taxes", { body: cart });
    expect([first.status, first.headers["x-edgetax-cache"]]).toEqual([400, "miss"]);
    expect(first.json).toEqual(injected(400, "Bad Request"));
    const second = await call("/v2/taxes", { body: cart });
    expect([second.status, second.headers["x-edgetax-cache"]]).toEqual([400, "hit"]);
    expect(second.json).toEqual(injected(400, "Bad Request"));
    expect((await fakeRequests()).length).toBe(1);
    const entry = await taxesEntry(cart);
    expect(entry.headers.get("cache-control")).toBe("max-age=60");
    expect(entry.headers.get("x-edgetax-status")).toBe("400");
  });

  it("never keeps a 5xx: retried once, then 502, and the next request asks again", async () => {
    await fakeFail({ status: 500, times: 2, path: "/v2/taxes" });
    const cart = freshCart();
    const first = await call("/v2/taxes", { body: cart });
    expect(first.status).toBe(502);
    expect(first.json).toEqual({
      error: "Bad Gateway",
      detail: "TaxJar answered 500 Internal Server Error: Injected failure (fake-taxjar)",
      status: 502,
    });
    expect((await fakeRequests()).map((s) => s.status)).toEqual([500, 500]);
    expect(await taxesEntry(cart)).toBeUndefined();
    const second = await call("/v2/taxes", { body: cart });
    expect([second.status, second.headers["x-edgetax-cache"]]).toEqual([200, "miss"]);
    expect((await fakeRequests()).map((s) => s.status)).toEqual([500, 500, 200]);
  });
});

describe("upstream failures", () => {
  it("retries once on a 500 and answers with the second attempt", async () => {
    await fakeFail({ status: 500, times: 1, path: "/v2/taxes" });
    const before = logLines.length;
    const r = await call("/v2/taxes", { body: freshCart() });
    expect(r.status).toBe(200);
    expect(r.json.tax.amount_to_collect).toBeGreaterThan(0);
    expect((await fakeRequests()).map((s) => s.status)).toEqual([500, 200]);
    expect(JSON.parse(logLines[before]).attempts).toBe(2);
  });

  it("answers 504 TaxJar-style when TaxJar does not answer in time, after one retry", async () => {
    await fakeFail({ hang: true, times: 2, path: "/v2/taxes" });
    const r = await call("/v2/taxes", { body: freshCart() });
    expect(r.status).toBe(504);
    expect(r.json).toEqual({ error: "Gateway Timeout", detail: "TaxJar did not answer within 300 ms", status: 504 });
    expect((await fakeRequests()).length).toBe(2);
  });

  it("passes a 429 through to servers with Retry-After, without retrying or caching", async () => {
    // Browsers get a backup estimate instead (offline.test.js).
    await fakeFail({ status: 429, retryAfter: 7, times: 1, path: "/v2/taxes" });
    const cart = freshCart();
    const r = await call("/v2/taxes", { body: cart });
    expect(r.status).toBe(429);
    expect(r.headers["retry-after"]).toBe("7");
    expect(r.json).toEqual(injected(429, "Too Many Requests"));
    expect((await fakeRequests()).length).toBe(1);
    const again = await call("/v2/taxes", { body: cart });
    expect([again.status, again.headers["x-edgetax-cache"]]).toEqual([200, "miss"]);
  });

  it("answers 502 to an HTML page where JSON belongs, never caching it", async () => {
    await fakeFail({ status: 200, body: "<html><body>Maintenance</body></html>", contentType: "text/html", times: 1, path: "/v2/taxes" });
    const cart = freshCart();
    const r = await call("/v2/taxes", { body: cart });
    expect(r.status).toBe(502);
    expect(r.json).toEqual({
      error: "Bad Gateway",
      detail: `TaxJar's 200 answer is not JSON; body: "<html><body>Maintenance</body></html>"`,
      status: 502,
    });
    expect((await fakeRequests()).length).toBe(1);
    await fakeFail({ status: 503, body: "<html>busy</html>", contentType: "text/html", times: 2, path: "/v2/taxes" });
    const busy = await call("/v2/taxes", { body: cart });
    expect(busy.status).toBe(502);
    expect(busy.json.detail).toBe(`TaxJar answered 503 Service Unavailable; body: "<html>busy</html>"`);
    expect((await fakeRequests()).length).toBe(3);
  });

  it("answers 502 'proxy token rejected' when TaxJar refuses the Worker's token", async () => {
    const wrong = withEnv({ TAXJAR_API_TOKEN: "wrong-token-xyz" });
    const r = await call("/v2/taxes", { body: freshCart(), envOverride: wrong });
    expect(r.status).toBe(502);
    expect(r.json).toEqual({
      error: "Bad Gateway",
      detail: "proxy token rejected by TaxJar (401): check TAXJAR_API_TOKEN",
      status: 502,
    });
    const seen = await fakeRequests();
    expect(seen.map((s) => [s.status, s.headers.authorization])).toEqual([[401, "Bearer wrong-token-xyz"]]);
  });
});
