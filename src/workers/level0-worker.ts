/**
 * The report page's Web Worker: holds the map and recomputes the threshold-dependent part of the Level 0 report
 * (masks, 0.a–0.c, score, abstract) with the kernel's runLevel0, so the page stays responsive while the slider moves.
 * Sections 0.d–0.h come precomputed from the data loader.
 *
 * Only the latest request counts: requests that arrive while one is computed replace each other, and the slow extra
 * (the soft mask, an FFT) is skipped when a newer request is waiting.
 *
 * Messages in:  {type: "init", data, shape, voxelSize, origin, ts, resolution, file, sha256, fileWarnings, precomputed}
 *               {type: "report", id, threshold, mode, parameters}
 *               {type: "sweep", id, thresholds, mode, parameters}
 * Messages out: {type: "report", id, threshold, ms, report, json, tables}, then {type: "masks", id, threshold, masks} and
 *               {type: "soft", id, slices} (skipped when a newer request is waiting)
 *               {type: "sweep", id, rows, ms}; {type: "error", id, request, threshold?, message, code?}
 * A message of another shape (null, an unknown type or mode, a threshold that is not a finite number) is answered by
 * {type: "error", id: null, request: "invalid", message} and otherwise ignored.
 */
import type { CriteriaParameters } from "../../lib/criteria.js";
import { maxVarianceSlices, backgroundBeyond } from "../../lib/figures.js";
import { runLevel0, type Level0Report } from "../../lib/level0.js";
import { rawMask, rawMaskThreshold, softMask } from "../../lib/masks.js";
import { componentRows, massTableRows, summaryRows, sweepRows } from "../../lib/report-tables.js";
import { reportJson } from "../../lib/report-text.js";
import type { AnalysisMode, SectionId, SectionResult } from "../../lib/report-types.js";
import type { MaskResults } from "../../lib/section-0b-mask.js";
import type { BackgroundResults } from "../../lib/section-0c-background.js";
import { sweep } from "../../lib/sweep.js";
import { mapValues } from "../../lib/value-index.js";
import type { Vec3, Volume } from "../../lib/volume.js";

interface Init {
  type: "init";
  data: Float32Array;
  shape: Vec3;
  voxelSize: Vec3;
  origin: Vec3;
  /** Ts for the analysis (the live copy's voxel size). */
  ts: number;
  resolution: number | null;
  file: string;
  sha256: string;
  /** The map reader's warnings about the file, listed in the report JSON as the CLI lists them. */
  fileWarnings?: string[];
  precomputed: Record<AnalysisMode, Partial<Record<SectionId, SectionResult<object>>>>;
}
interface ReportRequest {
  type: "report";
  id: number;
  threshold: number;
  mode: AnalysisMode;
  parameters: Partial<CriteriaParameters>;
}
interface SweepRequest {
  type: "sweep";
  id: number;
  thresholds: number[];
  mode: AnalysisMode;
  parameters: Partial<CriteriaParameters>;
}

const scope = self as unknown as {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
};

let map: { volume: Volume; init: Init } | null = null;
let pendingReport: ReportRequest | null = null;
let pendingSweep: SweepRequest | null = null;
let scheduled = false;
let figuresTimer: ReturnType<typeof setTimeout> | undefined;
/** Quiet time after a report before its mask figures are computed. */
const FIGURES_DELAY_MS = 250;

const modes: readonly unknown[] = ["default", "vrs-compat"] satisfies AnalysisMode[];

/** What is wrong with a message from the page, or null when it has a shape the worker handles. */
function messageProblem(message: unknown): string | null {
  if (typeof message !== "object" || message === null) return `expected a message object, got ${String(message)}`;
  const m = message as Record<string, unknown>;
  if (m.type === "init") return m.data instanceof Float32Array ? null : "init: data must be a Float32Array";
  if (m.type !== "report" && m.type !== "sweep") return `unknown message type ${JSON.stringify(m.type)}`;
  if (!modes.includes(m.mode)) return `${m.type}: unknown mode ${JSON.stringify(m.mode)}; expected ${modes.join(" or ")}`;
  if (m.type === "report" && !Number.isFinite(m.threshold)) return `report: threshold ${String(m.threshold)} is not a finite number`;
  if (m.type === "sweep" && !(Array.isArray(m.thresholds) && m.thresholds.every(Number.isFinite)))
    return "sweep: thresholds must be finite numbers";
  return null;
}

scope.onmessage = (event: MessageEvent<Init | ReportRequest | SweepRequest>) => {
  const problem = messageProblem(event.data);
  if (problem !== null) {
    scope.postMessage({ type: "error", id: null, request: "invalid", message: problem });
    return;
  }
  const message = event.data;
  if (message.type === "init") {
    const [nx, ny, nz] = message.shape;
    map = { volume: { nx, ny, nz, data: message.data, voxelSize: message.voxelSize, origin: message.origin }, init: message };
    return;
  }
  if (message.type === "report") pendingReport = message;
  else pendingSweep = message;
  schedule();
};

// A macrotask: messages already queued are delivered first, so only the newest of a burst is computed.
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(work, 0);
}

function work(): void {
  scheduled = false;
  if (!map) return;
  if (pendingReport) {
    const request = pendingReport;
    pendingReport = null;
    const report = answer(request);
    // The numbers are out. The mask figures (and the soft mask's FFT) wait until the slider has rested a moment, so
    // that they never hold up the numbers of the next move.
    clearTimeout(figuresTimer);
    if (report) figuresTimer = setTimeout(() => maskFigures(request, report), FIGURES_DELAY_MS);
    // The first report is answered by a pass over the map; the index that answers the next thresholds is built
    // right after it, before the reader moves the slider, rather than on the first move.
    setTimeout(() => pendingReport || mapValues(map!.volume.data).index(), 0);
  } else if (pendingSweep) {
    const request = pendingSweep;
    pendingSweep = null;
    const started = performance.now();
    try {
      const rows = sweepRows(sweep(map.volume, request.thresholds, { voxelSize: map.init.ts, mode: request.mode, parameters: request.parameters }));
      scope.postMessage({ type: "sweep", id: request.id, rows, ms: performance.now() - started });
    } catch (error) {
      scope.postMessage({ type: "error", id: request.id, request: "sweep", message: (error as Error).message });
    }
  }
  if (pendingReport || pendingSweep) schedule();
}

function answer(request: ReportRequest): Level0Report | null {
  const { volume, init } = map!;
  const started = performance.now();
  let report: Level0Report;
  try {
    report = runLevel0(volume, {
      threshold: request.threshold,
      resolution: init.resolution,
      voxelSize: init.ts,
      mode: request.mode,
      parameters: request.parameters,
      precomputed: init.precomputed[request.mode],
    });
  } catch (error) {
    // The code lets the page tell an empty mask (no report at this threshold, as in VRS) from other failures.
    const { message, code } = error as Error & { code?: string };
    scope.postMessage({ type: "error", id: request.id, request: "report", threshold: request.threshold, message, code });
    return null;
  }
  const ms = performance.now() - started;
  const { hardMask: _mask, figures: _figures, ...rest } = report;
  // The page's downloads of the threshold-dependent tables (it does not load the kernel itself).
  const mask = report.sections["0.b"].results as MaskResults | null;
  const tables = {
    summary: summaryRows(report.sections),
    components: mask ? componentRows(mask, init.ts) : [],
    massTable: mask ? massTableRows(mask) : [],
  };
  scope.postMessage({
    type: "report",
    id: request.id,
    threshold: request.threshold,
    ms,
    report: rest,
    json: reportJson(report, init.file, init.sha256, { fileWarnings: init.fileWarnings }),
    tables,
  });
  return report;
}

/** Max-variance slices of the raw, hard and soft masks and of the background outliers (VRS's figures). */
function maskFigures(request: ReportRequest, report: Level0Report): void {
  if (pendingReport) return; // the next report makes its own
  const volume = map!.volume;
  const { nx, ny, nz } = volume;
  const rawThreshold = rawMaskThreshold(request.threshold, request.mode);
  const raw = rawMask(volume, rawThreshold);
  const hard = report.hardMask.mask;
  const background = report.sections["0.c"].results as BackgroundResults;
  const outlierLimit = report.parameters.outlierSigmas * background.std;
  const masks = {
    raw: maxVarianceSlices(raw, nx, ny, nz),
    hard: maxVarianceSlices(hard, nx, ny, nz),
    outliers: maxVarianceSlices(backgroundBeyond(volume, hard, outlierLimit), nx, ny, nz),
  };
  scope.postMessage({ type: "masks", id: request.id, threshold: request.threshold, masks });
  setTimeout(() => {
    if (pendingReport) return;
    const soft = softMask(hard, nx, ny, nz);
    scope.postMessage({ type: "soft", id: request.id, slices: maxVarianceSlices(soft, nx, ny, nz) });
  }, 0);
}
