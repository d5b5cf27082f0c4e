// The fine-tuning page (/models/{id}/finetune): choose full or LoRA (rank, alpha, targets), steps and rate, start a run
// (POST /api/models/{id}/finetune/runs), then poll it (GET .../runs/current every 500 ms while it goes on) to draw the
// training loss and the held-out loss on both story styles, the generations before and after, and once it has ended
// how far each weight tensor moved. The run lives on the server, so a reload finds it again; an ended run can be saved.
import "./styles/train.css";
import "./styles/finetune.css";
import { ApiError, sendJson } from "./api.js";
import { el } from "./dom.js";
import { formatMillis, formatNumber } from "./format.js";
import { svg } from "./svg.js";
import { niceTicks } from "./train.js";
import { chartActions } from "./svg-save.js";

const POLL_MS = 500;

const FIELDS = [
  ["steps", "steps", "weight updates", false],
  ["learningRate", "learning rate", "how big each update is", false],
  ["rank", "rank r", "width of A and B", true],
  ["alpha", "alpha", "the update is scaled by alpha / r", true],
];

const STATE_TEXT = {
  preparing: "Reading the model and the sea stories…",
  running: "Fine-tuning",
  stopping: "Stopping after the step in progress…",
  finished: "Finished",
  stopped: "Stopped",
  failed: "Failed",
};

export function startFineTune(modelId) {
  const base = `/api/models/${encodeURIComponent(modelId)}/finetune`;
  const form = document.getElementById("finetune-form");
  const settingsBox = document.getElementById("finetune-settings");
  const targetsBox = document.getElementById("finetune-targets");
  const startButton = document.getElementById("finetune-start");
  const stopButton = document.getElementById("finetune-stop");
  const errorBox = document.getElementById("finetune-error");
  const stateLine = document.getElementById("finetune-state");
  const bar = document.getElementById("finetune-bar");
  const figures = document.getElementById("finetune-figures");
  const sizeNote = document.getElementById("finetune-size");
  const chartBox = document.getElementById("finetune-chart");
  const generationsBody = document.querySelector("#finetune-generations tbody");
  const movedBox = document.getElementById("finetune-moved");
  const saveForm = document.getElementById("finetune-save-form");
  const saveButton = document.getElementById("finetune-save");
  const nameInput = document.getElementById("finetune-name");
  const savedBox = document.getElementById("finetune-saved");
  let options = null;
  let run = null;
  let timer = null;

  const method = () => form.querySelector('input[name="method"]:checked')?.value ?? "lora";

  function showError(error) {
    errorBox.replaceChildren(error ? el("span", "model-error", error.message || String(error)) : "");
  }

  function renderSettings(values) {
    const lora = method() === "lora";
    const rows = FIELDS.filter(([key, , , loraOnly]) => !loraOnly || lora).map(([key, label, hint]) => {
      const [min, max] = options.limits[key];
      const input = el("input");
      input.type = "number";
      input.id = `finetune-${key}`;
      input.name = key;
      input.value = String(values[key]);
      input.step = key === "learningRate" || key === "alpha" ? "any" : "1";
      input.min = String(min);
      input.max = String(max);
      const labelEl = el("label", "train-setting");
      labelEl.htmlFor = input.id;
      labelEl.append(el("span", "train-setting-name", label), input,
        el("span", "train-setting-hint", `${hint} · ${formatNumber(min)} – ${formatNumber(max)}`));
      return labelEl;
    });
    settingsBox.replaceChildren(...rows);
    if (lora) {
      const chosen = new Set(values.targets ?? []);
      const boxes = options.projections.map((p) => {
        const label = el("label", "finetune-target");
        const box = el("input");
        box.type = "checkbox";
        box.name = "targets";
        box.value = p;
        box.checked = chosen.has(p);
        label.append(box, el("code", null, p));
        return label;
      });
      targetsBox.replaceChildren(el("span", "train-setting-name", "adapted projections"), ...boxes);
    } else {
      targetsBox.replaceChildren();
    }
    lockForm(run?.active ?? false);
  }

  function settingsFromForm() {
    const out = { method: method() };
    for (const input of settingsBox.querySelectorAll("input")) out[input.name] = Number(input.value);
    if (out.method === "lora") out.targets = [...targetsBox.querySelectorAll("input:checked")].map((b) => b.value);
    return out;
  }

  function lockForm(active) {
    for (const input of form.querySelectorAll("input")) input.disabled = active;
    startButton.disabled = active || !options || !options.fineTunable;
    stopButton.disabled = !active;
  }

  // ---- the run as the server reports it ----

  function render(view) {
    run = view;
    lockForm(view.active);
    let line = `${STATE_TEXT[view.state] ?? view.state} · ${view.method === "lora" ? "LoRA" : "full fine-tuning"} of ${view.baseModel}`;
    if (view.state === "finished") line = `Finished: ${view.stepsDone} steps in ${formatMillis(view.elapsedSeconds * 1000)}.`;
    if (view.state === "stopped") line = `Stopped after ${view.stepsDone} of ${view.steps} steps: ${view.stopReason ?? "stopped"}.`;
    if (view.state === "failed") line = `Failed: ${view.error}`;
    stateLine.textContent = line;
    stateLine.dataset.state = view.state;
    bar.max = view.steps;
    bar.value = view.stepsDone;
    if (view.parameters) {
      const share = (100 * view.trainableParameters) / view.parameters;
      sizeNote.textContent = `${view.trainableParameters.toLocaleString("en")} of ${view.parameters.toLocaleString("en")} parameters train (${share.toFixed(share < 10 ? 2 : 0)}%)`;
    }
    const lastOf = (points) => (points.length ? points[points.length - 1][1].toFixed(3) : "–");
    const facts = [
      ["steps", `${view.stepsDone} of ${view.steps}`],
      ["training loss", view.loss == null ? "–" : view.loss.toFixed(3)],
      ["sea loss (held out)", lastOf(view.sea)],
      ["plain loss (held out)", lastOf(view.plain)],
      ["time", formatMillis(view.elapsedSeconds * 1000)],
      ["time left", view.etaSeconds == null ? (view.active ? "estimating…" : "–") : `about ${formatMillis(view.etaSeconds * 1000)}`],
    ];
    figures.replaceChildren(...facts.map(([k, v]) => {
      const pair = el("div", `train-fig finetune-fig-${k.replace(/\W+/g, "-")}`);
      pair.append(el("dt", null, k), el("dd", null, v));
      return pair;
    }));
    drawChart(view);
    renderGenerations(view.generations);
    renderMoved(view.movement);
    renderSave(view);
  }

  function renderGenerations(generations) {
    if (!generations.length) return;
    generationsBody.replaceChildren(...generations.map((g) => {
      const tr = el("tr", "finetune-generation");
      const cell = (text, cls) => el("td", cls, text ?? "…");
      tr.append(cell(g.prompt, "finetune-prompt"), cell(g.before, "finetune-before"), cell(g.after, "finetune-after"));
      return tr;
    }));
  }

  /** One row per block, one bar per tensor of the block; the other tensors (embedding, head, final norm) below. */
  function renderMoved(moved) {
    if (!moved.length) return;
    const max = Math.max(...moved.map((m) => m.change), 1e-12);
    const groups = new Map();
    for (const m of moved) {
      const block = /^model\.layers\.(\d+)\./.exec(m.name);
      const key = block ? `block ${block[1]}` : "outside the blocks";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(m);
    }
    const table = el("table", "finetune-moved-table");
    for (const [group, items] of groups) {
      const tr = el("tr");
      tr.append(el("th", null, group));
      const td = el("td", "finetune-moved-cells");
      for (const m of items) {
        const short = m.name.replace(/^model\.layers\.\d+\./, "").replace(/\.weight$/, "").replace(/^(self_attn|mlp)\./, "");
        const cellBox = el("span", "finetune-moved-cell");
        const shade = el("span", "finetune-moved-shade");
        shade.style.setProperty("--level", String(m.change / max));
        cellBox.title = `${m.name}: ${m.change.toExponential(3)}`;
        cellBox.dataset.change = String(m.change);
        cellBox.append(shade, el("span", "finetune-moved-name", short), el("span", "finetune-moved-value", m.change.toFixed(4)));
        td.append(cellBox);
      }
      tr.append(td);
      table.append(tr);
    }
    movedBox.replaceChildren(table);
  }

  function renderSave(view) {
    saveButton.disabled = !view.saveable;
    nameInput.disabled = !view.saveable;
    if (view.savedId) {
      const link = el("a", "train-saved-link", view.savedId);
      link.href = `/models/${encodeURIComponent(view.savedId)}`;
      const note = el("span", "train-saved-note");
      note.append("Saved as ", link, ` — in the catalog now; its card names ${view.baseModel} as its base model.`);
      savedBox.replaceChildren(note);
    } else if (view.saveable) {
      savedBox.replaceChildren(el("span", "muted", "The run has ended: give the model a name and save it."));
    } else if (!view.active) {
      savedBox.replaceChildren(el("span", "muted", "There is no fine-tuned model to save from this run."));
    }
  }

  // ---- the loss chart: training loss and both held-out losses ----

  function drawChart(view) {
    const series = [
      { points: view.train, cls: "train-line", dots: false },
      { points: view.sea, cls: "finetune-sea-line", dots: "finetune-sea-dot", name: "sea" },
      { points: view.plain, cls: "finetune-plain-line", dots: "finetune-plain-dot", name: "plain" },
    ];
    if (!view.sea.length && !view.train.length) {
      chartBox.replaceChildren(el("p", "muted", view.active ? "Measuring the base model on both styles…" : "No steps were trained."));
      return;
    }
    const width = Math.max(280, chartBox.clientWidth);
    const height = Math.round(Math.min(320, Math.max(200, width * 0.4)));
    const pad = { left: 52, right: 14, top: 12, bottom: 40 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const all = series.flatMap((s) => s.points.map((p) => p[1]));
    const yTicks = niceTicks(0, Math.max(...all), 5);
    const yMax = yTicks[yTicks.length - 1];
    const span = view.state === "stopped" ? Math.max(1, view.stepsDone) : view.steps;
    const xTicks = niceTicks(0, span, width < 420 ? 4 : 6);
    const xMax = Math.max(span, xTicks[xTicks.length - 1]);
    const x = (step) => pad.left + (step / xMax) * plotW;
    const y = (loss) => pad.top + plotH - (Math.min(loss, yMax) / yMax) * plotH;
    const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "train-svg finetune-svg", role: "img",
      "aria-label": `Loss curves: ${view.sea.length} held-out measurements` });
    chart.dataset.seaPoints = String(view.sea.length);
    if (view.sea.length) {
      chart.dataset.firstSea = String(view.sea[0][1]);
      chart.dataset.lastSea = String(view.sea[view.sea.length - 1][1]);
      chart.dataset.lastPlain = String(view.plain[view.plain.length - 1][1]);
    }
    for (const t of yTicks) {
      chart.append(svg("line", { x1: pad.left, x2: pad.left + plotW, y1: y(t), y2: y(t), class: "train-grid-line" }));
      chart.append(svg("text", { x: pad.left - 6, y: y(t) + 4, "text-anchor": "end", class: "train-tick" }, formatNumber(t)));
    }
    xTicks.forEach((t, i) => {
      const last = i === xTicks.length - 1;
      chart.append(svg("line", { x1: x(t), x2: x(t), y1: pad.top + plotH, y2: pad.top + plotH + 4, class: "train-axis" }));
      chart.append(svg("text", { x: x(t) + (last ? 4 : 0), y: pad.top + plotH + 17, "text-anchor": last ? "end" : "middle", class: "train-tick" },
        formatNumber(t)));
    });
    chart.append(svg("line", { x1: pad.left, x2: pad.left + plotW, y1: pad.top + plotH, y2: pad.top + plotH, class: "train-axis" }));
    chart.append(svg("line", { x1: pad.left, x2: pad.left, y1: pad.top, y2: pad.top + plotH, class: "train-axis" }));
    chart.append(svg("text", { x: pad.left + plotW / 2, y: height - 4, "text-anchor": "middle", class: "train-axis-label" }, "fine-tuning step"));
    chart.append(svg("text", { x: 12, y: pad.top + plotH / 2, "text-anchor": "middle", class: "train-axis-label",
      transform: `rotate(-90 12 ${pad.top + plotH / 2})` }, "loss"));
    for (const s of series) {
      if (!s.points.length) continue;
      chart.append(svg("polyline", { points: s.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" "), class: s.cls }));
      if (!s.dots) continue;
      for (const p of s.points) {
        const dot = svg("circle", { cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 3.5, class: s.dots });
        dot.append(svg("title", {}, `step ${p[0]}: held-out ${s.name} loss ${p[1].toFixed(3)}`));
        chart.append(dot);
      }
    }
    chartBox.replaceChildren(chart, chartActions(chart, `fine-tune loss ${modelId}`));
  }

  // ---- talking to the server ----

  async function poll() {
    clearTimeout(timer);
    try {
      const view = await sendJson("GET", `${base}/runs/current`);
      render(view);
      if (view.active) timer = setTimeout(poll, POLL_MS);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      showError(e);
      timer = setTimeout(poll, POLL_MS * 4);
    }
  }

  async function start() {
    showError(null);
    startButton.disabled = true;
    try {
      render(await sendJson("POST", `${base}/runs`, settingsFromForm()));
      timer = setTimeout(poll, POLL_MS);
    } catch (e) {
      showError(e);
      lockForm(false);
    }
  }

  async function stop() {
    stopButton.disabled = true;
    try {
      render(await sendJson("POST", `${base}/runs/current/stop`, {}));
    } catch (e) {
      showError(e);
    }
    poll();
  }

  async function save() {
    saveButton.disabled = true;
    savedBox.replaceChildren(el("span", "muted", "Saving: writing the weights, the adapter and the card…"));
    try {
      const saved = await sendJson("POST", `${base}/runs/current/save`, { name: nameInput.value });
      render(saved.run);
    } catch (e) {
      savedBox.replaceChildren(el("span", "model-error", e.message));
      saveButton.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "method") renderSettings(options.defaults[method()]);
  });
  stopButton.addEventListener("click", stop);
  saveForm.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => run && drawChart(run), 100);
  });

  (async () => {
    try {
      options = await sendJson("GET", base);
    } catch (e) {
      showError(e);
      return;
    }
    let view = null;
    try {
      view = await sendJson("GET", `${base}/runs/current`);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) showError(e);
    }
    if (view) {
      const radio = form.querySelector(`input[name="method"][value="${CSS.escape(view.method)}"]`);
      if (radio) radio.checked = true;
      renderSettings(view.settings);
      render(view);
      if (view.active) timer = setTimeout(poll, POLL_MS);
    } else {
      renderSettings(options.defaults[method()]);
      lockForm(false);
    }
  })();
}
