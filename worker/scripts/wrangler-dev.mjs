// Starts this Worker under `wrangler dev --local` on 127.0.0.1, for the
// Node tests (test-node/) and the load test (bench/load/): free ports for
// the Worker and its inspector, a fresh --persist-to folder, and a stop()
// that ends the whole process tree and removes that folder.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const WORKER_DIR = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER = join(WORKER_DIR, "node_modules", "wrangler", "bin", "wrangler.js");
const READY_TIMEOUT_MS = 120_000;

/** A TCP port of 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Ends a process started with `detached: true` and everything it started. */
export async function stopGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  kill("SIGTERM");
  const timer = setTimeout(() => kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

async function launch(vars, args, persist, cwd) {
  const [port, inspector] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--local", "--persist-to", persist, "--show-interactive-dev-session=false", ...args,
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    {
      cwd,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      detached: true, // its own process group, so stopGroup ends workerd too
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      // Any route answers once it is up; /v2/nope is a 404.
      if ((await fetch(`${base}/v2/nope`, { signal: AbortSignal.timeout(2000) })).status === 404) {
        return { base, child, output: () => output };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stopGroup(child);
  return { failed: `wrangler dev was not ready within ${READY_TIMEOUT_MS} ms:\n${output}`, output };
}

/**
 * `wrangler dev` with `vars` (`{ NAME: value }`, passed as --var) and
 * extra `args`, in the Worker project `cwd` (this repo's worker/ unless
 * given); resolves to `{ base, output(), stop() }` once it answers.
 * Tries again (3 times) when a port was taken between choosing and binding.
 */
export async function startWranglerDev({ vars = {}, args = [], cwd = WORKER_DIR } = {}) {
  const persist = mkdtempSync(join(tmpdir(), "edgetax-wrangler-"));
  for (let attempt = 1; ; attempt++) {
    const started = await launch(vars, args, persist, cwd);
    if (!started.failed) {
      return {
        base: started.base,
        output: started.output,
        async stop() {
          await stopGroup(started.child);
          rmSync(persist, { recursive: true, force: true });
        },
      };
    }
    if (attempt === 3 || !started.output.includes("Address already in use")) {
      rmSync(persist, { recursive: true, force: true });
      throw new Error(started.failed);
    }
  }
}
