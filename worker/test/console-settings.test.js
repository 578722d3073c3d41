// The merchant console's settings and API token (issue #19), in workerd
// with the real CONSOLE KV namespace: provenance, each toggle taking
// effect from the next request (and on another isolate), a pasted token
// checked by the fake, sealed in KV and used with no TAXJAR_API_TOKEN
// secret, the connection test. Every answer goes through the suite's
// leak scan (test/setup.js), the pasted tokens included.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { call, consoleCall as admin, consoleSession, fakeRequests, freshCart, SECRETS, withEnv } from "./helpers.js";

const FAKE_TOKEN = env.TAXJAR_API_TOKEN; // the one token the fake accepts
const WRONG = "pasted-but-wrong-token-4321";
SECRETS.push(WRONG);
const noSecret = () => withEnv({ TAXJAR_API_TOKEN: undefined });

afterEach(async () => {
  // Each test starts from the wrangler.toml vars: nothing saved.
  await env.CONSOLE.delete("console:settings");
});

describe("console: settings", () => {
  it("lists each setting with its value and where it comes from", async () => {
    const s = await consoleSession();
    const res = await admin(s, "GET", "settings");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    const byName = Object.fromEntries(res.json.settings.map((x) => [x.name, [x.value, x.source]]));
    expect(byName).toEqual({
      calculations_enabled: [true, "wrangler.toml"],
      reporting_enabled: [true, "wrangler.toml"],
      backup_estimates: [true, "wrangler.toml"],
      logging_enabled: [true, "wrangler.toml"],
      log_retention_days: [7, "wrangler.toml"],
      allowed_origins: [["https://shop.example", "https://other.example"], "wrangler.toml"],
      plugin: ["edgetax", "wrangler.toml"],
      store_url: ["https://shop.example", "wrangler.toml"],
      cache_ttl_seconds: [900, "wrangler.toml"],
      rate_limit: [1000, "wrangler.toml"],
    });
    expect(res.json.reload_seconds).toBe(30);
  });

  it("calculations off: /v2/taxes answers 503 from the next request, here and on a new isolate; null restores", async () => {
    const s = await consoleSession();
    expect((await call("/v2/taxes", { body: freshCart() })).status).toBe(200);
    const saved = await admin(s, "PUT", "settings", { calculations_enabled: false });
    expect(saved.status).toBe(200);
    const setting = saved.json.settings.find((x) => x.name === "calculations_enabled");
    expect([setting.value, setting.source]).toEqual([false, "console"]);
    const off = await call("/v2/taxes", { body: freshCart() });
    expect([off.status, off.json.detail]).toEqual([503, "calculations disabled"]);
    // Another isolate reads KV on its first request.
    expect((await call("/v2/taxes", { body: freshCart(), envOverride: withEnv({}) })).status).toBe(503);
    expect(JSON.parse(await env.CONSOLE.get("console:settings")).vars).toEqual({ CALCULATIONS_ENABLED: "false" });
    await admin(s, "PUT", "settings", { calculations_enabled: null });
    expect((await call("/v2/taxes", { body: freshCart() })).status).toBe(200);
  });

  it("reporting off: /sync/orders answers 503", async () => {
    const s = await consoleSession();
    await admin(s, "PUT", "settings", { reporting_enabled: false });
    const res = await call("/sync/orders", { body: { orders: [] } });
    expect([res.status, res.json.detail]).toEqual([503, "reporting disabled"]);
  });

  it("a new allowed origin and rate limit apply at once", async () => {
    const s = await consoleSession();
    const origin = "https://new-shop.example";
    const before = await call("/v2/taxes", { as: "browser", body: freshCart(), headers: { Origin: origin } });
    expect(before.status).toBe(403);
    await admin(s, "PUT", "settings", { allowed_origins: [origin], rate_limit: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await call("/v2/taxes", { as: "browser", body: freshCart(), headers: { Origin: origin } })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("refuses a bad value naming the field, and keeps what was saved", async () => {
    const s = await consoleSession();
    await admin(s, "PUT", "settings", { rate_limit: 50 });
    const bad = await admin(s, "PUT", "settings", { rate_limit: 7, cache_ttl_seconds: -5 });
    expect([bad.status, bad.json.code, bad.json.field]).toEqual([400, "invalid_type", "cache_ttl_seconds"]);
    const unknown = await admin(s, "PUT", "settings", { TAXJAR_API_URL: "https://evil.example" });
    expect([unknown.status, unknown.json.field]).toEqual([400, "TAXJAR_API_URL"]);
    expect(JSON.parse(await env.CONSOLE.get("console:settings")).vars).toEqual({ RATE_LIMIT: "50" });
    const noCsrf = await call("/console/api/settings", { method: "PUT", as: "none", body: { rate_limit: 1 }, headers: { Cookie: s.cookie } });
    expect(noCsrf.status).toBe(403);
  });
});

describe("console: the API token", () => {
  it("checks a pasted token with TaxJar, keeps only a sealed copy, and calculates with it", async () => {
    const envOverride = noSecret();
    const s = await consoleSession({ envOverride });
    const status = async () => (await admin(s, "GET", "status", undefined, envOverride)).json.api_token;
    expect(await status()).toEqual({ configured: false, source: "none" });

    const wrong = await admin(s, "PUT", "token", { api_token: WRONG }, envOverride);
    expect([wrong.status, wrong.json.detail]).toEqual([422, "TaxJar refused this API token (401 Unauthorized)"]);
    expect(await env.CONSOLE.get("console:settings")).toBeNull();

    const saved = await admin(s, "PUT", "token", { api_token: FAKE_TOKEN }, envOverride);
    expect(saved.status).toBe(200);
    expect(saved.json).toEqual({ saved: true, last4: FAKE_TOKEN.slice(-4) });
    const checks = (await fakeRequests()).filter((r) => r.path === "/v2/categories");
    expect(checks.length).toBe(2);
    expect(await status()).toEqual({ configured: true, source: "console", last4: FAKE_TOKEN.slice(-4) });

    const stored = await env.CONSOLE.get("console:settings");
    expect(stored).not.toContain(FAKE_TOKEN);
    expect(JSON.parse(stored).token).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);

    // A cart is calculated by TaxJar (the fake), not a backup estimate.
    const cart = await call("/v2/taxes", { body: freshCart(), envOverride });
    expect(cart.status).toBe(200);
    expect([cart.headers["x-edgetax-source"], cart.json.tax.estimated]).toEqual([undefined, undefined]);
    // A new isolate unseals it from KV.
    const other = await call("/v2/taxes", { body: freshCart(), envOverride: noSecret() });
    expect([other.status, other.headers["x-edgetax-source"]]).toEqual([200, undefined]);

    const test = await admin(s, "POST", "test", undefined, envOverride);
    expect([test.status, test.json.ok, test.json.status]).toEqual([200, true, 200]);

    const removed = await admin(s, "DELETE", "token", undefined, envOverride);
    expect([removed.status, removed.json]).toEqual([200, { saved: false }]);
    expect(await status()).toEqual({ configured: false, source: "none" });
    const none = await admin(s, "POST", "test", undefined, envOverride);
    expect([none.status, none.json.detail]).toEqual([409, "no API token is configured: paste one first"]);
  });

  it("lets the TAXJAR_API_TOKEN secret win, and says so", async () => {
    const s = await consoleSession();
    expect((await admin(s, "PUT", "token", { api_token: FAKE_TOKEN })).status).toBe(200);
    const status = await admin(s, "GET", "status");
    expect(status.json.api_token).toEqual({ configured: true, source: "secret", pasted_ignored: true });
  });

  it("cannot open a sealed token after CONSOLE_SECRET changes", async () => {
    const envOverride = noSecret();
    const s = await consoleSession({ envOverride });
    expect((await admin(s, "PUT", "token", { api_token: FAKE_TOKEN }, envOverride)).status).toBe(200);
    const rotated = withEnv({ TAXJAR_API_TOKEN: undefined, CONSOLE_SECRET: "another-console-secret-0123456789-abcdef" });
    const s2 = await consoleSession({ envOverride: rotated });
    const status = await admin(s2, "GET", "status", undefined, rotated);
    expect(status.json.api_token).toEqual({ configured: false, source: "none" });
  });

  it("a failing connection test says why", async () => {
    const envOverride = withEnv({ TAXJAR_API_TOKEN: WRONG });
    const s = await consoleSession({ envOverride });
    const test = await admin(s, "POST", "test", undefined, envOverride);
    expect([test.status, test.json.ok, test.json.status, test.json.detail]).toEqual([200, false, 401, "TaxJar refused this API token (401 Unauthorized)"]);
  });
});
