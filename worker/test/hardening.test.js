// Issue #16's holes, each reproduced as an attacker found it, then shown
// closed: configuration errors that echoed secrets, upstream text relayed
// unredacted (answers, headers, the cache, logs), rate-limit buckets that
// IPv6 rotation escaped, unbounded upstream answers, a cache that kept
// 4xx with caching off, redirects without a backup estimate, and encoded
// path parameters sent on re-encoded. The file's own secret scan
// (test/setup.js) also covers every answer and log line below, against an
// upstream that echoes every header it receives.
import { cartKey } from "edgetax";
import { beforeEach, describe, expect, inject, it } from "vitest";
import {
  account, call, fakeRequests, freshCart, logLines, ORIGIN, PASSWORD, runScheduled, SECRETS, withEnv,
} from "./helpers.js";
import { findSecrets } from "./leaks.js";

const HOSTILE = inject("hostileUrl");
const TOKEN = SECRETS[0];
const hostileRequests = async () => (await fetch(`${HOSTILE}/__hostile/requests`)).json();
const tj = (status, error, detail) => ({ error, detail, status });
/** Every secret form in an answer's body and headers. */
const leaks = (r) => findSecrets(r.text + JSON.stringify(r.headers), SECRETS);

beforeEach(async () => {
  await fetch(`${HOSTILE}/__hostile/reset`, { method: "POST" });
});

describe("1. configuration errors name the var, never its value", () => {
  const URL_ERROR = "configuration error: TAXJAR_API_URL must be an http(s) URL without query or credentials";
  // [name, vars, detail, the length the log line gives]
  const cases = [
    ["the token pasted into TAXJAR_API_URL", { TAXJAR_API_URL: "wrong-token-xyz", TAXJAR_API_TOKEN: undefined }, URL_ERROR, 15],
    ["a URL with a password", { TAXJAR_API_URL: `https://user:${PASSWORD}@api.taxjar.com` }, URL_ERROR, 44],
    ["a secret in a number", { CACHE_TTL_SECONDS: PASSWORD },
      "configuration error: CACHE_TTL_SECONDS must be a whole number from 0 to 31536000", 16],
    ["a secret in a flag", { OFFLINE_FALLBACK: PASSWORD }, "configuration error: OFFLINE_FALLBACK must be true or false", 16],
    ["a short proxy key", { PROXY_KEYS: "pk_test_1, pk" },
      "configuration error: PROXY_KEYS keys must each be at least 8 characters long", 2],
  ];

  it.each(cases)("%s: 503 on every path, for anyone", async (_name, vars, detail, chars) => {
    const broken = withEnv(vars);
    const before = logLines.length;
    for (const [method, path] of [["GET", "/"], ["POST", "/v2/taxes"], ["GET", "/v2/categories"]]) {
      const r = await call(path, { method, as: "none", envOverride: broken, body: method === "POST" ? freshCart() : undefined });
      expect([path, r.status, r.json]).toEqual([path, 503, tj(503, "Service Unavailable", detail)]);
      expect(leaks(r)).toEqual([]);
    }
    // The details go to the log, once per isolate, with the value's length only.
    const config = logLines.slice(before).filter((line) => line.includes('"config_error"')).map((line) => JSON.parse(line));
    const var_ = Object.keys(vars)[0];
    expect(config.map((entry) => [entry.event, entry.var, entry.value_chars])).toEqual([["config_error", var_, chars]]);
    expect(await fakeRequests()).toEqual([]);
  });
});

describe("2. one redaction for every byte that leaves", () => {
  const echo = (status, mode = "echo") => withEnv({ TAXJAR_API_URL: `${HOSTILE}/${mode}/${status}` });

  it("4xx JSON bodies, to servers and browsers, and the cached copy a browser is served later", async () => {
    const env400 = echo(400);
    const cart = freshCart();
    for (const as of ["server", "browser"]) {
      const r = await call("/v2/taxes", { as, body: cart, envOverride: env400 });
      expect([as, r.status, r.json.detail.split("; headers")[0]])
        .toEqual([as, 400, "you sent Bearer [REDACTED]; encoded Bearer%20[REDACTED]; base64 QmVhcmVyIH[REDACTED]4="]);
      expect(r.json.detail).toContain('"authorization":"Bearer [REDACTED]"');
      expect(leaks(r)).toEqual([]);
    }
    // The first answer was kept 60 s: the browser's was a hit, as redacted.
    const hit = await call("/v2/taxes", { as: "browser", body: cart, envOverride: env400 });
    expect([hit.status, hit.headers["x-edgetax-cache"], leaks(hit)]).toEqual([400, "hit", []]);
    const stored = await caches.default.match(
      `https://proxy.example/__edgetax/cache/${await account(`${HOSTILE}/echo/400`)}/v2/taxes/${cartKey(cart)}`,
    );
    const kept = await stored.text();
    expect(findSecrets(kept, SECRETS)).toEqual([]);
    expect(kept).toContain("Bearer [REDACTED]");
    expect((await hostileRequests()).length).toBe(1);
  });

  it("2xx and 429 bodies, and a Retry-After that echoes the token", async () => {
    const ok = await call("/v2/taxes", { body: freshCart(), envOverride: echo(200) });
    expect([ok.status, ok.json.tax.amount_to_collect, ok.json.echo.authorization]).toEqual([200, 1.35, "Bearer [REDACTED]"]);
    const limited = await call("/v2/taxes", { body: freshCart(), envOverride: echo(429) });
    expect([limited.status, limited.json.detail.startsWith("you sent Bearer [REDACTED];"), limited.headers["retry-after"]])
      .toEqual([429, true, undefined]);
    const lookup = await call("/v2/categories", { method: "GET", envOverride: echo(200) });
    expect([lookup.status, lookup.json.echo.headers.authorization]).toEqual([200, "Bearer [REDACTED]"]);
    for (const r of [ok, limited, lookup]) expect(leaks(r)).toEqual([]);
  });

  it("the detail and body snippets of 502s", async () => {
    const cases = [[500, "echo"], [503, "echo-html"], [200, "echo-html"], [404, "echo-html"]];
    for (const [status, mode] of cases) {
      const r = await call("/v2/taxes", { body: freshCart(), envOverride: echo(status, mode) });
      expect([status, mode, r.status, r.json.detail.includes("[REDACTED]")]).toEqual([status, mode, 502, true]);
      expect(leaks(r)).toEqual([]);
    }
  });

  it("legacy Token token=\"…\" answers", async () => {
    const legacy = withEnv({ TAXJAR_API_URL: `${HOSTILE}/echo/400`, LEGACY_ROUTES: "true" });
    const query = "amount=28.93&from_state=NJ&from_zip=07446&shipping=5.45&to_state=NJ&to_zip=07446";
    const r = await call(`/sales_tax?${query}`, {
      method: "GET", as: "none", headers: { Authorization: 'Token token="pk_test_1"' }, envOverride: legacy,
    });
    const [seen] = await hostileRequests();
    expect(seen.authorization).toBe(`Token token="${TOKEN}"`);
    expect([r.status, r.json.detail.split(";")[0]]).toEqual([400, 'you sent Token token="[REDACTED]"']);
    expect(leaks(r)).toEqual([]);
  });

  it("the cron's refresh_rates log line", async () => {
    const before = logLines.length;
    await runScheduled(echo(200, "echo-html"));
    const lines = logLines.slice(before);
    const report = lines.map((line) => JSON.parse(line)).find((entry) => entry.event === "refresh_rates");
    expect([report.status, report.detail.includes("[REDACTED]")]).toEqual(["failed", true]);
    expect(findSecrets(lines.join("\n"), SECRETS)).toEqual([]);
  });

  it("percent-encoded and base64 forms too", async () => {
    const r = await call("/v2/taxes", { body: freshCart(), envOverride: echo(200) });
    expect([r.status, r.json.echo.encoded]).toEqual([200, "Bearer%20[REDACTED]"]);
    // "Bearer test-token" in base64: the token's stable characters are gone.
    expect([btoa(`Bearer ${TOKEN}`), r.json.echo.base64]).toEqual(["QmVhcmVyIHRlc3QtdG9rZW4=", "QmVhcmVyIH[REDACTED]4="]);
    expect(leaks(r)).toEqual([]);
  });
});

describe("4. limits that hold", () => {
  it("IPv6 callers are keyed by their /64, IPv4 by its canonical form", async () => {
    const limited = withEnv({ RATE_LIMIT: "5" });
    const send = (ip) => call("/v2/taxes", { as: "browser", body: freshCart(), headers: { "CF-Connecting-IP": ip }, envOverride: limited });
    const statuses = [];
    for (let i = 1; i <= 8; i++) statuses.push((await send(`2001:db8::${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect((await fakeRequests()).length).toBe(5);
    // The next /64 is another subscriber.
    expect((await send("2001:db8:0:1::1")).status).toBe(200);
    // a.b.c.d and ::ffff:a.b.c.d are one caller; odd spellings share one bucket.
    const v4 = [];
    for (const ip of ["203.0.113.9", "::ffff:203.0.113.9", "203.0.113.9", "::ffff:cb00:7109", "203.0.113.9", "203.0.113.9"]) {
      v4.push((await send(ip)).status);
    }
    expect(v4).toEqual([200, 200, 200, 200, 200, 429]);
    // (Headers trim outer spaces: these are what arrives.)
    const odd = [];
    for (const ip of ["198.51.100.01", "0198.51.100.1", "198.051.100.1", "fe80::1%eth0", "x", "198. 51.100.1"]) {
      odd.push((await send(ip)).status);
    }
    expect(odd).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("an upstream answer over its bound: 502 within the timeout, nothing cached, a backup estimate for browsers", async () => {
    for (const framing of ["length", "chunked"]) {
      await fetch(`${HOSTILE}/__hostile/reset`, { method: "POST" });
      const big = withEnv({ TAXJAR_API_URL: `${HOSTILE}/big/${framing}`, UPSTREAM_TIMEOUT_MS: "2000" });
      const cart = freshCart();
      const started = Date.now();
      const server = await call("/v2/taxes", { body: cart, envOverride: big });
      const ms = Date.now() - started;
      expect([framing, server.status, server.json]).toEqual([framing, 502, tj(502, "Bad Gateway",
        "TaxJar's 200 answer is larger than 1024 KiB, which the Worker does not read")]);
      expect(ms).toBeLessThan(2000);
      const browser = await call("/v2/taxes", { as: "browser", body: cart, envOverride: big });
      expect([browser.status, browser.headers["x-edgetax-source"], browser.json.tax.estimated]).toEqual([200, "offline", true]);
      const lookup = await call("/v2/categories", { method: "GET", envOverride: big });
      expect([lookup.status, lookup.json.detail]).toEqual([502, "TaxJar's 200 answer is larger than 1024 KiB, which the Worker does not read"]);
      // One attempt each (never retried), and nothing kept: asked again.
      await call("/v2/taxes", { body: cart, envOverride: big });
      expect((await hostileRequests()).length).toBe(4);
      const stored = await caches.default.match(
        `https://proxy.example/__edgetax/cache/${await account(`${HOSTILE}/big/${framing}`)}/v2/taxes/${cartKey(cart)}`,
      );
      expect(stored).toBeUndefined();
    }
  });

  it("CACHE_TTL_SECONDS=0 keeps nothing: no 4xx, no lookups", async () => {
    const off = withEnv({ CACHE_TTL_SECONDS: "0", TAXJAR_API_URL: `${HOSTILE}/echo/400` });
    const cart = freshCart();
    const statuses = [];
    for (let i = 0; i < 2; i++) {
      const r = await call("/v2/taxes", { as: "browser", body: cart, envOverride: off });
      statuses.push([r.status, r.headers["x-edgetax-cache"]]);
    }
    expect(statuses).toEqual([[400, undefined], [400, undefined]]);
    const lookups = withEnv({ CACHE_TTL_SECONDS: "0", TAXJAR_API_URL: `${HOSTILE}/echo/200` });
    for (let i = 0; i < 2; i++) expect((await call("/v2/nexus/regions", { method: "GET", envOverride: lookups })).status).toBe(200);
    expect((await hostileRequests()).map((s) => s.path)).toEqual([
      "/echo/400/v2/taxes", "/echo/400/v2/taxes", "/echo/200/v2/nexus/regions", "/echo/200/v2/nexus/regions",
    ]);
  });

  it("an upstream redirect on /v2/taxes: browsers get a backup estimate, servers the 502", async () => {
    const redirect = withEnv({ TAXJAR_API_URL: `${HOSTILE}/redirect` });
    const browser = await call("/v2/taxes", { as: "browser", body: freshCart(), envOverride: redirect });
    expect([browser.status, browser.headers["x-edgetax-source"], browser.headers["access-control-allow-origin"]])
      .toEqual([200, "offline", ORIGIN]);
    const server = await call("/v2/taxes", { body: freshCart(), envOverride: redirect });
    expect(server.status).toBe(502);
    expect((await hostileRequests()).map((s) => s.path)).toEqual(["/redirect/v2/taxes", "/redirect/v2/taxes"]);
  });

  it("a path parameter with ; or an encoded ? is 404, and nothing is sent", async () => {
    const NOT_FOUND = tj(404, "Not Found", "No such route");
    const paths = ["/v2/rates/90002;x=1", "/v2/rates/90002%3Fcountry=CA", "/v2/rates/90002%3B", "/v2/rates/90002%253F",
      "/v2/transactions/orders/1;x=1", "/v2/customers/c1%3Fx=1"];
    for (const path of paths) {
      const r = await call(path, { method: "GET" });
      expect([path, r.status, r.json]).toEqual([path, 404, NOT_FOUND]);
    }
    expect(await fakeRequests()).toEqual([]);
    // What a ZIP needs still works, re-encoded.
    expect((await call("/v2/rates/90002-1234", { method: "GET" })).status).toBe(200);
  });
});
