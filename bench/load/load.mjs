#!/usr/bin/env node
// Bounded load test of the edgetax Worker (issue #10): `wrangler dev` on
// 127.0.0.1 in front of the local TaxJar fake, driven by autocannon.
//
// Per concurrency level, CARTS distinct carts (new ones for each level, so
// each starts cold) are each sent REPEAT times to POST /v2/taxes, in a
// seeded shuffled order: CARTS misses and CARTS × (REPEAT − 1) hits when
// every repeat is answered from the Cache API or shares an in-flight call.
// Each level stops after CARTS × REPEAT requests. Prints requests/s, p50
// and p99 latency, errors, and TaxJar calls (counted by the fake) against
// distinct carts.
//
//   make load
//   node bench/load/load.mjs [--carts 200] [--repeat 5] [--levels 1,16,64] [--latency 50] [--seed 10]
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { seededRandom } from "../../tests/fake-taxjar/failures.mjs";
import { startWranglerDev, stopGroup } from "../../worker/scripts/wrangler-dev.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FAKE = join(ROOT, "tests", "fake-taxjar", "server.mjs");
const KEY = "pk_load_1";
const ORIGIN = "https://load.example";
const TOKEN = "load-token";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const CARTS = Number(arg("carts", 200));
const REPEAT = Number(arg("repeat", 5));
const LEVELS = arg("levels", "1,16,64").split(",").map(Number);
const LATENCY_MS = Number(arg("latency", 50));
const SEED = Number(arg("seed", 10));

let fake;
let dev;

async function stopAll() {
  await dev?.stop();
  if (fake) await stopGroup(fake);
}

/** The fake TaxJar in its own process (not sharing autocannon's event loop); resolves to its URL. */
async function startFakeProcess() {
  fake = spawn(process.execPath, [FAKE, "--port", "0", "--token", TOKEN, "--latency", String(LATENCY_MS)], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  fake.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    fake.stdout.on("data", (chunk) => {
      output += chunk;
      const url = /listening on (\S+)/.exec(output)?.[1];
      if (url) resolve(url);
    });
    fake.once("exit", () => reject(new Error(`fake-taxjar exited:\n${output}`)));
  });
}

/** A cart no other level sends: level and index are in the price and shipping. */
function cart(level, i) {
  return {
    to_country: "US",
    to_zip: "90002",
    to_state: "CA",
    shipping: `${level}.00`,
    line_items: [{ id: "1", quantity: 1 + (i % 3), unit_price: (5 + i / 100).toFixed(2) }],
  };
}

function shuffle(list, random) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * `amount` requests over `connections` connections (autocannon), each
 * built by `setupRequest`; latencies are kept unrounded for p50 and p99.
 */
async function drive(url, connections, amount, request) {
  const times = [];
  const started = performance.now();
  const instance = autocannon({ url, connections, amount, timeout: 30, requests: [request] });
  instance.on("response", (client, status, bytes, ms) => times.push(ms));
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    requests: result.requests.total,
    seconds,
    rps: result.requests.total / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** The mix: CARTS carts × REPEAT, in a shuffled order, to POST /v2/taxes. */
async function taxes(base, fakeUrl, connections, random) {
  await fetch(`${fakeUrl}/__fake/reset`, { method: "POST" });
  const bodies = Array.from({ length: CARTS }, (_, i) => JSON.stringify(cart(connections, i)));
  const schedule = shuffle(
    Array.from({ length: CARTS * REPEAT }, (_, n) => n % CARTS),
    random,
  );
  let next = 0;
  const cache = { hit: 0, miss: 0, other: 0 };
  const first = new Map(); // cart → its first answer's amount_to_collect
  let wrong = 0;
  const run = await drive(`${base}/v2/taxes`, connections, schedule.length, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    // The next cart of the schedule, whichever connection is free.
    setupRequest(request, context) {
      context.cart = schedule[next++];
      return { ...request, body: bodies[context.cart] };
    },
    onResponse(status, body, context, headers) {
      const state = headers["x-edgetax-cache"];
      cache[state === "hit" || state === "miss" ? state : "other"] += 1;
      let amount = null;
      try {
        amount = JSON.parse(body).tax.amount_to_collect;
      } catch {
        // counted below
      }
      if (status !== 200 || amount === null) wrong += 1;
      else if (!first.has(context.cart)) first.set(context.cart, amount);
      else if (first.get(context.cart) !== amount) wrong += 1;
    },
  });
  const requests = await (await fetch(`${fakeUrl}/__fake/requests`)).json();
  const calls = requests.filter((r) => r.method === "POST" && r.path === "/v2/taxes");
  return {
    connections,
    ...run,
    wrong,
    hits: cache.hit,
    misses: cache.miss,
    noCacheHeader: cache.other,
    distinctCarts: CARTS,
    upstreamCalls: calls.length,
    distinctCalled: new Set(calls.map((r) => JSON.stringify({ ...r.body, plugin: undefined }))).size,
  };
}

/** The floor, side by side: CORS preflights, answered by the Worker alone (no cache, no TaxJar). */
async function preflights(base, connections) {
  const run = await drive(`${base}/v2/taxes`, connections, CARTS * REPEAT, {
    method: "OPTIONS",
    headers: { origin: ORIGIN, "access-control-request-method": "POST" },
  });
  return { connections, ...run };
}

async function main() {
  const fakeUrl = await startFakeProcess();
  dev = await startWranglerDev({
    vars: {
      TAXJAR_API_URL: fakeUrl,
      TAXJAR_API_TOKEN: TOKEN,
      PROXY_KEYS: KEY,
      ALLOWED_ORIGINS: ORIGIN,
      RATE_LIMIT: "0",
    },
  });
  const { base } = dev;
  // Warm-up (the isolate, the wasm, the fake's connection): not measured.
  const warm = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${base}/v2/taxes`, { method: "POST", headers: warm, body: JSON.stringify(cart(0, i % 5)) });
    if (res.status !== 200) throw new Error(`warm-up answered ${res.status}: ${await res.text()}`);
  }

  console.log(
    `load: ${CARTS} distinct carts × ${REPEAT} requests per level (${CARTS} misses, ${CARTS * (REPEAT - 1)} hits expected), ` +
      `seeded shuffle (seed ${SEED}), fake TaxJar latency ${LATENCY_MS} ms, wrangler dev on ${base}`,
  );
  const random = seededRandom(SEED);
  const rows = [];
  for (const connections of LEVELS) {
    const floor = await preflights(base, connections);
    const row = { ...(await taxes(base, fakeUrl, connections, random)), floor };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const fmt = (n, d = 1) => n.toFixed(d);
  console.log("");
  console.log("POST /v2/taxes, the mix:");
  console.log("| concurrency | requests | req/s | p50 ms | p99 ms | errors | non-2xx | hits | misses | TaxJar calls | distinct carts |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    console.log(
      `| ${r.connections} | ${r.requests} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.errors} | ${r.non2xx} | ` +
        `${r.hits} | ${r.misses} | ${r.upstreamCalls} | ${r.distinctCarts} |`,
    );
  }
  console.log("");
  console.log("Side by side, the floor of wrangler dev + the Worker: OPTIONS preflights (no cache, no TaxJar):");
  console.log("| concurrency | requests | req/s | p50 ms | p99 ms | errors | non-2xx | mix req/s ÷ floor req/s |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const { floor: f, rps } of rows) {
    console.log(
      `| ${f.connections} | ${f.requests} | ${fmt(f.rps, 0)} | ${fmt(f.p50)} | ${fmt(f.p99)} | ${f.errors} | ${f.non2xx} | ${fmt(rps / f.rps, 2)} |`,
    );
  }
  const bad = rows.filter(
    (r) =>
      r.errors || r.non2xx || r.wrong || r.noCacheHeader || r.floor.errors || r.floor.non2xx ||
      r.upstreamCalls !== r.distinctCarts || r.distinctCalled !== r.distinctCarts,
  );
  for (const r of bad) {
    console.log(
      `concurrency ${r.connections}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.wrong} wrong answers, ` +
        `${r.upstreamCalls} TaxJar calls for ${r.distinctCalled} of ${r.distinctCarts} distinct carts; ` +
        `preflights: ${r.floor.errors} errors, ${r.floor.non2xx} non-2xx`,
    );
  }
  return bad.length === 0 ? 0 : 1;
}

process.once("SIGINT", () => stopAll().then(() => process.exit(130)));
process.once("SIGTERM", () => stopAll().then(() => process.exit(143)));
let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`load: ${error.message}`);
} finally {
  await stopAll();
}
process.exit(code);
