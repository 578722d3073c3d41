// Runs in every test file: captures console.log, and after the file checks
// that no answer (body or header) and no log line holds a secret.
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { answers, fakeReset, logLines, SECRETS } from "./helpers.js";

let original;

beforeAll(() => {
  original = console.log;
  console.log = (...args) => {
    logLines.push(args.map(String).join(" "));
  };
});

beforeEach(async () => {
  await fakeReset();
});

afterAll(() => {
  console.log = original;
  expect(answers.length).toBeGreaterThan(0);
  for (const answer of answers) {
    const text = answer.body + JSON.stringify(answer.headers);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
  for (const line of logLines) {
    for (const secret of SECRETS) expect(line).not.toContain(secret);
    // No client address and no shipping address either.
    expect(line).not.toContain("203.0.113.7");
    expect(line).not.toContain("1335 E 103rd");
  }
});
