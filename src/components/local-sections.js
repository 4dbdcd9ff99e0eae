// @ts-check
/**
 * 0.e–0.g on request, on both report pages: the compute / recompute button, the progress of a run (bar, the band in
 * hand, an estimate of the time left, Cancel), and the marks of sections computed at another threshold than the
 * report's (in the section table, the score line and the summary). The worker includes 0.e–0.g in a report only at
 * the threshold they were computed at (src/workers/level0-worker.ts), so the score never mixes thresholds: at any
 * other threshold they are shown, marked with their threshold, and left out of the score.
 *
 *   otherThreshold(local)              {threshold, sections} for sectionTable's `other`, or undefined
 *   localNote(local, recompute, where) the sentence for the score line or the summary
 *   localPanel({run, local, recompute, cancel, unavailable})  the button and the progress (data-testid="local-panel")
 *   localStatsTable(section)           a local section's percentiles (data-testid="local-stats-<id>")
 *   localSliceImages(map, {centred})   a local map's three slices (the loader's) as images, with one colour domain
 *   localSectionsView(report, local)   the report's sections 2.5–2.7: each one's heading, body and where it is from
 */
import {html} from "htl";
import {centredDomain} from "../lib/report/colormap.js";
import {localProgressText, localRunFraction} from "../lib/level0/local-progress.js";
import {localSectionIds} from "../lib/section-registry.js";
import {number, rowsTable, sectionBody, voxels} from "./report-view.js";

const six = number(6);

/**
 * Each stage's share of a run's time, and each phase's share of its stage's (preparing: the map's transforms and
 * grids; bands; finishing), as measured in Chromium with two workers at 256³ (bench/local-browser.bench.ts: 0.e 34 s,
 * of which 2 s preparing and 0.5 s finishing; 0.f–0.g 4 s, of which 0.7 s preparing and 0.3 s finishing); the time
 * left is estimated from them. 0.e's sweep may stop before its last band, so the estimate errs long.
 */
/** @typedef {"0.e" | "0.f–0.g"} Level0Stage */
/** @type {Record<Level0Stage, number>} */
const STAGE_SHARE = {"0.e": 0.9, "0.f–0.g": 0.1};
const STAGES = /** @type {Level0Stage[]} */ (Object.keys(STAGE_SHARE));
/** @type {Record<Level0Stage, Record<Mapval.LocalProgress["phase"], number>>} */
const PHASE_SHARE = {"0.e": {preparing: 0.05, bands: 0.94, finishing: 0.01}, "0.f–0.g": {preparing: 0.25, bands: 0.6, finishing: 0.15}};
const PHASES = /** @type {Mapval.LocalProgress["phase"][]} */ (["preparing", "bands", "finishing"]);

/**
 * The report's `local` when it holds sections at another threshold.
 * @param {Mapval.LocalSections | null | undefined} local
 */
export function otherThreshold(local) {
  return local && !local.current ? {threshold: local.threshold, sections: local.sections} : undefined;
}

const recomputeButton = (/** @type {() => void} */ recompute, /** @type {string} */ label) =>
  html`<button type="button" class="recompute-local" data-testid="recompute-local" onclick=${recompute}>${label}</button>`;

/**
 * What the score does not count: `where` "score" (the score line, with the button that makes them count, data-testid
 * "local-note-score") or "summary" (the abstract, "local-note-summary"). Null when 0.e–0.g are in the report.
 * @param {Mapval.LocalSections | null | undefined} local
 * @param {() => void} recompute
 * @param {"score" | "summary"} where
 */
export function localNote(local, recompute, where) {
  if (local?.current) return null;
  const text = local ? `0.e–0.g at ${six(local.threshold)}; not counted in the score.` : "0.e–0.g are not computed at this threshold and not counted in the score.";
  const button = where === "score" ? recomputeButton(recompute, local ? "Recompute at this threshold" : "Compute them") : "";
  return html`<span class="local-note" data-testid=${`local-note-${where}`} data-threshold=${local?.threshold ?? ""}>${text} ${button}</span>`;
}

/**
 * Fraction of a run done and the seconds left (null until some of it is done), from its last progress message.
 * @param {Mapval.LocalProgress | null} progress
 */
export function localEstimate(progress) {
  if (!progress) return {fraction: 0, secondsLeft: null};
  // With half maps Level 1's stages follow 0.e–0.g (all done by then); localRunFraction counts them.
  const stage = STAGES.indexOf(/** @type {Level0Stage} */ (progress.stage));
  let level0Fraction = 1;
  if (stage >= 0) {
    const shares = PHASE_SHARE[STAGES[stage]];
    const phase = Math.max(0, PHASES.indexOf(progress.phase));
    const stageDone = PHASES.slice(0, phase).reduce((sum, p) => sum + shares[p], 0) + shares[PHASES[phase]] * progress.fraction;
    const before = STAGES.slice(0, stage).reduce((sum, s) => sum + STAGE_SHARE[s], 0);
    level0Fraction = before + STAGE_SHARE[STAGES[stage]] * stageDone;
  }
  const fraction = localRunFraction(progress, level0Fraction);
  return {fraction, secondsLeft: fraction > 0 ? (progress.ms / 1000) * (1 - fraction) / fraction : null};
}

/**
 * `run`: the client's localRun; `local`: the report's; `recompute()` starts a run at the current inputs, `cancel()`
 * ends it; `unavailable`: why this page cannot compute them (then no button).
 * @param {{run: Mapval.LocalRun | null, local: Mapval.LocalSections | null | undefined, recompute: () => void, cancel: () => void,
 *   unavailable?: string | null}} options
 */
export function localPanel({run, local, recompute, cancel, unavailable}) {
  const state = run?.state ?? "idle";
  const panel = (/** @type {unknown} */ content) => html`<div class="local-panel" data-testid="local-panel" data-state=${state}>${content}</div>`;
  if (unavailable) return panel(html`<p class="section-note">${unavailable}</p>`);
  if (run?.state === "running") {
    const {fraction, secondsLeft} = localEstimate(run.progress);
    const p = run.progress;
    return panel(html`<p>Computing 0.e–0.g at threshold ${six(run.threshold)} on ${run.workers} worker${run.workers > 1 ? "s" : ""}:
        ${p ? localProgressText(p) : "preparing"}${secondsLeft === null ? "" : html`, <span data-testid="local-time-left">about ${Math.ceil(secondsLeft)} s left</span>`}.</p>
      <progress data-testid="local-progress" max="1" value=${fraction} data-stage=${p?.stage ?? ""} data-phase=${p?.phase ?? ""}></progress>
      <button type="button" data-testid="local-cancel" onclick=${cancel}>Cancel</button>`);
  }
  const before = state === "cancelled" ? "Cancelled."
    : run?.state === "error" ? html`<span class="error" data-testid="local-error">0.e–0.g could not be computed: ${run.message}.</span>` : "";
  const kept = (state === "cancelled" || state === "error") && local
    ? ` The sections shown are those computed before, at threshold ${six(local.threshold)}.` : "";
  return panel(html`<p>${before}${kept} ${local?.current
      ? html`0.e–0.g are those at this threshold${run?.state === "done" ? ` (computed here in ${Math.round(/** @type {number} */ (run.ms) / 1000)} s)` : ""}.`
      : html`<button type="button" data-testid="compute-local" onclick=${recompute}>Compute local sections at this threshold</button>
        <span class="small">They take a minute or more; the page stays usable meanwhile.</span>`}</p>`);
}

/**
 * A local section's percentiles, mean and voxel count (null when it has no results).
 * @param {Mapval.SectionResult} section
 */
export function localStatsTable(section) {
  const r = /** @type {Mapval.LocalStatistics | null} */ (section.results);
  if (!r) return null;
  const p = r.percentiles;
  return rowsTable([r], [
    {label: "2.5 %", value: () => number(4)(p.p2_5)},
    {label: "25 %", value: () => number(4)(p.p25)},
    {label: "median", value: () => number(4)(p.p50)},
    {label: "75 %", value: () => number(4)(p.p75)},
    {label: "97.5 %", value: () => number(4)(p.p97_5)},
    {label: "mean", value: (d) => number(4)(d.mean)},
    {label: "voxels", value: (d) => voxels(d.voxels)}
  ], `local-stats-${section.id}`);
}

/**
 * A local map's slices as the site loader writes them (data-loaders/site/site-entry.ts localSlices: null outside the
 * mask) as images (NaN there, drawn transparent), and one colour domain for the three slices, so that a colour means
 * the same value in each; `centred` puts white at 0 (0.f's diverging scale). No domain when no voxel is finite.
 * @param {Mapval.LocalMapSlices} map
 * @param {{centred?: boolean}} [options]
 */
export function localSliceImages(map, {centred = false} = {}) {
  const images = /** @type {Mapval.AxisImages} */ (Object.fromEntries(/** @type {const} */ (["x", "y", "z"]).map((axis) =>
    [axis, {...map.slices[axis], data: Float32Array.from(map.slices[axis].data, (v) => v ?? NaN)}])));
  const data = Object.values(images).map((image) => image.data);
  const finite = data.flatMap((a) => Array.from(a).filter(Number.isFinite));
  /** @type {[number, number] | undefined} */
  const domain = centred ? centredDomain(data) : finite.length ? [Math.min(...finite), Math.max(...finite)] : undefined;
  return {images, domain};
}

/**
 * 0.e–0.g to show: the report's when they are at its threshold, else those at another threshold (marked), else the report's (not requested).
 * @param {Pick<Mapval.Level0Report, "sections">} report
 * @param {Mapval.LocalSections | null | undefined} local
 */
export function localSectionsShown(report, local) {
  return Object.fromEntries(localSectionIds.map((id) => [id, local && !local.current ? local.sections[id] : report.sections[id]]));
}

/**
 * Sections 2.5–2.7 of a report page: 0.e–0.g as localSectionsShown picks them, each saying which threshold it is at.
 * @param {Pick<Mapval.Level0Report, "sections">} report
 * @param {Mapval.LocalSections | null | undefined} local
 */
export function localSectionsView(report, local) {
  const shown = localSectionsShown(report, local);
  const at = local && !local.current
    ? `Computed at threshold ${six(local.threshold)}, not the current one: shown for reference, not counted in the score.`
    : local?.current ? "Computed on this page at the current threshold, on the whole map." : "Not computed at this threshold yet: its status is not requested, and it is left out of the score.";
  return localSectionIds.map((id, i) => {
    const section = /** @type {Mapval.SectionResult} */ (shown[id]); // a report holds every Level 0 section
    return html`<h2 id=${`section-${id.replace(".", "")}`}>2.${5 + i} ${section.title}</h2>
    ${sectionBody(section, localStatsTable(section), {note: at})}`;
  });
}
