// Hostile bodies, table-driven: each gets a 400 naming the field, a 413 or
// a 415, and nothing reaches TaxJar or the sync queue. The one case
// edgetax reads as TaxJar does (the JSON number 1e3 is 1000) is served,
// and shown to reach TaxJar as the plain value.
import { describe, expect, it } from "vitest";
import { call, fakeRequests, withEnv } from "./helpers.js";

let zip = 0;
/** A cart's JSON text with `line` as its one line item's JSON text (a fresh id each time). */
function cartText(line = '"unit_price":"10.00"', extra = "") {
  zip += 1;
  return `{"to_country":"US","to_zip":"90002","to_state":"CA","shipping":1.5${extra},` +
    `"line_items":[{"id":"b${zip}","quantity":1,${line}}]}`;
}

/** A `/sync/orders` env whose queue records what is sent. */
function recordingQueue() {
  const sent = [];
  return { sent, env: withEnv({ SYNC_QUEUE: { sendBatch: async (m) => sent.push(...m) } }) };
}

/** A body stream of `total` bytes of JSON in 16 KiB chunks, counting what was pulled. */
function streamed(total) {
  const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
  const stream = { pulled: 0 };
  stream.body = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"to_street":"'));
    },
    pull(controller) {
      if (stream.pulled >= total) return controller.close();
      stream.pulled += chunk.length;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  return stream;
}

const bad = (code, field, detail) => ({ error: "Bad Request", detail, status: 400, code, field });
const LINE = "line_items[0].unit_price";
const DEEP = "[".repeat(10_000) + "]".repeat(10_000);

describe("sizes", () => {
  it("over 64 KiB with a Content-Length: 413 before reading", async () => {
    const r = await call("/v2/taxes", { body: cartText(`"unit_price":"10.00","description":"${"x".repeat(65 * 1024)}"`) });
    expect([r.status, r.json]).toEqual([413, { error: "Payload Too Large", detail: "the body is larger than 64 KiB", status: 413 }]);
    expect(await fakeRequests()).toEqual([]);
  });

  it("over 64 KiB streamed without a length: 413, and the Worker stops reading", async () => {
    const stream = streamed(8 * 1024 * 1024);
    const r = await call("/v2/taxes", { body: stream.body, as: "browser" });
    expect([r.status, r.json.detail]).toEqual([413, "the body is larger than 64 KiB"]);
    expect(stream.pulled).toBeLessThanOrEqual(64 * 1024 + 32 * 1024);
    expect(await fakeRequests()).toEqual([]);
  });

  it("over 1 MiB streamed to /sync/orders: 413, nothing queued", async () => {
    const { sent, env } = recordingQueue();
    const stream = streamed(2 * 1024 * 1024);
    const r = await call("/sync/orders", { body: stream.body, envOverride: env });
    expect([r.status, r.json.detail]).toEqual([413, "the body is larger than 1024 KiB"]);
    expect(stream.pulled).toBeLessThanOrEqual(1024 * 1024 + 32 * 1024);
    expect(sent).toEqual([]);
  });

  it("10,000 line items: 400 naming line_items, or 413 when they do not fit in 64 KiB", async () => {
    const compact = `{"to_zip":"90002","to_state":"CA","line_items":[${Array(10_000).fill("{}").join(",")}]}`;
    expect(compact.length).toBeLessThan(64 * 1024);
    const r = await call("/v2/taxes", { body: compact });
    expect([r.status, r.json]).toEqual([400, bad("too_many_line_items", "line_items",
      "line_items: 10000 line items; at most 1000 are accepted")]);
    const lines = Array.from({ length: 10_000 }, (_, i) => ({ id: `${i}`, quantity: 1, unit_price: "1.00" }));
    const full = await call("/v2/taxes", { body: { to_zip: "90002", to_state: "CA", line_items: lines } });
    expect([full.status, full.json.detail]).toEqual([413, "the body is larger than 64 KiB"]);
    expect(await fakeRequests()).toEqual([]);
  });
});

describe("structure", () => {
  const TOO_DEEP = (field) => bad("invalid_value", field,
    `${field === null ? "" : `${field}: `}the JSON is nested more than 32 levels deep`);
  const cases = [
    ["nested 10,000 deep at the top", DEEP, TOO_DEEP(null)],
    ["nested 10,000 deep in a field", cartText(`"unit_price":${DEEP}`), TOO_DEEP(LINE)],
    ["objects nested 10,000 deep", `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`, TOO_DEEP(Array(32).fill("a").join("."))],
    ["a duplicate key", cartText(undefined, ',"to_zip":"10001"'), bad("invalid_value", "to_zip", "to_zip: the key appears twice")],
    ["a duplicate key with the same value", cartText('"unit_price":"10.00","unit_price":"10.00"'),
      bad("invalid_value", LINE, `${LINE}: the key appears twice`)],
    ["a duplicate key deeper down", cartText(undefined, ',"nexus_addresses":[{"country":"US","zip":"1","zip":"2"}]'),
      bad("invalid_value", "nexus_addresses[0].zip", "nexus_addresses[0].zip: the key appears twice")],
  ];

  it.each(cases)("%s: 400 naming the field", async (_name, body, json) => {
    for (const as of ["server", "browser"]) {
      const r = await call("/v2/taxes", { body, as });
      expect([r.status, r.json]).toEqual([400, json]);
    }
    expect(await fakeRequests()).toEqual([]);
  });

  it("the same rules hold for bodies forwarded as written and for /sync/orders", async () => {
    const { sent, env } = recordingQueue();
    const duplicate = '{"transaction_id":"d1","amount":1,"amount":2}';
    const deep = `{"transaction_id":"d1","line_items":${DEEP}}`;
    for (const path of ["/v2/transactions/orders", "/v2/customers", "/v2/addresses/validate", "/sync/orders"]) {
      const twice = await call(path, { body: duplicate, envOverride: env });
      expect([path, twice.status, twice.json]).toEqual([path, 400, bad("invalid_value", "amount", "amount: the key appears twice")]);
      const nested = await call(path, { body: deep, envOverride: env });
      expect([path, nested.status, nested.json]).toEqual([path, 400, TOO_DEEP("line_items")]);
    }
    expect(await fakeRequests()).toEqual([]);
    expect(sent).toEqual([]);
  });
});

describe("amounts", () => {
  const notJson = (field, column) => bad("invalid_type", field, `${field}: the body is not valid JSON: expected value at line 1 column ${column}`);
  const outOfRange = (field, column) => bad("invalid_type", field, `${field}: the body is not valid JSON: number out of range at line 1 column ${column}`);
  const amount = (field, detail) => bad("invalid_amount", field, `${field} ${detail}`);
  // [name, line item JSON, extra cart JSON, the 400]; the column is where the parser stopped.
  const refused = [
    ["NaN", '"unit_price":NaN', "", (t) => notJson(LINE, t.indexOf("NaN") + 1)],
    ["Infinity", '"unit_price":Infinity', "", (t) => notJson(LINE, t.indexOf("Infinity") + 1)],
    ["-Infinity", '"unit_price":-Infinity', "", (t) => bad("invalid_type", LINE,
      `${LINE}: the body is not valid JSON: invalid number at line 1 column ${t.indexOf("-Infinity") + 2}`)],
    ["1e309", '"unit_price":1e309', "", (t) => outOfRange(LINE, t.indexOf("1e309") + 5)],
    ["1e309 as order_discount", '"unit_price":"1.00"', ',"order_discount":1e309', (t) => outOfRange("order_discount", t.indexOf("1e309") + 5)],
    ['"NaN"', '"unit_price":"NaN"', "", () => amount(LINE, '"NaN" is not a decimal number')],
    ['"Infinity"', '"unit_price":"Infinity"', "", () => amount(LINE, '"Infinity" is not a decimal number')],
    ['"1e3"', '"unit_price":"1e3"', "", () => amount(LINE,
      '"1e3" is not a decimal number (exponent notation is not accepted; write the plain decimal)')],
    ['"1e3" as order_discount', '"unit_price":"1.00"', ',"order_discount":"1e3"', () => amount("order_discount",
      '"1e3" is not a decimal number (exponent notation is not accepted; write the plain decimal)')],
    // No cart amount is negative, so a signed zero is refused too.
    ["-0", '"unit_price":-0', "", () => amount(LINE, "-0 is a negative zero; send 0")],
    ["-0.0", '"unit_price":-0.0', "", () => amount(LINE, "-0 is a negative zero; send 0")],
    ['"-0"', '"unit_price":"-0"', "", () => amount(LINE, '"-0" is a negative zero; send 0')],
    ['"-0.00" as handling_fee', '"unit_price":"1.00"', ',"handling_fee":"-0.00"', () => amount("handling_fee", '"-0.00" is a negative zero; send 0')],
  ];

  it.each(refused)("%s: 400 naming the field", async (_name, line, extra, expected) => {
    const text = cartText(line, extra);
    const r = await call("/v2/taxes", { body: text });
    expect([r.status, r.json]).toEqual([400, expected(text)]);
    expect(await fakeRequests()).toEqual([]);
  });

  // Served as TaxJar reads it: the JSON number 1e3 is 1000 (only the
  // *string* "1e3" is refused, as above).
  it.each([
    ["1e3", "1e3", 1000],
  ])("%s is served as %s → %i, with the plain value's cache key", async (_name, raw, value) => {
    const text = cartText(`"unit_price":${raw}`);
    const r = await call("/v2/taxes", { body: text });
    expect(r.status).toBe(200);
    const [seen] = await fakeRequests();
    expect(seen.body.line_items[0].unit_price).toBe(value);
    expect(Object.is(seen.body.line_items[0].unit_price, -0)).toBe(false);
    // The same cart with the plain value has the same cache key: a hit.
    const plain = JSON.parse(text);
    plain.line_items[0].unit_price = value;
    const again = await call("/v2/taxes", { body: plain });
    expect([again.status, again.headers["x-edgetax-cache"]]).toEqual([200, "hit"]);
    expect((await fakeRequests()).length).toBe(1);
  });
});

describe("content types", () => {
  const UNSUPPORTED = { error: "Unsupported Media Type", detail: "the body must be application/json", status: 415 };

  it.each([
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx",
    "application/json-patch+json", "text/json", "application/xml", "",
  ])("%j: 415", async (type) => {
    for (const path of ["/v2/taxes", "/v2/transactions/orders", "/sync/orders"]) {
      const r = await call(path, { body: cartText(), headers: { "Content-Type": type } });
      expect([path, r.status, r.json]).toEqual([path, 415, UNSUPPORTED]);
    }
    expect(await fakeRequests()).toEqual([]);
  });

  it.each(["application/json", "application/json; charset=utf-8", "Application/JSON"])("%j is accepted", async (type) => {
    const r = await call("/v2/taxes", { body: cartText(), headers: { "Content-Type": type } });
    expect(r.status).toBe(200);
  });
});
