// The types as a user's TypeScript project sees them (issue #17): the
// packed tarball installed in a scratch project, and the README's own JS
// snippets type-checked (checkJs) against it, in three projects:
// - `tsc --init`'s defaults (strict, exactOptionalPropertyTypes, nodenext),
//   without skipLibCheck: the browser snippets and the widget;
// - a Node-only project (no DOM lib, @types/node): the server snippets and
//   the browser build used from Node;
// - moduleResolution node10 (which ignores "exports"): every entry resolves
//   through "typesVersions".

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scratchProject } from "./scratch-project.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
// @types/node 20, as a Node 20 project has it (the one download here).
const project = scratchProject("types", ["@types/node@20"]);
const { dir } = project;
after(() => project.remove());

// The README's JS blocks that import the package, one module each.
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const snippets = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => /from "edgetax/.test(code));
const browser = [];
const server = [];
snippets.forEach((code, i) => {
  const file = `snippet-${i}.js`;
  writeFileSync(join(dir, file), code);
  (code.includes('"edgetax/server"') ? server : browser).push(file);
});

/** `tsc --init`'s options, as TypeScript 5.9 writes them, but checking the package's own types. */
const INIT = {
  module: "nodenext", target: "esnext", types: [], strict: true, exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true, verbatimModuleSyntax: true, isolatedModules: true, noUncheckedSideEffectImports: true,
  moduleDetection: "force", skipLibCheck: false, noEmit: true, allowJs: true, checkJs: true,
};

function check(name, options, files) {
  mkdirSync(join(dir, name), { recursive: true });
  const config = join(dir, `tsconfig.${name}.json`);
  writeFileSync(config, JSON.stringify({ compilerOptions: { ...INIT, ...options }, files }));
  const result = spawnSync(process.execPath, [TSC, "-p", config], { cwd: dir, encoding: "utf8" });
  assert.equal(result.status, 0, `${name}: tsc failed:\n${result.stdout}${result.stderr}`);
}

test("the README has snippets for both builds", () => {
  assert.ok(browser.length >= 2 && server.length >= 1, `${browser.length} browser, ${server.length} server snippets`);
});

test("tsc --init's defaults, no skipLibCheck: the browser snippets and the widget", () => {
  writeFileSync(join(dir, "widget.ts"), `import { EdgetaxEstimateElement } from "edgetax/widget";
import type { Cart } from "edgetax";
export function show(el: EdgetaxEstimateElement, cart: Cart): void { el.cart = cart; }
`);
  check("init", {}, [...browser, "widget.ts"]);
});

test("a Node-only project (no DOM lib): the server snippets and the browser build from Node", () => {
  writeFileSync(join(dir, "node.ts"), `import { validateCart, taxRequest } from "edgetax";
import { WorkerProxy, TransactionSync, customerContext } from "edgetax/server";
export const issues = validateCart({ to_zip: "9" }).map((i) => i.code);
export const body = taxRequest({ to_zip: "90002", to_state: "CA", amount: 1 });
export const proxy = new WorkerProxy({ TAXJAR_API_TOKEN: "token-12345" });
export const sync = new TransactionSync({ apiUrl: "https://api.taxjar.com", apiKey: "k" });
export const token: string = customerContext({ customer_id: "c", exemption_type: "wholesale" }, { secret: "s".repeat(32) });
`);
  check("node", { lib: ["esnext"], types: ["node"] }, [...server, "node.ts"]);
});

test("moduleResolution node10: every entry resolves through typesVersions", () => {
  writeFileSync(join(dir, "node10.ts"), `import { validateCart } from "edgetax";
import { WorkerProxy } from "edgetax/server";
import { EdgetaxEstimateElement } from "edgetax/widget";
import handler from "edgetax/worker";
export const all = [validateCart, WorkerProxy, EdgetaxEstimateElement, handler.fetch];
`);
  check("node10", { module: "esnext", moduleResolution: "node10", verbatimModuleSyntax: false }, ["node10.ts"]);
});
