/**
 * From a name to map bytes and metadata: an entry of the entries configuration, an EMDB accession ("EMD-1234") or a
 * file path. Used by `mapval report`, `mapval fetch` and the site's data loaders.
 *
 * EMDB maps are offline-first: a verified cached copy is used without touching the network unless `refresh` is
 * asked for; when the network fails, a cached copy stands in (with a message saying how old it is); with
 * `offline`, the network is never used.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import {
  DEFAULT_UNKNOWN_CONTOUR,
  EntriesConfigError,
  normalizeEmdbId,
  parseEntriesConfig,
  type ConfigProblem,
  type EntriesConfig,
  type EntryConfig,
  type HalfMapSource,
  type SourcedContour,
  type SourcedResolution,
  type UnknownContourRule,
} from "../../lib/entries.js";
import { DEFAULT_MAX_BYTES } from "../../lib/io/mrc-reader.js";
import { FileCache, sha256Hex } from "./cache.js";
import {
  EmdbDataError,
  EmdbNotFoundError,
  EmdbUnreachableError,
  fetchHalfMap,
  fetchMap,
  fetchMetadata,
  type MapDownload,
  type EmdbClientOptions,
} from "./emdb-client.js";
import { parseEmdbJson, parseEmdbXml, type EmdbMetadata, type MetadataIssue } from "./emdb-metadata.js";
import { readFileBounded } from "../cli/read-map-file.js";
import { PROJECT_ROOT } from "../project-root.js";

/** The repository's mapval.entries.json. */
export const DEFAULT_ENTRIES_PATH = join(PROJECT_ROOT, "mapval.entries.json");

/** The network failed (or `offline` was asked for) and nothing is cached. */
export class NoCachedCopyError extends Error {
  constructor(readonly emdbId: string, reason: string | null) {
    super(`${emdbId}: ${reason === null ? "" : `${reason}; `}no cached copy; add the file to the entries config`);
    this.name = "NoCachedCopyError";
  }
}

export interface ResolveOptions extends EmdbClientOptions {
  /** Entries configuration file (default: the repository's mapval.entries.json). */
  entriesPath?: string;
  cache?: FileCache;
  /** Never use the network. */
  offline?: boolean;
  /** Download again even when a verified copy is cached. */
  refresh?: boolean;
  /** One-line notices for the user (e.g. "using cached copy"); default: stderr. */
  log?: (line: string) => void;
}

export interface ResolvedEntry {
  /** Entry id, accession or file name. */
  id: string;
  emdbId: string | null;
  /** Null when none is recorded. */
  title: string | null;
  /** The file on disk the bytes came from (bundled, cached or given). */
  path: string;
  /** The file's bytes as stored (possibly gzip): give them to the reader's readMap. */
  bytes: Uint8Array;
  sha256: string;
  origin: "entries-file" | "cache" | "download" | "path";
  resolution: SourcedResolution | null;
  /** The author's contour; null when unknown (then analyse at `unknownContour`, see lib/entries.ts chooseThreshold). */
  contour: SourcedContour | null;
  unknownContour: UnknownContourRule;
  /** Ts recorded for the entry (Å); the map header's wins when it has one (lib/analysis-inputs.ts analysisVoxelSize). */
  voxelSize: number | null;
  /** Where `voxelSize` comes from, for messages: the entries file or EMDB's metadata. */
  voxelSizeSource: string | null;
  attribution: string | null;
  notes: string | null;
  /** EMDB's metadata when it was fetched or cached (EMDB-only entries and bare accessions). */
  emdbMetadata: EmdbMetadata | null;
  /** Metadata problems to show next to the report (see emdb-metadata.ts checkAgainstMap for the map checks). */
  issues: MetadataIssue[];
  /** For a file given by path: the id of the configured entry whose file it is (same real path or SHA-256), else null. */
  listedAs: string | null;
  /** Where the entry's half maps come from (read them with loadHalfMaps); null when none are configured. */
  halfMaps: EntryHalfMaps | null;
  /** The configured entry's `simulated` flag (lib/entries.ts); false for a file or accession outside the configuration. */
  simulated: boolean;
}

/** A configured half-map file, its path resolved against the configuration's directory. */
export interface HalfMapFileSource {
  path: string;
  entryId: string;
  field: "half1" | "half2";
  /** As configured (relative to the configuration file), for messages. */
  file: string;
  sha256: string | null;
}

/** The entry's half maps: two files of the configuration, or the ones EMDB's record of the accession lists. */
export type EntryHalfMaps =
  | { kind: "files"; half1: HalfMapFileSource; half2: HalfMapFileSource }
  | { kind: "emdb"; emdbId: string };

export interface HalfMapFile {
  /** The file's name (as configured, or EMDB's), for the report and messages. */
  name: string;
  path: string;
  bytes: Uint8Array;
  sha256: string;
  origin: "entries-file" | "cache" | "download";
}

/** What loadHalfMaps found: both halves, or EMDB's record listing fewer than two (not an error: Level 1 does not apply). */
export type LoadedHalfMaps =
  | { status: "loaded"; half1: HalfMapFile; half2: HalfMapFile; source: string }
  | { status: "not-listed"; message: string };

/** Read and validate an entries configuration, including that every listed file exists. */
export function loadEntriesConfig(path: string = DEFAULT_ENTRIES_PATH): EntriesConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${path}: cannot read the entries configuration (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const config = parseEntriesConfig(text, path);
  const problems: ConfigProblem[] = [];
  const directory = realpathSync(dirname(path));
  config.entries.forEach((entry, index) => {
    const files: [string, string | null][] = [
      ["file", entry.file],
      ...(["half1", "half2"] as const).map((field): [string, string | null] => [`${field}.file`, fileOf(entry[field])]),
    ];
    for (const [field, relative] of files) {
      if (relative === null) continue;
      const problem = (message: string) => problems.push({ where: `entries[${index}] (${entry.id})`, field, message });
      const file = join(dirname(path), relative);
      if (!existsSync(file)) problem(`${relative} does not exist`);
      // The validator's check is lexical; a symbolic link inside the directory may still point anywhere.
      else if (!realpathSync(file).startsWith(directory + sep)) {
        problem(`${relative} leads outside the configuration's directory (through a symbolic link); expected a file inside it`);
      }
    }
  });
  if (problems.length > 0) throw new EntriesConfigError(path, problems);
  return config;
}

function fileOf(source: HalfMapSource | null): string | null {
  return source?.kind === "file" ? source.file : null;
}

/** Every entry of the configuration, in file order (what the site lists). */
export function listEntries(entriesPath: string = DEFAULT_ENTRIES_PATH): EntryConfig[] {
  return loadEntriesConfig(entriesPath).entries;
}

/** One configured entry by id, with its map bytes. Pass `offline: true` from site loaders. */
export async function loadEntry(id: string, options: ResolveOptions = {}): Promise<ResolvedEntry> {
  const entriesPath = options.entriesPath ?? DEFAULT_ENTRIES_PATH;
  const config = loadEntriesConfig(entriesPath);
  const entry = config.entries.find((e) => e.id === id);
  if (entry === undefined) throw new Error(`${id}: no such entry in ${entriesPath}`);
  return resolveConfigEntry(entry, config, entriesPath, options);
}

/**
 * A CLI argument: an entry id of the configuration, an accession (the configured file when there is one, else the
 * cache or EMDB), or a path to a map file.
 */
export async function resolveArgument(argument: string, options: ResolveOptions = {}): Promise<ResolvedEntry> {
  const entriesPath = options.entriesPath ?? DEFAULT_ENTRIES_PATH;
  const config = existsSync(entriesPath) ? loadEntriesConfig(entriesPath) : null;
  const emdbId = normalizeEmdbId(argument);
  // An accession prefers an entry with a file (offline), then an EMDB-only entry (its configured values win).
  const configured =
    config?.entries.find((e) => e.id === argument) ??
    config?.entries.find((e) => emdbId !== null && e.emdb === emdbId && e.file !== null) ??
    config?.entries.find((e) => emdbId !== null && e.emdb === emdbId);
  if (config !== null && configured !== undefined) return resolveConfigEntry(configured, config, entriesPath, options);
  if (emdbId !== null) return resolveEmdb(emdbId, options);
  const path = resolve(argument);
  const bytes = await readBounded(path, argument, options);
  const sha256 = sha256Hex(bytes);
  const listed = config?.entries.find((e) => e.file !== null && (e.sha256 === sha256 || sameFile(join(dirname(entriesPath), e.file), path)));
  return {
    id: basename(path), emdbId: null, title: basename(path), path, bytes, sha256, origin: "path",
    resolution: null, contour: null, unknownContour: DEFAULT_UNKNOWN_CONTOUR, voxelSize: null, voxelSizeSource: null,
    attribution: null, notes: null, emdbMetadata: null, issues: [], listedAs: listed?.id ?? null, halfMaps: null,
    simulated: false,
  };
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

async function resolveConfigEntry(
  entry: EntryConfig,
  config: EntriesConfig,
  entriesPath: string,
  options: ResolveOptions,
): Promise<ResolvedEntry> {
  const common = {
    id: entry.id, emdbId: entry.emdb, title: entry.title, unknownContour: config.unknownContour,
    voxelSize: entry.voxelSize, voxelSizeSource: entry.voxelSize === null ? null : `${basename(entriesPath)} (entry ${entry.id}, "voxelSize")`,
    attribution: entry.attribution, notes: entry.notes, listedAs: null, halfMaps: entryHalfMaps(entry, entriesPath),
    simulated: entry.simulated,
  };
  if (entry.file !== null) {
    const path = join(dirname(entriesPath), entry.file);
    const bytes = await readBounded(path, `${entry.id}: ${entry.file}`, options);
    const sha256 = sha256Hex(bytes);
    if (entry.sha256 !== null && entry.sha256 !== sha256) {
      throw new Error(`${entry.id}: field "sha256": ${entry.file} has SHA-256 ${sha256}, not the configured ${entry.sha256}`);
    }
    return {
      ...common, path, bytes, sha256, origin: "entries-file", resolution: entry.resolution, contour: entry.contour,
      emdbMetadata: null, issues: [],
    };
  }
  // EMDB-only entry: the configuration's values win; EMDB fills what it leaves unknown.
  const fetched = await resolveEmdb(entry.emdb!, options);
  if (entry.sha256 !== null && entry.sha256 !== fetched.sha256) {
    throw new Error(`${entry.id}: field "sha256": the ${fetched.origin} map has SHA-256 ${fetched.sha256}, not the configured ${entry.sha256}`);
  }
  return {
    ...fetched, ...common,
    resolution: entry.resolution ?? fetched.resolution,
    contour: entry.contour ?? fetched.contour,
    voxelSize: common.voxelSize ?? fetched.voxelSize,
    voxelSizeSource: common.voxelSizeSource ?? fetched.voxelSizeSource,
  };
}

function entryHalfMaps(entry: EntryConfig, entriesPath: string): EntryHalfMaps | null {
  const { half1, half2 } = entry;
  if (half1 === null || half2 === null) return null;
  if (half1.kind === "emdb" || half2.kind === "emdb") return { kind: "emdb", emdbId: entry.emdb! };
  const source = (field: "half1" | "half2", half: { file: string; sha256: string | null }): HalfMapFileSource => ({
    path: join(dirname(entriesPath), half.file), entryId: entry.id, field, file: half.file, sha256: half.sha256,
  });
  return { kind: "files", half1: source("half1", half1), half2: source("half2", half2) };
}

/**
 * The entry's two half maps: the configured files (bounded like maps, checked against their SHA-256), or the first
 * two half maps of EMDB's record, through the cache like maps (offline-first). A record listing fewer than two is
 * "not-listed", not an error.
 */
export async function loadHalfMaps(entry: Pick<ResolvedEntry, "halfMaps" | "emdbMetadata">, options: ResolveOptions = {}): Promise<LoadedHalfMaps | null> {
  const source = entry.halfMaps;
  if (source === null) return null;
  if (source.kind === "files") {
    const read = async (half: HalfMapFileSource): Promise<HalfMapFile> => {
      const bytes = await readBounded(half.path, `${half.entryId}: ${half.file}`, options);
      const sha256 = sha256Hex(bytes);
      if (half.sha256 !== null && half.sha256 !== sha256) {
        throw new Error(`${half.entryId}: field "${half.field}.sha256": ${half.file} has SHA-256 ${sha256}, not the configured ${half.sha256}`);
      }
      return { name: basename(half.path), path: half.path, bytes, sha256, origin: "entries-file" };
    };
    return { status: "loaded", half1: await read(source.half1), half2: await read(source.half2), source: "entries configuration" };
  }
  const { emdbId } = source;
  const metadata = entry.emdbMetadata ?? (await emdbMetadataThroughCache(emdbId, options));
  const listed = metadata.halfMapFiles;
  if (listed.length < 2) {
    const found = listed.length === 0 ? "no half maps" : `only one half map (${listed[0]})`;
    return { status: "not-listed", message: `${emdbId}: EMDB's record lists ${found}; Level 1 needs two` };
  }
  const fetchHalf = async (name: string): Promise<HalfMapFile> => {
    const fetched = await throughCache(emdbId, name, halfMapKey(emdbId, name), () => fetchHalfMap(emdbId, name, options), options);
    return { name, path: fetched.path, bytes: fetched.bytes, sha256: fetched.sha256, origin: fetched.origin };
  };
  return {
    status: "loaded", half1: await fetchHalf(listed[0]!), half2: await fetchHalf(listed[1]!),
    source: `EMDB ${emdbId} (interpretation.half_map_list)`,
  };
}

/** A map file's bytes, refused before reading when larger than `maxMapBytes` or not a regular file. */
function readBounded(path: string, label: string, options: ResolveOptions): Promise<Uint8Array> {
  return readFileBounded(path, options.maxMapBytes ?? DEFAULT_MAX_BYTES, label);
}

/** Cache keys of an EMDB entry's map and metadata documents. */
export const mapKey = (emdbId: string) => `emdb/${emdbId}/emd_${emdbId.slice(4)}.map.gz`;
export const metadataKey = (emdbId: string, kind: "json" | "xml") => `emdb/${emdbId}/${kind === "json" ? "entry.json" : "header.xml"}`;
/** EMDB's layout: half maps are under other/ (`<files>/EMD-N/other/<file>`). */
export const halfMapKey = (emdbId: string, file: string) => `emdb/${emdbId}/other/${file}`;

export interface FetchedEmdb {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  origin: "cache" | "download";
  /** When the map was downloaded (ISO 8601). */
  fetchedAt: string;
  metadata: EmdbMetadata | null;
}

/**
 * The map and metadata of an EMDB entry through the cache: a verified cached copy unless `refresh`; otherwise a
 * download, verified before it is stored. Throws EmdbNotFoundError, NoCachedCopyError or EmdbDataError.
 */
export async function fetchEmdbEntry(emdbId: string, options: ResolveOptions = {}): Promise<FetchedEmdb> {
  const cache = options.cache ?? new FileCache();
  const map = await throughCache(emdbId, null, mapKey(emdbId), () => fetchMap(emdbId, options), options);
  if (map.origin === "cache") return { ...map, metadata: await cachedMetadata(cache, emdbId) };
  let metadata: EmdbMetadata | null;
  try {
    metadata = await downloadMetadata(emdbId, cache, options);
  } catch (error) {
    // The map alone can still be analysed; say what is missing.
    logOf(options)(`${emdbId}: no metadata (${error instanceof Error ? error.message.replace(`${emdbId}: `, "") : String(error)})`);
    metadata = await cachedMetadata(cache, emdbId);
  }
  return { ...map, metadata };
}

type FetchedFile = Omit<FetchedEmdb, "metadata">;

function logOf(options: ResolveOptions): (line: string) => void {
  return options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
}

/**
 * One map file of an EMDB entry through the cache (the rules of fetchEmdbEntry); `file` names it in messages when
 * it is not the primary map.
 */
async function throughCache(
  emdbId: string,
  file: string | null,
  key: string,
  download: () => Promise<MapDownload>,
  options: ResolveOptions,
): Promise<FetchedFile> {
  const cache = options.cache ?? new FileCache();
  const what = file === null ? "" : `${file}: `;
  // Only verified downloads are stored, so a copy whose bytes still match their record's SHA-256 is that download:
  // checking the hash is enough, and a large map is not inflated once more just to be trusted.
  const cached = await cache.read(key);
  const fromCache = (): FetchedFile => ({
    path: cached!.path, bytes: cached!.bytes, sha256: cached!.record.sha256, origin: "cache", fetchedAt: cached!.record.fetchedAt,
  });
  if (cached !== null && !options.refresh) return fromCache();
  if (options.offline) {
    if (cached !== null) return fromCache();
    throw new NoCachedCopyError(emdbId, `${what}offline`);
  }
  try {
    const downloaded = await download();
    const stored = await cache.write(key, downloaded.bytes, downloaded.url);
    return { path: stored.path, bytes: downloaded.bytes, sha256: downloaded.sha256, origin: "download", fetchedAt: stored.record.fetchedAt };
  } catch (error) {
    if (error instanceof EmdbNotFoundError) throw error;
    const usable = error instanceof EmdbUnreachableError || error instanceof EmdbDataError;
    if (!usable) throw error;
    const failure = error instanceof EmdbUnreachableError ? "network unreachable" : "download unusable";
    if (cached !== null) {
      logOf(options)(`${emdbId}: ${what}${failure}: using cached copy from ${cached.record.fetchedAt.slice(0, 10)}`);
      return fromCache();
    }
    if (error instanceof EmdbDataError) throw error;
    throw new NoCachedCopyError(emdbId, `${what}${failure} (${error.reason})`);
  }
}

async function downloadMetadata(emdbId: string, cache: FileCache, options: ResolveOptions): Promise<EmdbMetadata> {
  const fetched = await fetchMetadata(emdbId, options);
  await cache.write(metadataKey(emdbId, fetched.kind), fetched.bytes, fetched.url);
  return fetched.metadata;
}

/**
 * An entry's metadata alone (for the half maps of an entry whose map is a configured file): the cached copy unless
 * `refresh`, else EMDB's, stored; a cached copy stands in when the network fails.
 */
async function emdbMetadataThroughCache(emdbId: string, options: ResolveOptions): Promise<EmdbMetadata> {
  const cache = options.cache ?? new FileCache();
  const cached = await cachedMetadata(cache, emdbId);
  if (cached !== null && !options.refresh) return cached;
  if (options.offline) {
    if (cached !== null) return cached;
    throw new NoCachedCopyError(emdbId, "metadata (the half-map list): offline");
  }
  try {
    return await downloadMetadata(emdbId, cache, options);
  } catch (error) {
    if (!(error instanceof EmdbUnreachableError)) throw error;
    if (cached === null) throw new NoCachedCopyError(emdbId, `metadata (the half-map list): network unreachable (${error.reason})`);
    logOf(options)(`${emdbId}: metadata: network unreachable: using cached copy`);
    return cached;
  }
}

async function cachedMetadata(cache: FileCache, emdbId: string): Promise<EmdbMetadata | null> {
  for (const kind of ["json", "xml"] as const) {
    const file = await cache.read(metadataKey(emdbId, kind));
    if (file === null) continue;
    const text = new TextDecoder().decode(file.bytes);
    try {
      return kind === "json" ? parseEmdbJson(text, emdbId) : parseEmdbXml(text, emdbId);
    } catch {
      await cache.remove(metadataKey(emdbId, kind));
    }
  }
  return null;
}

/** An accession through the cache or EMDB only (no entries configuration). */
export async function resolveEmdb(emdbId: string, options: ResolveOptions): Promise<ResolvedEntry> {
  const fetched = await fetchEmdbEntry(emdbId, options);
  const metadata = fetched.metadata;
  const source = metadata === null ? "" : metadata.format === "rest-json" ? "EMDB REST API" : `EMDB header ${metadata.format.slice(4)}`;
  return {
    id: emdbId, emdbId, title: metadata?.title ?? emdbId, path: fetched.path, bytes: fetched.bytes, sha256: fetched.sha256,
    origin: fetched.origin,
    resolution: metadata?.resolution == null ? null : { angstrom: metadata.resolution, source },
    contour: metadata?.contourLevel == null ? null : { level: metadata.contourLevel, source: `${source}, first contour as VRS` },
    unknownContour: DEFAULT_UNKNOWN_CONTOUR,
    voxelSize: metadata?.pixelSpacing?.[0] ?? null,
    voxelSizeSource: metadata?.pixelSpacing == null ? null : `${source} (pixel spacing)`,
    attribution: `EMDB ${emdbId} (EMDB data are free of copyright restrictions)`,
    notes: `downloaded ${fetched.fetchedAt.slice(0, 10)}`,
    emdbMetadata: metadata,
    issues: metadata?.issues ?? [],
    listedAs: null,
    halfMaps: null,
    simulated: false,
  };
}
