/**
 * MRC2014 / CCP4 map reader: header, byte order, modes 0/1/2/6/12, axis permutation to x-fastest, voxel size,
 * origin, statistics recomputed from the data, and warnings for everything suspicious but readable.
 *
 * Every size is checked (in float64) against the bytes present and `maxBytes` before anything is allocated, and
 * bad input only ever raises MapFormatError with a stable code and a message naming the field, the value and what
 * was expected. The rules follow the MRC2014 spec (docs/reference/mrc-format.md "Reader rules").
 */
import { MapFormatError } from "../errors.js";
import { float16Table } from "./float16.js";
import { inflateChunks } from "./gzip.js";
import type { Vec3, Volume } from "./volume.js";

export interface MapHeader {
  /** Columns, rows, sections in file order (NC, NR, NS = MRC NX, NY, NZ). */
  nc: number;
  nr: number;
  ns: number;
  mode: number;
  /** Spatial axis (1 = x, 2 = y, 3 = z) of the columns, rows and sections. */
  mapc: number;
  mapr: number;
  maps: number;
  /** START words as stored, in column, row, section order. */
  nxstart: number;
  nystart: number;
  nzstart: number;
  /** Unit-cell sampling along x, y, z. */
  mx: number;
  my: number;
  mz: number;
  /** CELLA in Å and CELLB in degrees, x, y, z order. */
  cell: Vec3;
  angles: Vec3;
  dmin: number;
  dmax: number;
  dmean: number;
  rms: number;
  ispg: number;
  nsymbt: number;
  nversion: number;
  /** ORIGIN words (Å, x, y, z) as stored. */
  origin: Vec3;
  littleEndian: boolean;
  /** NLABL as stored (may be out of 0..10). */
  nlabl: number;
  /** The first min(max(NLABL, 0), 10) labels, non-printable characters removed, trailing blanks trimmed. */
  labels: string[];
  /** EXTTYP, printable characters only ("" when blank). */
  extType: string;
}

export interface MapStats {
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation. All statistics are over finite voxels, accumulated in float64. */
  std: number;
  nanCount: number;
  infCount: number;
  finiteCount: number;
}

export interface MapReadResult {
  volume: Volume;
  header: MapHeader;
  stats: MapStats;
  warnings: string[];
  /** [MAPC, MAPR, MAPS] as in the file (1-based spatial axis of the file's columns, rows, sections). */
  axisOrder: [number, number, number];
  /** Where volume.origin came from; "none" when neither field gave a usable non-zero position. */
  originSource: "ORIGIN" | "NSTART" | "none";
}

export interface ReadOptions {
  /** Largest uncompressed map (and decoded float32 volume) in bytes; default 2 GiB. */
  maxBytes?: number;
  /** Replace an undefined voxel size (cell or sampling ≤ 0) by 1 Å with a warning instead of null. */
  lenientVoxelSize?: boolean;
  /** Force mode 0 to be read as signed (true) or unsigned (false) bytes, overriding the IMOD flags. */
  signedBytes?: boolean;
  /**
   * The caller hands the bytes over and will not change them: native float32 voxels in x-fastest order are then a
   * view of them instead of a copy (which costs a pass and the volume's memory again).
   */
  handOverBytes?: boolean;
}

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
/**
 * Largest map the site's open-a-map page reads (a file, and the map it inflates to): 600 MiB, a 512³ float32 map and
 * room for its header. The page's worker holds the map, a copy for the figures and the sections' grids; larger maps
 * are for `mapval report`.
 */
export const OPEN_MAP_MAX_BYTES = 600 * 1024 ** 2;
export const HEADER_BYTES = 1024;

const IMOD_STAMP = 1146047817;
const platformIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const SUPPORTED_MODES = "0, 1, 2, 6, 12";
const BYTES_PER_VOXEL: Record<number, number> = { 0: 1, 1: 2, 2: 4, 6: 2, 12: 2 };
const MODE_NAMES: Record<number, string> = {
  0: "int8",
  1: "int16",
  2: "float32",
  3: "complex int16 transform",
  4: "complex float32 transform",
  6: "uint16",
  12: "float16",
  101: "4-bit packed",
};
/** Modes any MRC writer produces; used only to tell the byte order, not to decide support. */
const KNOWN_MODES = new Set([0, 1, 2, 3, 4, 6, 12, 16, 101]);

/** Human name of a MODE value, e.g. "float32". */
export function modeName(mode: number): string {
  return MODE_NAMES[mode] ?? "unknown";
}

/** True when the bytes start with the gzip magic 1f 8b (and are not an MRC header that happens to). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b && !hasMapId(bytes);
}

/** Parse an uncompressed MRC/CCP4 file. */
export function parseMap(bytes: Uint8Array, options: ReadOptions = {}): MapReadResult {
  const plan = inspectHeader(bytes, options, false);
  const start = HEADER_BYTES + locateData(plan, bytes.length - HEADER_BYTES);
  const data = bytes.subarray(start, start + plan.dataBytes);
  const ownsData = options.handOverBytes === true;
  return decodeMap(bytes.subarray(0, HEADER_BYTES), plan, data, options, { streamContinues: false, ownsData });
}

/** Read an MRC/CCP4 file, gzip-compressed or not (told by its magic bytes, not its name). */
export async function readMap(bytes: Uint8Array, options: ReadOptions = {}): Promise<MapReadResult> {
  return isGzip(bytes) ? readGzipMap(bytes, options) : parseMap(bytes, options);
}

/**
 * Inflate a gzip map keeping only what the result needs: the 1024-byte header, then the data in one buffer sized
 * from the header (never grown, never copied to float32 when it already is native float32). The extended header is
 * inflated and dropped, except that the first data-sized run after the header is kept while NSYMBT may still prove
 * bogus (a file of exactly header + data). Inflation stops at 1024 + NSYMBT + data bytes.
 */
async function readGzipMap(gz: Uint8Array, options: ReadOptions): Promise<MapReadResult> {
  const head = new Uint8Array(HEADER_BYTES);
  let headLength = 0;
  let plan: HeaderPlan | null = null;
  let body: Uint8Array = new Uint8Array(0);
  /** [from, to, offset in body]: which bytes after the header are kept, and where. */
  let windows: [number, number, number][] = [];
  let end = 0;
  let position = 0; // bytes inflated after the header

  const { streamContinues } = await inflateChunks(gz, (chunk) => {
    let offset = 0;
    if (plan === null) {
      offset = Math.min(chunk.length, HEADER_BYTES - headLength);
      head.set(chunk.subarray(0, offset), headLength);
      headLength += offset;
      if (headLength < HEADER_BYTES) return offset;
      plan = inspectHeader(head, options, true);
      const { nsymbt } = plan.header;
      const { dataBytes } = plan;
      end = nsymbt + dataBytes;
      // An extended header shorter than the data is kept (the data follows it in one buffer); a longer one is not.
      const split = nsymbt >= dataBytes;
      body = allocate(split ? dataBytes : end, plan);
      windows = split ? [[0, dataBytes, 0], [nsymbt, end, 0]] : [[0, end, 0]];
    }
    while (offset < chunk.length && position < end) {
      const window = windows.find(([from, to]) => position >= from && position < to);
      const limit = window ? window[1] : windows.find(([from]) => from > position)![0];
      const run = Math.min(chunk.length - offset, limit - position);
      if (window) body.set(chunk.subarray(offset, offset + run), window[2] + position - window[0]);
      offset += run;
      position += run;
    }
    return offset;
  });
  if (plan === null) return parseMap(head.subarray(0, headLength), options); // shorter than a header: its error
  const found: HeaderPlan = plan;
  const start = locateData(found, position);
  const inBody = windows.length === 1 ? start : 0; // split: both candidates were written at the start of the body
  const data = body.subarray(inBody, inBody + found.dataBytes);
  return decodeMap(head, found, data, options, { streamContinues, ownsData: true });
}

function allocate(bytes: number, plan: HeaderPlan): Uint8Array {
  try {
    return new Uint8Array(bytes);
  } catch {
    throw new MapFormatError("too-large", `cannot allocate ${bytes} bytes for ${plan.voxelCount} voxels on this platform`);
  }
}

interface HeaderPlan {
  header: MapHeader;
  warnings: string[];
  bytesPerVoxel: number;
  /** Spatial size (nx, ny, nz) after applying MAPC/MAPR/MAPS. */
  shape: Vec3;
  voxelCount: number;
  dataBytes: number;
  /** 1024 + NSYMBT + data bytes, as the header declares. */
  totalBytes: number;
}

/**
 * Where the data starts among the `available` bytes after the 1024-byte header: after the extended header, or right
 * after the header when NSYMBT is bogus (exactly header + data present). Throws when the data is not all there.
 */
function locateData(plan: HeaderPlan, available: number): number {
  const { header, warnings, dataBytes } = plan;
  const declared = header.nsymbt + dataBytes;
  if (available >= declared) {
    if (available > declared) warnings.push(`${available - declared} trailing bytes after the data block were ignored`);
    return header.nsymbt;
  }
  if (header.nsymbt > 0 && available === dataBytes) {
    warnings.push(
      `NSYMBT is ${header.nsymbt} but the file holds exactly the 1024-byte header and the data; the extended header was assumed absent`,
    );
    return 0;
  }
  if (header.nsymbt > available) {
    throw new MapFormatError(
      "bad-nsymbt",
      `NSYMBT is ${header.nsymbt} but only ${available} bytes follow the 1024-byte header; expected an extended header that fits in the file`,
    );
  }
  throw new MapFormatError(
    "data-truncated",
    `data block truncated: ${header.nc}×${header.nr}×${header.ns} voxels of MODE ${header.mode} need ${dataBytes} bytes from byte ${HEADER_BYTES + header.nsymbt}, but the file has only ${available - header.nsymbt}`,
  );
}

/**
 * The result from the header, its plan and exactly the data bytes. `ownsData`: the bytes are the reader's own
 * (inflated), so native float32 data becomes the volume without a copy.
 */
function decodeMap(
  head: Uint8Array,
  plan: HeaderPlan,
  bytes: Uint8Array,
  options: ReadOptions,
  { streamContinues, ownsData }: { streamContinues: boolean; ownsData: boolean },
): MapReadResult {
  const { header, warnings, totalBytes } = plan;
  if (streamContinues) {
    warnings.push(`the gzip stream continues past the ${totalBytes} bytes the header declares; the rest was not read`);
  }

  const unsignedBytes = header.mode === 0 && bytesAreUnsigned(head, header.littleEndian, options.signedBytes);
  if (unsignedBytes && options.signedBytes === undefined) {
    warnings.push("MODE 0 read as unsigned bytes (0..255), as the IMOD stamp with imodFlags bit 0 clear says");
  }
  const data = decodeVoxels(bytes, plan, unsignedBytes, ownsData);
  const stats = computeStats(data);
  statsByData.set(data, stats);
  if (stats.finiteCount === 0) {
    throw new MapFormatError(
      "no-finite-voxels",
      `all ${data.length} voxels are NaN or infinite; expected at least one finite value`,
    );
  }
  if (stats.nanCount > 0 || stats.infCount > 0) {
    warnings.push(`${stats.nanCount} NaN and ${stats.infCount} infinite voxels; statistics use the finite ones only`);
  }
  const statsMismatch = compareHeaderStats(header, stats);
  if (statsMismatch) warnings.push(statsMismatch);

  const voxelSize = voxelSizeOf(header, options.lenientVoxelSize === true, warnings);
  const { origin, originSource } = originOf(header, plan.shape, voxelSize, warnings);
  checkAngles(header.angles, warnings);
  checkStack(header, plan.shape, warnings);

  const [nx, ny, nz] = plan.shape;
  return {
    volume: { nx, ny, nz, data, voxelSize, origin },
    header,
    stats,
    warnings,
    axisOrder: [header.mapc, header.mapr, header.maps],
    originSource,
  };
}

/**
 * Everything that can be checked from the 1024-byte header alone, ending with the size checks against `maxBytes`.
 * `streaming` means the caller will inflate `totalBytes`, so NSYMBT counts towards the limit too.
 */
function inspectHeader(bytes: Uint8Array, options: ReadOptions, streaming: boolean): HeaderPlan {
  if (bytes.length < HEADER_BYTES) {
    const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? " (and it starts like gzip)" : "";
    throw new MapFormatError("too-short", `file too short for an MRC header (${bytes.length} < 1024 bytes)${gz}`);
  }
  const warnings: string[] = [];
  const id = latin1(bytes, 208, 4);
  if (id === "MAP\0") {
    warnings.push('map ID at byte 208 is "MAP\\0" instead of "MAP " (written by e.g. MotionCor2); accepted');
  } else if (id !== "MAP ") {
    const hint = isGzip(bytes) ? "; the data is gzip-compressed (starts with 1f 8b; compressed twice?)" : "";
    throw new MapFormatError(
      "not-mrc",
      `map ID at byte 208 is ${JSON.stringify(id)}; expected "MAP " (not an MRC/CCP4 map, or a corrupt header)${hint}`,
    );
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const littleEndian = chooseByteOrder(bytes, view, warnings);
  const header = readHeader(bytes, view, littleEndian, warnings);

  const bytesPerVoxel = BYTES_PER_VOXEL[header.mode];
  if (bytesPerVoxel === undefined) {
    const kind = header.mode === 3 || header.mode === 4 ? " (complex transform data)" : ` (${modeName(header.mode)})`;
    throw new MapFormatError("unsupported-mode", `MODE is ${header.mode}${kind}; supported: ${SUPPORTED_MODES}`);
  }
  for (const [name, value] of [
    ["NX (NC)", header.nc],
    ["NY (NR)", header.nr],
    ["NZ (NS)", header.ns],
  ] as const) {
    if (value <= 0) {
      const empty = value === 0 ? " (empty map)" : "";
      throw new MapFormatError("bad-dimensions", `${name} is ${value}${empty}; expected a positive voxel count`);
    }
  }
  if (!isPermutation(header.mapc, header.mapr, header.maps)) {
    throw new MapFormatError(
      "bad-axis-order",
      `MAPC/MAPR/MAPS are ${header.mapc},${header.mapr},${header.maps}; expected a permutation of 1,2,3`,
    );
  }
  if (header.nsymbt < 0) {
    throw new MapFormatError("bad-nsymbt", `NSYMBT is ${header.nsymbt}; expected an extended-header size ≥ 0`);
  }

  const shape: Vec3 = [0, 0, 0];
  shape[header.mapc - 1] = header.nc;
  shape[header.mapr - 1] = header.nr;
  shape[header.maps - 1] = header.ns;
  if (header.ispg >= 401 && header.ispg <= 630 && (header.mz <= 0 || shape[2] % header.mz !== 0)) {
    throw new MapFormatError(
      "bad-volume-stack",
      `ISPG ${header.ispg} marks a volume stack, but NZ ${shape[2]} is not a multiple of MZ ${header.mz}; expected NZ = volumes × MZ`,
    );
  }

  // float64 products: exact up to 2^53 and monotonic beyond, which is all a limit check needs.
  const voxelCount = header.nc * header.nr * header.ns;
  const dataBytes = voxelCount * bytesPerVoxel;
  const totalBytes = HEADER_BYTES + header.nsymbt + dataBytes;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const declared = streaming ? totalBytes : HEADER_BYTES + dataBytes;
  if (!(declared <= maxBytes && voxelCount * 4 <= maxBytes)) {
    throw new MapFormatError(
      "too-large",
      `header declares ${header.nc}×${header.nr}×${header.ns} voxels of MODE ${header.mode} (${declared} bytes, ${voxelCount * 4} as float32); the limit is ${maxBytes} bytes`,
    );
  }
  return { header, warnings, bytesPerVoxel, shape, voxelCount, dataBytes, totalBytes };
}

function hasMapId(bytes: Uint8Array): boolean {
  return bytes.length >= 212 && bytes[208] === 0x4d && bytes[209] === 0x41 && bytes[210] === 0x50;
}

function latin1(bytes: Uint8Array, start: number, length: number): string {
  let text = "";
  for (let i = start; i < start + length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

function printable(bytes: Uint8Array, start: number, length: number): string {
  let text = "";
  for (let i = start; i < start + length; i++) if (bytes[i] >= 0x20 && bytes[i] < 0x7f) text += String.fromCharCode(bytes[i]);
  return text.trimEnd();
}

function isPermutation(a: number, b: number, c: number): boolean {
  return [a, b, c].every((v) => v === 1 || v === 2 || v === 3) && a !== b && b !== c && a !== c;
}

/** Header fields that only make sense in the right byte order: positive sizes, a known MODE, valid MAPC/R/S. */
function plausibleIn(view: DataView, littleEndian: boolean): boolean {
  const word = (offset: number) => view.getInt32(offset, littleEndian);
  return (
    word(0) > 0 &&
    word(4) > 0 &&
    word(8) > 0 &&
    KNOWN_MODES.has(word(12)) &&
    isPermutation(word(64), word(68), word(72))
  );
}

/**
 * MACHST byte 0 says 0x44 (little-endian) or 0x11 (big-endian). A stamp is trusted when the header reads plausibly
 * in its order; otherwise the plausible order wins with a warning. With no usable stamp exactly one order must fit.
 */
function chooseByteOrder(bytes: Uint8Array, view: DataView, warnings: string[]): boolean {
  const stamp = Array.from(bytes.subarray(212, 216), (b) => b.toString(16).padStart(2, "0")).join(" ");
  const stamped = bytes[212] === 0x44 ? true : bytes[212] === 0x11 ? false : null;
  const little = plausibleIn(view, true);
  const big = plausibleIn(view, false);
  const name = (le: boolean) => (le ? "little-endian" : "big-endian");
  if (stamped !== null) {
    if (stamped ? little : big) return stamped;
    if (stamped ? big : little) {
      warnings.push(
        `machine stamp ${stamp} says ${name(stamped)} but the header only makes sense as ${name(!stamped)}; read as ${name(!stamped)}`,
      );
      return !stamped;
    }
    return stamped; // neither order fits: keep the stamp so the field checks name the bad value
  }
  if (little !== big) {
    warnings.push(`machine stamp ${stamp} is not recognised; the header reads as ${name(little)}`);
    return little;
  }
  throw new MapFormatError(
    "byte-order",
    `machine stamp ${stamp} is not recognised (expected 44 41 / 44 44 or 11 11) and the header is ${little ? "plausible in both byte orders" : "implausible in both byte orders (NX/NY/NZ, MODE, MAPC/MAPR/MAPS)"}`,
  );
}

function readHeader(bytes: Uint8Array, view: DataView, littleEndian: boolean, warnings: string[]): MapHeader {
  const int = (offset: number) => view.getInt32(offset, littleEndian);
  const float = (offset: number) => view.getFloat32(offset, littleEndian);
  const position = (offset: number) => float32AsWritten(float(offset));
  const nlabl = int(220);
  const labelCount = Math.min(Math.max(nlabl, 0), 10);
  if (labelCount !== nlabl) warnings.push(`NLABL is ${nlabl}; expected 0..10, read ${labelCount} labels`);
  const labels: string[] = [];
  for (let i = 0; i < labelCount; i++) labels.push(printable(bytes, 224 + 80 * i, 80));
  return {
    nc: int(0),
    nr: int(4),
    ns: int(8),
    mode: int(12),
    nxstart: int(16),
    nystart: int(20),
    nzstart: int(24),
    mx: int(28),
    my: int(32),
    mz: int(36),
    cell: [float(40), float(44), float(48)],
    angles: [float(52), float(56), float(60)],
    mapc: int(64),
    mapr: int(68),
    maps: int(72),
    dmin: float(76),
    dmax: float(80),
    dmean: float(84),
    ispg: int(88),
    nsymbt: int(92),
    extType: printable(bytes, 104, 4).trim(),
    nversion: int(108),
    origin: [position(196), position(200), position(204)],
    rms: float(216),
    nlabl,
    labels,
    littleEndian,
  };
}

/**
 * The shortest decimal that is stored as this float32: the value the writer meant (2.02, not 2.0199999809…), so Ts³
 * and everything scaled by it agree with EMDB's metadata instead of carrying float32 noise.
 */
export function float32AsWritten(stored: number): number {
  if (!Number.isFinite(stored)) return stored;
  for (let digits = 1; digits < 9; digits++) {
    const decimal = Number(stored.toPrecision(digits));
    if (Math.fround(decimal) === stored) return decimal;
  }
  return stored;
}

/** Mode 0 is signed (MRC2014) unless the IMOD stamp is present with imodFlags bit 0 clear, or the caller says. */
function bytesAreUnsigned(bytes: Uint8Array, littleEndian: boolean, signedBytes: boolean | undefined): boolean {
  if (signedBytes !== undefined) return !signedBytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  return view.getInt32(152, littleEndian) === IMOD_STAMP && (view.getInt32(156, littleEndian) & 1) === 0;
}

/**
 * The voxels (`bytes`: exactly the data block) as an x-fastest float32 array, converting type and byte order through
 * a DataView: a new array, or, when `mayAlias` and the data already is native float32 in x-fastest order, a view.
 */
function decodeVoxels(bytes: Uint8Array, plan: HeaderPlan, unsignedBytes: boolean, mayAlias: boolean): Float32Array {
  const { header, shape, voxelCount } = plan;
  const le = header.littleEndian;
  const stride: Vec3 = [1, shape[0], shape[0] * shape[1]];
  const strideC = stride[header.mapc - 1];
  const strideR = stride[header.mapr - 1];
  const strideS = stride[header.maps - 1];
  const identity = strideC === 1 && strideR === header.nc && strideS === header.nc * header.nr;
  const native = header.mode === 2 && identity && le === platformIsLittleEndian && bytes.byteOffset % 4 === 0;
  if (native && mayAlias) return new Float32Array(bytes.buffer, bytes.byteOffset, voxelCount);

  let data: Float32Array;
  try {
    data = new Float32Array(voxelCount);
  } catch {
    throw new MapFormatError("too-large", `cannot allocate ${voxelCount} float32 voxels on this platform`);
  }
  if (native) {
    data.set(new Float32Array(bytes.buffer, bytes.byteOffset, voxelCount));
    return data;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, plan.dataBytes);

  const read = voxelReader(view, header.mode, le, unsignedBytes);
  const step = plan.bytesPerVoxel;
  let offset = 0;
  for (let s = 0; s < header.ns; s++) {
    for (let r = 0; r < header.nr; r++) {
      let out = s * strideS + r * strideR;
      for (let c = 0; c < header.nc; c++, out += strideC, offset += step) data[out] = read(offset);
    }
  }
  return data;
}

function voxelReader(view: DataView, mode: number, le: boolean, unsignedBytes: boolean): (offset: number) => number {
  switch (mode) {
    case 0:
      return unsignedBytes ? (o) => view.getUint8(o) : (o) => view.getInt8(o);
    case 1:
      return (o) => view.getInt16(o, le);
    case 6:
      return (o) => view.getUint16(o, le);
    case 12: {
      const half = float16Table();
      return (o) => half[view.getUint16(o, le)];
    }
    default:
      return (o) => view.getFloat32(o, le);
  }
}


const statsByData = new WeakMap<Float32Array, MapStats>();

/**
 * The statistics the reader computed for the map data it returned (map data is never changed in place), so that the
 * analysis does not pass over the box again for what they already say; undefined for data that did not come from it.
 */
export function readerStats(data: Float32Array): MapStats | undefined {
  return statsByData.get(data);
}

/** min, max, mean and population std over finite voxels (float64, two passes), plus NaN/Inf counts. */
export function computeStats(data: Float32Array): MapStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finiteCount = 0;
  let nanCount = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v) nanCount++;
    else if (v !== Infinity && v !== -Infinity) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      finiteCount++;
    }
  }
  const infCount = data.length - finiteCount - nanCount;
  if (finiteCount === 0) return { min: NaN, max: NaN, mean: NaN, std: NaN, nanCount, infCount, finiteCount };
  const mean = sum / finiteCount;
  let squares = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v)) squares += (v - mean) * (v - mean);
  }
  return { min, max, mean, std: Math.sqrt(squares / finiteCount), nanCount, infCount, finiteCount };
}

/**
 * Header DMIN/DMAX/DMEAN/RMS against the data, skipping the MRC2014 "unknown" sentinels (DMAX < DMIN,
 * DMEAN < min(DMIN, DMAX), RMS < 0) and RMS 0, which many writers leave unset.
 */
function compareHeaderStats(header: MapHeader, stats: MapStats): string | null {
  const scale = Math.max(Math.abs(stats.min), Math.abs(stats.max));
  const exactTolerance = 1e-3 * scale; // allows for header stats computed before quantising to int or float16
  const spreadTolerance = 0.01 * stats.std + 1e-5 * scale;
  const differences: string[] = [];
  const compare = (name: string, found: number, actual: number, tolerance: number) => {
    if (!(Math.abs(found - actual) <= tolerance)) differences.push(`${name} ${fmt(found)} vs ${fmt(actual)}`);
  };
  const { dmin, dmax, dmean, rms } = header;
  if (Number.isNaN(dmin) || Number.isNaN(dmax) || Number.isNaN(dmean) || Number.isNaN(rms)) {
    differences.push("the header holds NaN statistics");
  } else {
    if (dmax >= dmin) {
      compare("DMIN", dmin, stats.min, exactTolerance);
      compare("DMAX", dmax, stats.max, exactTolerance);
    }
    if (dmean >= Math.min(dmin, dmax)) compare("DMEAN", dmean, stats.mean, spreadTolerance);
    if (rms > 0) compare("RMS", rms, stats.std, spreadTolerance);
  }
  return differences.length === 0
    ? null
    : `header statistics disagree with the data (header vs recomputed): ${differences.join(", ")}`;
}

function fmt(value: number): string {
  return Number(value.toPrecision(7)).toString();
}

/** CELLA / M per axis (never / N). Undefined components give null, or 1 Å each when lenient. */
function voxelSizeOf(header: MapHeader, lenient: boolean, warnings: string[]): Vec3 | null {
  const sampling: Vec3 = [header.mx, header.my, header.mz];
  // mrcfile keeps the voxel size as a float32 record; its shortest decimal is the spacing EMDB publishes (1.05, not 1.0499999).
  const size = header.cell.map((length, i) => float32AsWritten(Math.fround(length / sampling[i]))) as Vec3;
  const bad = [0, 1, 2].filter((i) => !(Number.isFinite(size[i]) && size[i] > 0 && sampling[i] > 0));
  if (bad.length === 0) return size;
  const axes = bad.map((i) => `${"xyz"[i]} (CELLA ${header.cell[i]} / M${"XYZ"[i]} ${sampling[i]})`).join(", ");
  if (lenient) {
    for (const i of bad) size[i] = 1;
    warnings.push(`voxel size undefined along ${axes}; 1 Å assumed there`);
    return size;
  }
  warnings.push(`voxel size undefined along ${axes}; expected CELLA / M finite and > 0, so no voxel size is set`);
  return null;
}

/**
 * ORIGIN (Å) when it is finite, non-zero and not absurdly large (|o| < 1e6 voxels); otherwise NSTART (permuted to
 * x, y, z) times the voxel size, unless START is implausible (|s| > 10 × the largest of M and N).
 */
function originOf(
  header: MapHeader,
  shape: Vec3,
  voxelSize: Vec3 | null,
  warnings: string[],
): { origin: Vec3; originSource: MapReadResult["originSource"] } {
  const start: Vec3 = [0, 0, 0];
  start[header.mapc - 1] = header.nxstart;
  start[header.mapr - 1] = header.nystart;
  start[header.maps - 1] = header.nzstart;
  const startSet = start.some((s) => s !== 0);
  const o = header.origin;
  const originSet = o.some((v) => v !== 0);
  const originUsable =
    originSet && o.every((v, i) => Number.isFinite(v) && Math.abs(v) < 1e6 * (voxelSize ? voxelSize[i] : 1));
  const list = (v: Vec3) => v.join(", ");

  if (originUsable) {
    if (startSet) warnings.push(`both ORIGIN (${list(o)}) and NSTART (${list(start)}) are set; ORIGIN used`);
    return { origin: [o[0], o[1], o[2]], originSource: "ORIGIN" };
  }
  if (originSet) warnings.push(`ORIGIN (${list(o)}) is not finite or implausibly large; ignored`);
  if (!startSet) return { origin: [0, 0, 0], originSource: "none" };
  const limit = 10 * Math.max(header.mx, header.my, header.mz, ...shape);
  if (start.some((s) => Math.abs(s) > limit)) {
    warnings.push(`NSTART (${list(start)}) is implausible (beyond ±${limit}); origin set to 0`);
    return { origin: [0, 0, 0], originSource: "none" };
  }
  if (voxelSize === null) {
    warnings.push(`NSTART (${list(start)}) cannot be converted to Å without a voxel size; origin set to 0`);
    return { origin: [0, 0, 0], originSource: "none" };
  }
  return { origin: start.map((s, i) => s * voxelSize[i]) as Vec3, originSource: "NSTART" };
}

function checkAngles([alpha, beta, gamma]: Vec3, warnings: string[]): void {
  const angles = `${alpha}, ${beta}, ${gamma}`;
  const valid =
    [alpha, beta, gamma].every((a) => a > 0 && a < 180) &&
    alpha + beta + gamma < 360 &&
    Math.max(alpha, beta, gamma) * 2 < alpha + beta + gamma;
  if (!valid) warnings.push(`CELLB angles (${angles}) do not form a valid cell; 90° assumed`);
  else if ([alpha, beta, gamma].some((a) => Math.abs(a - 90) > 1e-3)) {
    warnings.push(`CELLB angles are ${angles}, not 90°; voxel positions assume an orthogonal cell`);
  }
}

function checkStack(header: MapHeader, shape: Vec3, warnings: string[]): void {
  const nz = shape[2];
  if (header.ispg === 0 && header.mz === 1 && nz > 1) {
    warnings.push(`ISPG 0 with MZ 1 and NZ ${nz}: this looks like a stack of ${nz} images, read as one volume`);
  } else if (header.ispg >= 401 && header.ispg <= 630 && nz / header.mz > 1) {
    warnings.push(`ISPG ${header.ispg}: a stack of ${nz / header.mz} volumes of ${header.mz} sections, read as one volume`);
  }
}
