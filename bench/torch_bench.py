#!/usr/bin/python3
"""PyTorch CPU runner for `npm run bench` (started by bench/run.mjs, not meant to be run alone).

    /usr/bin/python3 bench/torch_bench.py --threads 1,2 [--reps 7 --warmS 0.5 --batchS 0.05] < variants.json
    /usr/bin/python3 bench/torch_bench.py --bw --threads 1,2 [--bwN 134217728]

Variants (JSON on stdin) come from bench/cases.mjs. Inputs are generated with the same
counter-based hash as bench/gen.mjs, so torch and torchloss see bit-identical tensors. Timing
follows bench/measure.mjs: a cold call (also used to read the loss value and sum |grad|),
warm-up for >= warmS, then `reps` samples of `inner` calls each. One `@@ {json}` line per event.
"""
import json
import math
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

SQRT3 = 1.7320508075688772
INV24 = 1.0 / 16777216.0
CHUNK = 1 << 23
NP_DTYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64}


def emit(o):
    sys.stdout.write("@@ " + json.dumps(o) + "\n")
    sys.stdout.flush()


def parse_args(argv):
    o = {"reps": 7, "warmS": 0.5, "batchS": 0.05, "threads": "1", "bw": False, "bwN": 1 << 27}
    i = 0
    while i < len(argv):
        k = argv[i].lstrip("-")
        if k == "bw":
            o["bw"] = True
            i += 1
            continue
        v = argv[i + 1]
        o[k] = v if k == "threads" else float(v)
        i += 2
    o["threads"] = [int(t) for t in str(o["threads"]).split(",")]
    o["reps"] = int(o["reps"])
    o["bwN"] = int(o["bwN"])
    return o


# ---- deterministic inputs (mirror of bench/gen.mjs) -------------------------------------------
def seed_key(seed):
    return np.uint32((seed * 0x9E3779B9) & 0xFFFFFFFF)


def hash32(key, start, n):
    """lowbias32 of (counter + key) mod 2^32 for counters start..start+n-1."""
    x = (np.arange(start, start + n, dtype=np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    x += key
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def unit(h):
    return ((h >> np.uint32(8)).astype(np.float64) + 0.5) * INV24


def gen_float_chunk(g, key, start, n):
    kind = g["kind"]
    if kind == "normal":
        h = hash32(key, 2 * start, 2 * n).reshape(n, 2)
        lo16 = (h & np.uint32(0xFFFF)).astype(np.int64)
        hi16 = (h >> np.uint32(16)).astype(np.int64)
        s = (lo16[:, 0] + hi16[:, 0] + lo16[:, 1] + hi16[:, 1]).astype(np.float64)
        z = (s / 65536.0 - 2.0) * SQRT3
        return z * g["scale"] + g["shift"]
    h = hash32(key, start, n)
    if kind == "uniform":
        return g["lo"] + (g["hi"] - g["lo"]) * unit(h)
    if kind == "sign":
        return np.where((h & np.uint32(1)) == 1, 1.0, -1.0)
    if kind == "bit":
        return (h & np.uint32(1)).astype(np.float64)
    if kind == "count":
        return np.floor(6.0 * unit(h))
    raise ValueError("unknown float generator " + kind)


def gen_int(spec, n, key):
    g = spec["gen"]
    kind = g["kind"]
    if kind == "const":
        return np.full(n, g["value"], dtype=np.int64)
    if kind == "mlmTarget":
        N, C = spec["shape"]
        kmax = min(g["kmax"], C)
        step = C // kmax
        cnt = 1 + (hash32(key, 0, N) % np.uint32(kmax)).astype(np.int64)
        base = (hash32(seed_key(spec["seed"] + 1), 0, N) % np.uint32(C)).astype(np.int64)
        out = np.full((N, C), -1, dtype=np.int64)
        for j in range(kmax):
            rows = np.nonzero(cnt > j)[0]
            out[rows, j] = (base[rows] + j * step) % C
        return out.reshape(-1)
    h = hash32(key, 0, n)
    if kind == "int":
        return g["lo"] + (h % np.uint32(g["hi"] - g["lo"])).astype(np.int64)
    if kind == "ctcTargets":
        return 1 + (h % np.uint32(g["C"] - 1)).astype(np.int64)
    if kind == "ctcLengths":
        half = math.ceil(g["S"] / 2)
        return g["S"] - (h % np.uint32(half)).astype(np.int64)
    raise ValueError("unknown int generator " + kind)


def generate(spec):
    n = int(np.prod(spec["shape"]))
    key = seed_key(spec["seed"])
    if spec["dtype"] == "int64":
        a = gen_int(spec, n, key)
    else:
        a = np.empty(n, dtype=NP_DTYPES[spec["dtype"]])
        for start in range(0, n, CHUNK):
            m = min(CHUNK, n - start)
            a[start:start + m] = gen_float_chunk(spec["gen"], key, start, m)
    t = torch.from_numpy(a).reshape(spec["shape"])
    if spec["grad"]:
        t.requires_grad_(True)
    return t


# ---- timing (mirror of bench/measure.mjs) ----------------------------------------------------
def measure(call, opts):
    warm = 0
    w0 = time.perf_counter()
    while True:
        call()
        warm += 1
        if time.perf_counter() - w0 >= opts["warmS"] or warm >= 200000:
            break
    est = (time.perf_counter() - w0) / warm
    inner = max(1, math.ceil(opts["batchS"] / est))
    ts = []
    for _ in range(opts["reps"]):
        t0 = time.perf_counter()
        for _ in range(inner):
            call()
        ts.append((time.perf_counter() - t0) / inner)
    return {"med_s": statistics.median(ts), "min_s": min(ts), "reps": len(ts), "inner": inner,
            "warm": warm, "samples": ts}


def to_snake(k):
    return "".join("_" + c.lower() if c.isupper() else c for c in k)


TRANSFORMS = {"logSoftmax": F.log_softmax, "softmax": F.softmax}


def run_variant(v, opts):
    fn = getattr(F, v["py"], None)
    if fn is None:
        for th in opts["threads"]:
            emit({"event": "result", "key": v["key"], "impl": "torch-%dt" % th,
                  "status": "error", "error": "torch.nn.functional has no " + v["py"]})
        return
    T = {s["name"]: generate(s) for s in v["inputs"]}
    grads = [T[s["name"]] for s in v["inputs"] if s["grad"]]
    kwargs = {to_snake(k): val for k, val in v["options"].items()}

    def args():
        return [TRANSFORMS[a["fn"]](T[a["ref"]], a["dim"]) if "fn" in a else T[a["ref"]]
                for a in v["args"]]

    def call():
        loss = fn(*args(), **kwargs)
        loss.backward()
        for x in grads:
            x.grad = None

    for th in opts["threads"]:
        torch.set_num_threads(th)
        impl = "torch-%dt" % th
        try:
            t0 = time.perf_counter()
            loss = fn(*args(), **kwargs)
            loss.backward()
            cold = time.perf_counter() - t0
            value = loss.item()
            gsum = sum(float(x.grad.double().abs().sum()) for x in grads)
            for x in grads:
                x.grad = None
            r = measure(call, opts)
            emit(dict(event="result", key=v["key"], impl=impl, status="ok",
                      threads=torch.get_num_threads(), cold_s=cold, loss=value, gradAbsSum=gsum, **r))
        except Exception as e:  # noqa: BLE001 - reported, not raised
            emit({"event": "result", "key": v["key"], "impl": impl, "status": "error",
                  "error": str(e).split("\n")[0][:200]})


def bandwidth(opts):
    """copy (1R+1W) and triad-like add (2R+1W) on float32 arrays of bwN elements."""
    n = opts["bwN"]
    a = torch.randn(n)
    b = torch.randn(n)
    c = torch.empty(n)
    c.fill_(0.0)
    nbytes = 4 * n
    for th in opts["threads"]:
        torch.set_num_threads(th)
        for name, f, traffic in [("copy", lambda: c.copy_(a), 2),
                                 ("triad", lambda: torch.add(a, b, alpha=1.5, out=c), 3)]:
            for _ in range(2):
                f()
            ts = []
            for _ in range(max(5, opts["reps"] // 2 + 1)):
                t0 = time.perf_counter()
                f()
                ts.append(time.perf_counter() - t0)
            med = statistics.median(ts)
            emit({"event": "bw", "impl": "torch-%dt" % th, "kind": name, "med_s": med,
                  "gbps": traffic * nbytes / med / 1e9, "bytes": traffic * nbytes})


def main():
    opts = parse_args(sys.argv[1:])
    emit({"event": "hello", "impl": "torch", "version": torch.__version__,
          "default_threads": torch.get_num_threads(), "numpy": np.__version__})
    if opts["bw"]:
        bandwidth(opts)
        return
    variants = json.load(sys.stdin)
    for v in variants:
        emit({"event": "start", "key": v["key"]})
        try:
            run_variant(v, opts)
        except Exception as e:  # noqa: BLE001
            for th in opts["threads"]:
                emit({"event": "result", "key": v["key"], "impl": "torch-%dt" % th,
                      "status": "error", "error": str(e).split("\n")[0][:200]})


if __name__ == "__main__":
    main()
