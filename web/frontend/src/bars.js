// application/vnd.glassbox.bars+json: a horizontal bar chart in SVG, one labelled bar per value.
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { chartActions } from "./svg-save.js";

const SVG = "http://www.w3.org/2000/svg";
const ROW = 26; // px per bar
const BAR = 16;
const WIDTH = 560;
const MAX_LABEL = 220; // px; a longer label is cut at its end, and shown whole in its tooltip
const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

let measuringContext = null;
function textWidth(text) {
  measuringContext ??= document.createElement("canvas").getContext("2d");
  measuringContext.font = FONT;
  return measuringContext.measureText(text).width;
}

/** The text, cut at its end with "…" so that it fits in `width` pixels (labels are read from the start). */
function fit(text, width) {
  if (textWidth(text) <= width) return text;
  const chars = [...text];
  let [low, high] = [0, chars.length]; // the longest prefix that fits, with the ellipsis
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (textWidth(chars.slice(0, middle).join("") + "…") <= width) low = middle;
    else high = middle - 1;
  }
  return chars.slice(0, low).join("").trimEnd() + "…";
}

/** Returns a figure for the spec, or null when the spec is malformed. */
export function renderBars(spec) {
  const values = spec?.values;
  const names = spec?.labels;
  if (!Array.isArray(values) || !Array.isArray(names) || values.length !== names.length || values.length === 0) return null;
  const numbers = values.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : 0));
  const texts = values.map((v) => formatNumber(v));

  const labelWidth = Math.min(MAX_LABEL, Math.ceil(Math.max(...names.map((n) => textWidth(String(n))))) + 12);
  const valueWidth = Math.ceil(Math.max(...texts.map(textWidth))) + 10;
  const low = Math.min(0, ...numbers);
  const high = Math.max(0, ...numbers);
  const span = high - low || 1;
  const plotLeft = labelWidth + (low < 0 ? valueWidth : 0);
  const plotWidth = WIDTH - plotLeft - valueWidth;
  const x = (v) => plotLeft + ((v - low) / span) * plotWidth;
  const zero = x(0);
  const height = values.length * ROW + 4;

  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: WIDTH,
    height,
    class: "bars-svg",
    role: "img",
    "aria-label": spec.title ? `Bar chart: ${spec.title}` : "Bar chart",
  });
  numbers.forEach((value, i) => {
    const y = 2 + i * ROW;
    const middle = y + ROW / 2;
    const name = String(names[i]);
    const shown = fit(name, labelWidth - 12);
    const label = svg("text", { x: labelWidth - 10, y: middle, "text-anchor": "end", "dominant-baseline": "central", class: "bars-label" }, shown);
    if (shown !== name) label.append(svg("title", {}, name));
    const start = Math.min(zero, x(value));
    const bar = svg("rect", {
      x: start,
      y: middle - BAR / 2,
      width: Math.max(1, Math.abs(x(value) - zero)),
      height: BAR,
      rx: 3,
      class: value < 0 ? "bars-bar bars-bar-negative" : "bars-bar",
    });
    bar.append(svg("title", {}, `${name}: ${texts[i]}`));
    const valueText = svg("text", {
      x: value < 0 ? start - 6 : start + Math.max(1, Math.abs(x(value) - zero)) + 6,
      y: middle,
      "text-anchor": value < 0 ? "end" : "start",
      "dominant-baseline": "central",
      class: "bars-value",
    }, texts[i]);
    chart.append(label, bar, valueText);
  });
  chart.append(svg("line", { x1: zero, x2: zero, y1: 0, y2: height, class: "bars-axis" }));

  const figure = el("figure", "output-bars");
  if (spec.title) figure.append(el("figcaption", "bars-title", spec.title));
  figure.append(chart, chartActions(chart, spec.title || "bar chart"));
  return figure;
}
