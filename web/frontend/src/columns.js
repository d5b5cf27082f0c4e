// A column chart in SVG with one group of columns per token: the layer-by-layer page's residual norms
// and its attention-vs-MLP contributions. The y scale is fixed by the caller (the largest value over all
// layers) so that stepping through layers shows real growth, not a rescaled picture.
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { svg } from "./svg.js";
import { short, visible } from "./tokens.js";
import { chartActions } from "./svg-save.js";

const HEIGHT = 150;
const LABEL_SPACE = 56;
const LEFT = 40;

/**
 * @param labels   one per token
 * @param series   [{name, values, className}], drawn side by side within each token's slot
 * @param max      the top of the y axis
 * @param ghost    optional values drawn as thin marks (e.g. the previous layer), one per token
 * @param highlight index of the token to emphasise, or null
 * @param width     the room there is, in CSS pixels
 */
export function columnChart({ labels, series, max, ghost = null, highlight = null, unit = "", width: room = 560 }) {
  const n = labels.length;
  const slot = Math.max(14, Math.min(48, (room - LEFT - 48) / Math.max(1, n))); // past 14 px a column, the chart scrolls
  const rotated = slot < 40;
  const width = LEFT + n * slot + (rotated ? 44 : 8);
  const chart = svg("svg", { width, height: HEIGHT + LABEL_SPACE, viewBox: `0 0 ${width} ${HEIGHT + LABEL_SPACE}`, class: "columns-svg", role: "img",
    "aria-label": `${series.map((s) => s.name).join(" and ")} for ${n} tokens` });
  const y = (v) => HEIGHT - (Math.max(0, v) / (max || 1)) * (HEIGHT - 8);
  for (const tick of [0, max / 2, max]) {
    chart.append(svg("line", { x1: LEFT - 4, x2: width - 4, y1: y(tick), y2: y(tick), class: "columns-grid" }));
    chart.append(svg("text", { x: LEFT - 6, y: y(tick), "text-anchor": "end", "dominant-baseline": "central", class: "columns-tick" },
      formatNumber(Number(tick.toPrecision(2)))));
  }
  const inner = slot - 4;
  const barWidth = inner / series.length;
  for (let i = 0; i < n; i++) {
    const x0 = LEFT + i * slot + 2;
    if (i === highlight) chart.append(svg("rect", { x: x0 - 2, y: 0, width: slot, height: HEIGHT + LABEL_SPACE - 4, class: "columns-highlight" }));
    series.forEach((s, j) => {
      const v = s.values[i];
      const bar = svg("rect", { x: x0 + j * barWidth, y: y(v), width: Math.max(1, barWidth - 1), height: HEIGHT - y(v), class: `columns-bar ${s.className ?? ""}` });
      bar.append(svg("title", {}, `“${visible(labels[i])}” (token ${i}) ${s.name}: ${formatNumber(v)}${unit}`));
      chart.append(bar);
    });
    if (ghost) {
      chart.append(svg("line", { x1: x0 - 1, x2: x0 + inner + 1, y1: y(ghost[i]), y2: y(ghost[i]), class: "columns-ghost" }));
    }
    const label = svg("text", { class: i === highlight ? "columns-label columns-label-chosen" : "columns-label",
      transform: `translate(${x0 + inner / 2}, ${HEIGHT + 8}) rotate(${rotated ? 45 : 0})`,
      "text-anchor": rotated ? "start" : "middle", "dominant-baseline": "hanging" }, short(labels[i], rotated ? 8 : 6));
    chart.append(label);
  }
  chart.append(svg("line", { x1: LEFT - 4, x2: width - 4, y1: HEIGHT, y2: HEIGHT, class: "columns-axis" }));
  const box = el("div", "columns");
  box.append(chart, chartActions(chart, chart.getAttribute("aria-label")));
  return box;
}
