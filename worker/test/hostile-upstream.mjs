// A misbehaving upstream for the fault and security tests, for what the
// fake TaxJar cannot do at the socket level. Point TAXJAR_API_URL at
// `<url>/<mode>`; the first path segment picks the behaviour:
//   /drop/...      closes the connection without an answer
//   /truncate/...  a 200 whose JSON body stops halfway (Content-Length says more)
//   /redirect/...  a 307 to the same path under /landed on a second server
//                  (another origin: the same address, another port)
//   /redirect-same/...  a 302 to /landed on this same server
//   anything else  a 200 JSON {"landed":true} (so a followed redirect would succeed)
// Both servers record every request with its Host and Authorization headers.
// Control routes: GET /__hostile/requests, POST /__hostile/reset.
import http from "node:http";

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
