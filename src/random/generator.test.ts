/// <reference types="node" />
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { RuntimeError, ValueError } from "../errors.js";
import { normal_, uniform_ } from "./distributions.js";
import {
  DEFAULT_SEED, Generator, OverflowError, defaultGenerator, initialSeed, manualSeed,
} from "./generator.js";

interface GeneratorFixture {
  generator: { seed: string; initialSeed: string; rand: number[] }[];
  defaultGenerator: { initialSeed: string; rand: number[]; randn: number[] };
  rawUint32: { seed: string; values: number[] }[];
}

const fixture = JSON.parse(readFileSync(new URL("../../test/fixtures/random.json",
  import.meta.url), "utf8")) as GeneratorFixture;

function rand(gen: Generator, n: number): number[] {
  const out = new Float32Array(n);
  uniform_(out, 0, 1, gen);
  return [...out];
}

test("MT19937 matches the reference outputs for seed 5489", () => {
  const gen = new Generator(5489);
  const first = [0, 1, 2, 3, 4].map(() => gen.nextUint32());
  assert.deepEqual(first, [3499211612, 581869302, 3890346734, 3586334585, 545404204]);
  for (let i = 5; i < 9999; i++) gen.nextUint32();
  assert.equal(gen.nextUint32(), 4123659995); // the 10000th output, as in the C++ standard
});

test("raw 32-bit stream matches numpy's MT19937 (cross-checked against torch)", (t) => {
  let count = 0;
  for (const { seed, values } of fixture.rawUint32) {
    const gen = new Generator(BigInt(seed));
    for (const v of values) {
      assert.equal(gen.nextUint32(), v);
      count++;
    }
  }
  t.diagnostic(`${count} raw outputs compared`);
});

test("nextUint64 draws the high word first", () => {
  const a = new Generator(11);
  const b = new Generator(11);
  const hi = BigInt(b.nextUint32());
  const lo = BigInt(b.nextUint32());
  assert.equal(a.nextUint64(), (hi << 32n) | lo);
});

test("seeding follows torch.manual_seed, incl. negative and 64-bit seeds", () => {
  for (const c of fixture.generator) {
    const gen = new Generator(BigInt(c.seed));
    assert.equal(gen.initialSeed(), BigInt(c.initialSeed), c.seed);
    assert.deepEqual(rand(gen, 3), c.rand, c.seed);
  }
  assert.deepEqual(rand(new Generator(5), 4), rand(new Generator(2 ** 32 + 5), 4));
  assert.deepEqual(rand(new Generator(-1), 4), rand(new Generator(2 ** 32 - 1), 4));
  assert.equal(new Generator(-1).initialSeed(), 2n ** 64n - 1n);
  assert.equal(new Generator(-(2n ** 63n)).initialSeed(), 2n ** 63n);
});

test("a fresh Generator() is torch.Generator()", () => {
  const d = fixture.defaultGenerator;
  const gen = new Generator();
  assert.equal(gen.initialSeed(), BigInt(d.initialSeed));
  assert.equal(DEFAULT_SEED, 67280421310721n);
  assert.deepEqual(rand(gen, 5), d.rand);
  const randn = new Float64Array(5);
  normal_(randn, 0, 1, gen);
  assert.deepEqual([...randn], d.randn);
});

test("out-of-range and non-integer seeds throw torch's errors", () => {
  const overflow = (err: unknown): boolean =>
    err instanceof RuntimeError && err.message === "Overflow when unpacking long";
  assert.throws(() => new Generator(2n ** 64n), overflow);
  assert.throws(() => new Generator(-(2n ** 63n) - 1n), overflow);
  assert.throws(() => new Generator(2 ** 64), overflow);
  assert.throws(() => new Generator(1.5), (err: unknown) => err instanceof RuntimeError &&
    err.message === "manual_seed expected a long, but got float");
  assert.throws(() => manualSeed(NaN), ValueError);
  assert.throws(() => manualSeed(-Infinity), OverflowError);
});

test("manualSeed seeds the default generator (torch.manual_seed truncates floats)", () => {
  assert.equal(manualSeed(1.9), defaultGenerator);
  assert.equal(initialSeed(), 1n);
  assert.deepEqual(rand(defaultGenerator, 3), rand(new Generator(1), 3));
  manualSeed(-2);
  assert.equal(initialSeed(), 2n ** 64n - 2n);
});

test("manualSeed clears the cached double normal", () => {
  const gen = new Generator(0);
  const first = new Float64Array(1);
  normal_(first, 0, 1, gen);
  assert.notEqual(gen.nextDoubleNormal, null);
  gen.manualSeed(0);
  assert.equal(gen.nextDoubleNormal, null);
  const again = new Float64Array(1);
  normal_(again, 0, 1, gen);
  assert.deepEqual(again, first);
});
