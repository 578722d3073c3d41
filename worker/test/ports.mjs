// Node-side helper for the tests that start servers on 127.0.0.1.
import net from "node:net";

/** A port that was free a moment ago (closed again: connecting is refused until someone listens). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
