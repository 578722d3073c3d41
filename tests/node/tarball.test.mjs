// The package as users install it: `npm pack pkg/`, installed from the
// tarball into a scratch project, then imported in Node ESM with no init()
// call and no bytes passed, through each entry (issue #17). Also: the
// licences and both builds are in the tarball.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { scratchProject } from "./scratch-project.mjs";

const project = scratchProject("tarball");
const { dir, packed, run } = project;
const tarball = join(dir, packed.filename);
after(() => project.remove());

test("the tarball carries both builds, the Worker, the widget and the licences", () => {
  const files = new Set(packed.files.map((f) => f.path));
  for (const file of ["LICENSE", "NOTICE", "package.json", "edgetax.js", "edgetax_bg.wasm", "node.js", "workerd.js",
    "server/edgetax_server.js", "server/edgetax_server_bg.wasm", "server/node.js", "server/workerd.js",
    "worker/index.js", "worker/index.d.ts", "widget/edgetax-estimate.js", "widget/edgetax-estimate.d.ts"]) {
    assert.ok(files.has(file), `${file} is not in the tarball`);
  }
  // The CC BY 4.0 credit of the rate data travels with the package.
  assert.match(run("tar", ["-xOzf", tarball, "package/NOTICE"]), /CC BY 4\.0/);
});

test("Node ESM imports every entry with no init(): edgetax, edgetax/server, edgetax/widget", () => {
  const script = `
    import { validateCart, taxRequest, version } from "edgetax";
    import { payloadHash, WorkerProxy, taxRequest as serverTaxRequest } from "edgetax/server";
    import { EdgetaxEstimateElement } from "edgetax/widget";
    const cart = { to_country: "US", to_zip: "07446", to_state: "NJ", amount: "28.93" };
    console.log(JSON.stringify({
      version: version(),
      issues: validateCart({ to_zip: "9" }).map((i) => i.code),
      amount: taxRequest(cart).amount,
      legacy: serverTaxRequest(cart, { dialect: "legacy-standard" }).path,
      hash: typeof payloadHash({ a: 1 }),
      proxy: typeof WorkerProxy,
      widget: typeof EdgetaxEstimateElement,
    }));`;
  writeFileSync(join(dir, "check.mjs"), script);
  const { issues, ...out } = JSON.parse(run(process.execPath, ["check.mjs"]));
  assert.ok(issues.includes("invalid_zip"), issues.join(", "));
  assert.deepEqual(out, {
    version: "0.1.0",
    amount: 28.93,
    legacy: "/sales_tax",
    hash: "string",
    proxy: "function",
    widget: "function",
  });
});
