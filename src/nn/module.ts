/**
 * The base of the loss modules. As in PyTorch, a module instance is callable
 * (`loss(input, target)` is `loss.forward(input, target)`), and, as a JS convenience, a module
 * class can be called without `new` (`nn.L1Loss()` is `new nn.L1Loss()`).
 */
import { withTemporaries } from "../autograd/temporaries.js";
import { withIntegerHint } from "../tensor/integer-hint.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkModuleOptions } from "./arguments.js";
import { type Reduction, resolveReduction } from "./reduction.js";

export abstract class Module {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...args: any[]): Tensor;

  /** The PyTorch class name, as the module's repr shows it: `CrossEntropyLoss()`. */
  abstract get className(): string;

  /** Returns a function object with this class's prototype, so that instances are callable. */
  constructor() {
    const instance = function (...args: unknown[]): Tensor {
      return (instance as unknown as Module).forward(...args);
    };
    Object.setPrototypeOf(instance, new.target.prototype);
    return instance as unknown as Module;
  }

  toString(): string {
    return `${this.className}()`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

interface LegacyReduction {
  reduction?: string;
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
}

/** A loss module: its options as read-only fields, callable like its `forward`. */
export type LossModule<T extends unknown[], O> = Module & Readonly<O> & {
  readonly reduction: Reduction;
  forward(...tensors: T): Tensor;
  (...tensors: T): Tensor;
};

/** The exported class: `new nn.L1Loss(options)` or `nn.L1Loss(options)`. */
export interface LossModuleClass<T extends unknown[], O> {
  new (options?: O): LossModule<T, O>;
  (options?: O): LossModule<T, O>;
}

export interface LossModuleSettings<O> {
  /** PyTorch's constructor defaults, readable as fields (`new nn.CTCLoss().blank` is 0). */
  defaults?: Partial<O>;
  /** The checks PyTorch's constructor makes after `_Loss.__init__` (legacy warning first). */
  validate?: (options: O) => void;
}

/**
 * Builds a loss module from its functional form, as PyTorch's `_Loss` subclasses do: the
 * constructor checks the option keys, runs the loss's own constructor checks, resolves the
 * deprecated `sizeAverage`/`reduce` (warning once, at construction) and stores the options with
 * their defaults; `forward` calls the functional form.
 */
export function lossModule<T extends unknown[], O extends LegacyReduction>(
  className: string,
  functional: (...args: [...T, O]) => Tensor,
  optionKeys: readonly string[],
  settings: LossModuleSettings<O> = {},
): LossModuleClass<T, O> {
  class Loss extends Module {
    private readonly options: O;

    constructor(options: O = {} as O) {
      super();
      checkModuleOptions(className, options, optionKeys);
      const { sizeAverage: _s, reduce: _r, ...rest } = options;
      const reduction = resolveReduction(options, "mean");
      settings.validate?.(options);
      this.options = { ...settings.defaults, ...rest, reduction } as O;
      Object.assign(this, this.options);
    }

    get className(): string {
      return className;
    }

    forward(...tensors: T): Tensor {
      try {
        return withTemporaries(() => functional(...tensors, this.options));
      } catch (error) {
        throw withIntegerHint(error, [...tensors, this.options]);
      }
    }
  }
  return new Proxy(Loss, {
    apply: (target, _self, args: [O?]) => new target(...args),
  }) as unknown as LossModuleClass<T, O>;
}
