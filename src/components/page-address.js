// @ts-check
/**
 * The report inputs in the page address (docs/open-map.md): `threshold`, `mode=vrs-compat`, each criterion that
 * differs from VRS's value by its key (`maxComponentsForMass=100`), and on the open page `resolution` and `voxelSize`.
 * Reading takes only what it can use; what it cannot is returned in `ignored` for the page to say so.
 *
 *   readAddress(search, defaults)     → {threshold, mode, parameters, ignored}   (threshold null when absent)
 *   writeAddress(state, defaults)     → "?threshold=…&…" (the page passes it to history.replaceState)
 */
/**
 * @param {string} search
 * @param {Record<string, number>} defaults
 * @returns {{threshold: number | null, mode: Mapval.AnalysisMode, parameters: Record<string, number>, ignored: string[]}}
 */
export function readAddress(search, defaults) {
  const address = new URLSearchParams(search);
  /** @type {string[]} */
  const ignored = [];
  const numberAt = (/** @type {string} */ key) => {
    if (!address.has(key)) return null;
    const x = Number(address.get(key));
    if (/** @type {string} */ (address.get(key)).trim() === "" || !Number.isFinite(x)) {
      ignored.push(`${key}="${address.get(key)}" is not a number`);
      return null;
    }
    return x;
  };
  const threshold = numberAt("threshold");
  const modeText = address.get("mode");
  if (modeText !== null && modeText !== "vrs-compat" && modeText !== "default") ignored.push(`mode="${modeText}" is not default or vrs-compat`);
  /** @type {Record<string, number>} */
  const parameters = {};
  for (const key of Object.keys(defaults)) {
    const x = numberAt(key);
    if (x !== null) parameters[key] = x;
  }
  return {threshold, mode: modeText === "vrs-compat" ? "vrs-compat" : "default", parameters, ignored};
}

/**
 * @param {{threshold: number, mode: Mapval.AnalysisMode, parameters?: Record<string, number>, [more: string]: unknown}} state
 * @param {Record<string, number>} defaults
 */
export function writeAddress({threshold, mode, parameters, ...more}, defaults) {
  const address = new URLSearchParams({threshold: String(threshold)});
  if (mode === "vrs-compat") address.set("mode", mode);
  for (const [key, value] of Object.entries(parameters ?? {})) if (value !== defaults[key]) address.set(key, String(value));
  for (const [key, value] of Object.entries(more)) if (value !== undefined && value !== null) address.set(key, String(value));
  return `?${address}`;
}
