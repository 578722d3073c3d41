// Runs in every test file. It records every answer the Worker's fetch
// handler gives (whoever called it: helpers' call(), exports.default, the
// Estimator through kept()) and every console line of any level, then
// after the file checks them all:
// - no secret (the token, the proxy keys, in any form test/leaks.js knows);
// - no shipping address or client address in a log line;
// - never a 500, and every error a clean TaxJar-style body.
// It then reports its counts to the collector in test/global-setup.mjs,
// which totals the whole suite.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, beforeEach, expect, inject } from "vitest";
import worker from "../src/index.js";
import { answerProblems, answers, fakeReset, figures, logLines, recordAnswer, SECRETS } from "./helpers.js";
import { findSecrets } from "./leaks.js";

const LEVELS = ["log", "info", "warn", "error", "debug"];
const originals = {};
let originalFetch;

beforeAll(() => {
  for (const level of LEVELS) {
    originals[level] = console[level];
    console[level] = (...args) => {
      logLines.push(args.map(String).join(" "));
      // Only the Worker's JSON request lines are kept quiet.
      if (level !== "log") originals[level](...args);
    };
  }
  originalFetch = worker.fetch;
  worker.fetch = async function recorded(request, testEnv, ctx) {
    const response = await originalFetch.call(this, request, testEnv, ctx);
    await recordAnswer(response.clone());
    return response;
  };
});

beforeEach(async () => {
  await fakeReset();
});

afterAll(async () => {
  for (const level of LEVELS) console[level] = originals[level];
  worker.fetch = originalFetch;
  const hits = [];
  for (const answer of answers) {
    const text = answer.body + JSON.stringify(answer.headers);
    hits.push(...findSecrets(text, SECRETS).map((hit) => ({ ...hit, in: `answer ${answer.status}` })));
  }
  for (const line of logLines) {
    hits.push(...findSecrets(line, SECRETS).map((hit) => ({ ...hit, in: "log line" })));
  }
  const file = expect.getState().testPath?.split("/").pop() ?? "?";
  await fetch(`${inject("scanUrl")}/report`, {
    method: "POST",
    body: JSON.stringify({
      file, responses: answers.length, logLines: logLines.length, secrets: SECRETS.length, hits, figures,
    }),
  });
  expect(env.TAXJAR_API_TOKEN && SECRETS.includes(env.TAXJAR_API_TOKEN)).toBe(true);
  expect(answers.length).toBeGreaterThan(0);
  expect(hits).toEqual([]);
  expect(answers.flatMap(answerProblems)).toEqual([]);
  for (const line of logLines) {
    // No client address and no shipping address either.
    expect(line).not.toContain("203.0.113.7");
    expect(line).not.toContain("1335 E 103rd");
  }
});
