// Signed customer contexts at the Worker (issue #16, hole 3): browsers set
// customer_id, exemption_type and nexus_addresses only through a
// customer_context the store's server signed with CUSTOMER_CONTEXT_SECRET;
// servers with a proxy key may send them directly.
import { env } from "cloudflare:workers";
import { customerContext } from "edgetax/server";
import { describe, expect, it } from "vitest";
import { call, fakeRequests, fakeReset, freshCart, withEnv } from "./helpers.js";

const SECRET = env.CUSTOMER_CONTEXT_SECRET;

const taxes = async () => (await fakeRequests()).filter((r) => r.path === "/v2/taxes");

const sign = (fields, options = {}) => customerContext(fields, { secret: SECRET, ttlSeconds: 600, ...options });

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** A token made by hand with WebCrypto, to the documented format. */
async function handMade(payload, secret = SECRET) {
  const signed = `cc1.${b64url(new TextEncoder().encode(JSON.stringify(payload)))}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signed)));
  return `${signed}.${b64url(mac)}`;
}

const refusal = (field, detail) => ({ status: 400, error: "Bad Request", code: "invalid_value", field, detail });

describe("customer fields from browsers", () => {
  it.each([
    ["exemption_type", { exemption_type: "wholesale" }],
    ["exemption_type", { exemption_type: "government" }],
    ["customer_id", { customer_id: "c-exempt-1" }],
    ["nexus_addresses", { nexus_addresses: [{ country: "US", state: "NY" }] }],
  ])("refuses %s without a context, before any upstream call", async (field, extra) => {
    await fakeReset();
    const res = await call("/v2/taxes", { as: "browser", body: freshCart(extra) });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(refusal(field, `${field} is accepted from browsers only inside a signed customer_context, made by the store's server (customerContext)`));
    expect(res.headers["access-control-allow-origin"]).toBe("https://shop.example");
    expect(await fakeRequests()).toEqual([]);
  });

  it("lets non_exempt through", async () => {
    await fakeReset();
    const res = await call("/v2/taxes", { as: "browser", body: freshCart({ exemption_type: "non_exempt" }) });
    expect(res.status).toBe(200);
    const sent = await taxes();
    expect(sent.length).toBe(1);
    expect(sent[0].body.exemption_type).toBe("non_exempt");
    expect(sent[0].body.customer_id).toBeUndefined();
  });

  it("applies a valid context and never forwards it", async () => {
    await fakeReset();
    const token = sign({ customer_id: "c-ctx-1", exemption_type: "non_exempt" });
    expect(token).toMatch(/^cc1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const res = await call("/v2/taxes", { as: "browser", body: freshCart({ customer_context: token }) });
    expect(res.status).toBe(200);
    const sent = await taxes();
    expect(sent.length).toBe(1);
    expect(sent[0].body.customer_id).toBe("c-ctx-1");
    expect(sent[0].body.exemption_type).toBe("non_exempt");
    expect("customer_context" in sent[0].body).toBe(false);
    expect(JSON.stringify(sent[0])).not.toContain("cc1.");
  });

  it("answers a signed exempt customer zero without a call (the Worker's exempt skip)", async () => {
    await fakeReset();
    const token = sign({ customer_id: "c-ctx-1", exemption_type: "wholesale" });
    const res = await call("/v2/taxes", { as: "browser", body: freshCart({ customer_context: token }) });
    expect([res.status, res.headers["x-edgetax-source"]]).toEqual([200, "exempt"]);
    expect([res.json.tax.amount_to_collect, res.json.tax.exemption_type]).toEqual([0, "wholesale"]);
    expect(await taxes()).toEqual([]);
  });

  it("accepts a token made by hand to the documented format, and signed nexus addresses", async () => {
    await fakeReset();
    const nexus = [{ country: "US", state: "CA", zip: "90002" }];
    const token = await handMade({
      customer_id: "c-hand", exemption_type: "marketplace", nexus_addresses: nexus, exp: Math.floor(Date.now() / 1000) + 60,
    });
    const res = await call("/v2/taxes", { as: "browser", body: freshCart({ customer_context: token, nexus_addresses: nexus }) });
    expect(res.status).toBe(200);
    const [sent] = await taxes();
    expect([sent.body.customer_id, sent.body.exemption_type, sent.body.nexus_addresses]).toEqual(["c-hand", "marketplace", nexus]);
  });

  it("refuses a cart field that differs from the signed one", async () => {
    await fakeReset();
    const token = sign({ customer_id: "c-ctx-2", exemption_type: "wholesale" });
    const res = await call("/v2/taxes", { as: "browser", body: freshCart({ customer_context: token, customer_id: "c-other" }) });
    expect(res.json).toEqual(refusal("customer_id", "customer_id differs from the signed customer_context; leave it out of the cart"));
    expect(await fakeRequests()).toEqual([]);
  });

  it.each([
    ["expired", async () => handMade({ customer_id: "c-old", exemption_type: "wholesale", exp: Math.floor(Date.now() / 1000) - 5 }),
      "customer_context has expired; ask the store's server for a new one"],
    ["signed with another secret", async () => sign({ customer_id: "c-x", exemption_type: "wholesale" }, { secret: "not-the-workers-secret-0123456789abc" }),
      "customer_context is not signed by this store (forged, altered or another secret)"],
    ["altered", async () => {
      const token = sign({ customer_id: "c-y", exemption_type: "non_exempt" });
      const [tag, , mac] = token.split(".");
      const exempt = b64url(new TextEncoder().encode(JSON.stringify({ customer_id: "c-y", exemption_type: "wholesale", exp: 4102444800 })));
      return `${tag}.${exempt}.${mac}`;
    }, "customer_context is not signed by this store (forged, altered or another secret)"],
    ["not a token", async () => "wholesale-please", "customer_context is not a customer context token (cc1.<payload>.<signature>)"],
  ])("refuses a context %s, from browsers and servers", async (_, make, detail) => {
    await fakeReset();
    const token = await make();
    for (const as of ["browser", "server"]) {
      const res = await call("/v2/taxes", { as, body: freshCart({ customer_context: token }) });
      expect(res.json).toEqual(refusal("customer_context", detail));
    }
    expect(await fakeRequests()).toEqual([]);
  });

  it("refuses any context when CUSTOMER_CONTEXT_SECRET is not set", async () => {
    await fakeReset();
    const token = sign({ customer_id: "c-z", exemption_type: "wholesale" });
    const res = await call("/v2/taxes", {
      as: "browser", body: freshCart({ customer_context: token }), envOverride: withEnv({ CUSTOMER_CONTEXT_SECRET: undefined }),
    });
    expect(res.json).toEqual(refusal("customer_context",
      "customer_context: customer contexts are not enabled on this Worker (CUSTOMER_CONTEXT_SECRET is not set); remove customer_context from the cart"));
    expect(await fakeRequests()).toEqual([]);
  });

  it("keys the edge cache by the context: two contexts, two calls; one context twice, one call", async () => {
    await fakeReset();
    const cart = freshCart();
    const a = sign({ customer_id: "c-key-a", exemption_type: "marketplace" });
    const b = sign({ customer_id: "c-key-b", exemption_type: "marketplace" });
    const first = await call("/v2/taxes", { as: "browser", body: { ...cart, customer_context: a } });
    const second = await call("/v2/taxes", { as: "browser", body: { ...cart, customer_context: b } });
    const again = await call("/v2/taxes", { as: "browser", body: { ...cart, customer_context: a } });
    expect([first.status, second.status, again.status]).toEqual([200, 200, 200]);
    expect([first.headers["x-edgetax-cache"], second.headers["x-edgetax-cache"], again.headers["x-edgetax-cache"]]).toEqual(["miss", "miss", "hit"]);
    const sent = await taxes();
    expect(sent.map((r) => r.body.customer_id)).toEqual(["c-key-a", "c-key-b"]);
  });
});

describe("customer fields from servers", () => {
  it("accepts them directly with a proxy key", async () => {
    await fakeReset();
    const res = await call("/v2/taxes", {
      as: "server", body: freshCart({ exemption_type: "non_exempt", customer_id: "c-srv", nexus_addresses: [{ country: "US", state: "CA" }] }),
    });
    expect(res.status).toBe(200);
    const [sent] = await taxes();
    expect([sent.body.exemption_type, sent.body.customer_id, sent.body.nexus_addresses]).toEqual(["non_exempt", "c-srv", [{ country: "US", state: "CA" }]]);
    // An exempt server cart is answered zero without a call.
    const exempt = await call("/v2/taxes", { as: "server", body: freshCart({ exemption_type: "wholesale", customer_id: "c-srv" }) });
    expect([exempt.headers["x-edgetax-source"], exempt.json.tax.amount_to_collect]).toEqual(["exempt", 0]);
    expect((await taxes()).length).toBe(1);
  });

  it("verifies a context a server sends", async () => {
    await fakeReset();
    const token = sign({ customer_id: "c-srv-ctx", exemption_type: "non_exempt" });
    const res = await call("/v2/taxes", { as: "server", body: freshCart({ customer_context: token }) });
    expect(res.status).toBe(200);
    const [sent] = await taxes();
    expect([sent.body.exemption_type, sent.body.customer_id, sent.body.customer_context]).toEqual(["non_exempt", "c-srv-ctx", undefined]);
  });
});
