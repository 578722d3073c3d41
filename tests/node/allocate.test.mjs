// allocate() in the release package: a list of plain numbers takes a fast
// path (one Float64Array, digits found without formatting), everything
// else the general JSON path. Both must give the same shares and errors.
// Run with `node --test tests/node/` after `make build`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initSync, allocate } from "../../pkg/edgetax.js";
import { rng } from "../../bench/rng.mjs";

initSync({ module: readFileSync(new URL("../../pkg/edgetax_bg.wasm", import.meta.url)) });

function throwsWith(fn, expected) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.deepEqual({ code: err.code, field: err.field, message: err.message }, expected);
    return true;
  });
}

test("numbers split exactly as the same decimals written as strings", () => {
  const random = rng(42);
  for (let c = 0; c < 2000; c++) {
    const n = 1 + Math.floor(random() * 40);
    const places = Math.floor(random() * 7); // 0–6 places
    const numbers = Array.from({ length: n }, () => Math.floor(random() * 1e7) / 10 ** places);
    if (numbers.every((w) => w === 0)) numbers[0] = 1;
    const strings = numbers.map(String); // JS's own shortest digits
    const total = (Math.floor(random() * 2e6) - 1e6) / 100;
    assert.deepEqual(allocate(total, numbers), allocate(String(total), strings), `${total} over ${strings}`);
  }
});

test("shares are two-place strings that sum to the total", () => {
  assert.deepEqual(allocate(-10, [1, 1, 1]), ["-3.34", "-3.33", "-3.33"]);
  assert.deepEqual(allocate(1.35, [10, 5]), ["0.90", "0.45"]);
  assert.deepEqual(allocate(0, [1, 2]), ["0.00", "0.00"]);
  assert.deepEqual(allocate("0.05", [1, 1, 1, 1]), ["0.02", "0.01", "0.01", "0.01"]);
  assert.deepEqual(allocate(1, [0.1, 0.2]), ["0.33", "0.67"]);
  assert.deepEqual(allocate("1.00", [1e21, 1]), ["1.00", "0.00"]);
  assert.deepEqual(allocate(100000, [1, "2", 3.5]), ["15384.62", "30769.23", "53846.15"]);
});

test("weights the fast path cannot read keep their errors", () => {
  throwsWith(() => allocate(1, [1, 1e-7]), {
    code: "invalid_value",
    field: "weights[1]",
    message: '"0.0000001" has 7 decimal places; at most 6 are allowed',
  });
  throwsWith(() => allocate(1, [0.1 + 0.2]), {
    code: "invalid_value",
    field: "weights[0]",
    message: '"0.30000000000000004" has 17 decimal places; at most 6 are allowed',
  });
  throwsWith(() => allocate(1, [NaN]), {
    code: "invalid_value",
    field: "weights[0]",
    message: '"NaN" is not a decimal number',
  });
  throwsWith(() => allocate(1, [2, -1]), {
    code: "invalid_value",
    field: "weights[1]",
    message: "weight -1 is negative",
  });
  throwsWith(() => allocate(1, [0, 0]), { code: "invalid_value", field: null, message: "all weights are zero" });
  throwsWith(() => allocate(1, []), { code: "invalid_value", field: null, message: "allocate needs at least one weight" });
  assert.throws(() => allocate(1, [1, null]), (err) => err.code === "invalid_type" && err.field === "weights");
  assert.throws(() => allocate(1, "1,2"), (err) => err.code === "invalid_type" && err.field === "weights");
});
