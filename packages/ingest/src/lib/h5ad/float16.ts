/**
 * Half-precision (IEEE 754 binary16) values as float32. anndata writes X as float16 when a user
 * asked for it to save space; h5wasm has no float16 type and refuses to read it, so the reader
 * fetches the raw 16-bit patterns (`readFloat16Bits`) and decodes them here. Pure arithmetic, no I/O.
 */

/** 2^-24: the value of the smallest subnormal half (exponent bits 0, mantissa 1) */
const SUBNORMAL_UNIT = 2 ** -24;

/** Decodes one binary16 bit pattern (0–65535) to its exact value (every half is exact in float32). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * SUBNORMAL_UNIT;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

/** Decodes an array of binary16 bit patterns; a 65,536-entry table makes it one lookup per value. */
export function halvesToFloat32(bits: Uint16Array): Float32Array {
  const table = decodeTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

let table: Float32Array | undefined;
function decodeTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) table[b] = halfToFloat(b);
  }
  return table;
}
