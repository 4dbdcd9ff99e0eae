/** Helpers that build malformed MRC files from real ones, for the reader tests. */
import { readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";

const ROOT = new URL("../../", import.meta.url);

/** Bytes of a file given relative to the repository root, inflated if it is gzip. */
export function loadMap(relativePath: string, { inflate = true } = {}): Uint8Array {
  const bytes = new Uint8Array(readFileSync(new URL(relativePath, ROOT)));
  return inflate && bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
}

export const EMD_3197 = "data/maps/emd_3197.map";

/** A copy of `bytes` with an edit applied through a little-endian-by-default DataView. */
export function edited(bytes: Uint8Array, edit: (view: DataView, copy: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer, copy.byteOffset, copy.byteLength), copy);
  return copy;
}

export const withInt32 = (bytes: Uint8Array, offset: number, value: number, littleEndian = true) =>
  edited(bytes, (view) => view.setInt32(offset, value, littleEndian));

export const withFloat32 = (bytes: Uint8Array, offset: number, value: number, littleEndian = true) =>
  edited(bytes, (view) => view.setFloat32(offset, value, littleEndian));

export const withBytes = (bytes: Uint8Array, offset: number, patch: ArrayLike<number>) =>
  edited(bytes, (_view, copy) => copy.set(Array.from(patch), offset));

export const withAscii = (bytes: Uint8Array, offset: number, text: string) =>
  withBytes(bytes, offset, Array.from(text, (ch) => ch.charCodeAt(0)));

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));

/** Swap every 4-byte word of the header and every `wordBytes` word of the data: a big-endian copy of an LE map. */
export function toBigEndian(bytes: Uint8Array, wordBytes: number, dataOffset = 1024): Uint8Array {
  const copy = bytes.slice();
  const swap = (start: number, end: number, size: number) => {
    for (let i = start; i + size <= end; i += size) copy.subarray(i, i + size).reverse();
  };
  swap(0, 208, 4); // numeric words before the MAP id and stamp
  swap(216, 224, 4); // RMS, NLABL
  copy.set([0x11, 0x11, 0, 0], 212);
  if (wordBytes > 1) swap(dataOffset, copy.length, wordBytes);
  return copy;
}
