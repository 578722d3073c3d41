// Exact decimal arithmetic for the fake TaxJar server.
//
// A decimal is `{ n: bigint, s: number }` meaning n / 10^s. JSON numbers are
// converted through their shortest round-trip string (String(19.99) === "19.99"),
// so the digits a client wrote are the digits we compute with: no float noise.

const TEN = 10n;
const pow10 = (k) => TEN ** BigInt(k);

const DEC_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** True when `x` is a finite number or a numeric string. */
export function isNumeric(x) {
  if (typeof x === 'number') return Number.isFinite(x);
  if (typeof x === 'string') {
    const t = x.trim();
    const m = DEC_RE.exec(t);
    return !!m && t !== '' && ((m[2] ?? '') + (m[3] ?? '')).length > 0;
  }
  return false;
}

/** Parse a number, numeric string, bigint or decimal into a decimal. */
export function dec(x) {
  if (x && typeof x === 'object' && typeof x.n === 'bigint') return x;
  if (typeof x === 'bigint') return { n: x, s: 0 };
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
    x = String(x);
  }
  if (typeof x !== 'string') throw new TypeError(`not numeric: ${x}`);
  const m = DEC_RE.exec(x.trim());
  if (!m || ((m[2] ?? '') + (m[3] ?? '')).length === 0) throw new TypeError(`not numeric: ${x}`);
  const [, sign, int = '', frac = '', exp = '0'] = m;
  let n = BigInt((int + frac) || '0');
  let s = frac.length - Number(exp);
  if (s < 0) {
    n *= pow10(-s);
    s = 0;
  }
  return normalize({ n: sign === '-' ? -n : n, s });
}

/** Strip trailing zeros of the fraction. */
export function normalize(a) {
  let { n, s } = a;
  while (s > 0 && n % TEN === 0n) {
    n /= TEN;
    s -= 1;
  }
  return { n, s };
}

function align(a, b) {
  const s = Math.max(a.s, b.s);
  return [a.n * pow10(s - a.s), b.n * pow10(s - b.s), s];
}

export const ZERO = { n: 0n, s: 0 };

export function add(a, b) {
  const [x, y, s] = align(dec(a), dec(b));
  return normalize({ n: x + y, s });
}

export function sub(a, b) {
  const [x, y, s] = align(dec(a), dec(b));
  return normalize({ n: x - y, s });
}

export function mul(a, b) {
  a = dec(a);
  b = dec(b);
  return normalize({ n: a.n * b.n, s: a.s + b.s });
}

export function sum(list) {
  return list.reduce((acc, x) => add(acc, x), ZERO);
}

/** -1, 0 or 1. */
export function cmp(a, b) {
  const [x, y] = align(dec(a), dec(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export const eq = (a, b) => cmp(a, b) === 0;
export const isZero = (a) => dec(a).n === 0n;
export const isNeg = (a) => dec(a).n < 0n;
export const max = (a, b) => (cmp(a, b) >= 0 ? dec(a) : dec(b));

/** Round to `places` decimals, half away from zero (1.005 → 1.01, -1.005 → -1.01). */
export function round(a, places = 2) {
  a = dec(a);
  if (a.s <= places) return a;
  const f = pow10(a.s - places);
  let q = a.n / f; // truncates toward zero
  const r = a.n % f;
  const absR = r < 0n ? -r : r;
  if (2n * absR >= f) q += a.n < 0n ? -1n : 1n;
  return normalize({ n: q, s: places });
}

/** a / b rounded to `places` decimals, half away from zero. */
export function div(a, b, places) {
  a = dec(a);
  b = dec(b);
  if (b.n === 0n) throw new RangeError('division by zero');
  let num = a.n * pow10(b.s + places);
  let den = b.n * pow10(a.s);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  let q = num / den;
  const r = num % den;
  const absR = r < 0n ? -r : r;
  if (2n * absR >= den) q += num < 0n ? -1n : 1n;
  return normalize({ n: q, s: places });
}

/** Plain decimal string without trailing zeros: "16.5", "15", "-0.95", "0". */
export function toPlain(a) {
  const { n, s } = normalize(dec(a));
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString();
  if (s > 0) {
    digits = digits.padStart(s + 1, '0');
    digits = `${digits.slice(0, -s)}.${digits.slice(-s)}`;
  }
  return (negative ? '-' : '') + digits;
}

/** Ruby BigDecimal-like string as TaxJar transactions use: "16.5", "15.0", "-0.95". */
export function toMoneyString(a) {
  const p = toPlain(a);
  return p.includes('.') ? p : `${p}.0`;
}

/** JavaScript number with the same digits (exact for the values TaxJar uses). */
export function toNumber(a) {
  return Number(toPlain(a));
}
