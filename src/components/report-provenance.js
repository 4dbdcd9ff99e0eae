// @ts-check
/**
 * The report's provenance beside the entry header: authors, deposition date and link from EMDB (page.entry.emdbHeader,
 * made by data-loaders/site/site-entry.ts), and when and by which mapval version the report shown was generated.
 *
 *   emdbFacts(page)            → <table data-testid="emdb-facts">, or null when the entry is not an EMDB entry
 *   reportStamp(generator)     → <p data-testid="report-stamp" data-generated-at data-version>, from the report JSON's
 *                                `generator` field (lib/report/report-text.ts)
 */
import {html} from "htl";

/** @param {{entry: {emdbHeader: Mapval.EmdbHeader}}} page */
export function emdbFacts(page) {
  const facts = page.entry.emdbHeader;
  if (!facts) return null;
  const authors = facts.authors.length ? facts.authors.join(", ") : "not recorded here (see the EMDB entry)";
  return html`<table class="entry-header" data-testid="emdb-facts">
    <tr><th scope="row">Authors</th><td data-testid="emdb-authors">${authors}</td></tr>
    <tr><th scope="row">Deposited on</th><td data-testid="emdb-deposited">${facts.depositionDate ?? "not recorded here"}</td></tr>
    <tr><th scope="row">EMDB entry</th><td><a data-testid="emdb-link" href=${facts.url} target="_blank" rel="noopener">${facts.url}</a></td></tr>
  </table>`;
}

/** "2026-12-01 10:30 UTC" from an ISO time. */
const utc = (/** @type {string} */ iso) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** @param {Mapval.ReportGenerator} generator */
export function reportStamp(generator) {
  return html`<p class="report-stamp" data-testid="report-stamp" data-generated-at=${generator.generatedAt} data-version=${generator.version}>
    Report generated on <strong>${utc(generator.generatedAt)}</strong> by ${generator.name} ${generator.version}.</p>`;
}
