// Nexus in the console (issue #19), in workerd with the real CONSOLE KV
// namespace and the fake: "Sync nexus regions" and the daily cron keep
// TaxJar's regions, which /v2/nexus/regions then answers without a call;
// nexus addresses are checked, sent as nexus_addresses on every tax
// request and part of its cache key; without a token the regions answer
// is a clean 200 for the demo's widget.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { call, consoleCall as admin, consoleSession, fakeRequests, freshCart, logLines, runScheduled, withEnv } from "./helpers.js";

const FAKE_REGIONS = [
  { country_code: "US", country: "United States", region_code: "CA", region: "California" },
  { country_code: "US", country: "United States", region_code: "NY", region: "New York" },
  { country_code: "US", country: "United States", region_code: "WA", region: "Washington" },
];

const regionsCall = (envOverride) => call("/v2/nexus/regions", { method: "GET", as: "browser", envOverride });
const stored = async () => JSON.parse((await env.CONSOLE.get("console:settings")) ?? "{}");

afterEach(async () => {
  await env.CONSOLE.delete("console:settings");
});

describe("console: nexus regions", () => {
  it("syncs the regions from TaxJar; /v2/nexus/regions then answers them without a call", async () => {
    const s = await consoleSession();
    const before = await admin(s, "GET", "nexus");
    expect(before.json).toEqual({ regions: null, source: "taxjar", synced_at: null, nexus_addresses: [] });

    const synced = await admin(s, "POST", "nexus/sync");
    expect(synced.status).toBe(200);
    expect([synced.json.regions, synced.json.source]).toEqual([FAKE_REGIONS, "synced"]);
    expect(Math.abs(synced.json.synced_at - Date.now() / 1000)).toBeLessThan(5);
    expect((await fakeRequests()).map((r) => r.route)).toEqual(["GET /v2/nexus/regions"]);
    expect((await stored()).nexus.regions).toEqual(FAKE_REGIONS);

    const regions = await regionsCall();
    expect([regions.status, regions.headers["x-edgetax-source"]]).toEqual([200, "synced"]);
    expect(regions.json).toEqual({ regions: FAKE_REGIONS });
    // A new isolate reads them from KV too; TaxJar is not asked again.
    expect((await regionsCall(withEnv({}))).json).toEqual({ regions: FAKE_REGIONS });
    expect((await fakeRequests()).length).toBe(1);
  });

  it("the daily cron syncs them too, and says so in the log", async () => {
    await runScheduled();
    expect((await stored()).nexus.regions).toEqual(FAKE_REGIONS);
    const line = logLines.map((l) => { try { return JSON.parse(l); } catch { return null; } })
      .find((l) => l?.event === "nexus_sync");
    expect(line).toEqual({ level: "info", event: "nexus_sync", status: "stored", detail: "the nexus regions were synced from TaxJar" });
  });

  it("a failed sync keeps what was synced before and says why", async () => {
    const s = await consoleSession();
    await admin(s, "POST", "nexus/sync");
    const envOverride = withEnv({ TAXJAR_API_TOKEN: "wrong-token-xyz" });
    const s2 = await consoleSession({ envOverride });
    const failed = await admin(s2, "POST", "nexus/sync", undefined, envOverride);
    expect([failed.status, failed.json.detail]).toEqual([502, "TaxJar refused the API token (401 Unauthorized)"]);
    expect((await stored()).nexus.regions).toEqual(FAKE_REGIONS);
  });

  it("without a token: a clean 200 of every region the backup estimates cover", async () => {
    const noToken = withEnv({ TAXJAR_API_TOKEN: undefined });
    const res = await regionsCall(noToken);
    expect([res.status, res.headers["x-edgetax-source"], res.json.regions.length]).toEqual([200, "offline", 64]);
    expect(res.json.regions).toContainEqual({ country_code: "US", country: "United States", region_code: "NJ" });
    const s = await consoleSession({ envOverride: noToken });
    const sync = await admin(s, "POST", "nexus/sync", undefined, noToken);
    expect([sync.status, sync.json.detail]).toEqual([409, "no API token is configured: paste one first"]);
  });
});

describe("console: nexus addresses", () => {
  const HQ = { id: "hq", country: "US", state: "CA", zip: "94107", city: "San Francisco", street: "1 Main St" };

  it("are sent as nexus_addresses on every tax request, and are part of its cache key", async () => {
    const cart = freshCart();
    const first = await call("/v2/taxes", { body: cart });
    expect(first.headers["x-edgetax-cache"]).toBe("miss");
    const s = await consoleSession();
    const saved = await admin(s, "PUT", "nexus/addresses", { nexus_addresses: [{ ...HQ, state: "ca" }] });
    expect(saved.status).toBe(200);
    expect(saved.json.nexus_addresses).toEqual([HQ]);
    expect(saved.json.source).toBe("nexus_addresses");
    expect(saved.json.regions).toEqual([{ country_code: "US", country: "United States", region_code: "CA" }]);

    // The same cart: not the cached answer, TaxJar is asked with the addresses.
    const again = await call("/v2/taxes", { body: cart });
    expect(again.headers["x-edgetax-cache"]).toBe("miss");
    const sent = (await fakeRequests()).filter((r) => r.route === "POST /v2/taxes");
    expect(sent.length).toBe(2);
    expect(sent[0].body.nexus_addresses).toBeUndefined();
    expect(sent[1].body.nexus_addresses).toEqual([HQ]);
    // /v2/nexus/regions answers their regions.
    expect((await regionsCall()).json).toEqual({ regions: [{ country_code: "US", country: "United States", region_code: "CA" }] });
  });

  it("are checked as a cart's: the error names the address's field, and nothing is kept", async () => {
    const s = await consoleSession();
    await admin(s, "PUT", "nexus/addresses", { nexus_addresses: [HQ] });
    const bad = await admin(s, "PUT", "nexus/addresses", { nexus_addresses: [HQ, { country: "US", state: "NY", zip: "1234" }] });
    expect([bad.status, bad.json.code, bad.json.field]).toEqual([400, "invalid_zip", "nexus_addresses[1].zip"]);
    expect((await stored()).nexus_addresses).toEqual([HQ]);
    const removed = await admin(s, "PUT", "nexus/addresses", { nexus_addresses: [] });
    expect([removed.json.nexus_addresses, removed.json.source]).toEqual([[], "taxjar"]);
  });
});
