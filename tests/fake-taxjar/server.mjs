#!/usr/bin/env node
// A local TaxJar-compatible fake API server for edgetax tests. Plain Node, no
// dependencies. See README.md in this folder for options, routes and rates.
//
//   import { startFake } from './server.mjs';
//   const fake = await startFake({ token: 'test-token' });
//   ... fetch(`${fake.url}/v2/taxes`, ...) ...
//   await fake.close();
//
//   node tests/fake-taxjar/server.mjs [--port N] [--token T]

import http from 'node:http';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError, errorBody, present, requireObject } from './errors.mjs';
import { normalizeRegions } from './regions.mjs';
import { ratesResponse } from './rates.mjs';
import { calculateTax, matchTaxFixture } from './taxes.mjs';
import { draw, validateRandom } from './failures.mjs';
import * as tx from './transactions.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BODY_LIMIT = 1024 * 1024;
const DRAIN_LIMIT = 64 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

/** `$EDGETAX_SHARED/conformance`, else `../../../shared/conformance` from this file. */
export function defaultConformanceDir() {
  if (process.env.EDGETAX_SHARED) return join(process.env.EDGETAX_SHARED, 'conformance');
  return resolve(HERE, '../../../shared/conformance');
}

function loadFixtures(dir) {
  const taxesDir = join(dir, 'taxjar-docs', 'taxes');
  const rubyDir = join(dir, 'taxjar-ruby-fixtures');
  if (!existsSync(taxesDir) || !existsSync(rubyDir)) {
    throw new Error(`no conformance fixtures under ${dir} (pass conformanceDir or set EDGETAX_SHARED)`);
  }
  const readJson = (d, f) => JSON.parse(readFileSync(join(d, f), 'utf8'));
  const jsonFiles = (d) => readdirSync(d).filter((f) => f.endsWith('.json')).sort();
  const scenarios = jsonFiles(taxesDir).map((f) => ({ name: f.slice(0, -5), ...readJson(taxesDir, f) }));
  const ruby = Object.fromEntries(jsonFiles(rubyDir).map((f) => [f.slice(0, -5), readJson(rubyDir, f)]));
  return { scenarios, ruby };
}

// ---- routes ------------------------------------------------------------------

const ok = (body) => ({ status: 200, body });
const kindRoutes = (kind) => {
  const base = `/v2/transactions/${kind}s`;
  return [
    ['GET', base, (c) => tx.listTransactions(c.store, kind, c.query)],
    ['POST', base, (c) => tx.createTransaction(c.store, kind, c.body)],
    ['GET', `${base}/:id`, (c) => tx.showTransaction(c.store, kind, c.params.id)],
    ['PUT', `${base}/:id`, (c) => tx.updateTransaction(c.store, kind, c.params.id, c.body)],
    ['DELETE', `${base}/:id`, (c) => tx.deleteTransaction(c.store, kind, c.params.id)],
  ];
};

const ROUTES = [
  ['POST', '/v2/taxes', (c) => ok(matchTaxFixture(c.body, c.fixtures.scenarios)
    ?? calculateTax(c.body, { nexusRegions: c.nexusRegions, customers: c.store.customers }))],
  ['GET', '/v2/nexus/regions', (c) => ok({ regions: structuredClone(c.nexusRegions) })],
  ['GET', '/v2/categories', (c) => ok(structuredClone(c.fixtures.ruby.categories))],
  ['GET', '/v2/summary_rates', (c) => ok(structuredClone(c.fixtures.ruby.summary_rates))],
  ['GET', '/v2/rates/:zip', (c) => {
    const body = ratesResponse(c.params.zip, c.query, c.fixtures.ruby);
    if (!body) throw new HttpError(404, 'Resource can not be found');
    return ok(body);
  }],
  ['POST', '/v2/addresses/validate', (c) => {
    requireObject(c.body);
    if (present(c.body.country) && String(c.body.country).toUpperCase() !== 'US') {
      throw new HttpError(400, 'Address validation is only available for US addresses');
    }
    const multiple = String(c.body.zip ?? '').startsWith('85007') || /^1109 9th$/i.test(String(c.body.street ?? ''));
    return ok(structuredClone(c.fixtures.ruby[multiple ? 'addresses_multiple' : 'addresses']));
  }],
  ['GET', '/v2/validation', (c) => {
    if (!present(c.query.vat)) throw new HttpError(400, 'vat is missing');
    return ok(structuredClone(c.fixtures.ruby.validation));
  }],
  ...kindRoutes('order'),
  ...kindRoutes('refund'),
  ['GET', '/v2/customers', (c) => tx.listCustomers(c.store)],
  ['POST', '/v2/customers', (c) => tx.createCustomer(c.store, c.body)],
  ['GET', '/v2/customers/:id', (c) => tx.showCustomer(c.store, c.params.id)],
  ['PUT', '/v2/customers/:id', (c) => tx.updateCustomer(c.store, c.params.id, c.body)],
  ['DELETE', '/v2/customers/:id', (c) => tx.deleteCustomer(c.store, c.params.id)],
].map(([method, pattern, handler]) => {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, pattern, handler, names, re: new RegExp(`^${source}$`) };
});

/** `{ route, params, allowed }`: the matching route, or the methods the path allows. */
function matchRoute(method, path) {
  const allowed = [];
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (!m) continue;
    if (r.method === method) {
      let params;
      try {
        params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      } catch {
        return { route: null, allowed: [] };
      }
      return { route: r, params, allowed };
    }
    allowed.push(r.method);
  }
  return { route: null, allowed };
}

// ---- helpers -------------------------------------------------------------------

/** Token from `Bearer <t>` or legacy `Token token="<t>"`. */
function tokenFrom(header) {
  const h = String(header ?? '').trim();
  const bearer = /^Bearer\s+(\S+)$/i.exec(h);
  if (bearer) return bearer[1];
  const legacy = /^Token\s+token=(?:"([^"]*)"|(\S+))$/i.exec(h);
  return legacy ? (legacy[1] ?? legacy[2]) : null;
}

function tryJson(raw) {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

/** Recorded body: parsed JSON, else the raw text; null when empty. */
function parseMaybeJson(raw) {
  if (raw === '') return null;
  const parsed = tryJson(raw);
  return parsed.ok ? parsed.value : raw;
}

/** Read the body (≤ BODY_LIMIT kept); resolves `{ raw, size, tooLarge, aborted }`. */
function readBody(req) {
  return new Promise((done) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
      else if (size > DRAIN_LIMIT) req.destroy();
    });
    req.on('end', () => done({
      raw: size > BODY_LIMIT ? '' : Buffer.concat(chunks).toString('utf8'),
      size,
      tooLarge: size > BODY_LIMIT,
    }));
    req.on('error', () => done({ aborted: true }));
    req.on('close', () => done({ aborted: true })); // no-op once 'end' resolved
  });
}

function validateSpec(spec) {
  if (spec === null || spec === undefined) return null;
  if (typeof spec !== 'object' || Array.isArray(spec)) throw new TypeError('failure spec must be an object or null');
  const positiveInt = (k) => spec[k] == null || (Number.isInteger(spec[k]) && spec[k] > 0);
  const nonNegative = (k) => spec[k] == null || (typeof spec[k] === 'number' && spec[k] >= 0);
  if (spec.status != null && !(Number.isInteger(spec.status) && spec.status >= 200 && spec.status <= 599)) {
    throw new TypeError('failure spec: status must be an integer 200..599');
  }
  if (!positiveInt('everyNth')) throw new TypeError('failure spec: everyNth must be a positive integer');
  for (const k of ['times', 'delayMs', 'retryAfter']) {
    if (!nonNegative(k)) throw new TypeError(`failure spec: ${k} must be a non-negative number`);
  }
  if (spec.body != null && typeof spec.body !== 'string') throw new TypeError('failure spec: body must be a string');
  validateRandom(spec);
  return { ...spec };
}

// ---- server --------------------------------------------------------------------

/**
 * Start a fake TaxJar API on 127.0.0.1.
 * @returns {Promise<{url, port, close, requests, reset, setFailure, stats, state, server}>}
 */
export async function startFake(options = {}) {
  const fixtures = loadFixtures(options.conformanceDir ?? defaultConformanceDir());
  const tokens = new Set(options.tokens ?? []);
  if (options.token != null || tokens.size === 0) tokens.add(String(options.token ?? 'test-token'));
  const nexusRegions = normalizeRegions(options.nexusRegions ?? fixtures.ruby.nexus_regions.regions);
  const latencyMs = Number(options.latencyMs ?? 0);
  const cors = options.cors ?? true;

  const requests = [];
  const state = { ...tx.createStore(), nexusRegions, failure: null };
  const sockets = new Set();
  const sleepers = new Set();
  let closed = false;
  let closing = null;

  const sleep = (ms) => new Promise((wake) => {
    const s = { wake, timer: setTimeout(() => { sleepers.delete(s); wake(); }, ms) };
    sleepers.add(s);
  });

  function setFailure(spec) {
    const valid = validateSpec(spec);
    state.failure = valid && !(valid.times === 0) ? { spec: valid, matched: 0, fired: 0 } : null;
  }

  /** The failure spec to apply to this request, if any (advances counters). */
  function takeFailure(path) {
    const f = state.failure;
    if (!f || (f.spec.path && !path.startsWith(f.spec.path))) return null;
    f.matched += 1;
    if (f.spec.everyNth && f.matched % f.spec.everyNth !== 0) return null;
    const chosen = draw(f);
    if (!chosen) return null;
    f.fired += 1;
    if (f.spec.times != null && f.fired >= f.spec.times) state.failure = null;
    return chosen;
  }

  function reset() {
    requests.length = 0;
    tx.clearStore(state);
    state.failure = null;
  }

  function stats() {
    const out = { total: requests.length };
    for (const r of requests) out[r.route] = (out[r.route] ?? 0) + 1;
    return out;
  }

  function send(res, entry, status, body, headers = {}) {
    if (closed) return;
    if (entry?.lost) {
      // afterCommit: the work is done, the answer is lost on the way back.
      const spec = entry.lost;
      delete entry.lost;
      entry.servedStatus = status;
      answerFailure(res, entry, spec);
      return;
    }
    if (res.destroyed) {
      // The caller gave up (a timeout): what it would have heard.
      if (entry) entry.servedStatus ??= status;
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    if (entry) entry.status = status;
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  const sendError = (res, entry, status, detail, headers) => send(res, entry, status, errorBody(status, detail), headers);

  /** Answer an injected failure; returns false for a delay-only spec (then serve normally). */
  async function inject(res, entry, spec) {
    entry.injected = true;
    if (spec.label != null) entry.failure = spec.label;
    if (spec.afterCommit) {
      entry.lost = spec; // served normally; send() replaces the answer
      return false;
    }
    if (spec.hang) return true; // never answered; close() destroys the socket
    if (spec.delayMs) await sleep(spec.delayMs);
    const answers = spec.status != null || spec.body != null || spec.contentType != null
      || spec.retryAfter != null || spec.reset;
    if (closed) return true;
    if (!answers) return false;
    answerFailure(res, entry, spec);
    return true;
  }

  /** The failure's answer: `reset` closes the connection unanswered. */
  function answerFailure(res, entry, spec) {
    if (spec.reset) {
      res.destroy();
      return;
    }
    const status = spec.status ?? 500;
    const headers = {};
    if (spec.retryAfter != null) headers['Retry-After'] = String(spec.retryAfter);
    if (spec.body == null) {
      send(res, entry, status, errorBody(status, 'Injected failure (fake-taxjar)'), headers);
      return;
    }
    headers['Content-Type'] = spec.contentType ?? (tryJson(spec.body).ok ? JSON_TYPE : 'text/plain; charset=utf-8');
    send(res, entry, status, spec.body, headers);
  }

  function control(req, res, path, raw) {
    const reply = (status, body) => send(res, null, status, body);
    const key = `${req.method} ${path}`;
    if (key === 'GET /__fake/requests') return reply(200, requests);
    if (key === 'GET /__fake/stats') return reply(200, stats());
    if (key === 'GET /__fake/state') {
      const values = (m) => [...m.values()].map((v) => v.record ?? v);
      return reply(200, {
        orders: values(state.orders), refunds: values(state.refunds),
        customers: values(state.customers), failure: state.failure,
      });
    }
    if (key === 'POST /__fake/reset') {
      reset();
      return reply(200, { ok: true });
    }
    if (key === 'GET /__fake/fail') return reply(200, { failure: state.failure });
    if (key === 'POST /__fake/fail' || key === 'DELETE /__fake/fail') {
      try {
        const spec = key.startsWith('DELETE') || raw.trim() === '' ? null : JSON.parse(raw);
        setFailure(spec);
      } catch (e) {
        return reply(400, errorBody(400, e.message));
      }
      return reply(200, { ok: true, failure: state.failure?.spec ?? null });
    }
    return reply(404, errorBody(404, `No such control route '${key}'`));
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://127.0.0.1');
    const path = url.pathname;
    if (cors) {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, Content-Type');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, x-api-version',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
    }
    const { raw, tooLarge, size, aborted } = await readBody(req);
    if (aborted || closed) return;
    if (path.startsWith('/__fake/')) return control(req, res, path, raw);

    const { route, params, allowed } = matchRoute(req.method, path);
    const entry = {
      method: req.method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body: tooLarge ? null : parseMaybeJson(raw),
      at: new Date().toISOString(),
      route: `${req.method} ${route ? route.pattern : path}`,
      status: null,
    };
    if (tooLarge) entry.bodyBytes = size;
    requests.push(entry);
    if (tooLarge) return sendError(res, entry, 413, `Request body exceeds ${BODY_LIMIT} bytes`, { Connection: 'close' });

    const spec = takeFailure(path);
    if (spec && await inject(res, entry, spec)) return;
    if (latencyMs > 0) await sleep(latencyMs);
    if (closed) return;

    const routeText = `${req.method} ${path}`;
    if (path === '/v2' || path.startsWith('/v2/')) {
      const token = tokenFrom(req.headers.authorization);
      if (!token || !tokens.has(token)) {
        return sendError(res, entry, 401, `Not authorized for route '${routeText}'`);
      }
    }
    if (!route) {
      if (allowed.length > 0) {
        return sendError(res, entry, 405, `Method not allowed for route '${routeText}'`, { Allow: allowed.join(', ') });
      }
      return sendError(res, entry, 404, `No such route '${routeText}'`);
    }
    let body = null;
    if (req.method === 'POST' || req.method === 'PUT') {
      const type = String(req.headers['content-type'] ?? '');
      const parsed = /^application\/([\w.-]+\+)?json\b/i.test(type) ? tryJson(raw) : { ok: false };
      if (!parsed.ok) {
        return sendError(res, entry, 406, 'Request body must be JSON sent with Content-Type: application/json');
      }
      body = parsed.value;
    }
    try {
      const result = route.handler({
        body, params, query: entry.query, headers: req.headers, store: state, fixtures, nexusRegions,
      });
      send(res, entry, result.status, result.body);
    } catch (e) {
      if (e instanceof HttpError) return sendError(res, entry, e.status, e.detail, e.headers);
      return sendError(res, entry, 500, `fake-taxjar internal error: ${e.message}`);
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent && !closed) sendError(res, null, 500, `fake-taxjar internal error: ${e.message}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise((ok_, fail) => {
    server.once('error', fail);
    server.listen(Number(options.port ?? 0), '127.0.0.1', () => {
      server.off('error', fail);
      ok_();
    });
  });
  const { port } = server.address();

  function close() {
    if (closing) return closing;
    closed = true;
    for (const s of sleepers) {
      clearTimeout(s.timer);
      s.wake();
    }
    sleepers.clear();
    closing = new Promise((done) => server.close(() => done()));
    for (const socket of sockets) socket.destroy();
    return closing;
  }

  return {
    url: `http://127.0.0.1:${port}`, port, close, requests, reset, setFailure, stats, state, server,
  };
}

// ---- CLI ------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = {};
  const tokens = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--port') opts.port = Number(value());
    else if (flag === '--token') tokens.push(value());
    else if (flag === '--latency') opts.latencyMs = Number(value());
    else if (flag === '--nexus') opts.nexusRegions = value().split(',').filter(Boolean);
    else if (flag === '--conformance-dir') opts.conformanceDir = value();
    else if (flag === '--help' || flag === '-h') opts.help = true;
    else throw new Error(`unknown argument: ${arg}`);
  }
  if (tokens.length) opts.tokens = tokens;
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port < 65536)) {
    throw new Error('--port must be an integer 0..65535');
  }
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`fake-taxjar: ${e.message}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log('usage: node tests/fake-taxjar/server.mjs [--port N] [--token T]... [--latency MS] [--nexus US-CA,US-NY] [--conformance-dir DIR]');
    return;
  }
  const fake = await startFake(opts);
  console.log(`fake-taxjar listening on ${fake.url}`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const invokedDirectly = (() => {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) {
  main().catch((e) => {
    console.error(`fake-taxjar: ${e.message}`);
    process.exit(1);
  });
}
