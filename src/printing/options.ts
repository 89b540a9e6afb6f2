/** `torch.set_printoptions` / `torch._tensor_str.PRINT_OPTS`. */

export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
}

export type PrintProfile = "default" | "short" | "full";

export interface SetPrintOptions {
  precision?: number;
  threshold?: number;
  edgeitems?: number;
  linewidth?: number;
  sciMode?: boolean | null;
  profile?: PrintProfile;
}

const PROFILES: Partial<Record<PrintProfile, Omit<PrintOptions, "sciMode">>> = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};

export const DEFAULT_PRINT_OPTIONS: Readonly<PrintOptions> = Object.freeze({
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: null,
});

const current: PrintOptions = { ...DEFAULT_PRINT_OPTIONS };

/**
 * Same semantics as `torch.set_printoptions`: a profile is applied first, then the explicit
 * options; options left out keep their values, except `sciMode`, which torch resets to
 * `None` on every call that does not pass it.
 */
export function setPrintoptions(options: SetPrintOptions = {}): void {
  // torch ignores an unknown profile name.
  const name = options.profile;
  const profile = name !== undefined && Object.hasOwn(PROFILES, name) ? PROFILES[name] : undefined;
  if (profile !== undefined) Object.assign(current, profile);
  if (options.precision !== undefined) current.precision = options.precision;
  if (options.threshold !== undefined) current.threshold = options.threshold;
  if (options.edgeitems !== undefined) current.edgeitems = options.edgeitems;
  if (options.linewidth !== undefined) current.linewidth = options.linewidth;
  current.sciMode = options.sciMode ?? null;
}

/** A copy of the current print options. */
export function getPrintoptions(): PrintOptions {
  return { ...current };
}
