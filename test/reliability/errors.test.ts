/**
 * Issue #6: the error / warning catalogue of spec §5, every row, against torch 1.13; and the
 * argument errors of the tensor entry points (torch.tensor, the factories, one_hot, ...).
 *
 * test/fixtures/reliability-errors.json (scripts/fixtures/gen_reliability_errors.py) holds one
 * or more cases per §5 row, each triggered in real torch: its error class and exact message,
 * or its result and warnings. Rows that describe a documented deviation (torch 2.x's checks we
 * follow, JS's options object) carry `deviation` and our documented error, with torch 1.13's
 * own outcome kept in `torch113`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { TorchError } from "../../src/errors.js";
import * as F from "../../src/functional.js";
import * as nn from "../../src/nn/index.js";
import * as torch from "../../src/torch.js";
import { loadFixture } from "../helpers/fixtures.js";
import { type LossCase, assertError, runLossCase } from "../losses/helpers.js";

interface CatalogueCase extends LossCase {
  row: string;
  source?: string;
  constructorArgument?: boolean;
}

interface Outcome {
  type?: string;
  message?: string;
  accepted?: boolean;
}

interface EntryCase {
  name: string;
  call: string;
  bad: "None" | "str" | "float" | null;
  torch: Outcome;
}

interface Fixture {
  torch_version: string;
  specRows: string[];
  extraRows: string[];
  catalogue: CatalogueCase[];
  entryPoints: EntryCase[];
}

const fixture = loadFixture<Fixture>("reliability-errors.json");

describe("spec §5 catalogue against torch 1.13", () => {
  assert.equal(fixture.torch_version, "1.13.0a0");
  test("every row of the catalogue has a case", () => {
    const covered = new Set(fixture.catalogue.map((c) => c.row));
    const missing = fixture.specRows.filter((r) => !covered.has(r));
    assert.deepEqual(missing, [], "§5 rows without a case");
    assert.equal(fixture.specRows.length, 56);
  });
  for (const c of fixture.catalogue) {
    const label = c.deviation ? `${c.name} (documented deviation)` : c.name;
    test(label, () => {
      if (c.constructorArgument) {
        const Module = (nn as unknown as Record<string, new (o: unknown) => unknown>)[c.module!];
        let error: unknown;
        try {
          new Module(true);
        } catch (e) {
          error = e;
        }
        assertError(error, c.error!, c.name);
        return;
      }
      runLossCase(c);
    });
  }
});

type Call = (v: unknown) => unknown;

const ones23 = () => torch.ones(2, 3);
/** Each entry point with the bad value in the named argument. */
const ENTRY: Record<string, Call> = {
  "tensor/dtype": (v) => torch.tensor([1], { dtype: v as never }),
  "tensor/requiresGrad": (v) => torch.tensor([1.5], { requiresGrad: v as never }),
  "full/fillValue": (v) => torch.full([2], v as never),
  "arange/end": (v) => torch.arange(v as never),
  "randint/high": (v) => torch.randint(v as never, [2]),
  "randperm/n": (v) => torch.randperm(v as never),
  "requiresGrad_/flag": (v) => torch.ones(2).requiresGrad_(v as never),
  "oneHot/input": (v) => F.oneHot(v as never),
  "oneHot/numClasses": (v) => F.oneHot(torch.tensor([0, 2]), v as never),
  "pairwiseDistance/x1": (v) => F.pairwiseDistance(v as never, ones23()),
  "pairwiseDistance/x2": (v) => F.pairwiseDistance(ones23(), v as never),
  "pairwiseDistance/p": (v) => F.pairwiseDistance(ones23(), ones23(), { p: v as never }),
  "cosineSimilarity/x1": (v) => F.cosineSimilarity(v as never, ones23()),
  "cosineSimilarity/dim": (v) => F.cosineSimilarity(ones23(), ones23(), { dim: v as never }),
  "cosineSimilarity/eps": (v) => F.cosineSimilarity(ones23(), ones23(), { eps: v as never }),
  "softmax/input": (v) => F.softmax(v as never, 1),
  "zeros/negative": () => torch.zeros(-2),
  "randperm/negative": () => torch.randperm(-2),
  "arange/inf": () => torch.arange(Infinity),
  "arange/nan": () => torch.arange(NaN),
  "arange/zero_to_inf": () => torch.arange(0, Infinity),
  "item/many": () => torch.ones(2).item(),
  "manualSeed/nan": () => torch.manualSeed(NaN),
};

const JS_VALUE = { None: null, str: "float32", float: 1.5 };
const JS_KIND = { None: "null", str: "string", float: "float" };
const SENTENCE = /^(\w+)\(\): argument '(\w+)'( \(position \d+\))? must be (.+), not (\w+)$/;

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/** torch's sentence in JS form; a float for a non-int number stays `float`, else `number`. */
function jsText(message: string, bad: keyof typeof JS_VALUE): string {
  const m = SENTENCE.exec(message);
  assert.ok(m, `not a parser sentence: ${message}`);
  const [, fn, arg, position = "", expected] = m;
  const kind = bad === "float" && expected !== "int" ? "number" : JS_KIND[bad];
  return `${fn}(): argument '${camelCase(arg)}'${position} must be ${expected}, not ${kind}`;
}

function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("entry-point argument errors against torch 1.13", () => {
  for (const c of fixture.entryPoints) {
    test(c.name, () => {
      const value = c.bad === null ? undefined : JS_VALUE[c.bad];
      const error = thrown(() => ENTRY[c.call](value));
      if (c.torch.accepted) {
        // torch's dtype=None is the default; JS rejects null where a dtype goes (stricter).
        if (error !== undefined) assert.ok(error instanceof TorchError, String(error));
        return;
      }
      assert.ok(error instanceof TorchError, `${c.name}: expected a TorchError, got ` +
        String(error));
      const message = c.torch.message!;
      if (c.bad === null || !SENTENCE.test(message)) {
        if (c.call === "softmax/input") {
          // torch.softmax lists its overloads; F.softmax fails on the attribute: the sentence.
          assert.match(error.message, /^softmax\(\): argument 'input' \(position 1\) must be /);
          return;
        }
        assertError(error, { type: c.torch.type!, message }, c.name);
        return;
      }
      assert.equal(error.name, "TypeError", c.name);
      const expected = jsText(message, c.bad);
      // A dtype given by name gets a hint naming the torch dtype.
      const hint = c.call === "tensor/dtype" && c.bad === "str" ? " (use torch.float32)" : "";
      assert.equal(error.message, expected + hint, c.name);
    });
  }
});
