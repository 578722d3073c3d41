// customerContext (issue #16) from the release pkg in Node: the token's
// shape, its option and field errors, and the Estimator planning from a
// context's payload (exempt → zero, no call) and sending it on.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { cartKey, Estimator, taxRequest } from "../../pkg/node.js";
import { customerContext } from "../../pkg/server/node.js";
import { TOKEN, cart, fakeSession } from "./estimator-session.mjs";

const session = fakeSession();
const SECRET = "node-test-context-secret-0123456789";
const taxCalls = () => session.fake.stats()["POST /v2/taxes"] ?? 0;

function estimator(options = {}) {
  return new Estimator({ apiUrl: session.fake.url, apiKey: TOKEN, now: () => session.clock, ...options });
}

/** The payload of a token, decoded. */
function payload(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

test("customerContext returns cc1.<payload>.<signature> with an expiry", () => {
  const before = Math.floor(Date.now() / 1000);
  const token = customerContext(
    { customer_id: 42, exemption_type: "wholesale", exempt_regions: [{ country: "us", state: "ny" }] },
    { secret: SECRET, ttlSeconds: 120 },
  );
  assert.equal(typeof token, "string");
  assert.match(token, /^cc1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  const body = payload(token);
  assert.deepEqual(Object.keys(body), ["customer_id", "exemption_type", "exempt_regions", "exp"]);
  assert.deepEqual(
    [body.customer_id, body.exemption_type, body.exempt_regions],
    ["42", "wholesale", [{ country: "US", state: "NY" }]],
  );
  const after = Math.floor(Date.now() / 1000);
  assert.ok(body.exp >= before + 120 && body.exp <= after + 120, `${body.exp}`);
  const defaultTtl = payload(customerContext({ customer_id: "c", exemption_type: "non_exempt" }, { secret: SECRET }));
  assert.ok(defaultTtl.exp >= before + 3600 && defaultTtl.exp <= after + 3600 + 1);
  // The signature is HMAC-SHA256 of "cc1.<payload>" under the secret.
  const [tag, encoded, mac] = token.split(".");
  assert.equal(createHmac("sha256", SECRET).update(`${tag}.${encoded}`).digest("base64url"), mac);
});

test("customerContext refuses bad options and fields with code and field", () => {
  const fields = { customer_id: "c-1", exemption_type: "wholesale" };
  const cases = [
    [fields, undefined, "invalid_value", "options.secret"],
    [fields, {}, "invalid_value", "options.secret"],
    [fields, { secret: "x".repeat(31) }, "invalid_value", "options.secret"],
    [fields, { secret: 12345 }, "invalid_type", "options.secret"],
    [fields, { secret: SECRET, ttlSeconds: 0 }, "invalid_value", "options.ttlSeconds"],
    [fields, { secret: SECRET, ttlSeconds: 604801 }, "invalid_value", "options.ttlSeconds"],
    [fields, { secret: SECRET, ttlSeconds: 1.5 }, "invalid_value", "options.ttlSeconds"],
    [fields, { secret: SECRET, ttlSeconds: "60" }, "invalid_type", "options.ttlSeconds"],
    [fields, { secret: SECRET, ttl: 60 }, "invalid_value", "options.ttl"],
    [{ exemption_type: "wholesale" }, { secret: SECRET }, "missing_field", "customer_id"],
    [{ customer_id: "", exemption_type: "wholesale" }, { secret: SECRET }, "missing_field", "customer_id"],
    [{ customer_id: "c-1" }, { secret: SECRET }, "missing_field", "exemption_type"],
    [{ customer_id: "c-1", exemption_type: "resale" }, { secret: SECRET }, "invalid_exemption_type", "exemption_type"],
    [{ ...fields, exempt_regions: [{ country: "US", state: "XX" }] }, { secret: SECRET }, "invalid_state", "exempt_regions[0].state"],
    [{ ...fields, exempt_regions: [{ country: "ZZ" }] }, { secret: SECRET }, "invalid_country", "exempt_regions[0].country"],
    [{ ...fields, customerId: "c-2" }, { secret: SECRET }, "invalid_value", "customerId"],
  ];
  for (const [f, options, code, field] of cases) {
    assert.throws(() => customerContext(f, options), (err) => {
      assert.ok(err instanceof Error, JSON.stringify([f, options]));
      assert.deepEqual([err.code, err.field], [code, field], `${JSON.stringify([f, options])}: ${err.message}`);
      assert.ok(!err.message.includes(SECRET));
      return true;
    });
  }
  assert.throws(() => customerContext("c-1", { secret: SECRET }), { code: "invalid_type" });
});

test("the Estimator answers an exempt context zero without a call", async () => {
  const e = estimator();
  const token = customerContext({ customer_id: "c-1", exemption_type: "wholesale" }, { secret: SECRET });
  const r = await e.estimate(cart({ customer_context: token }));
  assert.equal(r.source, "exempt");
  assert.equal(r.amount_to_collect, "0.00");
  assert.equal(r.exemption_type, "wholesale");
  assert.equal(taxCalls(), 0);
  assert.equal(e.stats().exempt_skips, 1);
  // Exempt elsewhere only: a NY cart is asked for, with the id and the token.
  const caOnly = customerContext(
    { customer_id: "c-2", exemption_type: "wholesale", exempt_regions: [{ country: "US", state: "CA" }] },
    { secret: SECRET },
  );
  const ny = await e.estimate(cart({ customer_context: caOnly }));
  assert.equal(ny.source, "taxjar");
  assert.equal(taxCalls(), 1);
  const sent = session.fake.requests.find((r) => r.path === "/v2/taxes").body;
  assert.equal(sent.customer_id, "c-2");
  assert.equal(sent.exemption_type, undefined);
  assert.equal(sent.customer_context, caOnly);
});

test("keys follow the context's payload, not its signature or expiry", () => {
  const sign = (fields, ttlSeconds) => customerContext(fields, { secret: SECRET, ttlSeconds });
  const a = sign({ customer_id: "c-1", exemption_type: "marketplace" }, 60);
  const aLater = sign({ customer_id: "c-1", exemption_type: "marketplace" }, 90);
  const b = sign({ customer_id: "c-2", exemption_type: "marketplace" }, 60);
  assert.notEqual(a, aLater);
  assert.equal(cartKey(cart({ customer_context: a })), cartKey(cart({ customer_context: aLater })));
  assert.notEqual(cartKey(cart({ customer_context: a })), cartKey(cart({ customer_context: b })));
  assert.notEqual(cartKey(cart({ customer_context: a })), cartKey(cart()));
  // taxRequest is TaxJar's body: the applied fields, never the token.
  const body = taxRequest(cart({ customer_context: a }));
  assert.deepEqual([body.customer_id, body.exemption_type, "customer_context" in body], ["c-1", "marketplace", false]);
});
