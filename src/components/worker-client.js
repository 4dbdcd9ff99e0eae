// @ts-check
/**
 * The page side of the report worker (src/workers/level0-worker.ts), one implementation for the entry pages
 * (src/entries/[id].md) and the open-a-map page (src/open.md). The teaching lab (src/lab.md) keeps its own answers
 * (a map it builds, not a file) but runs 0.e–0.g with this file's localRunRequest and localRunAfter.
 *
 * The worker's answers are kept as `client.latest[type]` (errors as `<request>-error`), so a cell that starts
 * listening late still gets the newest one; each observer below is a function for `Generators.observe` that notifies
 * only when what it shows changes. Requests get ids from `client.sent` (one counter per kind, never reset, so an answer
 * about an earlier file is never taken for one about the current file).
 *
 *   client.request(message)        a report, sweep or other message: posts it with the next id of its kind
 *   client.reset()                 a new file: forgets every answer, and drops those still to come about the last
 *                                  file's requests (the worker forgets its map itself)
 *   client.set(type, value)        keeps a state of the page's own (a file being read) as latest[type]
 *   client.live(initial)           the newest report (or `initial`) and the error of a newer request, if any; once
 *                                  Level 1 has answered for it, the report of both levels (`level1`: that answer)
 *   client.state(select)           select(latest), e.g. the open page's file being read, opened or refused
 *   client.localSections(initial)  the newest report's 0.e–0.g, notified only when their threshold or mode changes
 *   client.pending                 whether a newer report than the one shown has been asked for
 *   client.masks                   the mask figures of the newest report that has them
 *   client.level1                  with half maps: the newest Level 1 answer ("level1", or its error) and whether
 *                                  it is the newest report's ({answer, current})
 *   client.answer(kind)            the answer (or error) to the newest request of `kind`, null while it is computed
 *   client.computeLocal(inputs)    0.e–0.g at `inputs.threshold` on navigator.hardwareConcurrency band workers;
 *                                  once they are in, the last report is asked for again (it then includes them)
 *   client.cancelLocal()           ends that run; the sections computed before stay, at their threshold
 *   client.localRun                {id, threshold, state: running|done|cancelled|error, progress, message}
 */

/** Whether the worker's answer of `type` is about a run of 0.e–0.g. */
export const isLocalAnswer = (/** @type {string} */ type) => ["local", "local-progress", "local-cancelled", "local-error"].includes(type);

/**
 * A run of 0.e–0.g at `inputs.threshold` (with the report's mode, resolution and voxel size) on
 * navigator.hardwareConcurrency band workers: the run's first state and the worker's "local" message.
 * @param {number} id
 * @param {LocalInputs} inputs
 * @param {string} bandWorkerUrl
 * @returns {{run: Mapval.LocalRun, message: {type: "local", [field: string]: unknown}}}
 */
export function localRunRequest(id, {threshold, mode, resolution, voxelSize}, bandWorkerUrl) {
  const workers = Math.max(1, Math.min(32, navigator.hardwareConcurrency || 1));
  return {
    run: {id, threshold, mode, workers, state: "running", progress: null, started: performance.now()},
    message: {type: "local", id, threshold, mode, resolution, voxelSize, workers, bandWorkerUrl}
  };
}

/**
 * The run after the worker's answer `data` about it (of a type isLocalAnswer accepts).
 * @param {Mapval.LocalRun} run
 * @param {string} type
 * @param {any} data the worker's message as it arrives (MessageEvent.data)
 * @returns {Mapval.LocalRun}
 */
export function localRunAfter(run, type, data) {
  if (type === "local-progress") return {...run, progress: data};
  if (type === "local") return {...run, state: "done", ms: data.ms};
  if (type === "local-cancelled") return {...run, state: "cancelled"};
  return {...run, state: "error", message: data.message};
}

/**
 * A worker's answer as kept in `latest` (or a state of the page's own, set by `client.set`); only the fields read here
 * are named.
 * @typedef {{type?: string, id?: number | null, threshold?: number, report?: Mapval.Level0Report,
 *   local?: Mapval.LocalSections | null, [field: string]: unknown}} Answer
 * @typedef {"report" | "sweep"} FloorKind
 * @typedef {(notify: (value: unknown) => void) => () => void} Observer the argument of Framework's `Generators.observe`
 * @typedef {{threshold: number, mode: Mapval.AnalysisMode, resolution?: unknown, voxelSize?: unknown}} LocalInputs
 * @typedef {{
 *   latest: Record<string, Answer | undefined>,
 *   sent: {report: number, sweep: number, local: number},
 *   localRun: Mapval.LocalRun | null,
 *   lastReport: {type: string, [field: string]: unknown} | null,
 *   floor: Record<FloorKind, number>,
 *   request(message: {type: string, [field: string]: unknown}): number | undefined,
 *   set(type: string, value: Answer): void,
 *   reset(): void,
 *   computeLocal(inputs: LocalInputs): void,
 *   cancelLocal(): void,
 *   live(initial?: Answer | null): Observer,
 *   state(select: (latest: Record<string, Answer | undefined>) => unknown): Observer,
 *   localSections(initial?: Mapval.LocalSections | null): Observer,
 *   pending: Observer,
 *   masks: Observer,
 *   level1: Observer,
 *   answer(kind: "report" | "sweep" | "local"): Observer,
 *   local: Observer
 * }} WorkerClient
 */

/**
 * `fscPairWorkerUrl`: the script of the worker's second worker for Level 1 threshold moves
 * (src/workers/fsc-pair-worker.ts), given to it first; without it the worker computes them alone.
 * @param {Pick<Worker, "postMessage" | "onmessage">} worker
 * @param {{bandWorkerUrl: string, fscPairWorkerUrl?: string}} options
 * @returns {WorkerClient}
 */
export function workerClient(worker, {bandWorkerUrl, fscPairWorkerUrl}) {
  const bus = new EventTarget();
  const client = /** @type {WorkerClient} */ ({
    latest: {},
    sent: {report: 0, sweep: 0, local: 0},
    localRun: null,
    lastReport: null,
    /** Ids up to these were sent before the last reset: their answers are about an earlier file. */
    floor: {report: 0, sweep: 0}
  });
  if (fscPairWorkerUrl) worker.postMessage({type: "fsc-pair-worker", url: fscPairWorkerUrl});
  const announce = () => bus.dispatchEvent(new Event("message"));
  const listen = (/** @type {() => void} */ update) => {
    update();
    bus.addEventListener("message", update);
    return () => bus.removeEventListener("message", update);
  };

  worker.onmessage = ({data}) => {
    const type = data.type === "error" ? `${data.request}-error` : data.type;
    const run = client.localRun;
    // Mask figures and Level 1 answers are about a report: they carry its id.
    const kind = ["masks", "soft", "level1", "level1-error"].includes(type) ? "report" : type.replace(/-error$/, "");
    if (kind in client.floor && data.id !== null && data.id <= client.floor[/** @type {FloorKind} */ (kind)]) return;
    if (isLocalAnswer(type)) {
      if (!run || run.id !== data.id) return; // a run that was replaced
      client.localRun = localRunAfter(run, type, data);
      if (type === "local" && client.lastReport) client.request(client.lastReport);
    } else {
      client.latest[type] = {...data, type};
    }
    announce();
  };

  client.request = (message) => {
    const kind = message.type;
    if (kind === "report") client.lastReport = message;
    const id = kind in client.sent ? ++client.sent[/** @type {keyof WorkerClient["sent"]} */ (kind)] : undefined;
    worker.postMessage(id === undefined ? message : {...message, id});
    announce();
    return id;
  };

  /** Keeps a state of the page's own (e.g. a file being read) beside the worker's answers. */
  client.set = (type, value) => {
    client.latest[type] = value;
    announce();
  };

  client.reset = () => {
    client.latest = {};
    client.lastReport = null;
    client.localRun = null;
    client.floor = {report: client.sent.report, sweep: client.sent.sweep};
    announce();
  };

  client.computeLocal = (inputs) => {
    const {run, message} = localRunRequest(++client.sent.local, inputs, bandWorkerUrl);
    client.localRun = run;
    worker.postMessage(message);
    announce();
  };

  client.cancelLocal = () => {
    const run = client.localRun;
    if (run?.state !== "running") return;
    worker.postMessage({type: "cancel-local", id: run.id});
  };

  client.live = (initial = null) => (notify) => {
    /** @type {{answer?: Answer | null, error?: Answer | null, both?: Answer | null}} */
    let last = {};
    return listen(() => {
      const {report, level1} = client.latest;
      const newer = client.latest["report-error"];
      const answer = report ?? initial;
      // A report's error always has the id of its request.
      const error = newer && /** @type {number} */ (newer.id) > (report?.id ?? 0) ? newer : null;
      const both = report && level1?.id === report.id ? level1 : null;
      // Only a new report, its Level 1 or an error redraws the report's cells (not a request sent, nor mask figures).
      if (answer === last.answer && error === last.error && both === last.both) return;
      last = {answer, error, both};
      // With half maps, the Level 1 answer for this report brings the report of both levels, its JSON and summary.
      const withLevel1 = both && answer && {
        report: both.report, json: both.json, level1: both,
        tables: {.../** @type {object} */ (answer.tables), summary: /** @type {{summary: unknown}} */ (both.tables).summary}
      };
      notify({...(answer ?? {id: 0, report: null}), ...withLevel1, error});
    });
  };

  /** `select(latest)`, notified when it is another object or value. */
  client.state = (select) => (notify) => {
    /** @type {unknown} */
    let last = {};
    return listen(() => {
      const state = select(client.latest);
      if (state !== last) notify((last = state));
    });
  };

  /**
   * The newest report's 0.e–0.g (`local`, or `initial` before the first report), notified only when their threshold
   * or mode changes (not when they become current or stale: the report's own `local` says that), so that cells that
   * draw their figures are not redrawn by threshold moves.
   */
  client.localSections = (initial = null) => (notify) => {
    /** @type {string | undefined} */
    let lastKey;
    return listen(() => {
      const {report} = client.latest;
      const local = report ? report.local : initial;
      const key = local ? `${local.threshold} ${local.mode}` : "none";
      if (key !== lastKey) (lastKey = key, notify(local));
    });
  };

  client.pending = (notify) => {
    /** @type {unknown} */
    let last;
    return listen(() => {
      const answered = Math.max(client.latest.report?.id ?? 0, client.latest["report-error"]?.id ?? 0);
      const now = client.sent.report > answered && client.lastReport !== null;
      if (now !== last) notify((last = now));
    });
  };

  client.masks = (notify) => {
    /** @type {{answer: Answer, soft: unknown} | null} */
    let last = null;
    return listen(() => {
      const {masks, soft} = client.latest;
      if (!masks) return;
      const state = {answer: masks, threshold: masks.threshold, masks: masks.masks, soft: soft && soft.id === masks.id ? soft.slices : null};
      if (last && last.answer === state.answer && last.soft === state.soft) return;
      notify((last = state));
    });
  };

  client.level1 = (notify) => {
    /** @type {{answer: Answer | null, current: boolean} | null} */
    let last = null;
    return listen(() => {
      const answer = client.latest.level1, error = client.latest["level1-error"];
      const newest = error && /** @type {number} */ (error.id) > (answer?.id ?? 0) ? error : answer ?? null;
      const current = newest !== null && newest.id === client.latest.report?.id;
      if (last && last.answer === newest && last.current === current) return;
      notify((last = {answer: newest, current}));
    });
  };

  client.answer = (kind) => (notify) => {
    /** @type {unknown} */
    let last;
    return listen(() => {
      const answer = client.latest[kind], error = client.latest[`${kind}-error`];
      const state = answer?.id === client.sent[kind] ? answer : error?.id === client.sent[kind] ? error : null;
      if (state !== last) notify((last = state));
    });
  };

  client.local = (notify) => {
    /** @type {unknown} */
    let last;
    return listen(() => {
      if (client.localRun !== last) notify((last = client.localRun));
    });
  };

  return client;
}
