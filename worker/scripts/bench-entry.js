// A Worker used only by scripts/bench-worker.mjs and scripts/profile-worker.mjs
// (`wrangler dev` runs it in workerd). GET /run?kind=K&n=N builds a batch of
// N requests (or other work) of kind K and runs it; with &setup=1 it only
// builds it. The caller measures workerd's CPU time around each and takes
// the difference. (Requests and responses cannot outlive the request that
// made them in workerd, so a batch is built in the request that runs it.)
// Requests go through WorkerProxy.handle with an in-memory cache and a
// stubbed fetch, so no upstream time is counted.
//
// Kinds: instantiate (a bare `new WebAssembly.Instance`), miss (new carts),
// hit (one body text, answer cached), hit_new (new body texts of the cached
// cart), js_baseline (read, JSON.parse, new Response), js_hit_io (the JS I/O
// of a hit without the wasm), core_key (cartKey of the cart).
import wasmModule from "edgetax/server/edgetax_server_bg.wasm";
import { initSync, WorkerProxy, cartKey } from "edgetax/server";

initSync({ module: wasmModule });

const TAX_ANSWER = JSON.stringify({
  tax: {
    order_total_amount: 16.5, shipping: 1.5, taxable_amount: 15, amount_to_collect: 1.35, rate: 0.09,
    has_nexus: true, freight_taxable: false, tax_source: "destination",
    breakdown: { taxable_amount: 15, tax_collectable: 1.35, combined_tax_rate: 0.09,
      line_items: [{ id: "1", taxable_amount: 15, tax_collectable: 1.35, combined_tax_rate: 0.09 }] },
  },
});

/**
 * The cart of request `i`: `price` changes the cart (a new cache key);
 * `note` changes only a description, which the key ignores (a new body
 * text for the same cached answer).
 */
function cartObject(price, note) {
  return {
    from_country: "US", from_zip: "92093", from_state: "CA",
    to_country: "US", to_zip: "90002", to_state: "CA", to_city: "Los Angeles", to_street: "1335 E 103rd St",
    shipping: 1.5,
    line_items: [
      { id: "1", quantity: 1, product_tax_code: "20010", unit_price: (15 + price / 100).toFixed(2), description: `Shirt ${note}` },
      { id: "2", quantity: 2, unit_price: "9.99", discount: 1 },
    ],
  };
}

/** `n` requests: `kind` "miss" (new carts), "hit_new" (same cart, new texts) or "hit" (one text). */
function requests(n, kind) {
  return Array.from({ length: n }, (_, i) => {
    const body = JSON.stringify(cartObject(kind === "miss" ? i + 1 : 0, kind === "hit_new" ? i + 1 : 0));
    // As a request from the network has it (browsers and the taxjar client
    // send it); a Request built in JS has no Content-Length of its own.
    const length = String(new TextEncoder().encode(body).length);
    return new Request("https://proxy.example/v2/taxes", {
      method: "POST",
      headers: { Authorization: "Bearer pk_bench", "Content-Type": "application/json", "Content-Length": length },
      body,
    });
  });
}

function memoryCache() {
  const store = new Map();
  return {
    match: async (key) => store.get(key)?.clone(),
    put: async (key, response) => {
      store.set(key, response);
    },
  };
}

/** Import stubs for timing a bare instantiation (nothing is called). */
function stubImports(module) {
  const imports = {};
  for (const { module: name, name: field, kind } of WebAssembly.Module.imports(module)) {
    imports[name] ??= {};
    imports[name][field] = kind === "function" ? () => {} : undefined;
  }
  return imports;
}

const ENV = { TAXJAR_API_URL: "https://api.taxjar.com", TAXJAR_API_TOKEN: "bench-token", PROXY_KEYS: "pk_bench", RATE_LIMIT: "0" };
const runtime = (cache) => ({ cache, waitUntil: () => {}, rateLimiter: undefined });

/** Runs `body` with a stubbed upstream and a silent log (the line is still built). */
async function stubbed(body) {
  const realFetch = globalThis.fetch;
  const realLog = console.log;
  console.log = () => {};
  globalThis.fetch = async () => new Response(TAX_ANSWER, { status: 200, headers: { "content-type": "application/json" } });
  try {
    return await body();
  } finally {
    globalThis.fetch = realFetch;
    console.log = realLog;
  }
}

/** Builds the batch of `n` of `kind`; answers the function that runs it. */
async function setup(kind, n) {
  if (kind === "instantiate") {
    const imports = stubImports(wasmModule);
    return async () => {
      for (let i = 0; i < n; i++) new WebAssembly.Instance(wasmModule, imports);
    };
  }
  if (kind === "core_key") {
    const cart = cartObject(0, 0);
    return async () => {
      for (let i = 0; i < n; i++) cartKey(cart);
    };
  }
  if (kind === "js_baseline") {
    const reqs = requests(n, "hit");
    return async () => {
      for (const req of reqs) {
        JSON.parse(await req.text());
        new Response(TAX_ANSWER, { headers: { "content-type": "application/json" } });
      }
    };
  }
  if (kind === "js_hit_io") {
    const cache = memoryCache();
    await cache.put("k", new Response(TAX_ANSWER, { headers: { "x-edgetax-status": "200" } }));
    const reqs = requests(n, "hit");
    return async () => {
      for (const req of reqs) {
        for (const h of ["origin", "authorization", "content-type", "content-length", "cf-connecting-ip"]) req.headers.get(h);
        new Uint8Array(await req.arrayBuffer());
        const hit = await cache.match("k");
        const status = hit.headers.get("x-edgetax-status");
        const text = await hit.text();
        const headers = new Headers();
        headers.append("Content-Type", "application/json");
        headers.append("x-edgetax-cache", "hit");
        new Response(text, { status: Number(status), headers });
      }
    };
  }
  const proxy = new WorkerProxy(ENV);
  const cache = memoryCache();
  await stubbed(() => proxy.handle(requests(1, "hit")[0], runtime(cache)));
  const reqs = requests(n, kind);
  const expected = kind === "miss" ? "miss" : "hit";
  return () =>
    stubbed(async () => {
      let last;
      for (const req of reqs) last = await proxy.handle(req, runtime(kind === "miss" ? memoryCache() : cache));
      // Only the last answer is checked, so checking costs nothing per request.
      const got = `${last.status} ${last.headers.get("x-edgetax-cache")}`;
      if (got !== `200 ${expected}`) throw new Error(`${kind}: expected 200 ${expected}, got ${got}`);
    });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/run") return new Response("not found", { status: 404 });
    const kind = url.searchParams.get("kind");
    const n = Number(url.searchParams.get("n") ?? 300);
    const run = await setup(kind, n);
    if (!url.searchParams.has("setup")) await run();
    return Response.json({ kind, n });
  },
};
