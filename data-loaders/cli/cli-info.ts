/**
 * `mapval info FILE [--json] [--lenient-voxel-size]`: what the reader made of a map file (geometry, mode, origin,
 * statistics recomputed from the data, labels and warnings). With --json, stdout is exactly one JSON object.
 */
import { MapFormatError } from "../../lib/errors.js";
import { modeName } from "../../lib/io/mrc-reader.js";
import { commandArguments, type CliIO } from "./cli-io.js";
import { MapFileError, readMapFile, type MapFile } from "./read-map-file.js";

export const infoUsage = "usage: mapval info FILE [--json] [--lenient-voxel-size]";

export async function runInfo(args: string[], io: CliIO): Promise<number> {
  const parsed = commandArguments({
    command: "info",
    usage: infoUsage,
    options: {
      json: { type: "boolean", default: false },
      "lenient-voxel-size": { type: "boolean", default: false },
    },
    positionals: { missing: "FILE", max: 1 },
  }, args, io);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  let file: MapFile;
  try {
    file = await readMapFile(positionals[0], { lenientVoxelSize: values["lenient-voxel-size"] });
  } catch (error) {
    if (error instanceof MapFormatError || error instanceof MapFileError) {
      io.err(`mapval: ${error.message.replace(/\s*\n\s*/g, " ")}\n`);
      return 2;
    }
    throw error;
  }
  const summary = infoSummary(file);
  io.out(values.json ? JSON.stringify(summary) + "\n" : formatInfo(summary));
  return 0;
}

/** The JSON contract of `mapval info --json`. Non-finite header numbers become null (JSON has no NaN). */
export function infoSummary({ path, fileBytes, sha256, compressed, result }: MapFile) {
  const { volume, header, stats } = result;
  return {
    file: path,
    fileBytes,
    sha256,
    gzip: compressed,
    shape: [volume.nx, volume.ny, volume.nz],
    voxelSize: volume.voxelSize,
    origin: volume.origin,
    originSource: result.originSource,
    mode: header.mode,
    modeName: modeName(header.mode),
    littleEndian: header.littleEndian,
    axisOrder: result.axisOrder,
    fileShape: [header.nc, header.nr, header.ns],
    nstart: [header.nxstart, header.nystart, header.nzstart],
    sampling: [header.mx, header.my, header.mz],
    cell: header.cell,
    angles: header.angles,
    ispg: header.ispg,
    nsymbt: header.nsymbt,
    nversion: header.nversion,
    extType: header.extType,
    headerStats: { dmin: header.dmin, dmax: header.dmax, dmean: header.dmean, rms: header.rms },
    min: stats.min,
    max: stats.max,
    mean: stats.mean,
    std: stats.std,
    nanCount: stats.nanCount,
    infCount: stats.infCount,
    finiteCount: stats.finiteCount,
    labels: header.labels,
    warnings: result.warnings,
  };
}

type InfoSummary = ReturnType<typeof infoSummary>;

const g = (x: number) => Number(x.toPrecision(6)).toString();
const triple = (v: readonly number[], sep = " × ") => v.map(g).join(sep);

export function formatInfo(s: InfoSummary): string {
  const axes = s.axisOrder.map((a) => "xyz"[a - 1]).join("");
  const rows: [string, string][] = [
    ["file", `${s.file} (${s.fileBytes} bytes${s.gzip ? ", gzip" : ""})`],
    ["sha256", s.sha256],
    ["shape", `${triple(s.shape)} voxels (x, y, z)`],
    ["mode", `${s.mode} (${s.modeName}), ${s.littleEndian ? "little" : "big"}-endian`],
    ["axis order", `MAPC/MAPR/MAPS ${s.axisOrder.join(",")} (columns, rows, sections = ${axes})`],
    ["voxel size", s.voxelSize ? `${triple(s.voxelSize)} Å` : "undefined"],
    ["origin", `${triple(s.origin, ", ")} Å (${s.originSource === "none" ? "no ORIGIN or NSTART used" : `from ${s.originSource}`})`],
    ["cell", `${triple(s.cell)} Å, angles ${triple(s.angles, ", ")}°, sampling ${triple(s.sampling)}`],
    ["space group", `${s.ispg}, NSYMBT ${s.nsymbt}${s.extType ? ` (${s.extType})` : ""}, NVERSION ${s.nversion}`],
    ["min / max", `${g(s.min)} / ${g(s.max)}`],
    ["mean / std", `${g(s.mean)} / ${g(s.std)}`],
    ["NaN / Inf", `${s.nanCount} / ${s.infCount}`],
  ];
  s.labels.forEach((label, i) => rows.push([i === 0 ? "labels" : "", label]));
  if (s.warnings.length === 0) rows.push(["warnings", "none"]);
  s.warnings.forEach((warning, i) => rows.push([i === 0 ? "warnings" : "", warning]));
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join("\n") + "\n";
}
