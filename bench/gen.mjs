// Deterministic, counter-based input generation. torch_bench.py implements the same functions
// with NumPy, so every implementation sees bit-identical inputs: only integer ops and one
// double rounding per value are involved, and float32 values are the round-to-nearest of the
// same double on both sides.

const SQRT3 = 1.7320508075688772;
const INV24 = 1 / 16777216;

/** lowbias32 (C. Wellons) of (counter + seed·φ) mod 2³². */
export function hash32(key, c) {
  let x = (c + key) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
export const seedKey = (seed) => Math.imul(seed >>> 0, 0x9e3779b9) >>> 0;

const numel = (shape) => shape.reduce((a, b) => a * b, 1);

/** The values of one input spec as a plain typed array (Float32/Float64Array or BigInt64Array). */
export function generate(spec) {
  const n = numel(spec.shape);
  const g = spec.gen;
  const k = seedKey(spec.seed);
  if (spec.dtype === "int64") return generateInt(spec, n, k);
  const a = spec.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  switch (g.kind) {
    case "normal": {
      const { scale, shift } = g;
      for (let i = 0; i < n; i++) {
        const h1 = hash32(k, 2 * i), h2 = hash32(k, 2 * i + 1);
        const s = (h1 & 0xffff) + (h1 >>> 16) + (h2 & 0xffff) + (h2 >>> 16);
        const z = (s / 65536 - 2) * SQRT3;
        a[i] = z * scale + shift;
      }
      break;
    }
    case "uniform": {
      const { lo, hi } = g;
      const w = hi - lo;
      for (let i = 0; i < n; i++) a[i] = lo + w * (((hash32(k, i) >>> 8) + 0.5) * INV24);
      break;
    }
    case "sign":
      for (let i = 0; i < n; i++) a[i] = (hash32(k, i) & 1) === 1 ? 1 : -1;
      break;
    case "bit":
      for (let i = 0; i < n; i++) a[i] = hash32(k, i) & 1;
      break;
    case "count":
      for (let i = 0; i < n; i++) a[i] = Math.floor(6 * (((hash32(k, i) >>> 8) + 0.5) * INV24));
      break;
    default:
      throw new Error(`unknown float generator ${g.kind}`);
  }
  return a;
}

function generateInt(spec, n, k) {
  const g = spec.gen;
  const a = new BigInt64Array(n);
  switch (g.kind) {
    case "int": {
      const r = g.hi - g.lo;
      for (let i = 0; i < n; i++) a[i] = BigInt(g.lo + (hash32(k, i) % r));
      break;
    }
    case "const":
      a.fill(BigInt(g.value));
      break;
    case "ctcTargets": {
      for (let i = 0; i < n; i++) a[i] = BigInt(1 + (hash32(k, i) % (g.C - 1)));
      break;
    }
    case "ctcLengths": {
      const half = Math.ceil(g.S / 2);
      for (let i = 0; i < n; i++) a[i] = BigInt(g.S - (hash32(k, i) % half));
      break;
    }
    case "mlmTarget": {
      // Row r: k_r = 1 + h(r) mod kmax labels, c_j = (h'(r) + j·⌊C/kmax⌋) mod C, then −1s.
      const [N, C] = spec.shape;
      const kmax = Math.min(g.kmax, C);
      const step = Math.floor(C / kmax);
      const k2 = seedKey(spec.seed + 1);
      a.fill(-1n);
      for (let r = 0; r < N; r++) {
        const cnt = 1 + (hash32(k, r) % kmax);
        const base = hash32(k2, r) % C;
        for (let j = 0; j < cnt; j++) a[r * C + j] = BigInt((base + j * step) % C);
      }
      break;
    }
    default:
      throw new Error(`unknown int generator ${g.kind}`);
  }
  return a;
}
