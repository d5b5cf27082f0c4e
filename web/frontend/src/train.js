// The Train page (/train): pick a recipe and its settings, start a run (POST /api/train/runs), then poll the run
// (GET /api/train/runs/current, every 500 ms while it goes on) to draw the loss curve, the progress and the samples.
// The run lives on the server, so a reload finds it again. Once it has ended it can be saved into the catalog.
import "./styles/train.css";
import { ApiError, sendJson } from "./api.js";
import { el } from "./dom.js";
import { formatMillis, formatNumber } from "./format.js";
import { svg } from "./svg.js";
import { chartActions } from "./svg-save.js";

const POLL_MS = 500;

/** What each setting means, for someone who has not trained a model before. */
const FIELDS = [
  ["layers", "layers", "transformer blocks, one after the other"],
  ["dModel", "width (d_model)", "numbers per token in the residual stream"],
  ["heads", "attention heads", "per layer; the width must split into them"],
  ["kvHeads", "key/value heads", "fewer than heads: grouped-query attention"],
  ["dMlp", "MLP width", "0 = attention only"],
  ["seqLen", "tokens per example", "the longest text the model reads"],
  ["batch", "examples per step", ""],
  ["steps", "steps", "weight updates in all"],
  ["learningRate", "learning rate", "how big each update is"],
  ["warmup", "warm-up steps", "the rate grows from 0 over these"],
  ["seed", "seed", "same seed, same model, bit for bit"],
];

const STATE_TEXT = {
  preparing: "Preparing the data, the tokenizer and the model…",
  running: "Training",
  stopping: "Stopping after the step in progress…",
  finished: "Finished",
  stopped: "Stopped",
  failed: "Failed",
};

export function startTrain() {
  const form = document.getElementById("train-form");
  const settingsBox = document.getElementById("train-settings");
  const startButton = document.getElementById("train-start");
  const stopButton = document.getElementById("train-stop");
  const errorBox = document.getElementById("train-error");
  const stateLine = document.getElementById("train-state");
  const bar = document.getElementById("train-bar");
  const figures = document.getElementById("train-figures");
  const sizeNote = document.getElementById("train-model-size");
  const chartBox = document.getElementById("train-chart");
  const samplesList = document.getElementById("train-samples");
  const saveForm = document.getElementById("train-save-form");
  const saveButton = document.getElementById("train-save");
  const nameInput = document.getElementById("train-name");
  const savedBox = document.getElementById("train-saved");
  let recipes = [];
  let run = null;
  let timer = null;
  let nameEdited = false;

  const recipeId = () => form.querySelector('input[name="recipe"]:checked')?.value;
  const recipe = () => recipes.find((r) => r.id === recipeId());

  function showError(error) {
    errorBox.replaceChildren(error ? el("span", "model-error", error.message || String(error)) : "");
  }

  /** One labelled number input per setting, bounded by the recipe's limits; fixed ones are shown but locked. */
  function renderSettings(values) {
    const r = recipe();
    if (!r) return;
    const rows = FIELDS.filter(([key]) => key in values).map(([key, label, hint]) => {
      const min = r.min[key];
      const max = r.max[key];
      const fixed = key !== "seed" && min === max;
      const input = el("input");
      input.type = "number";
      input.id = `train-${key}`;
      input.name = key;
      input.value = String(values[key]);
      input.step = key === "learningRate" ? "any" : "1";
      if (key !== "seed") {
        input.min = String(min);
        input.max = String(max);
      } else {
        input.min = "0";
      }
      input.disabled = fixed;
      const labelEl = el("label", "train-setting");
      labelEl.htmlFor = input.id;
      const limits = key === "seed" ? "any whole number" : fixed ? "fixed by the recipe" : `${formatNumber(min)} – ${formatNumber(max)}`;
      labelEl.append(el("span", "train-setting-name", label), input,
        el("span", "train-setting-hint", hint ? `${hint} · ${limits}` : limits));
      return labelEl;
    });
    settingsBox.replaceChildren(...rows);
    lockForm(run?.active ?? false);
  }

  function settingsFromForm() {
    const out = {};
    for (const input of settingsBox.querySelectorAll("input")) {
      if (input.disabled) continue;
      out[input.name] = Number(input.value);
    }
    return out;
  }

  function lockForm(active) {
    for (const input of form.querySelectorAll("input")) {
      const fixed = input.name !== "recipe" && input.name !== "seed" && recipe()?.min[input.name] === recipe()?.max[input.name];
      input.disabled = active || fixed;
    }
    startButton.disabled = active || recipes.length === 0;
    stopButton.disabled = !active;
    document.getElementById("train-quick").disabled = active;
    document.getElementById("train-defaults").disabled = active;
  }

  // ---- the run as the server reports it ----

  function render(view) {
    run = view;
    lockForm(view.active);
    const text = STATE_TEXT[view.state] ?? view.state;
    let line = `${text} · ${view.recipeTitle}`;
    if (view.state === "finished") line = `Finished: ${view.stepsDone} steps in ${formatMillis(view.elapsedSeconds * 1000)}.`;
    if (view.state === "stopped") {
      line = `Stopped after ${view.stepsDone.toLocaleString("en")} of ${view.steps.toLocaleString("en")} steps: ${view.stopReason ?? "stopped"}.`;
    }
    if (view.state === "failed") line = `Failed: ${view.error}`;
    stateLine.textContent = line;
    stateLine.dataset.state = view.state;
    bar.max = view.steps;
    bar.value = view.stepsDone;
    sizeNote.textContent = view.parameters ? `${view.parameters.toLocaleString("en")} parameters` : "";

    const facts = [
      ["steps", `${view.stepsDone.toLocaleString("en")} of ${view.steps.toLocaleString("en")}`],
      ["training loss", view.loss == null ? "–" : view.loss.toFixed(3)],
      ["held-out loss", view.heldOutLoss == null ? "–" : view.heldOutLoss.toFixed(3)],
      ["speed", view.tokensPerSecond == null ? "–" : `${Math.round(view.tokensPerSecond).toLocaleString("en")} tokens/s`],
      ["time", formatMillis(view.elapsedSeconds * 1000)],
      ["time left", view.etaSeconds == null ? (view.active ? "estimating…" : "–") : `about ${formatMillis(view.etaSeconds * 1000)}`],
    ];
    figures.replaceChildren(...facts.map(([k, v]) => {
      const pair = el("div", `train-fig train-fig-${k.replace(/\W+/g, "-")}`);
      pair.append(el("dt", null, k), el("dd", null, v));
      return pair;
    }));
    drawChart(view);
    renderSamples(view.samples);
    renderSave(view);
  }

  function renderSamples(samples) {
    if (!samples.length) {
      samplesList.replaceChildren(el("li", "muted", "Samples appear every tenth of the run."));
      return;
    }
    samplesList.replaceChildren(...samples.slice().reverse().map((s) => {
      const li = el("li", "train-sample");
      const text = el("span", "train-sample-text");
      text.append(el("span", "train-sample-prompt", s.prompt), el("span", "train-sample-output", s.text));
      li.append(el("span", "train-sample-step", `step ${s.step}`), text);
      return li;
    }));
  }

  function renderSave(view) {
    if (!nameEdited && !view.savedId) nameInput.value = `my-${view.recipe}`;
    saveButton.disabled = !view.saveable;
    nameInput.disabled = !view.saveable;
    if (view.savedId) {
      const link = el("a", "train-saved-link", view.savedId);
      link.href = `/models/${encodeURIComponent(view.savedId)}`;
      const note = el("span", "train-saved-note");
      note.append("Saved as ", link, " — it is in the catalog now: open it to see its card, weights and attention.");
      savedBox.replaceChildren(note);
    } else if (view.saveable) {
      savedBox.replaceChildren(el("span", "muted", "The run has ended: give the model a name and save it."));
    } else if (view.active) {
      savedBox.replaceChildren(el("span", "muted", "A run can be saved once it has finished or been stopped."));
    } else {
      savedBox.replaceChildren(el("span", "muted", "There is no trained model to save from this run."));
    }
  }

  // ---- the loss chart ----

  function drawChart(view) {
    const train = view.train;
    const held = view.heldOut;
    if (!train.length) {
      chartBox.replaceChildren(el("p", "muted", view.active ? "The first steps are on their way…" : "No steps were trained."));
      return;
    }
    const width = Math.max(280, chartBox.clientWidth);
    const height = Math.round(Math.min(320, Math.max(200, width * 0.5)));
    const pad = { left: 52, right: 14, top: 12, bottom: 40 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const maxLoss = Math.max(...train.map((p) => p[1]), ...held.map((p) => p[1]));
    const yTicks = niceTicks(0, maxLoss, 5);
    const yMax = yTicks[yTicks.length - 1];
    const span = view.state === "stopped" ? Math.max(1, view.stepsDone) : view.steps; // a stopped run: the steps it did
    const xTicks = niceTicks(0, span, width < 420 ? 4 : 6);
    const xMax = Math.max(span, xTicks[xTicks.length - 1]);
    const x = (step) => pad.left + (step / xMax) * plotW;
    const y = (loss) => pad.top + plotH - (Math.min(loss, yMax) / yMax) * plotH;

    const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "train-svg", role: "img",
      "aria-label": `Loss curve: ${train.length} points, latest training loss ${train[train.length - 1][1].toFixed(3)}` });
    chart.dataset.points = String(train.length);
    chart.dataset.firstLoss = String(train[0][1]);
    chart.dataset.lastLoss = String(train[train.length - 1][1]);
    for (const t of yTicks) {
      chart.append(svg("line", { x1: pad.left, x2: pad.left + plotW, y1: y(t), y2: y(t), class: "train-grid-line" }));
      chart.append(svg("text", { x: pad.left - 6, y: y(t) + 4, "text-anchor": "end", class: "train-tick" }, formatNumber(t)));
    }
    xTicks.forEach((t, i) => {
      const last = i === xTicks.length - 1;                   // its label ends at the axis' end, inside the picture
      chart.append(svg("line", { x1: x(t), x2: x(t), y1: pad.top + plotH, y2: pad.top + plotH + 4, class: "train-axis" }));
      chart.append(svg("text", { x: x(t) + (last ? 4 : 0), y: pad.top + plotH + 17, "text-anchor": last ? "end" : "middle", class: "train-tick" },
        formatNumber(t)));
    });
    chart.append(svg("line", { x1: pad.left, x2: pad.left + plotW, y1: pad.top + plotH, y2: pad.top + plotH, class: "train-axis" }));
    chart.append(svg("line", { x1: pad.left, x2: pad.left, y1: pad.top, y2: pad.top + plotH, class: "train-axis" }));
    chart.append(svg("text", { x: pad.left + plotW / 2, y: height - 4, "text-anchor": "middle", class: "train-axis-label" }, "training step"));
    chart.append(svg("text", { x: 12, y: pad.top + plotH / 2, "text-anchor": "middle", class: "train-axis-label",
      transform: `rotate(-90 12 ${pad.top + plotH / 2})` }, "loss"));

    chart.append(svg("polyline", { points: train.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" "), class: "train-line" }));
    if (held.length) {
      chart.append(svg("polyline", { points: held.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" "), class: "held-line" }));
      for (const p of held) {
        const dot = svg("circle", { cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 3.5, class: "held-dot" });
        dot.append(svg("title", {}, `step ${p[0]}: held-out loss ${p[1].toFixed(3)}`));
        chart.append(dot);
      }
    }
    chartBox.replaceChildren(chart, chartActions(chart, "training loss"));
  }

  // ---- talking to the server ----

  async function poll() {
    clearTimeout(timer);
    try {
      const view = await sendJson("GET", "/api/train/runs/current");
      render(view);
      if (view.active) timer = setTimeout(poll, POLL_MS);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return; // no run (any more)
      showError(e);
      timer = setTimeout(poll, POLL_MS * 4);                  // the server may be back in a moment
    }
  }

  async function start() {
    showError(null);
    startButton.disabled = true;
    try {
      const view = await sendJson("POST", "/api/train/runs", { recipe: recipeId(), settings: settingsFromForm() });
      nameEdited = false;
      render(view);
      timer = setTimeout(poll, POLL_MS);
    } catch (e) {
      showError(e);
      lockForm(false);
    }
  }

  async function stop() {
    stopButton.disabled = true;
    try {
      render(await sendJson("POST", "/api/train/runs/current/stop", {}));
    } catch (e) {
      showError(e);
    }
    poll();
  }

  async function save() {
    saveButton.disabled = true;
    savedBox.replaceChildren(el("span", "muted", "Saving: measuring the model on held-out data and writing its files…"));
    try {
      const saved = await sendJson("POST", "/api/train/runs/current/save", { name: nameInput.value });
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
    if (event.target.name === "recipe") {
      renderSettings(recipe().quick);
      if (!nameEdited && !run?.active) nameInput.value = `my-${recipeId()}`;
    }
  });
  stopButton.addEventListener("click", stop);
  document.getElementById("train-quick").addEventListener("click", () => renderSettings(recipe().quick));
  document.getElementById("train-defaults").addEventListener("click", () => renderSettings(recipe().defaults));
  nameInput.addEventListener("input", () => { nameEdited = true; });
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
      recipes = await sendJson("GET", "/api/train/recipes");
    } catch (e) {
      showError(e);
      return;
    }
    let view = null;
    try {
      view = await sendJson("GET", "/api/train/runs/current");
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) showError(e);
    }
    if (view) {
      const radio = form.querySelector(`input[name="recipe"][value="${CSS.escape(view.recipe)}"]`);
      if (radio) radio.checked = true;
      renderSettings(view.settings);
      render(view);
      if (view.active) timer = setTimeout(poll, POLL_MS);
    } else {
      renderSettings(recipe().quick);
      nameInput.value = `my-${recipeId()}`;
      lockForm(false);
    }
  })();
}

/** About `count` round tick values from lo to at least hi (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo, hi, count) {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.floor(lo / step) * step; t < hi + step - 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
