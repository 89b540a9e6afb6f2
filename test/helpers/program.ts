/**
 * The interpreter for the op programs in test/fixtures/ops.json (see
 * scripts/fixtures/gen_ops.py, which runs the same programs in PyTorch):
 *   {"tensor": i}  {"ref": k}  {"dtype": name}  {"float": "inf"|"-inf"|"nan"}
 *   {"fn", "self", "args", "opts"}   method call, opts as a trailing options object
 *   {"fn", "self", "prop": true}     property read
 *   {"fn", "ns": "torch"|"F", "args", "opts"}   namespace function
 * Plain JSON values (numbers, booleans, null, arrays) are passed as they are.
 */
import * as torch from "../../src/torch.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import type { DTypeName } from "../../src/tensor/dtype.js";
import { decodeFloat, dtypeOf } from "./fixtures.js";

export type Expr =
  | number | boolean | string | null | Expr[]
  | { tensor: number }
  | { ref: number }
  | { dtype: DTypeName }
  | { float: string }
  | Call;

export interface Call {
  fn: string;
  ns?: "torch" | "F";
  self?: Expr;
  prop?: boolean;
  args?: Expr[];
  opts?: Record<string, Expr>;
}

type Callable = (...args: unknown[]) => unknown;

const NAMESPACES: Record<string, Record<string, unknown>> = {
  torch: torch as unknown as Record<string, unknown>,
  F: torch.F as unknown as Record<string, unknown>,
};

interface Env {
  inputs: readonly Tensor[];
  steps: unknown[];
}

function evaluate(e: Expr, env: Env): unknown {
  if (Array.isArray(e)) return e.map((x) => evaluate(x, env));
  if (e === null || typeof e !== "object") return e;
  if ("tensor" in e) return env.inputs[e.tensor];
  if ("ref" in e) return env.steps[e.ref];
  if ("dtype" in e) return dtypeOf(e.dtype);
  if ("float" in e) return decodeFloat(e.float);
  return call(e, env);
}

function argsOf(e: Call, env: Env): unknown[] {
  const args = (e.args ?? []).map((a) => evaluate(a, env));
  if (e.opts && Object.keys(e.opts).length > 0) {
    const opts = Object.fromEntries(Object.entries(e.opts).map(([k, v]) => [k, evaluate(v, env)]));
    args.push(opts);
  }
  return args;
}

function call(e: Call, env: Env): unknown {
  if (e.ns) {
    const fn = NAMESPACES[e.ns][e.fn];
    if (typeof fn !== "function") throw new Error(`no function ${e.ns}.${e.fn}`);
    return (fn as Callable)(...argsOf(e, env));
  }
  const target = evaluate(e.self ?? null, env) as Record<string, unknown>;
  if (e.prop) {
    if (!(e.fn in target)) throw new Error(`no property ${e.fn}`);
    return target[e.fn];
  }
  const method = target[e.fn];
  if (typeof method !== "function") throw new Error(`no method ${e.fn}`);
  return (method as Callable).apply(target, argsOf(e, env));
}

/** Runs the program on `inputs`; returns the value of its last step. */
export function runProgram(program: readonly Expr[], inputs: readonly Tensor[]): unknown {
  const env: Env = { inputs, steps: [] };
  for (const e of program) env.steps.push(evaluate(e, env));
  return env.steps[env.steps.length - 1];
}
