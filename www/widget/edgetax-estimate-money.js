// Money for <edgetax-estimate>: decimal strings to integer cents and back,
// so no figure the widget shows is float arithmetic. Re-exported by
// edgetax-estimate.js.

/** A decimal string ("-12.5", "3", "0.125") as integer cents, half away from zero. */
export function toCents(value) {
  const text = String(value ?? "").trim();
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new TypeError(`not a decimal amount: "${text}"`);
  const negative = m[1] === "-";
  const frac = (m[3] ?? "").padEnd(3, "0");
  let cents = BigInt(m[2] || "0") * 100n + BigInt(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) cents += 1n;
  return negative ? -cents : cents;
}

/** Integer cents as a decimal string with two places ("-0.05"). */
export function fromCents(cents) {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const text = `${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}
