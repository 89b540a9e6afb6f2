/**
 * Python's float formatting: `repr(float)`, `"{:.pf}"` and `"{:.pe}"`.
 *
 * JS `toFixed`/`toExponential` round exact ties away from zero, drop the sign of -0 and write
 * one-digit exponents; Python rounds the exact binary value half-to-even, keeps the sign bit
 * and writes at least two exponent digits. Ties are resolved here with exact BigInt arithmetic.
 */

const bits = new DataView(new ArrayBuffer(8));

/** |x| = num / den exactly, den a power of two (x finite). */
interface Fraction {
  num: bigint;
  den: bigint;
}

function exactAbs(x: number): Fraction {
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = -1074;
  if (biased !== 0) {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (exp >= 0) return { num: mant << BigInt(exp), den: 1n };
  return { num: mant, den: 1n << BigInt(-exp) };
}

const pow10Cache: bigint[] = [1n];

function pow10(n: number): bigint {
  for (let i = pow10Cache.length; i <= n; i++) pow10Cache.push(pow10Cache[i - 1]! * 10n);
  return pow10Cache[n]!;
}

function divRoundHalfEven(num: bigint, den: bigint): bigint {
  let q = num / den;
  const r2 = (num - q * den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n;
  return q;
}

function checkPrecision(precision: number): void {
  if (!Number.isInteger(precision) || precision < 0) {
    throw new RangeError(`precision must be a non-negative integer, got ${precision}`);
  }
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? "-" : "";
}

/**
 * A tie at p decimals needs |x|·10^p = n + 1/2, i.e. |x|·2^(p+1) an odd integer.
 * Every double ≥ 2^53 is even, so the product must also be below 2^53.
 */
function isFixedTie(a: number, p: number): boolean {
  const m = a * 2 ** (p + 1);
  return Number.isInteger(m) && m < 2 ** 53 && m % 2 === 1;
}

function fixedDigits(a: number, p: number): string {
  // toFixed rounds the exact value correctly except at ties and switches to exponent form
  // at 1e21; its argument is limited to 100.
  if (p <= 100 && a < 1e21 && !isFixedTie(a, p)) return a.toFixed(p);
  const { num, den } = exactAbs(a);
  const digits = divRoundHalfEven(num * pow10(p), den).toString().padStart(p + 1, "0");
  return p === 0 ? digits : `${digits.slice(0, -p)}.${digits.slice(-p)}`;
}

/** Python `"{:.{precision}f}".format(x)`. */
export function formatFixed(x: number, precision: number): string {
  checkPrecision(precision);
  if (Number.isNaN(x)) return "nan";
  const sign = signOf(x);
  if (!Number.isFinite(x)) return `${sign}inf`;
  return sign + fixedDigits(Math.abs(x), precision);
}

/** The p+1 significant digits of |x| (rounded half-to-even) and the decimal exponent. */
interface SciParts {
  digits: string;
  exp10: number;
}

/** 10^e ≤ num/den < 10^(e+1), starting from a floating-point guess. */
function decimalExponent({ num, den }: Fraction, guess: number): number {
  const below = (e: number): boolean =>
    num * pow10(Math.max(0, -e)) < den * pow10(Math.max(0, e));
  let e = guess;
  while (below(e)) e -= 1;
  while (!below(e + 1)) e += 1;
  return e;
}

function sciExact(a: number, p: number): SciParts {
  const frac = exactAbs(a);
  let e = decimalExponent(frac, Math.floor(Math.log10(a)));
  const sh = p - e;
  let q = sh >= 0
    ? divRoundHalfEven(frac.num * pow10(sh), frac.den)
    : divRoundHalfEven(frac.num, frac.den * pow10(-sh));
  if (q >= pow10(p + 1)) {
    // 9.99995 -> 10.0000 -> 1.0000e+01
    q /= 10n;
    e += 1;
  }
  return { digits: q.toString(), exp10: e };
}

/**
 * toExponential is exact except at ties. For a non-integer a with 10^e ≤ a < 10^(e+1), a tie
 * needs a·2^(p-e+1) to be an integer (or a·2 when e = p). The log10 guess may be off by one,
 * hence the extra factor of two.
 */
function sciFast(a: number, p: number): SciParts | null {
  if (p > 100 || Number.isInteger(a)) return null;
  const k = Math.max(1, p - Math.floor(Math.log10(a)) + 2);
  if (Number.isInteger(a * 2 ** k)) return null;
  const [mant, exp] = a.toExponential(p).split("e") as [string, string];
  return { digits: mant.replace(".", ""), exp10: Number.parseInt(exp, 10) };
}

/** Python `"{:.{precision}e}".format(x)`. */
export function formatSci(x: number, precision: number): string {
  checkPrecision(precision);
  if (Number.isNaN(x)) return "nan";
  const sign = signOf(x);
  if (!Number.isFinite(x)) return `${sign}inf`;
  const a = Math.abs(x);
  const parts = a === 0
    ? { digits: "0".repeat(precision + 1), exp10: 0 }
    : sciFast(a, precision) ?? sciExact(a, precision);
  const { digits, exp10 } = parts;
  const mant = precision > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expSign = exp10 < 0 ? "-" : "+";
  return `${sign}${mant}e${expSign}${String(Math.abs(exp10)).padStart(2, "0")}`;
}

/**
 * Python `repr(float)`: the shortest round-trip digits (the same digits JS picks), laid out
 * with an exponent when the decimal point position is ≤ -4 or > 16.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x < 0 ? "-inf" : "inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, exp] = Math.abs(x).toExponential().split("e") as [string, string];
  const e = Number.parseInt(exp, 10);
  const digits = mant.replace(".", "");
  const sign = x < 0 ? "-" : "";
  const decpt = e + 1;
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}
