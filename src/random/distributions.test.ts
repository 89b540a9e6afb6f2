/// <reference types="node" />
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { RuntimeError, resetWarnings, setWarningHandler } from "../errors.js";
import { type FloatStorage, type Storage, allocStorage, float32, float64, int64, bool } from
  "../tensor/dtype.js";
import {
  bernoulliScalar_, bernoulliTensor_, normal_, randomDefault_, random_, randperm_, uniform_,
} from "./distributions.js";
import { Generator } from "./generator.js";

// Fixtures: scripts/fixtures/gen_random.py, from torch 1.13 on this machine (AVX2). Every value
// must match bit for bit (Object.is for floats, === for int64/bool); no tolerance anywhere.

type Arg = number | string | null;
type Value = number | string;

interface Call {
  fn: string;
  dtype: "float32" | "float64" | "int64" | "bool";
  n: number;
  args: Arg[];
  values: Value[];
}

interface Case extends Call {
  seed: string;
}

interface Sequence {
  seed: string;
  steps: Call[];
}

interface ErrorCase {
  fn: string;
  dtype: Call["dtype"] | null;
  args: Arg[];
  message: string;
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url),
    "utf8")) as T;
}

const main = load<{ torch: string; sequences: Sequence[]; errors: ErrorCase[] }>("random.json");
const floatCases = load<{ cases: Case[] }>("random-float.json").cases;
const intCases = load<{ cases: Case[] }>("random-int.json").cases;

const DTYPES = { float32, float64, int64, bool };

function num(a: Arg): number {
  if (a === "nan") return NaN;
  if (a === "inf") return Infinity;
  if (a === "-inf") return -Infinity;
  return Number(a);
}

function int(a: Arg): number | bigint {
  return typeof a === "string" ? BigInt(a) : (a as number);
}

function run(call: Omit<Call, "values">, gen: Generator): Storage {
  const data = allocStorage(DTYPES[call.dtype], call.n);
  const f = data as FloatStorage;
  const a = call.args;
  switch (call.fn) {
    case "rand": uniform_(f, 0, 1, gen); break;
    case "randn": normal_(f, 0, 1, gen); break;
    case "uniform": uniform_(f, num(a[0]!), num(a[1]!), gen); break;
    case "normal": normal_(f, num(a[0]!), num(a[1]!), gen); break;
    case "bernoulli": bernoulliScalar_(data, num(a[0]!), gen); break;
    case "randint": random_(data, int(a[0]!), int(a[1]!), gen); break;
    case "random":
      if (a.length === 1) random_(data, 0, int(a[0]!), gen);
      else random_(data, int(a[0]!), a[1] === null ? null : int(a[1]!), gen);
      break;
    case "randomDefault": randomDefault_(data, gen); break;
    case "randperm": randperm_(data, gen); break;
    default: throw new Error(`unknown fixture fn ${call.fn}`);
  }
  return data;
}

function same(got: number | bigint, want: Value, dtype: Call["dtype"]): boolean {
  if (dtype === "int64") return got === BigInt(want);
  return Object.is(got, typeof want === "string" ? num(want) : want);
}

class Tally {
  readonly counts = new Map<string, { cases: number; values: number; bad: number }>();
  readonly failures: string[] = [];

  check(label: string, call: Call, data: Storage): void {
    const entry = this.counts.get(label) ?? { cases: 0, values: 0, bad: 0 };
    this.counts.set(label, entry);
    entry.cases++;
    assert.equal(data.length, call.values.length);
    for (let i = 0; i < data.length; i++) {
      entry.values++;
      if (same(data[i]!, call.values[i]!, call.dtype)) continue;
      entry.bad++;
      if (this.failures.length < 10) {
        this.failures.push(`${label} n=${call.n} args=${JSON.stringify(call.args)} [${i}]: ` +
          `got ${String(data[i])}, torch ${String(call.values[i])}`);
      }
    }
  }

  report(diagnostic: (msg: string) => void): void {
    let values = 0;
    let cases = 0;
    for (const [label, e] of [...this.counts].sort()) {
      diagnostic(`${label}: ${e.cases} cases, ${e.values - e.bad}/${e.values} values exact`);
      values += e.values;
      cases += e.cases;
    }
    diagnostic(`total: ${cases} cases, ${values} values compared`);
    assert.deepEqual(this.failures, []);
  }
}

function label(call: Call): string {
  const path = call.fn === "randn" || call.fn === "normal"
    ? (call.n < 16 ? " n<16" : " n>=16") : "";
  return `${call.fn} ${call.dtype}${path}`;
}

function quietly<T>(body: () => T): T {
  const previous = setWarningHandler(() => undefined);
  try {
    return body();
  } finally {
    setWarningHandler(previous);
  }
}

test(`single calls match torch ${main.torch} bit for bit`, (t) => {
  const tally = new Tally();
  quietly(() => {
    for (const c of [...floatCases, ...intCases]) {
      tally.check(label(c), c, run(c, new Generator(BigInt(c.seed))));
    }
  });
  tally.report((m) => t.diagnostic(m));
});

test("call sequences share one stream and the normal cache", (t) => {
  const tally = new Tally();
  quietly(() => {
    for (const seq of main.sequences) {
      const gen = new Generator(BigInt(seq.seed));
      for (const step of seq.steps) tally.check(`sequence ${label(step)}`, step, run(step, gen));
    }
  });
  tally.report((m) => t.diagnostic(m));
});

test("validation errors carry torch's messages", () => {
  let count = 0;
  for (const e of main.errors) {
    if (e.fn === "manualSeed") {
      assert.throws(() => new Generator(BigInt(e.args[0] as string)),
        (err: unknown) => err instanceof RuntimeError && err.message === e.message);
    } else {
      const call = { fn: e.fn, dtype: e.dtype!, n: 3, args: e.args };
      assert.throws(() => quietly(() => run(call, new Generator(0))),
        (err: unknown) => err instanceof RuntimeError && err.message === e.message,
        `${e.fn}(${JSON.stringify(e.args)}) on ${e.dtype}: want ${e.message}`);
    }
    count++;
  }
  assert.ok(count >= 25);
});

test("float random_ warns like torch outside +-2^digits", () => {
  resetWarnings();
  const seen: string[] = [];
  const previous = setWarningHandler((m) => seen.push(m));
  try {
    random_(new Float32Array(2), 0, 2 ** 32, new Generator(0));
    random_(new Float64Array(2), -(2n ** 60n), 0, new Generator(0));
  } finally {
    setWarningHandler(previous);
  }
  assert.deepEqual(seen, [
    "to - 1 is out of bounds [-(2^24), 2^24]. Due to precision limitations float can support " +
    "discrete uniform distribution only within this range. This warning will become an error " +
    "in version 1.7 release, please fix the code in advance",
    "from is out of bounds [-(2^53), 2^53]. Due to precision limitations double can support " +
    "discrete uniform distribution only within this range. This warning will become an error " +
    "in version 1.7 release, please fix the code in advance",
  ]);
});

test("draw counts match torch's kernels", () => {
  const used = (fill: (g: Generator) => void): number => {
    const g = new Generator(7);
    fill(g);
    const probe = g.nextUint32();
    const ref = new Generator(7);
    for (let k = 0; k < 100000; k++) if (ref.nextUint32() === probe) return k;
    return -1;
  };
  assert.equal(used((g) => normal_(new Float32Array(33), 0, 1, g)), 33 + 16);
  assert.equal(used((g) => normal_(new Float64Array(32), 0, 1, g)), 64);
  assert.equal(used((g) => normal_(new Float64Array(3), 0, 1, g)), 8);
  assert.equal(used((g) => randperm_(new BigInt64Array(10), g)), 9);
  assert.equal(used((g) => random_(new BigInt64Array(5), 0, 2 ** 32, g)), 10);
  assert.equal(used((g) => random_(new Uint8Array(5), 0, 2, g)), 5);
  assert.equal(used((g) => bernoulliScalar_(new Float32Array(4), 0.5, g)), 8);
});

test("bernoulliTensor_ draws in p's dtype", () => {
  const p32 = new Float32Array([0.1, 0.5, 0.9, 1, 0]);
  const out = new Float32Array(5);
  bernoulliTensor_(out, p32, new Generator(3));
  const g = new Generator(3);
  assert.deepEqual([...out], [...p32].map((p) => (g.uniformFloat32() < p ? 1 : 0)));
  const p64 = new Float64Array([0.25, 0.75]);
  const outInt = new BigInt64Array(2);
  bernoulliTensor_(outInt, p64, new Generator(3));
  const h = new Generator(3);
  assert.deepEqual([...outInt], [...p64].map((p) => (h.uniformFloat64() < p ? 1n : 0n)));
});
