// @ts-check
/**
 * The teaching lab's parameter controls (src/lab.md): one per parameter of lib/lab/synthetic-map.ts's labParameterSpecs
 * except the threshold (the page's threshold box is its control), each labelled with its unit and range. A 0/1
 * parameter is a checkbox; the seed a number box; every other parameter a slider with a number box beside it.
 *
 *   labControls({specs, parameterRange, parameters, onChange}) → element
 *     onChange(key, value): a control was moved (value as typed: NaN for a box that holds no number)
 *     element.show(parameters, editing): shows other parameters (a preset chosen), offsets' ranges following the
 *       box; the control of parameter `editing` keeps what is being typed or dragged in it
 *
 * Test hooks: data-testid "lab-parameter-<query name>" on each number box or checkbox, "lab-slider-<query name>".
 */
import {html} from "htl";
import {inputValue} from "../lib/report/format.js";

const SLIDER_STEPS = 200;

/**
 * @typedef {(key: Mapval.LabParameterSpec["key"], value: number) => void} LabChange
 * @typedef {{spec: Mapval.LabParameterSpec, row: HTMLElement,
 *   show(p: Mapval.LabParameters, range: readonly [number, number], editing: boolean): void}} ControlRow
 * @typedef {HTMLFormElement & {show(parameters: Mapval.LabParameters, editing?: string): void}} LabControls
 */

/**
 * @param {{specs: readonly Mapval.LabParameterSpec[], onChange: LabChange, parameters: Mapval.LabParameters,
 *   parameterRange: (spec: Mapval.LabParameterSpec, p: Mapval.LabParameters) => readonly [number, number]}} options
 * @returns {LabControls}
 */
export function labControls({specs, parameterRange, parameters, onChange}) {
  const rows = specs.filter((spec) => spec.key !== "thresholdFraction").map((spec) => control(spec, onChange));
  const element = /** @type {LabControls} */ (html`<form class="lab-controls" data-testid="lab-controls" onsubmit=${(/** @type {SubmitEvent} */ e) => e.preventDefault()}>${rows.map((r) => r.row)}</form>`);
  element.show = (p, editing) => rows.forEach((r) => r.show(p, parameterRange(r.spec, p), r.spec.key === editing));
  element.show(parameters);
  return element;
}

const input = (/** @type {HTMLElement} */ element) => /** @type {HTMLInputElement} */ (element);

/**
 * @param {Mapval.LabParameterSpec} spec
 * @param {LabChange} onChange
 * @returns {ControlRow}
 */
function control(spec, onChange) {
  const id = spec.query;
  const unit = spec.unit ? ` ${spec.unit}` : "";
  if (spec.integer && spec.range[0] === 0 && spec.range[1] === 1) {
    const box = input(html`<input type="checkbox" data-testid=${`lab-parameter-${id}`}>`);
    box.onchange = () => onChange(spec.key, box.checked ? 1 : 0);
    return {spec, row: html`<label class="lab-control lab-toggle">${box} ${spec.label}</label>`, show: (p) => (box.checked = p[spec.key] === 1)};
  }
  const box = input(html`<input type="number" step=${spec.integer ? 1 : "any"} data-testid=${`lab-parameter-${id}`} aria-label=${`${spec.label}${unit}`}>`);
  const rangeText = html`<span class="lab-range"></span>`;
  // The seed's range (0 … 2³²−1) is no slider's: any number picks another noise.
  const slider = id === "seed" ? null : input(html`<input type="range" data-testid=${`lab-slider-${id}`} aria-label=${spec.label}>`);
  box.oninput = () => {
    if (slider) slider.value = String(box.valueAsNumber);
    onChange(spec.key, box.value.trim() === "" ? Number.NaN : Number(box.value));
  };
  if (slider) slider.oninput = () => {
    box.value = slider.value;
    onChange(spec.key, slider.valueAsNumber);
  };
  const written = (/** @type {number} */ x) => (spec.integer ? String(x) : inputValue(x));
  /** @type {ControlRow["show"]} */
  const show = (p, [low, high], editing) => {
    rangeText.textContent = `${written(low)} … ${written(high)}${unit}`;
    box.min = String(low);
    box.max = String(high);
    if (!editing) box.value = written(p[spec.key]);
    if (slider) {
      slider.min = String(low);
      slider.max = String(high);
      slider.step = spec.integer ? "1" : String((high - low) / SLIDER_STEPS);
      if (!editing) slider.value = String(p[spec.key]);
    }
  };
  return {spec, show, row: html`<div class="lab-control">
    <label>${spec.label}${unit ? html` <span class="lab-unit">(${spec.unit})</span>` : ""} ${box}</label>
    ${slider ?? ""} <span class="small">${rangeText}</span>
  </div>`};
}
