// Small JS helpers of the bindings, one module (not one inline snippet
// each): wasm-bindgen-test's page server answers only about four module
// requests at once on a 2-core machine, and headless Chrome asked for six.

// `convert.rs`: JSON text of a JS value; NaN and Infinity as strings.
const keep = (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v);
export function toJson(value) {
  const text = JSON.stringify(value);
  // NaN and Infinity always print as null: only then pay for the replacer.
  return text !== undefined && text.includes("null") ? JSON.stringify(value, keep) : text;
}

// `allocate.rs`: a list of finite numbers as a Float64Array, else undefined.
export function finiteNumbers(list) {
  if (!Array.isArray(list)) return undefined;
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== "number" || !Number.isFinite(list[i])) return undefined;
  }
  return Float64Array.from(list);
}

// `allocate.rs`: "a,b" → ["a", "b"]; "" → [].
export function splitList(text) {
  return text === "" ? [] : text.split(",");
}
