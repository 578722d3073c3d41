// Who may call, which paths and bodies are accepted, toggles and limits.
// Every refusal here must happen without a call to the fake TaxJar.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, fakeRequests, freshCart, logLines, ORIGIN, withEnv } from "./helpers.js";

const TAXJAR_403 = (detail) => ({ error: "Forbidden", detail, status: 403 });

describe("callers", () => {
  it("refuses a request with neither Origin nor proxy key, without calling TaxJar", async () => {
    const r = await call("/v2/taxes", { as: "none", body: freshCart() });
    expect(r.status).toBe(403);
    expect(r.json).toEqual(TAXJAR_403("requests need an allowed Origin or a proxy key"));
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    expect(await fakeRequests()).toEqual([]);
  });

  it("serves an allowed origin with CORS headers", async () => {
    const r = await call("/v2/taxes", { as: "browser", body: freshCart() });
    expect(r.status).toBe(200);
    expect(r.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(r.headers["vary"]).toBe("Origin");
    expect(r.headers["access-control-expose-headers"]).toBe("Retry-After, x-edgetax-cache, x-edgetax-source");
    expect(r.headers["x-edgetax-cache"]).toBe("miss");
    expect(r.json.tax.amount_to_collect).toBe(0.93);
    expect((await fakeRequests()).length).toBe(1);
  });

  it("refuses other origins, Origin null, and a near-miss origin", async () => {
    for (const origin of ["https://evil.example", "null", "https://shop.example.evil.example", "http://shop.example"]) {
      const r = await call("/v2/taxes", { as: "none", headers: { Origin: origin }, body: freshCart() });
      expect(r.status).toBe(403);
      const detail = origin === "null" ? "requests from Origin null are not allowed" : "this origin is not allowed";
      expect(r.json).toEqual(TAXJAR_403(detail));
      // The page may read its refusal (so the widget can say this page is
      // not allowed), except Origin null.
      expect(r.headers["access-control-allow-origin"]).toBe(origin === "null" ? undefined : origin);
    }
    expect(await fakeRequests()).toEqual([]);
  });

  it("swaps a proxy key for the real token", async () => {
    const r = await call("/v2/taxes", { as: "server", body: freshCart() });
    expect(r.status).toBe(200);
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    const [seen] = await fakeRequests();
    expect(seen.headers.authorization).toBe("Bearer test-token");
    expect(seen.headers["x-api-version"]).toBe("2020-08-07");
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(seen.headers.referer).toBe("https://shop.example");
    expect(seen.body.plugin).toBe("edgetax");
  });

  it("refuses a wrong proxy key even from an allowed origin", async () => {
    const r = await call("/v2/taxes", {
      as: "none",
      headers: { Origin: ORIGIN, Authorization: "Bearer pk_wrong" },
      body: freshCart(),
    });
    expect(r.status).toBe(403);
    expect(r.json).toEqual(TAXJAR_403("the proxy key is not recognized"));
    expect(await fakeRequests()).toEqual([]);
  });

  it("never lets browsers reach transaction or customer routes", async () => {
    for (const [method, path] of [
      ["GET", "/v2/transactions/orders"],
      ["POST", "/v2/transactions/refunds"],
      ["DELETE", "/v2/transactions/orders/123"],
      ["GET", "/v2/customers/c1"],
    ]) {
      const body = method === "POST" ? {} : undefined;
      const r = await call(path, { method, as: "browser", body });
      expect(r.status).toBe(403);
      expect(r.json).toEqual(TAXJAR_403("this route is only for servers with a proxy key"));
      expect(r.headers["access-control-allow-origin"]).toBe(ORIGIN);
    }
    expect(await fakeRequests()).toEqual([]);
  });

  it("forwards transaction routes for servers as written", async () => {
    const order = {
      transaction_id: "wk-1", transaction_date: "2015/05/14", to_country: "US", to_zip: "90002",
      to_state: "CA", amount: 16.5, shipping: 1.5, sales_tax: 0.95,
    };
    const r = await call("/v2/transactions/orders", { body: order });
    expect(r.status).toBe(201);
    expect(r.json.order.transaction_id).toBe("wk-1");
    const again = await call("/v2/transactions/orders", { body: order });
    expect(again.status).toBe(422);
    const shown = await call("/v2/transactions/orders/wk-1", { method: "GET" });
    expect(shown.status).toBe(200);
    const seen = await fakeRequests();
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "POST /v2/transactions/orders",
      "POST /v2/transactions/orders",
      "GET /v2/transactions/orders/wk-1",
    ]);
    expect(seen[0].body).toEqual(order);
  });

  it("answers preflights for browser routes only", async () => {
    const ok = await call("/v2/taxes", {
      method: "OPTIONS", as: "none",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST" },
    });
    expect(ok.status).toBe(204);
    expect(ok.text).toBe("");
    expect(ok.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(ok.headers["access-control-allow-methods"]).toBe("POST, OPTIONS");
    expect(ok.headers["access-control-allow-headers"]).toBe("Authorization, Content-Type, x-api-version");
    expect(ok.headers["access-control-max-age"]).toBe("86400");
    expect(ok.headers["vary"]).toBe("Origin");
    // Another page passes the preflight only to read the 403 its request
    // then gets (see "refuses other origins").
    const evil = await call("/v2/taxes", { method: "OPTIONS", as: "none", headers: { Origin: "https://evil.example" } });
    expect(evil.status).toBe(204);
    expect(evil.headers["access-control-allow-origin"]).toBe("https://evil.example");
    const evilOrders = await call("/v2/transactions/orders", { method: "OPTIONS", as: "none", headers: { Origin: "https://evil.example" } });
    expect([evilOrders.status, evilOrders.headers["access-control-allow-origin"]]).toEqual([403, undefined]);
    const orders = await call("/v2/transactions/orders", { method: "OPTIONS", as: "none", headers: { Origin: ORIGIN } });
    expect(orders.status).toBe(403);
    expect(await fakeRequests()).toEqual([]);
  });
});

describe("paths, methods and bodies", () => {
  it("answers 404 to path tricks that reach the Worker", async () => {
    // `..` and `%2e%2e` segments are resolved by the URL parser before a
    // Worker sees them (tests/worker_proxy.rs and the wrangler dev test
    // cover the raw forms); these survive parsing and must be refused.
    for (const path of [
      "//api.taxjar.com/v2/taxes",
      "/https://evil.example/v2/taxes",
      "/v2//taxes",
      "/v2/taxes%2f..%2fcategories",
      "/v2/rates/..%2f..%2fcategories",
      "/v2/rates/%2e%2e%2fcategories",
      "/v2/rates/%5c..%5ccategories",
      "/v2/rates/90002%00",
      "/v2/taxes/",
      "/v2/Taxes",
      "/v1/taxes",
      "/",
    ]) {
      const r = await call(path, { as: "server", body: freshCart() });
      expect({ path, status: r.status, json: r.json }).toEqual({
        path, status: 404, json: { error: "Not Found", detail: "No such route", status: 404 },
      });
    }
    expect(await fakeRequests()).toEqual([]);
  });

  it("answers 405 with Allow for a known path and the wrong method", async () => {
    const r = await call("/v2/taxes", { method: "GET" });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe("POST, OPTIONS");
    expect(r.json).toEqual({ error: "Method Not Allowed", detail: "this route does not accept that method", status: 405 });
    const put = await call("/v2/categories", { method: "PUT", body: {} });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("GET, OPTIONS");
    expect(await fakeRequests()).toEqual([]);
  });

  it("answers 415 to a body that is not JSON", async () => {
    const r = await call("/v2/taxes", { body: JSON.stringify(freshCart()), headers: { "Content-Type": "text/plain" } });
    expect(r.status).toBe(415);
    expect(r.json).toEqual({ error: "Unsupported Media Type", detail: "the body must be application/json", status: 415 });
    expect(await fakeRequests()).toEqual([]);
  });

  it("answers 413 to a body over 64 KiB", async () => {
    const big = freshCart({ to_street: "x".repeat(70 * 1024) });
    const r = await call("/v2/taxes", { body: big, as: "browser" });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ error: "Payload Too Large", detail: "the body is larger than 64 KiB", status: 413 });
    expect(r.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(await fakeRequests()).toEqual([]);
  });

  it("answers 400 with code and field to a bad cart, without calling TaxJar", async () => {
    const r = await call("/v2/taxes", { body: freshCart({ to_zip: "9000" }) });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("Bad Request");
    expect(r.json.status).toBe(400);
    expect(r.json.code).toBe("invalid_zip");
    expect(r.json.field).toBe("to_zip");
    expect(r.json.detail.startsWith("to_zip: ")).toBe(true);
    const price = await call("/v2/taxes", { body: freshCart({ line_items: [{ id: "a", unit_price: "-1" }] }) });
    expect([price.status, price.json.code, price.json.field]).toEqual([400, "invalid_amount", "line_items[0].unit_price"]);
    const notJson = await call("/v2/taxes", { body: "{not json" });
    expect([notJson.status, notJson.json.code, notJson.json.field]).toEqual([400, "invalid_type", null]);
    expect(await fakeRequests()).toEqual([]);
  });

  it("answers 400 naming line_items to more than 1000 line items", async () => {
    const lines = Array.from({ length: 1001 }, (_, i) => ({ id: `${i}`, unit_price: 1 }));
    const r = await call("/v2/taxes", { body: freshCart({ line_items: lines }) });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      error: "Bad Request",
      detail: "line_items: 1001 line items; at most 1000 are accepted",
      status: 400,
      code: "too_many_line_items",
      field: "line_items",
    });
    expect(await fakeRequests()).toEqual([]);
  });
});

describe("toggles, configuration and rate limits", () => {
  it("answers 503 when calculations are disabled, but still serves lookups", async () => {
    const off = withEnv({ CALCULATIONS_ENABLED: "false" });
    const r = await call("/v2/taxes", { body: freshCart(), envOverride: off });
    expect(r.status).toBe(503);
    expect(r.json).toEqual({ error: "Service Unavailable", detail: "calculations disabled", status: 503 });
    const lookup = await call("/v2/nexus/regions", { method: "GET", envOverride: off });
    expect(lookup.status).toBe(200);
    expect((await fakeRequests()).map((s) => s.path)).toEqual(["/v2/nexus/regions"]);
  });

  it("answers 503 when TAXJAR_API_TOKEN is not set", async () => {
    const r = await call("/v2/taxes", { body: freshCart(), envOverride: withEnv({ TAXJAR_API_TOKEN: undefined }) });
    expect(r.status).toBe(503);
    expect(r.json).toEqual({ error: "Service Unavailable", detail: "TAXJAR_API_TOKEN is not set", status: 503 });
    expect(await fakeRequests()).toEqual([]);
  });

  it("answers 503 naming a malformed setting", async () => {
    const r = await call("/v2/taxes", { body: freshCart(), envOverride: withEnv({ CACHE_TTL_SECONDS: "15m" }) });
    expect(r.status).toBe(503);
    expect(r.json.detail).toBe("configuration error: CACHE_TTL_SECONDS must be a whole number from 0 to 31536000");
  });

  it("limits each caller per isolate with RATE_LIMIT when there is no binding", async () => {
    const limited = withEnv({ RATE_LIMIT: "2" });
    const ip = { "CF-Connecting-IP": "203.0.113.7" };
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await call("/v2/categories", { method: "GET", as: "browser", headers: ip, envOverride: limited })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const r = await call("/v2/categories", { method: "GET", as: "browser", headers: ip, envOverride: limited });
    expect(r.status).toBe(429);
    expect(r.headers["retry-after"]).toBe("30");
    expect(r.json).toEqual({ error: "Too Many Requests", detail: "rate limit reached; retry after 30 s", status: 429 });
    expect(r.headers["access-control-allow-origin"]).toBe(ORIGIN);
    // Another shopper (address) and a server key have their own buckets.
    const other = await call("/v2/categories", { method: "GET", as: "browser", headers: { "CF-Connecting-IP": "198.51.100.9" }, envOverride: limited });
    expect(other.status).toBe(200);
    const server = await call("/v2/categories", { method: "GET", envOverride: limited });
    expect(server.status).toBe(200);
  });

  it("uses the RATE_LIMITER binding when there is one", async () => {
    const bound = withEnv({ RATE_LIMITER: env.TEST_LIMITER, RATE_LIMIT: "1000" });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await call("/v2/categories", { method: "GET", envOverride: bound })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    const r = await call("/v2/categories", { method: "GET", envOverride: bound });
    expect(r.headers["retry-after"]).toBe("60");
  });

  it("logs one JSON line per request with the agreed fields", async () => {
    const before = logLines.length;
    await call("/v2/taxes", { as: "browser", body: freshCart(), headers: { "CF-Connecting-IP": "203.0.113.7" } });
    const lines = logLines.slice(before);
    expect(lines.length).toBe(1);
    const entry = JSON.parse(lines[0]);
    expect(Object.keys(entry)).toEqual(["method", "path", "status", "cache", "upstream_ms", "attempts", "key_hash", "caller"]);
    expect([entry.method, entry.path, entry.status, entry.cache, entry.attempts, entry.caller]).toEqual(
      ["POST", "/v2/taxes", 200, "miss", 1, "browser"],
    );
    expect(entry.key_hash).toMatch(/^et1_[0-9a-f]{8}$/);
    expect(Number.isInteger(entry.upstream_ms)).toBe(true);
  });
});
