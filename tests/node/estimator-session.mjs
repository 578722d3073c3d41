// Shared by the Estimator's Node tests: one TaxJar fake per test file,
// reset before each test, a clock the tests drive, and the usual cart.

import { before, after, beforeEach } from "node:test";
import { readFileSync } from "node:fs";
import { initSync } from "../../pkg/edgetax.js";
import { startFake } from "../fake-taxjar/server.mjs";

initSync({ module: readFileSync(new URL("../../pkg/edgetax_bg.wasm", import.meta.url)) });

export const TOKEN = "test-token";

/** `{ fake, clock }`, filled in by the file's before/beforeEach hooks. */
export function fakeSession() {
  const session = { fake: null, clock: 0 };
  before(async () => {
    session.fake = await startFake({ token: TOKEN });
  });
  after(async () => {
    await session.fake.close();
  });
  beforeEach(() => {
    session.fake.reset();
    session.clock = 1_000_000;
  });
  return session;
}

/** A two-line cart to Mahopac, NY ($47.88 with shipping). */
export function cart(overrides = {}) {
  return {
    to_country: "US",
    to_zip: "10541",
    to_state: "NY",
    to_city: "Mahopac",
    shipping: 7.99,
    line_items: [
      { id: "1", quantity: 1, unit_price: 19.99, product_tax_code: "20010" },
      { id: "2", quantity: 2, unit_price: 9.95 },
    ],
    ...overrides,
  };
}
