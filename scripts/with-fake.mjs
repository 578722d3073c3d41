// Runs a command with the local TaxJar fake up: starts it on a free port of
// 127.0.0.1, sets EDGETAX_FAKE_URL and EDGETAX_FAKE_TOKEN for the command,
// and closes the fake when the command ends. Exits with the command's code.
//   node scripts/with-fake.mjs -- wasm-pack test --headless --chrome
import { spawn } from "node:child_process";
import { startFake } from "../tests/fake-taxjar/server.mjs";

const args = process.argv.slice(2);
const at = args.indexOf("--");
const [command, ...rest] = at >= 0 ? args.slice(at + 1) : args;
if (!command) {
  console.error("usage: node scripts/with-fake.mjs -- COMMAND [ARGS...]");
  process.exit(2);
}

const fake = await startFake({ token: "test-token" });
const child = spawn(command, rest, {
  stdio: "inherit",
  env: { ...process.env, EDGETAX_FAKE_URL: fake.url, EDGETAX_FAKE_TOKEN: "test-token" },
});
const stop = (signal) => child.kill(signal);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
child.on("exit", async (code, signal) => {
  await fake.close();
  process.exit(code ?? (signal ? 1 : 0));
});
