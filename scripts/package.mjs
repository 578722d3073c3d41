#!/usr/bin/env node
// Assembles the npm package in pkg/ after the two wasm-pack builds (run it
// after every build: wasm-pack rewrites pkg/package.json each time):
//
//   pkg/                 the browser build (`edgetax`): edgetax.js + edgetax_bg.wasm
//                        (wasm-pack --no-default-features --features js)
//   pkg/server/          the server build (`edgetax/server`), copied from
//                        target/pkg-server (wasm-pack, default features)
//   pkg/worker/          the Worker's handler (`edgetax/worker`), from worker/src/handler.js
//   pkg/widget/          <edgetax-estimate> (`edgetax/widget`), from www/widget/
//   node.js, workerd.js  entries (in pkg/ and pkg/server/) that compile the
//                        wasm at import, so Node and workerd need no init()
//   LICENSE, NOTICE      (NOTICE carries the CC BY 4.0 credit of the rate data)
//   package.json         "exports" with node / workerd / default conditions,
//                        "typesVersions" for moduleResolution node10, "files"
//   *.d.ts               the raw wasm exports typed `unknown`, not `any`
//
// Idempotent. Usage: node scripts/package.mjs [pkgDir] [serverBuildDir]

import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PKG = resolve(process.argv[2] ?? join(ROOT, "pkg"));
const SERVER_BUILD = resolve(process.argv[3] ?? join(ROOT, "target", "pkg-server"));
const WIDGET_FILES = ["edgetax-estimate.js", "edgetax-estimate-template.js", "edgetax-estimate-money.js", "edgetax-estimate.d.ts"];

const fail = (message) => {
  console.error(`package: ${message}`);
  process.exit(1);
};
if (!existsSync(join(PKG, "edgetax.js"))) fail(`no browser build in ${PKG} (run wasm-pack build first)`);
if (!existsSync(join(SERVER_BUILD, "edgetax_server.js"))) fail(`no server build in ${SERVER_BUILD}`);

// The server build, beside the browser build.
const SERVER = join(PKG, "server");
rmSync(SERVER, { recursive: true, force: true });
mkdirSync(SERVER, { recursive: true });
for (const file of ["edgetax_server.js", "edgetax_server.d.ts", "edgetax_server_bg.wasm", "edgetax_server_bg.wasm.d.ts"]) {
  copyFileSync(join(SERVER_BUILD, file), join(SERVER, file));
}
if (existsSync(join(SERVER_BUILD, "snippets"))) cpSync(join(SERVER_BUILD, "snippets"), join(SERVER, "snippets"), { recursive: true });

/**
 * The Node and workerd entries of a build: each compiles the wasm when it is
 * imported, so `import { validateCart } from "edgetax"` just works there.
 * `init()` is still exported, and does nothing once the wasm is in.
 */
function entries(dir, name) {
  const header = (how) => `// ${how}: the wasm is compiled when this module is imported, so no\n// init() call is needed (init() still exists, and then does nothing).\n`;
  writeFileSync(join(dir, "node.js"), `${header("Node")}import { readFileSync } from "node:fs";
import { initSync } from "./${name}.js";

initSync({ module: readFileSync(new URL("./${name}_bg.wasm", import.meta.url)) });

export * from "./${name}.js";
export { default } from "./${name}.js";
`);
  writeFileSync(join(dir, "workerd.js"), `${header("workerd (Cloudflare Workers)")}import wasm from "./${name}_bg.wasm";
import { initSync } from "./${name}.js";

initSync({ module: wasm });

export * from "./${name}.js";
export { default } from "./${name}.js";
`);
}
entries(PKG, "edgetax");
entries(SERVER, "edgetax_server");

// The Worker's handler, importing the server build inside the package.
mkdirSync(join(PKG, "worker"), { recursive: true });
const handler = readFileSync(join(ROOT, "worker", "src", "handler.js"), "utf8");
if (!handler.includes('from "edgetax/server"')) fail("worker/src/handler.js must import from \"edgetax/server\"");
writeFileSync(join(PKG, "worker", "index.js"), handler.replace('from "edgetax/server"', 'from "../server/workerd.js"'));
writeFileSync(join(PKG, "worker", "index.d.ts"), `// The Worker's handler: \`export { default } from "edgetax/worker";\`.
import type { WorkerEnv } from "../server/edgetax_server.js";

/** What the handler reads from \`env\`: the settings, and the bindings of wrangler.toml. */
export interface WorkerBindings extends WorkerEnv {
  [binding: string]: unknown;
}

/** The part of the Workers execution context the handler uses. */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** One message of a Queues batch. */
export interface WorkerQueueMessage {
  readonly body: unknown;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** The Worker: \`fetch\` (the proxy), \`scheduled\` (the rates cron), \`queue\` (Transaction Sync). */
declare const handler: {
  fetch(request: Request, env: WorkerBindings, ctx: WorkerContext): Promise<Response>;
  scheduled(controller: unknown, env: WorkerBindings, ctx: WorkerContext): void;
  queue(batch: { readonly messages: readonly WorkerQueueMessage[] }, env: WorkerBindings, ctx: WorkerContext): Promise<void>;
};
export default handler;
`);

// The widget.
mkdirSync(join(PKG, "widget"), { recursive: true });
for (const file of WIDGET_FILES) copyFileSync(join(ROOT, "www", "widget", file), join(PKG, "widget", file));

// Licences: MIT, and the credit the CC BY 4.0 rate data requires.
for (const file of ["LICENSE", "NOTICE"]) copyFileSync(join(ROOT, file), join(PKG, file));

const manifestPath = join(PKG, "package.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
manifest.files = [
  "edgetax_bg.wasm", "edgetax.js", "edgetax.d.ts", "edgetax_bg.wasm.d.ts", "node.js", "workerd.js",
  "snippets", "server", "worker", "widget", "LICENSE", "NOTICE",
];
// The entries compile the wasm at import, and the widget defines its element.
manifest.sideEffects = ["./snippets/*", "./server/snippets/*", "./node.js", "./workerd.js", "./server/node.js", "./server/workerd.js", "./widget/*", "./worker/*"];
manifest.engines = { node: ">=20" };
const build = (dir, name) => ({
  types: `./${dir}${name}.d.ts`,
  workerd: `./${dir}workerd.js`,
  node: `./${dir}node.js`,
  default: `./${dir}${name}.js`,
});
manifest.exports = {
  ".": build("", "edgetax"),
  "./server": build("server/", "edgetax_server"),
  "./worker": { types: "./worker/index.d.ts", default: "./worker/index.js" },
  "./widget": { types: "./widget/edgetax-estimate.d.ts", default: "./widget/edgetax-estimate.js" },
  // For bundlers and hosts that want the files themselves.
  "./edgetax_bg.wasm": "./edgetax_bg.wasm",
  "./server/edgetax_server_bg.wasm": "./server/edgetax_server_bg.wasm",
  "./edgetax.js": { types: "./edgetax.d.ts", default: "./edgetax.js" },
  "./package.json": "./package.json",
};
// TypeScript with moduleResolution node10 ignores "exports".
manifest.typesVersions = {
  "*": {
    server: ["./server/edgetax_server.d.ts"],
    worker: ["./worker/index.d.ts"],
    widget: ["./widget/edgetax-estimate.d.ts"],
  },
};

// wasm-bindgen types init() with DOM-only names (RequestInfo, BufferSource,
// the WebAssembly namespace), which a Node-only project (no DOM lib) lacks.
// They are written here with what every project has: the same values fit.
const DOM_FREE = `
/** A compiled \`WebAssembly.Module\` (typed without the DOM lib). */
export type WasmModule = object;
/** Bytes: an ArrayBuffer or a view of one (what the DOM lib calls BufferSource). */
export type WasmBytes = ArrayBuffer | ArrayBufferView;
`;
function domFree(text) {
  if (!text.includes("export type InitInput")) return text;
  return text
    .replace("export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;",
      `${DOM_FREE}\nexport type InitInput = string | URL | Request | Response | WasmBytes | WasmModule;`)
    .replace("export type SyncInitInput = BufferSource | WebAssembly.Module;", "export type SyncInitInput = WasmBytes | WasmModule;")
    .replace(/readonly memory: WebAssembly\.Memory;/g, "readonly memory: { readonly buffer: ArrayBuffer };")
    .replace(/: WebAssembly\.Table;/g, ": object;");
}

// The raw wasm exports (`InitOutput` and *_bg.wasm.d.ts) are typed `any`
// by wasm-bindgen; the package ships no `any`, so they say `unknown`
// (nobody calls them: the typed API above them does).
const noAny = (text) => text.replace(/\bany\b/g, "unknown");
for (const [dir, name] of [[PKG, "edgetax"], [SERVER, "edgetax_server"]]) {
  const dts = join(dir, `${name}.d.ts`);
  const api = domFree(readFileSync(dts, "utf8"));
  const start = api.indexOf("export interface InitOutput {");
  if (start >= 0) {
    const end = api.indexOf("\n}\n", start);
    writeFileSync(dts, api.slice(0, start) + noAny(api.slice(start, end)) + api.slice(end));
  } else {
    writeFileSync(dts, api);
  }
  const raw = join(dir, `${name}_bg.wasm.d.ts`);
  if (existsSync(raw)) writeFileSync(raw, noAny(readFileSync(raw, "utf8")).replace(/WebAssembly\.Memory/g, "{ readonly buffer: ArrayBuffer }").replace(/WebAssembly\.Table/g, "object"));
}

// wasm-pack writes 2-space JSON with a trailing newline; keep that.
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`package: ${PKG}: browser build, server/, worker/, widget/, exports ${Object.keys(manifest.exports).slice(0, 4).join(", ")}`);
