// The official `taxjar` npm client against the Worker running in
// `wrangler dev --local`, which talks to the fake TaxJar on 127.0.0.1.
// A server points its client at the Worker with a proxy key as "API key";
// the fake must see the real token instead.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import Taxjar from "taxjar";
import { defaultConformanceDir, startFake } from "../../tests/fake-taxjar/server.mjs";
import { startWranglerDev } from "../scripts/wrangler-dev.mjs";
import { findSecrets } from "../test/leaks.js";

const conformance = (...parts) => JSON.parse(readFileSync(join(defaultConformanceDir(), ...parts), "utf8"));
const US = conformance("taxjar-docs", "taxes", "united-states.json");

let fake;
let dev;
let base;

/** Sends a raw request line (no client-side URL normalization). */
function rawGet(path) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/`, { path, headers: { Authorization: "Bearer pk_test_1" } }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

before(async () => {
  fake = await startFake({ token: "test-token" });
  dev = await startWranglerDev({
    args: ["--test-scheduled"],
    vars: {
      TAXJAR_API_URL: fake.url,
      TAXJAR_API_TOKEN: "test-token",
      PROXY_KEYS: "pk_test_1",
      STORE_URL: "https://shop.example",
      ALLOWED_ORIGINS: "https://shop.example",
      // So this server-side client can be shown a backup estimate.
      OFFLINE_FOR_SERVERS: "true",
    },
  });
  base = dev.base;
});

after(async () => {
  await dev?.stop();
  await fake?.close();
});

test("taxForOrder answers the documented US scenario through the Worker", async () => {
  fake.reset();
  const client = new Taxjar({ apiKey: "pk_test_1", apiUrl: base });
  const res = await client.taxForOrder(US.request);
  assert.deepEqual(res, US.response);
  const seen = fake.requests.filter((r) => r.path === "/v2/taxes");
  assert.equal(seen.length, 1);
  assert.equal(seen[0].headers.authorization, "Bearer test-token");
  assert.equal(seen[0].headers["x-api-version"], "2020-08-07");
  assert.equal(seen[0].headers.referer, "https://shop.example");
  assert.equal(seen[0].body.plugin, "edgetax");
  assert.deepEqual(seen[0].body, { ...US.request, plugin: "edgetax" });
  // The same order again is answered from the Worker's cache.
  assert.deepEqual(await client.taxForOrder(US.request), US.response);
  assert.equal(fake.requests.filter((r) => r.path === "/v2/taxes").length, 1);
});

test("nexusRegions and categories are forwarded", async () => {
  fake.reset();
  const client = new Taxjar({ apiKey: "pk_test_1", apiUrl: base });
  const regions = await client.nexusRegions();
  assert.deepEqual(regions, { regions: fake.state.nexusRegions });
  const categories = await client.categories();
  assert.deepEqual(categories, conformance("taxjar-ruby-fixtures", "categories.json"));
  assert.deepEqual(fake.requests.map((r) => [r.method, r.path, r.headers.authorization]), [
    ["GET", "/v2/nexus/regions", "Bearer test-token"],
    ["GET", "/v2/categories", "Bearer test-token"],
  ]);
});

test("createOrder with a proxy key lands in TaxJar with the real token; browsers are refused", async () => {
  fake.reset();
  const client = new Taxjar({ apiKey: "pk_test_1", apiUrl: base });
  const order = {
    transaction_id: "node-1001",
    transaction_date: "2024-03-01T10:00:00Z",
    to_country: "US",
    to_zip: "90002",
    to_state: "CA",
    amount: 16.5,
    shipping: 1.5,
    sales_tax: 0.95,
    line_items: [{ id: "1", quantity: 1, unit_price: 15, sales_tax: 0.95 }],
  };
  const res = await client.createOrder(order);
  assert.equal(res.order.transaction_id, "node-1001");
  const state = await (await fetch(`${fake.url}/__fake/state`)).json();
  assert.deepEqual(state.orders.map((o) => o.transaction_id), ["node-1001"]);
  const posted = fake.requests.filter((r) => r.path === "/v2/transactions/orders");
  assert.deepEqual(posted.map((r) => [r.method, r.headers.authorization]), [["POST", "Bearer test-token"]]);
  // A browser, even from an allowed origin, never reaches this route.
  const browser = await fetch(`${base}/v2/transactions/orders`, {
    method: "POST",
    headers: { Origin: "https://shop.example", "Content-Type": "application/json" },
    body: JSON.stringify({ ...order, transaction_id: "node-1002" }),
  });
  assert.equal(browser.status, 403);
  assert.equal(fake.requests.filter((r) => r.path === "/v2/transactions/orders").length, 1);
});

test("a wrong proxy key is refused TaxJar-style and never reaches TaxJar", async () => {
  fake.reset();
  const client = new Taxjar({ apiKey: "pk_wrong", apiUrl: base });
  await assert.rejects(client.taxForOrder(US.request), (err) => {
    assert.equal(err.status, 403);
    assert.equal(err.error, "Forbidden");
    assert.equal(err.detail, "the proxy key is not recognized");
    return true;
  });
  assert.equal(fake.requests.length, 0);
});

test("raw path tricks over HTTP: encoded ones are refused, dot segments are resolved first", async () => {
  for (const path of ["//v2/categories", "/v2/x/..%2fcategories", "/v2/rates/%2e%2e%2fcategories"]) {
    const res = await rawGet(path);
    assert.deepEqual([path, res.status, JSON.parse(res.body)], [
      path, 404, { error: "Not Found", detail: "No such route", status: 404 },
    ]);
  }
  // workerd resolves `..` and `%2e%2e` segments before the Worker sees the
  // URL, so these are the plain route (never another host or endpoint).
  fake.reset();
  for (const path of ["/v2/x/../categories", "/v2/x/%2e%2e/categories"]) {
    assert.equal((await rawGet(path)).status, 200);
  }
  assert.ok(fake.requests.every((r) => r.path === "/v2/categories"));
});

test("the client reads a backup estimate built from the summary rates the cron kept", async () => {
  fake.reset();
  // wrangler dev --test-scheduled runs the cron trigger on this route.
  const cron = await fetch(`${base}/__scheduled?cron=17+3+*+*+*`);
  assert.equal(cron.status, 200);
  await cron.text();
  assert.deepEqual(fake.requests.map((r) => [r.method, r.path, r.headers.authorization]), [
    ["GET", "/v2/summary_rates", "Bearer test-token"],
  ]);
  const day = new Date().toISOString().slice(0, 10);
  fake.setFailure({ status: 500, times: 2, path: "/v2/taxes" });
  const client = new Taxjar({ apiKey: "pk_test_1", apiUrl: base });
  const order = {
    to_country: "US", to_zip: "90002", to_state: "CA", shipping: 1.5,
    line_items: [{ id: "1", quantity: 1, unit_price: 15 }],
  };
  // CA's average_rate in the fake's summary rates: 15.00 × 8.27% = 1.2405.
  assert.deepEqual(await client.taxForOrder(order), {
    tax: {
      order_total_amount: 16.5, shipping: 1.5, taxable_amount: 15, amount_to_collect: 1.24, rate: 0.0827,
      has_nexus: true, freight_taxable: false, tax_source: "destination", estimated: true, source: "offline",
      rates_as_of: day, warnings: ["local rates may apply"],
      breakdown: {
        taxable_amount: 15, tax_collectable: 1.24, combined_tax_rate: 0.0827,
        line_items: [{ id: "1", taxable_amount: 15, tax_collectable: 1.24, combined_tax_rate: 0.0827 }],
      },
    },
  });
  assert.deepEqual(fake.requests.map((r) => [r.path, r.status]), [
    ["/v2/summary_rates", 200], ["/v2/taxes", 500], ["/v2/taxes", 500],
  ]);
  // Never cached: with TaxJar back, the same order gets TaxJar's answer.
  const real = await client.taxForOrder(order);
  assert.equal(real.tax.estimated, undefined);
  assert.equal(fake.requests.length, 4);
});

test("the Worker's log lines hold no token, key or address", () => {
  const lines = dev.output().split("\n").filter((line) => line.startsWith('{"method"'));
  assert.ok(lines.length >= 8, dev.output());
  for (const line of lines) {
    const entry = JSON.parse(line);
    assert.deepEqual(Object.keys(entry), ["method", "path", "status", "cache", "upstream_ms", "attempts", "key_hash", "caller"]);
  }
  const refreshes = dev.output().split("\n").filter((line) => line.startsWith('{"event":"refresh_rates"'));
  assert.equal(refreshes.length, 1, dev.output());
  assert.equal(JSON.parse(refreshes[0]).status, "stored");
  for (const secret of ["test-token", "pk_test_1", "pk_wrong", "1335 E 103rd"]) {
    assert.ok(![...lines, ...refreshes].join("\n").includes(secret), secret);
  }
  // Everything wrangler dev and the Worker printed, in every encoding the
  // workerd suite's scan knows (wrangler shows --var values as "(hidden)").
  assert.deepEqual(findSecrets(dev.output(), ["test-token", "pk_test_1", "pk_wrong"]), []);
});
