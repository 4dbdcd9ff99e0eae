/**
 * `mapval fetch EMD-N [EMD-N…] [--half-maps] [--refresh] [--offline] [--json]`: put EMDB maps and their metadata
 * (and, with --half-maps, the two half maps the metadata lists) in the cache (data-loaders/emdb/cache.ts), verified,
 * so that reports and the site can use them offline. Prints where each map is, its SHA-256 and the metadata a report
 * uses; metadata problems are listed as warnings or errors.
 */
import { normalizeEmdbId } from "../../lib/entries.js";
import { CacheError, defaultCacheDir, FileCache } from "../emdb/cache.js";
import { commandArguments, type CliIO } from "./cli-io.js";
import { EmdbDataError, EmdbNotFoundError } from "../emdb/emdb-client.js";
import type { EmdbMetadata } from "../emdb/emdb-metadata.js";
import { createProgress } from "./progress.js";
import { fetchEmdbEntry, loadHalfMaps, NoCachedCopyError, type FetchedEmdb, type LoadedHalfMaps } from "../emdb/resolve-entry.js";

export const fetchUsage = "usage: mapval fetch EMD-N [EMD-N ...] [--half-maps] [--refresh] [--offline] [--json]";

export async function runFetch(args: string[], io: CliIO): Promise<number> {
  const parsed = commandArguments({
    command: "fetch",
    usage: fetchUsage,
    help: `${fetchUsage}\ncache: ${defaultCacheDir()} (set MAPVAL_CACHE_DIR to change it)\n`,
    options: {
      refresh: { type: "boolean", default: false },
      offline: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "half-maps": { type: "boolean", default: false },
    },
    positionals: { missing: "accession" },
  }, args, io);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const ids = positionals.map((p) => [p, normalizeEmdbId(p)] as const);
  const invalid = ids.find(([, id]) => id === null);
  if (invalid) {
    io.err(`mapval fetch: "${invalid[0]}" is not an EMDB accession such as EMD-1234\n`);
    return 2;
  }

  const cache = new FileCache();
  let exitCode = 0;
  const results = [];
  for (const [, emdbId] of ids as [string, string][]) {
    const progress = createProgress(`${emdbId}: downloading`);
    try {
      const options = {
        cache,
        refresh: values.refresh,
        offline: values.offline,
        onProgress: progress.update,
        log: (line: string) => {
          progress.done();
          io.err(`${line}\n`);
        },
      };
      const fetched = await fetchEmdbEntry(emdbId, options);
      const halfMaps = values["half-maps"]
        ? await loadHalfMaps({ halfMaps: { kind: "emdb", emdbId }, emdbMetadata: fetched.metadata }, options)
        : null;
      progress.done();
      results.push(fetchSummary(emdbId, fetched, halfMaps));
      if (!values.json) io.out(formatFetched(emdbId, fetched, halfMaps));
    } catch (error) {
      progress.done();
      const expected =
        error instanceof EmdbNotFoundError ||
        error instanceof NoCachedCopyError ||
        error instanceof EmdbDataError ||
        error instanceof CacheError;
      if (!expected) throw error;
      io.err(`${error.message}\n`);
      exitCode = 2;
    }
  }
  if (values.json) io.out(JSON.stringify(results) + "\n");
  return exitCode;
}

/** The JSON contract of `mapval fetch --json` (an array of these). */
export function fetchSummary(emdbId: string, fetched: FetchedEmdb, halfMaps: LoadedHalfMaps | null = null) {
  const m = fetched.metadata;
  return {
    emdbId,
    path: fetched.path,
    sha256: fetched.sha256,
    fileBytes: fetched.bytes.length,
    origin: fetched.origin,
    fetchedAt: fetched.fetchedAt,
    title: m?.title ?? null,
    resolution: m?.resolution ?? null,
    contourLevel: m?.contourLevel ?? null,
    primaryContourLevel: m?.primaryContourLevel ?? null,
    pixelSpacing: m?.pixelSpacing ?? null,
    dimensions: m?.dimensions ?? null,
    metadataFormat: m?.format ?? null,
    issues: m?.issues ?? [],
    /** Null without --half-maps; else both files, or why there are none. */
    halfMaps:
      halfMaps === null ? null
      : halfMaps.status === "not-listed" ? { status: halfMaps.status, message: halfMaps.message, files: [] }
      : {
        status: halfMaps.status, message: null,
        files: [halfMaps.half1, halfMaps.half2].map((h) => ({ name: h.name, path: h.path, sha256: h.sha256, fileBytes: h.bytes.length, origin: h.origin })),
      },
  };
}

function formatFetched(emdbId: string, fetched: FetchedEmdb, halfMaps: LoadedHalfMaps | null): string {
  const how = fetched.origin === "download" ? "downloaded" : `cached ${fetched.fetchedAt.slice(0, 10)}`;
  const lines = [`${emdbId}: ${how} ${fetched.path}`, `  ${fetched.bytes.length} bytes, sha256 ${fetched.sha256}`];
  lines.push(...describeMetadata(fetched.metadata));
  if (halfMaps?.status === "not-listed") lines.push(`  half maps: ${halfMaps.message}`);
  if (halfMaps?.status === "loaded") {
    [halfMaps.half1, halfMaps.half2].forEach((half, k) => {
      const origin = half.origin === "download" ? "downloaded" : "cached";
      lines.push(`  half map ${k + 1}: ${origin} ${half.path}, ${half.bytes.length} bytes, sha256 ${half.sha256}`);
    });
  }
  return lines.join("\n") + "\n";
}

function describeMetadata(m: EmdbMetadata | null): string[] {
  if (m === null) return ["  metadata: none"];
  const contour =
    m.contourLevel === null
      ? "unknown"
      : `${m.contourLevel} (first, as VRS)${m.primaryContourLevel !== m.contourLevel ? `; primary ${m.primaryContourLevel}` : ""}`;
  return [
    `  title: ${m.title ?? "unknown"}`,
    `  resolution: ${m.resolution === null ? "unknown" : `${m.resolution} Å`}`,
    `  contour: ${contour}`,
    `  pixel spacing: ${m.pixelSpacing === null ? "unknown" : `${m.pixelSpacing.join(" × ")} Å`}`,
    ...m.issues.map((issue) => `  ${issue.severity}: ${issue.message}`),
  ];
}
