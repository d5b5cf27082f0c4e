// The quantization lab page (/models/{id}/quantize): starts the lab (POST /api/models/{id}/quantize), polls it
// (GET, every 400 ms while it runs) for its progress, then draws the variants table, the generations or the
// embedding checks, and one error histogram per tensor and type (SVG). A reload finds a finished run again.
import "./styles/quantize.css";
import { ApiError, apiPath, sendJson } from "./api.js";
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { svg } from "./svg.js";
import { chartActions } from "./svg-save.js";

const POLL_MS = 400;
const HIST_W = 220;
const HIST_H = 64;

function bytes(n) {
  if (n === null || n === undefined) return "–";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function fixed(x, digits) {
  return x === null || x === undefined ? "–" : x.toFixed(digits);
}

function table(columns, rows, className) {
  const t = el("table", `output-table ${className || ""}`);
  const head = el("tr");
  columns.forEach(([label, numeric]) => head.append(el("th", numeric ? "num" : "", label)));
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    row.forEach((cell, i) => {
      const td = el("td", columns[i][1] ? "num" : "");
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell;
      tr.append(td);
    });
    body.append(tr);
  }
  t.append(thead, body);
  const wrap = el("div", "output-table-wrap");
  wrap.append(t);
  return wrap;
}

/** The error histogram of one tensor and type: bars on a square-root scale so the rare large errors show. */
function histogram(tensor) {
  const counts = tensor.histogram.counts;
  const top = Math.sqrt(Math.max(...counts, 1));
  const barW = HIST_W / counts.length;
  const chart = svg("svg", { width: HIST_W, height: HIST_H + 14, viewBox: `0 0 ${HIST_W} ${HIST_H + 14}`, class: "quantize-hist",
    role: "img", "aria-label": `Error histogram of ${tensor.name} as ${tensor.type}: from ${formatNumber(tensor.histogram.min)} to ${formatNumber(tensor.histogram.max)}` });
  chart.dataset.bins = String(counts.length);
  counts.forEach((c, i) => {
    const h = (Math.sqrt(c) / top) * HIST_H;
    const lo = tensor.histogram.min + (i * (tensor.histogram.max - tensor.histogram.min)) / counts.length;
    const bar = svg("rect", { x: (i * barW).toFixed(2), y: (HIST_H - h).toFixed(2), width: Math.max(0.5, barW - 0.5).toFixed(2), height: h.toFixed(2),
      class: `quantize-bar-${tensor.type.toLowerCase()}` });
    bar.append(svg("title", {}, `${c} weights with error from ${formatNumber(lo)}`));
    chart.append(bar);
  });
  chart.append(svg("line", { x1: HIST_W / 2, x2: HIST_W / 2, y1: 0, y2: HIST_H, class: "quantize-zero" }));
  chart.append(svg("text", { x: 0, y: HIST_H + 12, class: "quantize-tick" }, formatNumber(tensor.histogram.min)));
  chart.append(svg("text", { x: HIST_W, y: HIST_H + 12, "text-anchor": "end", class: "quantize-tick" }, formatNumber(tensor.histogram.max)));
  return chart;
}

export function startQuantize(modelId) {
  const button = document.getElementById("quantize-start");
  const bar = document.getElementById("quantize-bar");
  const status = document.getElementById("quantize-status");
  const variantsBox = document.getElementById("quantize-variants");
  const qualityBox = document.getElementById("quantize-quality");
  const tensorsBox = document.getElementById("quantize-tensors");
  const path = apiPath`/api/models/${modelId}/quantize`;
  let timer = null;

  function showStatus(node) {
    status.replaceChildren(node);
  }

  function render(view) {
    button.disabled = view.active;
    bar.hidden = !view.active;
    bar.max = view.total;
    bar.value = view.done;
    if (view.active) {
      showStatus(el("span", "", `Step ${view.done + 1} of ${view.total}: ${view.step}… (${view.elapsedSeconds.toFixed(1)} s)`));
      return;
    }
    if (view.state === "failed") {
      showStatus(el("span", "model-error", `The lab failed: ${view.error}`));
      return;
    }
    const source = view.source !== view.model ? ` The lab quantized ${view.source}, the F32 model this export was made from.` : "";
    showStatus(el("span", "muted", `Done in ${view.elapsedSeconds.toFixed(1)} s.${source}`));
    drawVariants(view);
    drawQuality(view);
    drawTensors(view);
  }

  function drawVariants(view) {
    const decoder = view.family !== "bert";
    const f32 = view.variants[0];
    const columns = [["variant"], ["weights", true], ["file", true], ["of F32", true], ["speed (median)", true], ["spread", true]];
    if (decoder) columns.push(["held-out loss", true], ["perplexity", true], ["loss vs F32", true]);
    else columns.push(["cosine to F32 (mean)", true], ["lowest cosine", true], ["same top sentence", true]);
    const rows = view.variants.map((v) => {
      const row = [v.type, bytes(v.weightBytes), bytes(v.fileBytes), `${((100 * v.weightBytes) / f32.weightBytes).toFixed(1)} %`,
        v.speed ? `${v.speed.median.toFixed(1)} ${v.speed.unit}` : "–",
        v.speed ? `${v.speed.min.toFixed(1)} – ${v.speed.max.toFixed(1)}` : "–"];
      if (decoder) {
        const change = v.heldOutLoss !== null && f32.heldOutLoss !== null ? (100 * (v.heldOutLoss - f32.heldOutLoss)) / f32.heldOutLoss : null;
        row.push(fixed(v.heldOutLoss, 4), fixed(v.perplexity, 4), change === null ? "–" : `${change >= 0 ? "+" : ""}${change.toFixed(2)} %`);
      } else {
        const e = v.embeddings;
        row.push(fixed(e?.meanCosine, 6), fixed(e?.minCosine, 6), e ? `${e.sameTop} / ${e.queries}` : "–");
      }
      return row;
    });
    const t = table(columns, rows, "quantize-variants");
    t.querySelectorAll("tbody tr").forEach((tr, i) => { tr.dataset.type = view.variants[i].type; });
    variantsBox.replaceChildren(t);
  }

  function drawQuality(view) {
    if (view.family !== "bert") {
      const prompts = view.variants[0].generations.map((g) => g.prompt);
      if (!prompts.length) {
        qualityBox.replaceChildren(el("p", "muted", "No prompt for this model."));
        return;
      }
      const grid = el("div", "quantize-generations");
      prompts.forEach((prompt, p) => {
        const row = el("div", "quantize-generation-row");
        row.append(el("p", "quantize-prompt", `Prompt: ${prompt}`));
        const columns = el("div", "quantize-generation-columns");
        for (const v of view.variants) {
          const box = el("div", "quantize-generation");
          box.dataset.type = v.type;
          const text = v.generations[p].text;
          const same = v.type !== "F32" && text === view.variants[0].generations[p].text;
          box.append(el("h3", "", `${v.type}${v.type === "F32" ? "" : same ? " · same as F32" : " · differs from F32"}`), el("p", "quantize-text", prompt + text));
          columns.append(box);
        }
        row.append(columns);
        grid.append(row);
      });
      qualityBox.replaceChildren(grid);
      return;
    }
    const nodes = [];
    for (const v of view.variants.slice(1)) {
      nodes.push(el("h3", "", `${v.type}: the top sentence for each query`));
      nodes.push(table([["query"], ["F32 finds"], [`${v.type} finds`], ["same"]],
        v.embeddings.retrievals.map((r) => [r.query, r.expected, r.found, r.same ? "yes" : "no"]), "quantize-retrieval"));
    }
    qualityBox.replaceChildren(...nodes);
  }

  function drawTensors(view) {
    const byName = new Map();
    for (const t of view.tensors) {
      if (!byName.has(t.name)) byName.set(t.name, []);
      byName.get(t.name).push(t);
    }
    const list = el("div", "quantize-tensor-list");
    for (const [name, entries] of byName) {
      const card = el("div", "quantize-tensor");
      card.append(el("h3", "quantize-tensor-name", `${name} (${entries[0].shape.join(" × ")})`));
      const row = el("div", "quantize-tensor-row");
      for (const t of entries) {
        const fig = el("figure", "quantize-figure");
        const chart = histogram(t);
        fig.append(chart, chartActions(chart, `quantization error ${t.name} ${t.type}`));
        fig.append(el("figcaption", "small", `${t.type}: max |error| ${formatNumber(t.maxAbs)}, mean ${formatNumber(t.meanAbs)}, `
          + `rms ${(100 * t.relativeRms).toFixed(2)} % of the weights' rms · ${bytes(t.bytesBefore)} → ${bytes(t.bytesAfter)}`));
        row.append(fig);
      }
      card.append(row);
      list.append(card);
    }
    tensorsBox.replaceChildren(list);
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const view = await sendJson("GET", path);
      render(view);
      if (view.active) timer = setTimeout(poll, POLL_MS);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return; // no run on this model yet
      showStatus(el("span", "model-error", e.message || String(e)));
    }
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      render(await sendJson("POST", path));
      timer = setTimeout(poll, POLL_MS);
    } catch (e) {
      button.disabled = false;
      showStatus(el("span", "model-error", e.message || String(e)));
    }
  });
  poll();
}
