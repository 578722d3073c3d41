#!/usr/bin/env node
// A CPU profile of the Worker's request path taken inside workerd itself:
// runs scripts/bench-entry.js under `wrangler dev`, attaches to workerd's
// V8 inspector (the Chrome DevTools protocol, on --inspector-port), and
// records `Profiler` samples while a batch (GET /run) is built and run.
// Writes a .cpuprofile (open it in Chrome DevTools) and prints the top
// functions by self time.
//
//   node scripts/profile-worker.mjs [--kind hit|hit_new|miss|...] [--n 3000] [--out /tmp/worker.cpuprofile]
//       [--pkg DIR]   # another build of the package, e.g. one with a name section
import { writeFileSync } from "node:fs";
import WebSocket from "ws";
import { startBenchDev } from "./bench-dev.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const KIND = arg("kind", "hit");
const N = Number(arg("n", 3000));
const OUT = arg("out", `/tmp/edgetax-worker-${KIND}.cpuprofile`);
const PKG = arg("pkg", null);

const dev = await startBenchDev(PKG);
try {
  const { base, inspectorPort } = dev;
  await (await fetch(`${base}/run?kind=${KIND}&n=200`)).json(); // warm-up

  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new Error(`no inspector target: ${JSON.stringify(targets)}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => { ws.once("open", r); ws.once("error", j); });
  let id = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  });
  const send = (method, params = {}) => new Promise((r) => {
    pending.set(++id, r);
    ws.send(JSON.stringify({ id, method, params }));
  });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 50 });
  await send("Profiler.start");
  await (await fetch(`${base}/run?kind=${KIND}&n=${N}`)).json();
  const { result } = await send("Profiler.stop");
  ws.close();
  writeFileSync(OUT, JSON.stringify(result.profile));
  console.log(`profile of ${N} × ${KIND} in workerd → ${OUT}`);

  const { nodes, samples, timeDeltas } = result.profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  samples.forEach((s, i) => {
    const n = byId.get(s);
    const key = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}`;
    self.set(key, (self.get(key) ?? 0) + timeDeltas[i]);
    total += timeDeltas[i];
  });
  for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${((t / total) * 100).toFixed(1).padStart(5)}%  ${key.slice(0, 140)}`);
  }
} finally {
  dev.close();
}
