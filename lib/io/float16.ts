/**
 * IEEE 754 binary16 decoding. Node 20 has neither Float16Array nor DataView.getFloat16, so MRC mode 12 is decoded
 * by hand through a 65,536-entry table (built once, 256 KiB).
 */

let table: Float32Array | null = null;

/** Value of one half-precision bit pattern (0..65535): normals, subnormals, ±0, ±Inf and NaN. */
export function float16BitsToNumber(bits: number): number {
  const negative = (bits & 0x8000) !== 0;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  let magnitude: number;
  if (exponent === 0) magnitude = fraction * 2 ** -24; // subnormal (or zero): no implicit leading 1
  else if (exponent === 31) magnitude = fraction === 0 ? Infinity : NaN;
  else magnitude = (1 + fraction / 1024) * 2 ** (exponent - 15);
  return negative ? -magnitude : magnitude;
}

/** Lookup table from bit pattern to value; every half value is exact in float32. */
export function float16Table(): Float32Array {
  if (table === null) {
    table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) table[bits] = float16BitsToNumber(bits);
  }
  return table;
}
