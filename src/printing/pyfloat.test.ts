import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { formatFixed, formatSci, pyFloatRepr } from "./pyfloat.js";

type Encoded = number | string;

interface FloatFixture {
  torch_version: string;
  precisions: number[];
  float_repr: { x: Encoded; expected: string }[];
  fmt: { x: Encoded; fixed: string[]; sci: string[] }[];
  fmt_extra: { x: number; p: number; fixed: string; sci: string }[];
}

const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/printing-pyfloat.json", import.meta.url), "utf8"),
) as FloatFixture;

function decode(v: Encoded): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v === "-0") return -0;
  return v as number;
}

/** Compares every pair and reports all mismatches (expected vs got) at once. */
function expectAll(rows: readonly [string, string, string][]): void {
  const bad = rows.filter(([, want, got]) => want !== got);
  const shown = bad.slice(0, 10).map(([what, want, got]) => `${what}: want ${want} got ${got}`);
  assert.equal(bad.length, 0, `${bad.length}/${rows.length} mismatches\n${shown.join("\n")}`);
}

test(`pyFloatRepr matches Python repr (${fixture.float_repr.length} values)`, () => {
  assert.ok(fixture.float_repr.length >= 1000);
  expectAll(fixture.float_repr.map(({ x, expected }) => {
    const v = decode(x);
    return [String(x), expected, pyFloatRepr(v)];
  }));
});

test(`formatFixed matches "{:.pf}" (${fixture.fmt.length} values x precisions)`, () => {
  const rows: [string, string, string][] = [];
  for (const { x, fixed } of fixture.fmt) {
    fixture.precisions.forEach((p, k) => {
      rows.push([`${x} p=${p}`, fixed[k]!, formatFixed(decode(x), p)]);
    });
  }
  expectAll(rows);
});

test(`formatSci matches "{:.pe}" (${fixture.fmt.length} values x precisions)`, () => {
  const rows: [string, string, string][] = [];
  for (const { x, sci } of fixture.fmt) {
    fixture.precisions.forEach((p, k) => {
      rows.push([`${x} p=${p}`, sci[k]!, formatSci(decode(x), p)]);
    });
  }
  expectAll(rows);
});

test("formatFixed / formatSci at large precisions (beyond toFixed's 100)", () => {
  expectAll(fixture.fmt_extra.flatMap(({ x, p, fixed, sci }): [string, string, string][] => [
    [`${x} .${p}f`, fixed, formatFixed(x, p)],
    [`${x} .${p}e`, sci, formatSci(x, p)],
  ]));
});

test("the JS traps: ties to even, signed zero, two-digit exponents, carry", () => {
  assert.equal(formatFixed(0.03125, 4), "0.0312");
  assert.equal(formatFixed(2.5, 0), "2");
  assert.equal(formatFixed(-0, 4), "-0.0000");
  assert.equal(formatFixed(-0, 0), "-0");
  assert.equal(formatSci(123445, 4), "1.2344e+05");
  assert.equal(formatSci(9.99994, 4), "9.9999e+00");
  assert.equal(formatSci(9.99995, 4), "1.0000e+01");
  assert.equal(formatSci(1e-100, 4), "1.0000e-100");
  assert.equal(formatSci(-0, 2), "-0.00e+00");
  assert.equal(formatSci(5, 0), "5e+00");
  assert.equal(formatFixed(1e21, 1), "1000000000000000000000.0");
  assert.equal(pyFloatRepr(1e-5), "1e-05");
  assert.equal(pyFloatRepr(1e16), "1e+16");
  assert.equal(pyFloatRepr(Math.fround(3.9333)), "3.933300018310547");
  assert.throws(() => formatFixed(1, -1), RangeError);
  assert.throws(() => formatSci(1, 1.5), RangeError);
});
