import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { DType, allocStorage, type DTypeName } from "../tensor/dtype.js";
import { tensorRepr, type Printable, type ReprSuffix } from "./format.js";
import {
  DEFAULT_PRINT_OPTIONS,
  getPrintoptions,
  setPrintoptions,
  type PrintOptions,
  type SetPrintOptions,
} from "./options.js";

type Encoded = number | string | boolean;

interface PyOptions {
  precision: number;
  threshold: number | "inf";
  edgeitems: number;
  linewidth: number;
  sci_mode: boolean | null;
}

interface PySetOptions {
  precision?: number;
  threshold?: number;
  edgeitems?: number;
  linewidth?: number;
  sci_mode?: boolean | null;
  profile?: "default" | "short" | "full";
}

interface ReprCase {
  group: string;
  dtype: string;
  shape: number[];
  data: Encoded[];
  requires_grad: boolean;
  grad_fn: string | null;
  parameter: boolean;
  set_options: PySetOptions | null;
  options: PyOptions | null;
  expected: string;
  note?: string;
}

interface ReprFixture {
  torch_version: string;
  cases: ReprCase[];
}

const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/printing.json", import.meta.url), "utf8"),
) as ReprFixture;

const DTYPES: Record<string, DType | undefined> = {
  float32: DType.float32,
  float64: DType.float64,
  int64: DType.int64,
  bool: DType.bool,
};

function decodeFloat(v: Encoded): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v === "-0") return -0;
  assert.equal(typeof v, "number");
  return v as number;
}

function printable(c: ReprCase): Printable {
  const dtype = DTYPES[c.dtype]!;
  const data = allocStorage(dtype, c.data.length);
  c.data.forEach((v, i) => {
    if (data instanceof BigInt64Array) data[i] = BigInt(v as string);
    else if (data instanceof Uint8Array) data[i] = v ? 1 : 0;
    else data[i] = decodeFloat(v);
  });
  return { data, shape: c.shape, dtype };
}

function suffixOf(c: ReprCase): ReprSuffix {
  return { requiresGrad: c.requires_grad, gradFnName: c.grad_fn, parameter: c.parameter };
}

function toOptions(o: PyOptions): PrintOptions {
  const { precision, edgeitems, linewidth } = o;
  const threshold = o.threshold === "inf" ? Infinity : o.threshold;
  return { precision, threshold, edgeitems, linewidth, sciMode: o.sci_mode };
}

function toSetOptions(o: PySetOptions): SetPrintOptions {
  const { sci_mode, ...rest } = o;
  return sci_mode === undefined ? rest : { ...rest, sciMode: sci_mode };
}

function describe(c: ReprCase, index: number, got: string): string {
  const what = c.note ?? `${c.dtype}[${c.shape.join(", ")}]`;
  const opts = c.set_options ? ` options=${JSON.stringify(c.set_options)}` : "";
  return `#${index} ${c.group} ${what}${opts}\n--- expected\n${c.expected}\n--- got\n${got}`;
}

/** Runs `render` on every supported case of a group and reports all mismatches at once. */
function checkCases(cases: readonly ReprCase[], render: (c: ReprCase) => string): number {
  const failures: string[] = [];
  let checked = 0;
  for (const c of cases) {
    if (DTYPES[c.dtype] === undefined) continue;
    checked += 1;
    let got: string;
    try {
      got = render(c);
    } catch (err) {
      got = `threw ${String(err)}`;
    }
    if (got !== c.expected) failures.push(describe(c, fixture.cases.indexOf(c), got));
  }
  assert.equal(failures.length, 0,
    `${failures.length}/${checked} mismatches:\n${failures.slice(0, 5).join("\n\n")}`);
  return checked;
}

const groups = [...new Set(fixture.cases.map((c) => c.group))];

test(`fixture comes from torch 1.13 and is large`, () => {
  assert.match(fixture.torch_version, /^1\.13/);
  assert.ok(fixture.cases.length >= 600);
});

for (const group of groups) {
  const cases = fixture.cases.filter((c) => c.group === group);
  test(`repr matches torch: ${group} (${cases.length} cases)`, () => {
    const checked = checkCases(cases, (c) => {
      const opts = c.options === null ? DEFAULT_PRINT_OPTIONS : toOptions(c.options);
      return tensorRepr(printable(c), suffixOf(c), opts);
    });
    // Only section C holds dtypes torchloss does not store (int32, float16).
    if (group !== "section-C") assert.equal(checked, cases.length);
  });
}

test("global print options: replaying torch.set_printoptions gives the same repr", () => {
  const cases = fixture.cases.filter((c) => c.set_options !== null);
  assert.ok(cases.length > 100);
  try {
    checkCases(cases, (c) => {
      setPrintoptions({ profile: "default" });
      setPrintoptions(toSetOptions(c.set_options!));
      assert.deepEqual(getPrintoptions(), toOptions(c.options!));
      return tensorRepr(printable(c), suffixOf(c));
    });
  } finally {
    setPrintoptions({ profile: "default" });
  }
});

test("default options are used when none are given", () => {
  setPrintoptions({ profile: "default" });
  const cases = fixture.cases.filter((c) => c.options === null && c.group !== "section-C");
  checkCases(cases.slice(0, 200), (c) => tensorRepr(printable(c), suffixOf(c)));
});

test("a parameter shows requires_grad=True unless told otherwise", () => {
  const t: Printable = { data: new Float32Array([1, 1]), shape: [2], dtype: DType.float32 };
  assert.equal(tensorRepr(t, { parameter: true }),
    "Parameter containing:\ntensor([1., 1.], requires_grad=True)");
  assert.equal(tensorRepr(t, { parameter: true, requiresGrad: false }),
    "Parameter containing:\ntensor([1., 1.])");
  assert.equal(tensorRepr(t, { requiresGrad: true, gradFnName: "MulBackward0" }),
    "tensor([1., 1.], grad_fn=<MulBackward0>)");
});

test("int64 beyond 2^53 prints exactly", () => {
  const data = new BigInt64Array([2n ** 62n + 1n, -(2n ** 63n)]);
  const t: Printable = { data, shape: [2], dtype: DType.int64 };
  assert.equal(tensorRepr(t), "tensor([ 4611686018427387905, -9223372036854775808])");
});

test("summarising an N-D tensor with edgeitems=0 fails like torch.stack([])", () => {
  const t: Printable = { data: new Float32Array(20), shape: [4, 5], dtype: DType.float32 };
  const opts = { ...DEFAULT_PRINT_OPTIONS, edgeitems: 0, threshold: 5 };
  assert.throws(() => tensorRepr(t, {}, opts), /stack expects a non-empty TensorList/);
});

test("every dtype name in the fixture is known", () => {
  const names = new Set<string>(fixture.cases.map((c) => c.dtype));
  const ours: DTypeName[] = ["float32", "float64", "int64", "bool"];
  for (const n of ours) assert.ok(names.has(n), n);
});
