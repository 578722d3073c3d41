// Shared by the workerd tests: calling the Worker, talking to the fake
// TaxJar, and recording every answer and log line for the secret scans.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../src/index.js";

export const FAKE = env.TAXJAR_API_URL;
export const ORIGIN = "https://shop.example";
export const KEY = "pk_test_1";
/** A password some tests put in a TAXJAR_API_URL, where it does not belong. */
export const PASSWORD = "hunter2-pass-xyz";
/**
 * Secrets that must never leave the Worker in an answer or a log line: the
 * configured token, proxy keys, customer-context secret and the console's
 * passphrase and session secret, the wrong token
 * one test configures, and a password pasted into the wrong var.
 */
export const SECRETS = [
  env.TAXJAR_API_TOKEN,
  ...env.PROXY_KEYS.split(",").map((key) => key.trim()),
  env.CUSTOMER_CONTEXT_SECRET,
  env.CONSOLE_KEY,
  env.CONSOLE_SECRET,
  "wrong-token-xyz",
  PASSWORD,
];

/**
 * Every answer of the Worker's fetch handler in this file (recorded by
 * test/setup.js), and what the Estimator handed out: `{ status, headers, body }`.
 */
export const answers = [];
/** Every console line (any level) printed in this file. */
export const logLines = [];
/** Figures a test file hands to the global teardown (with its scan report). */
export const figures = {};

let zip = 0;

/** A valid cart no other test sends (so the cache never mixes tests). */
export function freshCart(extra = {}) {
  zip += 1;
  return {
    to_country: "US",
    to_zip: "90002",
    to_state: "CA",
    to_city: "Los Angeles",
    to_street: "1335 E 103rd St",
    shipping: 1.5,
    line_items: [{ id: "1", quantity: 1, unit_price: (10 + zip / 100).toFixed(2) }],
    ...extra,
  };
}

/**
 * Sends a request to the Worker (through its default export, with a fresh
 * execution context whose waitUntil work is awaited) and reads the answer.
 * `as`: "browser" (Origin), "server" (proxy key) or "none"; `base`: the
 * scheme and host the request is addressed to.
 */
export async function call(path, options = {}) {
  const { method = "POST", body, as = "server", headers = {}, envOverride, base = "https://proxy.example" } = options;
  const init = { method, headers: { ...headers } };
  if (as === "browser") init.headers.Origin ??= ORIGIN;
  if (as === "server") init.headers.Authorization ??= `Bearer ${KEY}`;
  if (body !== undefined) {
    init.body = typeof body === "string" || body instanceof ReadableStream ? body : JSON.stringify(body);
    init.headers["Content-Type"] ??= "application/json";
  }
  const request = new Request(`${base}${path}`, init);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, envOverride ?? env, ctx);
  await waitOnExecutionContext(ctx);
  return record(response);
}

/** Keeps an answer for the file's secret scan (test/setup.js). */
export async function recordAnswer(response) {
  const headers = Object.fromEntries(response.headers);
  answers.push({ status: response.status, headers, body: await response.text() });
}

/**
 * What is wrong with one Worker answer: a 500, or an error status whose body
 * is not TaxJar's `{error, detail, status}` (plus edgetax's `code`, `field`).
 */
export function answerProblems(answer) {
  if (answer.status === 500) return ["the Worker answered 500"];
  if (answer.status < 400) return [];
  let body = null;
  try {
    body = JSON.parse(answer.body);
  } catch {
    // reported below
  }
  const keys = Object.keys(body ?? {});
  const clean = typeof body?.error === "string" && typeof body.detail === "string" && body.status === answer.status
    && keys.every((k) => ["error", "detail", "status", "code", "field"].includes(k));
  return clean ? [] : [`${answer.status} is not a TaxJar-style error: ${answer.body}`];
}

/** Reads an answer: `{ status, headers, text, json }`. */
export async function record(response) {
  const text = await response.text();
  const headers = Object.fromEntries(response.headers);
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (204s)
  }
  return { status: response.status, headers, text, json, response };
}

/**
 * Runs the Worker's scheduled handler (the cron trigger) with a fresh
 * execution context, and waits for its work.
 */
export async function runScheduled(envOverride) {
  const ctx = createExecutionContext();
  const controller = createScheduledController({ cron: "17 3 * * *", scheduledTime: Date.now() });
  await worker.scheduled(controller, envOverride ?? env, ctx);
  await waitOnExecutionContext(ctx);
}

/** The account part of the Worker's cache and KV keys (as the Rust side names it). */
export async function account(apiUrl = FAKE, token = "test-token") {
  const bytes = new TextEncoder().encode(`${apiUrl}\n${token}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Today's UTC day, `YYYY-MM-DD`. */
export function today() {
  return new Date().toISOString().slice(0, 10);
}

/** The fake's control routes. */
export async function fakeReset() {
  await fetch(`${FAKE}/__fake/reset`, { method: "POST" });
}

export async function fakeFail(spec) {
  const res = await fetch(`${FAKE}/__fake/fail`, { method: "POST", body: JSON.stringify(spec) });
  if (!res.ok) throw new Error(`fake refused failure spec: ${await res.text()}`);
}

/** The requests the fake has recorded since the last reset. */
export async function fakeRequests() {
  return (await fetch(`${FAKE}/__fake/requests`)).json();
}

/** An env with some settings replaced (the Worker keeps one proxy per env). */
export function withEnv(changes) {
  return { ...env, ...changes };
}

let consoleIp = 0;
/** A client address no other console sign-in used (the limit is per address). */
export const freshIp = () => `198.51.${Math.floor(consoleIp / 250)}.${(consoleIp++ % 250) + 1}`;

/** A console sign-in with `passphrase`, from a fresh address unless given. */
export function signIn(passphrase, options = {}) {
  const { address = freshIp(), ...rest } = options;
  return call("/console/api/session", {
    as: "none",
    body: { passphrase },
    headers: { "CF-Connecting-IP": address },
    ...rest,
  });
}

/** `name=value` of a Set-Cookie header, for the next request's Cookie. */
export const cookieOf = (res) => res.response.headers.get("set-cookie").split(";")[0];

/** A signed-in console session: its cookie and CSRF token. */
export async function consoleSession(options) {
  const res = await signIn(env.CONSOLE_KEY, options);
  if (res.status !== 200) throw new Error(`console sign-in answered ${res.status}`);
  return { cookie: cookieOf(res), csrf: res.json.csrf_token };
}

/** A console API call (`/console/api/<path>`) with a session's cookie and CSRF token. */
export function consoleCall(session, method, path, body, envOverride) {
  const headers = { Cookie: session.cookie, "x-csrf-token": session.csrf };
  return call(`/console/api/${path}`, { method, as: "none", body, headers, envOverride });
}
