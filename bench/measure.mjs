/* global process, performance, Buffer */
// Timing policy shared by the JS runners (torch_bench.py implements the same policy):
//   1. one cold call (also the verification call; its time is kept as cold_s),
//   2. warm-up: calls until ≥ warmS seconds have passed (at least one call),
//   3. `reps` samples; each sample times `inner` back-to-back calls, with inner chosen so one
//      sample lasts ≥ batchS (inner = 1 for anything slower than batchS), and records the
//      per-call time. The result is the median (and min) of the samples.
// TF.js cases whose cold call exceeds 10 s skip warm-up and take 1–3 runs in total (the cold
// call counting as the first): the table says so.

export function now() {
  return performance.now() / 1000;
}

export function median(a) {
  const b = [...a].sort((p, q) => p - q);
  const m = b.length >> 1;
  return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2;
}

/** Parses `--key value` pairs given to a runner. */
export function runnerOptions(argv = process.argv.slice(2)) {
  const o = { reps: 7, warmS: 0.5, batchS: 0.05, slowS: 10 };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, "");
    o[k] = Number.isNaN(Number(argv[i + 1])) ? argv[i + 1] : Number(argv[i + 1]);
  }
  return o;
}

export function measure(call, coldS, opts, { slowFewer = false } = {}) {
  if (slowFewer && coldS > opts.slowS) {
    const total = coldS > 3 * opts.slowS ? 1 : coldS > 1.5 * opts.slowS ? 2 : 3;
    const ts = [coldS];
    for (let i = 1; i < total; i++) {
      const t0 = now();
      call();
      ts.push(now() - t0);
    }
    return { med_s: median(ts), min_s: Math.min(...ts), reps: ts.length, inner: 1, warm: 0,
      samples: ts, fewer: true };
  }
  let warm = 0;
  const w0 = now();
  do {
    call();
    warm++;
  } while (now() - w0 < opts.warmS && warm < 200000);
  const est = (now() - w0) / warm;
  const inner = Math.max(1, Math.ceil(opts.batchS / est));
  const ts = [];
  for (let r = 0; r < opts.reps; r++) {
    const t0 = now();
    for (let i = 0; i < inner; i++) call();
    ts.push((now() - t0) / inner);
  }
  return { med_s: median(ts), min_s: Math.min(...ts), reps: ts.length, inner, warm, samples: ts };
}

/** Reads all of stdin as JSON (the variant list). */
export async function readStdinJson() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** One protocol line to the orchestrator. */
export function emit(o) {
  process.stdout.write(`@@ ${JSON.stringify(o)}\n`);
}

export function errorText(e) {
  return String(e && e.message ? e.message : e).split("\n")[0].slice(0, 200);
}
