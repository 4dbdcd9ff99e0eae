// @ts-check
/**
 * Download links for a table (Arrow IPC file, CSV, JSON) or a JSON document. The file is made when the link is
 * clicked, from the rows at that moment, so it always matches what the page shows.
 *
 * Tables are display values: their numbers lose float noise (lib/report/format.ts's tableValue, 12 significant digits), the
 * same in all three formats. The report JSON (jsonDownload of reportJson) is the CLI's contract and keeps every digit.
 */
import {tableFromJSON, tableToIPC} from "apache-arrow";
import {csvFormat} from "d3";
import {html} from "htl";
import {tableValue} from "../lib/report/format.js";

/**
 * @param {string} fileName
 * @param {string} label
 * @param {() => Blob} makeBlob
 * @param {string} testId
 */
function link(fileName, label, makeBlob, testId) {
  const a = /** @type {HTMLAnchorElement} */ (html`<a class="download" download=${fileName} href="#" data-testid=${testId}>${label}</a>`);
  a.onclick = () => {
    if (a.dataset.url) URL.revokeObjectURL(a.dataset.url);
    a.dataset.url = a.href = URL.createObjectURL(makeBlob());
  };
  return a;
}

/** NaN and ±Infinity become null in JSON (as JSON.stringify writes them) and empty cells in CSV. */
const displayRow = (/** @type {Record<string, unknown>} */ row) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "number" && !Number.isFinite(v) ? null : tableValue(v)]));

/**
 * `rows()` gives the current rows (objects with the same flat columns); the files are named `fileStem` + extension
 * (the page puts the entry and, for tables that depend on it, the threshold in the stem).
 */
/**
 * @param {string} name
 * @param {() => Record<string, unknown>[]} rows
 */
export function tableDownloads(name, rows, label = name, fileStem = name) {
  const json = () => rows().map(displayRow);
  return html`<span class="downloads" data-testid=${`download-${name}`}>${label}:
    ${link(`${fileStem}.arrow`, "Arrow", () => new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (tableToIPC(tableFromJSON(json()), "file"))], {type: "application/vnd.apache.arrow.file"}), `download-${name}-arrow`)}
    ${link(`${fileStem}.csv`, "CSV", () => new Blob([csvFormat(json())], {type: "text/csv"}), `download-${name}-csv`)}
    ${link(`${fileStem}.json`, "JSON", () => new Blob([JSON.stringify(json())], {type: "application/json"}), `download-${name}-json`)}
  </span>`;
}

/**
 * @param {string} fileName
 * @param {() => unknown} document
 * @param {string} label
 * @param {string} testId
 */
export function jsonDownload(fileName, document, label, testId) {
  return link(fileName, label, () => new Blob([JSON.stringify(document())], {type: "application/json"}), testId);
}
