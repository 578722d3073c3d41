// A misbehaving upstream for the fault and security tests, for what the
// fake TaxJar cannot do at the socket level. Point TAXJAR_API_URL at
// `<url>/<mode>`; the first path segment picks the behaviour:
//   /drop/...      closes the connection without an answer
//   /truncate/...  a 200 whose JSON body stops halfway (Content-Length says more)
//   /redirect/...  a 307 to the same path under /landed on a second server
//                  (another origin: the same address, another port)
//   /redirect-same/...  a 302 to /landed on this same server
//   /echo/<status>/...  answers <status> with every header it received echoed
//                  (the Authorization value as written, percent-encoded and in
//                  base64): a 4xx/5xx in a TaxJar error's detail, a 2xx beside
//                  a valid tax answer; and in Retry-After and x-echo headers
//   /echo-html/<status>/...  the same echo in an HTML page
//   /big/<length|chunked>/...  a 200 of 30 MB, with a Content-Length or
//                  chunked; it stops writing when the client goes away
//   anything else  a 200 JSON {"landed":true} (so a followed redirect would succeed)
// Both servers record every request with its Host and Authorization headers.
// Control routes: GET /__hostile/requests, POST /__hostile/reset.
import http from "node:http";

/** The size of a /big answer: 30 MB, as in issue #16. */
export const BIG_BYTES = 30 * 1024 * 1024;

/** Answers with everything the request carried, in body and headers. */
function echo(req, res, mode, rest) {
  const status = Number(rest.split("/")[1]) || 200;
  const auth = req.headers.authorization ?? "";
  const tax = { amount_to_collect: 1.35, order_total_amount: 16.5, shipping: 1.5, taxable_amount: 15, rate: 0.09,
    has_nexus: true, freight_taxable: false, tax_source: "destination" };
  const encoded = encodeURIComponent(auth);
  const base64 = Buffer.from(auth).toString("base64");
  // An error is TaxJar's exact shape (the echo in its detail); a success a
  // tax answer with the echo beside it.
  const body = status >= 400
    ? { error: "Echo", detail: `you sent ${auth}; encoded ${encoded}; base64 ${base64}; headers ${JSON.stringify(req.headers)}`, status }
    : { tax, echo: { authorization: auth, encoded, base64, headers: req.headers } };
  const text = mode === "echo-html"
    ? `<html><body><pre>${auth} ${encodeURIComponent(auth)} ${JSON.stringify(req.headers)}</pre></body></html>`
    : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": mode === "echo-html" ? "text/html" : "application/json",
    "retry-after": auth.replace(/[^\x20-\x7e]/g, ""),
    "x-echo": auth.replace(/[^\x20-\x7e]/g, ""),
  });
  res.end(text);
}

/** 30 MB in 64 KiB chunks, as fast as the client reads, until it leaves. */
function big(res, withLength) {
  res.writeHead(200, { "content-type": "application/json", ...(withLength ? { "content-length": String(BIG_BYTES) } : {}) });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  let gone = false;
  res.on("close", () => (gone = true));
  const pump = () => {
    while (!gone && sent < BIG_BYTES) {
      sent += chunk.length;
      if (!res.write(chunk)) return res.once("drain", pump);
    }
    if (!gone) res.end();
  };
  res.write("{\"tax\":{\"pad\":\"");
  pump();
}

/** Starts both servers on 127.0.0.1; resolves to `{ url, port, close() }`. */
export async function startHostileUpstream() {
  let requests = [];
  const sockets = new Set();
  let elsewhere = 0;
  const handle = (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const json = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/__hostile/requests") return json(200, requests);
    if (url.pathname === "/__hostile/reset") {
      requests = [];
      return json(200, { ok: true });
    }
    requests.push({
      method: req.method,
      host: req.headers.host,
      path: url.pathname,
      authorization: req.headers.authorization ?? null,
    });
    const mode = url.pathname.split("/")[1];
    const rest = url.pathname.slice(mode.length + 1);
    // Reads the whole request body first, so the client sees no early close.
    req.resume();
    req.on("end", () => {
      if (mode === "drop") return req.socket.destroy();
      if (mode === "truncate") {
        res.writeHead(200, { "content-type": "application/json", "content-length": "200" });
        res.write('{"tax":{"amount_to_collect":1.');
        // Sent, then the connection is cut before the promised 200 bytes.
        return setTimeout(() => req.socket.destroy(), 20);
      }
      if (mode === "echo" || mode === "echo-html") return echo(req, res, mode, rest);
      if (mode === "big") return big(res, rest.split("/")[1] === "length");
      if (mode === "redirect") return json(307, {}, { location: `http://127.0.0.1:${elsewhere}/landed${rest}` });
      if (mode === "redirect-same") return json(302, {}, { location: `/landed${rest}` });
      return json(200, { landed: true });
    });
  };
  const servers = [http.createServer(handle), http.createServer(handle)];
  for (const server of servers) {
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  }
  const [port, other] = servers.map((server) => server.address().port);
  elsewhere = other;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
