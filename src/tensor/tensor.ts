/**
 * The Tensor: contiguous typed-array storage, a shape, a dtype, and autograd state.
 * Methods are thin: each delegates to the op of the same name in `src/ops`.
 */
import { backward as runBackward, type BackwardOptions } from "../autograd/engine.js";
import type { Node } from "../autograd/node.js";
import { dropGradient, observeGradient } from "../autograd/recycling.js";
import { RuntimeError, TorchTypeError, ValueError, check } from "../errors.js";
import { tensorRepr } from "../printing/format.js";
import { argumentError, isPlainObject, kindName } from "./argument-kinds.js";
import { withIntegerHint } from "./integer-hint.js";
import * as binary from "../ops/binary.js";
import { toDtype } from "../ops/cast.js";
import * as indexing from "../ops/indexing.js";
import * as reduce from "../ops/reduce.js";
import type { DimArg, ReduceOptions } from "../ops/reduce.js";
import * as shapeOps from "../ops/shape.js";
import * as softmaxOps from "../ops/softmax.js";
import * as unary from "../ops/unary.js";
import * as random from "./random.js";
import { type DType, type Storage, bool, dtypeOfStorage, float32, float64, int64 } from "./dtype.js";
import { numelOf } from "./shape.js";
import { collectingInto } from "./allocation-scope.js";

/** A tensor or a JS number (PyTorch's "wrapped number" scalar operand). */
export type TensorOrScalar = Tensor | number | boolean;

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  #grad: Tensor | null = null;
  private leafRequiresGrad = false;
  private node: Node | null = null;
  /**
   * The strides PyTorch's tensor would have, where they are not the contiguous ones (after
   * permute, transpose, expand). Storage here is always contiguous; these strides only keep
   * `view` errors, `isContiguous` and `grad_fn` names as PyTorch shows them.
   */
  torchStrides: readonly number[] | null = null;

  /** The storage, or null while a deferred result is not computed yet (see {@link deferred}). */
  #storage: Storage | null;
  #compute: (() => Storage) | null = null;

  /** Wraps `data` (not copied) as a tensor of `shape`; `data.length` must equal its numel. */
  constructor(data: Storage, shape: readonly number[]);
  /** @internal */
  constructor(data: Storage | DeferredStorage, shape: readonly number[]);
  constructor(data: Storage | DeferredStorage, shape: readonly number[]) {
    // another tensor's shape (already frozen) is shared rather than copied
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    if (data instanceof DeferredStorage) {
      this.dtype = data.dtype;
      this.#storage = null;
      this.#compute = data.compute;
      return;
    }
    this.dtype = dtypeOfStorage(data);
    this.#storage = data;
    if (data.length !== numelOf(shape)) {
      throw new RuntimeError(`internal: storage of ${data.length} elements for shape [${shape}]`);
    }
  }

  /**
   * @internal A result whose values `compute` produces when something first reads them: a
   * fused consumer (klDiv over logSoftmax/softmax) may use its sources directly instead. The
   * sources must be read through {@link sourceCell}s so that later writes cannot reach it.
   */
  static deferred(shape: readonly number[], dtype: DType, compute: () => Storage): Tensor {
    return new Tensor(new DeferredStorage(dtype, compute), shape);
  }

  /**
   * The elements, row-major, in a typed array of the dtype (float32 → Float32Array, int64 →
   * BigInt64Array, bool → Uint8Array). Writing to it changes the tensor; autograd does not see
   * such writes (as with PyTorch's `.data`).
   */
  get data(): Storage {
    const storage = this.#storage ?? this.#resolve();
    if (openCells > 0) detachReaders(storage);
    return storage;
  }

  /** @internal Whether the values are still to be computed (see {@link deferred}). */
  get isDeferred(): boolean {
    return this.#storage === null;
  }

  /**
   * @internal The cell a deferred result reads this tensor through. It reads the storage in
   * place until anything reads `data` of a tensor sharing that storage (and so may write it);
   * then the cell keeps a copy.
   */
  sourceCell(): SourceCell {
    const storage = Tensor.storageOf(this);
    let cell = cells.get(storage);
    if (cell === undefined) {
      cell = new SourceCell(this);
      cells.set(storage, cell);
      openCells++;
      collected.register(storage, cell.open);
    }
    return cell.retain();
  }

  /** @internal The storage, without detaching readers: only for SourceCell. */
  static storageOf(t: Tensor): Storage {
    return t.#storage ?? t.#resolve();
  }

  #resolve(): Storage {
    const compute = this.#compute!;
    this.#compute = null;
    // Allocated outside any loss or backward scope: this storage belongs to the user's tensor.
    const storage = collectingInto(null, compute);
    this.#storage = storage;
    return storage;
  }

  // ---- autograd state -------------------------------------------------------------------

  get requiresGrad(): boolean {
    return this.node !== null || this.leafRequiresGrad;
  }

  set requiresGrad(flag: boolean) {
    check(this.node === null, () => "you can only change requires_grad flags of leaf " +
      "variables." + (flag ? "" : " If you want to use a computed variable in a subgraph " +
      "that doesn't require differentiation use var_no_grad = var.detach()."));
    if (flag && !this.dtype.isFloatingPoint) {
      throw withIntegerHint(new RuntimeError("only Tensors of floating point dtype can " +
        "require gradients"), [this]);
    }
    this.leafRequiresGrad = flag;
  }

  /** Unlike assigning `requiresGrad`, `requiresGrad_()` on a non-leaf is a no-op. */
  requiresGrad_(flag = true): this {
    if (typeof flag !== "boolean") {
      throw argumentError("requires_grad_", "requiresGrad", 1, "bool", flag);
    }
    if (this.node === null || !flag) this.requiresGrad = flag;
    return this;
  }

  get gradFn(): Node | null {
    return this.node;
  }

  get isLeaf(): boolean {
    return this.node === null;
  }

  /**
   * The gradient accumulated by `backward()`; assign `null` to clear it (`x.grad = None`).
   * Reading it hands the gradient to user code: from then on it is never recycled (see
   * autograd/recycling.ts); a gradient nobody read goes back to the buffer pool when replaced.
   */
  get grad(): Tensor | null {
    const g = this.#grad;
    if (g) observeGradient(g);
    return g;
  }

  set grad(g: Tensor | null) {
    const old = this.#grad;
    this.#grad = g;
    if (old && old !== g) dropGradient(old);
  }

  /** @internal The engine's read of `.grad`, which does not count as user code seeing it. */
  peekGrad(): Tensor | null {
    return this.#grad;
  }

  /** @internal Used by `record` to attach the node that produced this tensor. */
  setGradFn(node: Node): void {
    this.node = node;
  }

  /**
   * `backward()`, `backward(gradient)`, `backward(gradient, { retainGraph })` or
   * `backward({ retainGraph })`.
   */
  backward(gradient?: Tensor | null | BackwardOptions, options?: BackwardOptions): void {
    if (gradient instanceof Tensor || gradient === null || gradient === undefined) {
      runBackward(this, gradient, options);
    } else if (!isPlainObject(gradient)) {
      throw new TorchTypeError("gradients can be either Tensors or None, but got " +
        kindName(gradient));
    } else {
      runBackward(this, null, gradient);
    }
  }

  detach(): Tensor {
    return shapeOps.detach(this);
  }

  // ---- metadata ---------------------------------------------------------------------------

  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? [...this.shape] : shapeOps.sizeAt(this, dim);
  }

  dim(): number {
    return this.shape.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  numel(): number {
    return numelOf(this.shape);
  }

  isFloatingPoint(): boolean {
    return this.dtype.isFloatingPoint;
  }

  isContiguous(): boolean {
    return this.torchStrides === null;
  }

  // ---- conversion -----------------------------------------------------------------------

  item(): number | boolean {
    check(this.numel() === 1, () => "only one element tensors can be converted to Python " +
      "scalars", ValueError);
    return scalarValue(this.data, 0);
  }

  tolist(): unknown {
    return nest(this.data, this.shape, 0, 0);
  }

  to(dtype: DType): Tensor {
    return toDtype(this, dtype);
  }

  float(): Tensor { return toDtype(this, float32); }
  double(): Tensor { return toDtype(this, float64); }
  long(): Tensor { return toDtype(this, int64); }
  bool(): Tensor { return toDtype(this, bool); }

  clone(): Tensor { return shapeOps.clone(this); }
  contiguous(): Tensor { return shapeOps.contiguous(this); }

  toString(): string {
    return tensorRepr(this, { requiresGrad: this.requiresGrad, gradFnName: this.node?.name() });
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- shape ------------------------------------------------------------------------------

  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return shapeOps.reshape(this, flatShape(shape));
  }
  view(...shape: number[] | [readonly number[]]): Tensor {
    return shapeOps.view(this, flatShape(shape));
  }
  viewAs(other: Tensor): Tensor { return shapeOps.view(this, other.shape); }
  reshapeAs(other: Tensor): Tensor { return shapeOps.reshape(this, other.shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return shapeOps.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return shapeOps.unflatten(this, dim, sizes);
  }
  squeeze(dim?: number): Tensor { return shapeOps.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return shapeOps.unsqueeze(this, dim); }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return shapeOps.permute(this, flatShape(dims));
  }
  transpose(dim0: number, dim1: number): Tensor { return shapeOps.transpose(this, dim0, dim1); }
  t(): Tensor { return shapeOps.t(this); }
  get T(): Tensor { return shapeOps.reverseDims(this); }
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor {
    return shapeOps.movedim(this, source, destination);
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return shapeOps.expand(this, flatShape(shape));
  }
  expandAs(other: Tensor): Tensor { return shapeOps.expand(this, other.shape); }

  // ---- elementwise ------------------------------------------------------------------------

  add(other: TensorOrScalar, options?: { alpha?: number }): Tensor {
    return binary.add(this, other, options);
  }
  sub(other: TensorOrScalar, options?: { alpha?: number }): Tensor {
    return binary.sub(this, other, options);
  }
  rsub(other: TensorOrScalar, options?: { alpha?: number }): Tensor {
    return binary.rsub(this, other, options);
  }
  mul(other: TensorOrScalar): Tensor { return binary.mul(this, other); }
  div(other: TensorOrScalar): Tensor { return binary.div(this, other); }
  pow(exponent: TensorOrScalar): Tensor { return binary.pow(this, exponent); }
  maximum(other: Tensor): Tensor { return binary.maximum(this, other); }
  minimum(other: Tensor): Tensor { return binary.minimum(this, other); }

  neg(): Tensor { return unary.neg(this); }
  abs(): Tensor { return unary.abs(this); }
  sign(): Tensor { return unary.sign(this); }
  exp(): Tensor { return unary.exp(this); }
  log(): Tensor { return unary.log(this); }
  log1p(): Tensor { return unary.log1p(this); }
  expm1(): Tensor { return unary.expm1(this); }
  sqrt(): Tensor { return unary.sqrt(this); }
  square(): Tensor { return binary.pow(this, 2); }
  sigmoid(): Tensor { return unary.sigmoid(this); }
  clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor;
  clamp(options: { min?: TensorOrScalar | null; max?: TensorOrScalar | null }): Tensor;
  clamp(
    min?: TensorOrScalar | null | { min?: TensorOrScalar | null; max?: TensorOrScalar | null },
    max?: TensorOrScalar | null,
  ): Tensor {
    return binary.clamp(this, min, max);
  }
  clampMin(min: TensorOrScalar): Tensor { return binary.clampMin(this, min); }
  clampMax(max: TensorOrScalar): Tensor { return binary.clampMax(this, max); }

  eq(other: TensorOrScalar): Tensor { return binary.eq(this, other); }
  ne(other: TensorOrScalar): Tensor { return binary.ne(this, other); }
  lt(other: TensorOrScalar): Tensor { return binary.lt(this, other); }
  le(other: TensorOrScalar): Tensor { return binary.le(this, other); }
  gt(other: TensorOrScalar): Tensor { return binary.gt(this, other); }
  ge(other: TensorOrScalar): Tensor { return binary.ge(this, other); }
  logicalNot(): Tensor { return unary.logicalNot(this); }
  isnan(): Tensor { return unary.isnan(this); }
  where(condition: Tensor, other: TensorOrScalar): Tensor {
    return binary.where(condition, this, other);
  }
  maskedFill(mask: Tensor, value: TensorOrScalar): Tensor {
    return indexing.maskedFill(this, mask, value);
  }

  // ---- reductions -------------------------------------------------------------------------

  sum(dim?: DimArg | ReduceOptions, keepdim?: boolean | ReduceOptions): Tensor {
    return reduce.sum(this, dim, keepdim);
  }
  mean(dim?: DimArg | ReduceOptions, keepdim?: boolean | ReduceOptions): Tensor {
    return reduce.mean(this, dim, keepdim);
  }
  max(): Tensor;
  max(other: Tensor): Tensor;
  max(dim: number | ReduceOptions, keepdim?: boolean | ReduceOptions): reduce.ValuesIndices;
  max(dim?: number | Tensor | ReduceOptions, keepdim?: boolean | ReduceOptions) {
    return reduce.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(other: Tensor): Tensor;
  min(dim: number | ReduceOptions, keepdim?: boolean | ReduceOptions): reduce.ValuesIndices;
  min(dim?: number | Tensor | ReduceOptions, keepdim?: boolean | ReduceOptions) {
    return reduce.min(this, dim, keepdim);
  }
  amax(dim?: DimArg | ReduceOptions, keepdim?: boolean | ReduceOptions): Tensor {
    return reduce.amax(this, dim, keepdim);
  }
  amin(dim?: DimArg | ReduceOptions, keepdim?: boolean | ReduceOptions): Tensor {
    return reduce.amin(this, dim, keepdim);
  }
  argmax(dim?: number | ReduceOptions, keepdim?: boolean | ReduceOptions): Tensor {
    return reduce.argmax(this, dim, keepdim);
  }
  argmin(dim?: number | ReduceOptions, keepdim?: boolean | ReduceOptions): Tensor {
    return reduce.argmin(this, dim, keepdim);
  }
  logsumexp(dim: DimArg | ReduceOptions, keepdim?: boolean | ReduceOptions): Tensor {
    return reduce.logsumexp(this, dim, keepdim);
  }
  norm(p?: number | reduce.NormOptions, dim?: DimArg | reduce.NormOptions,
    keepdim?: boolean): Tensor {
    return reduce.norm(this, p, dim, keepdim);
  }

  // ---- indexing and softmax -------------------------------------------------------------

  gather(dim: number, index: Tensor): Tensor { return indexing.gather(this, dim, index); }
  select(dim: number, index: number): Tensor { return indexing.select(this, dim, index); }
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexing.indexSelect(this, dim, index);
  }
  softmax(dim: number | { dim: number; dtype?: DType }): Tensor {
    return softmaxOps.softmax(this, dim);
  }
  logSoftmax(dim: number | { dim: number; dtype?: DType }): Tensor {
    return softmaxOps.logSoftmax(this, dim);
  }

  // ---- in place ---------------------------------------------------------------------------

  zero_(): this {
    unary.fillInPlace(this, 0, "ZeroBackward0");
    return this;
  }
  fill_(value: number | boolean): this {
    unary.fillInPlace(this, value);
    return this;
  }
  random_(from?: number | bigint | null, to?: number | bigint | null): this {
    random.randomInPlace(this, from, to);
    return this;
  }
  uniform_(from = 0, to = 1): this {
    random.uniformInPlace(this, from, to);
    return this;
  }
  normal_(mean = 0, std = 1): this {
    random.normalInPlace(this, mean, std);
    return this;
  }

  // ---- creation helpers -----------------------------------------------------------------

  onesLike(): Tensor { return shapeOps.filled(this.shape, this.dtype, 1); }
  zerosLike(): Tensor { return shapeOps.filled(this.shape, this.dtype, 0); }
}

function flatShape(args: number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? args[0] : (args as number[]);
}

function scalarValue(data: Storage, i: number): number | boolean {
  if (data instanceof Uint8Array) return data[i] !== 0;
  if (data instanceof BigInt64Array) return Number(data[i]);
  return data[i];
}

function nest(data: Storage, shape: readonly number[], dim: number, offset: number): unknown {
  if (dim === shape.length) return scalarValue(data, offset);
  let stride = 1;
  for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
  const out: unknown[] = [];
  for (let i = 0; i < shape[dim]; i++) out.push(nest(data, shape, dim + 1, offset + i * stride));
  return out;
}

/** The source cells by the storage they read; views of one storage share a cell. */
const cells = new WeakMap<Storage, SourceCell>();
/** Cells made and not yet closed: while none are, `data` skips the lookup. */
let openCells = 0;
/** A cell whose storage was collected while open (its readers too) no longer counts. */
const collected = new FinalizationRegistry<{ closed: boolean }>((open) => {
  if (!open.closed) openCells--;
});

function detachReaders(storage: Storage): void {
  const cell = cells.get(storage);
  if (cell === undefined) return;
  closeCell(storage, cell);
  cell.detach(storage);
}

function closeCell(storage: Storage, cell: SourceCell): void {
  cells.delete(storage);
  cell.open.closed = true;
  openCells--;
}

/** A deferred tensor's dtype and the function that computes its storage. */
class DeferredStorage {
  constructor(readonly dtype: DType, readonly compute: () => Storage) {}
}

/**
 * How deferred results read a source tensor: its storage in place while nothing else has read
 * the source's `data` (so nothing can have written it), else the copy taken at that moment.
 */
export class SourceCell {
  /** Deferred results that may still read through this cell. */
  pending = 0;
  /** Shared with the finalizer that counts cells (it must not hold the cell itself). */
  readonly open = { closed: false };
  #source: Tensor | null;
  #copy: Storage | null = null;

  constructor(source: Tensor) {
    this.#source = source;
  }

  read(): Storage {
    return this.#copy ?? Tensor.storageOf(this.#source!);
  }

  /** One more reader that may read through this cell later. */
  retain(): this {
    this.pending++;
    return this;
  }

  /** A reader has its values (computed or no longer needed); the last one closes the cell. */
  done(): void {
    this.pending--;
    if (this.pending === 0 && this.#source !== null) {
      closeCell(Tensor.storageOf(this.#source), this);
      this.#source = null;
    }
  }

  /** The source is about to be exposed: keep its current values if a reader may need them. */
  detach(storage: Storage): void {
    if (this.pending > 0) this.#copy = storage.slice();
    this.#source = null;
  }
}
