/**
 * How a double prints through C++ `operator<<` (printf "%g", 6 significant digits), which is how
 * PyTorch's TORCH_CHECK messages show scalars: 0.3 -> "0.3", 1e-7 -> "1e-07", 123456789 ->
 * "1.23457e+08". Rounding is done on the exact binary value, ties to even, as glibc does.
 */

const PRECISION = 6;

/** `std::ostream << x` for a double with default flags. */
export function formatCppDouble(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const sign = x < 0 ? "-" : "";
  const { digits, exp10 } = roundSignificant(Math.abs(x));
  if (exp10 < -4 || exp10 >= PRECISION) {
    const mantissa = stripZeros(`${digits[0]}.${digits.slice(1)}`);
    const e = Math.abs(exp10);
    return `${sign}${mantissa}e${exp10 < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
  }
  if (exp10 < 0) return sign + stripZeros(`0.${"0".repeat(-exp10 - 1)}${digits}`);
  return sign + stripZeros(`${digits.slice(0, exp10 + 1)}.${digits.slice(exp10 + 1)}`);
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** The exact decimal expansion of a positive finite double, as digits and a point position. */
function exactDecimal(x: number): { digits: string; point: number } {
  let e = 0;
  while (!Number.isInteger(x)) {
    x *= 2; // exact: doubling a double never rounds
    e++;
  }
  // x is now an integer and the value is x / 2^e = x * 5^e / 10^e.
  const digits = (BigInt(x) * 5n ** BigInt(e)).toString();
  return { digits, point: digits.length - e };
}

/** `PRECISION` significant digits of a positive double, and the decimal exponent of the first. */
function roundSignificant(x: number): { digits: string; exp10: number } {
  const { digits, point } = exactDecimal(x);
  let exp10 = point - 1;
  if (digits.length <= PRECISION) return { digits: digits.padEnd(PRECISION, "0"), exp10 };
  let head = BigInt(digits.slice(0, PRECISION));
  const rest = digits.slice(PRECISION);
  const first = rest.charAt(0);
  const tie = /^50*$/.test(rest);
  if (first > "5" || (first === "5" && !tie) || (tie && (head & 1n) === 1n)) {
    head += 1n;
  }
  let out = head.toString();
  if (out.length > PRECISION) {
    out = out.slice(0, PRECISION);
    exp10++;
  }
  return { digits: out, exp10 };
}
