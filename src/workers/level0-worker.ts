/**
 * The report page's Web Worker: holds the map and recomputes the threshold-dependent part of the Level 0 report
 * (masks, 0.a–0.c, score, abstract) with the kernel's runLevel0, so the page stays responsive while the slider moves.
 * On entry pages sections 0.d–0.h come precomputed from the data loader. On the open-a-map page (src/open.md) the
 * worker is given the file's bytes instead ("open"): it reads them with the kernel's reader, answers with what the page
 * needs to set up its inputs ("opened"), and computes 0.d and 0.h itself, once per resolution, voxel size and mode.
 * On the teaching lab (src/lab.md) the worker builds the synthetic map of the lab's parameters instead ("lab",
 * lib/lab/synthetic-map.ts), answers with what the page needs ("lab-map") and then with the report at the map's own
 * threshold and resolution; later reports of the same map are asked for as an opened file's.
 *
 * 0.e–0.g are computed on request ("local", at one threshold) with their bands spread over Web Workers
 * (src/workers/web-band-executor.ts), as `mapval report` spreads them over worker threads; an entry's come from the
 * loader at `localThreshold`. A report includes them only at the threshold (and mode, Ts and resolution) they were
 * computed at, so its score never mixes thresholds; at any other threshold they are not requested (the JSON is that of
 * `mapval report … --sections 0.a,0.b,0.c,0.d,0.h --json`) and the report's `local` names the threshold they are at.
 *
 * Level 1 (the open-a-map page given two half maps): after each report the worker computes 1.a at the report's threshold
 * (`level1At`): the halves masked by Level 0's soft mask at that threshold (or by the user's mask), and the
 * phase-randomised corrected FSC, answered as "level1" with the report's id. It waits for the numbers of Level 0 and
 * for any newer report: a drag leaves at most one Level 1 job waiting, the newest, and a job in hand that a newer one
 * supersedes is dropped. When the page gives it a second worker's script ("fsc-pair-worker"), the first Level 1 job
 * hands 1.a's phase-randomised halves over to that worker (src/workers/fsc-pair.ts), which computes their masked FSC
 * on each move while this worker computes the masked halves' own.
 *
 * Only the latest request counts: requests that arrive while one is computed replace each other, and the slow extra
 * (the soft mask, an FFT) is skipped when a newer request is waiting.
 *
 * Messages in:  {type: "init", data, shape, voxelSize, origin, ts, resolution, file, sha256, fileWarnings, precomputed,
 *                localThreshold} (the threshold of precomputed 0.e–0.g; without it they are not used)
 *               {type: "open", bytes?: ArrayBuffer, name?, half1?: {bytes, name}, half2?: {bytes, name}, mask?: {bytes, name}}
 *               (a map, its two half maps, or both; a user mask only with the halves; without a map the map is the
 *               average of the halves, as `mapval report --half1 --half2` without MAP)
 *               {type: "lab", id, lab: LabParameters, mode, parameters} (answered by "lab-map", then "report" with that id)
 *               {type: "report", id, threshold, mode, parameters, resolution?, voxelSize?} (the last two: opened files)
 *               {type: "sweep", id, thresholds, mode, parameters}
 *               {type: "local", id, threshold, mode, resolution?, voxelSize?, workers, bandWorkerUrl}
 *               {type: "cancel-local", id}
 *               {type: "fsc-pair-worker", url} (the script of the second worker for Level 1 moves; without it, here)
 * Messages out: {type: "opened", name, sha256, shape, voxelSize, stats, threshold, figureVolume, fileWarnings, halves,
 *               phases} (halves: null, or the report's input.halfMaps: {half1: {file, sha256}, half2, mask?, averaged,
 *               fileWarnings})
 *               {type: "lab-map", id, parameters, query, sha256, peak, threshold, resolution, stats, figureVolume, warnings}
 *               {type: "report", id, threshold, ms, phases, report, json, tables, local}, then {type: "masks", id, threshold,
 *               masks} and {type: "soft", id, slices} (skipped when a newer request is waiting; with half maps, after
 *               the report's "level1": they share its soft mask); `local` is null or
 *               {threshold, mode, current, sections: 0.e–0.g} (current: they are in this report)
 *               {type: "sweep", id, rows, ms}
 *               {type: "local-progress", id, stage ("0.e" | "0.f–0.g", then with halves 1.e, 1.b, 1.c, 1.g, 1.h), phase,
 *               fraction, fed?, total?, withLevel1, ms} (lib/level0/local-progress.ts LocalProgress: through each stage's
 *               preparing, its bands and finishing)
 *               {type: "local", id, threshold, mode, ms}; {type: "local-cancelled", id}
 *               {type: "level1", id, threshold, ms, phases, report, json, tables} after a report when half maps are
 *               open: 1.a at the report's threshold (masked with Level 0's soft mask there, or the user's mask), for the
 *               report of that id
 *               {type: "error", id, request, threshold?, message, code?}
 * `phases` times the steps of an answer (ms; "opened": read with statistics, figure copy, default threshold, then the
 * wait for the SHA-256, which WebCrypto computes meanwhile; "report": the kernel up to each of 0.d–0.h it computed,
 * each of those, then the JSON and tables; "level1": the checks (and the first time 1.a's part), the soft mask, the
 * masked halves' FSC here, the wait for the randomised pair's, then the report and JSON), for the benches
 * (bench/open-map.bench.ts, bench/level1-live.bench.ts).
 * A message of another shape (null, an unknown type or mode, a threshold that is not a finite number) is answered by
 * {type: "error", id: null, request: "invalid", message} and otherwise ignored.
 */
import type { CriteriaParameters } from "../../lib/level0/criteria.js";
import { downsample, downsampleFactor } from "../../lib/fourier/downsample.js";
import { chooseThreshold } from "../../lib/entries.js";
import { AnalysisInputError } from "../../lib/errors.js";
import { analysisInputs } from "../../lib/analysis-inputs.js";
import { maxVarianceSlices, backgroundBeyond } from "../../lib/report/figures.js";
import { emptyMaskMessage, runLevel0WithWorkings, type Level0Options, type Level0Report, type Level0Workings } from "../../lib/level0/level0.js";
import { computeLocalSections, localSectionIds, type LocalProgress } from "../../lib/level0/local-sections.js";
import { hardMask, rawMask, rawMaskThreshold, softMask } from "../../lib/masks/masks.js";
import { computeStats, OPEN_MAP_MAX_BYTES, readMap, type MapReadResult } from "../../lib/io/mrc-reader.js";
import {
  checkHalfMaps, checkHalvesAgainstMap, fscSection, fscUnmaskedPart, fscWithMaskedCurves, maskedPairFsc, pairFscBuffers, takeRandomisedHalves,
  type FscUnmaskedPart, type PairFscBuffers,
} from "../../lib/level1/fsc.js";
import { combineReports, level1Inputs, runLevel1, runLevel1With, type Level1Inputs } from "../../lib/level1/level1.js";
import type { BandExecutor } from "../../lib/local/bands.js";
import { averageOf } from "../../lib/level1/level1-local.js";
import { componentRows, guinierRows, massTableRows, summaryRows, sweepRows } from "../../lib/report/report-tables.js";
import { averagedMapName, halfMapFileWarnings, reportJson, type HalfMapFiles } from "../../lib/report/report-text.js";
import type { AnalysisMode, SectionResult } from "../../lib/report/report-types.js";
import { level0Sections, level1SectionIds, type Level0SectionId, type Level1SectionId, type SectionId } from "../../lib/section-registry.js";
import type { MaskResults } from "../../lib/level0/section-0b-mask.js";
import type { BackgroundResults } from "../../lib/level0/section-0c-background.js";
import { sweep } from "../../lib/level0/sweep.js";
import { buildSyntheticMap, labQuery, type LabParameters } from "../../lib/lab/synthetic-map.js";
import { mapValues } from "../../lib/masks/value-index.js";
import type { Vec3, Volume } from "../../lib/io/volume.js";
import { stepsWithBreaks } from "../../lib/steps.js";
import { BandRunCancelled, MAX_BAND_WORKERS, webBandExecutor, type WebBandExecutor } from "./web-band-executor.js";
import type { FromFscPair, PairHalves, PairRequest } from "./fsc-pair.js";

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
  /** The threshold the precomputed 0.e–0.g (and 1.b–1.h) were computed at (the entry's). */
  localThreshold?: number;
  /**
   * An entry's half maps (each half's voxels on the map's grid, as read) and what its report says of their files:
   * Level 1 at each threshold, as for an opened file's halves; their precomputed 1.b–1.h come in `precomputed`.
   */
  halves?: { half1: Float32Array; half2: Float32Array; files: HalfMapFiles };
}
/** A file given to the page: its bytes and its name (as the report JSON names it). */
interface FileBytes {
  bytes: ArrayBuffer;
  name: string;
}
/** A map, its two half maps, or both (then the halves are Level 1's); a user mask only with the halves. */
interface OpenRequest extends Partial<FileBytes> {
  type: "open";
  half1?: FileBytes;
  half2?: FileBytes;
  mask?: FileBytes;
}
interface ReportRequest {
  type: "report";
  id: number;
  threshold: number;
  mode: AnalysisMode;
  parameters: Partial<CriteriaParameters>;
  /** Opened files only: the reported resolution (Å, null when none) and the user's voxel size (absent: the header's). */
  resolution?: number | null;
  voxelSize?: number;
}
interface LabRequest {
  type: "lab";
  id: number;
  /** Checked by buildSyntheticMap: a bad value is answered by {type: "error", request: "lab", code}. */
  lab: LabParameters;
  mode: AnalysisMode;
  parameters: Partial<CriteriaParameters>;
}
interface LocalRequest {
  type: "local";
  id: number;
  threshold: number;
  mode: AnalysisMode;
  resolution?: number | null;
  voxelSize?: number;
  /** Band workers to start (the page passes navigator.hardwareConcurrency), and their script's URL. */
  workers: number;
  bandWorkerUrl: string;
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

/**
 * The map and how to analyse it. An opened file has no Ts or resolution of its own (each report request brings them,
 * as the CLI's --voxel-size and --resolution) and computes 0.d and 0.h itself: `spectral` keeps them per inputs.
 */
let map: {
  volume: Volume;
  init: Init;
  opened?: { spectral: Map<string, Partial<Record<Level0SectionId, SectionResult<object>>>> };
  /** The latest 0.e–0.g for each mode, Ts and resolution (`localKey`), with the threshold they were computed at. */
  local: Map<string, { threshold: number; sections: Partial<Record<SectionId, SectionResult<object>>> }>;
} | null = null;
/** What a report computes when 0.e–0.g are not at its threshold: the rest (0.e–0.g take minutes on a large map). */
const WITHOUT_LOCAL = level0Sections.filter((s) => !s.local).map((s) => s.id);
/** Every Level 0 section: what a report at the threshold of its 0.e–0.g computes. */
const ALL_SECTIONS = level0Sections.map((s) => s.id);
/** What an opened file's reports keep across threshold moves: the sections that do not depend on it (0.d, 0.h). */
const THRESHOLD_FREE = level0Sections.filter((s) => !s.dependsOnThreshold).map((s) => s.id);
/** The half maps given with an opened file (Level 1), read and checked at "open". */
interface HalfMaps {
  half1: Volume;
  half2: Volume;
  /** The user's mask, which replaces Level 0's soft mask in 1.a; null: Level 0's soft mask at each threshold. */
  mask: Volume | null;
  /** What the report's input.halfMaps says of them: files, whether the map is their average, the reader's warnings. */
  files: HalfMapFiles;
  /**
   * 1.a's mask-independent part (fscUnmaskedPart) for the last mode and Ts asked, the buffers of the masked halves'
   * FSC (kept: a move allocates no spectra) and where its randomised halves are: a threshold move then recomputes only
   * the masked and corrected FSC. One at a time; it goes with the halves.
   */
  fscPart?: { key: string; part: FscUnmaskedPart; buffers: PairFscBuffers; randomised: RandomisedPair };
}
/**
 * Where the FSC of a part's masked randomised halves is computed: in the second worker, which holds them, or here.
 * `fsc(mask)`: that FSC per shell (null: the part randomises nothing), or "superseded" when a newer request replaced
 * it in the second worker before it was computed.
 */
interface RandomisedPair {
  fsc(mask: Float32Array): Promise<{ fsc: number[] | null } | "superseded">;
}
/** The second worker's script (the page's "fsc-pair-worker" message); null: the randomised pair is computed here. */
let fscPairWorkerUrl: string | null = null;
/** The second worker, holding the randomised halves of `halves.fscPart` (null: none started, or the pair is here). */
let pairWorker: Worker | null = null;
/** Counts requests to the second worker, so that each answer finds its request. */
let pairRequests = 0;
let halves: HalfMaps | null = null;
/** The one Level 1 job waiting: 1.a for the newest report, with the hard mask of its threshold. */
let pendingLevel1: { request: ReportRequest; level0: Level0Report; hardMask: Uint8Array } | null = null;
/** A Level 1 job is in hand (it may wait for the second worker): the next waits for it to end. */
let level1InHand = false;
/** Ends the in-hand job's wait for its randomised pair when a newer job is waiting (it is then dropped). */
let supersedeLevel1: (() => void) | null = null;
/** What a report with half maps computes of Level 1 at each threshold: 1.a (fast), and 1.d and 1.f (not computed). */
const LIVE_LEVEL1: Level1SectionId[] = ["1.a", "1.d", "1.f"];
/** Level 1's sections computed on request with 0.e–0.g, at one threshold (seconds to minutes). */
const ON_REQUEST_LEVEL1 = level1SectionIds.filter((id) => !LIVE_LEVEL1.includes(id));
/** Counts "open" messages, so that files overtaken by newer ones while they were read are dropped. */
let opens = 0;
/**
 * A local run's planning (working grids, resampling, spectra: seconds at 512³) hands the thread back this often (ms,
 * plus one step), so that a threshold move or Cancel meanwhile is answered within a fraction of a second.
 */
const PLANNING_SLICE_MS = 50;
/** The local-sections run in hand. */
let localRun: { id: number; executor: WebBandExecutor } | null = null;
let pendingReport: ReportRequest | null = null;
let pendingSweep: SweepRequest | null = null;
let pendingLab: LabRequest | null = null;
/** Counts lab builds, so that a build overtaken by a newer one while it hashed its map is dropped. */
let labBuilds = 0;
/** A lab map is being built: no report is answered until it is the worker's map. */
let building = false;
let scheduled = false;
let figuresTimer: ReturnType<typeof setTimeout> | undefined;
/** Quiet time after a report before its mask figures are computed. */
const FIGURES_DELAY_MS = 250;
/** The last report's mask figures, due (its quiet time is over): computed once no Level 1 job waits or is in hand. */
let pendingFigures: { request: ReportRequest; result: { report: Level0Report; workings: Level0Workings } } | null = null;
/**
 * The soft mask of the last report's hard mask (`softMaskOf`), made once for its Level 1 job and its mask figures;
 * dropped by the soft figure (its last use) or the next report.
 */
let lastSoftMask: { hard: Uint8Array; soft: Float32Array } | null = null;

const modes: readonly unknown[] = ["default", "vrs-compat"] satisfies AnalysisMode[];

/** What is wrong with a message from the page, or null when it has a shape the worker handles. */
function messageProblem(message: unknown): string | null {
  if (typeof message !== "object" || message === null) return `expected a message object, got ${String(message)}`;
  const m = message as Record<string, unknown>;
  if (m.type === "init") {
    if (!(m.data instanceof Float32Array)) return "init: data must be a Float32Array";
    const halves = m.halves as Init["halves"] | undefined;
    const sameGrid = (half: unknown) => half instanceof Float32Array && half.length === (m.data as Float32Array).length;
    if (halves !== undefined && !(sameGrid(halves?.half1) && sameGrid(halves?.half2) && typeof halves?.files === "object"))
      return "init: halves must be {half1, half2: Float32Array of the map's voxels, files}";
    return null;
  }
  if (m.type === "open") return openProblem(m);
  if (m.type === "lab" && (typeof m.lab !== "object" || m.lab === null)) return "lab: lab must be the lab's parameters";
  if (m.type === "cancel-local") return null;
  if (m.type === "fsc-pair-worker") return typeof m.url === "string" ? null : "fsc-pair-worker: url must be a string";
  if (m.type !== "report" && m.type !== "sweep" && m.type !== "local" && m.type !== "lab") return `unknown message type ${JSON.stringify(m.type)}`;
  if (!modes.includes(m.mode)) return `${m.type}: unknown mode ${JSON.stringify(m.mode)}; expected ${modes.join(" or ")}`;
  const atThreshold = m.type === "report" || m.type === "local";
  if (atThreshold && !Number.isFinite(m.threshold)) return `${m.type}: threshold ${String(m.threshold)} is not a finite number`;
  if (atThreshold && !(m.resolution === undefined || m.resolution === null || typeof m.resolution === "number"))
    return `${m.type}: resolution must be a number or null`;
  if (atThreshold && !(m.voxelSize === undefined || typeof m.voxelSize === "number")) return `${m.type}: voxelSize must be a number`;
  if (m.type === "local" && !(Number.isInteger(m.workers) && (m.workers as number) >= 1 && (m.workers as number) <= MAX_BAND_WORKERS))
    return `local: workers must be a whole number from 1 to ${MAX_BAND_WORKERS}, got ${String(m.workers)}`;
  if (m.type === "local" && typeof m.bandWorkerUrl !== "string") return "local: bandWorkerUrl must be a string";
  if (m.type === "sweep" && !(Array.isArray(m.thresholds) && m.thresholds.every(Number.isFinite)))
    return "sweep: thresholds must be finite numbers";
  return null;
}

const isFile = (file: unknown) =>
  typeof file === "object" && file !== null && (file as FileBytes).bytes instanceof ArrayBuffer && typeof (file as FileBytes).name === "string";

/** What is wrong with an "open" message: it needs a map or both halves, each an ArrayBuffer and a name. */
function openProblem(m: Record<string, unknown>): string | null {
  const hasMap = m.bytes !== undefined || m.name !== undefined;
  if (hasMap && !isFile(m)) return "open: bytes must be an ArrayBuffer and name a string";
  const halves = ["half1", "half2", "mask"].filter((key) => m[key] !== undefined);
  if (halves.some((key) => !isFile(m[key]))) return `open: ${halves.find((key) => !isFile(m[key]))} must be {bytes: ArrayBuffer, name: string}`;
  if (halves.length > 0 && !(halves.includes("half1") && halves.includes("half2"))) return "open: give both half maps (half1 and half2), or neither";
  if (!hasMap && halves.length === 0) return "open: give a map (bytes, name) or two half maps (half1, half2)";
  return null;
}

type CancelLocal = { type: "cancel-local"; id: number };
type FscPairWorker = { type: "fsc-pair-worker"; url: string };

scope.onmessage = (event: MessageEvent<Init | OpenRequest | ReportRequest | SweepRequest | LabRequest | LocalRequest | CancelLocal | FscPairWorker>) => {
  const problem = messageProblem(event.data);
  if (problem !== null) {
    scope.postMessage({ type: "error", id: null, request: "invalid", message: problem });
    return;
  }
  const message = event.data;
  if (message.type === "init") {
    const [nx, ny, nz] = message.shape;
    map = { volume: { nx, ny, nz, data: message.data, voxelSize: message.voxelSize, origin: message.origin }, init: message, local: new Map() };
    const half = (data: Float32Array): Volume => ({ ...map!.volume, data });
    halves = message.halves ? { half1: half(message.halves.half1), half2: half(message.halves.half2), mask: null, files: message.halves.files } : null;
    dropLevel1();
    dropFigures();
    if (Number.isFinite(message.localThreshold))
      for (const mode of Object.keys(message.precomputed) as AnalysisMode[]) {
        const sections = pick(message.precomputed[mode], localSectionIds);
        if (Object.keys(sections).length === localSectionIds.length)
          map.local.set(localKey({ mode }), { threshold: message.localThreshold!, sections: { ...sections, ...(halves && pick(message.precomputed[mode], ON_REQUEST_LEVEL1)) } });
      }
    return;
  }
  if (message.type === "open") {
    void open(message);
    return;
  }
  if (message.type === "local") {
    void computeLocal(message);
    return;
  }
  if (message.type === "cancel-local") {
    if (localRun?.id === message.id) localRun.executor.cancel();
    return;
  }
  if (message.type === "fsc-pair-worker") {
    fscPairWorkerUrl = message.url;
    return;
  }
  if (message.type === "lab") {
    // A new map: reports asked for the last one are moot.
    pendingLab = message;
    pendingReport = null;
  } else if (message.type === "report") pendingReport = message;
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
  if (pendingLab) {
    const request = pendingLab;
    pendingLab = null;
    void buildLab(request);
    return;
  }
  if (!map || building) return;
  if (pendingReport) {
    const request = pendingReport;
    pendingReport = null;
    lastSoftMask = null; // the last move's
    const result = answer(request);
    // The numbers are out. The mask figures (and the soft mask's FFT) wait until the slider has rested a moment, so
    // that they never hold up the numbers of the next move, and then for this report's Level 1 numbers.
    dropFigures();
    if (result) figuresTimer = setTimeout(() => ((pendingFigures = { request, result }), schedule()), FIGURES_DELAY_MS);
    if (result && halves) {
      pendingLevel1 = { request, level0: result.report, hardMask: result.workings.hardMask.mask };
      supersedeLevel1?.();
    }
    // The first report is answered by a pass over the map; the index that answers the next thresholds is built
    // right after it, before the reader moves the slider, rather than on the first move.
    const { volume } = map;
    setTimeout(() => pendingReport || map?.volume !== volume || mapValues(volume.data).index(), 0);
  } else if (pendingLevel1 && !level1InHand) {
    const job = pendingLevel1;
    pendingLevel1 = null;
    level1InHand = true;
    void level1At(job.request, job.level0, job.hardMask).finally(() => ((level1InHand = false), schedule()));
  } else if (pendingFigures && !level1InHand) {
    const { request, result } = pendingFigures;
    pendingFigures = null;
    maskFigures(request, result);
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
  if (pendingReport || (!level1InHand && (pendingLevel1 || pendingFigures)) || pendingSweep) schedule();
}

/** The mask figures of the last report are not made: a newer report, file or lab map replaces it. */
function dropFigures(): void {
  clearTimeout(figuresTimer);
  pendingFigures = null;
}

/** Level 0's soft mask of a report's hard mask, made once for that report (its Level 1 job and its mask figures). */
function softMaskOf(hard: Uint8Array, { nx, ny, nz }: Volume): Float32Array {
  if (lastSoftMask?.hard !== hard) lastSoftMask = { hard, soft: softMask(hard, nx, ny, nz) };
  return lastSoftMask.soft;
}

/**
 * Reads an opened file with the kernel's reader (as `mapval info` and `mapval report` do) and answers with its
 * geometry, statistics, the default threshold (the 1 %-of-voxels level, not the author's: a file has no recorded
 * contour) and a copy for the page's figures, downsampled as the site's entry maps are; or with the reader's error.
 * With two half maps (and a user mask) they are read too and checked against each other (checkHalfMaps); without a
 * map file the map is their average. The page has refused files above OPEN_MAP_MAX_BYTES before reading them; the
 * reader bounds the inflated size.
 */
async function open(message: OpenRequest): Promise<void> {
  const opening = ++opens;
  map = null;
  halves = null;
  dropLevel1();
  localRun?.executor.cancel();
  pendingReport = pendingSweep = null;
  dropFigures();
  try {
    const phases = phaseClock();
    const given = message.half1 && message.half2 ? await readHalves(message.half1, message.half2, message.mask, !message.bytes) : null;
    const file = message.bytes ? await readFile(message as FileBytes, phases) : averageFile(given!);
    if (opening !== opens) return; // a newer file was given meanwhile
    const { volume, stats, warnings, name } = file;
    const factor = downsampleFactor([volume.nx, volume.ny, volume.nz]);
    const shown = downsample(volume, factor);
    const figureData = factor === 1 ? volume.data.slice() : shown.data;
    phases.lap("figure copy");
    const threshold = chooseThreshold(null, volume.data, stats.max);
    phases.lap("default threshold");
    const sha256 = await file.sha256;
    phases.lap("SHA-256 (the rest of it)");
    if (opening !== opens) return;
    map = {
      volume,
      // An opened file's init holds what its reports name (file, SHA-256, the reader's warnings); Ts, resolution and
      // 0.d–0.h come with each request (reportOptions), and the sweep is not offered for it (no ts: NaN).
      init: {
        type: "init", data: volume.data, shape: [volume.nx, volume.ny, volume.nz], voxelSize: volume.voxelSize ?? [1, 1, 1],
        origin: volume.origin, ts: Number.NaN, resolution: null, file: name, sha256, fileWarnings: warnings,
        precomputed: { default: {}, "vrs-compat": {} },
      },
      opened: { spectral: new Map() },
      local: new Map(),
    };
    halves = given;
    scope.postMessage({
      type: "opened", name, sha256, shape: [volume.nx, volume.ny, volume.nz], voxelSize: volume.voxelSize, origin: volume.origin,
      stats, fileWarnings: warnings, threshold,
      figureVolume: { shape: [shown.nx, shown.ny, shown.nz], factor, data: figureData }, phases: phases.ms,
      halves: given?.files ?? null,
    }, [figureData.buffer]);
  } catch (error) {
    if (opening !== opens) return;
    const { message: text, code } = error as Error & { code?: string };
    scope.postMessage({ type: "error", id: null, request: "open", message: text, code });
  }
}

/** A file read, and its SHA-256 on its way: WebCrypto hashes on a thread of its own while the worker goes on. */
type ReadFile = Pick<MapReadResult, "volume" | "stats" | "warnings"> & { name: string; sha256: Promise<string> };

/** A file read with the kernel's reader, and its SHA-256; the reader's error is prefixed by the file's name. */
async function readFile(file: FileBytes, phases?: ReturnType<typeof phaseClock>): Promise<ReadFile> {
  const bytes = new Uint8Array(file.bytes);
  try {
    // The page transferred the bytes and never sees them again: a float32 file's voxels stay a view of them (a copy
    // would cost the map's memory again, and a pass).
    const read = await readMap(bytes, { maxBytes: OPEN_MAP_MAX_BYTES, handOverBytes: true });
    phases?.lap("read");
    return { ...read, name: file.name, sha256: sha256Hex(bytes) };
  } catch (error) {
    const { message, code } = error as Error & { code?: string };
    throw Object.assign(new Error(`${file.name}: ${message}`), { code });
  }
}

/** The half maps and the user's mask, read and checked against each other as `mapval report --half1 --half2 --mask` does. */
async function readHalves(half1: FileBytes, half2: FileBytes, mask: FileBytes | undefined, average: boolean): Promise<HalfMaps> {
  const read = { half1: await readFile(half1), half2: await readFile(half2), mask: mask ? await readFile(mask) : null };
  checkHalfMaps(read.half1.volume, read.half2.volume, { mask: read.mask?.volume });
  const file = async (f: ReadFile) => ({ file: f.name, sha256: await f.sha256 });
  const files: HalfMapFiles = {
    half1: await file(read.half1), half2: await file(read.half2), ...(read.mask && { mask: await file(read.mask) }), averaged: average,
    // Labelled as `mapval report --half1 --half2 --mask` labels them (data-loaders/cli/cli-report.ts).
    fileWarnings: halfMapFileWarnings(read.half1.warnings, read.half2.warnings, read.mask?.warnings),
  };
  return { half1: read.half1.volume, half2: read.half2.volume, mask: read.mask?.volume ?? null, files };
}

/** The map of two half maps given without one: their average, named after them (its SHA-256 is of its float32 voxels). */
function averageFile({ half1, half2, files }: HalfMaps): ReadFile {
  const volume: Volume = { ...half1, data: averageOf(half1, half2) };
  const data = volume.data;
  return {
    volume, stats: computeStats(data), warnings: [], name: averagedMapName(files),
    sha256: sha256Hex(new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength)),
  };
}

/**
 * Builds the lab's synthetic map and makes it the worker's map, as an opened file with Ts = the lab's voxel size
 * (named `lab?<query>` in the report JSON, with the SHA-256 of its float32 voxels; its Ts also drives the sweep), then asks
 * for its first report at
 * the map's own threshold and resolution.
 */
async function buildLab(request: LabRequest): Promise<void> {
  const build = ++labBuilds;
  building = true;
  localRun?.executor.cancel();
  dropFigures();
  let built;
  try {
    built = buildSyntheticMap(request.lab);
  } catch (error) {
    const { message, code } = error as Error & { code?: string };
    scope.postMessage({ type: "error", id: request.id, request: "lab", message, code });
    building = false;
    schedule();
    return;
  }
  const { volume } = built;
  const sha256 = await sha256Hex(new Uint8Array(volume.data.buffer as ArrayBuffer, volume.data.byteOffset, volume.data.byteLength));
  if (build !== labBuilds) return;
  const query = labQuery(built.parameters), file = `lab?${query}`;
  map = {
    volume,
    init: {
      type: "init", data: volume.data, shape: [volume.nx, volume.ny, volume.nz], voxelSize: volume.voxelSize!,
      origin: volume.origin, ts: built.parameters.voxelSize, resolution: null, file, sha256, fileWarnings: built.warnings,
      precomputed: { default: {}, "vrs-compat": {} },
    },
    opened: { spectral: new Map() },
    local: new Map(),
  };
  const figureData = volume.data.slice();
  scope.postMessage({
    type: "lab-map", id: request.id, parameters: built.parameters, query, sha256, peak: built.peak, threshold: built.threshold,
    resolution: built.resolution, stats: computeStats(volume.data), warnings: built.warnings,
    figureVolume: { shape: [volume.nx, volume.ny, volume.nz], factor: 1, data: figureData },
  }, [figureData.buffer]);
  // Reports asked for while the map was built were for the last map: the new map's first report replaces them.
  building = false;
  pendingReport = { type: "report", id: request.id, threshold: built.threshold, mode: request.mode, parameters: request.parameters, resolution: built.resolution };
  schedule();
}

/** Times consecutive steps: `lap(name)` records the time since the last lap (or the start) as `ms[name]`. */
function phaseClock() {
  const ms: Record<string, number> = {};
  let last = performance.now();
  return {
    ms,
    lap(name: string) {
      const now = performance.now();
      ms[name] = now - last;
      last = now;
    },
  };
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

type Inputs = Pick<ReportRequest, "mode" | "resolution" | "voxelSize">;

/** An opened file's 0.d and 0.h depend on the mode, Ts and resolution only: computed once for each. */
const spectralKey = (request: Inputs) => `${request.mode} ${request.voxelSize} ${request.resolution}`;
/** What 0.e–0.g depend on besides the threshold: the mode, and an opened file's Ts and resolution (an entry's are fixed). */
const localKey = (request: Inputs) => (map?.opened ? spectralKey(request) : request.mode);

function pick<Id extends SectionId>(sections: Partial<Record<SectionId, SectionResult<object>>>, ids: readonly Id[]) {
  return Object.fromEntries(ids.filter((id) => sections[id] !== undefined).map((id) => [id, sections[id]])) as Partial<Record<Id, SectionResult<object>>>;
}

/** The latest 0.e–0.g for the request's mode (and inputs), and whether they are at its threshold. */
function localFor(request: Inputs & { threshold: number }) {
  const local = map!.local.get(localKey(request));
  return local ? { ...local, mode: request.mode, current: local.threshold === request.threshold } : null;
}

/**
 * runLevel0's options: an entry's fixed inputs and precomputed 0.d and 0.h, or an opened file's request, as the CLI's
 * flags; with 0.e–0.g only when they were computed at the request's threshold.
 */
function reportOptions(request: ReportRequest): Level0Options {
  const { init, opened } = map!;
  const local = localFor(request);
  const sections = local?.current ? ALL_SECTIONS : WITHOUT_LOCAL;
  const localSections = local?.current ? pick(local.sections, localSectionIds) : {};
  const common = { threshold: request.threshold, mode: request.mode, parameters: request.parameters, sections };
  if (!opened) {
    const precomputed = { ...pick(init.precomputed[request.mode], ["0.d", "0.h"]), ...localSections };
    return { ...common, resolution: init.resolution, voxelSize: init.ts, precomputed };
  }
  return {
    ...common, thresholdSource: "--threshold",
    resolution: request.resolution ?? null, resolutionSource: "--resolution",
    voxelSize: request.voxelSize, voxelSizeSource: "--voxel-size",
    precomputed: { ...opened.spectral.get(spectralKey(request)), ...localSections },
  };
}

/**
 * 0.e–0.g at the request's threshold, as `mapval report` computes them (lib/level0/local-sections.ts, bands on `workers` Web
 * Workers), kept for the reports at that threshold. Progress goes out as each band run starts and each band is fed;
 * a newer request or "cancel-local" ends the run in hand, and the sections computed before stay as they were.
 */
async function computeLocal(request: LocalRequest): Promise<void> {
  if (!map) return;
  localRun?.executor.cancel();
  const current = map;
  const { id, threshold, mode } = request;
  const started = performance.now();
  const withLevel1 = halves !== null; // Level 1's stages follow 0.e–0.g: the page's time estimate counts them
  const progress = (p: LocalProgress) => scope.postMessage({ type: "local-progress", id, ...p, withLevel1, ms: performance.now() - started });
  progress({ stage: "0.e", phase: "preparing", fraction: 0 });
  localRun = { id, executor: webBandExecutor(request.bandWorkerUrl, request.workers) };
  const run = localRun;
  try {
    const { sections: _s, precomputed: _p, parameters: _q, ...options } = reportOptions({ ...request, type: "report", parameters: {} });
    const inputs = analysisInputs(current.volume, { ...options, computed: [...localSectionIds] });
    const mask = hardMask(inputs.volume, threshold, { voxelSize: inputs.ts, mode });
    if (mask.voxels === 0) throw new AnalysisInputError("empty-mask", emptyMaskMessage);
    const stopped = () => (run.executor.cancelled ? new BandRunCancelled() : null);
    const sections = await computeLocalSections(run.executor.execute, inputs.volume, {
      voxelSize: inputs.ts, threshold, resolution: inputs.resolution, mode, hardMask: mask.mask,
    }, localSectionIds, progress, stepsWithBreaks({ sliceMs: PLANNING_SLICE_MS, stopped }));
    const level1 = halves && map === current && localRun === run ? await level1OnRequest(run.executor.execute, request, mask.mask, progress) : {};
    if (map !== current || localRun !== run) return; // another file, or a newer request
    const plain = Object.fromEntries(Object.entries(sections).map(([key, { localMap: _m, ...section }]) => [key, section]));
    current.local.set(localKey(request), { threshold, sections: { ...plain, ...level1 } });
    scope.postMessage({ type: "local", id, threshold, mode, ms: performance.now() - started });
  } catch (error) {
    if (localRun !== run && !(error instanceof BandRunCancelled)) return;
    if (error instanceof BandRunCancelled) scope.postMessage({ type: "local-cancelled", id });
    else {
      const { message, code } = error as Error & { code?: string };
      scope.postMessage({ type: "error", id, request: "local", threshold, message, code });
    }
  } finally {
    if (localRun === run) localRun = null;
  }
}

/**
 * With half maps, 1.b, 1.c, 1.e, 1.g and 1.h at the local run's threshold, after 0.e–0.g, as `mapval report --half1
 * --half2` computes them (1.e's bands on the run's band workers; the others here, each announced as a progress stage).
 */
async function level1OnRequest(
  execute: BandExecutor,
  request: LocalRequest,
  hard: Uint8Array,
  progress: (p: LocalProgress) => void,
): Promise<Partial<Record<Level1SectionId, SectionResult<object>>>> {
  const { half1, half2, mask: userMask } = halves!;
  const { resolution, resolutionSource, voxelSize, voxelSizeSource } = reportOptions({ ...request, type: "report", parameters: {} });
  const { report } = await runLevel1With(execute, half1, half2, {
    threshold: request.threshold, mode: request.mode, resolution, resolutionSource, voxelSize, voxelSizeSource,
    hardMask: hard, userMask: userMask ?? undefined, sections: ON_REQUEST_LEVEL1,
    onSection: (id) => progress({ stage: id as LocalProgress["stage"], phase: "preparing", fraction: 0 }),
  });
  return pick(report.sections, ON_REQUEST_LEVEL1);
}

function answer(request: ReportRequest): { report: Level0Report; workings: Level0Workings } | null {
  const { volume, init, opened } = map!;
  const started = performance.now();
  const phases = phaseClock();
  // Each of 0.d–0.h computed here ends the step before it: "masks, 0.a–0.c" first.
  let step = "masks, 0.a–0.c";
  const onSection = (id: Level0SectionId) => (phases.lap(step), (step = id));
  let result: { report: Level0Report; workings: Level0Workings };
  try {
    result = runLevel0WithWorkings(volume, { ...reportOptions(request), onSection });
    phases.lap(step);
    const { sections } = result.report;
    opened?.spectral.set(spectralKey(request), Object.fromEntries(THRESHOLD_FREE.map((id) => [id, sections[id]])));
  } catch (error) {
    // The code lets the page tell an empty mask (no report at this threshold, as in VRS) from other failures.
    const { message, code } = error as Error & { code?: string };
    scope.postMessage({ type: "error", id: request.id, request: "report", threshold: request.threshold, message, code });
    return null;
  }
  const ms = performance.now() - started;
  const { report } = result;
  // The page's downloads of the threshold-dependent tables (it does not load the kernel itself).
  const mask = report.sections["0.b"].results as MaskResults | null;
  const tables = {
    summary: summaryRows(report.sections),
    components: mask ? componentRows(mask, report.input.voxelSize) : [],
    massTable: mask ? massTableRows(mask) : [],
    guinier: guinierRows(report.sections["0.d"]),
  };
  const json = reportJson(report, init.file, init.sha256, { fileWarnings: init.fileWarnings });
  phases.lap("JSON and tables");
  scope.postMessage({
    type: "report",
    id: request.id,
    threshold: request.threshold,
    ms,
    phases: phases.ms,
    report,
    json,
    // The Ts the report used (an opened file's comes from its header unless the request overrides it).
    ts: report.input.voxelSize,
    tables,
    local: localFor(request),
  });
  return result;
}

/**
 * Level 1 at the report's threshold, as `mapval report MAP --half1 --half2 [--mask]` computes it: 1.a (its masked and
 * corrected FSC with Level 0's soft mask there, or the user's mask) and 1.d, 1.f, which say why they are not
 * computed; the report of both levels (one score) and its JSON, answered as "level1" with the report's id. The FSC of
 * the masked randomised halves is computed by the second worker, when there is one, while this one computes the masked
 * halves' own; a newer job waiting (a newer report) drops this one, and so does another file.
 */
async function level1At(request: ReportRequest, level0: Level0Report, hard: Uint8Array): Promise<void> {
  const given = halves!;
  const { half1, half2, mask: userMask, files } = given;
  const { init } = map!;
  const started = performance.now();
  const phases = phaseClock();
  const superseded = new Promise<"superseded">((resolve) => (supersedeLevel1 = () => resolve("superseded")));
  try {
    // The report's Ts and resolution, named as the CLI's flags (an entry's own; an opened file's from its request).
    const { resolution, resolutionSource, voxelSize, voxelSizeSource } = reportOptions(request);
    // 1.b–1.h join the report only at the threshold (and inputs) they were computed at, as 0.e–0.g do.
    const local = localFor(request);
    const kept = local?.current ? pick(local.sections, ON_REQUEST_LEVEL1) : {};
    const options = { resolution, resolutionSource, voxelSize, voxelSizeSource };
    const inputs = level1Inputs(half1, half2, options, userMask ?? undefined);
    checkHalvesAgainstMap(map!.volume, level0.input.voxelSize, half1, inputs.ts);
    const { part, buffers, randomised } = fscPartOf(given, request.mode, inputs);
    phases.lap("checks and FSC part");
    const mask = userMask?.data ?? softMaskOf(hard, half1);
    phases.lap("soft mask");
    const theirs = randomised.fsc(mask);
    phases.lap("randomised pair asked");
    const fscMasked = maskedPairFsc(part.half1.data, part.half2.data, mask, part.half1, true, buffers);
    phases.lap("masked halves' FSC");
    const answer = await Promise.race([theirs, superseded]);
    if (answer === "superseded" || halves !== given) return; // a newer report's job, or another file
    phases.lap("randomised pair's FSC");
    const fsc = fscSection(fscWithMaskedCurves(part, fscMasked, answer.fsc), inputs.resolution);
    const level1 = runLevel1(half1, half2, {
      ...options, threshold: request.threshold, mode: request.mode, hardMask: hard, userMask: userMask ?? undefined,
      softMask: userMask ? undefined : mask, sections: Object.keys(kept).length ? level1SectionIds : LIVE_LEVEL1,
      precomputed: { ...kept, "1.a": fsc },
    });
    const report = combineReports(level0, level1);
    const json = reportJson(report, init.file, init.sha256, { fileWarnings: init.fileWarnings, halfMaps: files });
    phases.lap("report and JSON");
    scope.postMessage({
      type: "level1", id: request.id, threshold: request.threshold, ms: performance.now() - started, phases: phases.ms, report, json,
      tables: { summary: summaryRows(report.sections) },
    });
  } catch (error) {
    if (halves !== given) return;
    const { message, code } = error as Error & { code?: string };
    scope.postMessage({ type: "error", id: request.id, request: "level1", threshold: request.threshold, message, code });
  } finally {
    supersedeLevel1 = null;
  }
}

/**
 * The halves' 1.a part for `mode` and Ts, made on the first report that needs it and kept for the next moves, with
 * its randomised halves handed over to a new second worker when the page gave one.
 */
function fscPartOf(given: HalfMaps, mode: AnalysisMode, inputs: Level1Inputs): NonNullable<HalfMaps["fscPart"]> {
  const key = `${mode} ${inputs.ts}`;
  if (given.fscPart?.key !== key) {
    given.fscPart = undefined; // freed before the next one is made
    closePairWorker();
    const [finite1, finite2] = inputs.finite;
    const part = fscUnmaskedPart(finite1.volume, finite2.volume, { mode, voxelSize: inputs.voxelSize });
    const buffers = pairFscBuffers(part.half1);
    given.fscPart = { key, part, buffers, randomised: randomisedPairOf(part, key, buffers) };
  }
  return given.fscPart;
}

/**
 * Where the part's randomised pair is computed: a second worker given its randomised halves, or here (before the
 * masked halves' FSC, in the same `buffers`).
 */
function randomisedPairOf(part: FscUnmaskedPart, key: string, buffers: PairFscBuffers): RandomisedPair {
  if (fscPairWorkerUrl === null || typeof Worker === "undefined") {
    const halves = part.randomised!.halves;
    return { fsc: async (mask) => ({ fsc: halves && maskedPairFsc(halves[0], halves[1], mask, part.half1, false, buffers) }) };
  }
  const worker = new Worker(fscPairWorkerUrl, { type: "module" });
  pairWorker = worker;
  const waiting = new Map<number, (answer: FromFscPair) => void>();
  /** The last mask sent, come back: the next move's copy goes into it. */
  let spare: Float32Array | undefined;
  worker.onmessage = ({ data }: MessageEvent<FromFscPair>) => {
    spare = data.mask;
    waiting.get(data.id)?.(data);
    waiting.delete(data.id);
  };
  // A worker that failed (its script not loaded, or out of memory) answers nothing more: its requests fail.
  let failed: string | null = null;
  worker.onerror = (event) => {
    event.preventDefault();
    failed = `the second worker of Level 1 failed: ${event.message || "it could not be started"}`;
    for (const [id, answered] of waiting) answered({ type: "error", id, message: failed });
    waiting.clear();
  };
  const randomised = takeRandomisedHalves(part);
  const { nx, ny, nz } = part.half1;
  // Transferred, not copied: this worker no longer holds them.
  const handOver: PairHalves = { type: "halves", key, shape: { nx, ny, nz }, halves: randomised };
  worker.postMessage(handOver, randomised ? [randomised[0].buffer, randomised[1].buffer] : []);
  return {
    fsc: (mask) =>
      new Promise((resolve, reject) => {
        if (failed !== null) return reject(new Error(failed));
        const id = ++pairRequests;
        waiting.set(id, (answer) =>
          answer.type === "error" ? reject(new Error(answer.message)) : resolve(answer.type === "superseded" ? "superseded" : { fsc: answer.fsc }));
        // A copy, transferred (and back with the answer): this worker multiplies the halves by the mask meanwhile.
        const copy = spare?.length === mask.length ? spare : new Float32Array(mask.length);
        spare = undefined;
        copy.set(mask);
        const request: PairRequest = { type: "fsc", id, key, mask: copy };
        worker.postMessage(request, [copy.buffer]);
      }),
  };
}

/** Ends the second worker (another file, or another part): the randomised halves it holds go with it. */
function closePairWorker(): void {
  pairWorker?.terminate();
  pairWorker = null;
}

/** Another file: no Level 1 job waits, the one in hand stops waiting for its randomised pair, the second worker ends. */
function dropLevel1(): void {
  pendingLevel1 = null;
  supersedeLevel1?.();
  closePairWorker();
}

/** Max-variance slices of the raw, hard and soft masks and of the background outliers (VRS's figures). */
function maskFigures(request: ReportRequest, { report, workings }: { report: Level0Report; workings: Level0Workings }): void {
  if (pendingReport) return; // the next report makes its own
  const volume = map!.volume;
  const { nx, ny, nz } = volume;
  const rawThreshold = rawMaskThreshold(request.threshold, request.mode);
  const raw = rawMask(volume, rawThreshold);
  const hard = workings.hardMask.mask;
  const background = report.sections["0.c"].results as BackgroundResults;
  const outlierLimit = report.parameters.outlierSigmas * background.std;
  const masks = {
    raw: maxVarianceSlices(raw, nx, ny, nz),
    hard: maxVarianceSlices(hard, nx, ny, nz),
    outliers: maxVarianceSlices(backgroundBeyond(volume, hard, outlierLimit), nx, ny, nz),
  };
  scope.postMessage({ type: "masks", id: request.id, threshold: request.threshold, masks });
  setTimeout(() => {
    if (pendingReport || map?.volume !== volume) return; // a newer report, or another file opened
    const soft = softMaskOf(hard, volume);
    lastSoftMask = null; // its last use: the figures come after the report's Level 1 job
    scope.postMessage({ type: "soft", id: request.id, slices: maxVarianceSlices(soft, nx, ny, nz) });
  }, 0);
}
