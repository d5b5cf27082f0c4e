// A cell's outputs, Jupyter-shaped: stream, execute_result, display_data, error.
// Output content is learner data: it only ever reaches the page as text nodes, SVG or canvas pixels.
import { renderBars } from "./bars.js";
import { el } from "./dom.js";
import { renderHeatmap } from "./heatmap.js";
import { renderTable } from "./table.js";

/** Statuses where Glassbox stopped the cell, as opposed to the learner's code failing. */
export const STOPPED_STATUSES = new Set(["timeout", "interrupted", "restarted", "rejected"]);

const RICH_RENDERERS = [
  ["application/vnd.glassbox.heatmap+json", renderHeatmap],
  ["application/vnd.glassbox.table+json", renderTable],
  ["application/vnd.glassbox.bars+json", renderBars],
];

export class OutputArea {
  #container;
  #lastStream = null; // {name, pre} of the stream block that new text of the same name extends

  constructor(container) {
    this.#container = container;
  }

  clear() {
    this.#container.replaceChildren();
    this.#container.classList.remove("is-stale");
    this.#lastStream = null;
    this.#updateEmpty();
  }

  /** Replaces everything with `outputs`; `status` is the run's final status (styles stopped errors). */
  show(outputs, status) {
    this.clear();
    for (const output of outputs ?? []) this.append(output, status);
  }

  append(output, status = null) {
    if (output?.output_type === "stream") {
      this.#appendStream(output);
    } else {
      this.#lastStream = null;
      this.#container.append(renderSafely(output, status));
    }
    this.#updateEmpty();
  }

  /** Outputs from before a kernel restart still show, dimmed: the values behind them are gone. */
  setStale(stale) {
    this.#container.classList.toggle("is-stale", stale && this.#container.childElementCount > 0);
  }

  #appendStream({ name, text }) {
    const stream = name === "stderr" ? "stderr" : "stdout";
    if (this.#lastStream?.name !== stream) {
      const pre = el("pre", `output-stream output-${stream}`);
      this.#container.append(pre);
      this.#lastStream = { name: stream, pre };
    }
    this.#lastStream.pre.append(String(text ?? ""));
  }

  #updateEmpty() {
    this.#container.classList.toggle("is-empty", this.#container.childElementCount === 0);
  }
}

/** The first line (1-based, in the cell) an error output points at, or 0. */
export function errorLine(outputs) {
  for (const output of outputs ?? []) {
    if (output?.output_type === "error" && Number.isInteger(output.line) && output.line > 0) return output.line;
  }
  return 0;
}

/** A malformed output costs its own block, never the rest of the cell. */
function renderSafely(output, status) {
  try {
    return renderOutput(output, status);
  } catch (e) {
    return el("p", "output-unsupported", `This output could not be shown (${e.message}).`);
  }
}

function renderOutput(output, status) {
  switch (output?.output_type) {
    case "execute_result": {
      const block = el("div", "output-result");
      const count = output.execution_count;
      block.append(el("span", "output-prompt", Number.isInteger(count) ? `Out[${count}]` : "Out"), renderBundle(output.data));
      return block;
    }
    case "display_data": {
      const block = el("div", "output-display");
      block.append(renderBundle(output.data));
      return block;
    }
    case "error":
      return renderError(output, STOPPED_STATUSES.has(status));
    default:
      return el("pre", "output-text output-unknown", `(an output of type “${output?.output_type}” that this page cannot show)`);
  }
}

function renderBundle(data) {
  for (const [mime, render] of RICH_RENDERERS) {
    if (data?.[mime] === undefined) continue;
    const spec = parsed(data[mime]);
    const node = spec && render(spec);
    if (node) return node;
  }
  if (typeof data?.["text/plain"] === "string") return el("pre", "output-text", data["text/plain"]);
  const types = Object.keys(data ?? {}).join(", ") || "none";
  return el("p", "output-unsupported", `This output has no text form (types: ${types}).`);
}

function parsed(value) {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

function renderError(output, stopped) {
  const box = el("div", stopped ? "output-error output-stopped" : "output-error");
  box.setAttribute("role", "alert");
  const head = el("div", "error-head");
  if (stopped) head.append(el("span", "error-kicker", "Stopped by Glassbox"));
  if (output.ename) head.append(el("span", "error-name", output.ename));
  box.append(head);
  if (output.message) box.append(el("pre", "error-message", output.message));
  if (Number.isInteger(output.line) && output.line > 0) {
    const where = Number.isInteger(output.column) && output.column > 0 ? `line ${output.line}, column ${output.column}` : `line ${output.line}`;
    box.append(el("div", "error-where", where));
  }
  const trace = Array.isArray(output.traceback) ? output.traceback.filter((l) => typeof l === "string" && l) : [];
  if (trace.length > 0) {
    const details = el("details", "error-trace");
    details.append(el("summary", null, `Stack trace (${trace.length} ${trace.length === 1 ? "line" : "lines"})`), el("pre", null, trace.join("\n")));
    box.append(details);
  }
  return box;
}
