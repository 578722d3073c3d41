// The Worker's handler, shipped as `edgetax/worker`: a user's Worker is a
// wrangler.toml and `export { default } from "edgetax/worker";`.
// Thin runtime glue: the proxy's logic is Rust (edgetax/server's
// WorkerProxy). This file only hands it the env, the cache, KV (RATES,
// SYNC_STATE and the console's CONSOLE), the LOGS D1 database, the sync
// queue and ctx.waitUntil, and acks or retries queue messages as the Rust
// side says. (scripts/package.mjs copies it to pkg/worker/index.js, with
// the import below pointing inside the package.)
import { WorkerProxy } from "edgetax/server";

// One proxy per isolate. Keyed by env because the env object is the same for
// every request of an isolate (tests pass their own env to try settings).
const proxies = new WeakMap();

function proxyFor(env) {
  let proxy = proxies.get(env);
  if (!proxy) {
    proxy = new WorkerProxy(env);
    proxies.set(env, proxy);
  }
  return proxy;
}

function runtime(env, ctx) {
  return {
    cache: caches.default,
    waitUntil: (promise) => ctx.waitUntil(promise),
    rateLimiter: env.RATE_LIMITER,
    rates: env.RATES,
    syncQueue: env.SYNC_QUEUE,
    syncState: env.SYNC_STATE,
    console: env.CONSOLE,
    logs: env.LOGS,
  };
}

export default {
  fetch(request, env, ctx) {
    return proxyFor(env).handle(request, runtime(env, ctx));
  },
  // The cron trigger: keeps TaxJar's summary rates for backup estimates,
  // syncs the nexus regions the console shows, and applies the logs' retention.
  scheduled(controller, env, ctx) {
    const proxy = proxyFor(env);
    ctx.waitUntil(proxy.refreshRates(runtime(env, ctx)));
    ctx.waitUntil(proxy.syncNexus(runtime(env, ctx)));
    ctx.waitUntil(proxy.purgeLogs(runtime(env, ctx)));
  },
  // The SYNC_QUEUE consumer: one message at a time, so a transaction and
  // its record are never written by two calls of this isolate at once.
  // After max_retries (wrangler.toml) a message goes to the dead-letter queue.
  // The dead-letter queue's consumer (a queue named *-dlq): each message is
  // recorded as dead, for the console to show and send again.
  async queue(batch, env, ctx) {
    const proxy = proxyFor(env);
    if (batch.queue.endsWith("-dlq")) {
      for (const message of batch.messages) {
        await proxy.deadLetter(message.body, runtime(env, ctx));
        message.ack();
      }
      return;
    }
    for (const message of batch.messages) {
      const delaySeconds = await proxy.syncMessage(message.body, message.attempts, runtime(env, ctx));
      if (delaySeconds === undefined) message.ack();
      else message.retry({ delaySeconds });
    }
  },
};
