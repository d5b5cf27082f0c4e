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

/** Taller than this (CSS px), an output scrolls in its own box until the learner asks to see it all. */
const LONG_OUTPUT = 480;

export class OutputArea {
  #container;
  #controls; // the row under the output: size, Show all, Collapse, Clear (absent outside lesson cells)
  #lastStream = null; // {name, pre} of the stream block that new text of the same name extends
  #stale = null; // {reason, kind} while the output is out of date
  #unsolved = null; // the note about an unsolved exercise this output depends on
  #measure = 0; // a pending animation frame that re-measures the output

  constructor(container, controls = null) {
    this.#container = container;
    this.#controls = controls;
    if (!controls) return;
    controls.querySelector(".output-show-all")?.addEventListener("click", () => this.#toggleExpanded());
    controls.querySelector(".output-collapse")?.addEventListener("click", () => this.toggleCollapsed());
    controls.querySelector(".output-clear")?.addEventListener("click", () => {
      this.clear();
      controls.closest(".cell")?.focus(); // the Clear button is gone with the output: the cell keeps the focus
    });
  }

  get isEmpty() {
    return this.#contentCount() === 0;
  }

  clear() {
    this.#container.replaceChildren();
    this.#container.classList.remove("is-stale", "is-expanded", "is-collapsed");
    this.#stale = null;
    this.#unsolved = null;
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

  /**
   * Marks the output out of date with a sentence that says why (null: up to date again). An edit's mark is
   * lifted when the edit is undone; a restart's or an earlier cell's run stays until the cell runs again.
   */
  setStale(reason, kind = "state") {
    if (reason === null) {
      if (this.#stale?.kind === "edit") this.#stale = null;
    } else if (this.#stale?.kind !== "state" || kind === "state") {
      this.#stale = { reason, kind };
    }
    this.#renderNotes();
  }

  setUnsolvedNote(text) {
    this.#unsolved = text;
    this.#renderNotes();
  }

  toggleCollapsed() {
    if (this.isEmpty) return;
    this.#container.classList.toggle("is-collapsed");
    this.#updateControls();
  }

  setCollapsed(collapsed) {
    if (this.isEmpty) return;
    this.#container.classList.toggle("is-collapsed", collapsed);
    this.#updateControls();
  }

  #toggleExpanded() {
    this.#container.classList.toggle("is-expanded");
    this.#updateControls();
  }

  #renderNotes() {
    for (const note of this.#container.querySelectorAll(":scope > .output-stale-note, :scope > .output-unsolved-note")) note.remove();
    const stale = this.#stale !== null && this.#contentCount() > 0;
    this.#container.classList.toggle("is-stale", stale);
    if (this.#unsolved && this.#contentCount() > 0) this.#container.prepend(el("p", "output-unsolved-note", this.#unsolved));
    if (stale) {
      const note = el("p", "output-stale-note", this.#stale.reason);
      note.setAttribute("role", "status");
      this.#container.prepend(note);
    }
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

  #contentCount() {
    let count = 0;
    for (const child of this.#container.children) {
      if (!child.classList.contains("output-stale-note") && !child.classList.contains("output-unsolved-note")) count++;
    }
    return count;
  }

  #updateEmpty() {
    this.#container.classList.toggle("is-empty", this.#container.childElementCount === 0);
    if (!this.#controls) return;
    // Streamed output arrives in many pieces: measure once per frame, not once per piece.
    if (this.#measure) return;
    this.#measure = requestAnimationFrame(() => {
      this.#measure = 0;
      this.#updateControls();
    });
  }

  #updateControls() {
    if (!this.#controls) return;
    const empty = this.isEmpty;
    this.#controls.hidden = empty;
    if (empty) {
      this.#container.classList.remove("is-long", "is-expanded", "is-collapsed");
      return;
    }
    const collapsed = this.#container.classList.contains("is-collapsed");
    const expanded = this.#container.classList.contains("is-expanded");
    if (!collapsed) {
      // Measure without the scroll box: is the whole output taller than the limit?
      this.#container.classList.remove("is-long");
      this.#container.classList.toggle("is-long", this.#container.scrollHeight > LONG_OUTPUT);
    }
    const long = this.#container.classList.contains("is-long");
    const text = this.#container.textContent.replace(/\n$/, "");
    const lines = text ? text.split("\n").length : 0;
    const count = lines > 1 ? ` (${lines.toLocaleString("en")} lines)` : "";
    const showAll = this.#controls.querySelector(".output-show-all");
    const collapse = this.#controls.querySelector(".output-collapse");
    this.#controls.querySelector(".output-size").textContent = collapsed
      ? `Output collapsed${count}`
      : long && !expanded
        ? `Long output: it scrolls inside its box${count}`
        : "";
    showAll.hidden = collapsed || !long;
    showAll.textContent = expanded ? "Show less" : "Show all";
    showAll.setAttribute("aria-expanded", String(expanded));
    collapse.textContent = collapsed ? "Expand" : "Collapse";
    collapse.setAttribute("aria-expanded", String(!collapsed));
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
