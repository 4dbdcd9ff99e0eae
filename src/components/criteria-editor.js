// @ts-check
/**
 * What-if criteria: one number box per parameter of lib/level0/criteria.ts (grouped by section, with the criterion's
 * wording), the VRS-compatible mode switch, and a reset to VRS's values. A view whose value is
 * {mode, parameters}; "input" announces each change. `initial` ({mode, parameters}, e.g. from the page address) sets
 * the first values.
 */
import {html} from "htl";

/** @typedef {Mapval.CriteriaParameters} CriteriaParameters */
/** @typedef {Mapval.AnalysisMode} AnalysisMode */

/**
 * @param {{criteria: readonly Mapval.Criterion[], defaults: Readonly<CriteriaParameters>, initial?: {mode?: AnalysisMode, parameters?: Partial<CriteriaParameters>}}} options
 * @returns {HTMLFormElement & {readonly value: {mode: AnalysisMode, parameters: CriteriaParameters}}}
 */
export function criteriaEditor({criteria, defaults, initial = {}}) {
  /** @type {Map<keyof CriteriaParameters, HTMLInputElement>} */
  const boxes = new Map();
  const mode = /** @type {HTMLInputElement} */ (html`<input type="checkbox" data-testid="vrs-compat">`);
  mode.checked = initial.mode === "vrs-compat";
  const groups = ["0.a", "0.b", "0.c"].map((section) => html`<fieldset>
    <legend>${section}</legend>
    ${criteria.filter((c) => c.section === section).map((c) => html`<div class="criterion">
      ${c.parameters.map((p) => {
        const box = /** @type {HTMLInputElement} */ (html`<input type="number" step="any" data-testid=${`parameter-${p.key}`} value=${initial.parameters?.[p.key] ?? defaults[p.key]}>`);
        boxes.set(p.key, box);
        return html`<label>${p.label}${p.unit ? ` (${p.unit})` : ""} ${box}</label>`;
      })}
    </div>`)}
  </fieldset>`);
  const reset = html`<button type="button" data-testid="reset-criteria">Reset to VRS defaults</button>`;
  const form = html`<form class="criteria-editor" onsubmit=${(/** @type {SubmitEvent} */ e) => e.preventDefault()}>
    <label class="mode-toggle">${mode} VRS-compatible mode (reproduce VRS's numbers, defects included)</label>
    <div class="criteria-groups">${groups}</div>
    ${reset}
  </form>`;

  const read = () => {
    // Every key has a box (the criteria list all the parameters).
    const parameters = /** @type {CriteriaParameters} */ ({});
    for (const [key, box] of boxes) {
      const x = box.valueAsNumber;
      parameters[key] = Number.isFinite(x) ? x : defaults[key];
      box.classList.toggle("changed", parameters[key] !== defaults[key]);
    }
    return {mode: /** @type {AnalysisMode} */ (mode.checked ? "vrs-compat" : "default"), parameters};
  };
  let value = read();
  form.addEventListener("input", () => (value = read()));
  form.addEventListener("change", () => (value = read()));
  reset.onclick = () => {
    for (const [key, box] of boxes) box.value = String(defaults[key]);
    form.dispatchEvent(new Event("input", {bubbles: true}));
  };
  Object.defineProperty(form, "value", {get: () => value});
  return /** @type {HTMLFormElement & {readonly value: typeof value}} */ (form);
}
