/// <reference types="node" />
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { glibcCos, glibcLog, glibcSin } from "./libm.js";

// test/fixtures/libm.json is written by scripts/fixtures/gen_libm.py from this machine's glibc
// (ctypes -> libm.so.6). Every value must match bit for bit (Object.is: also the sign of zero).

type Encoded = number | string;

interface Table {
  x: Encoded[];
  log?: Encoded[];
  sin?: Encoded[];
  cos?: Encoded[];
}

interface LibmFixture {
  glibc: string;
  machine: string;
  log_domain: Table;
  log_other: Table;
  sincos_domain: Table;
  sincos_other: Table;
}

const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/libm.json", import.meta.url), "utf8"),
) as LibmFixture;

function decode(v: Encoded): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v === "-0") return -0;
  return v as number;
}

/** Runs fn over the table's inputs; reports every mismatch (up to 20 shown) at once. */
function check(table: Table, column: "log" | "sin" | "cos", fn: (x: number) => number): number {
  const expected = table[column];
  assert.ok(expected !== undefined && expected.length === table.x.length);
  const bad: string[] = [];
  for (let i = 0; i < table.x.length; i++) {
    const x = decode(table.x[i] as Encoded);
    const want = decode(expected[i] as Encoded);
    const got = fn(x);
    if (!Object.is(got, want)) bad.push(`${column}(${x}) = ${got}, glibc ${want}`);
  }
  assert.equal(bad.length, 0, `${bad.length} mismatches:\n${bad.slice(0, 20).join("\n")}`);
  return table.x.length;
}

test(`log bit-exact on torch's domain (fixture from ${fixture.glibc} ${fixture.machine})`, (t) => {
  const n = check(fixture.log_domain, "log", glibcLog);
  t.diagnostic(`log: ${n} in-domain inputs bit-exact`);
});

test("sin and cos bit-exact on torch's domain [0, 2pi)", (t) => {
  const ns = check(fixture.sincos_domain, "sin", glibcSin);
  const nc = check(fixture.sincos_domain, "cos", glibcCos);
  t.diagnostic(`sin: ${ns}, cos: ${nc} in-domain inputs bit-exact`);
});

test("log, sin and cos bit-exact on arbitrary doubles and special values", (t) => {
  const nl = check(fixture.log_other, "log", glibcLog);
  const ns = check(fixture.sincos_other, "sin", glibcSin);
  const nc = check(fixture.sincos_other, "cos", glibcCos);
  t.diagnostic(`other inputs: log ${nl}, sin ${ns}, cos ${nc} bit-exact`);
});

test("IEEE special cases", () => {
  assert.ok(Object.is(glibcLog(1), 0));
  assert.equal(glibcLog(0), -Infinity);
  assert.equal(glibcLog(-0), -Infinity);
  assert.ok(Number.isNaN(glibcLog(-1)));
  assert.equal(glibcLog(Infinity), Infinity);
  assert.ok(Object.is(glibcSin(-0), -0));
  assert.equal(glibcCos(-0), 1);
  assert.ok(Number.isNaN(glibcSin(Infinity)) && Number.isNaN(glibcCos(NaN)));
});
