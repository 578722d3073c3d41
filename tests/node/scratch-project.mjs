// A user's project for the packaging tests: the package packed from pkg/
// (`npm pack`, as it would be published) and installed from that tarball
// into a fresh folder, with more packages when asked (e.g. @types/node).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));

/**
 * A scratch project named `name` with edgetax installed from its tarball:
 * `{ dir, packed (npm pack's report), run(cmd, args), remove() }`.
 * `more` are extra packages (downloaded); without them the install is offline.
 */
export function scratchProject(name, more = []) {
  const dir = mkdtempSync(join(tmpdir(), `edgetax-${name}-`));
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const packed = JSON.parse(run("npm", ["pack", PKG, "--json", "--pack-destination", dir]))[0];
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  const offline = more.length === 0 ? ["--offline"] : [];
  run("npm", ["install", "--no-audit", "--no-fund", ...offline, join(dir, packed.filename), ...more]);
  return { dir, packed, run, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
