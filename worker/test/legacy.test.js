// The original Smart Sales Tax API routes (LEGACY_ROUTES=true), against a
// small stand-in upstream (legacy-upstream.mjs): the same callers, cache,
// limits and token swap as the v2 routes.
import { describe, expect, inject, it } from "vitest";
import { CATEGORIES, ENHANCED, LOCATION, STANDARD } from "./legacy-bodies.js";
import { account, call, fakeRequests, ORIGIN, withEnv } from "./helpers.js";

const UPSTREAM = inject("legacyUrl");
const LEGACY = withEnv({ TAXJAR_API_URL: UPSTREAM, LEGACY_ROUTES: "true" });
const TOKEN = 'Token token="test-token"';

async function seen() {
  return (await fetch(`${UPSTREAM}/__legacy/requests`)).json();
}

/** Calls a legacy route with GET (a server with its key in the legacy form, by default). */
function get(path, options = {}) {
  const headers = options.as ? {} : { Authorization: 'Token token="pk_test_1"' };
  return call(path, { method: "GET", as: "none", envOverride: LEGACY, ...options, headers: { ...headers, ...options.headers } });
}

/** The Worker's cache entry for a canonical legacy path and query. */
async function cached(pathAndQuery) {
  return caches.default.match(`https://proxy.example/__edgetax/cache/${await account(UPSTREAM)}${pathAndQuery}`);
}

// The reference's curl examples.
const STANDARD_QUERY = "amount=28.93&from_city=Ramsey&from_state=NJ&from_zip=07446&shipping=5.45&to_city=Ramsey&to_state=NJ&to_zip=07446";
const ENHANCED_QUERY =
  "amount=215.30&from_city=Delmar&from_state=NY&from_zip=12054&line_items[awesomepants][quantity]=1" +
  "&line_items[awesomepants][unit_price]=150&line_items[awesomepants][product_tax_code]=20010" +
  "&line_items[tshirt][quantity]=3&line_items[tshirt][unit_price]=19.95&line_items[tshirt][product_tax_code]=20010" +
  "&shipping=5.45&to_city=Mahopac&to_state=NY&to_zip=10541";

describe("legacy routes", () => {
  it("are 404 unless LEGACY_ROUTES=true", async () => {
    await fetch(`${UPSTREAM}/__legacy/reset`, { method: "POST" });
    for (const path of [`/sales_tax?${STANDARD_QUERY}`, "/v1/sales_tax", "/tax_categories", "/locations/07446/ramsey"]) {
      const r = await get(path, { envOverride: withEnv({ TAXJAR_API_URL: UPSTREAM }) });
      expect([path, r.status, r.json]).toEqual([path, 404, { error: "Not Found", detail: "No such route", status: 404 }]);
    }
    expect(await seen()).toEqual([]);
  });

  it("forward GET /sales_tax re-encoded and sorted, with the token swapped, and cache it", async () => {
    await fetch(`${UPSTREAM}/__legacy/reset`, { method: "POST" });
    const r = await get(`/sales_tax?to_zip=07446&junk=x&${STANDARD_QUERY}`);
    expect([r.status, r.headers["x-edgetax-cache"], r.json]).toEqual([200, "miss", STANDARD]);
    const requests = await seen();
    expect(requests).toEqual([{
      method: "GET", path: "/sales_tax", rawQuery: STANDARD_QUERY, query: STANDARD_QUERY.split("&").map((p) => p.split("=")),
      authorization: TOKEN, apiVersion: null, status: 200,
    }]);
    // The same query in another order, from a browser: a hit.
    const shuffled = "to_state=NJ&to_city=Ramsey&shipping=5.45&from_zip=07446&from_state=NJ&from_city=Ramsey&to_zip=07446&amount=28.93";
    const hit = await get(`/sales_tax?${shuffled}`, { as: "browser" });
    expect([hit.status, hit.headers["x-edgetax-cache"], hit.headers["access-control-allow-origin"], hit.text]).toEqual(
      [200, "hit", ORIGIN, r.text],
    );
    expect((await seen()).length).toBe(1);
    const entry = await cached(`/sales_tax?${STANDARD_QUERY}`);
    expect(entry.headers.get("cache-control")).toBe("max-age=900");
  });

  it("forward GET /v1/sales_tax with line items, brackets encoded", async () => {
    await fetch(`${UPSTREAM}/__legacy/reset`, { method: "POST" });
    const r = await get(`/v1/sales_tax?${ENHANCED_QUERY}`, { as: "browser" });
    expect([r.status, r.json]).toEqual([200, ENHANCED]);
    const [request] = await seen();
    const sorted = ENHANCED_QUERY.split("&").map((p) => p.split("=")).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    expect(request.query).toEqual(sorted);
    expect(request.rawQuery.startsWith("amount=215.30&from_city=Delmar&from_state=NY&from_zip=12054&line_items%5Bawesomepants%5D%5Bproduct_tax_code%5D=20010&")).toBe(true);
    expect([request.path, request.authorization]).toEqual(["/v1/sales_tax", TOKEN]);
  });

  it("refuse bad queries before calling upstream: 400 with the field, 414, 405", async () => {
    await fetch(`${UPSTREAM}/__legacy/reset`, { method: "POST" });
    const missing = await get("/sales_tax?amount=1&to_zip=07446");
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({
      error: "Bad Request", detail: "to_state is required by the legacy sales tax API", status: 400,
      code: "missing_field", field: "to_state",
    });
    const country = await get("/sales_tax?to_zip=75001&to_state=IDF&to_country=FR");
    expect([country.status, country.json.code, country.json.field]).toEqual([400, "invalid_country", "to_country"]);
    const amount = await get("/v1/sales_tax?to_zip=07446&to_state=NJ&line_items[a][unit_price]=abc");
    expect([amount.status, amount.json.code, amount.json.field]).toEqual([400, "invalid_amount", "line_items[a][unit_price]"]);
    const long = await get(`/sales_tax?to_zip=07446&to_state=NJ&to_city=${"x".repeat(8200)}`);
    expect([long.status, long.json]).toEqual([414, { error: "URI Too Long", detail: "the query is longer than 8 KiB", status: 414 }]);
    const post = await call("/sales_tax", { body: {}, envOverride: LEGACY });
    expect([post.status, post.headers.allow]).toEqual([405, "GET, OPTIONS"]);
    const canada = await get("/locations/V0J1A0");
    expect([canada.status, canada.json.code, canada.json.field]).toEqual([400, "missing_field", "country"]);
    expect(await seen()).toEqual([]);
  });

  it("forward /tax_categories and /locations, cached 6 h; a plain 404 keeps the reference's meaning", async () => {
    await fetch(`${UPSTREAM}/__legacy/reset`, { method: "POST" });
    const categories = await get("/tax_categories", { as: "browser" });
    expect([categories.status, categories.json]).toEqual([200, CATEGORIES]);
    const location = await get("/locations/07446/ramsey?country=us&x=1");
    expect([location.status, location.json]).toEqual([200, LOCATION]);
    const again = await get("/locations/07446/ramsey?country=US");
    expect([again.headers["x-edgetax-cache"], again.text]).toEqual(["hit", location.text]);
    const unknown = await get("/locations/00000");
    expect([unknown.status, unknown.json]).toEqual(
      [404, { error: "Not Found", detail: "Not found. Five digit zip not recognized.", status: 404 }],
    );
    expect((await seen()).map((s) => [s.path, s.rawQuery, s.authorization, s.status])).toEqual([
      ["/tax_categories", "", TOKEN, 200],
      ["/locations/07446/ramsey", "country=US", TOKEN, 200],
      ["/locations/00000", "", TOKEN, 404],
    ]);
    expect((await cached("/tax_categories")).headers.get("cache-control")).toBe("max-age=21600");
  });

  it("apply the caller rules, the rate limit and the token check", async () => {
    await fetch(`${UPSTREAM}/__legacy/reset`, { method: "POST" });
    const nobody = await get("/tax_categories", { as: "none" });
    expect([nobody.status, nobody.json.detail]).toEqual([403, "requests need an allowed Origin or a proxy key"]);
    const wrong = await get("/tax_categories", { headers: { Authorization: 'Token token="pk_wrong"' } });
    expect([wrong.status, wrong.json.detail]).toEqual([403, "the proxy key is not recognized"]);
    const bearer = await get("/locations/07446/bearer", { headers: { Authorization: "Bearer pk_test_2" } });
    expect(bearer.status).toBe(200);
    const limited = withEnv({ TAXJAR_API_URL: UPSTREAM, LEGACY_ROUTES: "true", RATE_LIMIT: "2" });
    const statuses = [];
    for (const city of ["l1", "l2", "l3"]) statuses.push((await get(`/locations/07446/${city}`, { envOverride: limited })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const noToken = withEnv({ TAXJAR_API_URL: UPSTREAM, LEGACY_ROUTES: "true", TAXJAR_API_TOKEN: undefined });
    const unset = await get(`/sales_tax?${STANDARD_QUERY}`, { as: "browser", envOverride: noToken });
    expect([unset.status, unset.json.detail]).toEqual([503, "TAXJAR_API_TOKEN is not set"]);
    const rejected = withEnv({ TAXJAR_API_URL: UPSTREAM, LEGACY_ROUTES: "true", TAXJAR_API_TOKEN: "wrong-token-xyz" });
    const bad = await get("/tax_categories", { envOverride: rejected });
    expect([bad.status, bad.json.detail]).toEqual([502, "proxy token rejected by TaxJar (401): check TAXJAR_API_TOKEN"]);
    expect((await seen()).map((s) => [s.path, s.authorization, s.status])).toEqual([
      ["/locations/07446/bearer", TOKEN, 200],
      ["/locations/07446/l1", TOKEN, 200],
      ["/locations/07446/l2", TOKEN, 200],
      ["/tax_categories", 'Token token="wrong-token-xyz"', 401],
    ]);
    expect(await fakeRequests()).toEqual([]);
  });
});
