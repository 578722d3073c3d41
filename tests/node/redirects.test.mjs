// Server-side callers hold the API token: the Estimator (with `apiKey`) and
// TransactionSync must not follow a redirect, as the Worker does not. A
// local server answers every request with a 307 to another path of its own
// (same origin, so fetch would keep `Authorization`) and counts what
// arrives there.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { Estimator } from "../../pkg/node.js";
import { TransactionSync } from "../../pkg/server/node.js";


const TOKEN = "redirect-test-token";
let server;
let url;
const seen = { redirected: 0, followed: 0, followedWithToken: 0 };

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url.startsWith("/elsewhere")) {
      seen.followed += 1;
      if (req.headers.authorization) seen.followedWithToken += 1;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ tax: { amount_to_collect: 0, has_nexus: true } }));
      return;
    }
    seen.redirected += 1;
    res.writeHead(307, { Location: `/elsewhere${req.url}` });
    res.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

const cart = {
  to_country: "US",
  to_zip: "90002",
  to_state: "CA",
  shipping: 1,
  line_items: [{ id: "1", quantity: 1, unit_price: "10.00" }],
};

test("the Estimator with an apiKey answers a redirect with an error naming it, and sends nothing on", async () => {
  const before = { ...seen };
  const estimator = new Estimator({ apiUrl: url, apiKey: TOKEN });
  await assert.rejects(estimator.estimate(cart), (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, "upstream_error");
    assert.equal(err.status, 307);
    assert.match(err.message, /answered 307 with a redirect, which edgetax does not follow/);
    return true;
  });
  assert.equal(seen.redirected - before.redirected, 1);
  assert.equal(seen.followed - before.followed, 0);
});

test("TransactionSync never follows a redirect", async () => {
  const before = { ...seen };
  const sync = new TransactionSync({ apiUrl: url, apiKey: TOKEN });
  const order = {
    id: "r-1",
    created_at: "2024-03-01T10:00:00Z",
    status: "completed",
    to_country: "US",
    to_zip: "90002",
    to_state: "CA",
    shipping: 1,
    sales_tax: "0.95",
    line_items: [{ id: "1", quantity: 1, unit_price: "10.00" }],
  };
  await assert.rejects(sync.syncOrder(order), { code: "upstream_error", status: 307 });
  assert.ok(seen.redirected - before.redirected >= 1);
  assert.equal(seen.followed - before.followed, 0);
  assert.equal(seen.followedWithToken, 0);
});
