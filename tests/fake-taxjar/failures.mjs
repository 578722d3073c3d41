// Random failures for the fake (failure spec fields `rate`, `seed`,
// `choices`, `afterCommit`, `reset`): a seeded generator, so a run that
// sends the same requests in the same order meets the same failures.

import { rng as seededRandom } from "../../bench/rng.mjs";

/** mulberry32: a small seeded PRNG giving floats in [0, 1) (bench/rng.mjs). */
export { seededRandom };

const CHOICE_KEYS = ['label', 'status', 'body', 'contentType', 'delayMs', 'retryAfter', 'hang', 'afterCommit', 'reset'];

/** Checks the random-failure fields of a spec; throws a TypeError naming the field. */
export function validateRandom(spec) {
  if (spec.rate != null && !(typeof spec.rate === 'number' && spec.rate > 0 && spec.rate <= 1)) {
    throw new TypeError('failure spec: rate must be a number in (0, 1]');
  }
  if (spec.seed != null && !Number.isInteger(spec.seed)) throw new TypeError('failure spec: seed must be an integer');
  if (spec.choices == null) return;
  if (!Array.isArray(spec.choices) || spec.choices.length === 0) {
    throw new TypeError('failure spec: choices must be a non-empty array');
  }
  spec.choices.forEach((choice, i) => {
    if (!choice || typeof choice !== 'object' || Array.isArray(choice)) {
      throw new TypeError(`failure spec: choices[${i}] must be an object`);
    }
    const unknown = Object.keys(choice).find((k) => !CHOICE_KEYS.includes(k));
    if (unknown) throw new TypeError(`failure spec: choices[${i}].${unknown} is not a choice field`);
  });
}

/**
 * Draws for one matching request: `null` (not failed this time, when `rate`
 * says so), else the spec, or one of its `choices` picked uniformly.
 */
export function draw(failure) {
  const { spec } = failure;
  if (spec.rate == null && spec.choices == null) return spec;
  failure.random ??= seededRandom(spec.seed ?? 1);
  if (spec.rate != null && failure.random() >= spec.rate) return null;
  if (spec.choices == null) return spec;
  return spec.choices[Math.floor(failure.random() * spec.choices.length)];
}
