// CTC loss: the forward variable α (the loss) and, in the same call, the backward variable β and
// the gradient w.r.t. the log-probabilities for upstream 1, per sample, step for step as ATen's
// LossCTC.cpp computes them on the CPU (and as src/kernels/ctc.ts does in JS). T is f32 or f64:
// f32 computes in single precision with musl's expf/logf, which are glibc's (ARM's optimized
// routines), so float32 results follow PyTorch's rounding step for step.
//
// Layout (element offsets): lp and grad are (time, batch, classes); meta holds, in the order
// the samples are run (threads take contiguous runs), [inputLength, targetLength, extStart,
// alphaStart, sample]; ext/skip (i32) the extended labels
// l' = [blank, y₁, blank, …, blank] and whether α may come from s − 2; alpha is scratch of
// inputLength·(2L + 1) per sample, beta scratch of 2·(2L + 1) per sample (at 2·extStart).

@inline function ld<T>(p: usize, i: i32): T {
  return load<T>(p + (<usize>i << alignof<T>()));
}

@inline function st<T>(p: usize, i: i32, v: T): void {
  store<T>(p + (<usize>i << alignof<T>()), v);
}

@inline function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

@inline function expT<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.exp(<f32>x);
  return <T>Math.exp(<f64>x);
}

@inline function logT<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.log(<f32>x);
  return <T>Math.log(<f64>x);
}

/**
 * Below this gap to the max, `n − 1` terms exp(gap) added to 1 leave 1 (each < 2^−24 / (n − 1)
 * in f32, 2^−53 / (n − 1) in f64), so the log-sum-exp is exactly the max: a shortcut that
 * changes no bit.
 */
@inline function tinyGap<T>(n: i32): T {
  if (sizeof<T>() == 4) return n == 3 ? <T>-18 : <T>-17;
  return n == 3 ? <T>-38 : <T>-37.5;
}

/** exp(d) for d = v − max: 1 at 0 (the max term) and 0 at −inf, as exp gives them. */
@inline function expDiff<T>(d: T): T {
  if (d == 0) return 1;
  if (d == <T>-Infinity) return 0;
  return expT<T>(d);
}

/**
 * log(exp(a − m) + exp(b − m) + exp(c − m)) + m + lp with m the largest (ATen's order); when all
 * three are −inf that is log(0) + 0 + lp = −inf + lp.
 */
@inline function lse3<T>(a: T, b: T, c: T, lp: T): T {
  let m = a;
  if (b > m) m = b;
  if (c > m) m = c;
  if (m == <T>-Infinity) return <T>-Infinity + lp;
  const tiny = tinyGap<T>(3);
  if (<i32>(a - m < tiny) + <i32>(b - m < tiny) + <i32>(c - m < tiny) == 2) return (<T>0 + m) + lp;
  const sum: T = (expDiff<T>(a - m) + expDiff<T>(b - m)) + expDiff<T>(c - m);
  return (logT<T>(sum) + m) + lp;
}

// ---- float32 rows, four cells at a time ------------------------------------------------------
// vexpf/vlogf are musl's expf/logf (the table versions AssemblyScript's Mathf uses, and glibc's)
// evaluated in f64x2 lanes with the same operations in the same order, so each lane's result is
// bit-identical to the scalar call.

// exp2f_data_tab[i] = uint(2^(i/32)) − (i << 47)
const EXP2F_TAB: usize = memory.data<u64>([
  0x3FF0000000000000, 0x3FEFD9B0D3158574, 0x3FEFB5586CF9890F, 0x3FEF9301D0125B51,
  0x3FEF72B83C7D517B, 0x3FEF54873168B9AA, 0x3FEF387A6E756238, 0x3FEF1E9DF51FDEE1,
  0x3FEF06FE0A31B715, 0x3FEEF1A7373AA9CB, 0x3FEEDEA64C123422, 0x3FEECE086061892D,
  0x3FEEBFDAD5362A27, 0x3FEEB42B569D4F82, 0x3FEEAB07DD485429, 0x3FEEA47EB03A5585,
  0x3FEEA09E667F3BCD, 0x3FEE9F75E8EC5F74, 0x3FEEA11473EB0187, 0x3FEEA589994CCE13,
  0x3FEEACE5422AA0DB, 0x3FEEB737B0CDC5E5, 0x3FEEC49182A3F090, 0x3FEED503B23E255D,
  0x3FEEE89F995AD3AD, 0x3FEEFF76F2FB5E47, 0x3FEF199BDD85529C, 0x3FEF3720DCEF9069,
  0x3FEF5818DCFBA487, 0x3FEF7C97337B9B5F, 0x3FEFA4AFA2A490DA, 0x3FEFD0765B6E4540
]);
// logf_data_tab: (1/c, log c) per subinterval
const LOGF_TAB: usize = memory.data<u64>([
  0x3FF661EC79F8F3BE, 0xBFD57BF7808CAADE, // 0x1.661ec79f8f3bep+0, -0x1.57bf7808caadep-2,
  0x3FF571ED4AAF883D, 0xBFD2BEF0A7C06DDB, // 0x1.571ed4aaf883dp+0, -0x1.2bef0a7c06ddbp-2,
  0x3FF49539F0F010B0, 0xBFD01EAE7F513A67, // 0x1.49539f0f010bp+0 , -0x1.01eae7f513a67p-2,
  0x3FF3C995B0B80385, 0xBFCB31D8A68224E9, // 0x1.3c995b0b80385p+0, -0x1.b31d8a68224e9p-3,
  0x3FF30D190C8864A5, 0xBFC6574F0AC07758, // 0x1.30d190c8864a5p+0, -0x1.6574f0ac07758p-3,
  0x3FF25E227B0B8EA0, 0xBFC1AA2BC79C8100, // 0x1.25e227b0b8eap+0 , -0x1.1aa2bc79c81p-3  ,
  0x3FF1BB4A4A1A343F, 0xBFBA4E76CE8C0E5E, // 0x1.1bb4a4a1a343fp+0, -0x1.a4e76ce8c0e5ep-4,
  0x3FF12358F08AE5BA, 0xBFB1973C5A611CCC, // 0x1.12358f08ae5bap+0, -0x1.1973c5a611cccp-4,
  0x3FF0953F419900A7, 0xBFA252F438E10C1E, // 0x1.0953f419900a7p+0, -0x1.252f438e10c1ep-5,
  0x3FF0000000000000, 0,                  // 0x1p+0,                0,
  0x3FEE608CFD9A47AC, 0x3FAAA5AA5DF25984, // 0x1.e608cfd9a47acp-1,  0x1.aa5aa5df25984p-5,
  0x3FECA4B31F026AA0, 0x3FBC5E53AA362EB4, // 0x1.ca4b31f026aap-1 ,  0x1.c5e53aa362eb4p-4,
  0x3FEB2036576AFCE6, 0x3FC526E57720DB08, // 0x1.b2036576afce6p-1,  0x1.526e57720db08p-3,
  0x3FE9C2D163A1AA2D, 0x3FCBC2860D224770, // 0x1.9c2d163a1aa2dp-1,  0x1.bc2860d22477p-3 ,
  0x3FE886E6037841ED, 0x3FD1058BC8A07EE1, // 0x1.886e6037841edp-1,  0x1.1058bc8a07ee1p-2,
  0x3FE767DCF5534862, 0x3FD4043057B6EE09  // 0x1.767dcf5534862p-1,  0x1.4043057b6ee09p-2
]);

@inline function expCore(xd: v128): v128 {
  const z = f64x2.mul(f64x2.splat(reinterpret<f64>(0x3FF71547652B82FE) * 32), xd);
  const shift = f64x2.splat(reinterpret<f64>(0x4338000000000000));
  const kd = f64x2.add(z, shift);
  const r = f64x2.sub(z, f64x2.sub(kd, shift));
  const i0 = <usize>(<i32>i64x2.extract_lane(kd, 0) & 31);
  const i1 = <usize>(<i32>i64x2.extract_lane(kd, 1) & 31);
  let t = i64x2.splat(load<u64>(EXP2F_TAB + (i0 << 3)));
  t = i64x2.replace_lane(t, 1, load<u64>(EXP2F_TAB + (i1 << 3)));
  const s = i64x2.add(t, i64x2.shl(kd, 47));
  const c0 = f64x2.splat(reinterpret<f64>(0x3FAC6AF84B912394) / 32 / 32 / 32);
  const c1 = f64x2.splat(reinterpret<f64>(0x3FCEBFCE50FAC4F3) / 32 / 32);
  const c2 = f64x2.splat(reinterpret<f64>(0x3FE62E42FF0C52D6) / 32);
  const zz = f64x2.add(f64x2.mul(c0, r), c1);
  let y = f64x2.add(f64x2.mul(c2, r), f64x2.splat(1));
  y = f64x2.add(y, f64x2.mul(zz, f64x2.mul(r, r)));
  return f64x2.mul(y, s);
}

/** expf of four lanes; outside [−103.97, 88.72] (and NaN) as expf: 0, +inf, NaN. */
@inline export function vexpf(x: v128): v128 {
  const ok = v128.and(f32x4.ge(x, f32x4.splat(reinterpret<f32>(0xC2CFF1B4))),
    f32x4.le(x, f32x4.splat(reinterpret<f32>(0x42B17217))));
  const xs = v128.and(x, ok);
  const lo = f32x4.demote_f64x2_zero(expCore(f64x2.promote_low_f32x4(xs)));
  const hi = f32x4.demote_f64x2_zero(expCore(f64x2.promote_low_f32x4(
    v128.shuffle<f32>(xs, xs, 2, 3, 0, 1))));
  const y = v128.shuffle<f32>(lo, hi, 0, 1, 4, 5);
  if (i32x4.all_true(ok)) return y;
  const huge = f32x4.mul(x, f32x4.splat(reinterpret<f32>(0x7F000000)));
  const special = v128.bitselect(f32x4.splat(0), huge, f32x4.lt(x, f32x4.splat(0)));
  return v128.bitselect(y, special, ok);
}

@inline function logPair(ux: v128, tmp: v128): v128 {
  const i0 = <usize>((i32x4.extract_lane(tmp, 0) >>> 19) & 15);
  const i1 = <usize>((i32x4.extract_lane(tmp, 1) >>> 19) & 15);
  let invc = f64x2.splat(load<f64>(LOGF_TAB + (i0 << 4)));
  invc = f64x2.replace_lane(invc, 1, load<f64>(LOGF_TAB + (i1 << 4)));
  let logc = f64x2.splat(load<f64>(LOGF_TAB + (i0 << 4), 8));
  logc = f64x2.replace_lane(logc, 1, load<f64>(LOGF_TAB + (i1 << 4), 8));
  const k = f64x2.convert_low_i32x4_s(i32x4.shr_s(tmp, 23));
  const iz = i32x4.sub(ux, v128.and(tmp, i32x4.splat(<i32>0xFF800000)));
  const z = f64x2.promote_low_f32x4(iz);
  const r = f64x2.sub(f64x2.mul(z, invc), f64x2.splat(1));
  const y0 = f64x2.add(logc, f64x2.mul(k, f64x2.splat(reinterpret<f64>(0x3FE62E42FEFA39EF))));
  const r2 = f64x2.mul(r, r);
  let y = f64x2.add(f64x2.mul(f64x2.splat(reinterpret<f64>(0x3FD5575B0BE00B6A)), r),
    f64x2.splat(reinterpret<f64>(0xBFDFFFFEF20A4123)));
  y = f64x2.add(y, f64x2.mul(f64x2.splat(reinterpret<f64>(0xBFD00EA348B88334)), r2));
  y = f64x2.add(f64x2.mul(y, r2), f64x2.add(y0, r));
  return f32x4.demote_f64x2_zero(y);
}

/** logf of four lanes (+0 → −inf; negative, subnormal, inf and NaN lanes through Mathf.log). */
@inline export function vlogf(v: v128): v128 {
  const zero = i32x4.eq(v, i32x4.splat(0));
  const x = v128.bitselect(f32x4.splat(1), v, zero);
  const normal = i32x4.lt_u(i32x4.sub(x, i32x4.splat(0x00800000)),
    i32x4.splat(0x7F800000 - 0x00800000));
  if (!i32x4.all_true(normal)) return vlogfSpecial(v);
  const tmp = i32x4.sub(x, i32x4.splat(0x3F330000));
  const lo = logPair(x, tmp);
  const hi = logPair(v128.shuffle<f32>(x, x, 2, 3, 0, 1), v128.shuffle<f32>(tmp, tmp, 2, 3, 0, 1));
  return v128.bitselect(f32x4.splat(-Infinity), v128.shuffle<f32>(lo, hi, 0, 1, 4, 5), zero);
}

function vlogfSpecial(x: v128): v128 {
  let y = f32x4.splat(Mathf.log(f32x4.extract_lane(x, 0)));
  y = f32x4.replace_lane(y, 1, Mathf.log(f32x4.extract_lane(x, 1)));
  y = f32x4.replace_lane(y, 2, Mathf.log(f32x4.extract_lane(x, 2)));
  return f32x4.replace_lane(y, 3, Mathf.log(f32x4.extract_lane(x, 3)));
}

/** exp(d) of the max's own term: 1 at 0, else as expf's special cases (−inf → 0, NaN). */
@inline function maxTerm(d: v128): v128 {
  const special = v128.bitselect(f32x4.splat(0), f32x4.add(d, d), f32x4.lt(d, f32x4.splat(0)));
  return v128.bitselect(f32x4.splat(1), special, f32x4.eq(d, f32x4.splat(0)));
}

/** lse3 of four lanes: ATen's max (NaN stays), 0 for an all −inf max, then as lse3. */
@inline function vlse3(a: v128, b: v128, c: v128, lp: v128): v128 {
  let m = v128.bitselect(b, a, f32x4.gt(b, a));
  m = v128.bitselect(c, m, f32x4.gt(c, m));
  const NEG = f32x4.splat(-Infinity);
  m = v128.andnot(m, f32x4.eq(m, NEG));
  // exp of the two terms that are not the max k (exp(0) = 1 exactly: k's own term, unless the
  // max is NaN, or −inf turned 0)
  const da = f32x4.sub(a, m), db = f32x4.sub(b, m), dc = f32x4.sub(c, m);
  const kc = f32x4.eq(m, c), ka = v128.andnot(f32x4.eq(m, a), kc);
  const eu = vexpf(v128.bitselect(db, da, ka));
  const ev = vexpf(v128.bitselect(db, dc, kc));
  const ea = v128.bitselect(maxTerm(da), eu, ka);
  const eb = v128.bitselect(eu, v128.bitselect(ev, maxTerm(db), kc), ka);
  const ec = v128.bitselect(maxTerm(dc), ev, kc);
  return f32x4.add(f32x4.add(vlogf(f32x4.add(f32x4.add(ea, eb), ec)), m), lp);
}

/**
 * {@link vlse3} of two chunks X and Y, stored at outX and outY. Blank cells (even s) never take
 * the s − 2 term (c = −inf, exp 0), so the second exp runs once for the label lanes of both
 * chunks: lanes 1, 3 when `labelsOdd` (α: chunks start at even s), else 0, 2 (β).
 */
@inline function vlse3Pair(aX: v128, bX: v128, cX: v128, lpX: v128, aY: v128, bY: v128,
  cY: v128, lpY: v128, outX: usize, outY: usize, labelsOdd: bool): void {
  const NEG = f32x4.splat(-Infinity);
  let mX = v128.bitselect(bX, aX, f32x4.gt(bX, aX));
  mX = v128.bitselect(cX, mX, f32x4.gt(cX, mX));
  mX = v128.andnot(mX, f32x4.eq(mX, NEG));
  let mY = v128.bitselect(bY, aY, f32x4.gt(bY, aY));
  mY = v128.bitselect(cY, mY, f32x4.gt(cY, mY));
  mY = v128.andnot(mY, f32x4.eq(mY, NEG));
  const daX = f32x4.sub(aX, mX), dbX = f32x4.sub(bX, mX), dcX = f32x4.sub(cX, mX);
  const daY = f32x4.sub(aY, mY), dbY = f32x4.sub(bY, mY), dcY = f32x4.sub(cY, mY);
  const kcX = f32x4.eq(mX, cX), kaX = v128.andnot(f32x4.eq(mX, aX), kcX);
  const kcY = f32x4.eq(mY, cY), kaY = v128.andnot(f32x4.eq(mY, aY), kcY);
  const euX = vexpf(v128.bitselect(dbX, daX, kaX));
  const euY = vexpf(v128.bitselect(dbY, daY, kaY));
  const vX = v128.bitselect(dbX, dcX, kcX), vY = v128.bitselect(dbY, dcY, kcY);
  const Z = f32x4.splat(0);
  let evX: v128, evY: v128;
  if (labelsOdd) {
    const e = vexpf(v128.shuffle<f32>(vX, vY, 1, 3, 5, 7));
    evX = v128.shuffle<f32>(e, Z, 4, 0, 4, 1);
    evY = v128.shuffle<f32>(e, Z, 4, 2, 4, 3);
  } else {
    const e = vexpf(v128.shuffle<f32>(vX, vY, 0, 2, 4, 6));
    evX = v128.shuffle<f32>(e, Z, 0, 4, 1, 4);
    evY = v128.shuffle<f32>(e, Z, 2, 4, 3, 4);
  }
  const eaX = v128.bitselect(maxTerm(daX), euX, kaX);
  const ebX = v128.bitselect(euX, v128.bitselect(evX, maxTerm(dbX), kcX), kaX);
  const ecX = v128.bitselect(maxTerm(dcX), evX, kcX);
  v128.store(outX, f32x4.add(f32x4.add(vlogf(f32x4.add(f32x4.add(eaX, ebX), ecX)), mX), lpX));
  const eaY = v128.bitselect(maxTerm(daY), euY, kaY);
  const ebY = v128.bitselect(euY, v128.bitselect(evY, maxTerm(dbY), kcY), kaY);
  const ecY = v128.bitselect(maxTerm(dcY), evY, kcY);
  v128.store(outY, f32x4.add(f32x4.add(vlogf(f32x4.add(f32x4.add(eaY, ebY), ecY)), mY), lpY));
}

/** lp[row + ext[e + k]] for k = 0..3. */
@inline function gatherLp(lp: usize, row: i32, ext: usize, e: i32): v128 {
  let v = f32x4.splat(load<f32>(lp + (<usize>(row + ldi(ext, e)) << 2)));
  v = f32x4.replace_lane(v, 1, load<f32>(lp + (<usize>(row + ldi(ext, e + 1)) << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(lp + (<usize>(row + ldi(ext, e + 2)) << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(lp + (<usize>(row + ldi(ext, e + 3)) << 2)));
}

@inline function lanesFrom(s: i32): v128 {
  return i32x4.add(i32x4.splat(s), i32x4(0, 1, 2, 3));
}

/** One α row (float32): α_t(s) from s = 0, eight then four at a time; returns the first s left. */
function alphaRow32(lp: usize, ext: usize, skip: usize, prev: usize, cur: usize, row: i32,
  e0: i32, W: i32): i32 {
  const NEG = f32x4.splat(-Infinity);
  let s = 0;
  for (; s + 8 <= W; s += 8) {
    const a = v128.load(prev + (<usize>s << 2));
    const b = v128.bitselect(v128.load(prev + (<usize>(s - 1) << 2)), NEG,
      i32x4.gt_s(lanesFrom(s), i32x4.splat(0)));
    const c = v128.bitselect(v128.load(prev + (<usize>(s - 2) << 2)), NEG,
      i32x4.ne(v128.load(skip + (<usize>(e0 + s) << 2)), i32x4.splat(0)));
    const aY = v128.load(prev + (<usize>(s + 4) << 2));
    const bY = v128.load(prev + (<usize>(s + 3) << 2));
    const cY = v128.bitselect(v128.load(prev + (<usize>(s + 2) << 2)), NEG,
      i32x4.ne(v128.load(skip + (<usize>(e0 + s + 4) << 2)), i32x4.splat(0)));
    vlse3Pair(a, b, c, gatherLp(lp, row, ext, e0 + s), aY, bY, cY,
      gatherLp(lp, row, ext, e0 + s + 4), cur + (<usize>s << 2), cur + (<usize>(s + 4) << 2), true);
  }
  for (; s + 4 <= W; s += 4) {
    const a = v128.load(prev + (<usize>s << 2));
    const b = v128.bitselect(v128.load(prev + (<usize>(s - 1) << 2)), NEG,
      i32x4.gt_s(lanesFrom(s), i32x4.splat(0)));
    const c = v128.bitselect(v128.load(prev + (<usize>(s - 2) << 2)), NEG,
      i32x4.ne(v128.load(skip + (<usize>(e0 + s) << 2)), i32x4.splat(0)));
    v128.store(cur + (<usize>s << 2), vlse3(a, b, c, gatherLp(lp, row, ext, e0 + s)));
  }
  return s;
}

/**
 * One β row (float32) for s in [W − 4k, W), eight then four at a time from the top,
 * replacing α_t(s) by log α·β = α_t(s) + β_t(s) for {@link collect32}; returns the lowest s done.
 */
function betaRow32(lp: usize, ext: usize, skip: usize, alpha: usize, next: usize,
  cur: usize, row: i32, a: i32, e0: i32, W: i32): i32 {
  const NEG = f32x4.splat(-Infinity);
  const top = i32x4.splat(W);
  let s = W - 4;
  for (; s >= 4; s -= 8) {
    // X = [s, s + 4) with the top edge masks, Y = [s − 4, s) inside the row
    const l1 = v128.load(next + (<usize>s << 2));
    const l2 = v128.bitselect(v128.load(next + (<usize>(s + 1) << 2)), NEG,
      i32x4.lt_s(i32x4.add(lanesFrom(s), i32x4.splat(1)), top));
    const c = v128.bitselect(v128.load(next + (<usize>(s + 2) << 2)), NEG, v128.and(
      i32x4.lt_s(i32x4.add(lanesFrom(s), i32x4.splat(2)), top),
      i32x4.ne(v128.load(skip + (<usize>(e0 + s + 2) << 2)), i32x4.splat(0))));
    const y = s - 4;
    const cY = v128.bitselect(v128.load(next + (<usize>(y + 2) << 2)), NEG,
      i32x4.ne(v128.load(skip + (<usize>(e0 + y + 2) << 2)), i32x4.splat(0)));
    const outX = cur + (<usize>s << 2), outY = cur + (<usize>y << 2);
    vlse3Pair(l1, l2, c, gatherLp(lp, row, ext, e0 + s), v128.load(next + (<usize>y << 2)),
      v128.load(next + (<usize>(y + 1) << 2)), cY, gatherLp(lp, row, ext, e0 + y), outX, outY,
      false);
    const atX = alpha + (<usize>(a + s) << 2), atY = alpha + (<usize>(a + y) << 2);
    v128.store(atX, f32x4.add(v128.load(atX), v128.load(outX)));
    v128.store(atY, f32x4.add(v128.load(atY), v128.load(outY)));
  }
  for (; s >= 0; s -= 4) {
    const l1 = v128.load(next + (<usize>s << 2));
    const l2 = v128.bitselect(v128.load(next + (<usize>(s + 1) << 2)), NEG,
      i32x4.lt_s(i32x4.add(lanesFrom(s), i32x4.splat(1)), top));
    const c = v128.bitselect(v128.load(next + (<usize>(s + 2) << 2)), NEG, v128.and(
      i32x4.lt_s(i32x4.add(lanesFrom(s), i32x4.splat(2)), top),
      i32x4.ne(v128.load(skip + (<usize>(e0 + s + 2) << 2)), i32x4.splat(0))));
    const v = vlse3(l1, l2, c, gatherLp(lp, row, ext, e0 + s));
    v128.store(cur + (<usize>s << 2), v);
    const at = alpha + (<usize>(a + s) << 2);
    v128.store(at, f32x4.add(v128.load(at), v));
  }
  return s + 4;
}

/** lcab "log+=" v in four lanes (ATen's steps: −inf assigns, max, log(exp + exp) + max). */
@inline function vlogAccumulate(held: v128, v: v128): v128 {
  const NEG = f32x4.splat(-Infinity);
  const m = v128.bitselect(v, held, f32x4.lt(held, v));
  const own = f32x4.eq(m, held);                     // held is the max (not NaN)
  const dh = f32x4.sub(held, m), dv = f32x4.sub(v, m);
  const other = vexpf(v128.bitselect(dv, dh, own));
  const self = maxTerm(v128.bitselect(dh, dv, own));
  let r = f32x4.add(vlogf(f32x4.add(self, other)), m);
  r = v128.bitselect(held, r, v128.and(f32x4.eq(v, NEG), f32x4.ne(held, f32x4.splat(Infinity))));
  return v128.bitselect(v, r, f32x4.eq(held, NEG));
}

/**
 * The per-class log Σ α·β of rows t < T_b − 1 (float32) from log α·β (left in `ab` by the β
 * pass), in ATen's order (descending s), four time steps at a time in the lanes of `acc`
 * (C vectors); the rows left over one lane at a time.
 */
function collect32(grad: usize, ab: usize, ext: usize, acc: usize, il: i32, W: i32, e0: i32,
  a0: i32, b: i32, N: i32, C: i32): void {
  const NEG = f32x4.splat(-Infinity);
  let t0 = 0;
  for (; t0 + 4 <= il - 1; t0 += 4) {
    for (let c = 0; c < C; c++) v128.store(acc + (<usize>c << 4), NEG);
    const r0 = ab + (<usize>(a0 + t0 * W) << 2);
    const stride = <usize>W << 2;
    for (let s = W - 1; s >= 0; s--) {
      const q = r0 + (<usize>s << 2);
      let v = f32x4.splat(load<f32>(q));
      v = f32x4.replace_lane(v, 1, load<f32>(q + stride));
      v = f32x4.replace_lane(v, 2, load<f32>(q + 2 * stride));
      v = f32x4.replace_lane(v, 3, load<f32>(q + 3 * stride));
      const p = acc + (<usize>ldi(ext, e0 + s) << 4);
      v128.store(p, vlogAccumulate(v128.load(p), v));
    }
    for (let k = 0; k < 4; k++) {
      const row = ((t0 + k) * N + b) * C;
      const lane = acc + (<usize>k << 2);
      for (let c = 0; c < C; c++) st<f32>(grad, row + c, load<f32>(lane + (<usize>c << 4)));
    }
  }
  for (let t = t0; t < il - 1; t++) {
    const row = (t * N + b) * C;
    for (let s = W - 1; s >= 0; s--) {
      logAccumulate<f32>(grad, row + ldi(ext, e0 + s), ld<f32>(ab, a0 + t * W + s));
    }
  }
}

/** The finished gradient row (float32): exp(lp) − exp(collected + nll − lp), four at a time. */
function finishRow32(lp: usize, grad: usize, row: i32, C: i32, nll: f32): i32 {
  const NLL = f32x4.splat(nll);
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const p = lp + (<usize>(row + c) << 2);
    const g = grad + (<usize>(row + c) << 2);
    const x = v128.load(p);
    v128.store(g, f32x4.sub(vexpf(x), vexpf(f32x4.sub(f32x4.add(v128.load(g), NLL), x))));
  }
  return c;
}

/** Fills α for sample b and returns its negative log-likelihood. */
function alphaSample<T>(lp: usize, ext: usize, skip: usize, alpha: usize, il: i32, tl: i32,
  e0: i32, a0: i32, b: i32, N: i32, C: i32, blank: i32): T {
  // torch 2.x: an empty input aligns only with an empty target (1.13 reads out of bounds)
  if (il == 0) return tl == 0 ? <T>0 : <T>Infinity;
  const W = 2 * tl + 1;
  const row0 = b * C;
  for (let s = 0; s < W; s++) st<T>(alpha, a0 + s, <T>-Infinity);
  st<T>(alpha, a0, ld<T>(lp, row0 + blank));
  if (tl > 0) st<T>(alpha, a0 + 1, ld<T>(lp, row0 + ldi(ext, e0 + 1)));
  for (let t = 1; t < il; t++) {
    const prev = a0 + (t - 1) * W;
    const cur = prev + W;
    const row = (t * N + b) * C;
    let s = 0;
    if (sizeof<T>() == 4) {
      s = alphaRow32(lp, ext, skip, alpha + (<usize>prev << 2), alpha + (<usize>cur << 2), row,
        e0, W);
    }
    for (; s < W; s++) {
      const l1 = ld<T>(alpha, prev + s);
      const l2: T = s > 0 ? ld<T>(alpha, prev + s - 1) : <T>-Infinity;
      const l3: T = ldi(skip, e0 + s) != 0 ? ld<T>(alpha, prev + s - 2) : <T>-Infinity;
      st<T>(alpha, cur + s, lse3<T>(l1, l2, l3, ld<T>(lp, row + ldi(ext, e0 + s))));
    }
  }
  const last = a0 + (il - 1) * W;
  if (tl == 0) return -ld<T>(alpha, last);
  const l1 = ld<T>(alpha, last + W - 1);
  const l2 = ld<T>(alpha, last + W - 2);
  let m = l1 < l2 ? l2 : l1;                        // std::max
  if (m == <T>-Infinity) m = 0;
  return -((logT<T>(expDiff<T>(l1 - m) + expDiff<T>(l2 - m))) + m);
}

/** lcab "log+=" v: the running log Σ α·β of one class (−inf: not yet set). */
@inline function logAccumulate<T>(grad: usize, at: i32, v: T): void {
  const held = ld<T>(grad, at);
  if (v == <T>-Infinity && held != <T>Infinity) return;   // log(1 + 0) + held is held
  if (held == <T>-Infinity) {
    st<T>(grad, at, v);
    return;
  }
  const m = held < v ? v : held;
  const gap = held < v ? held - v : v - held;       // NaN when either is, −inf at +inf
  if (gap < tinyGap<T>(2) && gap > <T>-Infinity) {
    st<T>(grad, at, <T>0 + m);
    return;
  }
  st<T>(grad, at, logT<T>(expDiff<T>(held - m) + expDiff<T>(v - m)) + m);
}

/** β for sample b, collecting log Σ α·β per class in grad[t, b, ·] (rows preset to −inf). */
function betaSample<T>(lp: usize, grad: usize, ext: usize, skip: usize, alpha: usize,
  beta: usize, acc: usize, il: i32, tl: i32, e0: i32, a0: i32, b: i32, N: i32, C: i32,
  blank: i32): void {
  const W = 2 * tl + 1;
  let next = beta;
  let cur = beta + (<usize>W << alignof<T>());
  let t = il - 1;
  let row = (t * N + b) * C;
  let a = a0 + t * W;
  for (let s = 0; s < W; s++) st<T>(next, s, <T>-Infinity);
  st<T>(next, W - 1, ld<T>(lp, row + blank));
  st<T>(grad, row + blank, ld<T>(alpha, a + W - 1) + ld<T>(next, W - 1));
  if (tl > 0) {
    const label = ldi(ext, e0 + W - 2);
    st<T>(next, W - 2, ld<T>(lp, row + label));
    st<T>(grad, row + label, ld<T>(alpha, a + W - 2) + ld<T>(next, W - 2));
  }
  for (t = il - 2; t >= 0; t--) {
    row = (t * N + b) * C;
    a = a0 + t * W;
    let s = W - 1;
    if (sizeof<T>() == 4) {
      s = betaRow32(lp, ext, skip, alpha, next, cur, row, a, e0, W) - 1;
    }
    for (; s >= 0; s--) {
      const l1 = ld<T>(next, s);
      const l2: T = s + 1 < W ? ld<T>(next, s + 1) : <T>-Infinity;
      const l3: T = s + 2 < W && ldi(skip, e0 + s + 2) != 0 ? ld<T>(next, s + 2) : <T>-Infinity;
      const label = ldi(ext, e0 + s);
      const v = lse3<T>(l1, l2, l3, ld<T>(lp, row + label));
      st<T>(cur, s, v);
      if (sizeof<T>() == 4) st<T>(alpha, a + s, ld<T>(alpha, a + s) + v);
      else logAccumulate<T>(grad, row + label, ld<T>(alpha, a + s) + v);
    }
    const swap = next;
    next = cur;
    cur = swap;
  }
  if (sizeof<T>() == 4) collect32(grad, alpha, ext, acc, il, W, e0, a0, b, N, C);
}

function fillRows<T>(grad: usize, b: i32, t0: i32, t1: i32, N: i32, C: i32, v: T): void {
  for (let t = t0; t < t1; t++) {
    const row = (t * N + b) * C;
    for (let c = 0; c < C; c++) st<T>(grad, row + c, v);
  }
}

/** grad = exp(lp) − exp(collected + nll − lp) for t < inputLength (upstream 1), 0 after. */
function finishSample<T>(lp: usize, grad: usize, il: i32, nll: T, b: i32, T_: i32, N: i32,
  C: i32): void {
  for (let t = 0; t < il; t++) {
    const row = (t * N + b) * C;
    let c = row;
    if (sizeof<T>() == 4) c += finishRow32(lp, grad, row, C, <f32>nll);
    for (; c < row + C; c++) {
      const x = ld<T>(lp, c);
      st<T>(grad, c, expT<T>(x) - expDiff<T>((ld<T>(grad, c) + nll) - x));
    }
  }
  fillRows<T>(grad, b, il, T_, N, C, 0);
}

function ctcSamples<T>(lp: usize, grad: usize, meta: usize, ext: usize, skip: usize,
  alpha: usize, beta: usize, acc: usize, nll: usize, T_: i32, N: i32, C: i32, blank: i32,
  zeroInf: i32, b0: i32, b1: i32): f64 {
  for (let k = b0; k < b1; k++) {
    const il = ldi(meta, 5 * k), tl = ldi(meta, 5 * k + 1);
    const e0 = ldi(meta, 5 * k + 2), a0 = ldi(meta, 5 * k + 3), b = ldi(meta, 5 * k + 4);
    const loss = alphaSample<T>(lp, ext, skip, alpha, il, tl, e0, a0, b, N, C, blank);
    store<f64>(nll + (<usize>b << 3), <f64>loss);
    if (grad == 0) continue;
    if (zeroInf != 0 && loss == <T>Infinity) {
      fillRows<T>(grad, b, 0, T_, N, C, 0);
      continue;
    }
    fillRows<T>(grad, b, 0, il, N, C, <T>-Infinity);
    if (il > 0) {
      betaSample<T>(lp, grad, ext, skip, alpha, beta + (<usize>(2 * e0) << alignof<T>()),
        acc + (<usize>(b * C) << 4), il,
        tl, e0, a0, b, N, C, blank);
    }
    finishSample<T>(lp, grad, il, loss, b, T_, N, C);
  }
  return 0;
}

/**
 * float32 CTC over meta entries [b0, b1): nll (f64 per sample) and, when grad ≠ 0, the
 * gradient.
 */
export function ctc_f32(lp: usize, grad: usize, meta: usize, ext: usize, skip: usize,
  alpha: usize, beta: usize, acc: usize, nll: usize, T: i32, N: i32, C: i32, blank: i32,
  zeroInf: i32, b0: i32, b1: i32): f64 {
  return ctcSamples<f32>(lp, grad, meta, ext, skip, alpha, beta, acc, nll, T, N, C, blank, zeroInf,
    b0, b1);
}

/** float64 CTC, as {@link ctc_f32}. */
export function ctc_f64(lp: usize, grad: usize, meta: usize, ext: usize, skip: usize,
  alpha: usize, beta: usize, acc: usize, nll: usize, T: i32, N: i32, C: i32, blank: i32,
  zeroInf: i32, b0: i32, b1: i32): f64 {
  return ctcSamples<f64>(lp, grad, meta, ext, skip, alpha, beta, acc, nll, T, N, C, blank, zeroInf,
    b0, b1);
}
