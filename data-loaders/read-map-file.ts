/**
 * Node-side map loading: check the file (exists, is a file, within maxBytes) before reading it, hash it, and hand
 * the bytes to the kernel reader. Errors carry the path, so callers can print them as they are.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { MapFormatError } from "../lib/errors.js";
import { DEFAULT_MAX_BYTES, isGzip, readMap, type MapReadResult, type ReadOptions } from "../lib/mrc-reader.js";

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

export async function readMapFile(path: string, options: ReadOptions = {}): Promise<MapFile> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new MapFileError("is-a-directory", `${path}: is a directory, expected a map file`);
    if (!info.isFile()) throw new MapFileError("not-a-file", `${path}: not a regular file`);
    if (info.size > maxBytes) {
      throw new MapFileError("too-large", `${path}: file is ${info.size} bytes; the limit is ${maxBytes} bytes`);
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof MapFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new MapFileError("no-such-file", `${path}: no such file`);
    if (code === "EACCES" || code === "EPERM") throw new MapFileError("unreadable", `${path}: permission denied`);
    throw new MapFileError("unreadable", `${path}: cannot read (${code ?? (error as Error).message})`);
  }
  let result: MapReadResult;
  try {
    result = await readMap(bytes, options);
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
