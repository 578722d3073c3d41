// A tiny stand-in for TaxJar's original Smart Sales Tax API (the fake in
// tests/fake-taxjar has no legacy routes). It answers with the reference's
// example bodies (shared/seeds/002_...txt), needs the reference's
// `Authorization: Token token="<token>"`, and records every request.
// Control routes: GET /__legacy/requests, POST /__legacy/reset.
import http from "node:http";
import { CATEGORIES, ENHANCED, LOCATION, STANDARD } from "./legacy-bodies.js";

function answer(path) {
  if (path === "/sales_tax") return [200, STANDARD];
  if (path === "/v1/sales_tax") return [200, ENHANCED];
  if (path === "/tax_categories") return [200, CATEGORIES];
  if (/^\/locations\/07446(\/[^/]+)?$/.test(path)) return [200, LOCATION];
  // An old Rails app's plain-text 404, as the reference does not show one.
  return [404, "Not Found"];
}

/** Starts the server on 127.0.0.1; resolves to `{ url, close() }`. */
export async function startLegacyUpstream({ token = "test-token" } = {}) {
  let requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const send = (status, body) => {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      const type = typeof body === "string" ? "text/plain" : "application/json";
      res.writeHead(status, { "content-type": type });
      res.end(text);
    };
    if (url.pathname === "/__legacy/requests") return send(200, requests);
    if (url.pathname === "/__legacy/reset") {
      requests = [];
      return send(200, { ok: true });
    }
    const [status, body] =
      req.headers.authorization === `Token token="${token}"`
        ? answer(url.pathname)
        : [401, { error: "Unauthorized", detail: "Not authorized", status: 401 }];
    requests.push({
      method: req.method,
      path: url.pathname,
      rawQuery: url.search.slice(1),
      query: [...url.searchParams],
      authorization: req.headers.authorization ?? null,
      apiVersion: req.headers["x-api-version"] ?? null,
      status,
    });
    send(status, body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
