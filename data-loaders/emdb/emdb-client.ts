/**
 * Node client for EMDB: the primary map (.map.gz), the half maps its metadata lists, and the entry's metadata (REST
 * JSON, falling back to the header XML). Nothing is cached here; data-loaders/emdb/resolve-entry.ts decides when to call it and stores what it returns.
 *
 * Transfers: a timeout while waiting for headers or between body chunks, and a minimum average rate once that long
 * has passed (default 10 kB/s: a server trickling bytes cannot hold a download for as many seconds as the file has
 * bytes); bounded retries with exponential backoff on 5xx, 429, connection errors, resets, timeouts, too-slow
 * transfers and bodies shorter than their Content-Length; never a retry on 404 (the entry does not exist), other
 * 4xx, a body sent with a Content-Encoding (its bytes would not be the file's), or a URL fetch refuses (bad port). A map counts as downloaded only when it parses as a valid map through the
 * reader's bounded inflate (a gzip bomb stops at the size its header declares, or at `maxMapBytes`) and no gzip
 * data follows the declared map.
 *
 * Base URLs come from MAPVAL_EMDB_BASE_URL (files) and MAPVAL_EMDB_API_URL (REST API), so tests point them at
 * a local server.
 */
import { createHash } from "node:crypto";
import { DEFAULT_MAX_BYTES, readMap, type MapReadResult } from "../../lib/io/mrc-reader.js";
import { parseEmdbJson, parseEmdbXml, type EmdbMetadata } from "./emdb-metadata.js";

export const DEFAULT_FILES_BASE_URL = "https://ftp.ebi.ac.uk/pub/databases/emdb/structures";
export const DEFAULT_API_BASE_URL = "https://www.ebi.ac.uk/emdb/api";
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

export interface EmdbClientOptions {
  /** Root of the structures tree: `<base>/EMD-N/map/emd_N.map.gz`, `<base>/EMD-N/header/emd-N.xml`. */
  filesBaseUrl?: string;
  /** REST API root: `<api>/entry/EMD-N`. */
  apiBaseUrl?: string;
  /** Give up on an attempt after this long without response headers or without a body chunk (default 30 s). */
  timeoutMs?: number;
  /** After `timeoutMs`, give up on an attempt whose average rate is below this many bytes/s (default 10 000). */
  minBytesPerSecond?: number;
  /** Attempts per file, first included (default 4). */
  attempts?: number;
  /** Delay before the first retry, doubled for each further one (default 1 s). */
  backoffMs?: number;
  /** Largest compressed download and largest inflated map, in bytes (default: the reader's 2 GiB). */
  maxMapBytes?: number;
  /** Called as body bytes arrive; `total` is null when the server sent no Content-Length. */
  onProgress?: (received: number, total: number | null) => void;
}

/** The entry (or the file) does not exist: HTTP 404. */
export class EmdbNotFoundError extends Error {
  /** `file`: the entry's file that is missing (a half map), or null for the entry itself. */
  constructor(readonly emdbId: string, readonly file: string | null = null) {
    super(`${emdbId}: ${file === null ? "" : `${file} `}not found in EMDB`);
    this.name = "EmdbNotFoundError";
  }
}

/** No usable answer after every attempt: no connection, timeouts, resets, 5xx. A cached copy may stand in. */
export class EmdbUnreachableError extends Error {
  constructor(readonly emdbId: string, readonly reason: string) {
    super(`${emdbId}: network unreachable (${reason})`);
    this.name = "EmdbUnreachableError";
  }
}

/** The server answered, but with something unusable: a corrupt or oversized map, another 4xx. Not retried. */
export class EmdbDataError extends Error {
  /** `cause`: the reader's MapFormatError when the map itself is invalid. */
  constructor(readonly emdbId: string, detail: string, options?: ErrorOptions) {
    super(`${emdbId}: ${detail}`, options);
    this.name = "EmdbDataError";
  }
}

export interface Download {
  url: string;
  bytes: Uint8Array;
  sha256: string;
}

export interface MapDownload extends Download {
  /** The map as the reader parsed it while verifying the download. */
  map: MapReadResult;
}

export interface MetadataDownload extends Download {
  metadata: EmdbMetadata;
  /** Which document the metadata was read from; the cache stores it under this name. */
  kind: "json" | "xml";
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function settings(options: EmdbClientOptions) {
  return {
    filesBaseUrl: trimSlash(options.filesBaseUrl ?? process.env.MAPVAL_EMDB_BASE_URL ?? DEFAULT_FILES_BASE_URL),
    apiBaseUrl: trimSlash(options.apiBaseUrl ?? process.env.MAPVAL_EMDB_API_URL ?? DEFAULT_API_BASE_URL),
    timeoutMs: options.timeoutMs ?? 30_000,
    minBytesPerSecond: options.minBytesPerSecond ?? 10_000,
    attempts: Math.max(1, options.attempts ?? 4),
    backoffMs: options.backoffMs ?? 1000,
    maxMapBytes: options.maxMapBytes ?? DEFAULT_MAX_BYTES,
    onProgress: options.onProgress,
  };
}

/** "1997" from "EMD-1997". */
function accessionNumber(emdbId: string): string {
  const match = /^EMD-(\d+)$/.exec(emdbId);
  if (!match) throw new Error(`expected an accession such as EMD-1234, found ${JSON.stringify(emdbId)}`);
  return match[1]!;
}

export function mapUrl(emdbId: string, options: EmdbClientOptions = {}): string {
  const n = accessionNumber(emdbId);
  return `${settings(options).filesBaseUrl}/EMD-${n}/map/emd_${n}.map.gz`;
}

/** A half map listed in the entry's metadata (interpretation.half_map_list), e.g. "emd_1234_half_map_1.map.gz". */
export function halfMapUrl(emdbId: string, file: string, options: EmdbClientOptions = {}): string {
  const n = accessionNumber(emdbId);
  return `${settings(options).filesBaseUrl}/EMD-${n}/other/${encodeURIComponent(file)}`;
}

export function headerXmlUrl(emdbId: string, options: EmdbClientOptions = {}): string {
  const n = accessionNumber(emdbId);
  return `${settings(options).filesBaseUrl}/EMD-${n}/header/emd-${n}.xml`;
}

export function entryApiUrl(emdbId: string, options: EmdbClientOptions = {}): string {
  return `${settings(options).apiBaseUrl}/entry/EMD-${accessionNumber(emdbId)}`;
}

/** Download and verify the primary map. */
export function fetchMap(emdbId: string, options: EmdbClientOptions = {}): Promise<MapDownload> {
  return fetchMapAt(emdbId, mapUrl(emdbId, options), options);
}

/** Download and verify a half map by its file name in the entry's metadata; a 404 names the file. */
export async function fetchHalfMap(emdbId: string, file: string, options: EmdbClientOptions = {}): Promise<MapDownload> {
  try {
    return await fetchMapAt(emdbId, halfMapUrl(emdbId, file, options), options);
  } catch (error) {
    throw error instanceof EmdbNotFoundError ? new EmdbNotFoundError(emdbId, file) : error;
  }
}

async function fetchMapAt(emdbId: string, url: string, options: EmdbClientOptions): Promise<MapDownload> {
  const { maxMapBytes } = settings(options);
  const download = await downloadWithRetries(emdbId, url, maxMapBytes, options);
  const map = await verifyMap(emdbId, download.bytes, maxMapBytes);
  return { ...download, map };
}

/** Parse downloaded or cached map bytes, rejecting anything a complete EMDB map would not be. */
export async function verifyMap(emdbId: string, bytes: Uint8Array, maxMapBytes = DEFAULT_MAX_BYTES): Promise<MapReadResult> {
  let map: MapReadResult;
  try {
    map = await readMap(bytes, { maxBytes: maxMapBytes });
  } catch (error) {
    throw new EmdbDataError(emdbId, `the map is not valid (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  // The reader only warns about extra data; from EMDB it means a damaged file or a gzip bomb.
  const extra = map.warnings.find((w) => /gzip stream continues|trailing bytes/.test(w));
  if (extra !== undefined) throw new EmdbDataError(emdbId, `the map is not valid (${extra})`);
  return map;
}

/** The entry's metadata: the REST API's JSON, else the header XML. */
export async function fetchMetadata(emdbId: string, options: EmdbClientOptions = {}): Promise<MetadataDownload> {
  const failures: Error[] = [];
  const sources = [
    { kind: "json" as const, url: entryApiUrl(emdbId, options), parse: parseEmdbJson },
    { kind: "xml" as const, url: headerXmlUrl(emdbId, options), parse: parseEmdbXml },
  ];
  for (const { kind, url, parse } of sources) {
    try {
      const download = await downloadWithRetries(emdbId, url, MAX_METADATA_BYTES, { ...options, onProgress: undefined });
      const metadata = parse(new TextDecoder().decode(download.bytes), emdbId);
      const mismatch = metadata.issues.find((issue) => issue.code === "id-mismatch");
      if (mismatch) throw new EmdbDataError(emdbId, mismatch.message.replace(`${emdbId}: `, ""));
      return { ...download, metadata, kind };
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      failures.push(error);
    }
  }
  if (failures.every((f) => f instanceof EmdbNotFoundError)) throw new EmdbNotFoundError(emdbId);
  const unreachable = failures.find((f) => f instanceof EmdbUnreachableError);
  if (unreachable) throw unreachable;
  const reasons = failures.map((f) => f.message.replace(`${emdbId}: `, ""));
  throw new EmdbDataError(emdbId, `no usable metadata (${reasons.join("; ")})`);
}

/** An attempt failed in a way another attempt may fix. */
class TransientError extends Error {}

async function downloadWithRetries(
  emdbId: string,
  url: string,
  maxBytes: number,
  options: EmdbClientOptions,
): Promise<Download> {
  const { attempts, backoffMs } = settings(options);
  let lastReason = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 2)));
    try {
      const bytes = await downloadOnce(emdbId, url, maxBytes, options);
      return { url, bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      lastReason = error.message;
    }
  }
  throw new EmdbUnreachableError(emdbId, `${lastReason} after ${attempts} attempt${attempts === 1 ? "" : "s"}`);
}

async function downloadOnce(emdbId: string, url: string, maxBytes: number, options: EmdbClientOptions): Promise<Uint8Array> {
  const { timeoutMs, minBytesPerSecond, onProgress } = settings(options);
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const armTimeout = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  const transportFailure = (error: unknown): TransientError | EmdbUnreachableError => {
    if (timedOut) return new TransientError(`no data for ${timeoutMs} ms from ${url}`);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
    const message = `${error instanceof Error ? error.message : String(error)}${cause ? `: ${cause.message}` : ""} (${url})`;
    // A URL fetch will never open (a port it blocks, an invalid URL) is a setting to fix, not a network fault.
    if (cause?.message === "bad port" || (cause as NodeJS.ErrnoException | null)?.code === "ERR_INVALID_URL") {
      return new EmdbUnreachableError(emdbId, `${message}; check MAPVAL_EMDB_BASE_URL and MAPVAL_EMDB_API_URL`);
    }
    return new TransientError(message);
  };

  armTimeout();
  try {
    let response: Response;
    try {
      // identity: the SHA-256 must be of the file as stored, not of a transparently decoded body.
      response = await fetch(url, { signal: controller.signal, headers: { "accept-encoding": "identity" } });
    } catch (error) {
      throw transportFailure(error);
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      throw new EmdbNotFoundError(emdbId);
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel().catch(() => undefined);
      throw new TransientError(`HTTP ${response.status} from ${url}`);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw new EmdbDataError(emdbId, `HTTP ${response.status} from ${url}`);
    }
    const encoding = response.headers.get("content-encoding");
    if (encoding !== null && encoding.toLowerCase() !== "identity") {
      await response.body.cancel().catch(() => undefined);
      throw new EmdbDataError(emdbId, `${url} was sent with Content-Encoding ${encoding} although identity was asked; its bytes would not be the file's`);
    }
    const length = Number(response.headers.get("content-length") ?? Number.NaN);
    const declared = Number.isSafeInteger(length) && length >= 0 ? length : null;
    if (declared !== null && declared > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new EmdbDataError(emdbId, `${url} is ${declared} bytes, above the ${maxBytes}-byte limit`);
    }

    const chunks: Uint8Array[] = [];
    let received = 0;
    const started = Date.now();
    const reader = response.body.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw transportFailure(error);
      }
      if (chunk.done) break;
      armTimeout();
      received += chunk.value.length;
      const seconds = (Date.now() - started) / 1000;
      if (seconds * 1000 > timeoutMs && received < minBytesPerSecond * seconds) {
        await reader.cancel().catch(() => undefined);
        throw new TransientError(
          `${url} sent ${received} bytes in ${seconds.toFixed(1)} s, below the minimum of ${minBytesPerSecond} bytes/s`,
        );
      }
      if (received > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new EmdbDataError(emdbId, `${url} sent more than the ${maxBytes}-byte limit`);
      }
      chunks.push(chunk.value);
      onProgress?.(received, declared);
    }
    if (declared !== null && received !== declared) {
      throw new TransientError(`${url} ended after ${received} of ${declared} bytes`);
    }
    const bytes = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  } finally {
    clearTimeout(timer);
  }
}
