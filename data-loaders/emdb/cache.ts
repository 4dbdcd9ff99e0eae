/**
 * On-disk cache of downloaded EMDB files.
 *
 * Directory: $MAPVAL_CACHE_DIR, else $XDG_CACHE_HOME/mapval, else ~/.cache/mapval. Each file `name` has a record
 * `name.record.json` (SHA-256, size, URL, fetch date). Both are written to a temporary name in the same directory
 * and renamed, record first, so a file only ever appears complete, and only after the caller verified it. A file
 * whose record is missing or whose hash differs is deleted on read, so the next
 * fetch replaces it. Concurrent writers are safe (renames are atomic); the worst a race can cause is a refetch.
 * A filesystem failure (the directory is a file, a file is a directory, permissions…) is a CacheError naming the path.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface CacheRecord {
  sha256: string;
  bytes: number;
  /** Where the file was downloaded from, or null. */
  url: string | null;
  /** ISO 8601 time of the download. */
  fetchedAt: string;
}

export interface CachedFile {
  path: string;
  bytes: Uint8Array;
  record: CacheRecord;
}

const RECORD_SUFFIX = ".record.json";
const PARTIAL_MARKER = ".partial-";
/** A temporary file older than this belongs to a writer that died; younger ones may still be in use. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;
const KEY_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The cache directory from the environment (see the module comment). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MAPVAL_CACHE_DIR) return env.MAPVAL_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "mapval");
}

/** The cache directory cannot be used: `path` and the system's error code say where and why. */
export class CacheError extends Error {
  constructor(readonly path: string, readonly code: string, action: string) {
    super(`cache: cannot ${action} ${path} (${code}); set MAPVAL_CACHE_DIR to a usable directory`);
    this.name = "CacheError";
  }
}

/** Run a filesystem step of the cache, turning its failure into a CacheError about `path`. */
async function onDisk<T>(action: string, path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new CacheError(path, (error as NodeJS.ErrnoException).code ?? (error as Error).message, action);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export class FileCache {
  constructor(readonly root: string = defaultCacheDir()) {}

  /** Path of a key such as "emdb/EMD-1997/emd_1997.map.gz"; keys never leave the cache directory. */
  pathOf(key: string): string {
    const segments = key.split("/");
    if (!segments.every((s) => KEY_SEGMENT.test(s) && !s.includes(PARTIAL_MARKER) && !s.endsWith(RECORD_SUFFIX))) {
      throw new Error(`invalid cache key ${JSON.stringify(key)}`);
    }
    return join(this.root, ...segments);
  }

  /**
   * The cached file, or null when absent or not intact: a file whose record is missing or whose size or SHA-256
   * differs from its record is deleted. Files are only written after the caller verified them, so a match is that
   * verified file.
   */
  async read(key: string): Promise<CachedFile | null> {
    const path = this.pathOf(key);
    const bytes = await readFile(path).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength), () => null);
    if (bytes === null) return null;
    const record = await readFile(path + RECORD_SUFFIX, "utf8").then(parseRecord, () => null);
    if (record !== null && record.bytes === bytes.length && record.sha256 === sha256Hex(bytes)) return { path, bytes, record };
    await this.remove(key);
    return null;
  }

  /** The record alone (no hashing), e.g. to say how old a cached copy is. */
  async recordOf(key: string): Promise<CacheRecord | null> {
    return readFile(this.pathOf(key) + RECORD_SUFFIX, "utf8").then(parseRecord, () => null);
  }

  /** Store bytes the caller has already verified. */
  async write(key: string, bytes: Uint8Array, url: string | null): Promise<CachedFile> {
    const path = this.pathOf(key);
    await onDisk("create the directory", dirname(path), () => mkdir(dirname(path), { recursive: true }));
    await onDisk("list", dirname(path), () => removeStalePartials(dirname(path)));
    const record: CacheRecord = { sha256: sha256Hex(bytes), bytes: bytes.length, url, fetchedAt: new Date().toISOString() };
    await onDisk("write", path + RECORD_SUFFIX, () => writeAtomically(path + RECORD_SUFFIX, JSON.stringify(record, null, 2) + "\n"));
    try {
      await onDisk("write", path, () => writeAtomically(path, bytes));
    } catch (error) {
      await rm(path + RECORD_SUFFIX, { force: true }).catch(() => undefined); // no record without its file
      throw error;
    }
    return { path, bytes, record };
  }

  async remove(key: string): Promise<void> {
    const path = this.pathOf(key);
    await onDisk("remove", path, () => rm(path, { force: true }));
    await onDisk("remove", path + RECORD_SUFFIX, () => rm(path + RECORD_SUFFIX, { force: true }));
  }
}

function parseRecord(text: string): CacheRecord | null {
  try {
    const record = JSON.parse(text) as Partial<CacheRecord>;
    const valid =
      typeof record.sha256 === "string" && typeof record.bytes === "number" && typeof record.fetchedAt === "string";
    return valid ? { sha256: record.sha256!, bytes: record.bytes!, url: record.url ?? null, fetchedAt: record.fetchedAt! } : null;
  } catch {
    return null;
  }
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}${PARTIAL_MARKER}${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(temporary, data, { flush: true });
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}

async function removeStalePartials(directory: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(directory)) {
    if (!name.includes(PARTIAL_MARKER)) continue;
    const path = join(directory, name);
    const info = await stat(path).catch(() => null);
    if (info !== null && now - info.mtimeMs > STALE_PARTIAL_MS) await rm(path, { force: true });
  }
}
