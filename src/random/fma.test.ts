/// <reference types="node" />
import { test } from "node:test";
import assert from "node:assert/strict";

import { formatCppDouble } from "./cpp-format.js";
import { fma32, fma64 } from "./fma.js";
import { Generator } from "./generator.js";
import { int64ToFloat32 } from "./integers.js";

// Oracle: exact rational arithmetic with BigInt. Every double is an integer multiple of 2^-1074,
// so a*b + c is an integer multiple of 2^-2148; a result is correct when no neighbouring value
// of the target format is closer to the exact value (ties: the even one).

const SCALE = 2148;
const view = new DataView(new ArrayBuffer(8));

function scaled(x: number): bigint {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  if (biased !== 0) m |= 1n << 52n;
  const v = m << BigInt(Math.max(biased, 1) - 1075 + SCALE);
  return bits >> 63n ? -v : v;
}

function stepDouble(x: number, up: boolean): number {
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, bits + ((x > 0 || Object.is(x, 0)) === up ? 1n : -1n));
  return view.getFloat64(0);
}

function stepFloat(x: number, up: boolean): number {
  view.setFloat32(0, x);
  const bits = view.getInt32(0);
  view.setInt32(0, bits + ((x > 0 || Object.is(x, 0)) === up ? 1 : -1));
  return view.getFloat32(0);
}

function isEven(x: number, f32: boolean): boolean {
  if (f32) {
    view.setFloat32(0, x);
    return (view.getInt32(0) & 1) === 0;
  }
  view.setFloat64(0, x);
  return (view.getBigInt64(0) & 1n) === 0n;
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Whether y is the round-to-nearest-even value of the exact `exact` (scaled by 2^SCALE). */
function correctlyRounded(y: number, exact: bigint, f32: boolean): boolean {
  // RN overflows to infinity from DBL_MAX + half an ulp (2^1024 - 2^970) on.
  const overflows = !f32 && abs(exact) >= (2n ** 1024n - 2n ** 970n) << BigInt(SCALE);
  if (!Number.isFinite(y)) return overflows && y > 0 === exact > 0n;
  if (overflows) return false;
  const step = f32 ? stepFloat : stepDouble;
  const d = abs(exact - scaled(y));
  for (const n of [step(y, true), step(y, false)]) {
    if (!Number.isFinite(n)) continue;
    const dn = abs(exact - scaled(n));
    if (dn < d || (dn === d && !isEven(y, f32))) return false;
  }
  return true;
}

function exactFma(a: number, b: number, c: number): bigint {
  return (scaled(a) * scaled(b)) / (1n << BigInt(SCALE)) + scaled(c);
}

function randomDouble(g: Generator, minExp: number, maxExp: number): number {
  const sign = g.nextUint32() & 1 ? -1 : 1;
  const e = minExp + (g.nextUint32() % (maxExp - minExp + 1));
  return sign * (1 + g.uniformFloat64()) * 2 ** e;
}

test("fma64 is correctly rounded (vs exact BigInt arithmetic)", (t) => {
  const g = new Generator(2024);
  let count = 0;
  const check = (a: number, b: number, c: number): void => {
    const y = fma64(a, b, c);
    assert.ok(correctlyRounded(y, exactFma(a, b, c), false), `fma64(${a}, ${b}, ${c}) = ${y}`);
    count++;
  };
  for (let i = 0; i < 3000; i++) {
    const a = randomDouble(g, -10, 10);
    const b = randomDouble(g, -10, 10);
    check(a, b, randomDouble(g, -12, 12));
    check(a, b, -(a * b) * (1 + g.uniformFloat64() * 2 ** -40)); // heavy cancellation
    check(a, b, -(a * b)); // the result is the product's rounding error
    check(g.uniformFloat64(), b, a); // the uniform_ shape
  }
  for (let i = 0; i < 1000; i++) { // the exact fallback: huge, tiny and subnormal ranges
    check(randomDouble(g, 990, 1010), randomDouble(g, -20, 5), randomDouble(g, 950, 1020));
    check(randomDouble(g, -600, -500), randomDouble(g, -560, -450), randomDouble(g, -1074, -1000));
    check(g.uniformFloat64(), randomDouble(g, -1074, -1060), randomDouble(g, -1074, -1070));
    check(randomDouble(g, 500, 520), randomDouble(g, 500, 505), -(2 ** 1023) * 1.9);
  }
  assert.ok(Object.is(fma64(-0, 1, 0), 0) && Object.is(fma64(-0, 1, -0), -0));
  assert.ok(Object.is(fma64(-(2 ** -600), 2 ** -600, 0), -0));
  assert.equal(fma64(Infinity, 2, 1), Infinity);
  assert.ok(Number.isNaN(fma64(Infinity, 2, -Infinity)));
  t.diagnostic(`${count} fma64 results checked`);
});

test("fma32 is correctly rounded (vs exact BigInt arithmetic)", (t) => {
  const g = new Generator(7);
  const fr = Math.fround;
  let count = 0;
  const check = (a: number, b: number, c: number): void => {
    const y = fma32(a, b, c);
    assert.ok(correctlyRounded(y, exactFma(a, b, c), true), `fma32(${a}, ${b}, ${c}) = ${y}`);
    count++;
  };
  for (let i = 0; i < 4000; i++) {
    const a = fr(randomDouble(g, -8, 8));
    const b = fr(randomDouble(g, -8, 8));
    check(a, b, fr(randomDouble(g, -10, 10)));
    check(a, b, -fr(a * b));
    check(a, b, fr(-fr(a * b) * (1 + g.uniformFloat32() * 2 ** -12)));
    check(g.uniformFloat32(), a, b);
    const tiny = fr(randomDouble(g, -149, -140)); // subnormal float32 results
    check(fr(randomDouble(g, -140, -120)), fr(randomDouble(g, -20, 0)), tiny);
  }
  t.diagnostic(`${count} fma32 results checked`);
});

test("int64ToFloat32 rounds once, like static_cast<float>(int64_t)", () => {
  const g = new Generator(99);
  for (let i = 0; i < 3000; i++) {
    const v = BigInt.asIntN(64, g.nextUint64() >> BigInt(g.nextUint32() % 40));
    const y = int64ToFloat32(v);
    assert.ok(correctlyRounded(y, v << BigInt(SCALE), true), `${v} -> ${y}`);
  }
  // 2^53 + 2^29 + 1 is just above a float32 tie; Math.fround(Number(v)) would round it down.
  const v = 2n ** 53n + 2n ** 29n + 1n;
  assert.equal(int64ToFloat32(v), 2 ** 53 + 2 ** 30);
  assert.equal(int64ToFloat32(-(2n ** 63n)), -(2 ** 63));
});

test("formatCppDouble prints like printf %g", () => {
  const cases: [number, string][] = [
    [1, "1"], [0.3, "0.3"], [1e-7, "1e-07"], [123456789, "1.23457e+08"],
    [1.23456789, "1.23457"], [12345.25, "12345.2"], [12345.75, "12345.8"], [1e20, "1e+20"],
    [3e38, "3e+38"], [0.0001, "0.0001"], [0.00001234, "1.234e-05"], [100000, "100000"],
    [1000000, "1e+06"], [999999.5, "1e+06"], [-0.5, "-0.5"], [1e308, "1e+308"],
    [5e-324, "4.94066e-324"], [2.5e-5, "2.5e-05"], [-1.0000001, "-1"],
    [0.1234565, "0.123456"], [1234565, "1.23456e+06"], [1234575, "1.23458e+06"],
    [NaN, "nan"], [Infinity, "inf"], [-Infinity, "-inf"], [0, "0"], [-0, "-0"],
  ];
  for (const [x, want] of cases) assert.equal(formatCppDouble(x), want, String(x));
});
