// Upstream faults, table-driven: each scenario breaks TaxJar one way (the
// fake's failure specs, the hostile upstream's socket tricks, a closed
// port), then a server and a browser send a fresh cart. Each must end in a
// clean TaxJar-style error with the right status, or (browsers, when TaxJar
// failed) a flagged backup estimate; the number of upstream attempts is
// exact; and a second identical request reaches upstream again, except for
// a TaxJar 4xx, which is kept 60 s (the 4xx rule). The count of scenarios
// survived is printed by the global teardown.
import { cartKey } from "edgetax";
import { describe, expect, inject, it } from "vitest";
import { account, call, fakeFail, fakeRequests, figures, freshCart, logLines, withEnv } from "./helpers.js";

const HOSTILE = inject("hostileUrl");
const REFUSED = inject("refusedUrl");
const PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>";
const TRUNCATED = '{"tax":{"amount_to_collect":1.35,"order_total_amount":16.5,"sh';

const tj = (status, error, detail) => ({ error, detail, status });
const injected = (status, reason) => tj(502, "Bad Gateway", `TaxJar answered ${status} ${reason}: Injected failure (fake-taxjar)`);
const fake = (spec) => ({ fake: { path: "/v2/taxes", ...spec } });

/**
 * `server`: the answer a proxy-key caller gets (`json`, or `tax` for a
 * TaxJar answer). `attempts`: upstream attempts per request. `browser`:
 * "offline" (a backup estimate), or "same" (the server's answer, with CORS).
 * `kept`: the failure is a TaxJar 4xx, kept 60 s; `cached`: a success.
 */
const SCENARIOS = [
  { name: "timeout", ...fake({ hang: true, times: 2 }), attempts: 2, browser: "offline",
    server: { status: 504, json: tj(504, "Gateway Timeout", "TaxJar did not answer within 300 ms") } },
  { name: "slow answer just under the timeout", ...fake({ delayMs: 1200, times: 1 }), env: { UPSTREAM_TIMEOUT_MS: "1500" },
    attempts: 1, browser: "same", cached: true, server: { status: 200, tax: true } },
  { name: "connection refused", upstream: REFUSED, attempts: 2, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", "could not reach TaxJar") } },
  { name: "connection closed without an answer", upstream: `${HOSTILE}/drop`, attempts: 2, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", "could not reach TaxJar") } },
  { name: "connection cut mid-body", upstream: `${HOSTILE}/truncate`, attempts: 2, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", "could not reach TaxJar") } },
  { name: "429 with Retry-After", ...fake({ status: 429, retryAfter: 7, times: 1 }), attempts: 1, browser: "offline",
    server: { status: 429, retryAfter: "7", json: tj(429, "Too Many Requests", "Injected failure (fake-taxjar)") } },
  { name: "429 without Retry-After", ...fake({ status: 429, times: 1 }), attempts: 1, browser: "offline",
    server: { status: 429, json: tj(429, "Too Many Requests", "Injected failure (fake-taxjar)") } },
  { name: "429 with an empty body", ...fake({ status: 429, body: "", times: 1 }), attempts: 1, browser: "offline",
    server: { status: 429, json: tj(429, "Too Many Requests", "TaxJar's rate limit was reached") } },
  ...[[500, "Internal Server Error"], [502, "Bad Gateway"], [503, "Service Unavailable"], [504, "Gateway Timeout"]].map(
    ([status, reason]) => ({ name: `${status}`, ...fake({ status, times: 2 }), attempts: 2, browser: "offline",
      server: { status: 502, json: injected(status, reason) } }),
  ),
  { name: "HTML page with 200", ...fake({ status: 200, body: PAGE, contentType: "text/html", times: 1 }),
    attempts: 1, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", `TaxJar's 200 answer is not JSON; body: ${JSON.stringify(PAGE)}`) } },
  { name: "HTML page with 503", ...fake({ status: 503, body: PAGE, contentType: "text/html", times: 2 }),
    attempts: 2, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", `TaxJar answered 503 Service Unavailable; body: ${JSON.stringify(PAGE)}`) } },
  { name: "empty body with 200", ...fake({ status: 200, body: "", times: 1 }), attempts: 1, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", "TaxJar's 200 answer is not JSON; body: (empty)") } },
  { name: "empty body with 500", ...fake({ status: 500, body: "", times: 2 }), attempts: 2, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", "TaxJar answered 500 Internal Server Error with an empty body") } },
  { name: "truncated JSON with 200", ...fake({ status: 200, body: TRUNCATED, times: 1 }), attempts: 1, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", `TaxJar's 200 answer is not JSON; body: ${JSON.stringify(TRUNCATED)}`) } },
  { name: "status as a string with 400",
    ...fake({ status: 400, body: '{"error":"Bad Request","detail":"to_zip 90002 is not used within to_state CA","status":"400"}', times: 1 }),
    attempts: 1, browser: "same", kept: true,
    server: { status: 400, json: tj(400, "Bad Request", "to_zip 90002 is not used within to_state CA") } },
  { name: "status as a string with 500",
    ...fake({ status: 500, body: '{"error":"Internal Server Error","detail":"boom","status":"500"}', times: 2 }),
    attempts: 2, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", "TaxJar answered 500 Internal Server Error: boom") } },
  { name: "detail as an array with 422",
    ...fake({ status: 422, body: '{"error":"Unprocessable Entity","detail":["to_zip is invalid","to_state is required"],"status":422}', times: 1 }),
    attempts: 1, browser: "same", kept: true,
    server: { status: 422, json: tj(422, "Unprocessable Entity", "to_zip is invalid; to_state is required") } },
  { name: "detail as an array with 503",
    ...fake({ status: 503, body: '{"error":"Service Unavailable","detail":["down","try later"],"status":503}', times: 2 }),
    attempts: 2, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway", "TaxJar answered 503 Service Unavailable: down; try later") } },
  { name: "redirect to another host", upstream: `${HOSTILE}/redirect`, attempts: 1, browser: "offline",
    server: { status: 502, json: tj(502, "Bad Gateway",
      "TaxJar answered 307 with a redirect, which the Worker does not follow: check TAXJAR_API_URL") } },
];

/** Upstream requests so far, wherever this scenario's upstream is. */
async function upstreamCount(scenario, lines) {
  if (!scenario.upstream) return (await fakeRequests()).length;
  if (scenario.upstream.startsWith(HOSTILE)) return (await (await fetch(`${HOSTILE}/__hostile/requests`)).json()).length;
  // Nothing listens on a refused port: count the attempts the Worker logged.
  return lines.reduce((sum, line) => sum + JSON.parse(line).attempts, 0);
}

// Reported to the global teardown, which prints "fault scenarios survived".
const survived = { total: SCENARIOS.length * 2, names: [] };
figures.faultScenarios = survived;

describe.each(["server", "browser"])("as a %s", (as) => {
  it.each(SCENARIOS.map((s) => [s.name, s]))("%s", async (_name, scenario) => {
    await fetch(`${HOSTILE}/__hostile/reset`, { method: "POST" });
    const testEnv = withEnv({ ...(scenario.upstream && { TAXJAR_API_URL: scenario.upstream }), ...scenario.env });
    if (scenario.fake) await fakeFail(scenario.fake);
    const cart = freshCart();
    const before = logLines.length;
    const first = await call("/v2/taxes", { as, body: cart, envOverride: testEnv });
    const lines = logLines.slice(before).filter((l) => l.startsWith('{"method"'));
    expect(lines.map((l) => JSON.parse(l).attempts)).toEqual([scenario.attempts]);
    expect(await upstreamCount(scenario, lines)).toBe(scenario.attempts);

    const offline = as === "browser" && scenario.browser === "offline";
    const expected = scenario.server;
    if (offline) {
      expect([first.status, first.headers["x-edgetax-source"], first.json.tax.estimated, first.json.tax.source])
        .toEqual([200, "offline", true, "offline"]);
      expect(first.headers["retry-after"]).toBeUndefined();
    } else if (expected.tax) {
      expect([first.status, first.headers["x-edgetax-source"], first.json.tax.has_nexus]).toEqual([200, undefined, true]);
    } else {
      expect([first.status, first.json]).toEqual([expected.status, expected.json]);
      expect(first.headers["retry-after"]).toBe(expected.retryAfter);
      expect(first.headers["x-edgetax-source"]).toBeUndefined();
    }
    expect(first.headers["x-edgetax-cache"]).toBe("miss");
    expect(first.headers["access-control-allow-origin"]).toBe(as === "browser" ? "https://shop.example" : undefined);

    // What the cache kept: only TaxJar's answers, a 4xx for 60 s.
    const stored = await caches.default.match(
      `https://proxy.example/__edgetax/cache/${await account(testEnv.TAXJAR_API_URL)}/v2/taxes/${cartKey(cart)}`,
    );
    if (scenario.kept || scenario.cached) {
      expect(stored.headers.get("cache-control")).toBe(scenario.kept ? "max-age=60" : "max-age=900");
    } else {
      expect(stored).toBeUndefined();
    }

    // The same cart again: TaxJar is asked again, unless the answer was kept.
    const calls = await upstreamCount(scenario, lines);
    const mid = logLines.length;
    const second = await call("/v2/taxes", { as, body: cart, envOverride: testEnv });
    const again = logLines.slice(mid).filter((l) => l.startsWith('{"method"'));
    if (scenario.kept || scenario.cached) {
      expect([second.status, second.headers["x-edgetax-cache"], second.text]).toEqual([first.status, "hit", first.text]);
      expect(await upstreamCount(scenario, [...lines, ...again])).toBe(calls);
    } else {
      expect(second.headers["x-edgetax-cache"]).toBe("miss");
      // The fake's fault is spent, so it answers; a broken upstream stays broken.
      const next = scenario.fake ? 1 : scenario.attempts;
      expect(await upstreamCount(scenario, [...lines, ...again])).toBe(calls + next);
    }
    survived.names.push(`${as}: ${scenario.name}`);
  });
});
