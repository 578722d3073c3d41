// Hostile callers and paths, table-driven, and proof that the suite's
// secret scan (test/setup.js) finds a planted secret. Every refusal here
// happens without any upstream request; every request that is served
// reaches only TAXJAR_API_URL (the fake), never the hostile upstream.
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { answers, call, FAKE, fakeRequests, freshCart, logLines, ORIGIN, recordAnswer, SECRETS, withEnv } from "./helpers.js";
import { findSecrets } from "./leaks.js";

const HOSTILE = inject("hostileUrl");
const hostileRequests = async () => (await fetch(`${HOSTILE}/__hostile/requests`)).json();
const tj = (status, error, detail) => ({ error, detail, status });
const FORBIDDEN = (detail) => tj(403, "Forbidden", detail);
const NOT_FOUND = tj(404, "Not Found", "No such route");
const SERVER_ONLY = FORBIDDEN("this route is only for servers with a proxy key");

beforeEach(async () => {
  await fetch(`${HOSTILE}/__hostile/reset`, { method: "POST" });
});

afterEach(async () => {
  // Whatever a test sent, nothing ever reached another host.
  expect(await hostileRequests()).toEqual([]);
});

describe("the secret scan", () => {
  it("finds a planted token and key in log lines and answers, as written, encoded or in base64", async () => {
    const [token, key] = [SECRETS[0], SECRETS[1]];
    const lines = logLines.length;
    const kept = answers.length;
    console.log(`{"event":"oops","token":"${token}"}`);
    console.warn(`Authorization: Basic ${btoa(`id:${key}`)}`);
    await recordAnswer(new Response(`{"next":"/v2?key=${encodeURIComponent(key)}"}`, { headers: { "x-debug": `Bearer ${token}` } }));
    await recordAnswer(new Response("{}"));
    const found = (text) => findSecrets(text, SECRETS).map((hit) => hit.secret);
    const planted = [
      ...logLines.slice(lines),
      ...answers.slice(kept).map((a) => a.body + JSON.stringify(a.headers)),
    ];
    expect(planted.map(found)).toEqual([[token], [key], [token, key], []]);
    // Base64 at every alignment; a secret with its last character changed is not a hit.
    for (const prefix of ["", "a", "ab"]) expect(found(btoa(`${prefix}${token}.`))).toEqual([token]);
    expect(found(`${token.slice(0, -1)}?`)).toEqual([]);
    // Taken out again, or this file's own scan fails (as it should).
    logLines.splice(lines);
    answers.splice(kept);
  });
});

describe("callers refused with 403, without any upstream request", () => {
  const FOREIGN = FORBIDDEN("this origin is not allowed");
  const cases = [
    ["another site", { Origin: "https://evil.example" }, FOREIGN],
    ["a suffix of an allowed origin", { Origin: "https://shop.example.evil.example" }, FOREIGN],
    ["an allowed host over http", { Origin: "http://shop.example" }, FOREIGN],
    ["an allowed origin with its default port", { Origin: "https://shop.example:443" }, FOREIGN],
    ["an allowed origin with a path", { Origin: "https://shop.example/" }, FOREIGN],
    ["an allowed origin in capitals", { Origin: "https://SHOP.example" }, FOREIGN],
    ["two origins in one header", { Origin: "https://shop.example https://evil.example" }, FOREIGN],
    ["Origin: null", { Origin: "null" }, FORBIDDEN("requests from Origin null are not allowed")],
    ["no Origin and no key", {}, FORBIDDEN("requests need an allowed Origin or a proxy key")],
    ["an empty Bearer key", { Authorization: "Bearer " }, FORBIDDEN("the proxy key is not recognized")],
    ["a near-miss key", { Authorization: `Bearer ${SECRETS[1]}x` }, FORBIDDEN("the proxy key is not recognized")],
    ["a key in capitals", { Authorization: `Bearer ${SECRETS[1].toUpperCase()}` }, FORBIDDEN("the proxy key is not recognized")],
    ["the TaxJar token itself", { Authorization: `Bearer ${SECRETS[0]}` }, FORBIDDEN("the proxy key is not recognized")],
    ["Basic credentials", { Authorization: `Basic ${btoa(`${SECRETS[1]}:`)}` }, FORBIDDEN("the proxy key is not recognized")],
    ["a wrong key from an allowed origin", { Origin: ORIGIN, Authorization: "Bearer pk_wrong" }, FORBIDDEN("the proxy key is not recognized")],
  ];
  const routes = [["POST", "/v2/taxes"], ["GET", "/v2/categories"], ["GET", "/v2/transactions/orders"], ["POST", "/sync/orders"]];

  it.each(cases)("%s", async (_name, headers, json) => {
    for (const [method, path] of routes) {
      const body = method === "POST" ? freshCart() : undefined;
      const r = await call(path, { method, as: "none", headers, body });
      // A page may read why it was refused (not Origin null, nor a value
      // that is not an origin as browsers send it).
      const readable = /^https?:\/\/[A-Za-z0-9.:\[\]-]+$/.test(headers.Origin ?? "");
      const cors = readable ? headers.Origin : undefined;
      expect([path, r.status, r.json, r.headers["access-control-allow-origin"]]).toEqual([path, 403, json, cors]);
    }
    expect(await fakeRequests()).toEqual([]);
  });

  it("a browser on any transaction, customer or sync route, even from an allowed origin", async () => {
    const serverRoutes = [
      ["GET", "/v2/transactions/orders"], ["POST", "/v2/transactions/orders"],
      ["GET", "/v2/transactions/orders/1"], ["PUT", "/v2/transactions/orders/1"], ["DELETE", "/v2/transactions/orders/1"],
      ["GET", "/v2/transactions/refunds"], ["POST", "/v2/transactions/refunds"],
      ["GET", "/v2/transactions/refunds/1"], ["PUT", "/v2/transactions/refunds/1"], ["DELETE", "/v2/transactions/refunds/1"],
      ["GET", "/v2/customers"], ["POST", "/v2/customers"],
      ["GET", "/v2/customers/c1"], ["PUT", "/v2/customers/c1"], ["DELETE", "/v2/customers/c1"],
      ["POST", "/sync/orders"], ["POST", "/sync/refunds"],
    ];
    for (const origin of [ORIGIN, "https://other.example"]) {
      for (const [method, path] of serverRoutes) {
        const body = method === "POST" || method === "PUT" ? { transaction_id: "1" } : undefined;
        const r = await call(path, { method, as: "none", headers: { Origin: origin }, body });
        expect([method, path, r.status, r.json, r.headers["access-control-allow-origin"]])
          .toEqual([method, path, 403, SERVER_ONLY, origin]);
      }
    }
    expect(await fakeRequests()).toEqual([]);
  });

  it("a server key with Origin: null is a server (the Authorization header alone decides)", async () => {
    const r = await call("/v2/categories", { method: "GET", headers: { Origin: "null" } });
    expect([r.status, r.headers["access-control-allow-origin"]]).toEqual([200, undefined]);
    expect((await fakeRequests()).map((s) => `${s.method} ${s.path}`)).toEqual(["GET /v2/categories"]);
  });
});

describe("paths", () => {
  // As the Worker receives them: these survive URL parsing unchanged.
  const REFUSED = [
    "//evil.example/v2/taxes",
    "//127.0.0.1/v2/taxes",
    "/https://evil.example/v2/taxes",
    "/http:/evil.example/v2/taxes",
    "/%2f%2fevil.example/v2/taxes",
    "/%2F%2Fevil.example%2Fv2%2Ftaxes",
    "/v2//taxes",
    "/v2/taxes%2f..%2fcategories",
    "/v2/rates/..%2f..%2fcategories",
    "/v2/rates/%2e%2e%2fcategories",
    "/v2/rates/%2e%2e%2f%2e%2e%2fevil.example",
    "/v2/rates/%5c..%5ccategories",
    "/v2/rates/90002%2fevil.example",
    "/v2/customers/https:%2F%2Fevil.example",
    "/v2/rates/90002%00",
    "/v2/rates/%zz",
    "/v2/rates/90002%20%0d%0aHost:%20evil.example",
    "/v2/taxes/",
    "/v2/taxes;evil.example",
    "/v2/taxes%3f",
    "/V2/taxes",
    "/evil.example/v2/taxes",
    "/",
  ];

  it.each(REFUSED)("%s is 404", async (path) => {
    // The path the Worker sees is the one written.
    expect(new URL(`https://proxy.example${path}`).pathname).toBe(path);
    for (const as of ["server", "browser"]) {
      const r = await call(path, { as, body: freshCart() });
      expect([r.status, r.json]).toEqual([404, NOT_FOUND]);
    }
    expect(await fakeRequests()).toEqual([]);
  });

  // workerd (like every WHATWG URL parser) resolves these before a Worker
  // sees the URL; tests/worker_proxy.rs refuses their raw forms natively.
  it.each([
    ["/v2/x/../taxes", "/v2/taxes", 200],
    ["/v2/x/%2e%2e/taxes", "/v2/taxes", 200],
    ["/v2/x/.%2E/taxes", "/v2/taxes", 200],
    ["/v2\\taxes", "/v2/taxes", 200],
    ["/../../v2/taxes", "/v2/taxes", 200],
    ["/v2/./taxes", "/v2/taxes", 200],
    ["/v2/rates/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", 404],
  ])("%s is resolved to %s before the Worker: %i", async (path, seen, status) => {
    expect(new URL(`https://proxy.example${path}`).pathname).toBe(seen);
    const r = await call(path, { body: freshCart() });
    expect(r.status).toBe(status);
    const requests = await fakeRequests();
    expect(requests.map((s) => s.path)).toEqual(status === 200 ? [seen] : []);
  });

  it("other hosts in an id or the query reach only TAXJAR_API_URL, encoded", async () => {
    const fakeHost = new URL(FAKE).host;
    const cases = [
      ["/v2/rates/90002@evil.example", "/v2/rates/90002%40evil.example", {}],
      ["/v2/rates/evil.example:80", "/v2/rates/evil.example%3A80", {}],
      ["/v2/rates/90404?city=https://evil.example/&street=//evil.example", "/v2/rates/90404",
        { city: "https://evil.example/", street: "//evil.example" }],
      ["/v2/customers/evil.example%40127.0.0.1", "/v2/customers/evil.example%40127.0.0.1", {}],
    ];
    for (const [path, upstream, query] of cases) {
      await call(path, { method: "GET" });
      const last = (await fakeRequests()).at(-1);
      expect([last.path, last.query, last.headers.host]).toEqual([upstream, query, fakeHost]);
    }
  });

  it("a request addressed to another host is still sent only to TAXJAR_API_URL", async () => {
    const r = await call("/v2/categories", { method: "GET", base: "https://evil.example" });
    expect(r.status).toBe(200);
    const [seen] = await fakeRequests();
    expect([seen.method, seen.path, seen.headers.host]).toEqual(["GET", "/v2/categories", new URL(FAKE).host]);
  });

  it("an upstream redirect is never followed: the cart, token and key stay put", async () => {
    for (const mode of ["redirect", "redirect-same"]) {
      const testEnv = withEnv({ TAXJAR_API_URL: `${HOSTILE}/${mode}` });
      const taxes = await call("/v2/taxes", { as: "browser", body: freshCart(), envOverride: testEnv });
      const lookup = await call("/v2/categories", { method: "GET", envOverride: testEnv });
      const order = await call("/v2/transactions/orders", { body: { transaction_id: "r1" }, envOverride: testEnv });
      const code = mode === "redirect" ? 307 : 302;
      const detail = `TaxJar answered ${code} with a redirect, which the Worker does not follow: check TAXJAR_API_URL`;
      for (const r of [lookup, order]) expect([r.status, r.json]).toEqual([502, tj(502, "Bad Gateway", detail)]);
      // A browser's tax request gets a backup estimate, as for any failure.
      expect([taxes.status, taxes.headers["x-edgetax-source"], taxes.json.tax.estimated]).toEqual([200, "offline", true]);
      const seen = await hostileRequests();
      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
        `POST /${mode}/v2/taxes`, `GET /${mode}/v2/categories`, `POST /${mode}/v2/transactions/orders`,
      ]);
      await fetch(`${HOSTILE}/__hostile/reset`, { method: "POST" });
    }
  });
});
