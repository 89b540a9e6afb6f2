/* global process */
// TF.js runner: `node bench/run_tfjs.mjs --backend cpu|wasm [--reps 7 ...]`, variants (float32
// only) as JSON on stdin, `@@ {json}` lines on stdout. Started by run.mjs; for the wasm backend
// it starts one process per variant, since an out-of-memory abort kills the module and its
// 4 GiB heap never shrinks.
//
// Each loss is written the way a TF.js user would: the tf.losses function where one exists
// (softmaxCrossEntropy with one-hot labels, meanSquaredError, absoluteDifference, logLoss,
// sigmoidCrossEntropy, huberLoss), otherwise composed from tf ops to PyTorch's definition. Labels,
// one-hots and masks are built outside the timed region; the timed call is
// tf.valueAndGrads(loss)([x]) inside tf.tidy, reading the loss value back.
import { register } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import { generate } from "./gen.mjs";
import { emit, errorText, measure, now, readStdinJson, runnerOptions } from "./measure.mjs";

register("./tfjs-resolve.mjs", import.meta.url);
await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");

const opts = runnerOptions();
const backend = opts.backend === "wasm" ? "wasm" : "cpu";
if (backend === "wasm") {
  await import("@tensorflow/tfjs-backend-wasm");
  tf.env().set("WASM_HAS_SIMD_SUPPORT", true);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // threads cannot start in Node (tfjs#3830)
} else {
  await import("@tensorflow/tfjs-backend-cpu");
}
const impl = `tfjs-${backend}`;
const ok = await tf.setBackend(backend);
await tf.ready();
emit({ event: "hello", impl, ok, backend: tf.getBackend(), version: tf.version_core, threads: 1 });

const int32 = (a) => Int32Array.from(a, (v) => Number(v));

/** Per case: (tensors by name, dims) → { f(x) → scalar, consts: tensors to dispose }. */
const LOSSES = {
  ce: (T, d) => {
    const oh = tf.oneHot(T.target, d.C);
    return { f: (x) => tf.losses.softmaxCrossEntropy(oh, x), consts: [oh] };
  },
  nll: (T, d) => {
    const oh = tf.cast(tf.oneHot(T.target, d.C), "float32");
    return { f: (x) => tf.div(tf.neg(tf.sum(tf.mul(oh, x))), d.N), consts: [oh] };
  },
  kl: (T, d) => ({
    f: (x) => {
      const t = tf.softmax(T.target);
      return tf.div(tf.sum(tf.mul(t, tf.sub(tf.log(t), tf.logSoftmax(x)))), d.N);
    },
  }),
  mse: (T) => ({ f: (x) => tf.losses.meanSquaredError(T.target, x) }),
  l1: (T) => ({ f: (x) => tf.losses.absoluteDifference(T.target, x) }),
  bce: (T) => ({ f: (x) => tf.losses.logLoss(T.target, x, undefined, 0) }),
  bcelogits: (T) => ({ f: (x) => tf.losses.sigmoidCrossEntropy(T.target, x) }),
  huber: (T) => ({ f: (x) => tf.losses.huberLoss(T.target, x, undefined, 1) }),
  smoothl1: (T) => ({ f: (x) => tf.losses.huberLoss(T.target, x, undefined, 1) }),
  softmargin: (T) => ({ f: (x) => tf.mean(tf.softplus(tf.neg(tf.mul(T.target, x)))) }),
  hinge: (T) => {
    const pos = tf.equal(T.target, 1);
    return { f: (x) => tf.mean(tf.where(pos, x, tf.relu(tf.sub(1, x)))), consts: [pos] };
  },
  poisson: (T) => ({ f: (x) => tf.mean(tf.sub(tf.exp(x), tf.mul(T.target, x))) }),
  gaussian: (T) => ({
    f: (x) => tf.mean(tf.mul(0.5, tf.add(tf.log(T.var),
      tf.div(tf.square(tf.sub(x, T.target)), T.var)))),
  }),
  marginranking: (T) => ({
    f: (x) => tf.mean(tf.relu(tf.neg(tf.mul(T.target, tf.sub(x, T.input2))))),
  }),
  mlsm: (T) => ({ f: (x) => tf.losses.sigmoidCrossEntropy(T.target, x) }),
  mlm: (T, d, raw) => {
    // Σ over target slots j and non-target classes i of relu(1 − x[y_j] + x[i]), / C, mean over N.
    const tgt = raw.target;
    const kmax = Math.min(4, d.C);
    const slots = [], valid = [];
    const notT = new Float32Array(d.N * d.C).fill(1);
    for (let j = 0; j < kmax; j++) {
      const oh = new Float32Array(d.N * d.C), ok = new Float32Array(d.N);
      for (let r = 0; r < d.N; r++) {
        let len = 0;
        while (len < d.C && tgt[r * d.C + len] >= 0) len++;
        if (j < len) {
          const c = Number(tgt[r * d.C + j]);
          oh[r * d.C + c] = 1; ok[r] = 1; notT[r * d.C + c] = 0;
        }
      }
      slots.push(tf.tensor2d(oh, [d.N, d.C])); valid.push(tf.tensor1d(ok));
    }
    const nt = tf.tensor2d(notT, [d.N, d.C]);
    return {
      f: (x) => {
        let total = null;
        for (let j = 0; j < kmax; j++) {
          const xs = tf.sum(tf.mul(slots[j], x), 1, true);
          const term = tf.mul(tf.sum(tf.mul(tf.relu(tf.add(tf.sub(1, xs), x)), nt), 1), valid[j]);
          total = total ? tf.add(total, term) : term;
        }
        return tf.div(tf.mean(total), d.C);
      },
      consts: [...slots, ...valid, nt],
    };
  },
  multimargin: (T, d) => {
    const oh = tf.cast(tf.oneHot(T.target, d.C), "float32");
    const notOh = tf.sub(1, oh);
    return {
      f: (x) => {
        const xy = tf.sum(tf.mul(oh, x), 1, true);
        return tf.div(tf.mean(tf.sum(tf.mul(tf.relu(tf.add(tf.sub(1, xy), x)), notOh), 1)), d.C);
      },
      consts: [oh, notOh],
    };
  },
  cosine: (T) => {
    const pos = tf.equal(T.target, 1);
    return {
      f: (x) => {
        const y2 = T.input2;
        const prod = tf.sum(tf.mul(x, y2), 1);
        const m1 = tf.add(tf.sum(tf.mul(x, x), 1), 1e-12);
        const m2 = tf.add(tf.sum(tf.mul(y2, y2), 1), 1e-12);
        const cos = tf.div(prod, tf.sqrt(tf.mul(m1, m2)));
        return tf.mean(tf.where(pos, tf.sub(1, cos), tf.relu(cos)));
      },
      consts: [pos],
    };
  },
  triplet: (T) => {
    const dist = (a, b) => tf.sqrt(tf.sum(tf.square(tf.add(tf.sub(a, b), 1e-6)), 1));
    return { f: (x) => tf.mean(tf.relu(tf.add(tf.sub(dist(x, T.positive), dist(x, T.negative)), 1))) };
  },
};

const isOom = (msg) => /memory|OOM|abort|allocation|Invalid array length|Invalid typed array/i
  .test(msg);

const variants = await readStdinJson();
for (const v of variants) {
  emit({ event: "start", key: v.key });
  const build = LOSSES[v.tfjs];
  if (!build || v.dtype !== "float32") {
    emit({ event: "result", key: v.key, impl, status: "n/a" });
    continue;
  }
  let consts = [];
  const T = {};
  try {
    const raw = {};
    for (const s of v.inputs) {
      raw[s.name] = generate(s);
      T[s.name] = s.dtype === "int64" ? tf.tensor(int32(raw[s.name]), s.shape, "int32") :
        tf.tensor(raw[s.name], s.shape, "float32");
    }
    const xName = v.inputs.find((s) => s.grad).name;
    const x = T[xName];
    const loss = build(T, v.dims, raw);
    consts = loss.consts ?? [];
    const vg = tf.valueAndGrads(loss.f);
    // Cold call = verification call (loss value and Σ|grad| read back outside the timing).
    const t0 = now();
    const first = vg([x]);
    const lossValue = first.value.dataSync()[0];
    const coldS = now() - t0;
    const g = first.grads[0].dataSync();
    let gradAbsSum = 0;
    for (let i = 0; i < g.length; i++) gradAbsSum += Math.abs(g[i]);
    tf.dispose([first.value, ...first.grads]);
    const call = () => tf.tidy(() => { vg([x]).value.dataSync(); });
    const r = measure(call, coldS, opts, { slowFewer: true });
    emit({ event: "result", key: v.key, impl, status: "ok", threads: 1, cold_s: coldS,
      loss: lossValue, gradAbsSum, ...r });
  } catch (e) {
    const msg = errorText(e);
    emit({ event: "result", key: v.key, impl, status: isOom(msg) ? "OOM" : "error", error: msg });
  }
  try {
    tf.dispose([...consts, ...Object.values(T)]);
  } catch {
    // a dead wasm module cannot free: the process ends with this variant anyway
  }
}
process.exit(0);
