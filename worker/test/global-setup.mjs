// Runs in Node before the workerd tests: starts the fake TaxJar, the
// legacy API stand-in and the hostile upstream on 127.0.0.1 and hands
// their URLs (and a documented scenario, and a port nothing listens on) to
// the tests. It also collects each test file's secret-scan report
// (test/setup.js) and, at the end, prints the totals for the whole suite
// and fails the run on a hit or on a file that never reported.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConformanceDir, startFake } from "../../tests/fake-taxjar/server.mjs";
import { startHostileUpstream } from "./hostile-upstream.mjs";
import { startLegacyUpstream } from "./legacy-upstream.mjs";
import { freePort } from "../scripts/wrangler-dev.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
/** Where the totals are written, for docs/RELIABILITY.md. */
const SUMMARY = join(HERE, "..", "..", "target", "worker-secret-scan.json");

let fake;
let legacy;
let hostile;
let collector;
let vitest;
const reports = [];

/** Receives `POST /report` bodies from test/setup.js. */
async function startCollector() {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      reports.push(JSON.parse(body));
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

export async function setup(project) {
  const { provide } = project;
  vitest = project.vitest;
  fake = await startFake({ token: "test-token" });
  provide("fakeUrl", fake.url);
  legacy = await startLegacyUpstream({ token: "test-token" });
  provide("legacyUrl", legacy.url);
  hostile = await startHostileUpstream();
  provide("hostileUrl", hostile.url);
  // Nothing listens there: connecting is refused.
  provide("refusedUrl", `http://127.0.0.1:${await freePort()}`);
  collector = await startCollector();
  provide("scanUrl", collector.url);
  const file = join(defaultConformanceDir(), "taxjar-docs", "taxes", "united-states.json");
  provide("usScenario", JSON.parse(readFileSync(file, "utf8")));
}

export async function teardown() {
  await fake?.close();
  await legacy?.close();
  await hostile?.close();
  await new Promise((resolve) => collector?.server.close(resolve));
  // Every file the run collected must have reported.
  const expected = vitest?.state?.getFiles?.().length ?? 0;
  const total = (key) => reports.reduce((sum, r) => sum + r[key], 0);
  const hits = reports.flatMap((r) => r.hits.map((hit) => ({ file: r.file, ...hit })));
  const summary = {
    files: reports.length,
    responses: total("responses"),
    logLines: total("logLines"),
    secrets: Math.max(0, ...reports.map((r) => r.secrets)),
    hits,
    faultScenarios: reports.find((r) => r.figures?.faultScenarios)?.figures.faultScenarios ?? null,
  };
  mkdirSync(dirname(SUMMARY), { recursive: true });
  writeFileSync(SUMMARY, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(
    `secret scan: ${summary.responses} Worker responses and ${summary.logLines} log lines ` +
      `from ${summary.files} test files, ${summary.secrets} secrets (as written, percent-encoded, base64): ` +
      `${hits.length} hits`,
  );
  for (const { file, figures } of reports) {
    const faults = figures?.faultScenarios;
    if (faults) console.log(`fault scenarios survived (${file}): ${faults.names.length}/${faults.total}`);
  }
  // A throw here would not fail the run; the exit code does. (Each file's
  // own afterAll already fails on a hit; this also catches a silent file.)
  if (hits.length > 0 || reports.length < expected) {
    console.error(`secret scan failed: ${reports.length} of ${expected} files reported; hits ${JSON.stringify(hits)}`);
    process.exitCode = 1;
  }
}
