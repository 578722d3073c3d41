// The shipped artifacts hold no secret: every file of ../pkg (the npm
// package, .wasm included) and the Worker bundle that `wrangler deploy`
// would upload (built here with --dry-run --outdir) is scanned for the
// TaxJar token and proxy keys the tests and `wrangler dev` use (vitest
// config, test-node, worker/.dev.vars when present, and the environment),
// in every form test/leaks.js knows. 0 hits expected; a planted secret
// proves the scan finds one.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { findSecrets } from "../test/leaks.js";

const WORKER_DIR = fileURLToPath(new URL("..", import.meta.url));
const PKG_DIR = join(WORKER_DIR, "..", "pkg");
const WRANGLER = join(WORKER_DIR, "node_modules", "wrangler", "bin", "wrangler.js");
const temp = mkdtempSync(join(tmpdir(), "edgetax-bundle-scan-"));

after(() => rmSync(temp, { recursive: true, force: true }));

/** The secrets configured for tests and local runs, each at most once. */
function configuredSecrets() {
  const found = [];
  const add = (value) => {
    for (const part of (value ?? "").split(/[\s,]+/)) if (part && !found.includes(part)) found.push(part);
  };
  const vitest = readFileSync(join(WORKER_DIR, "vitest.config.mjs"), "utf8");
  for (const name of ["TAXJAR_API_TOKEN", "PROXY_KEYS"]) add(vitest.match(new RegExp(`${name}: "([^"]+)"`))?.[1]);
  const client = readFileSync(join(WORKER_DIR, "test-node", "taxjar-client.test.mjs"), "utf8");
  for (const name of ["TAXJAR_API_TOKEN", "PROXY_KEYS"]) add(client.match(new RegExp(`"${name}:([^"]+)"`))?.[1]);
  const devVars = join(WORKER_DIR, ".dev.vars");
  if (existsSync(devVars)) {
    for (const line of readFileSync(devVars, "utf8").split("\n")) {
      const match = line.match(/^\s*(TAXJAR_API_TOKEN|PROXY_KEYS)\s*=\s*"?([^"]*)"?\s*$/);
      if (match) add(match[2]);
    }
  }
  add(process.env.TAXJAR_API_TOKEN);
  add(process.env.PROXY_KEYS);
  return found;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Scans each file's bytes (binary as latin1, so ASCII secrets match). */
function scan(files, secrets) {
  let bytes = 0;
  const hits = [];
  for (const file of files) {
    const buffer = readFileSync(file);
    bytes += buffer.length;
    hits.push(...findSecrets(buffer.toString("latin1"), secrets).map((hit) => ({ file, ...hit })));
  }
  return { files: files.length, bytes, hits };
}

const SECRETS = configuredSecrets();

test("the configured secrets are found (the scan is not vacuous)", () => {
  for (const secret of ["test-token", "pk_test_1", "pk_test_2"]) assert.ok(SECRETS.includes(secret), secret);
});

test("the scan finds a planted secret in a binary and in base64", () => {
  const dir = join(temp, "planted");
  mkdirSync(dir);
  writeFileSync(join(dir, "a.wasm"), Buffer.concat([Buffer.from([0, 97, 115, 109]), Buffer.from(SECRETS[0]), Buffer.alloc(8)]));
  writeFileSync(join(dir, "b.js"), `const x = "${btoa(`ky=${SECRETS[1]}`)}";`);
  writeFileSync(join(dir, "c.js"), "const clean = 1;");
  const result = scan(filesUnder(dir), SECRETS);
  assert.deepEqual(result.hits.map((h) => [h.file.split("/").pop(), h.secret]), [["a.wasm", SECRETS[0]], ["b.js", SECRETS[1]]]);
});

test("pkg/ and the Worker bundle hold no token or proxy key", (t) => {
  assert.ok(existsSync(join(PKG_DIR, "edgetax_bg.wasm")), "build pkg/ first (make build)");
  const outdir = join(temp, "bundle");
  const built = spawnSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outdir], {
    cwd: WORKER_DIR,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    encoding: "utf8",
  });
  assert.equal(built.status, 0, built.stdout + built.stderr);
  const bundle = filesUnder(outdir);
  assert.ok(bundle.some((f) => f.endsWith(".wasm")) && bundle.some((f) => f.endsWith("index.js")), bundle.join(", "));
  const pkg = scan(filesUnder(PKG_DIR), SECRETS);
  const worker = scan(bundle, SECRETS);
  t.diagnostic(`pkg/: ${pkg.files} files, ${pkg.bytes} bytes; bundle: ${worker.files} files, ${worker.bytes} bytes; ` +
    `${SECRETS.length} secrets; hits ${pkg.hits.length + worker.hits.length}`);
  assert.deepEqual([...pkg.hits, ...worker.hits], []);
});
