// application/vnd.glassbox.table+json: {"columns": [...], "rows": [[...], ...]} as an HTML table.
import { el } from "./dom.js";
import { formatNumber } from "./format.js";

/** Returns the table, or null when the spec is malformed. */
export function renderTable(spec) {
  const columns = spec?.columns;
  const rows = spec?.rows;
  if (!Array.isArray(columns) || !Array.isArray(rows)) return null;

  const numeric = columns.map((_, c) => rows.length > 0 && rows.every((row) => row?.[c] == null || typeof row[c] === "number"));
  const table = el("table", "output-table");
  const head = el("tr");
  columns.forEach((name, c) => head.append(el("th", numeric[c] ? "num" : null, String(name))));
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    columns.forEach((_, c) => tr.append(cell(Array.isArray(row) ? row[c] : undefined, numeric[c])));
    body.append(tr);
  }
  table.append(body);

  const wrap = el("div", "output-table-wrap");
  wrap.append(table);
  if (rows.length === 0) wrap.append(el("p", "output-table-empty", "No rows."));
  return wrap;
}

function cell(value, numericColumn) {
  if (value === null || value === undefined) return el("td", "missing", "—");
  if (typeof value === "number") {
    const td = el("td", "num", formatNumber(value));
    if (td.textContent !== String(value)) td.title = String(value);
    return td;
  }
  if (typeof value === "object") return el("td", "code", JSON.stringify(value));
  return el("td", numericColumn ? "num" : null, String(value));
}
