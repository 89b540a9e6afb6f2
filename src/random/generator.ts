/**
 * PyTorch 1.13's CPU generator (`at::CPUGeneratorImpl`): a 32-bit MT19937 engine seeded from the
 * low 32 bits of a uint64 seed, plus the cached second Box-Muller sample of the double normal.
 */
import { RuntimeError, TorchError, TorchTypeError, ValueError } from "../errors.js";

/** The seed of a fresh `torch.Generator()`. */
export const DEFAULT_SEED = 67280421310721n;

/** Python's `OverflowError`, raised by `int(float("inf"))` inside `torch.manual_seed`. */
export class OverflowError extends TorchError {
  override name = "OverflowError";
}

const N = 624;
const M = 397;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const MATRIX_A = 0x9908b0df;
const TWO_POW_64 = 1n << 64n;
const TWO_POW_63 = 1n << 63n;

export class Generator {
  private readonly state = new Uint32Array(N);
  private left = 1;
  private next = 0;
  private seed = 0n;
  /**
   * The sin half of the last double Box-Muller pair, waiting for the next small normal request
   * (`next_double_normal_sample`). Internal to the distributions; cleared by `manualSeed`.
   */
  nextDoubleNormal: number | null = null;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /**
   * `Generator.manual_seed(seed)`: -2^63 <= seed < 2^64, negative seeds wrap to uint64; only the
   * low 32 bits reach the engine, so seeds 5 and 2^32 + 5 give the same stream.
   */
  manualSeed(seed: number | bigint): this {
    if (typeof seed === "number" && !Number.isInteger(seed)) {
      throw new RuntimeError("manual_seed expected a long, but got float");
    }
    const s = BigInt(seed);
    if (s < -TWO_POW_63 || s >= TWO_POW_64) {
      throw new RuntimeError("Overflow when unpacking long");
    }
    this.seed = BigInt.asUintN(64, s);
    this.seedEngine(Number(this.seed & 0xffffffffn));
    this.nextDoubleNormal = null;
    return this;
  }

  /** `Generator.initial_seed()`: the last seed, as the uint64 torch stores. */
  initialSeed(): bigint {
    return this.seed;
  }

  /** One 32-bit draw (`random()`). */
  nextUint32(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.next++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** One 64-bit draw (`random64()`): the first 32-bit draw is the high word. */
  nextUint64(): bigint {
    const hi = this.nextUint32();
    const lo = this.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `uniform_real_distribution<float>(0, 1)`: 24 random bits, an exact float32 in [0, 1). */
  uniformFloat32(): number {
    return (this.nextUint32() & 0xffffff) * 2 ** -24;
  }

  /** `uniform_real_distribution<double>(0, 1)`: the low 53 bits of `random64()`, in [0, 1). */
  uniformFloat64(): number {
    const hi = this.nextUint32() & 0x1fffff;
    const lo = this.nextUint32();
    return (hi * 4294967296 + lo) * 2 ** -53;
  }

  private seedEngine(low32: number): void {
    const s = this.state;
    s[0] = low32;
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1] as number;
      s[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
  }

  private twist(): void {
    const s = this.state;
    for (let k = 0; k < N; k++) {
      const following = s[(k + 1) % N] as number;
      const y = ((s[k] as number) & UPPER_MASK) | (following & LOWER_MASK);
      s[k] = (s[(k + M) % N] as number) ^ (y >>> 1) ^ ((following & 1) !== 0 ? MATRIX_A : 0);
    }
    this.left = N;
    this.next = 0;
  }
}

/**
 * The global CPU generator used when no generator is passed. Unlike torch (whose default
 * generator starts from a nondeterministic seed), it starts from the fixed seed 67280421310721 of
 * `torch.Generator()`, so runs are reproducible even without `manualSeed`.
 */
export const defaultGenerator: Generator = new Generator(DEFAULT_SEED);

/**
 * `torch.manual_seed(seed)`: seeds the default generator and returns it. Like torch, which calls
 * `int(seed)` first, a fractional number is truncated.
 */
export function manualSeed(seed: number | bigint): Generator {
  if (typeof seed !== "number" && typeof seed !== "bigint") {
    const kind = seed === null ? "null" : Array.isArray(seed) ? "Array" : typeof seed;
    throw new TorchTypeError("manual_seed(): argument 'seed' (position 1) must be int, not " +
      kind);
  }
  if (typeof seed === "number") {
    if (Number.isNaN(seed)) throw new ValueError("cannot convert float NaN to integer");
    if (!Number.isFinite(seed)) {
      throw new OverflowError("cannot convert float infinity to integer");
    }
    seed = Math.trunc(seed);
  }
  return defaultGenerator.manualSeed(seed);
}

/** `torch.initial_seed()`: the default generator's seed. */
export function initialSeed(): bigint {
  return defaultGenerator.initialSeed();
}
