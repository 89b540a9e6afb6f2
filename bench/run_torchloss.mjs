/* global process, setTimeout */
// torchloss runner: `node --import tsx bench/run_torchloss.mjs [--threads 2 --reps 7 ...]`,
// variants as JSON on stdin, one `@@ {json}` line per event on stdout. Started by run.mjs, once
// per thread count. Imports the library from src/ (through tsx), or from dist/ with
// `--from dist`; `--threads n` calls the kernels' setNumThreads(n) (default: the library's).
import { generate } from "./gen.mjs";
import { emit, errorText, measure, now, readStdinJson, runnerOptions } from "./measure.mjs";

const opts = runnerOptions();
const torch = opts.from === "dist" ? await import("../dist/index.js") :
  await import("../src/index.ts");
const F = torch.F ?? torch.nn.functional;
const backend = opts.from === "dist" ? await import("../dist/kernels/backend.js") :
  await import("../src/kernels/backend.ts");
if (opts.threads !== undefined) backend.setNumThreads(opts.threads);
const threads = backend.getNumThreads();
const impl = `torchloss-${opts.threads ?? threads}t`;
emit({ event: "hello", impl, threads, source: opts.from === "dist" ? "dist" : "src" });

const DTYPES = { float32: torch.float32, float64: torch.float64, int64: torch.int64 };

function makeTensor(spec) {
  const t = torch.tensor(generate(spec), { dtype: DTYPES[spec.dtype] }).reshape(spec.shape);
  if (spec.grad) t.requiresGrad_(true);
  return t;
}

function absSum(g) {
  let s = 0;
  const d = g.data;
  for (let i = 0; i < d.length; i++) s += Math.abs(d[i]);
  return s;
}

const variants = await readStdinJson();
for (const v of variants) {
  emit({ event: "start", key: v.key });
  const fn = F[v.js];
  if (typeof fn !== "function") {
    emit({ event: "result", key: v.key, impl, status: "not implemented" });
    continue;
  }
  try {
    const T = Object.fromEntries(v.inputs.map((s) => [s.name, makeTensor(s)]));
    const gradTensors = v.inputs.filter((s) => s.grad).map((s) => T[s.name]);
    const options = v.options;
    const args = () => v.args.map((a) => (a.fn ? F[a.fn](T[a.ref], a.dim) : T[a.ref]));
    const clear = () => { for (const x of gradTensors) x.grad = null; };
    const call = () => {
      const loss = fn(...args(), { ...options });
      loss.backward();
      clear();
    };
    // Cold call = verification call: loss value and Σ|grad| (outside the timed samples).
    const t0 = now();
    const loss = fn(...args(), { ...options });
    loss.backward();
    const coldS = now() - t0;
    const lossValue = Number(loss.item());
    const gradAbsSum = gradTensors.reduce((s, x) => s + (x.grad ? absSum(x.grad) : NaN), 0);
    clear();
    // A moment idle after the first call: V8 compiles WebAssembly in two tiers and the optimized
    // tier is built on background threads, which a loop keeping both cores busy (main thread +
    // kernel worker) starves; without it the worker can stay on baseline code for the whole run.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const r = measure(call, coldS, opts);
    emit({ event: "result", key: v.key, impl, status: "ok", threads, cold_s: coldS,
      loss: lossValue, gradAbsSum, ...r });
  } catch (e) {
    emit({ event: "result", key: v.key, impl, status: "error", error: errorText(e) });
  }
  if (globalThis.gc) globalThis.gc();
}
process.exit(0);
