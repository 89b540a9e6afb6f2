// Module resolve hook for bench/run_tfjs.mjs. @tensorflow/tfjs-core 4.x ships its gradient
// definitions only as ES modules with extensionless relative imports (dist/register_all_gradients.js),
// which Node's ESM loader rejects; this hook retries such imports inside @tensorflow packages
// with ".js" (or "/index.js"). Gradients then register into tfjs' global registry.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    if (!["ERR_MODULE_NOT_FOUND", "ERR_UNSUPPORTED_DIR_IMPORT"].includes(e?.code) || !relative ||
      !context.parentURL?.includes("/node_modules/@tensorflow/")) throw e;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
