// The attention explorer (/models/{id}/attention): POST /api/models/{id}/attention gives the chosen layer's
// patterns at full size (16-bit) and every head's as a thumbnail (8-bit, max-pooled to at most 64 × 64); the
// page shows the chosen head as a query × key heatmap, as a head view (lines from each token to the tokens it
// attends to), every head as a thumbnail, and lets the learner switch heads off and see what changes
// downstream. Choosing another layer asks for that layer's patterns.
import "./styles/inference.css";
import { apiPath, sendJson } from "./api.js";
import { colourScale } from "./colors.js";
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { renderHeatmap } from "./heatmap.js";
import { probList } from "./probs.js";
import { progress } from "./progress.js";
import { svg } from "./svg.js";
import { short, visible } from "./tokens.js";
import { chartActions } from "./svg-save.js";

const ALL_LINES_UP_TO = 40; // tokens; beyond this the head view draws only the chosen token's lines
const ROW = 20; // head view row height
const MOVED = 0.02; // a pattern that moved at least this much after an ablation is marked

export function startAttention(modelId) {
  const form = document.getElementById("attention-form");
  const input = document.getElementById("attention-text");
  const view = document.getElementById("attention-view");
  const layerSelect = document.getElementById("layer-select");
  const headSelect = document.getElementById("head-select");
  const ablateToggle = document.getElementById("ablate-toggle");
  const heatmapBox = document.getElementById("attention-heatmap");
  const effectBox = document.getElementById("ablation-effect");
  const headViewBox = document.getElementById("head-view");
  const modelViewBox = document.getElementById("model-view");
  const status = progress(document.getElementById("attention-status"));

  const state = { data: null, text: "", layer: 0, head: 0, query: null, ablated: new Map(), request: 0 };
  const key = (l, h) => `${l}:${h}`;

  async function run({ layer = state.layer } = {}) {
    const text = input.value.trim();
    if (!text) {
      status.fail(new Error("Type a text first."));
      view.hidden = true; // an old map under the message would look like the answer
      return;
    }
    if (text !== state.text) state.ablated.clear(); // ablations belong to one text
    const ablate = [...state.ablated.values()];
    const mine = ++state.request;
    const sameRun = state.data && text === state.text && layer !== state.data.layer;
    status.start(sameRun ? `Fetching layer ${layer}…`
      : ablate.length ? `Running again with ${ablate.length} head${ablate.length > 1 ? "s" : ""} switched off…`
      : "Running the model…", "the first run of a model also loads it");
    try {
      const data = await sendJson("POST", apiPath`/api/models/${modelId}/attention`, { text, ablate, layer });
      if (mine !== state.request) return;
      decode(data);
      const fresh = !state.data || state.data.layers !== data.layers || state.data.heads !== data.heads;
      state.data = data;
      state.text = text;
      if (fresh) fillPickers(data);
      if (state.query !== null && state.query >= data.tokens.length) state.query = null;
      view.hidden = false;
      drawAll();
      status.done(`${data.tokens.length} tokens · ${data.layers} layers × ${data.heads} heads · ${Math.round(status.elapsed())} ms`);
    } catch (e) {
      if (mine === state.request) {
        status.fail(e);
        view.hidden = true; // the old map belongs to another text
      }
    }
  }

  function fillPickers(data) {
    // The select sits in a label that already says "layer" or "head": an option reads as its number alone.
    const options = (n) => Array.from({ length: n }, (_, i) => {
      const o = el("option", null, String(i));
      o.value = String(i);
      return o;
    });
    layerSelect.replaceChildren(...options(data.layers));
    headSelect.replaceChildren(...options(data.heads));
    state.layer = Math.min(state.layer, data.layers - 1);
    state.head = Math.min(state.head, data.heads - 1);
  }

  function select(layer, head, { focus = false } = {}) {
    state.layer = layer;
    state.head = head;
    if (state.data && layer !== state.data.layer) {
      run({ layer }).then(() => {
        if (focus) modelViewBox.querySelector(`[data-layer="${layer}"][data-head="${head}"]`)?.focus();
      });
      return;
    }
    drawAll();
    if (focus) modelViewBox.querySelector(`[data-layer="${layer}"][data-head="${head}"]`)?.focus();
  }

  function drawAll() {
    const { data } = state;
    layerSelect.value = String(state.layer);
    headSelect.value = String(state.head);
    const off = state.ablated.has(key(state.layer, state.head));
    ablateToggle.setAttribute("aria-pressed", String(off));
    ablateToggle.textContent = off ? "Head switched off — switch on" : "Ablate this head";
    drawHeatmap(heatmapBox, data, state.layer, state.head, off);
    drawHeadView(headViewBox, data, state);
    drawModelView(modelViewBox, data, state, select);
    drawEffect(effectBox, data, state, (l, h) => {
      state.ablated.delete(key(l, h));
      run();
    });
  }

  layerSelect.addEventListener("change", () => select(Number(layerSelect.value), state.head));
  headSelect.addEventListener("change", () => select(state.layer, Number(headSelect.value)));
  ablateToggle.addEventListener("click", () => {
    const k = key(state.layer, state.head);
    if (state.ablated.has(k)) state.ablated.delete(k);
    else state.ablated.set(k, [state.layer, state.head]);
    run();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  headViewBox.addEventListener("query", (event) => {
    state.query = event.detail;
    drawHeadView(headViewBox, state.data, state);
  });
  run();
}

/** The answer's base64 integers as numbers: `data.full` (head, query, key) of `data.layer`, `data.thumbPixels`. */
function decode(data) {
  const n = data.tokens.length;
  const bytes = base64Bytes(data.patterns);
  data.full = new Float32Array(data.heads * n * n);
  for (let i = 0; i < data.full.length; i++) data.full[i] = (bytes[2 * i] | (bytes[2 * i + 1] << 8)) / 65535;
  data.thumbPixels = base64Bytes(data.thumbs);
}

function base64Bytes(text) {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

/** Row `query` of head `head` of the layer the answer carries in full, as weights over the keys. */
function row(data, head, query) {
  const n = data.tokens.length;
  return data.full.subarray((head * n + query) * n, (head * n + query + 1) * n);
}

function drawHeatmap(box, data, layer, head, off) {
  const n = data.tokens.length;
  const flat = new Float64Array(n * n);
  for (let q = 0; q < n; q++) flat.set(row(data, head, q), q * n);
  const labels = data.tokens.map((t) => short(t, 12));
  const figure = renderHeatmap({
    title: `layer ${layer} · head ${head}${off ? " (switched off: its output is zeroed, its pattern still shows)" : ""}`,
    rows: n,
    cols: n,
    data: Array.from(flat),
    rowLabels: labels,
    colLabels: labels,
    min: 0,
    max: 1,
  });
  const axes = el("p", "muted small heatmap-axes", "rows: the query token (who looks) · columns: the key token (looked at)");
  box.replaceChildren(figure ?? el("p", "muted", "Nothing to draw."), axes);
}

/** Two columns of tokens; a line from query i (left) to key j (right) is as opaque as the weight i -> j. */
function drawHeadView(box, data, state) {
  const n = data.tokens.length;
  const weights = (q) => row(data, state.head, q);
  const labels = data.tokens.map((t) => short(t, 16));
  const width = 360;
  const colWidth = 130;
  const height = n * ROW + 8;
  const chart = svg("svg", {
    width, height, viewBox: `0 0 ${width} ${height}`, class: "head-view-svg", role: "group", // not "img": its query tokens can be focused
    "aria-label": `Head view of layer ${state.layer} head ${state.head}`,
  });
  const y = (i) => 4 + i * ROW + ROW / 2;
  const x1 = colWidth;
  const x2 = width - colWidth;
  const lines = svg("g", { class: "head-view-lines" });
  const chosen = state.query;
  const drawFrom = chosen !== null ? [chosen] : n <= ALL_LINES_UP_TO ? [...Array(n).keys()] : [];
  for (const q of drawFrom) {
    const w = weights(q);
    for (let k = 0; k < n; k++) {
      if (w[k] < 0.01) continue;
      lines.append(svg("line", {
        x1: x1 + 4, y1: y(q), x2: x2 - 4, y2: y(k),
        "stroke-opacity": Math.min(1, chosen !== null ? w[k] : w[k] * 0.8).toFixed(3),
        "stroke-width": chosen !== null ? 1 + 3 * w[k] : 1.5,
      }));
    }
  }
  chart.append(lines);
  const focusWeights = chosen !== null ? weights(chosen) : null;
  for (let i = 0; i < n; i++) {
    const left = svg("g", { class: "head-view-token head-view-query", tabindex: 0, role: "button",
      "aria-label": `${visible(data.tokens[i])}, token ${i}: show where it looks`, "aria-pressed": String(chosen === i) });
    left.append(svg("rect", { x: 2, y: y(i) - ROW / 2 + 1, width: colWidth - 4, height: ROW - 2, rx: 3,
      class: chosen === i ? "head-view-chosen" : "" }));
    left.append(svg("text", { x: colWidth - 8, y: y(i), "text-anchor": "end", "dominant-baseline": "central" }, labels[i]));
    const pick = (value) => box.dispatchEvent(new CustomEvent("query", { detail: value }));
    left.addEventListener("mouseenter", () => { if (state.query !== i) pick(i); });
    left.addEventListener("focus", () => { if (state.query !== i) pick(i); });
    left.addEventListener("click", () => pick(i));
    left.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const next = Math.max(0, Math.min(n - 1, i + (event.key === "ArrowDown" ? 1 : -1)));
        box.querySelector(`.head-view-query[data-index="${next}"]`)?.focus();
      }
    });
    left.dataset.index = String(i);
    const right = svg("g", { class: "head-view-token head-view-key" });
    const shade = focusWeights ? focusWeights[i] : 0;
    right.append(svg("rect", { x: x2 + 2, y: y(i) - ROW / 2 + 1, width: colWidth - 4, height: ROW - 2, rx: 3,
      "fill-opacity": (0.08 + 0.8 * shade).toFixed(3), class: "head-view-key-box" }));
    right.append(svg("text", { x: x2 + 8, y: y(i), "dominant-baseline": "central" }, labels[i]));
    if (focusWeights) right.append(svg("title", {}, `${formatNumber(focusWeights[i])} of token ${chosen}'s attention`));
    chart.append(left, right);
  }
  const caption = el("p", "muted small head-view-caption", chosen !== null
    ? `“${visible(data.tokens[chosen])}” (token ${chosen}) looks most at “${visible(data.tokens[argmax(weights(chosen))])}” `
      + `(${formatNumber(Math.max(...weights(chosen)))})`
    : n <= ALL_LINES_UP_TO ? "All lines: each token's attention to every other." : "Pick a token on the left.");
  const scroller = el("div", "head-view-scroll");
  scroller.append(chart);
  const previousScroll = box.querySelector(".head-view-scroll")?.scrollTop ?? 0;
  const hadFocus = box.contains(document.activeElement) ? document.activeElement.dataset?.index : undefined;
  box.replaceChildren(caption, scroller, chartActions(chart, `head view layer ${state.layer} head ${state.head}`));
  scroller.scrollTop = previousScroll;
  if (hadFocus !== undefined) box.querySelector(`.head-view-query[data-index="${hadFocus}"]`)?.focus({ preventScroll: true });
}

function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Every head as a small canvas, layers down and heads across; the chosen one is outlined. */
function drawModelView(box, data, state, select) {
  const t = data.thumbSize;
  const scale = colourScale(0, 1);
  const thumb = Math.max(40, Math.min(72, Math.floor(((box.clientWidth || 600) - 40) / data.heads) - 6)); // CSS pixels
  const grid = el("div", "thumb-grid");
  grid.style.gridTemplateColumns = `auto repeat(${data.heads}, ${thumb}px)`;
  grid.setAttribute("role", "grid");
  grid.setAttribute("aria-label", "Every head's attention pattern");
  grid.append(el("span", "thumb-corner"));
  for (let h = 0; h < data.heads; h++) grid.append(el("span", "thumb-col-label", `H${h}`));
  const ratio = window.devicePixelRatio || 1;
  const pixels = document.createElement("canvas");
  pixels.width = t;
  pixels.height = t;
  const pixelContext = pixels.getContext("2d");
  const image = pixelContext.createImageData(t, t);
  for (let l = 0; l < data.layers; l++) {
    const rowEl = el("div", "thumb-row");
    rowEl.setAttribute("role", "row");
    rowEl.style.display = "contents";
    rowEl.append(el("span", "thumb-row-label", `L${l}`));
    for (let h = 0; h < data.heads; h++) {
      const start = (l * data.heads + h) * t * t;   // (layer, head, t, t), max-pooled on the server
      for (let i = 0; i < t * t; i++) {
        scale.paint(data.thumbPixels[start + i] / 255, image.data, i * 4);
        image.data[i * 4 + 3] = 255;
      }
      pixelContext.putImageData(image, 0, 0);
      const button = el("button", "thumb");
      button.style.width = `${thumb}px`;
      button.style.height = `${thumb}px`;
      button.type = "button";
      button.setAttribute("role", "gridcell");
      button.dataset.layer = String(l);
      button.dataset.head = String(h);
      const chosen = l === state.layer && h === state.head;
      const off = state.ablated.has(`${l}:${h}`);
      const moved = data.shift ? data.shift[l][h] : 0;
      if (chosen) button.setAttribute("aria-current", "true");
      if (off) button.classList.add("thumb-ablated");
      if (!off && moved >= MOVED) button.classList.add("thumb-moved");
      button.tabIndex = chosen ? 0 : -1;
      button.setAttribute("aria-label", `layer ${l} head ${h}${off ? ", switched off" : ""}${moved >= MOVED ? `, pattern moved ${formatNumber(moved)}` : ""}`);
      button.title = button.getAttribute("aria-label");
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(thumb * ratio);
      canvas.height = Math.round(thumb * ratio);
      const ctx = canvas.getContext("2d");
      ctx.imageSmoothingEnabled = t > thumb * ratio;
      ctx.drawImage(pixels, 0, 0, canvas.width, canvas.height);
      button.append(canvas);
      button.addEventListener("click", () => select(l, h, { focus: true }));
      button.addEventListener("keydown", (event) => {
        const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
        const move = moves[event.key];
        if (!move) return;
        event.preventDefault();
        const nl = Math.max(0, Math.min(data.layers - 1, l + move[0]));
        const nh = Math.max(0, Math.min(data.heads - 1, h + move[1]));
        select(nl, nh, { focus: true });
      });
      rowEl.append(button);
    }
    grid.append(rowEl);
  }
  const legend = el("p", "muted small thumb-legend");
  legend.append(el("span", "thumb-key thumb-key-chosen"), " open  ", el("span", "thumb-key thumb-key-ablated"), " switched off  ",
    el("span", "thumb-key thumb-key-moved"), " pattern changed by the ablation");
  box.replaceChildren(grid, legend);
}

/** What switching heads off changed: the list of heads, and the model's output before and after. */
function drawEffect(box, data, state, restore) {
  if (state.ablated.size === 0) {
    box.replaceChildren(el("p", "muted small",
      "Ablating a head sets its output to zero before it is added to the residual stream; later layers then see a different stream."));
    return;
  }
  const heads = el("p", "ablated-heads");
  heads.append(el("strong", null, "Switched off: "));
  for (const [l, h] of state.ablated.values()) {
    const b = el("button", "chip chip-button", `L${l} H${h} ×`);
    b.type = "button";
    b.setAttribute("aria-label", `Switch layer ${l} head ${h} back on`);
    b.addEventListener("click", () => restore(l, h));
    heads.append(b, " ");
  }
  const parts = [heads];
  if (typeof data.embeddingCosine === "number") {
    parts.push(el("p", "effect-line", `Sentence embedding with these heads off vs. the normal run: cosine ${formatNumber(data.embeddingCosine)} `
      + "(1 = unchanged)."));
  }
  if (data.predictions && data.ablatedPredictions) {
    const compare = el("div", "effect-compare");
    compare.append(predictionList("Next token, normal run", data.predictions), predictionList("With the heads off", data.ablatedPredictions));
    parts.push(compare);
  }
  if (data.shift) {
    const moved = [];
    data.shift.forEach((heads, l) => heads.forEach((v, h) => { if (v >= MOVED && !state.ablated.has(`${l}:${h}`)) moved.push([v, l, h]); }));
    moved.sort((a, b) => b[0] - a[0]);
    parts.push(el("p", "muted small", moved.length
      ? `Heads whose pattern changed most: ${moved.slice(0, 6).map(([v, l, h]) => `L${l} H${h} (${formatNumber(v)})`).join(", ")}.`
      : "No other head's pattern changed noticeably."));
  }
  box.replaceChildren(...parts);
}

function predictionList(title, candidates) {
  return probList(title, candidates.slice(0, 5).map((c) => ({ text: c.text, value: c.p })));
}
