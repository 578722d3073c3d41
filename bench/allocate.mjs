// allocate(): edgetax's (the release pkg) against dinero.js@2.0.2's, in
// one process and run.
//
// 1. Speed: a total split over 1,000 weights, the two interleaved round by
//    round so drift in machine load hits both alike; medians and ratio.
// 2. Accuracy: over 10,000 seeded random cases, how often each result
//    differs from exact largest remainder (computed here with BigInt).
//
// Same data on both sides, each in its own API's form: edgetax takes money
// as numbers or decimal strings ("12.34"); dinero takes the total in minor
// units and integer ratios (the weights in cents), which keeps its shares
// in cents (decimal ratios would give it shares at a finer scale).
//
//   node bench/allocate.mjs [--rounds 15] [--calls 200] [--cases 10000]

import { readFileSync } from "node:fs";
import os from "node:os";
import { allocate as dineroAllocate, dinero, toSnapshot, USD } from "dinero.js";
import { initSync, allocate } from "../pkg/edgetax.js";
import { rng } from "./rng.mjs";

initSync({ module: readFileSync(new URL("../pkg/edgetax_bg.wasm", import.meta.url)) });

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg("rounds", 15);
const CALLS = arg("calls", 200);
const CASES = arg("cases", 10_000);
const WEIGHTS = 1000;

const int = (random, lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const dollars = (cents) => `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;

// Exact largest remainder over integer weights: each share is the floor of
// total × w / Σw; the leftover units go one each to the largest remainders,
// ties to the lower index.
function largestRemainder(total, weights) {
  const T = BigInt(total);
  const W = weights.map(BigInt);
  const S = W.reduce((a, b) => a + b, 0n);
  const shares = W.map((w) => (T * w) / S);
  const remainders = W.map((w, i) => ({ r: (T * w) % S, i }));
  let left = T - shares.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (let k = 0; left > 0n; k++, left--) shares[remainders[k].i] += 1n;
  return shares;
}

// True when `shares` is a largest-remainder split under some order of ties:
// every share is its floor or one more, and no share that got the extra
// unit has a smaller remainder than one that did not.
function isLargestRemainder(total, weights, shares) {
  const T = BigInt(total);
  const W = weights.map(BigInt);
  const S = W.reduce((a, b) => a + b, 0n);
  if (shares.reduce((a, b) => a + b, 0n) !== T) return false;
  let minUp = null;
  let maxFlat = null;
  for (let i = 0; i < W.length; i++) {
    const floor = (T * W[i]) / S;
    const r = (T * W[i]) % S;
    if (shares[i] === floor + 1n) minUp = minUp === null || r < minUp ? r : minUp;
    else if (shares[i] === floor) maxFlat = maxFlat === null || r > maxFlat ? r : maxFlat;
    else return false;
  }
  return minUp === null || maxFlat === null || minUp >= maxFlat;
}

// edgetax answers two-place decimal strings ("3.34"): read them exactly.
const edgetaxCents = (total, weights) =>
  allocate(total, weights).map((s) => {
    if (!/^-?\d+\.\d\d$/.test(s)) throw new Error(`unexpected share ${s}`);
    return BigInt(s.replace(".", ""));
  });
const dineroCents = (totalCents, ratios) =>
  dineroAllocate(dinero({ amount: totalCents, currency: USD }), ratios).map((d) => {
    const { amount, scale } = toSnapshot(d);
    if (scale !== 2) throw new Error(`dinero answered at scale ${scale}`);
    return BigInt(amount);
  });

// --- 1. speed ---------------------------------------------------------------
const random = rng(20260709);
const weightCents = Array.from({ length: WEIGHTS }, () => int(random, 1, 99_999));
const weightNumbers = weightCents.map((c) => c / 100); // 12.34 as a JS number
const totalCents = 1_234_567;
const totalNumber = totalCents / 100;

// Both must agree on this input's sum before we time them.
const a = edgetaxCents(totalNumber, weightNumbers);
const b = dineroCents(totalCents, weightCents);
for (const shares of [a, b]) {
  if (shares.reduce((x, y) => x + y, 0n) !== BigInt(totalCents)) throw new Error("shares do not sum to the total");
}

function time(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) fn();
  return Number(process.hrtime.bigint() - start) / CALLS / 1000; // µs per call
}
const runEdgetax = () => allocate(totalNumber, weightNumbers);
const runDinero = () => dineroAllocate(dinero({ amount: totalCents, currency: USD }), weightCents);
time(runEdgetax); // warm-up: JIT and wasm tiers
time(runDinero);
const ours = [];
const theirs = [];
for (let r = 0; r < ROUNDS; r++) {
  ours.push(time(runEdgetax));
  theirs.push(time(runDinero));
}
const m1 = median(ours);
const m2 = median(theirs);

// --- 2. accuracy --------------------------------------------------------------
// Random cases: 1–50 weights, whole numbers or cents, some zeros; totals
// from 0 to $10,000.
const cases = rng(7);
const tally = { edgetax: { strict: 0, notLr: 0 }, dinero: { strict: 0, notLr: 0 } };
let ties = 0;
for (let c = 0; c < CASES; c++) {
  const n = int(cases, 1, 50);
  const inCents = cases() < 0.5;
  const weights = Array.from({ length: n }, () => (cases() < 0.1 ? 0 : inCents ? int(cases, 1, 99_999) : int(cases, 1, 20)));
  if (weights.every((w) => w === 0)) weights[0] = 1;
  const total = int(cases, 0, 1_000_000);
  const exact = largestRemainder(total, weights);
  // Half the cases pass numbers (12.34), half decimal strings ("12.34").
  const asNumbers = c % 2 === 0;
  const given = weights.map((w) => (inCents ? (asNumbers ? w / 100 : dollars(w)) : asNumbers ? w : String(w)));
  const results = { edgetax: edgetaxCents(dollars(total), given), dinero: dineroCents(total, weights) };
  const remainders = weights.map((w) => (BigInt(total) * BigInt(w)) % BigInt(weights.reduce((x, y) => x + y, 0)));
  if (new Set(remainders.map(String)).size < remainders.length) ties++;
  for (const [who, shares] of Object.entries(results)) {
    if (shares.some((s, i) => s !== exact[i])) tally[who].strict++;
    if (!isLargestRemainder(total, weights, shares)) tally[who].notLr++;
  }
}

const pct = (k) => `${k} (${((100 * k) / CASES).toFixed(1)}%)`;
console.log(`allocate, Node ${process.version}, ${os.cpus()[0].model} ×${os.cpus().length}`);
console.log(`command: node bench/allocate.mjs (${ROUNDS} rounds × ${CALLS} calls interleaved, medians; ${CASES} accuracy cases)`);
console.log(`speed, $${totalNumber} over ${WEIGHTS} weights:`);
console.log(`  edgetax allocate:        ${m1.toFixed(1)} µs/call`);
console.log(`  dinero.js 2.0.2 allocate: ${m2.toFixed(1)} µs/call`);
console.log(`  ratio (edgetax / dinero): ${(m1 / m2).toFixed(2)}`);
console.log(`accuracy over ${CASES} random cases (seeded), against exact largest remainder:`);
console.log(`  edgetax: differs ${pct(tally.edgetax.strict)}; not a largest-remainder split under any tie order ${pct(tally.edgetax.notLr)}`);
console.log(`  dinero:  differs ${pct(tally.dinero.strict)}; not a largest-remainder split under any tie order ${pct(tally.dinero.notLr)}`);
console.log(`  (cases with tied remainders: ${ties}; the reference breaks ties to the lower index)`);
