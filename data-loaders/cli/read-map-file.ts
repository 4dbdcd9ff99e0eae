/**
 * Node-side map loading: check the file (exists, is a file, within maxBytes) before reading it, hash it, and hand
 * the bytes to the kernel reader. Errors carry the path, so callers can print them as they are.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { MapFormatError } from "../../lib/errors.js";
import { DEFAULT_MAX_BYTES, isGzip, readMap, type MapReadResult, type ReadOptions } from "../../lib/io/mrc-reader.js";

/** A file that cannot be read at all (missing, a directory, too large, unreadable). */
export class MapFileError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "MapFileError";
    this.code = code;
  }
}

export interface MapFile {
  path: string;
  /** Size of the file on disk (compressed size for .gz). */
  fileBytes: number;
  /** SHA-256 of the file bytes as stored, hex. */
  sha256: string;
  compressed: boolean;
  result: MapReadResult;
}

/** Node's readFile refuses files above 2 GiB − 1 (its own buffer limit), whatever `maxBytes` allows. */
const READ_FILE_LIMIT = 2 ** 31 - 1;

/**
 * A map file's bytes, checked before reading: it exists, is a regular file (not a directory or a FIFO, which would
 * block), and is at most `maxBytes`. Errors are MapFileError prefixed with `label` (default: the path).
 */
export async function readFileBounded(path: string, maxBytes: number, label: string = path): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new MapFileError("is-a-directory", `${label}: is a directory, expected a map file`);
    if (!info.isFile()) throw new MapFileError("not-a-file", `${label}: not a regular file (a FIFO, socket or device)`);
    const limit = Math.min(maxBytes, READ_FILE_LIMIT);
    if (info.size > limit) {
      throw new MapFileError("too-large", `${label}: file is ${info.size} bytes; the limit is ${limit} bytes`);
    }
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if (error instanceof MapFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new MapFileError("no-such-file", `${label}: no such file`);
    if (code === "EACCES" || code === "EPERM") throw new MapFileError("unreadable", `${label}: permission denied`);
    throw new MapFileError("unreadable", `${label}: cannot read (${code ?? (error as Error).message})`);
  }
}

export async function readMapFile(path: string, options: ReadOptions = {}): Promise<MapFile> {
  const bytes = await readFileBounded(path, options.maxBytes ?? DEFAULT_MAX_BYTES);
  let result: MapReadResult;
  try {
    // The bytes are this function's own and only hashed after: the voxels may be a view of them.
    result = await readMap(bytes, { ...options, handOverBytes: true });
  } catch (error) {
    if (error instanceof MapFormatError) throw new MapFormatError(error.code, `${path}: ${error.message}`);
    throw error;
  }
  return {
    path,
    fileBytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    compressed: isGzip(bytes),
    result,
  };
}
