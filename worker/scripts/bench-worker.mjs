#!/usr/bin/env node
// Figures for worker/BENCH.md: CPU time per /v2/taxes request (a miss with
// the upstream stubbed out; a hit on a body text seen before; a hit on a new
// body text of the same cart) and wasm instantiation time, measured (1) in
// workerd under `wrangler dev` (scripts/bench-entry.js): the CPU time of the
// workerd process (all its threads, from /proc/<pid>/task/*/schedstat, in
// ns) around a batch, so time the machine spends on other work is not
// counted; and (2) in Node's V8 with process.cpuUsage(). Prints medians (and
// ranges) of RUNS runs.
//
//   node scripts/bench-worker.mjs [--runs 7] [--n 300] [--before DIR]
//
// --before DIR also measures another build of the package (a copy of pkg/
// made before a change) in the same run: a second workerd, its runs
// alternating with this build's, and a second copy in the Node process.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { serverBuild, startBenchDev, WORKER_DIR } from "./bench-dev.mjs";

const PKG = join(WORKER_DIR, "node_modules", "edgetax");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg("runs", 7));
const N = Number(arg("n", 300));
const BEFORE = arg("before", null);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = (runs) =>
  Object.fromEntries(Object.keys(runs[0]).map((k) => {
    const xs = runs.map((r) => r[k]);
    return [k, { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }];
  }));

const KINDS = ["instantiate", "miss", "hit", "hit_new", "js_baseline", "js_hit_io", "core_key"];

/** The workerd processes under `root` (wrangler starts them). */
function findWorkerds(root) {
  const parents = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      parents.set(Number(entry), { comm, ppid });
    } catch {
      // gone
    }
  }
  const under = (pid) => {
    for (let up = pid; up > 1; up = parents.get(up)?.ppid ?? 1) if (up === root) return true;
    return false;
  };
  return [...parents].filter(([pid, { comm }]) => comm === "workerd" && under(pid)).map(([pid]) => pid);
}

/** Nanoseconds `pid` has run on a CPU, all threads. */
function threadsCpuNs(pid) {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended
    }
  }
  return total;
}

/** The bench Worker in workerd, built with the package in `pkgDir` (default: node_modules). */
async function startWorkerd(pkgDir) {
  const dev = await startBenchDev(pkgDir);
  const { base, close } = dev;
  const workerds = findWorkerds(dev.pid);
  if (workerds.length === 0) {
    close();
    throw new Error("no workerd process found under wrangler dev");
  }
  // wrangler dev runs two workerd processes (a proxy in front, the Worker
  // behind it): both are counted.
  const cpuNs = () => workerds.reduce((sum, pid) => sum + threadsCpuNs(pid), 0);
  const call = async (path) => {
    const response = await fetch(`${base}${path}`);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${(await response.text()).slice(0, 2000)}`);
    return response.json();
  };
  const cpuOf = async (path) => {
    const before = cpuNs();
    await call(path);
    return cpuNs() - before;
  };
  // ms of workerd CPU per item of a batch of `n` of `kind`: the batch's CPU
  // time less that of building it (see scripts/bench-entry.js).
  const measure = async (kind, n) => {
    const built = await cpuOf(`/run?kind=${kind}&n=${n}&setup=1`);
    const ran = await cpuOf(`/run?kind=${kind}&n=${n}`);
    return (ran - built) / 1e6 / n;
  };
  try {
    for (const kind of KINDS) await measure(kind, 50); // warm-up
  } catch (error) {
    close();
    throw error;
  }
  const run = async () => {
    const out = {};
    for (const kind of KINDS) out[`${kind}_ms`] = await measure(kind, kind === "instantiate" ? 50 : N);
    return out;
  };
  return { run, close };
}

/** The same batches in Node's V8, CPU time from process.cpuUsage(): `round(r)` measures one run. */
async function inNode(pkgDir) {
  const build = serverBuild(pkgDir);
  const { initSync, WorkerProxy } = await import(pathToFileURL(build.js));
  const bytes = readFileSync(build.wasm);
  const cpu = async (fn) => {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  const module = new WebAssembly.Module(bytes);
  const imports = {};
  for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
    imports[m] ??= {};
    imports[m][name] = kind === "function" ? () => {} : undefined;
  }
  initSync({ module });
  const answer = JSON.stringify({ tax: { order_total_amount: 16.5, shipping: 1.5, taxable_amount: 15, amount_to_collect: 1.35, rate: 0.09, has_nexus: true, freight_taxable: false, tax_source: "destination" } });
  const cart = (price, note) => JSON.stringify({ from_country: "US", from_zip: "92093", from_state: "CA", to_country: "US", to_zip: "90002", to_state: "CA", to_city: "Los Angeles", to_street: "1335 E 103rd St", shipping: 1.5, line_items: [{ id: "1", quantity: 1, product_tax_code: "20010", unit_price: (15 + price / 100).toFixed(2), description: `Shirt ${note}` }, { id: "2", quantity: 2, unit_price: "9.99", discount: 1 }] });
  const reqs = (kind, round) => Array.from({ length: N }, (_, i) => new Request("https://proxy.example/v2/taxes", { method: "POST", headers: { Authorization: "Bearer pk_bench", "Content-Type": "application/json" }, body: cart(kind === "miss" ? round * N + i + 1 : 0, kind === "hit_new" ? round * N + i + 1 : 0) }));
  const memoryCache = () => { const s = new Map(); return { match: async (k) => s.get(k)?.clone(), put: async (k, r) => { s.set(k, r); } }; };
  const env = { TAXJAR_API_TOKEN: "bench-token", PROXY_KEYS: "pk_bench", RATE_LIMIT: "0" };
  const stubbed = async (body) => {
    const realFetch = globalThis.fetch;
    const realLog = console.log;
    globalThis.fetch = async () => new Response(answer, { status: 200, headers: { "content-type": "application/json" } });
    console.log = () => {};
    try {
      return await body();
    } finally {
      globalThis.fetch = realFetch;
      console.log = realLog;
    }
  };
  const proxy = new WorkerProxy(env);
  const cache = memoryCache();
  const runtime = { cache, waitUntil: () => {} };
  await stubbed(() => proxy.handle(reqs("hit", 0)[0], runtime));
  const round = (r) =>
    stubbed(async () => {
      const out = {};
      out.instantiate_ms = (await cpu(() => { for (let j = 0; j < 20; j++) new WebAssembly.Instance(module, imports); })) / 20;
      for (const kind of ["miss", "hit", "hit_new"]) {
        const batch = reqs(kind, r);
        const each = kind === "miss" ? () => ({ cache: memoryCache(), waitUntil: () => {} }) : () => runtime;
        out[`${kind}_ms`] = (await cpu(async () => { for (const q of batch) await proxy.handle(q, each()); })) / N;
      }
      const base = reqs("hit", r);
      out.js_baseline_ms = (await cpu(async () => { for (const q of base) { JSON.parse(await q.text()); new Response(answer, { headers: { "content-type": "application/json" } }); } })) / N;
      return out;
    });
  return { round };
}

const fmt = (s) => `${(s.median * 1000).toFixed(0)} µs (${(s.min * 1000).toFixed(0)}–${(s.max * 1000).toFixed(0)})`;
function print(label, figures) {
  console.log(`  ${label}:`);
  for (const [k, s] of Object.entries(figures)) console.log(`    ${k.replace(/_ms$/, "").padEnd(14)} ${fmt(s)}`);
}

const builds = [{ label: "this build", dir: PKG }, ...(BEFORE ? [{ label: `before (${BEFORE})`, dir: BEFORE }] : [])];
const node = {};
const nodeBenches = [];
for (const b of builds) nodeBenches.push({ ...b, bench: await inNode(b.dir), runs: [] });
for (let r = 0; r <= RUNS; r++) {
  // Alternating builds; round 0 only warms the JIT.
  for (const nb of nodeBenches) {
    const out = await nb.bench.round(r);
    if (r > 0) nb.runs.push(out);
  }
}
for (const nb of nodeBenches) node[nb.label] = summary(nb.runs);

const workerd = {};
const started = [];
try {
  for (const b of builds) started.push({ ...b, dev: await startWorkerd(b.dir === PKG ? null : b.dir), runs: [] });
  // Alternating, so drift in machine load hits every build alike.
  for (let i = 0; i < RUNS; i++) for (const s of started) s.runs.push(await s.dev.run());
  for (const s of started) workerd[s.label] = summary(s.runs);
} finally {
  for (const s of started) s.dev.close();
}

console.log(`edgetax worker bench: ${RUNS} runs of ${N} requests per kind; median (min–max) per request`);
console.log(`command: node scripts/bench-worker.mjs --runs ${RUNS} --n ${N}${BEFORE ? ` --before ${BEFORE}` : ""}`);
console.log(`workerd (wrangler dev; CPU time of the workerd process per item):`);
for (const b of builds) print(b.label, workerd[b.label]);
console.log(`node ${process.version} (process.cpuUsage):`);
for (const b of builds) print(b.label, node[b.label]);
console.log(JSON.stringify({ runs: RUNS, n: N, workerd, node }));
