// The merchant console's first part (issue #19): sign-in, sessions, the
// failed-attempt limit in KV, CSRF, the security headers, the status, and
// the wall between the console and the proxy's callers. Every answer here
// goes through the suite's leak scan (test/setup.js): the passphrase and
// CONSOLE_SECRET are in SECRETS (test/helpers.js).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, consoleSession as session, cookieOf, FAKE, freshIp, KEY, ORIGIN, freshCart, signIn, withEnv } from "./helpers.js";

const PASS = env.CONSOLE_KEY;
const CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

describe("console: keys and sign-in", () => {
  it("answers 404 on every console route without both keys", async () => {
    for (const off of [{ CONSOLE_KEY: "" }, { CONSOLE_SECRET: undefined }, { CONSOLE_KEY: undefined, CONSOLE_SECRET: undefined }]) {
      const envOverride = withEnv(off);
      for (const [method, path] of [["GET", "/console"], ["GET", "/console/console.js"], ["GET", "/console/api/status"], ["POST", "/console/api/session"]]) {
        const res = await call(path, { method, as: "none", envOverride, body: method === "POST" ? { passphrase: PASS } : undefined });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.json).toEqual({ error: "Not Found", detail: "No such route", status: 404 });
        expect(res.headers["set-cookie"]).toBeUndefined();
      }
    }
  });

  it("refuses a wrong passphrase with 401 and no cookie", async () => {
    const res = await signIn("not-the-passphrase");
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: "Unauthorized", detail: "wrong passphrase", status: 401 });
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("answers the 6th failed attempt in 10 minutes with 429, across isolates (KV)", async () => {
    const address = freshIp();
    for (let n = 0; n < 5; n++) {
      expect((await signIn("wrong", { address })).status).toBe(401);
    }
    // A new isolate (a new env object: a new WorkerProxy), the same KV.
    const res = await signIn(PASS, { address, envOverride: withEnv({}) });
    expect(res.status).toBe(429);
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(590);
    expect(Number(res.headers["retry-after"])).toBeLessThanOrEqual(600);
    expect(res.headers["set-cookie"]).toBeUndefined();
    const keys = (await env.CONSOLE.list({ prefix: "console:failures:" })).keys.map((k) => k.name);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join()).not.toContain(address);
    // Another address is not limited.
    expect((await signIn(PASS)).status).toBe(200);
  });

  it("sets the session cookie with exact attributes (Secure except on 127.0.0.1)", async () => {
    const res = await signIn(PASS);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(["signed_in", "csrf_token", "expires_at"]);
    expect(res.json.signed_in).toBe(true);
    expect(res.json.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const now = Math.floor(Date.now() / 1000);
    expect(Math.abs(res.json.expires_at - (now + 43200))).toBeLessThanOrEqual(2);
    expect(res.response.headers.get("set-cookie")).toMatch(
      /^edgetax_console=s1\.[0-9a-f]{32}\.\d+\.[A-Za-z0-9_-]{43}; Path=\/console; Max-Age=43200; HttpOnly; Secure; SameSite=Strict$/,
    );
    const local = await signIn(PASS, { base: "http://127.0.0.1:8787" });
    expect(local.response.headers.get("set-cookie")).toMatch(
      /^edgetax_console=s1\.[0-9a-f]{32}\.\d+\.[A-Za-z0-9_-]{43}; Path=\/console; Max-Age=43200; HttpOnly; SameSite=Strict$/,
    );
    const other = await signIn(PASS, { base: "http://shop.example:8787" });
    expect(other.response.headers.get("set-cookie")).toContain("; Secure;");
  });

  it("GET /console/api/session gives the CSRF token of a signed-in session, 401 otherwise", async () => {
    const { cookie, csrf } = await session();
    const res = await call("/console/api/session", { method: "GET", as: "none", headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    expect(res.json.csrf_token).toBe(csrf);
    const none = await call("/console/api/session", { method: "GET", as: "none" });
    expect(none.status).toBe(401);
  });
});

describe("console: CSRF, expiry and tampering", () => {
  it("refuses sign-out without the right x-csrf-token (403), then signs out", async () => {
    const { cookie, csrf } = await session();
    const other = await session();
    for (const token of [undefined, "", other.csrf, `${csrf}x`]) {
      const headers = { Cookie: cookie, ...(token === undefined ? {} : { "x-csrf-token": token }) };
      const res = await call("/console/api/session", { method: "DELETE", as: "none", headers });
      expect(res.status, String(token)).toBe(403);
      expect(res.json.detail).toBe("missing or wrong x-csrf-token");
    }
    const out = await call("/console/api/session", { method: "DELETE", as: "none", headers: { Cookie: cookie, "x-csrf-token": csrf } });
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ signed_in: false });
    expect(out.response.headers.get("set-cookie")).toBe(
      "edgetax_console=; Path=/console; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
    );
  });

  it("refuses an expired, tampered or foreign cookie", async () => {
    const { cookie } = await session();
    const [name, token] = cookie.split("=");
    const [tag, id, exp, sig] = token.split(".");
    const bad = [
      `${tag}.${id}.${Number(exp) + 3600}.${sig}`,
      `${tag}.${id.replace(/^./, (c) => (c === "0" ? "1" : "0"))}.${exp}.${sig}`,
      `${tag}.${id}.${exp}.${sig.slice(0, -2)}AA`,
      `${tag}.${id}.1000000000.${sig}`,
      "garbage",
    ];
    for (const value of bad) {
      const res = await call("/console/api/status", { method: "GET", as: "none", headers: { Cookie: `${name}=${value}` } });
      expect(res.status, value).toBe(401);
    }
    // Signed with another CONSOLE_SECRET: refused too.
    const foreign = await session({ envOverride: withEnv({ CONSOLE_SECRET: "another-console-secret-0123456789abcdef" }) });
    const res = await call("/console/api/status", { method: "GET", as: "none", headers: { Cookie: foreign.cookie } });
    expect(res.status).toBe(401);
  });
});

describe("console: status", () => {
  async function status(changes) {
    const envOverride = withEnv(changes);
    const { cookie } = await session({ envOverride });
    const res = await call("/console/api/status", { method: "GET", as: "none", headers: { Cookie: cookie }, envOverride });
    expect(res.status).toBe(200);
    return res.json;
  }

  it("says whether a token is set and which TaxJar, never the token", async () => {
    const host = new URL(FAKE).host;
    expect(await status({})).toEqual({ api_token: { configured: true, source: "secret" }, environment: "custom", api_host: host });
    expect(await status({ TAXJAR_API_TOKEN: "" })).toEqual({ api_token: { configured: false, source: "none" }, environment: "custom", api_host: host });
    expect(await status({ TAXJAR_API_URL: "https://api.taxjar.com" })).toEqual({ api_token: { configured: true, source: "secret" }, environment: "live", api_host: "api.taxjar.com" });
    expect(await status({ TAXJAR_API_URL: "https://api.sandbox.taxjar.com/" })).toEqual({ api_token: { configured: true, source: "secret" }, environment: "sandbox", api_host: "api.sandbox.taxjar.com" });
    expect(await status({ TAXJAR_API_URL: undefined, TAXJAR_API_TOKEN: undefined })).toEqual({ api_token: { configured: false, source: "none" }, environment: "live", api_host: "api.taxjar.com" });
  });
});

describe("console: headers and the wall with the proxy", () => {
  it("sends the CSP and the other headers, exactly", async () => {
    const page = await call("/console", { method: "GET", as: "none" });
    expect(page.status).toBe(200);
    expect(page.headers).toEqual({
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    expect(page.text).toContain('<script type="module" src="/console/console.js"></script>');
    for (const [path, type] of [["/console/console.js", "text/javascript; charset=utf-8"], ["/console/console.css", "text/css; charset=utf-8"]]) {
      const res = await call(path, { method: "GET", as: "none" });
      expect(res.headers["content-type"]).toBe(type);
      expect(res.headers["content-security-policy"]).toBe(CSP);
    }
    const api = await call("/console/api/status", { method: "GET", as: "none" });
    expect(api.headers).toEqual({
      "content-type": "application/json; charset=utf-8",
      "content-security-policy": CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    });
  });

  it("gives a proxy key or an allowed Origin nothing on console routes, and no CORS", async () => {
    const routes = [["GET", "/console"], ["GET", "/console/api/status"], ["GET", "/console/api/session"], ["DELETE", "/console/api/session"], ["OPTIONS", "/console/api/session"], ["OPTIONS", "/console"]];
    for (const [method, path] of routes) {
      for (const as of ["server", "browser"]) {
        const headers = method === "OPTIONS" ? { "Access-Control-Request-Method": "POST", Origin: ORIGIN } : {};
        const res = await call(path, { method, as, headers });
        const cors = Object.keys(res.headers).filter((h) => h.startsWith("access-control-"));
        expect(cors, `${as} ${method} ${path}`).toEqual([]);
        if (path !== "/console") expect(res.status, `${as} ${method} ${path}`).toBeGreaterThanOrEqual(400);
      }
    }
    const res = await call("/console/api/status", { method: "GET", as: "none", headers: { Authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(401);
    // A proxy key does not sign in either.
    const signed = await signIn(KEY);
    expect(signed.status).toBe(401);
  });

  it("refuses /v2/taxes with only the console cookie, as without it", async () => {
    const { cookie } = await session();
    const withCookie = await call("/v2/taxes", { as: "none", body: freshCart(), headers: { Cookie: cookie } });
    const without = await call("/v2/taxes", { as: "none", body: freshCart() });
    expect(withCookie.status).toBe(403);
    expect(withCookie.json).toEqual(without.json);
  });

  it("needs application/json to sign in and no more than 4 KB", async () => {
    const form = await call("/console/api/session", { as: "none", body: `passphrase=${PASS}`, headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": freshIp() } });
    expect(form.status).toBe(415);
    const long = await signIn("x".repeat(5000));
    expect(long.status).toBe(413);
  });
});
