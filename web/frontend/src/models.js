// The model page: the parameter budget as bars, and the tensor browser — a list of tensors grouped by
// layer; picking one shows its statistics, a histogram, a zoomable heatmap of a slice, its quantized
// blocks, and a .npy download. Everything comes from the read-only /api/models API.
import "./styles/models.css";
import { sendJson } from "./api.js";
import { renderBars } from "./bars.js";
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { renderHeatmap } from "./heatmap.js";

const MAX_SIDE = 512; // the API's largest slice per side
const SVG = "http://www.w3.org/2000/svg";

/** A tensor's path under /api/models/{id}/tensors/: each part encoded, the slashes kept as separators. */
function tensorPath(modelId, name, suffix) {
  const encoded = name.split("/").map(encodeURIComponent).join("/");
  return `/api/models/${encodeURIComponent(modelId)}/tensors/${encoded}${suffix}`;
}

function bytes(n) {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

function shapeText(shape) {
  return `[${shape.join(", ")}]`;
}

function failure(container, error) {
  container.replaceChildren(el("p", "model-error", error.message || String(error)));
}

export async function startModelPage(modelId) {
  const budget = document.getElementById("budget-chart");
  const tree = document.getElementById("tensor-tree");
  const detail = document.getElementById("tensor-detail");
  try {
    const model = await sendJson("GET", `/api/models/${encodeURIComponent(modelId)}`);
    const total = model.budget.reduce((sum, b) => sum + b.parameters, 0) || 1;
    const figure = renderBars({
      title: "parameters by component",
      labels: model.budget.map((b) => `${b.component} (${percent(b.parameters, total)})`),
      values: model.budget.map((b) => b.parameters),
    });
    budget.replaceChildren(figure ?? el("p", "muted", "No tensors."));
  } catch (e) {
    failure(budget, e);
  }
  try {
    const tensors = await sendJson("GET", `/api/models/${encodeURIComponent(modelId)}/tensors`);
    buildTree(tree, tensors, (tensor, button) => {
      for (const b of tree.querySelectorAll(".tensor-item[aria-current]")) b.removeAttribute("aria-current");
      button.setAttribute("aria-current", "true");
      showTensor(detail, modelId, tensor);
      // On a narrow screen the details are under the whole list (not beside it): take the learner there.
      if (detail.getBoundingClientRect().top >= tree.getBoundingClientRect().bottom - 1) {
        detail.scrollIntoView({ block: "start", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
      }
    });
  } catch (e) {
    failure(tree, e);
  }
}

/** Inside "layer 3", "encoder.layer.3.attention.self.query.weight" reads as "attention.self.query.weight". */
function shortName(name, group) {
  const m = /^layer (\d+)$/.exec(group);
  if (!m) return name;
  const marker = new RegExp(`(?:^|\\.)(?:layer|layers|blk|h)\\.${m[1]}\\.`);
  const found = marker.exec(name);
  return found ? name.slice(found.index + found[0].length) : name;
}

/** Text that may wrap after each dot or slash, not inside a word. */
function breakable(node, text) {
  text.split(/(?<=[./])/).forEach((part, i) => {
    if (i > 0) node.append(document.createElement("wbr"));
    node.append(part);
  });
  return node;
}

function percent(part, total) {
  const p = (100 * part) / total;
  return p >= 0.1 || p === 0 ? `${p.toFixed(1)}%` : `${p.toPrecision(1)}%`;
}

function buildTree(tree, tensors, onPick) {
  const groups = new Map();
  for (const t of tensors) {
    if (!groups.has(t.group)) groups.set(t.group, []);
    groups.get(t.group).push(t);
  }
  const allText = `${tensors.length} tensors in ${groups.size} groups`;
  const summary = el("p", "tensor-tree-summary", allText);
  summary.setAttribute("aria-live", "polite");
  const filter = el("input", "tensor-filter");
  filter.type = "search";
  filter.placeholder = "Filter by name";
  filter.setAttribute("aria-label", "Filter tensors by name");
  const lists = [];
  for (const [group, members] of groups) {
    const details = el("details", "tensor-group");
    details.open = groups.size <= 4 || !group.startsWith("layer ") || group === "layer 0";
    const count = members.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
    const head = el("summary", "tensor-group-title");
    head.append(el("span", null, group), el("span", "tensor-group-count", `${members.length} · ${formatNumber(count)} values`));
    const list = el("ul", "tensor-list");
    for (const t of members) {
      const item = el("li");
      const button = el("button", "tensor-item");
      button.type = "button";
      button.dataset.tensor = t.name;
      button.title = t.name;
      button.append(
        breakable(el("span", "tensor-name"), shortName(t.name, group)),
        el("span", "tensor-meta", `${t.dtype} ${shapeText(t.shape)} · ${bytes(t.bytes)}`),
      );
      button.addEventListener("click", () => onPick(t, button));
      item.append(button);
      list.append(item);
    }
    details.append(head, list);
    lists.push(details);
  }
  filter.addEventListener("input", () => {
    const q = filter.value.trim().toLowerCase();
    let tensorsShown = 0;
    let groupsShown = 0;
    for (const details of lists) {
      let shown = 0;
      for (const b of details.querySelectorAll(".tensor-item")) {
        const match = !q || b.dataset.tensor.toLowerCase().includes(q);
        b.parentElement.hidden = !match;
        if (match) shown++;
      }
      details.hidden = shown === 0;
      if (q && shown > 0) details.open = true;
      tensorsShown += shown;
      if (shown > 0) groupsShown++;
    }
    summary.textContent = !q
      ? allText
      : tensorsShown === 0
        ? `No tensor name contains “${filter.value.trim()}” (of ${tensors.length} tensors).`
        : `${tensorsShown} of ${tensors.length} tensors match, in ${groupsShown} ${groupsShown === 1 ? "group" : "groups"}`;
  });
  tree.replaceChildren(summary, filter, ...lists);
}

function showTensor(detail, modelId, tensor) {
  const rowLength = tensor.shape.length === 0 ? 1 : tensor.shape[tensor.shape.length - 1];
  const rowCount = tensor.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const title = el("h3", "tensor-title", tensor.name);
  title.tabIndex = -1;
  const facts = el("p", "tensor-facts");
  facts.append(
    el("span", "chip", tensor.dtype),
    el("span", null, ` shape ${shapeText(tensor.shape)} · ${bytes(tensor.bytes)} · ${tensor.component}`),
  );
  const download = el("a", "btn btn-small tensor-download", "Download .npy");
  download.href = tensorPath(modelId, tensor.name, ".npy");
  download.setAttribute("download", "");
  download.title = "float32, little-endian, dequantized; opens with numpy.load";
  facts.append(" ", download);

  const statsBox = el("div", "tensor-stats", "Computing statistics…");
  const heatBox = el("section", "tensor-heatmap");
  const blocksBox = el("section", "tensor-blocks");
  detail.replaceChildren(title, facts, statsBox, heatBox);
  if (tensor.quantized) detail.append(blocksBox);

  sendJson("GET", tensorPath(modelId, tensor.name, "/stats"))
    .then((stats) => statsBox.replaceChildren(statsTable(stats), histogram(stats.histogram)))
    .catch((e) => failure(statsBox, e));
  heatmapControls(heatBox, modelId, tensor, rowCount, rowLength);
  if (tensor.quantized) showBlocks(blocksBox, modelId, tensor);
}

function statsTable(stats) {
  const table = el("dl", "stats-grid");
  const rows = [
    ["values", stats.count],
    ["min", stats.min],
    ["max", stats.max],
    ["mean", stats.mean],
    ["std", stats.std],
    ["zeros", `${(100 * stats.sparsity).toFixed(2)}%`],
  ];
  if (stats.nonFinite) rows.push(["NaN/∞", stats.nonFinite]);
  for (const [name, value] of rows) table.append(el("dt", null, name), el("dd", null, formatNumber(value)));
  return table;
}

/** The histogram as SVG columns, with the range under it and a tooltip per bin. */
function histogram(h) {
  const counts = h.counts;
  const width = 560;
  const height = 140;
  const pad = 18;
  const top = Math.max(1, ...counts);
  const w = width / counts.length;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + pad}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height + pad);
  svg.setAttribute("class", "histogram-svg");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Histogram of ${counts.length} bins from ${formatNumber(h.min)} to ${formatNumber(h.max)}`);
  const binWidth = (h.max - h.min) / counts.length;
  counts.forEach((c, i) => {
    const barHeight = c === 0 ? 0 : Math.max(1, (c / top) * height);
    const rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("x", i * w + 0.5);
    rect.setAttribute("y", height - barHeight);
    rect.setAttribute("width", Math.max(1, w - 1));
    rect.setAttribute("height", barHeight);
    rect.setAttribute("class", "histogram-bar");
    const tip = document.createElementNS(SVG, "title");
    tip.textContent = `[${formatNumber(h.min + i * binWidth)}, ${formatNumber(h.min + (i + 1) * binWidth)}): ${c}`;
    rect.append(tip);
    svg.append(rect);
  });
  const label = (x, anchor, text) => {
    const t = document.createElementNS(SVG, "text");
    t.setAttribute("x", x);
    t.setAttribute("y", height + pad - 4);
    t.setAttribute("text-anchor", anchor);
    t.setAttribute("class", "histogram-label");
    t.textContent = text;
    svg.append(t);
  };
  label(0, "start", formatNumber(h.min));
  if (h.min < 0 && h.max > 0) label(((0 - h.min) / (h.max - h.min)) * width, "middle", "0");
  label(width, "end", formatNumber(h.max));
  const figure = el("figure", "histogram");
  figure.append(el("figcaption", "muted", `histogram, ${counts.length} bins`), svg);
  return figure;
}

function parseRange(text, limit) {
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text);
  if (!m) return null;
  const [from, to] = [Number(m[1]), Number(m[2])];
  return from < to && to <= limit ? [from, to] : null;
}

function heatmapControls(box, modelId, tensor, rowCount, rowLength) {
  let rows = [0, Math.min(rowCount, 128)];
  let cols = [0, Math.min(rowLength, 256)];
  const form = el("form", "slice-form");
  const rowInput = el("input", "slice-input");
  const colInput = el("input", "slice-input");
  rowInput.setAttribute("aria-label", "rows start:end");
  colInput.setAttribute("aria-label", "columns start:end");
  const show = el("button", "btn btn-small btn-primary", "Show");
  show.type = "submit";
  const zoomIn = el("button", "btn btn-small", "Zoom in");
  const zoomOut = el("button", "btn btn-small", "Zoom out");
  const pans = [["←", 0, -1], ["→", 0, 1], ["↑", -1, 0], ["↓", 1, 0]].map(([text, dr, dc]) => {
    const b = el("button", "btn btn-small", text);
    b.type = "button";
    b.setAttribute("aria-label", `move the slice ${{ "←": "left", "→": "right", "↑": "up", "↓": "down" }[text]}`);
    b.addEventListener("click", () => {
      rows = shift(rows, dr, rowCount);
      cols = shift(cols, dc, rowLength);
      load();
    });
    return b;
  });
  zoomIn.type = "button";
  zoomOut.type = "button";
  const label = (text, input) => {
    const l = el("label", "slice-label", text);
    l.append(input);
    return l;
  };
  form.append(label("rows ", rowInput), label("cols ", colInput), show, zoomIn, zoomOut, ...pans);
  const status = el("p", "muted slice-status");
  const figureBox = el("div", "slice-figure");
  box.append(el("h4", null, `Values (rows × columns of the ${rowCount} × ${rowLength} row-major view)`), form, status, figureBox);

  function shift([a, b], direction, limit) {
    const step = Math.max(1, Math.floor((b - a) / 2)) * direction;
    const from = Math.min(Math.max(0, a + step), limit - (b - a));
    return [from, from + (b - a)];
  }
  function scale([a, b], factor, limit) {
    const size = Math.min(limit, MAX_SIDE, Math.max(1, Math.round((b - a) * factor)));
    const centre = (a + b) / 2;
    const from = Math.min(Math.max(0, Math.round(centre - size / 2)), limit - size);
    return [from, from + size];
  }
  zoomIn.addEventListener("click", () => {
    rows = scale(rows, 0.5, rowCount);
    cols = scale(cols, 0.5, rowLength);
    load();
  });
  zoomOut.addEventListener("click", () => {
    rows = scale(rows, 2, rowCount);
    cols = scale(cols, 2, rowLength);
    load();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const r = parseRange(rowInput.value, rowCount);
    const c = parseRange(colInput.value, rowLength);
    if (!r || !c) {
      const bad = !r ? `rows “${rowInput.value.trim()}”` : `cols “${colInput.value.trim()}”`;
      status.textContent = `Cannot show ${bad}: a range is start:end with start < end (end exclusive), rows within 0:${rowCount}, cols within 0:${rowLength}.`;
      status.className = "model-error slice-status";
      figureBox.replaceChildren(); // the old map is not what was asked for
      (r ? colInput : rowInput).focus();
      return;
    }
    rows = r;
    cols = c;
    load();
  });

  async function load() {
    rowInput.value = `${rows[0]}:${rows[1]}`;
    colInput.value = `${cols[0]}:${cols[1]}`;
    status.textContent = "Loading…";
    status.className = "muted slice-status";
    try {
      const query = `?rows=${rows[0]}:${rows[1]}&cols=${cols[0]}:${cols[1]}`;
      const slice = await sendJson("GET", tensorPath(modelId, tensor.name, "/values") + query);
      const figure = renderHeatmap({
        title: `${tensor.name} [${rows[0]}:${rows[1]}, ${cols[0]}:${cols[1]}]`,
        rows: slice.rows,
        cols: slice.cols,
        data: slice.data,
      });
      figureBox.replaceChildren(figure ?? el("p", "muted", "Nothing to draw."));
      status.textContent = "Hover for values; zoom and the arrows move the window (at most 512 × 512).";
    } catch (e) {
      status.textContent = e.message;
      status.className = "model-error slice-status";
      figureBox.replaceChildren();
    }
  }
  load();
}

async function showBlocks(box, modelId, tensor) {
  box.append(el("h4", null, "Stored blocks (the first 4)"));
  try {
    const result = await sendJson("GET", tensorPath(modelId, tensor.name, "/blocks") + "?from=0&count=4");
    box.append(el("p", "muted",
      `${result.dtype}: ${result.blockCount} blocks of ${result.blockSize} values in ${result.blockBytes} bytes each; value = scale × integer.`));
    const table = el("table", "blocks-table");
    const head = el("tr");
    for (const h of ["block", "scale d", "min dmin", "sub-scales", "integers"]) head.append(el("th", null, h));
    table.append(head);
    for (const b of result.blocks) {
      const tr = el("tr");
      tr.append(
        el("td", null, String(b.index)),
        el("td", "mono", formatNumber(b.d)),
        el("td", "mono", b.dmin ? formatNumber(b.dmin) : "—"),
        el("td", "mono", b.scales.length ? b.scales.join(" ") : "—"),
        el("td", "mono blocks-quants", b.quants.join(" ")),
      );
      table.append(tr);
    }
    box.append(table);
  } catch (e) {
    box.append(el("p", "model-error", e.message));
  }
}
