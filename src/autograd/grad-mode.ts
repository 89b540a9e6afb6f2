/** Whether ops record a graph (`torch.is_grad_enabled`), and the scopes that switch it. */

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Runs `fn` without recording a graph, like `with torch.no_grad():`. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with graph recording on, like `with torch.enable_grad():`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
