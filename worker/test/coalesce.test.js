// Identical carts share one TaxJar call even while the first answer is
// still being written to the cache (a write can take longer than TaxJar
// did: under load, `wrangler dev`'s took 100-900 ms, and each request in
// that window asked TaxJar again; see bench/load/).
import { env } from "cloudflare:workers";
import { cartKey } from "edgetax";
import { WorkerProxy } from "edgetax/server";
import { expect, it } from "vitest";
import "../src/index.js"; // instantiates the wasm
import { account, fakeRequests, freshCart, KEY, record, recordAnswer } from "./helpers.js";

const WRITE_MS = 300;

it("shares an answer whose cache write has not finished, then lets go of it", async () => {
  const written = [];
  // caches.default, with every write finishing WRITE_MS late.
  const slowCache = {
    match: (url) => caches.default.match(url),
    put: (url, response) => new Promise((resolve) => setTimeout(resolve, WRITE_MS)).then(() => caches.default.put(url, response)),
  };
  const runtime = { cache: slowCache, waitUntil: (promise) => written.push(promise) };
  const proxy = new WorkerProxy(env);
  const cart = freshCart();
  const send = async () => {
    const request = new Request("https://proxy.example/v2/taxes", {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify(cart),
    });
    const response = await proxy.handle(request, runtime);
    await recordAnswer(response.clone()); // for the suite-wide scan in setup.js
    return record(response);
  };

  const first = await send();
  const second = await send(); // the first answer is not in the cache yet
  expect([first.status, second.status]).toEqual([200, 200]);
  expect([first.headers["x-edgetax-cache"], second.headers["x-edgetax-cache"]]).toEqual(["miss", "hit"]);
  expect(second.text).toBe(first.text);
  expect((await fakeRequests()).length).toBe(1);

  // Written: answered from the cache.
  await Promise.all(written);
  expect((await send()).headers["x-edgetax-cache"]).toBe("hit");
  expect((await fakeRequests()).length).toBe(1);

  // And the flight is over: with the entry gone, TaxJar is asked again.
  const url = `https://proxy.example/__edgetax/cache/${await account()}/v2/taxes/${cartKey(cart)}`;
  expect(await caches.default.delete(url)).toBe(true);
  expect((await send()).headers["x-edgetax-cache"]).toBe("miss");
  expect((await fakeRequests()).length).toBe(2);
  await Promise.all(written);
});
