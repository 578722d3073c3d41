// Runs in Node before the workerd tests: starts the fake TaxJar and the
// legacy API stand-in on 127.0.0.1 and hands their URLs (and a documented
// scenario) to the tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConformanceDir, startFake } from "../../tests/fake-taxjar/server.mjs";
import { startLegacyUpstream } from "./legacy-upstream.mjs";

let fake;
let legacy;

export async function setup({ provide }) {
  fake = await startFake({ token: "test-token" });
  provide("fakeUrl", fake.url);
  legacy = await startLegacyUpstream({ token: "test-token" });
  provide("legacyUrl", legacy.url);
  const file = join(defaultConformanceDir(), "taxjar-docs", "taxes", "united-states.json");
  provide("usScenario", JSON.parse(readFileSync(file, "utf8")));
}

export async function teardown() {
  await fake?.close();
  await legacy?.close();
}
