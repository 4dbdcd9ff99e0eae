/**
 * EMDB entry metadata from any of the three forms EMDB serves: the REST API's JSON, the header XML (schema v3) and
 * the old header XML (schema v1.9, camelCase). Field paths follow docs/reference/mrc-format.md "EMDB metadata".
 *
 * Absurd values (resolution ≤ 0, non-positive pixel spacing or dimensions) are dropped with a named error issue
 * instead of reaching the analysis; `checkAgainstMap` adds the checks that need the map itself.
 *
 * Contour: VRS (tools/EMDButils.py) analyses at the FIRST contour of the list, Mol* shows the primary one. Both are
 * recorded; `contourLevel` is the first, like VRS, and a warning says when the primary one differs.
 */
import { XMLParser } from "fast-xml-parser";
import type { Vec3 } from "../../lib/io/volume.js";

export type MetadataFormat = "rest-json" | "xml-v3" | "xml-v1.9";

export interface ContourLevel {
  level: number;
  primary: boolean;
  /** EMDB, AUTHOR, SOFTWARE, ANNOTATOR (v3) or "author" (v1.9); null when not given. */
  source: string | null;
}

export interface MapStatistics {
  minimum: number | null;
  maximum: number | null;
  average: number | null;
  std: number | null;
}

export interface MetadataIssue {
  /** Stable code, e.g. "resolution-absurd", "contour-above-maximum". */
  code: string;
  /** "error": the value was unusable and was dropped or must not be used; "warning": usable but suspicious. */
  severity: "warning" | "error";
  field: string;
  /** One line naming the entry, e.g. "EMD-1234: resolution is -3 Å; expected > 0 (ignored)". */
  message: string;
}

export interface EmdbMetadata {
  emdbId: string;
  format: MetadataFormat;
  title: string | null;
  authors: string[];
  /** Deposition date as YYYY-MM-DD; null when absent or not a date. */
  depositionDate: string | null;
  /** Å, by author; null when absent (tomograms) or absurd. */
  resolution: number | null;
  resolutionMethod: string | null;
  /** Every contour in document order. */
  contours: ContourLevel[];
  /** The contour VRS uses: the first one. */
  contourLevel: number | null;
  /** The contour Mol* uses: the primary one, else the first. */
  primaryContourLevel: number | null;
  /** Å per voxel along x, y, z. */
  pixelSpacing: Vec3 | null;
  /** Columns, rows, sections (file order). */
  dimensions: Vec3 | null;
  statistics: MapStatistics | null;
  /** Map file name as recorded, e.g. "emd_1997.map.gz". */
  mapFile: string | null;
  /**
   * The half maps' file names in document order (interpretation.half_map_list; VRS takes the first two), e.g.
   * "emd_1234_half_map_1.map.gz"; empty when none are listed (old v1.9 headers have no such list).
   */
  halfMapFiles: string[];
  issues: MetadataIssue[];
}

/** Thrown when the document is not EMDB metadata at all (not JSON or XML, or an unknown root). */
export class MetadataFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MetadataFormatError";
  }
}

type Node = Record<string, unknown>;

/** A half map's file name as EMDB's schema has them (emd_N_half_map_K.map.gz), or any plain name of a file. */
const HALF_MAP_FILE = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Follow keys; an array on the way is replaced by its first element (EMDB lists where VRS takes [0]). */
function at(root: unknown, ...keys: string[]): unknown {
  let node = root;
  for (const key of keys) {
    if (Array.isArray(node)) node = node[0];
    if (!isNode(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Text of a leaf: a string or number, the JSON's `valueOf_`, or the XML parser's `#text` next to attributes. */
/** C0 and C1 control characters and DEL: in a title they are terminal escapes (ANSI colours, OSC window titles), never text. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** A field's text, trimmed, control characters replaced by a space; null when empty. */
function textOf(value: unknown): string | null {
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === "string") {
    const text = value.replace(CONTROL_CHARACTERS, " ").trim();
    return text === "" ? null : text;
  }
  if (typeof value === "number") return String(value);
  if (isNode(value)) return textOf(value.valueOf_ ?? value["#text"]);
  return null;
}

function numberOf(value: unknown): number | null {
  const text = textOf(value);
  if (text === null) return null;
  const number = Number(text);
  return Number.isNaN(number) && text.toLowerCase() !== "nan" ? null : number;
}

function attribute(value: unknown, name: string): string | null {
  if (!isNode(value)) return null;
  return textOf(value[`@_${name}`] ?? value[name]);
}

/** The fields every format is reduced to before validation. */
interface RawMetadata {
  emdbId: string | null;
  title: string | null;
  authors: string[];
  depositionDate: string | null;
  resolution: number | null;
  resolutionPresent: boolean;
  resolutionMethod: string | null;
  contours: { level: number | null; primary: boolean; source: string | null }[];
  pixelSpacing: (number | null)[] | null;
  dimensions: (number | null)[] | null;
  statistics: MapStatistics | null;
  mapFile: string | null;
  halfMapFiles: (string | null)[];
}

/** Parse the REST API's JSON for one entry (`/api/entry/EMD-N`). */
export function parseEmdbJson(text: string, expectedId: string): EmdbMetadata {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new MetadataFormatError(`${expectedId}: metadata is not valid JSON (${(error as Error).message})`);
  }
  if (!isNode(document)) throw new MetadataFormatError(`${expectedId}: metadata JSON is not an object`);
  const map = at(document, "map");
  const processing = processingOf(at(document, "structure_determination_list", "structure_determination"));
  const resolutionNode = at(processing, "final_reconstruction", "resolution");
  const raw: RawMetadata = {
    emdbId: textOf(document.emdb_id),
    title: textOf(at(document, "admin", "title")),
    authors: asArray(at(document, "admin", "authors_list", "author")).map(textOf).filter((a) => a !== null),
    depositionDate: textOf(at(document, "admin", "key_dates", "deposition")),
    resolution: numberOf(resolutionNode),
    resolutionPresent: resolutionNode !== undefined,
    resolutionMethod: textOf(at(processing, "final_reconstruction", "resolution_method")),
    contours: asArray(at(map, "contour_list", "contour")).map((contour) => ({
      level: numberOf(at(contour, "level")),
      primary: isTrue(at(contour, "primary")),
      source: textOf(at(contour, "source")),
    })),
    pixelSpacing: vector(map, "pixel_spacing", ["x", "y", "z"]),
    dimensions: vector(map, "dimensions", ["col", "row", "sec"]),
    statistics: statisticsOf(at(map, "statistics")),
    mapFile: textOf(at(map, "file")),
    halfMapFiles: halfMapFilesOf(document),
  };
  return validate(raw, "rest-json", expectedId);
}

/** Parse a header XML, schema v3 (`<emd>`) or v1.9 (`<emdEntry>`). */
export function parseEmdbXml(text: string, expectedId: string): EmdbMetadata {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false });
  let document: unknown;
  try {
    document = parser.parse(text, true);
  } catch (error) {
    throw new MetadataFormatError(`${expectedId}: header XML is not well-formed (${(error as Error).message})`);
  }
  if (isNode(document) && isNode(document.emd)) return validate(rawFromXmlV3(document.emd), "xml-v3", expectedId);
  if (isNode(document) && isNode(document.emdEntry)) return validate(rawFromXmlV19(document.emdEntry), "xml-v1.9", expectedId);
  throw new MetadataFormatError(`${expectedId}: header XML has neither an <emd> (v3) nor an <emdEntry> (v1.9) root`);
}

function rawFromXmlV3(emd: Node): RawMetadata {
  const map = at(emd, "map");
  const processing = processingOf(at(emd, "structure_determination_list", "structure_determination"));
  const resolutionNode = at(processing, "final_reconstruction", "resolution");
  return {
    emdbId: attribute(emd, "emdb_id"),
    title: textOf(at(emd, "admin", "title")),
    authors: asArray(at(emd, "admin", "authors_list", "author")).map(textOf).filter((a) => a !== null),
    depositionDate: textOf(at(emd, "admin", "key_dates", "deposition")),
    resolution: numberOf(resolutionNode),
    resolutionPresent: resolutionNode !== undefined,
    resolutionMethod: textOf(at(processing, "final_reconstruction", "resolution_method")),
    contours: asArray(at(map, "contour_list", "contour")).map((contour) => ({
      level: numberOf(at(contour, "level")),
      primary: isTrue(attribute(contour, "primary")),
      source: textOf(at(contour, "source")),
    })),
    pixelSpacing: vector(map, "pixel_spacing", ["x", "y", "z"]),
    dimensions: vector(map, "dimensions", ["col", "row", "sec"]),
    statistics: statisticsOf(at(map, "statistics")),
    mapFile: textOf(at(map, "file")),
    halfMapFiles: halfMapFilesOf(emd),
  };
}

function rawFromXmlV19(entry: Node): RawMetadata {
  const map = at(entry, "map");
  const reconstruction = at(entry, "processing", "reconstruction");
  const resolutionNode = at(reconstruction, "resolutionByAuthor");
  const contour = at(map, "contourLevel");
  const accession = attribute(entry, "accessCode");
  return {
    emdbId: accession === null ? null : `EMD-${accession}`,
    title: textOf(at(entry, "deposition", "title")),
    authors: (textOf(at(entry, "deposition", "authors")) ?? "").split(",").map((a) => a.trim()).filter((a) => a !== ""),
    depositionDate: textOf(at(entry, "deposition", "depositionDate")),
    resolution: numberOf(resolutionNode),
    resolutionPresent: resolutionNode !== undefined,
    resolutionMethod: textOf(at(reconstruction, "resolutionMethod")),
    // v1.9 has a single contour level, so it is both the first and the primary one.
    contours: contour === undefined ? [] : [{ level: numberOf(contour), primary: true, source: attribute(contour, "source") }],
    pixelSpacing: vector(map, "pixelSpacing", ["pixelX", "pixelY", "pixelZ"]),
    dimensions: vector(map, "dimensions", ["numColumns", "numRows", "numSections"]),
    statistics: statisticsOf(at(map, "statistics")),
    mapFile: textOf(at(map, "file")),
    halfMapFiles: [],
  };
}

/** `interpretation.half_map_list.half_map[].file`, the same path in the REST JSON and the v3 header XML. */
function halfMapFilesOf(root: unknown): (string | null)[] {
  return asArray(at(root, "interpretation", "half_map_list", "half_map")).map((halfMap) => textOf(at(halfMap, "file")));
}

/** The first `image_processing` (JSON) or `*_processing` (XML substitution group) of a structure determination. */
function processingOf(list: unknown): unknown {
  const determination = Array.isArray(list) ? list[0] : list;
  if (!isNode(determination)) return undefined;
  const key = Object.keys(determination).find((k) => k === "image_processing" || k.endsWith("_processing"));
  return key === undefined ? undefined : at(determination, key);
}

function isTrue(value: unknown): boolean {
  return value === true || textOf(value)?.toLowerCase() === "true";
}

function vector(map: unknown, key: string, components: string[]): (number | null)[] | null {
  const node = at(map, key);
  if (node === undefined) return null;
  return components.map((component) => numberOf(at(node, component)));
}

function statisticsOf(node: unknown): MapStatistics | null {
  if (node === undefined) return null;
  const value = (key: string): number | null => {
    const n = numberOf(at(node, key));
    return n !== null && Number.isFinite(n) ? n : null;
  };
  return { minimum: value("minimum"), maximum: value("maximum"), average: value("average"), std: value("std") };
}

function validate(raw: RawMetadata, format: MetadataFormat, expectedId: string): EmdbMetadata {
  const issues: MetadataIssue[] = [];
  const issue = (severity: MetadataIssue["severity"], code: string, field: string, detail: string): void =>
    void issues.push({ code, severity, field, message: `${expectedId}: ${detail}` });

  if (raw.emdbId !== null && raw.emdbId.toUpperCase() !== expectedId.toUpperCase()) {
    issue("error", "id-mismatch", "emdb_id", `metadata is for ${raw.emdbId}, not ${expectedId}`);
  }
  if (raw.title === null) issue("warning", "missing-field", "title", "no title in the metadata");
  // EMDB writes dates as YYYY-MM-DD (the REST API may add a time); anything else is not shown as a date.
  const depositionDate = /^\d{4}-\d{2}-\d{2}/.exec(raw.depositionDate ?? "")?.[0] ?? null;
  if (raw.depositionDate !== null && depositionDate === null) {
    issue("warning", "date-unreadable", "deposition", `deposition date "${raw.depositionDate}" is not a YYYY-MM-DD date (ignored)`);
  }

  let resolution = raw.resolution;
  if (resolution === null) {
    if (raw.resolutionPresent) issue("error", "resolution-absurd", "resolution", "resolution is not a number (ignored)");
    else issue("warning", "missing-field", "resolution", "no resolution in the metadata: sections that need it do not apply");
  } else if (!(resolution > 0) || !Number.isFinite(resolution)) {
    issue("error", "resolution-absurd", "resolution", `resolution is ${resolution} Å; expected a finite value > 0 (ignored)`);
    resolution = null;
  }

  const contours: ContourLevel[] = [];
  raw.contours.forEach((contour, index) => {
    if (contour.level === null || !Number.isFinite(contour.level)) {
      issue("error", "contour-absurd", `contour[${index}].level`, `contour level ${index + 1} is not a finite number (ignored)`);
    } else contours.push({ level: contour.level, primary: contour.primary, source: contour.source });
  });
  const contourLevel = contours[0]?.level ?? null;
  const primaryContourLevel = (contours.find((c) => c.primary) ?? contours[0])?.level ?? null;
  if (contourLevel === null) issue("warning", "missing-field", "contour", "no contour level in the metadata");
  else if (primaryContourLevel !== contourLevel) {
    issue(
      "warning", "contour-first-not-primary", "contour",
      `the first contour (${contourLevel}, used as VRS does) differs from the primary one (${primaryContourLevel}, used by Mol*)`,
    );
  }
  const maximum = raw.statistics?.maximum ?? null;
  if (contourLevel !== null && maximum !== null && contourLevel > maximum) {
    issue("error", "contour-above-maximum", "contour", `contour level ${contourLevel} is above the map maximum ${maximum} recorded in the metadata: no voxel would be inside`);
  }

  // A name becomes a URL path segment and a cache file name: one plain file name, nothing else.
  const halfMapFiles: string[] = [];
  raw.halfMapFiles.forEach((file, index) => {
    if (file !== null && file.length <= 255 && HALF_MAP_FILE.test(file)) halfMapFiles.push(file);
    else issue("error", "half-map-file-absurd", `half_map[${index}].file`, `half map ${index + 1} has the file name ${JSON.stringify(file)}; expected a plain file name such as emd_1234_half_map_1.map.gz (ignored)`);
  });

  const pixelSpacing = positiveVector(raw.pixelSpacing, "pixel_spacing", "Å", false, issue);
  const dimensions = positiveVector(raw.dimensions, "dimensions", "voxels", true, issue);

  return {
    emdbId: expectedId, format, title: raw.title, authors: raw.authors, depositionDate, resolution,
    resolutionMethod: raw.resolutionMethod, contours, contourLevel, primaryContourLevel, pixelSpacing, dimensions,
    statistics: raw.statistics, mapFile: raw.mapFile, halfMapFiles, issues,
  };
}

function positiveVector(
  values: (number | null)[] | null,
  field: string,
  unit: string,
  integers: boolean,
  issue: (severity: MetadataIssue["severity"], code: string, field: string, detail: string) => void,
): Vec3 | null {
  if (values === null) {
    issue("warning", "missing-field", field, `no ${field} in the metadata`);
    return null;
  }
  const ok = values.every((v) => v !== null && Number.isFinite(v) && v > 0 && (!integers || Number.isInteger(v)));
  if (!ok) {
    const kind = integers ? "positive integers" : "finite values > 0";
    issue("error", `${field.replace("_", "-")}-absurd`, field, `${field} is ${values.map(String).join(" × ")} ${unit}; expected ${kind} (ignored)`);
    return null;
  }
  return values as Vec3;
}

/** What `checkAgainstMap` needs from a read map (a subset of the reader's MapReadResult). */
export interface MapFacts {
  stats: { max: number };
  header: { nc: number; nr: number; ns: number };
}

/**
 * Metadata that contradicts the map: a contour above its maximum, other dimensions. The pixel spacing is compared with
 * the header by the analysis itself, for every source of a voxel size (lib/analysis-inputs.ts analysisVoxelSize).
 */

/** Issues that need the map itself: a contour no voxel reaches, and metadata that describes another box. */
export function checkAgainstMap(metadata: EmdbMetadata, map: MapFacts): MetadataIssue[] {
  const issues: MetadataIssue[] = [];
  const id = metadata.emdbId;
  if (metadata.contourLevel !== null && metadata.contourLevel > map.stats.max) {
    issues.push({
      code: "contour-above-maximum", severity: "error", field: "contour",
      message: `${id}: contour level ${metadata.contourLevel} is above the map maximum ${map.stats.max}: no voxel would be inside`,
    });
  }
  const box = [map.header.nc, map.header.nr, map.header.ns];
  if (metadata.dimensions !== null && metadata.dimensions.some((n, i) => n !== box[i])) {
    issues.push({
      code: "dimensions-mismatch", severity: "warning", field: "dimensions",
      message: `${id}: metadata dimensions ${metadata.dimensions.join(" × ")} differ from the map's ${box.join(" × ")}`,
    });
  }
  return issues;
}
