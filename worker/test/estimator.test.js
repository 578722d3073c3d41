// The browser Estimator itself inside workerd (a Worker can use it as a
// client too): gloo-net over workerd's global fetch, AbortSignal.timeout,
// the memo and the counters, against the local TaxJar fake.
import { Estimator } from "edgetax";
import { describe, expect, it } from "vitest";
import { answers, FAKE, fakeFail, fakeRequests, fakeReset, freshCart } from "./helpers.js";

/** Keeps what the Estimator handed out for the suite's secret scan. */
const kept = (value) => {
  const shown = value instanceof Error
    ? { message: value.message, code: value.code, field: value.field, status: value.status, detail: value.detail }
    : value;
  answers.push({ status: 0, headers: {}, body: JSON.stringify(shown) });
  return value;
};

const taxCalls = async () => (await fakeRequests()).filter((r) => r.path === "/v2/taxes").length;

describe("Estimator in workerd", () => {
  it("calls the fake once per cart state and memoizes", async () => {
    await fakeReset();
    const estimator = new Estimator({ apiUrl: FAKE, apiKey: "test-token" });
    const cart = freshCart();
    const first = kept(await estimator.estimate(cart));
    expect(first.source).toBe("taxjar");
    expect(first.has_nexus).toBe(true);
    const again = kept(await estimator.estimate(cart));
    expect(again.source).toBe("cache");
    expect(again.amount_to_collect).toBe(first.amount_to_collect);
    expect(await taxCalls()).toBe(1);
    expect(estimator.stats()).toEqual({ calls: 1, cache_hits: 1, coalesced: 0, no_nexus_skips: 0, exempt_skips: 0, invalid: 0, errors: 0, provisional_hits: 0, provisional_misses: 0 });
  });

  it("maps a timeout and a 401 to their codes", async () => {
    await fakeReset();
    await fakeFail({ delayMs: 400, path: "/v2/taxes", times: 1 });
    const timedOut = await new Estimator({ apiUrl: FAKE, apiKey: "test-token", timeoutMs: 50 }).estimate(freshCart()).catch(kept);
    expect(timedOut).toMatchObject({ code: "timeout" });
    await fakeFail(null);
    const refused = await new Estimator({ apiUrl: FAKE, apiKey: "wrong-token-xyz" }).estimate(freshCart()).catch(kept);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).toMatchObject({ code: "unauthorized", status: 401 });
  });
});
