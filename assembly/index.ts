// torchloss's WebAssembly kernels (SIMD128, float32). Built by `npm run build:wasm` into
// src/kernels/wasm/module.generated.ts. Memory is imported: shared (threads) or not.
// Every pointer is a byte offset into that memory; every kernel returns an f64.
export { ce_rows, softmax_rows, logsoftmax_bwd_rows, softmax_bwd_rows, scale_rows } from "./rows";
export { mse_fwd, mse_none, mse_bwd, l1_fwd, l1_none, l1_bwd, scale, negate, zero_bytes }
  from "./pointwise";
export { huber_fwd, smooth_l1_fwd, log_f32, kl_fwd, bce_fwd, soft_margin_fwd } from "./losses2";

export { ew_vv, ew_vs, ew_where, ew_cmp } from "./elementwise";
export { op_unary, op_grad, op_sum, op_rows, op_rows_bwd } from "./ops";
export { multimargin_rows, mlm_rows, labels_i64 } from "./margin";
export { ctc_f32, ctc_f64 } from "./ctc";
export { bce_logits_fwd } from "./logits";
export { mse_fwd_f64, l1_fwd_f64 } from "./pointwise";
export { bce_check } from "./losses2";
export { softmax64_rows, logsoftmax64_bwd_rows, softmax64_bwd_rows, kl64_fwd, exp_log_f64 }
  from "./softmax64";
export { ce64_rows } from "./ce64";
export { kl_softmax_rows, kl64_softmax_rows } from "./klsoftmax";
export { poisson_fwd, poisson_lin_fwd, gaussian_fwd, negative_count } from "./likelihood";
export { hinge_fwd, ranking_fwd } from "./ranking";
export { triplet_rows, cosine_rows } from "./embedding";
/** First byte after the module's static data: where the host may place its own data. */
export function heap_base(): usize {
  return __heap_base;
}
