// Logs for support and savings (issue #19), in workerd with the real D1
// database (LOGS) as miniflare runs it: each answer logged with where it
// came from, the token and keys nowhere; filters, paging and the download;
// the savings counts checked against the requests made here; logging off
// writes nothing; the cron applies the retention. The Worker also answers
// carts without nexus (synced regions) and exempt orders with zero,
// without a call.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call, consoleCall as admin, consoleSession, fakeFail, fakeRequests, freshCart, runScheduled, withEnv } from "./helpers.js";

const rowsNow = async () => (await env.LOGS.prepare("SELECT source, status, route FROM calls ORDER BY rowid").all()).results;

beforeEach(async () => {
  await env.LOGS.prepare("CREATE TABLE IF NOT EXISTS calls (at INTEGER NOT NULL, day TEXT NOT NULL, route TEXT NOT NULL, method TEXT NOT NULL, status INTEGER NOT NULL, ms INTEGER, cart_key TEXT, source TEXT NOT NULL, request TEXT, response TEXT)").run();
  await env.LOGS.prepare("DELETE FROM calls").run();
});

afterEach(async () => {
  await env.CONSOLE.delete("console:settings");
});

/** Makes one answer of each source through the Worker; what was made. */
async function traffic(s) {
  await admin(s, "POST", "nexus/sync"); // CA, NY, WA
  const ca = freshCart();
  expect((await call("/v2/taxes", { as: "browser", body: ca })).status).toBe(200); // taxjar
  expect((await call("/v2/taxes", { as: "browser", body: ca })).headers["x-edgetax-cache"]).toBe("hit"); // cache
  const tx = { to_country: "US", to_zip: "73301", to_state: "TX", shipping: 0, line_items: [{ id: "1", quantity: 1, unit_price: "10.00" }] };
  const skipped = await call("/v2/taxes", { as: "browser", body: tx });
  expect([skipped.status, skipped.headers["x-edgetax-source"], skipped.json.tax.amount_to_collect, skipped.json.tax.has_nexus]).toEqual([200, "no_nexus", 0, false]);
  const exempt = await call("/v2/taxes", { body: freshCart({ exemption_type: "wholesale" }) });
  expect([exempt.headers["x-edgetax-source"], exempt.json.tax.amount_to_collect]).toEqual(["exempt", 0]);
  await fakeFail({ status: 500, times: 2, path: "/v2/taxes" });
  expect((await call("/v2/taxes", { as: "browser", body: freshCart() })).headers["x-edgetax-source"]).toBe("offline");
  const bad = await call("/v2/taxes", { as: "browser", body: { to_zip: "abc", to_state: "CA", line_items: [] } });
  expect(bad.status).toBe(400);
  // The fake was asked for the regions and 1 + 2 (the failing retry) tax calls.
  expect((await fakeRequests()).map((r) => r.route)).toEqual(["GET /v2/nexus/regions", "POST /v2/taxes", "POST /v2/taxes", "POST /v2/taxes"]);
}

describe("logs for support", () => {
  it("logs each answer with where it came from; the console filters, pages and downloads them", async () => {
    const s = await consoleSession();
    await traffic(s);
    // The console's nexus sync is a call to TaxJar too.
    expect((await rowsNow()).map((r) => [r.route, r.source])).toEqual([
      ["/v2/nexus/regions", "taxjar"],
      ["/v2/taxes", "taxjar"], ["/v2/taxes", "cache"], ["/v2/taxes", "no_nexus"],
      ["/v2/taxes", "exempt"], ["/v2/taxes", "offline"], ["/v2/taxes", "worker"],
    ]);

    const all = await admin(s, "GET", "logs");
    expect([all.status, all.json.total, all.json.page, all.json.pages]).toEqual([200, 7, 1, 1]);
    const newest = all.json.entries[0];
    expect([newest.route, newest.method, newest.status, newest.source]).toEqual(["/v2/taxes", "POST", 400, "worker"]);
    expect(newest.request).toContain('"to_zip":"abc"');
    expect(JSON.parse(newest.response).field).toBe("to_zip");
    const billed = all.json.entries.find((e) => e.source === "taxjar");
    expect(billed.ms).toBeGreaterThanOrEqual(0);
    expect(billed.cart_key).toMatch(/^et1_[0-9a-f]{8}$/);
    expect(JSON.parse(billed.response).tax.amount_to_collect).toBeGreaterThan(0);
    // The token and keys appear nowhere (the suite's scan checks every answer too).
    const text = JSON.stringify(all.json);
    for (const secret of [env.TAXJAR_API_TOKEN, "pk_test_1", env.CONSOLE_SECRET]) expect(text).not.toContain(secret);

    const refused = await admin(s, "GET", "logs?status=4xx");
    expect(refused.json.entries.map((e) => e.status)).toEqual([400]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await admin(s, "GET", `logs?from=${today}&to=${today}&route=%2Fv2%2Ftaxes`)).json.total).toBe(6);
    expect((await admin(s, "GET", "logs?to=2020-01-01")).json.total).toBe(0);
    const wrong = await admin(s, "GET", "logs?from=yesterday");
    expect([wrong.status, wrong.json.field]).toEqual([400, "from"]);

    const file = await admin(s, "GET", "logs/download?status=2xx");
    expect(file.headers["content-disposition"]).toBe(`attachment; filename="edgetax-logs-${today}.json"`);
    expect(file.json.filter).toEqual({ from: null, to: null, route: null, status: ["200", "299"] });
    expect(file.json.entries.length).toBe(6);
  });

  it("pages 50 entries at a time", async () => {
    const s = await consoleSession();
    const insert = env.LOGS.prepare("INSERT INTO calls (at, day, route, method, status, source) VALUES (?1, ?2, '/v2/taxes', 'POST', 200, 'cache')");
    const today = new Date().toISOString().slice(0, 10);
    await env.LOGS.batch(Array.from({ length: 120 }, (_, i) => insert.bind(Date.now() - i, today)));
    const second = await admin(s, "GET", "logs?page=2");
    expect([second.json.total, second.json.pages, second.json.entries.length]).toEqual([120, 3, 50]);
    expect((await admin(s, "GET", "logs?page=3")).json.entries.length).toBe(20);
  });

  it("writes nothing with logging off", async () => {
    const s = await consoleSession();
    await admin(s, "PUT", "settings", { logging_enabled: false });
    expect((await call("/v2/taxes", { body: freshCart() })).status).toBe(200);
    expect(await rowsNow()).toEqual([]);
  });

  it("the cron deletes rows older than the retention", async () => {
    const s = await consoleSession();
    await admin(s, "PUT", "settings", { log_retention_days: 2 });
    const insert = env.LOGS.prepare("INSERT INTO calls (at, day, route, method, status, source) VALUES (?1, ?2, '/v2/taxes', 'POST', 200, 'taxjar')");
    const day = (ms) => new Date(ms).toISOString().slice(0, 10);
    const now = Date.now();
    await env.LOGS.batch([1, 3, 10].map((days) => insert.bind(now - days * 86_400_000, day(now - days * 86_400_000))));
    await runScheduled();
    expect((await env.LOGS.prepare("SELECT COUNT(*) AS n FROM calls WHERE route = '/v2/taxes'").first()).n).toBe(1);
    // The cron's own calls to TaxJar are logged too.
    const cron = await env.LOGS.prepare("SELECT method, route, status, source FROM calls WHERE route != '/v2/taxes' ORDER BY route").all();
    expect(cron.results).toEqual([
      { method: "GET", route: "/v2/nexus/regions", status: 200, source: "taxjar" },
      { method: "GET", route: "/v2/summary_rates", status: 200, source: "taxjar" },
    ]);
  });
});

describe("savings", () => {
  it("counts what the requests made here cost", async () => {
    const s = await consoleSession();
    await traffic(s);
    const res = await admin(s, "GET", "savings");
    expect(res.status).toBe(200);
    const today = res.json.days.at(-1);
    expect(today).toEqual({ day: new Date().toISOString().slice(0, 10), requests: 6, cache: 1, skips: 2, backups: 1, billed: 1 });
    expect(res.json.days.length).toBe(30);
    const month = res.json.month_to_date;
    expect([month.requests, month.billed, month.free, month.free_percent]).toEqual([6, 1, 5, "83.3"]);
  });

  it("says so when the LOGS database is not bound", async () => {
    const envOverride = withEnv({ LOGS: undefined });
    const s = await consoleSession({ envOverride });
    const res = await admin(s, "GET", "savings", undefined, envOverride);
    expect([res.status, res.json.detail]).toEqual([503, "the LOGS D1 database is not bound"]);
  });
});
