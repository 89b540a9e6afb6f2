/* global process */
// Bandwidth ceilings from JS, one thread: copy (TypedArray.set, i.e. memcpy; 1 read + 1 write)
// and triad (scalar loop a = b + s·c; 2 reads + 1 write) on float32 arrays of `--n` elements.
// Arrays are touched before timing, so page faults are not measured.
import { emit, median, now, runnerOptions } from "./measure.mjs";

const opts = runnerOptions();
const n = opts.n ?? 1 << 27;
const reps = Math.max(5, Math.ceil((opts.reps ?? 7) / 2) + 1);
const a = new Float32Array(n).fill(1), b = new Float32Array(n).fill(2), c = new Float32Array(n);
c.fill(0);

function triad(dst, x, y, s) {
  for (let i = 0; i < dst.length; i++) dst[i] = x[i] + s * y[i];
}

emit({ event: "hello", impl: "js", threads: 1 });
for (const [kind, f, traffic] of [
  ["copy", () => c.set(a), 2],
  ["triad", () => triad(c, a, b, 1.5), 3],
]) {
  for (let i = 0; i < 2; i++) f();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    f();
    ts.push(now() - t0);
  }
  const med = median(ts);
  emit({ event: "bw", impl: "js-1t", kind, med_s: med, gbps: traffic * 4 * n / med / 1e9,
    bytes: traffic * 4 * n });
}
process.exit(0);
