// Memo-hit cost of Estimator.estimate() on a cached 20-line cart, next to a
// plain-JS memo (a Map keyed by JSON.stringify of the same cart) in the
// same process and run. Both are awaited, as a checkout would await either.
// Prints medians of several rounds and their ratio. Run: `make bench-memo`.
//
// `--before DIR` also loads an older build of the package (a copy of pkg/
// made before a change) into the same process, and times its Estimator in
// the same interleaved rounds: before and after from one run.

import { readFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { startFake } from "../tests/fake-taxjar/server.mjs";

async function load(dir) {
  const url = pathToFileURL(`${resolve(dir)}/`);
  const pkg = await import(new URL("edgetax.js", url));
  pkg.initSync({ module: readFileSync(new URL("edgetax_bg.wasm", url)) });
  return pkg;
}
const at = process.argv.indexOf("--before");
const beforeDir = at > 0 ? process.argv[at + 1] : null;
const { Estimator } = await load(new URL("../pkg/", import.meta.url).pathname);
const Before = beforeDir ? (await load(beforeDir)).Estimator : null;

const ROUNDS = 15;
const PER_ROUND = 2000;

const cart = {
  from_country: "US", from_zip: "12054", from_state: "NY",
  to_country: "US", to_zip: "10541", to_state: "NY", to_city: "Mahopac", to_street: "1 Main St",
  shipping: 7.99,
  order_discount: 5,
  line_items: Array.from({ length: 20 }, (_, i) => ({
    id: `sku-${i + 1}`, quantity: (i % 3) + 1, unit_price: `${4 + i}.99`, product_tax_code: i % 4 === 0 ? "20010" : undefined,
    description: `Item ${i + 1}`,
  })),
};

const fake = await startFake({ token: "bench" });
const estimator = new Estimator({ apiUrl: fake.url, apiKey: "bench" });
const first = await estimator.estimate(cart);
const before = Before && new Before({ apiUrl: fake.url, apiKey: "bench" });
if (before) await before.estimate(cart);

const plain = new Map();
async function plainEstimate(c) {
  const key = JSON.stringify(c);
  const hit = plain.get(key);
  if (hit) return hit;
  plain.set(key, first);
  return first;
}
await plainEstimate(cart);

// CPU time, not wall time: on a shared machine a round's wall time also
// counts the time other processes held the CPU.
async function round(fn) {
  const start = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i++) await fn(cart);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / PER_ROUND; // µs per call
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours = [];
const theirs = [];
const old = [];
const ratios = [];
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved, so drift in machine load hits every side alike.
  ours.push(await round((c) => estimator.estimate(c)));
  theirs.push(await round(plainEstimate));
  if (before) old.push(await round((c) => before.estimate(c)));
  ratios.push(ours[r] / theirs[r]);
}
const hits = estimator.stats().cache_hits;
const oldHits = before?.stats().cache_hits;
await fake.close();

const m1 = median(ours);
const m2 = median(theirs);
const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
console.log(`memo hit, 20-line cart, Node ${process.version}, ${os.cpus()[0].model} ×${os.cpus().length}`);
console.log(`command: node bench/memo-hit.mjs${beforeDir ? ` --before ${beforeDir}` : ""} (${ROUNDS} rounds × ${PER_ROUND} calls, CPU time, medians, range over rounds)`);
console.log(`Estimator.estimate (cache):      ${m1.toFixed(2)} µs/call  (${range(ours)})`);
console.log(`Map + JSON.stringify (baseline): ${m2.toFixed(2)} µs/call  (${range(theirs)})`);
if (before) {
  const m0 = median(old);
  console.log(`Estimator before (${beforeDir}): ${m0.toFixed(2)} µs/call  (${range(old)})`);
  console.log(`ratio before: ${(m0 / m2).toFixed(2)}`);
}
console.log(`ratio: ${(m1 / m2).toFixed(2)}  (per-round ratios: median ${median(ratios).toFixed(2)}, ${range(ratios)})`);
if (hits < ROUNDS * PER_ROUND) throw new Error(`expected every call to hit the memo, got ${hits}`);
if (before && oldHits < ROUNDS * PER_ROUND) throw new Error(`expected every call of the old build to hit, got ${oldHits}`);
