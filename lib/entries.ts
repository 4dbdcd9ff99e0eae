/**
 * The entries configuration (mapval.entries.json): which maps the site and `mapval report` know, with the metadata
 * each one needs (title, resolution, author's contour, voxel size, attribution). This module only parses and
 * validates the text and chooses a threshold; reading files and EMDB is done by data-loaders/emdb/resolve-entry.ts.
 *
 * Every problem names the entry (index and id) and the field, and all problems are reported at once so that a
 * hand-edited file can be fixed in one pass.
 */

import { binOfBits, ValueIndex } from "./masks/value-index.js";

export const ENTRIES_CONFIG_VERSION = 1;

/** A value together with where it came from (a header XML, a publication…); shown next to the value on the site. */
export interface SourcedResolution {
  /** Å, > 0. */
  angstrom: number;
  source: string;
}

export interface SourcedContour {
  /** Density level in map units (absolute, not σ). */
  level: number;
  source: string;
}

export interface EntryConfig {
  /** Stable identifier used as a page name (entries/<id>) and in file names: letters, digits, '_' and '-'. */
  id: string;
  /** EMDB accession "EMD-N", or null for a map that is not an EMDB entry. */
  emdb: string | null;
  /** Null when no title is recorded (pages then show the accession or id alone). */
  title: string | null;
  /** Map file relative to the configuration file; null means "fetch from EMDB (or the cache)". */
  file: string | null;
  /** Expected SHA-256 (lower-case hex) of `file` as stored, or null when not recorded. */
  sha256: string | null;
  /** Null when unknown: Level 0 sections that need a resolution then say "does not apply". */
  resolution: SourcedResolution | null;
  /** Null when no author's contour is known: the configuration's `unknownContour` rule is used instead. */
  contour: SourcedContour | null;
  /** Å per voxel as recorded in the metadata (cross-checked against the map header), or null. */
  voxelSize: number | null;
  /** Where the map and its metadata come from, and the licence or attribution to show. */
  attribution: string;
  notes: string | null;
  /**
   * The two half maps for Level 1, both or neither (null): files of the configuration, or EMDB's half maps of the
   * entry's accession as its metadata lists them (interpretation.half_map_list).
   */
  half1: HalfMapSource | null;
  half2: HalfMapSource | null;
  /**
   * True when the entry's data are simulated, not a deposition (optional field, false when absent): the site labels
   * the entry as simulated wherever it shows it.
   */
  simulated: boolean;
}

/** Where a half map comes from: a file relative to the configuration file, or the accession's EMDB record. */
export type HalfMapSource = { kind: "file"; file: string; sha256: string | null } | { kind: "emdb" };

/** How to pick a threshold for an entry with no known contour: the level that keeps `fraction` of the voxels. */
export interface UnknownContourRule {
  rule: "top-fraction";
  fraction: number;
}

export interface EntriesConfig {
  version: number;
  unknownContour: UnknownContourRule;
  entries: EntryConfig[];
}

/** ChimeraX's initial level: 1 % of the voxels lie above it. */
export const DEFAULT_UNKNOWN_CONTOUR: UnknownContourRule = { rule: "top-fraction", fraction: 0.01 };

export interface ConfigProblem {
  /** "entries[3] (emd-1832)" or "(top level)". */
  where: string;
  /** Dotted field path, e.g. "contour.level"; "" for the whole document. */
  field: string;
  message: string;
}

/** The message lists this many problems and counts the rest (`problems` keeps them all). */
const LISTED_PROBLEMS = 20;

export class EntriesConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(source: string, problems: ConfigProblem[]) {
    const lines = problems
      .slice(0, LISTED_PROBLEMS)
      .map((p) => `  ${p.where}${p.field ? ` field "${p.field}"` : ""}: ${p.message}`);
    if (problems.length > LISTED_PROBLEMS) lines.push(`  … and ${problems.length - LISTED_PROBLEMS} more problems`);
    super(`${source}: invalid entries configuration\n${lines.join("\n")}`);
    this.name = "EntriesConfigError";
    this.problems = problems;
  }
}

/** EMDB accessions have 4 or 5 digits today; 9 leaves room and keeps cache and page names short. */
const EMDB_ACCESSION = /^EMD-\d{4,9}$/;
/** A safe page and file name: no '.', so no "..", no "x.html" that the site would take for a file of another type. */
export const ENTRY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const TOP_LEVEL_FIELDS = new Set(["$comment", "version", "unknownContour", "entries"]);
const ENTRY_FIELDS = new Set([
  "id", "emdb", "title", "file", "sha256", "resolution", "contour", "voxelSize", "attribution", "notes", "half1", "half2",
  "simulated",
]);
const HALF_MAP_FIELDS = ["half1", "half2"] as const;
/** Fields that must be present even when their value is null, so that "unknown" is always said explicitly. */
const REQUIRED_ENTRY_FIELDS = ["id", "title", "resolution", "contour", "attribution"];

/** "EMD-1234" from "EMD-1234", "emd-1234", "emd_1234" or "EMD_1234"; null for anything else. */
export function normalizeEmdbId(text: string): string | null {
  const match = /^emd[-_](\d{4,9})$/i.exec(text.trim());
  return match ? `EMD-${match[1]}` : null;
}

/** Parse and validate the configuration text; `source` (a file name) prefixes the error message. */
export function parseEntriesConfig(text: string, source = "entries configuration"): EntriesConfig {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, "")); // editors on Windows save UTF-8 with a byte-order mark

  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EntriesConfigError(source, [{ where: "(document)", field: "", message: `malformed JSON: ${reason}` }]);
  }
  const problems: ConfigProblem[] = [];
  const config = validateDocument(document, problems);
  if (problems.length > 0 || config === null) throw new EntriesConfigError(source, problems);
  return config;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function validateDocument(document: unknown, problems: ConfigProblem[]): EntriesConfig | null {
  const top = "(top level)";
  if (!isObject(document)) {
    problems.push({ where: top, field: "", message: `expected an object, found ${describe(document)}` });
    return null;
  }
  for (const key of Object.keys(document)) {
    if (!TOP_LEVEL_FIELDS.has(key)) {
      problems.push({ where: top, field: key, message: `unknown field; expected one of ${[...TOP_LEVEL_FIELDS].join(", ")}` });
    }
  }
  if (document.version !== ENTRIES_CONFIG_VERSION) {
    problems.push({ where: top, field: "version", message: `expected ${ENTRIES_CONFIG_VERSION}, found ${describe(document.version)}` });
  }
  const unknownContour = validateRule(document.unknownContour, problems);
  if (!Array.isArray(document.entries)) {
    problems.push({ where: top, field: "entries", message: `expected an array of entries, found ${describe(document.entries)}` });
    return null;
  }
  const entries: EntryConfig[] = [];
  const seenIds = new Map<string, number>();
  const seenEmdb = new Map<string, number>();
  document.entries.forEach((raw, index) => {
    const entry = validateEntry(raw, index, problems);
    if (entry === null) return;
    const where = `entries[${index}] (${entry.id})`;
    const firstWithId = seenIds.get(entry.id);
    if (firstWithId !== undefined) {
      problems.push({ where, field: "id", message: `duplicate id, already used by entries[${firstWithId}]` });
    } else seenIds.set(entry.id, index);
    // Two entries may show the same EMDB map only if they name different files (e.g. a crop and the full map).
    const emdbKey = entry.emdb === null ? null : `${entry.emdb}|${entry.file ?? ""}`;
    if (emdbKey !== null) {
      const firstWithEmdb = seenEmdb.get(emdbKey);
      if (firstWithEmdb !== undefined) {
        problems.push({ where, field: "emdb", message: `${entry.emdb} with the same file is already entries[${firstWithEmdb}]` });
      } else seenEmdb.set(emdbKey, index);
    }
    entries.push(entry);
  });
  return { version: ENTRIES_CONFIG_VERSION, unknownContour, entries };
}

function validateRule(raw: unknown, problems: ConfigProblem[]): UnknownContourRule {
  const where = "(top level)";
  if (raw === undefined) return DEFAULT_UNKNOWN_CONTOUR;
  if (!isObject(raw) || raw.rule !== "top-fraction") {
    problems.push({ where, field: "unknownContour", message: `expected {"rule": "top-fraction", "fraction": f}, found ${describe(raw)}` });
    return DEFAULT_UNKNOWN_CONTOUR;
  }
  for (const key of Object.keys(raw)) {
    if (key !== "rule" && key !== "fraction") problems.push({ where, field: `unknownContour.${key}`, message: "unknown field" });
  }
  const fraction = raw.fraction;
  if (typeof fraction !== "number" || !(fraction > 0 && fraction < 1)) {
    problems.push({ where, field: "unknownContour.fraction", message: `expected a number in (0, 1), found ${describe(fraction)}` });
    return DEFAULT_UNKNOWN_CONTOUR;
  }
  return { rule: "top-fraction", fraction };
}

function validateEntry(raw: unknown, index: number, problems: ConfigProblem[]): EntryConfig | null {
  if (!isObject(raw)) {
    problems.push({ where: `entries[${index}]`, field: "", message: `expected an object, found ${describe(raw)}` });
    return null;
  }
  const id = typeof raw.id === "string" && ENTRY_ID.test(raw.id) ? raw.id : null;
  const where = id === null ? `entries[${index}]` : `entries[${index}] (${id})`;
  const before = problems.length;
  const problem = (field: string, message: string): void => void problems.push({ where, field, message });

  for (const key of Object.keys(raw)) {
    if (!ENTRY_FIELDS.has(key)) problem(key, `unknown field; expected one of ${[...ENTRY_FIELDS].join(", ")}`);
  }
  for (const key of REQUIRED_ENTRY_FIELDS) {
    if (!(key in raw)) problem(key, ["resolution", "contour", "title"].includes(key) ? "required; use null when unknown" : "required");
  }
  if ("id" in raw && id === null) {
    problem("id", `expected 1 to 64 letters, digits, '_' or '-', starting with a letter or digit (the id is a page and file name), found ${describe(raw.id)}`);
  }
  const text = (field: string, required: boolean): string | null => {
    const value = raw[field];
    if (value === undefined || (value === null && !required)) return null;
    if (typeof value === "string" && value.trim() !== "") return value;
    if (field in raw) problem(field, `expected a non-empty string${required ? "" : " or null"}, found ${describe(value)}`);
    return null;
  };
  const title = text("title", false);
  const attribution = text("attribution", true);
  const notes = text("notes", false);
  const file = text("file", false);
  if (file !== null && !insideDirectory(file)) problem("file", `expected a path inside the configuration's directory, found ${describe(file)}`);

  let emdb: string | null = null;
  if (raw.emdb !== undefined && raw.emdb !== null) {
    if (typeof raw.emdb === "string" && EMDB_ACCESSION.test(raw.emdb)) emdb = raw.emdb;
    else problem("emdb", `expected an accession such as "EMD-1234" or null, found ${describe(raw.emdb)}`);
  }
  if (file === null && emdb === null && !problems.slice(before).some((p) => p.field === "file" || p.field === "emdb")) {
    problem("file", "an entry needs a file, an EMDB accession (fetched into the cache), or both");
  }

  const sha256 = sha256Of(raw.sha256, "sha256", problem);

  const resolution = sourcedNumber(raw.resolution, "resolution", "angstrom", problem, (v) => v > 0, "a number of Å > 0");
  const contour = sourcedNumber(raw.contour, "contour", "level", problem, Number.isFinite, "a finite number");
  let voxelSize: number | null = null;
  if (raw.voxelSize !== undefined && raw.voxelSize !== null) {
    if (typeof raw.voxelSize === "number" && raw.voxelSize > 0 && Number.isFinite(raw.voxelSize)) voxelSize = raw.voxelSize;
    else problem("voxelSize", `expected a number of Å > 0 or null, found ${describe(raw.voxelSize)}`);
  }

  const [half1, half2] = HALF_MAP_FIELDS.map((field) => halfMapSource(raw[field], field, problem));
  const given = HALF_MAP_FIELDS.filter((field) => raw[field] !== undefined && raw[field] !== null);
  if (given.length === 1) {
    const missing = HALF_MAP_FIELDS.find((field) => !given.includes(field))!;
    problem(missing, `required when ${given[0]} is given: Level 1 needs both half maps, or neither`);
  } else if (half1 && half2 && half1.kind !== half2.kind) {
    problem("half2", `expected the same kind as half1 (both files or both "emdb"), found ${describe(raw.half2)}`);
  }
  if (half1?.kind === "emdb" && emdb === null && !problems.slice(before).some((p) => p.field === "emdb")) {
    problem("half1", `"emdb" takes the half maps of the entry's accession, but the entry has no "emdb" accession`);
  }

  let simulated = false;
  if (raw.simulated !== undefined) {
    if (typeof raw.simulated === "boolean") simulated = raw.simulated;
    else problem("simulated", `expected true or false, found ${describe(raw.simulated)}`);
  }

  if (problems.length > before || id === null || attribution === null) return null;
  return {
    id, emdb, title, file, sha256,
    resolution: resolution === null ? null : { angstrom: resolution.value, source: resolution.source },
    contour: contour === null ? null : { level: contour.value, source: contour.source },
    voxelSize, attribution, notes, half1: half1 ?? null, half2: half2 ?? null, simulated,
  };
}

/** A relative path that cannot leave the configuration's directory by its text (links are checked on disk). */
function insideDirectory(path: string): boolean {
  return !path.startsWith("/") && !path.split(/[\\/]/).includes("..");
}

function sha256Of(raw: unknown, field: string, problem: (field: string, message: string) => void): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === "string" && SHA256_HEX.test(raw)) return raw;
  problem(field, `expected 64 lower-case hex digits or null, found ${describe(raw)}`);
  return null;
}

/** `{"file": path, "sha256": hex | null}` (the checks of the entry's own file) or "emdb"; undefined when absent or bad. */
function halfMapSource(
  raw: unknown,
  field: string,
  problem: (field: string, message: string) => void,
): HalfMapSource | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === "emdb") return { kind: "emdb" };
  if (!isObject(raw)) {
    problem(field, `expected {"file": "…", "sha256": "…"}, "emdb" or null, found ${describe(raw)}`);
    return undefined;
  }
  let valid = true;
  const invalid = (f: string, message: string): void => {
    valid = false;
    problem(f, message);
  };
  for (const key of Object.keys(raw)) {
    if (key !== "file" && key !== "sha256") invalid(`${field}.${key}`, "unknown field; expected file, sha256");
  }
  const file = raw.file;
  if (typeof file !== "string" || file.trim() === "") invalid(`${field}.file`, `expected a non-empty string, found ${describe(file)}`);
  else if (!insideDirectory(file)) invalid(`${field}.file`, `expected a path inside the configuration's directory, found ${describe(file)}`);
  const sha256 = sha256Of(raw.sha256, `${field}.sha256`, invalid);
  return valid ? { kind: "file", file: file as string, sha256 } : undefined;
}

function sourcedNumber(
  raw: unknown,
  field: string,
  valueKey: string,
  problem: (field: string, message: string) => void,
  valid: (value: number) => boolean,
  expected: string,
): { value: number; source: string } | null {
  if (raw === null || raw === undefined) return null;
  if (!isObject(raw)) {
    problem(field, `expected {"${valueKey}": …, "source": "…"} or null, found ${describe(raw)}`);
    return null;
  }
  for (const key of Object.keys(raw)) {
    if (key !== valueKey && key !== "source") problem(`${field}.${key}`, `unknown field; expected ${valueKey}, source`);
  }
  const value = raw[valueKey];
  const source = raw.source;
  let ok = true;
  if (typeof value !== "number" || !valid(value)) {
    problem(`${field}.${valueKey}`, `expected ${expected}, found ${describe(value)}`);
    ok = false;
  }
  if (typeof source !== "string" || source.trim() === "") {
    problem(`${field}.source`, `expected a non-empty string saying where the value comes from, found ${describe(source)}`);
    ok = false;
  }
  return ok ? { value: value as number, source: source as string } : null;
}

export interface ChosenThreshold {
  level: number;
  /** True only for a contour recorded by the map's authors (or EMDB on their behalf). */
  fromAuthors: boolean;
  /** One line for the page: where the level comes from. */
  explanation: string;
}

/**
 * The threshold to analyse an entry at: its recorded contour, or, when none is known or the recorded one is above
 * the map maximum (no voxel would be inside), the level keeping `rule.fraction` of the finite voxels, flagged as
 * not the author's.
 */
export function chooseThreshold(
  contour: SourcedContour | null,
  data: Float32Array,
  mapMaximum: number,
  rule: UnknownContourRule = DEFAULT_UNKNOWN_CONTOUR,
): ChosenThreshold {
  if (contour !== null && contour.level <= mapMaximum) {
    return { level: contour.level, fromAuthors: true, explanation: `recorded contour (${contour.source})` };
  }
  const level = levelKeepingFraction(data, rule.fraction);
  const percent = `${+(rule.fraction * 100).toPrecision(3)} %`;
  const why =
    contour === null
      ? "no author's contour is known"
      : `the recorded contour ${contour.level} is above the map maximum ${mapMaximum}`;
  return { level, fromAuthors: false, explanation: `not the author's: ${why}; level keeping ${percent} of the voxels` };
}

/**
 * Largest level v such that at least ceil(fraction·N) of the N finite voxels are ≥ v (the VRS mask test): the
 * keep-th largest finite value. Found without sorting the map (at 256³ a sort took 5.6 s): the finite values are
 * counted per value bin (lib/masks/value-index.ts's 65536 ordered bins), and only the bin holding the keep-th largest is
 * sorted.
 */
export function levelKeepingFraction(data: Float32Array, fraction: number): number {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const perBin = new Int32Array(ValueIndex.bins);
  let finite = 0;
  for (let i = 0; i < data.length; i++)
    if (Number.isFinite(data[i])) {
      perBin[binOfBits(bits[i])]++;
      finite++;
    }
  if (finite === 0) return Number.NaN;
  const keep = Math.min(finite, Math.max(1, Math.ceil(fraction * finite)));
  let above = 0, bin = ValueIndex.bins - 1;
  while (above + perBin[bin] < keep) above += perBin[bin--];
  const inBin = new Float32Array(perBin[bin]);
  for (let i = 0, k = 0; i < data.length; i++) if (Number.isFinite(data[i]) && binOfBits(bits[i]) === bin) inBin[k++] = data[i];
  inBin.sort();
  return inBin[inBin.length - (keep - above)]!;
}
