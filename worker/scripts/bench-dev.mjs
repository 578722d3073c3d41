// `wrangler dev` on scripts/bench-entry.js for the bench and profile
// scripts: free ports (the inspector's too), optionally another build of the
// package, and a close() that ends the whole process group.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./wrangler-dev.mjs";

export const WORKER_DIR = fileURLToPath(new URL("..", import.meta.url));

/**
 * The build of `pkgDir` that has the WorkerProxy: `server/` of a package
 * with two builds, or the one build of a package from before the split.
 */
export function serverBuild(pkgDir) {
  const dir = resolve(pkgDir);
  return existsSync(join(dir, "server", "edgetax_server.js"))
    ? { js: join(dir, "server", "edgetax_server.js"), wasm: join(dir, "server", "edgetax_server_bg.wasm") }
    : { js: join(dir, "edgetax.js"), wasm: join(dir, "edgetax_bg.wasm") };
}

/**
 * Starts `wrangler dev` and waits until it answers. With `pkgDir`, the
 * entry imports that build of the package instead of node_modules/edgetax.
 * Answers `{ base, pid, inspectorPort, close }`.
 */
export async function startBenchDev(pkgDir = null) {
  let entry = "scripts/bench-entry.js";
  if (pkgDir) {
    // A copy of the entry that imports the other build.
    entry = `scripts/.bench-entry-${process.pid}-${Date.now()}.tmp.js`;
    const build = serverBuild(pkgDir);
    const source = readFileSync(join(WORKER_DIR, "scripts", "bench-entry.js"), "utf8")
      .replace('"edgetax/server/edgetax_server_bg.wasm"', JSON.stringify(build.wasm))
      .replace('from "edgetax/server"', `from ${JSON.stringify(build.js)}`);
    writeFileSync(join(WORKER_DIR, entry), source);
  }
  const port = await freePort();
  const inspectorPort = await freePort();
  const wrangler = join(WORKER_DIR, "node_modules", "wrangler", "bin", "wrangler.js");
  const dev = spawn(process.execPath, [
    wrangler, "dev", entry, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
    "--local", "--show-interactive-dev-session=false",
  ], { cwd: WORKER_DIR, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  dev.stdout.on("data", (c) => (output += c));
  dev.stderr.on("data", (c) => (output += c));
  const close = () => {
    try {
      process.kill(-dev.pid, "SIGKILL");
    } catch {
      // gone
    }
    if (pkgDir) rmSync(join(WORKER_DIR, entry), { force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/`)).status === 404) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || dev.exitCode !== null) {
      close();
      throw new Error(`wrangler dev not ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { base, pid: dev.pid, inspectorPort, close };
}
