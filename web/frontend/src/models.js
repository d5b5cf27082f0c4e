// The model page: the parameter budget as bars, and the tensor browser — a list of tensors grouped by
// layer; picking one shows its statistics, a histogram, a zoomable heatmap of a slice, its quantized
// blocks, and a .npy download. Everything comes from the read-only /api/models API.
import "./styles/models.css";
import { sendJson } from "./api.js";
import { renderBars } from "./bars.js";
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { renderHeatmap } from "./heatmap.js";
import { chartActions } from "./svg-save.js";

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
  const allText = `${tensors.length} tensors in ${groups.size} ${groups.size === 1 ? "group" : "groups"}`;
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
        ? `No tensor matches “${filter.value.trim()}” (${tensors.length} tensors in all).`
        : `${tensorsShown} of ${tensors.length} tensors, in ${groupsShown} ${groupsShown === 1 ? "group" : "groups"}`;
    summary.classList.toggle("is-empty", q !== "" && tensorsShown === 0);
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
    .then((stats) => statsBox.replaceChildren(statsTable(stats), histogram(stats.histogram, tensor.name)))
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
function histogram(h, name) {
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
  figure.append(el("figcaption", "muted", `histogram, ${counts.length} bins`), svg, chartActions(svg, `${name} histogram`));
  return figure;
}

/** "a:b" -> [a, b] when it is a range of at most MAX_SIDE within 0:limit; else a sentence saying what is wrong. */
function parseRange(text, limit, what) {
  const shown = `${what} “${text.trim()}”`;
  const allowed = `${what} go from 0 to ${limit} (start:end, end exclusive, at most ${Math.min(limit, MAX_SIDE)} at once)`;
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text);
  if (!m) return { error: `${shown} is not a range: ${allowed}.` };
  const [from, to] = [Number(m[1]), Number(m[2])];
  if (from >= to) return { error: `${shown} is empty: its start must be below its end; ${allowed}.` };
  if (to > limit) return { error: `${shown} ends past ${limit}: ${allowed}.` };
  if (to - from > MAX_SIDE) return { error: `${shown} spans ${to - from}: ${allowed}.` };
  return { range: [from, to] };
}

/**
 * The colour range for a slice whose few outliers would wash the rest out (one of MiniLM's embedding columns reaches
 * 1.05 where most values stay within ±0.1): the 0.5th to 99.5th percentiles, when they span less than two thirds of
 * the whole range; else null (the map's own min and max). Values beyond take the end colours; hovering shows them.
 */
function robustRange(data) {
  const values = data.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (values.length < 100) return null;
  const at = (q) => values[Math.min(values.length - 1, Math.floor(q * values.length))];
  const [lowest, highest] = [values[0], values[values.length - 1]];
  const [min, max] = [at(0.005), at(0.995)];
  if (!(max > min) || max - min >= (2 / 3) * (highest - lowest)) return null;
  return { min, max, lowest, highest };
}

const LABEL_CUT = 18; // characters of a token shown beside its row number; the title holds all of it

/** A token as the list shows it: cut with an ellipsis, invisible characters made visible. */
function tokenText(token) {
  const visible = token.replace(/\n/g, "↵").replace(/\t/g, "⇥").replace(/ /g, "·");
  return visible.length > LABEL_CUT ? `${visible.slice(0, LABEL_CUT - 1)}…` : visible;
}

/**
 * The slice of values as a heatmap, opening where the tensor is worth a look: for a matrix, its rows with the largest
 * L2 norms (an embedding's first rows are tokens nobody uses); then any window of rows, a row by number and, where
 * the rows are tokens, a row by word. Each row in view is listed with its number and token.
 */
function heatmapControls(box, modelId, tensor, rowCount, rowLength) {
  const byNorm = tensor.shape.length === 2 && rowCount > 1;
  const view = {
    mode: byNorm ? "top" : "range",
    count: Math.min(rowCount, 64), // rows in the largest-norm view
    rows: [0, Math.min(rowCount, 128)],
    cols: [0, Math.min(rowLength, 256)],
    target: null, // the row a jump asked for
  };
  const form = el("form", "slice-form");
  const rowInput = el("input", "slice-input");
  const colInput = el("input", "slice-input");
  rowInput.setAttribute("aria-label", "rows start:end");
  colInput.setAttribute("aria-label", "columns start:end");
  const show = el("button", "btn btn-small btn-primary", "Show");
  show.type = "submit";
  const topButton = el("button", "btn btn-small slice-top", "Largest norms");
  topButton.type = "button";
  topButton.title = "The rows with the largest L2 norm, largest first";
  const zoomIn = el("button", "btn btn-small", "Zoom in");
  const zoomOut = el("button", "btn btn-small", "Zoom out");
  zoomIn.type = "button";
  zoomOut.type = "button";
  const pans = [["←", 0, -1, "left"], ["→", 0, 1, "right"], ["↑", -1, 0, "up"], ["↓", 1, 0, "down"]].map(([text, dr, dc, where]) => {
    const b = el("button", "btn btn-small slice-pan", text);
    b.type = "button";
    b.dataset.rows = String(dr !== 0);
    b.setAttribute("aria-label", `move the slice ${where}`);
    b.addEventListener("click", () => {
      if (dr !== 0 && view.mode === "top") return; // the largest-norm rows are not a window that moves
      view.rows = shift(view.rows, dr, rowCount);
      view.cols = shift(view.cols, dc, rowLength);
      view.target = null;
      load();
    });
    return b;
  });
  const label = (text, input) => {
    const l = el("label", "slice-label", text);
    l.append(input);
    return l;
  };
  form.append(label("rows ", rowInput), label("cols ", colInput), show);
  if (byNorm) form.append(topButton);
  const panGroup = el("span", "slice-pans");
  panGroup.append(...pans);
  form.append(zoomIn, zoomOut, panGroup);

  const jumps = el("div", "slice-jumps");
  const rowJump = el("form", "slice-jump");
  const rowNumber = el("input", "slice-input slice-row-number");
  rowNumber.type = "number";
  rowNumber.min = "0";
  rowNumber.max = String(rowCount - 1);
  rowNumber.placeholder = `0–${rowCount - 1}`;
  const rowGo = el("button", "btn btn-small", "Go");
  rowGo.type = "submit";
  rowJump.append(label("go to row ", rowNumber), rowGo);
  jumps.append(rowJump);
  const wordInput = el("input", "slice-input slice-word");
  if (tensor.vocabulary) {
    const wordJump = el("form", "slice-jump");
    wordInput.type = "text";
    wordInput.placeholder = "a word";
    wordInput.maxLength = 100;
    wordInput.autocomplete = "off";
    const wordGo = el("button", "btn btn-small", "Go");
    wordGo.type = "submit";
    wordJump.append(label("go to token ", wordInput), wordGo);
    wordJump.addEventListener("submit", (event) => {
      event.preventDefault();
      jumpToWord();
    });
    jumps.append(wordJump);
  }
  const status = el("p", "muted slice-status");
  status.setAttribute("aria-live", "polite");
  const figureBox = el("div", "slice-figure");
  const rowList = el("div", "slice-rows");
  box.append(el("h4", null, `Values (rows × columns of the ${rowCount} × ${rowLength} row-major view)`), form, jumps, status, figureBox, rowList);

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
  function zoom(factor) {
    if (view.mode === "top") view.count = Math.min(rowCount, MAX_SIDE, Math.max(1, Math.round(view.count * factor)));
    else view.rows = scale(view.rows, factor, rowCount);
    view.cols = scale(view.cols, factor, rowLength);
    load();
  }
  zoomIn.addEventListener("click", () => zoom(0.5));
  zoomOut.addEventListener("click", () => zoom(2));
  topButton.addEventListener("click", () => {
    view.mode = "top";
    view.target = null;
    load();
  });
  function fail(message, input) {
    status.textContent = message;
    status.className = "model-error slice-status";
    figureBox.replaceChildren(); // the old map is not what was asked for
    rowList.replaceChildren();
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const input of [rowInput, colInput]) input.removeAttribute("aria-invalid");
    const keepTop = view.mode === "top" && rowInput.value.trim() === "";
    const r = keepTop ? { range: view.rows } : parseRange(rowInput.value, rowCount, "rows");
    if (r.error) return fail(r.error, rowInput);
    const c = parseRange(colInput.value, rowLength, "columns");
    if (c.error) return fail(c.error, colInput);
    if (!keepTop) {
      view.mode = "range";
      view.rows = r.range;
      view.target = null;
    }
    view.cols = c.range;
    load();
  });
  rowJump.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = rowNumber.value.trim();
    const row = Number(text);
    rowNumber.removeAttribute("aria-invalid");
    if (text === "" || !Number.isInteger(row) || row < 0 || row >= rowCount) {
      return fail(`Row “${text}” does not exist: rows go from 0 to ${rowCount - 1}.`, rowNumber);
    }
    jumpTo(row);
  });
  function jumpTo(row) {
    const span = view.mode === "range" ? view.rows[1] - view.rows[0] : Math.min(rowCount, 128);
    const from = Math.max(0, Math.min(row, rowCount - span));
    view.mode = "range";
    view.rows = [from, from + span];
    view.target = row;
    return load();
  }
  async function jumpToWord() {
    const word = wordInput.value.trim();
    wordInput.removeAttribute("aria-invalid");
    if (!word) return fail("Type a word to find its token's row.", wordInput);
    try {
      const found = await sendJson("GET", tensorPath(modelId, tensor.name, "/token-rows") + `?text=${encodeURIComponent(word)}`);
      const first = found.tokens[0];
      await jumpTo(first.row);
      if (status.classList.contains("model-error")) return;
      const pieces = found.tokens.map((t) => `${t.token} (row ${t.row})`).join(", ");
      status.textContent = found.tokens.length === 1
        ? `“${word}” is one token, ${pieces}: its row is marked.`
        : `“${word}” is ${found.tokens.length} tokens: ${pieces}. Showing the first.`;
    } catch (e) {
      fail(e.message, wordInput);
    }
  }

  /** The rows in view, each with its number, its token (where rows are tokens) and, by norm, its norm. */
  function listRows(numbers, labels, norms) {
    const list = el("ol", "row-index");
    list.setAttribute("aria-label", "rows in view");
    numbers.forEach((n, i) => {
      const item = el("li", n === view.target ? "row-entry is-target" : "row-entry");
      item.dataset.row = String(n);
      item.append(el("span", "row-number", String(n)));
      if (labels) {
        const token = el("span", "row-token", tokenText(labels[i]));
        token.title = labels[i];
        item.append(token);
      }
      if (norms) item.append(el("span", "row-norm", formatNumber(norms[i])));
      list.append(item);
    });
    const what = view.mode === "top" ? `the ${numbers.length} rows with the largest norms, largest first` : `rows ${view.rows[0]}–${view.rows[1] - 1}`;
    const details = el("details", "row-index-box");
    details.open = Boolean(labels) || view.mode === "top";
    details.append(el("summary", null, `${labels ? "Tokens of " : "Numbers of "}${what}`), list);
    rowList.replaceChildren(details);
  }

  async function load() {
    for (const input of [rowInput, colInput, rowNumber, wordInput]) input.removeAttribute("aria-invalid");
    for (const b of pans) if (b.dataset.rows === "true") b.disabled = view.mode === "top";
    topButton.setAttribute("aria-pressed", String(view.mode === "top"));
    rowInput.value = view.mode === "top" ? "" : `${view.rows[0]}:${view.rows[1]}`;
    rowInput.placeholder = view.mode === "top" ? `largest ${view.count}` : "start:end";
    colInput.value = `${view.cols[0]}:${view.cols[1]}`;
    status.textContent = "Loading…";
    status.className = "muted slice-status";
    const cols = `${view.cols[0]}:${view.cols[1]}`;
    try {
      let numbers;
      let labels;
      let norms = null;
      let slice;
      if (view.mode === "top") {
        slice = await sendJson("GET", tensorPath(modelId, tensor.name, "/top-rows") + `?count=${view.count}&cols=${cols}`);
        numbers = slice.rowIndex;
        norms = slice.norms;
      } else {
        slice = await sendJson("GET", tensorPath(modelId, tensor.name, "/values") + `?rows=${view.rows[0]}:${view.rows[1]}&cols=${cols}`);
        numbers = Array.from({ length: slice.rows }, (_, i) => view.rows[0] + i);
      }
      labels = slice.rowLabels ?? null;
      const title = view.mode === "top"
        ? `${tensor.name}, ${slice.rows} largest-norm rows [:, ${cols}]`
        : `${tensor.name} [${view.rows[0]}:${view.rows[1]}, ${cols}]`;
      const colours = robustRange(slice.data);
      const figure = renderHeatmap({
        title,
        rows: slice.rows,
        cols: slice.cols,
        data: slice.data,
        min: colours?.min,
        max: colours?.max,
        rowLabels: labels ?? undefined,
        rowNumbers: numbers,
      });
      figureBox.replaceChildren(figure ?? el("p", "muted", "Nothing to draw."));
      listRows(numbers, labels, norms);
      status.textContent = view.mode === "top"
        ? `The ${slice.rows} rows with the largest L2 norms (of ${rowCount}), largest at the top. Hover for values.`
        : view.target !== null
          ? `Row ${view.target}${labels ? ` “${labels[view.target - view.rows[0]]}”` : ""} is row ${view.target - view.rows[0] + 1} of this view.`
          : "Hover for values; zoom and the arrows move the window (at most 512 × 512).";
      if (colours) {
        status.textContent += ` Colours saturate at ${formatNumber(colours.min)} and ${formatNumber(colours.max)}, where 99% of these values lie;`
          + ` the slice spans ${formatNumber(colours.lowest)} to ${formatNumber(colours.highest)}.`;
      }
    } catch (e) {
      fail(e.message);
    }
  }
  return load();
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
