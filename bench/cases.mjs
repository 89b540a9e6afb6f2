/* global process, console */
// The benchmark's case list: all 21 torch.nn losses, one table shared by every implementation.
//
// Each case names the torchloss function, the torch.nn.functional function, its positional
// tensors (with a deterministic generator for each), the options, and a size per tier:
//   small  — PyTorch's docs/learning-note size (3×5): per-call overhead
//   medium — cache-resident (≈1M elements)
//   large  — the target size (CE/KL/NLL 4096×32000, point-wise 16M elements, CTC T=200 N=16 C=30 S=40)
//   quick  — what `--quick` runs instead of large (1/16 of it, 1/2 for CTC)
//
// `variantsOf(case, tiers, dtypes)` resolves a case into concrete variants (plain JSON), which are
// what the torchloss, PyTorch and TF.js runners receive. `node bench/cases.mjs --json` prints them.

/** Float dtypes every case runs in; CE, KL, MSE and L1 also run in float64. */
const F32 = ["float32"];
const F32_F64 = ["float32", "float64"];

// ---- input generators (the kinds gen.mjs and torch_bench.py both implement) ----------------
// normal:  (U1+U2+U3+U4 − 2)·√3 with four 16-bit uniforms (Irwin–Hall, unit variance), ·scale + shift
// uniform: lo + (hi − lo)·u, u = (24-bit + ½)/2²⁴ ∈ (0, 1)
// sign:    ±1;  bit: 0/1 (float);  count: ⌊6u⌋ (float, Poisson-like counts)
// int:     lo + h mod (hi − lo) (int64);  const: every element = value (int64)
// mlmTarget: MultiLabelMargin rows — 1…kmax distinct classes, then −1 padding (int64)
// ctcTargets: classes in [1, C) (int64);  ctcLengths: S − (h mod ⌈S/2⌉) (int64)
const normal = (scale = 1, shift = 0) => ({ kind: "normal", scale, shift });
const uniform = (lo, hi) => ({ kind: "uniform", lo, hi });
const sign = () => ({ kind: "sign" });
const bit = () => ({ kind: "bit" });
const count = () => ({ kind: "count" });
const int = (lo, hi) => ({ kind: "int", lo, hi });

/** Input tensor spec: `dims` maps the tier's dims to a shape; `grad` marks x.requiresGrad. */
const t = (name, dims, gen, opts = {}) => ({ name, dims, gen, dtype: opts.dtype ?? "float",
  grad: opts.grad ?? false });

// Shapes as functions of a tier's dims object.
const NC = (d) => [d.N, d.C];
const N_ = (d) => [d.N];
const ND = (d) => [d.N, d.D];
const FLAT = (d) => [d.n];

// Tier sizes shared by families of losses.
const ROWS_CE = { small: { N: 3, C: 5 }, medium: { N: 64, C: 16000 },
  large: { N: 4096, C: 32000 }, quick: { N: 256, C: 32000 } };
const POINT_2D = { small: { N: 3, C: 5 }, medium: { N: 1024, C: 1024 },
  large: { N: 4096, C: 4096 }, quick: { N: 1024, C: 1024 } };
const POINT_1D = { small: { n: 15 }, medium: { n: 1 << 20 }, large: { n: 1 << 24 },
  quick: { n: 1 << 20 } };
const ROWS_1K = { small: { N: 3, C: 5 }, medium: { N: 1024, C: 1000 },
  large: { N: 16384, C: 1000 }, quick: { N: 1024, C: 1000 } };
const PAIRS = { small: { N: 3, D: 5 }, medium: { N: 4096, D: 256 },
  large: { N: 65536, D: 256 }, quick: { N: 4096, D: 256 } };

/** Point-wise (input, target) loss over an (N, C) tensor, 16M elements at the large size. */
const pointwise = (id, label, js, py, target, extra = {}) => ({
  id, label, js, py, family: "pointwise", sizes: POINT_2D, dtypes: F32,
  inputs: [t("input", NC, normal(), { grad: true }), t("target", NC, target)],
  ...extra,
});

export const CASES = [
  {
    id: "ce", label: "CrossEntropy", js: "crossEntropy", py: "cross_entropy", family: "rows",
    sizes: ROWS_CE, dtypes: F32_F64, tfjs: "ce",
    inputs: [t("input", NC, normal(), { grad: true }), t("target", N_, int(0, "C"), { dtype: "int64" })],
  },
  {
    id: "nll", label: "NLL", js: "nllLoss", py: "nll_loss", family: "rows",
    sizes: ROWS_CE, dtypes: F32, tfjs: "nll",
    inputs: [t("input", NC, normal(), { grad: true }), t("target", N_, int(0, "C"), { dtype: "int64" })],
  },
  {
    id: "kl", label: "KLDiv", js: "klDiv", py: "kl_div",
    family: "rows", sizes: ROWS_CE, dtypes: F32_F64, tfjs: "kl",
    inputs: [t("input", NC, normal(), { grad: true }), t("target", NC, normal())],
    args: [{ ref: "input", fn: "logSoftmax", dim: 1 }, { ref: "target", fn: "softmax", dim: 1 }],
    options: { reduction: "batchmean" },
  },
  pointwise("mse", "MSE", "mseLoss", "mse_loss", normal(), { dtypes: F32_F64, tfjs: "mse" }),
  pointwise("l1", "L1", "l1Loss", "l1_loss", normal(), { dtypes: F32_F64, tfjs: "l1" }),
  {
    ...pointwise("bce", "BCE", "binaryCrossEntropy", "binary_cross_entropy", uniform(0, 1),
      { tfjs: "bce" }),
    inputs: [t("input", NC, uniform(0.01, 0.99), { grad: true }), t("target", NC, uniform(0, 1))],
  },
  pointwise("bcelogits", "BCEWithLogits", "binaryCrossEntropyWithLogits",
    "binary_cross_entropy_with_logits", uniform(0, 1), { tfjs: "bcelogits" }),
  pointwise("huber", "Huber", "huberLoss", "huber_loss", normal(), { tfjs: "huber" }),
  pointwise("smoothl1", "SmoothL1", "smoothL1Loss", "smooth_l1_loss", normal(),
    { tfjs: "smoothl1" }),
  pointwise("softmargin", "SoftMargin", "softMarginLoss", "soft_margin_loss", sign(),
    { tfjs: "softmargin" }),
  pointwise("hinge", "HingeEmbedding", "hingeEmbeddingLoss", "hinge_embedding_loss", sign(),
    { tfjs: "hinge" }),
  pointwise("poisson", "PoissonNLL", "poissonNllLoss", "poisson_nll_loss", count(),
    { tfjs: "poisson" }),
  {
    ...pointwise("gaussian", "GaussianNLL", "gaussianNllLoss", "gaussian_nll_loss", normal(),
      { tfjs: "gaussian" }),
    inputs: [t("input", NC, normal(), { grad: true }), t("target", NC, normal()),
      t("var", NC, uniform(0.1, 1.1))],
  },
  {
    id: "marginranking", label: "MarginRanking", js: "marginRankingLoss",
    py: "margin_ranking_loss", family: "pointwise", sizes: POINT_1D, dtypes: F32,
    tfjs: "marginranking",
    inputs: [t("input1", FLAT, normal(), { grad: true }), t("input2", FLAT, normal()),
      t("target", FLAT, sign())],
  },
  {
    id: "mlsm", label: "MultiLabelSoftMargin", js: "multilabelSoftMarginLoss",
    py: "multilabel_soft_margin_loss", family: "rows", sizes: ROWS_1K, dtypes: F32, tfjs: "mlsm",
    inputs: [t("input", NC, normal(), { grad: true }), t("target", NC, bit())],
  },
  {
    id: "mlm", label: "MultiLabelMargin", js: "multilabelMarginLoss",
    py: "multilabel_margin_loss", family: "rows", sizes: ROWS_1K, dtypes: F32, tfjs: "mlm",
    note: "1–4 target classes per row, then −1",
    inputs: [t("input", NC, normal(), { grad: true }),
      t("target", NC, { kind: "mlmTarget", kmax: 4 }, { dtype: "int64" })],
  },
  {
    id: "multimargin", label: "MultiMargin", js: "multiMarginLoss", py: "multi_margin_loss",
    family: "rows", sizes: ROWS_1K, dtypes: F32, tfjs: "multimargin",
    inputs: [t("input", NC, normal(), { grad: true }), t("target", N_, int(0, "C"), { dtype: "int64" })],
  },
  {
    id: "cosine", label: "CosineEmbedding", js: "cosineEmbeddingLoss",
    py: "cosine_embedding_loss", family: "pairs", sizes: PAIRS, dtypes: F32, tfjs: "cosine",
    inputs: [t("input1", ND, normal(), { grad: true }), t("input2", ND, normal()),
      t("target", N_, sign())],
  },
  {
    id: "triplet", label: "TripletMargin", js: "tripletMarginLoss", py: "triplet_margin_loss",
    family: "pairs", sizes: PAIRS, dtypes: F32, tfjs: "triplet",
    inputs: [t("anchor", ND, normal(), { grad: true }), t("positive", ND, normal()),
      t("negative", ND, normal())],
  },
  {
    id: "tripletdist", label: "TripletMarginWithDistance",
    js: "tripletMarginWithDistanceLoss", py: "triplet_margin_with_distance_loss",
    family: "pairs", sizes: PAIRS, dtypes: F32, tfjs: "triplet",
    inputs: [t("anchor", ND, normal(), { grad: true }), t("positive", ND, normal()),
      t("negative", ND, normal())],
  },
  {
    id: "ctc", label: "CTC", js: "ctcLoss", py: "ctc_loss", family: "ctc",
    sizes: { small: { T: 8, N: 3, C: 5, S: 3 }, medium: { T: 50, N: 8, C: 20, S: 10 },
      large: { T: 200, N: 16, C: 30, S: 40 }, quick: { T: 100, N: 8, C: 30, S: 20 } },
    dtypes: F32, tfjs: null, note: "input lengths T, target lengths in [S/2, S], no TF.js CTC",
    inputs: [t("input", (d) => [d.T, d.N, d.C], normal(), { grad: true }),
      t("targets", (d) => [d.N, d.S], { kind: "ctcTargets" }, { dtype: "int64" }),
      t("inputLengths", N_, { kind: "const", value: "T" }, { dtype: "int64" }),
      t("targetLengths", N_, { kind: "ctcLengths" }, { dtype: "int64" })],
    args: [{ ref: "input", fn: "logSoftmax", dim: 2 }, { ref: "targets" },
      { ref: "inputLengths" }, { ref: "targetLengths" }],
  },
];

/** Cases whose large size is the "point-wise 16M" target group. */
export const POINTWISE_IDS = CASES.filter((c) => c.family === "pointwise").map((c) => c.id);

/** Short aliases accepted by `--only`. */
const ALIASES = { crossentropy: "ce", nllloss: "nll", kldiv: "kl", mseloss: "mse", l1loss: "l1",
  bcewithlogits: "bcelogits", smoothl1loss: "smoothl1", ctcloss: "ctc" };
export const resolveId = (s) => ALIASES[s.toLowerCase()] ?? s.toLowerCase();

/** FNV-1a 32-bit of a string: seeds derive from (case id, input name), not from run order. */
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const BYTES = { float32: 4, float64: 8, int64: 8 };
const numel = (shape) => shape.reduce((a, b) => a * b, 1);
function fmtCount(n) {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  return String(n);
}
function dimsText(d) {
  const k = Object.keys(d);
  if (k.length === 1) return fmtCount(d[k[0]]);
  if (k.length === 2) return `${d[k[0]]}×${d[k[1]]}`;
  return k.map((key) => `${key}=${d[key]}`).join(" ");
}

function resolveParam(v, d) {
  return typeof v === "string" ? d[v] : v;
}

/** Concrete, JSON-serialisable variant of a case at one tier and dtype. */
export function variant(c, tier, dtype) {
  const d = c.sizes[tier];
  const inputs = c.inputs.map((inp) => {
    const gen = { ...inp.gen };
    for (const k of ["lo", "hi", "value"]) if (k in gen) gen[k] = resolveParam(gen[k], d);
    if (gen.kind === "ctcTargets") gen.C = d.C;
    if (gen.kind === "ctcLengths") gen.S = d.S;
    const shape = inp.dims(d);
    return { name: inp.name, shape, dtype: inp.dtype === "float" ? dtype : inp.dtype,
      grad: inp.grad, gen, seed: fnv1a(`${c.id}:${inp.name}`) };
  });
  const readBytes = inputs.reduce((s, i) => s + numel(i.shape) * BYTES[i.dtype], 0);
  const gradBytes = inputs.filter((i) => i.grad)
    .reduce((s, i) => s + numel(i.shape) * BYTES[i.dtype], 0);
  // Ceiling pattern: one big stream in + grad out ≈ copy; two or more big inputs ≈ triad.
  const big = Math.max(...inputs.map((i) => numel(i.shape)));
  const bigStreams = inputs.filter((i) => numel(i.shape) * 8 >= big).length;
  return {
    key: `${c.id}/${tier}/${dtype}`, case: c.id, label: c.label, tier, dtype,
    dims: d, dimsText: dimsText(d), js: c.js, py: c.py, tfjs: c.tfjs ?? null, note: c.note ?? null,
    inputs,
    args: c.args ?? inputs.map((i) => ({ ref: i.name })),
    options: c.options ?? {},
    bytes: readBytes + gradBytes, pattern: bigStreams >= 2 ? "triad" : "copy",
    elements: big,
  };
}

/** All variants of the chosen cases, tiers and dtypes, in table order. */
export function variantsOf(cases, tiers) {
  const out = [];
  for (const c of cases) {
    for (const tier of tiers) for (const dt of c.dtypes) out.push(variant(c, tier, dt));
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()) &&
  process.argv.includes("--json")) {
  const tiers = process.argv.includes("--quick") ? ["small", "medium", "quick"] :
    ["small", "medium", "large"];
  console.log(JSON.stringify(variantsOf(CASES, tiers), null, 1));
}
