// @ts-check
/**
 * The index page's table of entries: one row per entry, sortable by clicking a column header (again to reverse).
 * Columns: [{key, label, value: entry → sortable value, cell: entry → text|Node, numeric}]. Text from the entries
 * goes in through htl, as text.
 */
import {ascending, descending} from "d3";
import {html} from "htl";

/**
 * @template E
 * @typedef {{key: string, label: string, value: (entry: E) => string | number | null | undefined,
 *   cell: (entry: E) => string | Node, numeric?: boolean}} Column
 */

/**
 * @template {{id: string}} E
 * @param {E[]} entries
 * @param {Column<E>[]} columns
 * @param {{sortKey?: string, testId?: string}} [options]
 */
export function sortableTable(entries, columns, {sortKey = columns[0].key, testId = "entries-table"} = {}) {
  let key = sortKey, order = ascending;
  const body = html`<tbody>`;
  const headers = columns.map((c) => html`<th class=${c.numeric ? "numeric sortable" : "sortable"} data-key=${c.key} role="button" tabindex="0" title="sort">${c.label}</th>`);
  const render = () => {
    const column = /** @type {Column<E>} */ (columns.find((c) => c.key === key));
    // Missing values (null) sort last in either direction.
    const sorted = [...entries].sort((a, b) => {
      const x = column.value(a), y = column.value(b);
      if (x == null || y == null) return Number(x == null) - Number(y == null);
      return order(x, y);
    });
    body.replaceChildren(...sorted.map((e) => html`<tr data-id=${e.id}>${columns.map((c) => html`<td class=${c.numeric ? "numeric" : ""}>${c.cell(e)}</td>`)}</tr>`));
    headers.forEach((h) => h.dataset.sorted = h.dataset.key === key ? (order === ascending ? "ascending" : "descending") : "");
  };
  headers.forEach((h) => {
    const sort = () => {
      order = h.dataset.key === key && order === ascending ? descending : ascending;
      key = /** @type {string} */ (h.dataset.key);
      render();
    };
    h.onclick = sort;
    h.onkeydown = (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), sort());
  });
  render();
  // The table scrolls inside its own box on a narrow screen, so the page itself never scrolls sideways.
  return html`<div class="table-scroll"><table class="entries-table" data-testid=${testId}><thead><tr>${headers}</tr></thead>${body}</table></div>`;
}
