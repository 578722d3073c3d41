#!/usr/bin/env node
// The demo storefront: the edgetax Worker under `wrangler dev` plus a static
// server for www/ (the shop page and the <edgetax-estimate> widget) and pkg/
// (the built npm package). `make demo` runs it after building pkg/.
//
//   node scripts/demo-storefront.mjs [--port 8080] [--worker-port 8787] [--fake] [--verbose]
//   → edgetax demo: open http://127.0.0.1:8080        (Ctrl-C stops everything)
//     (and the merchant console, with a passphrase made for this run)
//
// Where tax comes from: with TAXJAR_API_TOKEN in worker/.dev.vars the Worker
// calls real TaxJar with it. Without one, the Worker is pointed at the local
// TaxJar fake (tests/fake-taxjar), started here on a random 127.0.0.1 port, and
// the page says "sandbox data". `--offline` instead runs the Worker with no
// token at all, so it answers with its own backup estimates (where the Worker
// has them).
//
// Importable, for the end-to-end tests:
//   import { startDemo } from "./scripts/demo-storefront.mjs";
//   const demo = await startDemo({ port: 0, workerPort: 0 });
//   demo.url, demo.apiUrl, demo.consoleUrl, demo.consoleKey, demo.fakeUrl, demo.fake;
//   await demo.stopWorker(); await demo.startWorker(); await demo.stop();
//
// Plain Node >= 20, no dependencies beyond worker/node_modules (wrangler).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConformanceDir, startFake } from "../tests/fake-taxjar/server.mjs";
import { freePort, stopGroup } from "../worker/scripts/wrangler-dev.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WWW = join(ROOT, "www");
const PKG = join(ROOT, "pkg");
const WIDGET = join(WWW, "widget");
const WORKER_DIR = join(ROOT, "worker");
const WRANGLER = join(WORKER_DIR, "node_modules", "wrangler", "bin", "wrangler.js");
const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 120_000;
/** The placeholder of worker/.dev.vars.example, which is not a token. */
const PLACEHOLDER_TOKEN = "your-sandbox-token";

/**
 * Nexus of the demo's sandbox account: the fake's default states (CA, NY,
 * WA) plus every Canadian province and territory, so both countries of the
 * address form show tax, and other US states show "no nexus".
 */
export const DEMO_NEXUS_REGIONS = [
  "US-CA", "US-NY", "US-WA",
  ...["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"].map((p) => `CA-${p}`),
];

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".ts": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};

/** Reads KEY=VALUE lines (dotenv style, as wrangler does for .dev.vars). */
export function readDevVars(file = join(WORKER_DIR, ".dev.vars")) {
  if (!existsSync(file)) return {};
  const vars = {};
  for (const raw of readFileSync(file, "utf8").split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2].trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    vars[m[1]] = value;
  }
  return vars;
}

const SOURCES = {
  fake: "sandbox data (local TaxJar fake)",
  taxjar: "TaxJar (token from worker/.dev.vars)",
  offline: "offline estimates (the Worker's backup rates; no TaxJar token)",
};

/** True when worker/.dev.vars holds a real-looking TAXJAR_API_TOKEN. */
export function hasRealToken(vars = readDevVars()) {
  const token = (vars.TAXJAR_API_TOKEN ?? "").trim();
  return token !== "" && token !== PLACEHOLDER_TOKEN;
}

async function assertPortFree(port, what) {
  const server = net.createServer();
  try {
    await new Promise((res, rej) => {
      server.once("error", rej);
      server.listen(port, HOST, res);
    });
  } catch (err) {
    throw new Error(`${what} port ${HOST}:${port} is in use (${err.code ?? err.message}); stop whatever holds it or pick another port`);
  }
  await new Promise((res) => server.close(res));
}

/** The file for a URL path, or null when it is outside the served folders. */
function resolveStatic(pathname) {
  let path;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  // /pkg/widget/* is served from the widget's source, so the page always runs
  // the current widget (scripts/package-widget.mjs copies the same files into
  // pkg/widget/ for npm); the rest of /pkg/* is the built package.
  const mounts = [
    ["/pkg/widget/", WIDGET],
    ["/pkg/", PKG],
    ["/", WWW],
  ];
  for (const [prefix, dir] of mounts) {
    if (!path.startsWith(prefix)) continue;
    const rel = normalize(path.slice(prefix.length));
    const file = resolve(dir, rel === "." ? "" : rel);
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

/**
 * The demo's server side of a signed customer context (issue #16): the
 * "tax-exempt customer" switch asks /demo-customer-context.json, which signs
 * a wholesale customer with the Worker's CUSTOMER_CONTEXT_SECRET, as a
 * store's server would for a logged-in exempt customer.
 */
async function contextSigner(secret) {
  // The server build signs (customerContext is edgetax/server's); its Node
  // entry compiles the wasm at import.
  const pkg = await import(new URL("../pkg/server/node.js", import.meta.url));
  return () => pkg.customerContext({ customer_id: "demo-wholesale", exemption_type: "wholesale" }, { secret, ttlSeconds: 3600 });
}

function startStatic({ port, config, signContext }) {
  const server = http.createServer((req, res) => {
    const send = (status, body, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return send(405, "Method Not Allowed\n");
    }
    const { pathname } = new URL(req.url, "http://localhost");
    if (pathname === "/demo-config.json") {
      return send(200, JSON.stringify(config()), MIME[".json"]);
    }
    if (pathname === "/demo-customer-context.json") {
      return send(200, JSON.stringify({ customer_context: signContext() }), MIME[".json"]);
    }
    let file = resolveStatic(pathname);
    if (!file) return send(404, "Not Found\n");
    let stat;
    try {
      stat = statSync(file);
      if (stat.isDirectory()) {
        file = join(file, "index.html");
        stat = statSync(file);
      }
    } catch {
      return send(404, "Not Found\n");
    }
    if (!stat.isFile()) return send(404, "Not Found\n");
    res.writeHead(200, {
      "Content-Type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": stat.size,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).on("error", () => res.destroy()).pipe(res);
  });
  const sockets = new Set();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((res, rej) => {
    server.once("error", rej);
    server.listen(port, HOST, () => {
      server.off("error", rej);
      res({
        server,
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

/** The fixtures folder for the fake, or an empty stand-in when shared/ is absent. */
function conformanceDir() {
  const dir = defaultConformanceDir();
  if (existsSync(join(dir, "taxjar-docs", "taxes")) && existsSync(join(dir, "taxjar-ruby-fixtures"))) {
    return { dir, temp: null };
  }
  // The storefront only needs computed taxes and nexus regions (passed in),
  // so an empty fixtures folder is enough when the conformance set is absent.
  const temp = mkdtempSync(join(tmpdir(), "edgetax-demo-fixtures-"));
  mkdirSync(join(temp, "taxjar-docs", "taxes"), { recursive: true });
  mkdirSync(join(temp, "taxjar-ruby-fixtures"), { recursive: true });
  return { dir: temp, temp };
}

/**
 * Starts the demo stack. Options:
 * - `port` (8080): the storefront's port on 127.0.0.1; 0 picks a free one.
 * - `workerPort` (8787): the Worker's port; 0 picks a free one.
 * - `mode`: where tax comes from: "fake" (the local TaxJar fake), "taxjar"
 *   (worker/.dev.vars' token) or "offline" (no token: the Worker's backup
 *   estimates from the embedded rates). Default: "taxjar" when
 *   worker/.dev.vars has a token, else "offline".
 * - `sandbox`: shorthand, true for mode "fake", false for "taxjar".
 * - `fakeOptions`: extra options for `startFake` (e.g. `latencyMs`).
 * - `workerVars`: extra `--var NAME:value` pairs for the Worker.
 * - `queueRetries`: the sync queue's `max_retries` for this run (default: wrangler.toml's).
 * - `onOutput(chunk)`: receives wrangler's output (default: kept, shown on failure).
 * - `signal`: an AbortSignal that cancels a start in progress (everything started is stopped).
 * Resolves to `{ url, apiUrl, consoleUrl, consoleKey, fakeUrl, fakeToken, fake, mode, sandbox, config, stop(), stopWorker(), startWorker() }`
 * (`consoleKey`: this run's passphrase of the merchant console at `consoleUrl`).
 */
export async function startDemo(options = {}) {
  const {
    port = 8080,
    workerPort = 8787,
    sandbox,
    mode = sandbox === undefined ? (hasRealToken() ? "taxjar" : "offline") : sandbox ? "fake" : "taxjar",
    fakeOptions = {},
    workerVars = {},
    queueRetries,
    onOutput,
    signal,
  } = options;
  if (!SOURCES[mode]) throw new Error(`unknown mode "${mode}" (fake, taxjar or offline)`);
  const useFake = mode === "fake";
  if (!existsSync(join(PKG, "edgetax.js")) || !existsSync(join(PKG, "edgetax_bg.wasm"))) {
    throw new Error("pkg/ is not built: run `make build` first");
  }
  if (!existsSync(WRANGLER)) {
    throw new Error("wrangler is not installed: run `cd worker && npm ci` first");
  }

  const cleanups = [];
  const cleanupAll = async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()();
      } catch {
        // keep going: everything else must still stop
      }
    }
  };

  try {
    const wPort = workerPort === 0 ? await freePort() : workerPort;
    if (port !== 0) await assertPortFree(port, "storefront");
    await assertPortFree(wPort, "Worker");
    const apiUrl = `http://${HOST}:${wPort}`;

    let fake = null;
    let fakeToken = null;
    if (useFake) {
      const fixtures = conformanceDir();
      if (fixtures.temp) cleanups.push(() => rmSync(fixtures.temp, { recursive: true, force: true }));
      fakeToken = `sandbox-${randomBytes(12).toString("hex")}`;
      fake = await startFake({
        token: fakeToken,
        nexusRegions: DEMO_NEXUS_REGIONS,
        conformanceDir: fixtures.dir,
        ...fakeOptions,
      });
      cleanups.push(() => fake.close());
    }

    let siteUrl = null;
    const config = () => ({ apiUrl, mode, sandbox: useFake, source: SOURCES[mode] });
    // A fresh secret per run: the demo's server and its Worker share it.
    const contextSecret = randomBytes(32).toString("hex");
    const site = await startStatic({ port, config, signContext: await contextSigner(contextSecret) });
    cleanups.push(() => site.close());
    siteUrl = `http://${HOST}:${site.port}`;

    const persist = mkdtempSync(join(tmpdir(), "edgetax-demo-wrangler-"));
    cleanups.push(() => rmSync(persist, { recursive: true, force: true }));

    const origins = [siteUrl, `http://localhost:${site.port}`];
    // The merchant console (issue #19): a passphrase and session secret per run.
    const consoleKey = `demo-${randomBytes(9).toString("base64url")}`;
    const consoleSecret = randomBytes(32).toString("hex");
    const vars = {
      ALLOWED_ORIGINS: origins.join(","),
      CUSTOMER_CONTEXT_SECRET: contextSecret,
      CONSOLE_KEY: consoleKey,
      CONSOLE_SECRET: consoleSecret,
      ...(useFake ? { TAXJAR_API_URL: fake.url, TAXJAR_API_TOKEN: fakeToken } : {}),
      // Offline: an empty token overrides one in worker/.dev.vars.
      ...(mode === "offline" ? { TAXJAR_API_TOKEN: "" } : {}),
      ...workerVars,
    };
    // queueRetries: the sync queue's max_retries for this run (a copy of
    // wrangler.toml beside it, removed at the end), so a test can see a
    // message reach the dead-letter queue without hours of backoff.
    const configArgs = [];
    if (queueRetries !== undefined) {
      const file = join(WORKER_DIR, `.wrangler-demo-${process.pid}-${wPort}.toml`);
      const toml = readFileSync(join(WORKER_DIR, "wrangler.toml"), "utf8");
      writeFileSync(file, toml.replace(/^max_retries = \d+$/m, `max_retries = ${Number(queueRetries)}`));
      cleanups.push(() => rmSync(file, { force: true }));
      configArgs.push("--config", file);
    }
    const args = [
      WRANGLER, "dev", ...configArgs, "--ip", HOST, "--port", String(wPort), "--local",
      "--persist-to", persist, "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ];

    let dev = null;
    let output = "";
    const startWorker = async () => {
      if (dev && dev.exitCode === null && dev.signalCode === null) return;
      await assertPortFree(wPort, "Worker");
      output = "";
      // Its own process group, so stopping kills the whole tree (wrangler, workerd, esbuild).
      const child = spawn(process.execPath, args, {
        cwd: WORKER_DIR,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      dev = child;
      const take = (chunk) => {
        const text = chunk.toString();
        output = (output + text).slice(-20_000);
        onOutput?.(text);
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
      child.once("error", (err) => take(`spawn error: ${err.message}\n`));
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (signal?.aborted) {
          await stopWorker();
          throw new Error("start cancelled");
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`wrangler dev exited early:\n${output}`);
        }
        try {
          const res = await fetch(`${apiUrl}/v2/nope`, { signal: AbortSignal.timeout(2000) });
          await res.arrayBuffer();
          if (res.status === 404) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      await stopWorker();
      throw new Error(`wrangler dev was not ready within ${READY_TIMEOUT_MS} ms:\n${output}`);
    };

    const killGroup = (child, signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const stopWorker = async () => {
      const child = dev;
      if (!child) return;
      dev = null;
      await stopGroup(child);
      // workerd may outlive wrangler for a moment: make sure the group is gone.
      killGroup(child, "SIGKILL");
    };
    // If this process dies without stop() (an uncaught error), take the Worker with it.
    const onExit = () => dev && killGroup(dev, "SIGKILL");
    process.on("exit", onExit);
    cleanups.push(() => process.off("exit", onExit));
    cleanups.push(stopWorker);

    await startWorker();

    let stopped = null;
    return {
      url: siteUrl,
      apiUrl,
      consoleUrl: `${apiUrl}/console`,
      consoleKey,
      fakeUrl: fake?.url ?? null,
      fakeToken,
      fake,
      mode,
      sandbox: useFake,
      config: config(),
      output: () => output,
      startWorker,
      stopWorker,
      stop: () => (stopped ??= cleanupAll()),
    };
  } catch (err) {
    await cleanupAll();
    throw err;
  }
}

function parseArgs(argv) {
  const out = { port: 8080, workerPort: 8787, verbose: false, offline: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0 || v > 65535) throw new Error(`${arg} needs a port number`);
      return v;
    };
    if (arg === "--port") out.port = value();
    else if (arg === "--worker-port") out.workerPort = value();
    else if (arg === "--verbose") out.verbose = true;
    else if (arg === "--offline") out.offline = true; // the default without a token
    else if (arg === "--fake") out.fake = true;
    else if (arg === "--help" || arg === "-h") out.help = true;
    else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return out;
}

/** Prints wrangler's output line by line, prefixed. */
function workerLines() {
  let pending = "";
  return (text) => {
    pending += text;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop();
    for (const line of lines) if (line.trim()) console.log(`  [worker] ${line}`);
  };
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  if (opts.help) {
    console.log("usage: node scripts/demo-storefront.mjs [--port 8080] [--worker-port 8787] [--fake] [--verbose]");
    return;
  }
  // No token: the Worker's own backup estimates (the embedded rate table),
  // with no network at all; --fake uses the local TaxJar fake instead.
  const mode = opts.fake ? "fake" : hasRealToken() ? "taxjar" : "offline";
  console.log(`edgetax demo: starting the Worker (wrangler dev) on ${HOST}:${opts.workerPort}${mode === "fake" ? " and the local TaxJar fake" : ""}...`);
  let demo;
  let stopping = false;
  const cancel = new AbortController();
  const early = () => {
    // Ctrl-C while starting: startDemo stops what it started, then rejects.
    cancel.abort();
    setTimeout(() => process.exit(130), 15_000).unref();
  };
  process.once("SIGINT", early);
  process.once("SIGTERM", early);
  try {
    demo = await startDemo({
      port: opts.port,
      workerPort: opts.workerPort,
      mode,
      signal: cancel.signal,
      onOutput: opts.verbose ? workerLines() : undefined,
    });
  } catch (err) {
    if (cancel.signal.aborted) {
      console.log("\nedgetax demo: stopped while starting");
      process.exit(0);
    }
    console.error(`edgetax demo: ${err.message}`);
    process.exit(1);
  }
  process.off("SIGINT", early);
  process.off("SIGTERM", early);
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nedgetax demo: ${signal}, stopping the Worker${demo.sandbox ? ", the fake" : ""} and the static server...`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await demo.stop();
    console.log("edgetax demo: stopped");
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(signal));

  console.log("");
  console.log(`edgetax demo: open ${demo.url}`);
  console.log(`  tax comes from: ${demo.config.source}`);
  console.log(`  Worker:         ${demo.apiUrl}${demo.fakeUrl ? `  ->  fake TaxJar ${demo.fakeUrl}` : ""}`);
  console.log(`  console:        ${demo.consoleUrl}  (passphrase for this run: ${demo.consoleKey})`);
  if (mode !== "taxjar") {
    console.log("  (put TAXJAR_API_TOKEN in worker/.dev.vars to use real TaxJar)");
  }
  console.log("  Ctrl-C stops everything.");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main();
}
