// application/vnd.glassbox.heatmap+json: a matrix drawn on a canvas, one ImageData pixel per value,
// scaled up with crisp edges, with a colour bar, optional row/column labels and a hover read-out
// (rowNumbers, optional: the rows' own numbers when the map shows rows of something bigger).
import { colourScale } from "./colors.js";
import { el } from "./dom.js";
import { chartColour } from "./chart-colours.js";
import { formatNumber } from "./format.js";

const MAX_WIDTH = 560; // CSS pixels for the matrix itself
const MAX_HEIGHT = 560;
const MAX_CELL = 36;
const MIN_EXTENT = 28; // a 1-row or 1-column matrix is still drawn this thick
const LABEL_FONT = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const LABEL_LIMIT = 150; // longest label drawn, in CSS pixels
const MAX_LABELLED = 64; // more rows/columns than this and labels only appear in the read-out

/** Returns a figure for the spec, or null when the spec is malformed (the caller falls back to text). */
export function renderHeatmap(spec) {
  const rows = spec?.rows;
  const cols = spec?.cols;
  const data = spec?.data;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0) return null;
  if (!Array.isArray(data) || data.length !== rows * cols) return null;

  const values = Float64Array.from(data, (v) => (typeof v === "number" ? v : NaN));
  let [min, max] = [spec.min, spec.max];
  if (typeof min !== "number" || typeof max !== "number" || !(min <= max)) [min, max] = extent(values);
  const scale = colourScale(min, max);
  const rowLabels = labels(spec.rowLabels, rows);
  const colLabels = labels(spec.colLabels, cols);

  const figure = el("figure", "output-heatmap");
  const caption = el("figcaption", "heatmap-caption");
  if (spec.title) caption.append(el("span", "heatmap-title", spec.title));
  const bound = (v) => formatBound(v, min, max);
  caption.append(el("span", "heatmap-meta", `${rows} × ${cols} · min ${bound(min)} · max ${bound(max)}`));
  figure.append(caption);

  const layout = layOut(rows, cols, rowLabels, colLabels, scale);
  const frame = el("div", "heatmap-frame");
  const canvas = document.createElement("canvas");
  canvas.className = "heatmap-canvas";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${spec.title ? spec.title + ": " : ""}heatmap of ${rows} rows and ${cols} columns`);
  frame.append(canvas);
  draw(canvas, layout, values, rows, cols, scale, rowLabels, colLabels);
  redrawOnThemeChange(canvas, () => draw(canvas, layout, values, rows, cols, scale, rowLabels, colLabels));
  const rowNumbers = Array.isArray(spec.rowNumbers) && spec.rowNumbers.length === rows ? spec.rowNumbers : null;
  attachReadout(frame, canvas, layout, values, rows, cols, rowLabels, colLabels, rowNumbers);
  figure.append(frame);
  focusableWhenScrolling(frame, canvas.getAttribute("aria-label"));
  caption.append(saveButton(canvas, spec.title));
  return figure;
}

/**
 * A bound of the map (caption, colour-bar ends) to four digits, and "0" when it is zero at the map's own
 * scale: a softmax's 2.4e-20 next to a maximum of 1 is noise to the eye. The read-out shows exact values.
 */
function formatBound(value, min, max) {
  const span = Math.max(Math.abs(min), Math.abs(max));
  return span > 0 && Math.abs(value) < span * 1e-6 ? "0" : formatNumber(value);
}

function extent(values) {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 0];
}

function labels(list, count) {
  return Array.isArray(list) && list.length === count ? list.map((l) => String(l ?? "")) : null;
}

let measuringContext = null;
function textWidth(text) {
  measuringContext ??= document.createElement("canvas").getContext("2d");
  measuringContext.font = LABEL_FONT;
  return measuringContext.measureText(text).width;
}

function widest(list) {
  return list ? Math.min(LABEL_LIMIT, Math.max(0, ...list.map(textWidth))) : 0;
}

/** Where everything goes, in CSS pixels. */
function layOut(rows, cols, rowLabels, colLabels, scale) {
  let cellW = Math.min(MAX_WIDTH / cols, MAX_HEIGHT / rows, MAX_CELL);
  let cellH = cellW;
  if (rows * cellH < MIN_EXTENT) cellH = Math.min(MIN_EXTENT / rows, MAX_CELL);
  if (cols * cellW < MIN_EXTENT) cellW = Math.min(MIN_EXTENT / cols, MAX_CELL);

  const showRowLabels = rowLabels && rows <= MAX_LABELLED && cellH >= 11;
  // Column labels go flat when they fit, else at 45°, which needs ~17 px columns to keep apart.
  const colLabelWidth = colLabels && cols <= MAX_LABELLED ? widest(colLabels) : 0;
  const colLabelsFlat = colLabels && cols <= MAX_LABELLED && colLabelWidth <= cellW - 2;
  const showColLabels = colLabelsFlat || (colLabels && cols <= MAX_LABELLED && cellW >= 17);

  const left = showRowLabels ? Math.ceil(widest(rowLabels)) + 8 : 0;
  const top = showColLabels ? (colLabelsFlat ? 16 : Math.ceil(colLabelWidth * Math.SQRT1_2) + 12) : 0;
  const width = cols * cellW;
  const height = rows * cellH;
  const barHeight = Math.max(height, 72);
  const barX = left + width + 18;
  const tickWidth = Math.max(...[scale.low, scale.high].map((v) => textWidth(formatBound(v, scale.low, scale.high))));
  const overhang = showColLabels && !colLabelsFlat ? colLabelWidth * Math.SQRT1_2 : 0;
  const totalWidth = Math.ceil(Math.max(barX + 12 + 6 + tickWidth + 4, left + width + overhang + 4));
  const totalHeight = Math.ceil(top + Math.max(height, barHeight) + 2);
  return {
    cellW, cellH, left, top, width, height, barX, barHeight, totalWidth, totalHeight,
    showRowLabels, showColLabels, colLabelsFlat,
  };
}

function draw(canvas, layout, values, rows, cols, scale, rowLabels, colLabels) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(layout.totalWidth * ratio);
  canvas.height = Math.round(layout.totalHeight * ratio);
  canvas.style.width = `${layout.totalWidth}px`;
  canvas.style.height = `${layout.totalHeight}px`;
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);

  // The matrix: one pixel per value in an off-screen canvas, then scaled in one drawImage.
  const pixels = document.createElement("canvas");
  pixels.width = cols;
  pixels.height = rows;
  const pixelContext = pixels.getContext("2d");
  const image = pixelContext.createImageData(cols, rows);
  for (let i = 0; i < values.length; i++) {
    scale.paint(values[i], image.data, i * 4);
    image.data[i * 4 + 3] = 255;
  }
  pixelContext.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = layout.cellW * ratio < 1 || layout.cellH * ratio < 1; // average only when shrinking
  ctx.drawImage(pixels, layout.left, layout.top, layout.width, layout.height);

  const text = chartColour("--chart-text", "#57606a"); // the labels follow the theme; the map's colours do not
  ctx.font = LABEL_FONT;
  ctx.fillStyle = text;
  if (layout.showRowLabels) {
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    rowLabels.forEach((label, r) => {
      ctx.fillText(fit(ctx, label), layout.left - 6, layout.top + (r + 0.5) * layout.cellH);
    });
  }
  if (layout.showColLabels) {
    colLabels.forEach((label, c) => {
      const x = layout.left + (c + 0.5) * layout.cellW;
      if (layout.colLabelsFlat) {
        ctx.textAlign = "center";
        ctx.textBaseline = "bottom";
        ctx.fillText(label, x, layout.top - 4);
      } else {
        ctx.save();
        ctx.translate(x, layout.top - 5);
        ctx.rotate(-Math.PI / 4);
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.fillText(fit(ctx, label), 0, 0);
        ctx.restore();
      }
    });
  }

  // The colour bar, high end at the top.
  const gradient = ctx.createLinearGradient(0, layout.top + layout.barHeight, 0, layout.top);
  for (let i = 0; i <= 16; i++) gradient.addColorStop(i / 16, scale.css(i / 16));
  ctx.fillStyle = gradient;
  ctx.fillRect(layout.barX, layout.top, 12, layout.barHeight);
  ctx.strokeStyle = chartColour("--border-strong", "#c6cdd5");
  ctx.strokeRect(layout.barX + 0.5, layout.top + 0.5, 11, layout.barHeight - 1);
  ctx.fillStyle = text;
  ctx.textAlign = "left";
  const tick = (value, y, baseline) => {
    ctx.textBaseline = baseline;
    ctx.fillText(formatBound(value, scale.low, scale.high), layout.barX + 18, y);
  };
  tick(scale.high, layout.top, "top");
  tick(scale.low, layout.top + layout.barHeight, "bottom");
  if (scale.diverging) tick(0, layout.top + layout.barHeight / 2, "middle");
}

/** "Save PNG": the map as drawn (labels, colour bar), on the page's background so it reads outside the page too. */
function saveButton(canvas, title) {
  const button = el("button", "btn btn-small heatmap-save", "Save PNG");
  button.type = "button";
  button.title = "Download this heatmap as a PNG image";
  button.addEventListener("click", () => {
    const copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext("2d");
    ctx.fillStyle = chartColour("--surface", "#ffffff");
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(canvas, 0, 0);
    copy.toBlob((blob) => {
      if (!blob) return;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${(title || "heatmap").replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "") || "heatmap"}.png`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    }, "image/png");
  });
  return button;
}

/** A frame narrower than its map scrolls; then it takes the focus, so the arrow keys can scroll it too. */
function focusableWhenScrolling(frame, label) {
  if (typeof ResizeObserver === "undefined") return;
  new ResizeObserver(() => {
    const scrolls = frame.scrollWidth > frame.clientWidth + 1;
    if (scrolls && frame.tabIndex !== 0) {
      frame.tabIndex = 0;
      frame.setAttribute("role", "group");
      frame.setAttribute("aria-label", `${label} (scrolls sideways)`);
    } else if (!scrolls && frame.hasAttribute("tabindex")) {
      frame.removeAttribute("tabindex");
      frame.removeAttribute("role");
      frame.removeAttribute("aria-label");
    }
  }).observe(frame);
}

/** Canvases drawn with theme colours are drawn again when the theme changes (and forgotten once off the page). */
const themed = new Map();
let listening = false;
function redrawOnThemeChange(canvas, redraw) {
  themed.set(canvas, redraw);
  if (listening) return;
  listening = true;
  document.addEventListener("glassbox:theme", () => {
    for (const [c, again] of themed) {
      if (c.isConnected) again();
      else themed.delete(c);
    }
  });
}

function fit(ctx, label) {
  if (ctx.measureText(label).width <= LABEL_LIMIT) return label;
  let text = label;
  while (text.length > 1 && ctx.measureText(text + "…").width > LABEL_LIMIT) text = text.slice(0, -1);
  return text + "…";
}

/** The hover read-out: which cell the pointer is on, its labels and its value. */
function attachReadout(frame, canvas, layout, values, rows, cols, rowLabels, colLabels, rowNumbers) {
  const tooltip = el("div", "heatmap-tooltip");
  tooltip.hidden = true;
  const cursor = el("div", "heatmap-cursor");
  cursor.hidden = true;
  frame.append(cursor, tooltip);

  const hide = () => {
    tooltip.hidden = true;
    cursor.hidden = true;
  };
  canvas.addEventListener("mouseleave", hide);
  canvas.addEventListener("mousemove", (event) => {
    const box = canvas.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const col = Math.floor((x - layout.left) / layout.cellW);
    const row = Math.floor((y - layout.top) / layout.cellH);
    if (row < 0 || row >= rows || col < 0 || col >= cols) {
      hide();
      return;
    }
    const where = el("div", "heatmap-tooltip-where");
    where.append(
      el("span", null, `row ${rowNumbers ? rowNumbers[row] : row}${rowLabels ? ` “${rowLabels[row]}”` : ""}`),
      el("span", null, `col ${col}${colLabels ? ` “${colLabels[col]}”` : ""}`),
    );
    tooltip.replaceChildren(where, el("div", "heatmap-tooltip-value", formatNumber(values[row * cols + col])));
    tooltip.hidden = false;
    const flip = x + 16 + tooltip.offsetWidth > frame.clientWidth;
    tooltip.style.left = `${flip ? x - 12 - tooltip.offsetWidth : x + 14}px`;
    tooltip.style.top = `${y + 14}px`;

    if (layout.cellW >= 4 && layout.cellH >= 4) {
      cursor.hidden = false;
      cursor.style.left = `${layout.left + col * layout.cellW}px`;
      cursor.style.top = `${layout.top + row * layout.cellH}px`;
      cursor.style.width = `${layout.cellW}px`;
      cursor.style.height = `${layout.cellH}px`;
    } else {
      cursor.hidden = true;
    }
  });
}
