/* global process, console, setTimeout, clearTimeout */
// `npm run bench` — torchloss vs PyTorch 1.13 (CPU, /usr/bin/python3) vs TF.js (cpu, wasm), side
// by side, forward + backward, for every case in bench/cases.mjs. Not part of `npm test`.
//
//   npm run bench                      full run (small, medium, large sizes; ≥ 7 samples each)
//   npm run bench -- --quick           smoke run: 3 samples, small size + the large sizes cut to 1/16
//   npm run bench -- --only ce,mse     only these cases (ids from bench/cases.mjs)
// More flags: --impl torchloss,torch,tfjs-cpu,tfjs-wasm  --tiers small,medium,large
//   --torch-threads 1,2  --lib-threads 1,2 (torchloss' setNumThreads per column)  --reps N
//   --timeout SECONDS (per variant)  --no-bw  --from dist
//   --out DIR (default bench/results)
//
// Each implementation runs in child processes (bench/run_torchloss.mjs, bench/torch_bench.py,
// bench/run_tfjs.mjs; tfjs-wasm one process per variant), so a crash, an out-of-memory abort or a
// timeout is reported in the table instead of ending the run. Writes latest.json and latest.md.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { CASES, POINTWISE_IDS, resolveId, variantsOf } from "./cases.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const PYTHON = process.env.TORCHLOSS_BENCH_PYTHON ?? "/usr/bin/python3"; // override: testing only
const ALL_IMPLS = ["torchloss", "torch", "tfjs-cpu", "tfjs-wasm"];

// ---- options -------------------------------------------------------------------------------
function parseArgs(argv) {
  const o = { quick: false, only: null, impl: ALL_IMPLS, tiers: null, torchThreads: [1, 2],
    libThreads: [1, 2],
    reps: null, timeout: null, bw: true, from: "src", out: path.join(HERE, "results") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--only") o.only = next().split(",").map(resolveId);
    else if (a === "--impl") o.impl = next().split(",");
    else if (a === "--tiers") o.tiers = next().split(",");
    else if (a === "--torch-threads") o.torchThreads = next().split(",").map(Number);
    else if (a === "--lib-threads") o.libThreads = next().split(",").map(Number);
    else if (a === "--reps") o.reps = Number(next());
    else if (a === "--timeout") o.timeout = Number(next());
    else if (a === "--no-bw") o.bw = false;
    else if (a === "--from") o.from = next();
    else if (a === "--out") o.out = path.resolve(next());
    else if (a === "--help" || a === "-h") {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\nimport")[0]);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  o.partial = Boolean(o.only || o.tiers || o.impl !== ALL_IMPLS);
  o.tiers ??= o.quick ? ["small", "quick"] : ["small", "medium", "large"];
  o.reps ??= o.quick ? 3 : 7;
  o.timeout ??= o.quick ? 300 : 1500;
  o.runner = o.quick ? { reps: o.reps, warmS: 0.2, batchS: 0.02, slowS: 3 } :
    { reps: o.reps, warmS: 0.5, batchS: 0.05, slowS: 10 };
  const unknown = (o.only ?? []).filter((id) => !CASES.some((c) => c.id === id));
  if (unknown.length) {
    throw new Error(`unknown case id(s) ${unknown.join(", ")}; ids: ${CASES.map((c) => c.id).join(",")}`);
  }
  return o;
}

const runnerArgs = (r) => Object.entries(r).flatMap(([k, v]) => [`--${k}`, String(v)]);

// ---- formatting ----------------------------------------------------------------------------
function fmtTime(s) {
  if (!Number.isFinite(s)) return "—";
  if (s < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (s < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}
const fmtRatio = (r) => (Number.isFinite(r) ? `${r < 10 ? r.toFixed(2) : r.toFixed(0)}×` : "—");
const log = (...a) => process.stderr.write(`${a.join(" ")}\n`);

// ---- child processes -----------------------------------------------------------------------
const OOM_RE = /out of memory|MemoryError|Cannot allocate|ENOMEM|allocation failed|heap limit|Aborted\(|OOM|Cannot enlarge/i;

/**
 * Runs `cmd args` with `variants` on stdin until every variant has a result: when the child dies
 * or a variant exceeds `timeoutS`, the variant in flight is reported as OOM/timeout/crashed and a
 * new child carries on with the rest. `impls` are the result names one variant produces.
 */
async function runChild({ cmd, args, variants, impls, timeoutS, onEvent }) {
  const results = new Map(); // key → impl → result
  const events = [];
  let remaining = variants;
  do {
    const r = await spawnOnce(cmd, args, remaining, timeoutS, (ev) => {
      events.push(ev);
      if (ev.event === "result") {
        if (!results.has(ev.key)) results.set(ev.key, {});
        results.get(ev.key)[ev.impl] = ev;
      }
      onEvent?.(ev);
    });
    if (r.ok) break;
    const inflight = r.current;
    const why = r.timedOut ? "timeout" : OOM_RE.test(r.stderr) || r.signal === "SIGKILL" ? "OOM" :
      `crashed (${r.signal ?? `exit ${r.code}`})`;
    const detail = errorDetail(r.stderr);
    if (inflight === null) {
      // died before starting any variant: report every remaining one
      for (const v of remaining) {
        for (const impl of impls) {
          const ev = { event: "result", key: v.key, impl, status: why, error: detail };
          if (!results.has(v.key)) results.set(v.key, {});
          results.get(v.key)[impl] ??= ev;
          onEvent?.(ev);
        }
      }
      break;
    }
    for (const impl of impls) {
      if (!results.has(inflight)) results.set(inflight, {});
      if (!results.get(inflight)[impl]) {
        const ev = { event: "result", key: inflight, impl, status: why, error: detail,
          limit_s: r.timedOut ? timeoutS : undefined };
        results.get(inflight)[impl] = ev;
        onEvent?.(ev);
      }
    }
    const idx = remaining.findIndex((v) => v.key === inflight);
    remaining = remaining.slice(idx + 1);
  } while (remaining.length > 0);
  return { results, events };
}

/** The most telling line of a dead child's stderr. */
function errorDetail(stderr) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const hit = [...lines].reverse().find((l) => /Error|error:|Abort|Killed|memory|OOM/.test(l));
  return (hit ?? lines.at(-1) ?? "no output").slice(0, 300);
}

function spawnOnce(cmd, args, variants, timeoutS, onEvent) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let current = null, timedOut = false, timer = null, stderr = "";
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, timeoutS * 1000);
    };
    arm();
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(variants));
    child.stderr.on("data", (d) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (!line.startsWith("@@ ")) return;
      let ev;
      try {
        ev = JSON.parse(line.slice(3));
      } catch {
        return;
      }
      if (ev.event === "start") {
        current = ev.key;
        arm();
      }
      onEvent(ev);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ok = !timedOut && code === 0;
      resolve({ ok, code, signal, timedOut, current, stderr });
    });
  });
}

// ---- environment ---------------------------------------------------------------------------
function machineInfo() {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.+)/);
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  const pkg = (name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"),
        "utf8")).version;
    } catch {
      return null;
    }
  };
  return { cpu, cores: os.cpus().length, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version, platform: `${os.platform()} ${os.release()}`,
    tfjs: pkg("@tensorflow/tfjs-core"), loadavgStart: os.loadavg().map((x) => +x.toFixed(2)) };
}

function probeTorch() {
  if (!fs.existsSync(PYTHON)) return { ok: false, why: `skipped (${PYTHON} not found)` };
  const r = spawnSync(PYTHON, ["-c",
    "import torch, numpy; print(torch.__version__, torch.get_num_threads())"], { encoding: "utf8" });
  if (r.status !== 0) {
    return { ok: false, why: /numpy/i.test(r.stderr) && !/torch/i.test(r.stderr) ?
      "skipped (numpy not installed)" : "skipped (torch not installed)" };
  }
  const [version, threads] = r.stdout.trim().split(/\s+/);
  return { ok: true, version, defaultThreads: Number(threads) };
}

// ---- derived numbers, checks, table --------------------------------------------------------
const TOL = { float32: { rtol: 2e-5, atol: 1e-6 }, float64: { rtol: 1e-10, atol: 1e-12 } };
const TFJS_TOL = { rtol: 1e-3, atol: 1e-5 };
const close = (a, b, { rtol, atol }) => Math.abs(a - b) <= atol + rtol * Math.abs(b);
const okRes = (r) => r && r.status === "ok";

/** The torchloss result at `t` threads (impl `torchloss-<t>t`). */
const lib = (res, t) => res[`torchloss-${t}t`];

/**
 * Ratios pair each torchloss column with PyTorch at the same thread count (×torch 1t =
 * torchloss 1t ÷ torch 1t); `ratioWorst` is the larger, which the targets use. GB/s and % BW are
 * per torchloss column.
 */
function derive(v, res, ceilings, libThreads, torchThreads) {
  const torchRef = torchThreads.map((t) => res[`torch-${t}t`]).find(okRes);
  const d = { ratio: {}, gbps: {}, pctBW: {}, tfjsOverTorchloss: {}, warnings: [] };
  for (const t of libThreads) {
    const tl = lib(res, t);
    if (!okRes(tl)) continue;
    const tr = res[`torch-${t}t`];
    if (okRes(tr)) d.ratio[`${t}t`] = tl.med_s / tr.med_s;
    d.gbps[`${t}t`] = v.bytes / tl.med_s / 1e9;
    const ceil = ceilings[v.pattern];
    if (ceil) d.pctBW[`${t}t`] = 100 * d.gbps[`${t}t`] / ceil.gbps;
    if (okRes(torchRef)) {
      checkAgainstTorch(d, `${t}t`, tl, torchRef, v.dtype);
      d.checked = true;
    }
  }
  const ratios = Object.values(d.ratio);
  d.ratioWorst = ratios.length ? Math.max(...ratios) : null;
  // TF.js runs on one thread: compared with torchloss' fewest-thread column.
  const tl = libThreads.map((t) => lib(res, t)).find(okRes);
  for (const b of ["tfjs-cpu", "tfjs-wasm"]) {
    const r = res[b];
    if (okRes(r) && tl) d.tfjsOverTorchloss[b] = r.med_s / tl.med_s;
    if (okRes(r) && okRes(torchRef) && !close(r.loss, torchRef.loss, TFJS_TOL)) {
      const rel = Math.abs(r.loss - torchRef.loss) / Math.abs(torchRef.loss);
      d.warnings.push(`${b} loss off by ${rel.toExponential(1)} (${r.loss.toPrecision(6)} vs torch ` +
        `${torchRef.loss.toPrecision(6)})`);
    }
  }
  return d;
}

function checkAgainstTorch(d, col, tl, torchRef, dtype) {
  if (!close(tl.loss, torchRef.loss, TOL[dtype])) {
    d.warnings.push(`${col} loss ${tl.loss.toPrecision(8)} vs torch ${torchRef.loss.toPrecision(8)}`);
  }
  const gtol = { rtol: dtype === "float64" ? 1e-9 : 1e-4, atol: 1e-6 };
  if (!close(tl.gradAbsSum, torchRef.gradAbsSum, gtol)) {
    d.warnings.push(`${col} Σ|grad| ${tl.gradAbsSum.toPrecision(6)} vs torch ` +
      `${torchRef.gradAbsSum.toPrecision(6)}`);
  }
}

/** "a / b" over the torchloss columns, or "—". */
function perLib(libThreads, values, fmt) {
  const cells = libThreads.map((t) => (values[`${t}t`] === undefined ? "—" : fmt(values[`${t}t`])));
  return cells.every((c) => c === "—") ? "—" : cells.join(" / ");
}

function cell(r, reps, torchWhy) {
  if (!r) return torchWhy ?? "—";
  if (r.status === "ok") {
    const few = r.reps < reps ? ` (${r.reps} run${r.reps > 1 ? "s" : ""}${r.fewer ? ", no warm-up" : ""})` : "";
    return fmtTime(r.med_s) + few;
  }
  if (r.status === "timeout") return `timeout (>${r.limit_s ?? "?"} s)`;
  if (r.status === "error") return "error¹";
  return r.status;
}

/** The timed call of a variant, as torchloss code. */
function timedExpr(v) {
  const args = v.args.map((a) => (a.fn ? `F.${a.fn}(${a.ref}, ${a.dim})` : a.ref));
  const opts = Object.keys(v.options).length ?
    `, { ${Object.entries(v.options).map(([k, x]) => `${k}: ${JSON.stringify(x)}`).join(", ")} }` : "";
  return `F.${v.js}(${args.join(", ")}${opts})`;
}

function buildMarkdown(run) {
  const { machine, config, rows, ceilings, summary, torch } = run;
  const L = [];
  const tt = config.torchThreads;
  const lt = config.libThreads;
  const kind = config.quick ? "quick run (--quick: 3 samples, small + large sizes cut to 1/16)" :
    config.partial ? "partial run (--only/--tiers/--impl)" : "full run";
  L.push(`# torchloss benchmark — ${kind}`);
  L.push("");
  L.push(`${run.date} · ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB · Node ` +
    `${machine.node} · PyTorch ${torch.version ?? torch.why} (default ${torch.defaultThreads ?? "?"} ` +
    `thread(s)) · TF.js ${machine.tfjs ?? "not installed"} · torchloss from ${config.from}/ at ` +
    `${lt.join(" and ")} thread(s) · wall time ${(run.wallSeconds / 60).toFixed(1)} min · load ` +
    `average (1 min) ${machine.load1Range.join("–")} during the run on ${machine.cores} cores`);
  L.push("");
  L.push("Forward + backward per call (x.requiresGrad → loss → backward → grad cleared), median of " +
    `${config.reps} samples after warm-up unless a cell says otherwise. ×torch nt = torchloss nt ` +
    "time ÷ PyTorch nt time, the same thread count on both sides (< 1: torchloss faster). GB/s = " +
    "compulsory traffic (every input read once + dL/dx written once) ÷ torchloss time, and % BW = " +
    "that ÷ the ceiling for its access pattern (copy for one big input, triad for two or more), " +
    `each for torchloss at ${lt.map((t) => `${t}t`).join(" / ")}. TF.js cells: time (its multiple ` +
    `of torchloss ${lt[0]}t's time).`);
  L.push("");
  L.push("Bandwidth ceilings measured in this run, before and after the cases (best of the two; " +
    "float32 arrays, pre-touched):");
  L.push("");
  L.push("| source | copy (1R+1W) | triad (2R+1W) |");
  L.push("|---|---|---|");
  const bySrc = {};
  for (const b of run.bandwidth) {
    const k = (bySrc[b.impl] ??= {});
    if (!k[b.kind] || b.gbps > k[b.kind].gbps) k[b.kind] = b;
  }
  for (const [src, k] of Object.entries(bySrc)) {
    L.push(`| ${src} | ${k.copy ? `${k.copy.gbps.toFixed(1)} GB/s` : "—"} | ` +
      `${k.triad ? `${k.triad.gbps.toFixed(1)} GB/s` : "—"} |`);
  }
  L.push(`| **ceiling used** | ${ceilings.copy ? `**${ceilings.copy.gbps.toFixed(1)}** (${ceilings.copy.impl})` : "—"} | ` +
    `${ceilings.triad ? `**${ceilings.triad.gbps.toFixed(1)}** (${ceilings.triad.impl})` : "—"} |`);
  L.push("");
  const ratioCols = lt.filter((t) => tt.includes(t));
  const perCols = lt.map((t) => `${t}t`).join("/");
  const head = ["loss", "size", "dtype", ...lt.map((t) => `torchloss ${t}t`),
    ...tt.map((t) => `torch ${t}t`), ...ratioCols.map((t) => `×torch ${t}t`), `GB/s ${perCols}`,
    `% BW ${perCols}`, "tfjs-cpu", "tfjs-wasm", "check"];
  L.push(`| ${head.join(" | ")} |`);
  L.push(`|${head.map(() => "---").join("|")}|`);
  const errors = [];
  for (const row of rows) {
    const { v, res, d } = row;
    const tfCell = (b) => {
      const r = res[b];
      if (!r) return "—";
      const c = cell(r, config.reps);
      return d.tfjsOverTorchloss[b] ? `${c} (${fmtRatio(d.tfjsOverTorchloss[b])})` : c;
    };
    for (const [impl, r] of Object.entries(res)) {
      if (r && r.status !== "ok" && r.error) errors.push(`${v.key} ${impl}: ${r.status}: ${r.error}`);
    }
    const check = d.warnings.length ? `⚠ ${d.warnings.join("; ")}` : d.checked ? "ok" : "—";
    L.push(`| ${[v.label, v.dimsText, v.dtype.replace("float", "f"),
      ...lt.map((t) => cell(lib(res, t), config.reps)),
      ...tt.map((t) => cell(res[`torch-${t}t`], config.reps, torch.ok ? null : torch.why)),
      ...ratioCols.map((t) => fmtRatio(d.ratio[`${t}t`])),
      perLib(lt, d.gbps, (x) => x.toFixed(2)),
      perLib(lt, d.pctBW, (x) => `${x.toFixed(1)}%`),
      tfCell("tfjs-cpu"), tfCell("tfjs-wasm"), check].join(" | ")} |`);
  }
  L.push("");
  L.push("## Targets");
  L.push("");
  for (const s of summary) L.push(`- **${s.met === null ? "not measured" : s.met ? "target met" : "target not met"}** — ${s.target}: ${s.detail}`);
  L.push("");
  L.push("## Notes");
  L.push("");
  L.push(`- PyTorch runs through ${PYTHON} with torch.set_num_threads(n) per column; torchloss ` +
    "with setNumThreads(n) per column (one runner process per thread count, each reporting its " +
    `getNumThreads(): ${JSON.stringify(run.libThreadsReported)}). A target holds when it holds at ` +
    "every thread count measured on both sides (the worse ratio counts).");
  L.push("- TF.js: tfjs-cpu and tfjs-wasm (SIMD, 1 thread: its threaded build cannot start workers " +
    "in Node) run float32 only; `n/a` = no float64 in TF.js, or no CTC loss. A TF.js case whose " +
    `first call took > ${config.runner.slowS} s is timed 1–3 times without warm-up (said in the ` +
    "cell). A ⚠ naming tfjs-… compares TF.js' own loss value with PyTorch's (it sums in float32).");
  L.push("- Inputs are generated by the same counter-based hash in JS and NumPy, bit-identical for " +
    "all implementations; check = torchloss' loss (float32: rtol 2e-5) and Σ|dL/dx| (rtol 1e-4) " +
    "against PyTorch's, and the TF.js loss against PyTorch's (rtol 1e-3).");
  L.push("- Load: other processes share this machine (a load average above ~1 means torchloss, " +
    "PyTorch or TF.js shared a core with them, and PyTorch's 2-thread column suffers most); " +
    "latest.json keeps every sample, the min, and the 1-minute load average after each case.");
  L.push("- What each case times (plus `backward()` and clearing the grad); `input`/first tensor " +
    "requires grad:");
  const seen = new Set();
  for (const { v } of rows) {
    if (seen.has(v.case)) continue;
    seen.add(v.case);
    const sizes = rows.filter((r) => r.v.case === v.case && r.v.dtype === "float32")
      .map((r) => r.v.dimsText).join(", ");
    L.push(`  - ${v.label}: \`${timedExpr(v)}\` — ${sizes}${v.note ? `; ${v.note}` : ""}`);
  }
  if (errors.length) {
    L.push("- ¹ Errors and failures:");
    for (const e of errors) L.push(`  - ${e}`);
  }
  return `${L.join("\n")}\n`;
}

/** "325 ms = 0.31× PyTorch 1t; 170 ms = 0.26× PyTorch 2t" over the matched thread counts. */
function matchedText(r) {
  return Object.entries(r.d.ratio).map(([k, y]) =>
    `${fmtTime(r.res[`torchloss-${k}`].med_s)} = ${y.toFixed(3)}× PyTorch ${k}`).join("; ");
}

function libStatus(r) {
  const s = Object.entries(r.res).filter(([k]) => k.startsWith("torchloss-"))
    .map(([k, x]) => `${k}: ${x.status}`);
  return s.length ? s.join(", ") : "torchloss not run";
}

const shortList = (a, n = 12) => (a.length > n ?
  `${a.slice(0, n).join(", ")} … and ${a.length - n} more (see the table)` : a.join(", "));

function summarize(rows, quick) {
  const large = quick ? "quick" : "large";
  const sizeNote = quick ? " (quick run: reduced sizes, not the target sizes)" : "";
  const find = (id, tier, dt = "float32") => rows.find((r) => r.v.case === id && r.v.tier === tier &&
    r.v.dtype === dt);
  const out = [];
  const one = (id, limit, what) => {
    const r = find(id, large);
    if (!r) return out.push({ target: what, met: null, detail: "not in this run" });
    const x = r.d.ratioWorst;
    if (x === null) return out.push({ target: what, met: null, detail: `no matched torchloss/PyTorch times (${libStatus(r)})` });
    out.push({ target: what, met: x <= limit, detail: `${matchedText(r)}${sizeNote}` });
  };
  one("ce", 0.25, `CE ${CASES[0].sizes[large].N}×${CASES[0].sizes[large].C} float32 ≤ 0.25× PyTorch`);
  one("kl", 0.25, `KL ${CASES[0].sizes[large].N}×${CASES[0].sizes[large].C} float32 ≤ 0.25× PyTorch`);
  const group = (ids, limit, what, dtypes = ["float32"]) => {
    const meas = [], fail = [], missing = [];
    for (const id of ids) {
      for (const dt of dtypes) {
        const r = find(id, large, dt);
        if (!r) continue;
        const name = dt === "float32" ? id : `${id} f64`;
        const x = r.d.ratioWorst;
        if (x === null) {
          missing.push(`${name} (${libStatus(r)})`);
          continue;
        }
        meas.push(name);
        if (x > limit) fail.push(`${name} ${x.toFixed(2)}×`);
      }
    }
    if (!meas.length) return out.push({ target: what, met: null, detail: `nothing measured; ${missing.join(", ") || "not in this run"}` });
    out.push({ target: what, met: fail.length === 0,
      detail: `${meas.length - fail.length}/${meas.length} measured pass` +
        (fail.length ? `; over: ${shortList(fail)}` : "") +
        (missing.length ? `; not measured: ${missing.join(", ")}` : "") + sizeNote });
  };
  group(POINTWISE_IDS, 0.5, "point-wise losses at 16M elements ≤ 0.5× PyTorch");
  group(CASES.map((c) => c.id), 1.0, "every loss faster than PyTorch at its large size (≤ 1×; " +
    "float32, and float64 where the case has it)", ["float32", "float64"]);
  const small = find("ce", "small");
  if (small && small.d.ratioWorst !== null) {
    out.push({ target: "CE 3×5 per-call time ≤ PyTorch's", met: small.d.ratioWorst <= 1,
      detail: matchedText(small) });
  } else out.push({ target: "CE 3×5 per-call time ≤ PyTorch's", met: null, detail: "not measured" });
  const tf = [], tfFail = [];
  for (const r of rows) {
    for (const [b, x] of Object.entries(r.d.tfjsOverTorchloss)) {
      tf.push(x);
      if (x < 10) tfFail.push(`${r.v.case} ${r.v.dimsText} ${b} ${x.toFixed(1)}×`);
    }
  }
  out.push({ target: "TF.js ≥ 10× slower than torchloss wherever it runs", met: tf.length ? tfFail.length === 0 : null,
    detail: tf.length ? `${tf.length - tfFail.length}/${tf.length} TF.js timings ≥ 10×` +
      (tfFail.length ? `; under 10×: ${shortList(tfFail)}` : "") : "no TF.js timings" });
  return out;
}

// ---- main ----------------------------------------------------------------------------------
async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const machine = machineInfo();
  const torch = o.impl.includes("torch") ? probeTorch() : { ok: false, why: "not run (--impl)" };
  const cases = CASES.filter((c) => !o.only || o.only.includes(c.id));
  log(`torchloss bench: ${cases.length} case(s), tiers ${o.tiers.join(",")}, impls ${o.impl.join(",")}` +
    `, PyTorch ${torch.ok ? torch.version : torch.why}`);
  const node = process.execPath;
  const tlCmd = (t) => [node, ["--import", "tsx", "--expose-gc", path.join(HERE, "run_torchloss.mjs"),
    ...runnerArgs(o.runner), "--from", o.from, "--threads", String(t)]];
  const pyArgs = [path.join(HERE, "torch_bench.py"), "--threads", o.torchThreads.join(","),
    ...runnerArgs(o.runner)];
  const tfCmd = (b) => [node, [path.join(HERE, "run_tfjs.mjs"), "--backend", b, ...runnerArgs(o.runner)]];
  const torchImpls = o.torchThreads.map((t) => `torch-${t}t`);
  const libThreadsReported = {};

  // 1. bandwidth ceilings: measured before and after the cases; the best of each counts, since
  //    other processes on the machine can only lower a measurement.
  const bandwidth = [];
  const measureBandwidth = async (phase) => {
    if (!o.bw) return;
    log(`bandwidth ceilings (${phase}) …`);
    const n = o.quick ? 1 << 25 : 1 << 27;
    const got = [];
    const collect = (ev) => { if (ev.event === "bw") got.push({ ...ev, phase }); };
    await runChild({ cmd: node, args: [path.join(HERE, "run_bw.mjs"), "--n", String(n), "--reps", String(o.reps)],
      variants: [], impls: [], timeoutS: 300, onEvent: collect });
    if (torch.ok) {
      await runChild({ cmd: PYTHON, args: [path.join(HERE, "torch_bench.py"), "--bw", "--threads",
        o.torchThreads.join(","), "--bwN", String(n), "--reps", String(o.reps)],
      variants: [], impls: [], timeoutS: 300, onEvent: collect });
    }
    for (const b of got) log(`  ${b.impl} ${b.kind}: ${b.gbps.toFixed(1)} GB/s`);
    bandwidth.push(...got);
  };
  await measureBandwidth("start");

  // 2. cases: per case, every implementation back to back (so they see similar machine noise)
  const rows = [];
  const loads = [];
  const total = variantsOf(cases, o.tiers).length;
  let done = 0;
  const progress = () => (ev) => {
    if (ev.event === "hello" && ev.impl.startsWith("torchloss")) libThreadsReported[ev.impl] = ev.threads;
    if (ev.event !== "result") return;
    const s = ev.status === "ok" ? `${fmtTime(ev.med_s)}  (${ev.reps}×${ev.inner})` :
      `${ev.status}${ev.error ? `: ${ev.error.slice(0, 120)}` : ""}`;
    log(`    ${ev.key.padEnd(28)} ${ev.impl.padEnd(12)} ${s}`);
  };
  for (const c of cases) {
    const vs = variantsOf([c], o.tiers);
    loads.push(os.loadavg()[0]);
    log(`[${done + 1}–${done + vs.length}/${total}] ${c.label}`);
    const res = Object.fromEntries(vs.map((v) => [v.key, {}]));
    const merge = (r) => {
      for (const [k, m] of r.results) Object.assign(res[k], m);
    };
    for (const t of o.impl.includes("torchloss") ? o.libThreads : []) {
      const [cmd, args] = tlCmd(t);
      merge(await runChild({ cmd, args, variants: vs, impls: [`torchloss-${t}t`],
        timeoutS: o.timeout, onEvent: progress() }));
    }
    if (o.impl.includes("torch") && torch.ok) {
      merge(await runChild({ cmd: PYTHON, args: pyArgs, variants: vs, impls: torchImpls,
        timeoutS: o.timeout, onEvent: progress() }));
    }
    const tfVs = vs.filter((v) => v.tfjs && v.dtype === "float32");
    for (const v of vs) {
      if (tfVs.includes(v)) continue;
      for (const b of ["tfjs-cpu", "tfjs-wasm"]) if (o.impl.includes(b)) res[v.key][b] = { status: "n/a" };
    }
    if (o.impl.includes("tfjs-cpu") && tfVs.length) {
      const [cmd, args] = tfCmd("cpu");
      merge(await runChild({ cmd, args, variants: tfVs, impls: ["tfjs-cpu"], timeoutS: o.timeout,
        onEvent: progress() }));
    }
    if (o.impl.includes("tfjs-wasm")) {
      for (const v of tfVs) {
        const [cmd, args] = tfCmd("wasm");
        merge(await runChild({ cmd, args, variants: [v], impls: ["tfjs-wasm"], timeoutS: o.timeout,
          onEvent: progress() }));
      }
    }
    const load = os.loadavg()[0];
    for (const v of vs) rows.push({ v, res: res[v.key], load1: +load.toFixed(2) });
    done += vs.length;
  }
  await measureBandwidth("end");
  const ceilings = {};
  for (const b of bandwidth) if (!ceilings[b.kind] || b.gbps > ceilings[b.kind].gbps) ceilings[b.kind] = b;
  for (const row of rows) row.d = derive(row.v, row.res, ceilings, o.libThreads, o.torchThreads);
  machine.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
  loads.push(os.loadavg()[0]);
  machine.load1Range = [Math.min(...loads), Math.max(...loads)].map((x) => +x.toFixed(2));

  const summary = summarize(rows, o.quick);
  const run = {
    schema: 2, date: new Date().toISOString(), wallSeconds: (Date.now() - t0) / 1000,
    machine, torch, libThreadsReported,
    config: { quick: o.quick, tiers: o.tiers, reps: o.reps, torchThreads: o.torchThreads,
      libThreads: o.libThreads,
      impls: o.impl, only: o.only, timeoutS: o.timeout, from: o.from, runner: o.runner,
      partial: o.partial },
    bandwidth, ceilings, summary,
    rows: rows.map(({ v, res, d, load1 }) => ({ key: v.key, case: v.case, label: v.label,
      tier: v.tier, dims: v.dims, dtype: v.dtype, bytes: v.bytes, pattern: v.pattern,
      timed: timedExpr(v), load1AtCaseEnd: load1, derived: d,
      results: Object.fromEntries(Object.entries(res).map(([impl, r]) => {
        const { event: _e, key: _k, impl: _i, ...rest } = r;
        return [impl, rest];
      })) })),
  };
  const md = buildMarkdown({ ...run, rows });
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, "latest.json"), `${JSON.stringify(run, null, 1)}\n`);
  fs.writeFileSync(path.join(o.out, "latest.md"), md);
  process.stdout.write(md);
  log(`wrote ${path.relative(ROOT, path.join(o.out, "latest.json"))} and latest.md ` +
    `(${(run.wallSeconds / 60).toFixed(1)} min)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
