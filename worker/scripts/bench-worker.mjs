#!/usr/bin/env node
// Figures for worker/BENCH.md: CPU time per /v2/taxes request (miss with
// the upstream stubbed out, and hit) and wasm instantiation time, measured
// (1) in workerd under `wrangler dev` (scripts/bench-entry.js) and (2) in
// Node's V8 with process.cpuUsage(). Prints medians of RUNS runs.
//
//   node scripts/bench-worker.mjs [--runs 7] [--n 300]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const WORKER_DIR = fileURLToPath(new URL("..", import.meta.url));
const PKG = join(WORKER_DIR, "node_modules", "edgetax");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg("runs", 7);
const N = arg("n", 300);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => `${(ms * 1000).toFixed(0)} µs`;

async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server.address().port;
}

async function inWorkerd() {
  const tickServer = http.createServer((req, res) => res.end("ok"));
  const tickPort = await listen(tickServer);
  const probe = http.createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const wrangler = join(WORKER_DIR, "node_modules", "wrangler", "bin", "wrangler.js");
  const dev = spawn(process.execPath, [
    wrangler, "dev", "scripts/bench-entry.js", "--ip", "127.0.0.1", "--port", String(port), "--local",
    "--show-interactive-dev-session=false", "--var", `TICK_URL:http://127.0.0.1:${tickPort}/`,
  ], { cwd: WORKER_DIR, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  dev.stdout.on("data", (c) => (output += c));
  dev.stderr.on("data", (c) => (output += c));
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/`)).status === 404) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`wrangler dev not ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await (await fetch(`${base}/bench?n=50`)).json(); // warm-up
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await (await fetch(`${base}/bench?n=${N}`)).json());
    return Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]));
  } finally {
    try {
      process.kill(-dev.pid, "SIGKILL");
    } catch {
      // gone
    }
    tickServer.close();
  }
}

async function inNode() {
  const { initSync, WorkerProxy } = await import(join(PKG, "edgetax.js"));
  const bytes = readFileSync(join(PKG, "edgetax_bg.wasm"));
  const cpu = (fn) => {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  const acpu = async (fn) => {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  const compile = [];
  for (let i = 0; i < RUNS; i++) compile.push(cpu(() => new WebAssembly.Module(bytes)));
  const module = new WebAssembly.Module(bytes);
  const imports = {};
  for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
    imports[m] ??= {};
    imports[m][name] = kind === "function" ? () => {} : undefined;
  }
  const instantiate = [];
  for (let i = 0; i < RUNS; i++) instantiate.push(cpu(() => { for (let j = 0; j < 20; j++) new WebAssembly.Instance(module, imports); }) / 20);
  initSync({ module });

  const answer = JSON.stringify({ tax: { order_total_amount: 16.5, shipping: 1.5, taxable_amount: 15, amount_to_collect: 1.35, rate: 0.09, has_nexus: true, freight_taxable: false, tax_source: "destination" } });
  const cart = (i) => JSON.stringify({ from_country: "US", from_zip: "92093", from_state: "CA", to_country: "US", to_zip: "90002", to_state: "CA", to_city: "Los Angeles", to_street: "1335 E 103rd St", shipping: 1.5, line_items: [{ id: "1", quantity: 1, product_tax_code: "20010", unit_price: (15 + i / 100).toFixed(2) }, { id: "2", quantity: 2, unit_price: "9.99", discount: 1 }] });
  const reqs = (n, distinct, offset) => Array.from({ length: n }, (_, i) => new Request("https://proxy.example/v2/taxes", { method: "POST", headers: { Authorization: "Bearer pk_bench", "Content-Type": "application/json" }, body: cart(distinct ? offset + i : 0) }));
  const memoryCache = () => { const s = new Map(); return { match: async (k) => s.get(k)?.clone(), put: async (k, r) => { s.set(k, r); } }; };
  const env = { TAXJAR_API_TOKEN: "bench-token", PROXY_KEYS: "pk_bench", RATE_LIMIT: "0" };
  const realFetch = globalThis.fetch;
  const realLog = console.log;
  globalThis.fetch = async () => new Response(answer, { status: 200, headers: { "content-type": "application/json" } });
  console.log = () => {};
  const miss = [], hit = [], base = [];
  try {
    const proxy = new WorkerProxy(env);
    const cache = memoryCache();
    const runtime = { cache, waitUntil: () => {} };
    await proxy.handle(reqs(1, false)[0], runtime);
    for (let r = 0; r < RUNS + 1; r++) {
      const m = reqs(N, true, (r + 1) * N);
      const h = reqs(N, false);
      const b = reqs(N, false);
      const missMs = await acpu(async () => { for (const q of m) await proxy.handle(q, { cache: memoryCache(), waitUntil: () => {} }); }) / N;
      const hitMs = await acpu(async () => { for (const q of h) await proxy.handle(q, runtime); }) / N;
      const baseMs = await acpu(async () => { for (const q of b) { JSON.parse(await q.text()); new Response(answer, { headers: { "content-type": "application/json" } }); } }) / N;
      if (r > 0) { miss.push(missMs); hit.push(hitMs); base.push(baseMs); } // first round warms the JIT
    }
  } finally {
    globalThis.fetch = realFetch;
    console.log = realLog;
  }
  return { compile_ms: median(compile), instantiate_ms: median(instantiate), miss_ms: median(miss), hit_ms: median(hit), js_baseline_ms: median(base) };
}

const node = await inNode();
const workerd = await inWorkerd();
console.log(`edgetax worker bench: ${RUNS} runs of ${N} requests, medians`);
console.log(`workerd (wrangler dev, wall time of I/O-free batches):`);
console.log(`  instantiate ${fmt(workerd.instantiate_ms)}  miss ${fmt(workerd.miss_ms)}  hit ${fmt(workerd.hit_ms)}  js baseline ${fmt(workerd.js_baseline_ms)}`);
console.log(`node ${process.version} (process.cpuUsage):`);
console.log(`  compile ${fmt(node.compile_ms)}  instantiate ${fmt(node.instantiate_ms)}  miss ${fmt(node.miss_ms)}  hit ${fmt(node.hit_ms)}  js baseline ${fmt(node.js_baseline_ms)}`);
console.log(JSON.stringify({ runs: RUNS, n: N, workerd, node }));
