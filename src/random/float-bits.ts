/**
 * Word access to doubles through one scratch Float64Array. The endianness is detected once,
 * so big-endian hosts work too: `WORDS[HI]` is the sign/exponent word, `WORDS[LO]` the low
 * mantissa word of `SCRATCH[0]`.
 */
export const SCRATCH = new Float64Array(1);
export const WORDS = new Uint32Array(SCRATCH.buffer);
SCRATCH[0] = 1; // 0x3ff00000_00000000: only the high word is non-zero
export const HI = WORDS[1] !== 0 ? 1 : 0;
export const LO = 1 - HI;
