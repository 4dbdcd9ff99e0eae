// @ts-check
/**
 * The live threshold: a slider and two number boxes (absolute map units, and σ units where level = mean + k·σ with
 * the mean and standard deviation over all voxels of the map), marks for reference levels under the slider and
 * buttons that jump to them. A view: `.value` is the threshold, an "input" event announces each change.
 *
 * Test hooks: data-testid "threshold-range", "threshold" (the number box, a stable hook), "threshold-sigma", "marker-<key>".
 */
import {html} from "htl";
import {inputValue, significant} from "../lib/report/format.js";

const SLIDER_STEPS = 1000;
const sixDigits = (/** @type {number} */ x) => significant(x, 6);

/**
 * markers: [{key, label, value}] (null values are left out); range: [lo, hi] of the slider; mean, std: of the map.
 * A typed threshold is used as typed, beyond the slider's range too (as `mapval report --threshold` takes it): above
 * the map's maximum the report says the mask is empty, it is not quietly computed at the maximum instead.
 */
/**
 * @typedef {{key: string, label: string, value: number | null}} ThresholdMarker
 * @typedef {HTMLFormElement & {value: number, statusSlot: HTMLElement}} ThresholdControl
 */

/**
 * @param {{value: number, range: [number, number], mean: number, std: number, markers: ThresholdMarker[]}} options
 * @returns {ThresholdControl}
 */
export function thresholdControl({value, range, mean, std, markers}) {
  const [lo, hi] = range;
  const step = (hi - lo) / SLIDER_STEPS;
  const shown = /** @type {{key: string, label: string, value: number}[]} */ (markers.filter((m) => m.value !== null && Number.isFinite(m.value)));
  const toSigma = (/** @type {number} */ t) => (t - mean) / std;
  const fromSigma = (/** @type {number} */ k) => mean + k * std;

  const input = (/** @type {HTMLElement} */ element) => /** @type {HTMLInputElement} */ (element);
  const slider = input(html`<input type="range" data-testid="threshold-range" aria-label="threshold" min=${lo} max=${hi} step=${step}>`);
  const absolute = input(html`<input type="number" data-testid="threshold" aria-label="threshold (map units)" step="any">`);
  const sigma = input(html`<input type="number" data-testid="threshold-sigma" aria-label="threshold (σ above the mean)" step="any">`);
  const position = (/** @type {number} */ t) => `${Math.min(100, Math.max(0, (100 * (t - lo)) / (hi - lo)))}%`;
  const scale = html`<div class="marker-scale">${shown.map((m) => html`<span class=${`marker marker-${m.key}`} style=${{left: position(m.value)}} title=${`${m.label}: ${sixDigits(m.value)}`}></span>`)}</div>`;
  const buttons = shown.map((m) => html`<button type="button" data-testid=${`marker-${m.key}`} class=${`marker-button marker-${m.key}`}>${m.label} (${sixDigits(m.value)})</button>`);

  const form = /** @type {ThresholdControl} */ (html`<form class="threshold-control" data-testid="threshold-control" onsubmit=${(/** @type {SubmitEvent} */ e) => e.preventDefault()}>
    <div class="threshold-row">
      <label>Threshold ${absolute}</label>
      <label>= mean + ${sigma} σ</label>
    </div>
    <div class="slider-box">${slider}${scale}</div>
    <div class="marker-buttons">Jump to: ${buttons}</div>
    <div class="status-slot"></div>
  </form>`);
  // The page puts the live report's status line here, so it stays next to the slider.
  form.statusSlot = /** @type {HTMLElement} */ (form.querySelector(".status-slot"));

  let current = value;
  /** @type {(t: number, except?: HTMLInputElement) => void} */
  const show = (t, except) => {
    if (except !== slider) slider.value = String(t);
    // Number boxes take only an ASCII minus: lib/report/format.ts's inputValue, never d3-format's U+2212.
    if (except !== absolute) absolute.value = inputValue(t, 6);
    if (except !== sigma) sigma.value = inputValue(toSigma(t), 6);
  };
  /** @type {(t: number, from?: HTMLInputElement) => void} */
  const set = (t, from) => {
    if (!Number.isFinite(t)) return;
    current = t;
    show(t, from);
    form.dispatchEvent(new Event("input", {bubbles: true}));
  };
  slider.oninput = (e) => { e.stopPropagation(); set(slider.valueAsNumber, slider); };
  absolute.oninput = (e) => { e.stopPropagation(); set(absolute.valueAsNumber, absolute); };
  sigma.oninput = (e) => { e.stopPropagation(); set(fromSigma(sigma.valueAsNumber), sigma); };
  // Typed values are shown normalised once the box is left.
  absolute.onchange = sigma.onchange = () => show(current);
  shown.forEach((m, i) => (buttons[i].onclick = () => set(m.value)));

  Object.defineProperty(form, "value", {get: () => current, set: (t) => { current = t; show(t); }});
  show(value);
  return form;
}
