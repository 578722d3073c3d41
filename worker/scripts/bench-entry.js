// A Worker used only by scripts/bench-worker.mjs (`wrangler dev` runs it in
// workerd). GET /bench?n=N times N requests through WorkerProxy.handle with
// an in-memory cache and a stubbed fetch, so no upstream time is counted.
//
// workerd's clock only moves on I/O (Spectre mitigation), so each timed
// batch is bracketed by a real fetch to a local server ("tick"); a batch
// does no I/O, so its wall time is CPU time. The tick's own round trip is
// measured and subtracted.
import wasmModule from "edgetax/edgetax_bg.wasm";
import { initSync, WorkerProxy } from "edgetax";

initSync({ module: wasmModule });

const TAX_ANSWER = JSON.stringify({
  tax: {
    order_total_amount: 16.5, shipping: 1.5, taxable_amount: 15, amount_to_collect: 1.35, rate: 0.09,
    has_nexus: true, freight_taxable: false, tax_source: "destination",
    breakdown: { taxable_amount: 15, tax_collectable: 1.35, combined_tax_rate: 0.09,
      line_items: [{ id: "1", taxable_amount: 15, tax_collectable: 1.35, combined_tax_rate: 0.09 }] },
  },
});

function cart(i) {
  return JSON.stringify({
    from_country: "US", from_zip: "92093", from_state: "CA",
    to_country: "US", to_zip: "90002", to_state: "CA", to_city: "Los Angeles", to_street: "1335 E 103rd St",
    shipping: 1.5,
    line_items: [
      { id: "1", quantity: 1, product_tax_code: "20010", unit_price: (15 + i / 100).toFixed(2) },
      { id: "2", quantity: 2, unit_price: "9.99", discount: 1 },
    ],
  });
}

function requests(n, distinct) {
  return Array.from({ length: n }, (_, i) => new Request("https://proxy.example/v2/taxes", {
    method: "POST",
    headers: { Authorization: "Bearer pk_bench", "Content-Type": "application/json" },
    body: cart(distinct ? i : 0),
  }));
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

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/bench") return new Response("not found", { status: 404 });
    const n = Number(url.searchParams.get("n") ?? 300);
    const realFetch = globalThis.fetch.bind(globalThis);
    const tick = async () => {
      await (await realFetch(env.TICK_URL)).text();
      return Date.now();
    };
    const timed = async (count, body) => {
      const start = await tick();
      await body();
      const end = await tick();
      const again = await tick();
      return Math.max(0, end - start - (again - end)) / count;
    };
    const env2 = { TAXJAR_API_URL: "https://api.taxjar.com", TAXJAR_API_TOKEN: "bench-token", PROXY_KEYS: "pk_bench", RATE_LIMIT: "0" };
    const runtime = (cache) => ({ cache, waitUntil: () => {}, rateLimiter: undefined });
    const out = {};

    const imports = stubImports(wasmModule);
    out.instantiate_ms = await timed(50, async () => {
      for (let i = 0; i < 50; i++) new WebAssembly.Instance(wasmModule, imports);
    });

    // The log line is built as usual; only printing it is skipped.
    const realLog = console.log;
    console.log = () => {};
    globalThis.fetch = async () => new Response(TAX_ANSWER, { status: 200, headers: { "content-type": "application/json" } });
    try {
      const missProxy = new WorkerProxy(env2);
      const missReqs = requests(n, true);
      const missCache = memoryCache();
      out.miss_ms = await timed(n, async () => {
        for (const req of missReqs) await missProxy.handle(req, runtime(missCache));
      });
      const hitProxy = new WorkerProxy(env2);
      const hitCache = memoryCache();
      await hitProxy.handle(requests(1, false)[0], runtime(hitCache));
      const hitReqs = requests(n, false);
      out.hit_ms = await timed(n, async () => {
        for (const req of hitReqs) await hitProxy.handle(req, runtime(hitCache));
      });
      // Baseline: the least a JS Worker does with the same request.
      const baseReqs = requests(n, false);
      out.js_baseline_ms = await timed(n, async () => {
        for (const req of baseReqs) {
          const text = await req.text();
          JSON.parse(text);
          new Response(TAX_ANSWER, { headers: { "content-type": "application/json" } });
        }
      });
    } finally {
      globalThis.fetch = realFetch;
      console.log = realLog;
    }
    return Response.json(out);
  },
};
