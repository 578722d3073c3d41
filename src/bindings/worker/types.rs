//! The TypeScript types of the Worker's JS face (`WorkerEnv`,
//! `WorkerRuntime` and what it lends).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const WORKER_TYPES: &str = r#"
/** The Worker's vars and secrets (all strings; other bindings are ignored). */
export interface WorkerEnv {
  /** Default "https://api.taxjar.com". */
  TAXJAR_API_URL?: string;
  /** Secret: the real TaxJar token. Without it /v2/taxes answers backup estimates (browsers) and the rest 503. */
  TAXJAR_API_TOKEN?: string;
  /** Secret: comma-separated keys servers send as `Authorization: Bearer <key>`. */
  PROXY_KEYS?: string;
  /** Comma-separated browser origins, matched exactly. */
  ALLOWED_ORIGINS?: string;
  /** The `plugin` tag of tax requests; default "edgetax". */
  PLUGIN?: string;
  /** Sent to TaxJar as `Referer`. */
  STORE_URL?: string;
  /** Default "900"; "0" caches no tax answers. */
  CACHE_TTL_SECONDS?: string;
  /** Default "5000", per attempt. */
  UPSTREAM_TIMEOUT_MS?: string;
  /** Requests per minute per caller; default "120"; "0" for no limit. */
  RATE_LIMIT?: string;
  /** "false" answers /v2/taxes with 503. */
  CALCULATIONS_ENABLED?: string;
  /** Default "true": backup estimates for /v2/taxes without a token or when TaxJar fails. */
  OFFLINE_FALLBACK?: string;
  /** Default "false": "true" gives backup estimates to proxy-key callers too. */
  OFFLINE_FOR_SERVERS?: string;
  /** Default "false": "true" serves /sales_tax, /v1/sales_tax, /tax_categories, /locations/... */
  LEGACY_ROUTES?: string;
  /** Default "true": "false" answers /sync/*, /v2/transactions/* and /v2/customers* with 503. */
  REPORTING_ENABLED?: string;
  /** Secret: the merchant console's admin passphrase. The console (/console) is off without it and CONSOLE_SECRET. */
  CONSOLE_KEY?: string;
  /** Secret: signs console sessions (at least 32 characters). */
  CONSOLE_SECRET?: string;
}

/** A Queue producer binding (`env.SYNC_QUEUE`). */
export interface WorkerQueue {
  sendBatch(messages: { body: unknown }[]): Promise<void>;
}

/** Where sync records are kept (`env.SYNC_STATE`, a KV namespace). */
export interface WorkerSyncState {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

/** The console's KV namespace (`env.CONSOLE`): failed sign-ins per address, saved settings, the sealed API token, nexus. */
export interface WorkerConsoleStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The logs for support (`env.LOGS`, a D1 database). */
export interface WorkerLogs {
  prepare(query: string): WorkerLogsStatement;
}

/** A D1 prepared statement. */
export interface WorkerLogsStatement {
  bind(...values: (string | number | null)[]): WorkerLogsStatement;
  all(): Promise<{ results: Record<string, string | number | null>[] }>;
  run(): Promise<unknown>;
}

/** Where summary rates are kept (a Workers KV namespace). */
export interface WorkerRates {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

/** The Cache API object to use (`caches.default` in a Worker). */
export interface WorkerCache {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
}

/** The Workers Rate Limiting binding. */
export interface WorkerRateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** What the Worker's runtime lends one request. */
export interface WorkerRuntime {
  /** Omit to cache nothing. */
  cache?: WorkerCache;
  /** `(promise) => ctx.waitUntil(promise)`: keeps cache writes alive after the answer. */
  waitUntil(promise: Promise<unknown>): void;
  /** `env.RATE_LIMITER`, if bound; else a per-isolate token bucket limits. */
  rateLimiter?: WorkerRateLimiter;
  /** `env.RATES`, if bound; else summary rates are kept in `cache`. */
  rates?: WorkerRates;
  /** `env.SYNC_QUEUE`: where /sync/* queues orders and refunds. */
  syncQueue?: WorkerQueue;
  /** `env.SYNC_STATE`: sync records, by transaction id. */
  syncState?: WorkerSyncState;
  /** `env.CONSOLE`: failed console sign-ins; without it nobody signs in to /console. */
  console?: WorkerConsoleStore;
  /** `env.LOGS`: the logs for support; without it nothing is logged. */
  logs?: WorkerLogs;
}
"#;
