// The Estimator's waiting: fetch with a timeout, calls shared while in
// flight, and a caller's abort signal. Every decision (what to ask, what
// to memoize, what an answer or a failure means) is the wasm's
// `EstimatorSteps`; this file only waits for the network.

const abortReason = (signal) => {
  if (signal.reason !== undefined) return signal.reason;
  const error = new Error("The operation was aborted.");
  error.name = "AbortError";
  return error;
};

// `promise`, or a rejection as soon as `signal` aborts; the promise itself
// goes on, so others waiting on it still get its answer.
function until(promise, signal) {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    const done = () => signal.removeEventListener("abort", onAbort);
    promise.then((v) => { done(); resolve(v); }, (e) => { done(); reject(e); });
  });
}

// One request: [status, body text], or the fetch's own rejection.
async function send({ url, init, timeout }) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeout) });
  return [response.status, await response.text()];
}

const failure = (e) => [String(e?.name ?? ""), String(e?.message ?? e)];

export class Driver {
  #steps;
  #flights = new Map();
  #regions = null;

  constructor(steps) {
    this.#steps = steps;
  }

  /** The long way for one cart's JSON text (a memo miss). */
  async run(text, signal) {
    const steps = this.#steps;
    let step = steps.plan(text, false);
    if (step.regions !== undefined) {
      // One fetch of the nexus regions, however many carts wait for it.
      if (this.#regions === null) {
        const pending = send(step.regions).then(
          ([status, body]) => steps.regionsAnswer(status, body),
          (e) => steps.regionsFailed(...failure(e)),
        ).finally(() => { if (this.#regions === pending) this.#regions = null; });
        this.#regions = pending;
      }
      await this.#regions;
      step = steps.plan(text, true);
    }
    if (step.estimate !== undefined) return step.estimate;
    let flight = this.#flights.get(step.key);
    if (step.call !== undefined) {
      // The wasm counts the call and keeps the key in flight until it
      // settles; later carts with this key are told to join this flight.
      const key = step.key;
      const tracked = send(step.call).then(
        ([status, body]) => steps.settle(key, status, body),
        (e) => steps.failed(key, ...failure(e)),
      ).finally(() => { if (this.#flights.get(key) === tracked) this.#flights.delete(key); });
      this.#flights.set(key, tracked);
      flight = tracked;
    }
    return steps.shape(await until(flight, signal), step.ids);
  }
}
