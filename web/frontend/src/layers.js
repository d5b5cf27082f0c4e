// The layer-by-layer page (/models/{id}/layers): one POST /api/models/{id}/layers runs the text once and
// gives, per depth (the embedding, then each block), the residual stream's norm per token, what attention
// and the MLP added, and the logit lens (decoders) or nearest vocabulary entries (encoders) at one position.
// The page draws the architecture as blocks and steps through the depths with buttons, a slider or ← →.
import "./styles/inference.css";
import { apiPath, sendJson } from "./api.js";
import { columnChart } from "./columns.js";
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { probList } from "./probs.js";
import { progress } from "./progress.js";
import { short, visible } from "./tokens.js";

export function startLayers(modelId) {
  const form = document.getElementById("layers-form");
  const input = document.getElementById("layers-text");
  const view = document.getElementById("layers-view");
  const archBox = document.getElementById("architecture");
  const prev = document.getElementById("step-prev");
  const next = document.getElementById("step-next");
  const slider = document.getElementById("step-slider");
  const caption = document.getElementById("step-caption");
  const positions = document.getElementById("position-tokens");
  const residBox = document.getElementById("resid-chart");
  const residNote = document.getElementById("resid-note");
  const contribBox = document.getElementById("contrib-chart");
  const lensTitle = document.getElementById("lens-title");
  const lensBox = document.getElementById("lens-list");
  const trailBox = document.getElementById("lens-trail");
  const status = progress(document.getElementById("layers-status"));
  const state = { data: null, step: 0, position: null, text: "", request: 0 };

  async function run(position = null) {
    const text = input.value.trim();
    if (!text) {
      status.fail(new Error("Type a text first."));
      return;
    }
    const mine = ++state.request;
    status.start("Running the model…", "the first run of a model also loads it");
    try {
      const body = position === null ? { text } : { text, position };
      const data = await sendJson("POST", apiPath`/api/models/${modelId}/layers`, body);
      if (mine !== state.request) return;
      const sameText = state.text === text && state.data;
      state.data = data;
      state.text = text;
      state.position = data.position;
      if (!sameText) state.step = Math.min(state.step, data.depths.length - 1);
      slider.max = String(data.depths.length - 1);
      view.hidden = false;
      drawArchitecture(archBox, data, (step) => go(step));
      drawPositions();
      go(state.step);
      status.done(`${data.tokens.length} tokens · ${data.architecture.layers} blocks · ${Math.round(status.elapsed())} ms`);
    } catch (e) {
      if (mine === state.request) status.fail(e);
    }
  }

  function go(step) {
    const { data } = state;
    if (!data) return;
    state.step = Math.max(0, Math.min(data.depths.length - 1, step));
    slider.value = String(state.step);
    prev.disabled = state.step === 0;
    next.disabled = state.step === data.depths.length - 1;
    for (const node of archBox.querySelectorAll("[data-step]")) {
      if (Number(node.dataset.step) === state.step) node.setAttribute("aria-current", "step");
      else node.removeAttribute("aria-current");
    }
    drawStep();
  }

  function drawPositions() {
    const { data } = state;
    positions.replaceChildren(...data.tokens.map((token, i) => {
      const b = el("button", "token-pick", visible(token));
      b.type = "button";
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", String(i === state.position));
      b.title = `token ${i}, id ${data.ids[i]}`;
      b.addEventListener("click", () => run(i));
      return b;
    }));
  }

  function drawStep() {
    const { data, step } = state;
    const depth = data.depths[step];
    const encoder = data.lens === "cosine";
    const last = step === data.depths.length - 1;
    const a = data.architecture;
    caption.replaceChildren(
      el("strong", null, step === 0 ? "Embedding" : `Block ${depth.layer} (${depth.layer + 1} of ${a.layers})`),
      ` · step ${step} of ${data.depths.length - 1} · `,
      el("span", "muted", step === 0
        ? `each token's row of the embedding table${a.positions === "learned" ? " plus its position's row" : " (positions come later, rotated into attention)"}`
        : `the stream after block ${depth.layer}${last ? (encoder ? ": the last hidden state, which pooling turns into the sentence embedding" : ": next come the final norm and the unembedding") : ""}`),
    );

    const labels = data.tokens;
    const maxResid = Math.max(...data.depths.flatMap((d) => d.residNorm));
    residNote.textContent = `(${depth.residHook}; the thin mark is the step before)`;
    residBox.replaceChildren(columnChart({
      labels,
      series: [{ name: "residual norm", values: depth.residNorm, className: "columns-resid" }],
      max: maxResid,
      ghost: step > 0 ? data.depths[step - 1].residNorm : null,
      highlight: state.position,
      width: residBox.clientWidth || 560,
    }));

    if (depth.attnNorm) {
      const mlpNorm = depth.mlpNorm; // null in an attention-only model: its blocks have no MLP
      const maxContribution = Math.max(...depth.attnNorm, ...(mlpNorm || [])); // per block: the point is attention vs MLP here
      const sum = (values) => values.reduce((s, v) => s + v, 0);
      const attn = sum(depth.attnNorm);
      const summary = mlpNorm
        ? el("p", "muted small", `Over all tokens, attention added ${formatNumber(attn)} and the MLP ${formatNumber(sum(mlpNorm))} `
          + `(sum of norms): the ${attn > sum(mlpNorm) ? "attention" : "MLP"} wrote more in this block.`)
        : el("p", "muted small", `Over all tokens, attention added ${formatNumber(attn)} (sum of norms); this model has no MLP, `
          + "so attention is all a block writes.");
      const series = [{ name: "attention output norm", values: depth.attnNorm, className: "columns-attn" }];
      if (mlpNorm) series.push({ name: "MLP output norm", values: mlpNorm, className: "columns-mlp" });
      contribBox.replaceChildren(columnChart({
        labels,
        series,
        max: maxContribution,
        highlight: state.position,
        width: contribBox.clientWidth || 560,
      }), summary);
    } else {
      contribBox.replaceChildren(el("p", "muted", "Nothing yet: the embedding is where the stream starts. Step to block 0."));
    }

    const token = data.tokens[state.position];
    lensTitle.textContent = encoder
      ? `Nearest vocabulary entries to “${short(token, 16)}” (token ${state.position}) here, by cosine`
      : `Logit lens: the next token after “${short(token, 16)}” (token ${state.position}) if the model stopped here`;
    lensBox.replaceChildren(probList(null, depth.lens.map((g) => ({ text: g.text, value: g.score })), { max: encoder ? 1 : undefined }));

    const trail = el("ol", "lens-trail");
    data.depths.forEach((d, i) => {
      const item = el("li", i === step ? "lens-trail-item lens-trail-current" : "lens-trail-item");
      const b = el("button", "lens-trail-button");
      b.type = "button";
      b.append(el("span", "lens-trail-depth", d.layer < 0 ? "embed" : `block ${d.layer}`),
        el("span", "lens-trail-token", short(d.lens[0]?.text ?? "", 14)),
        el("span", "lens-trail-score", formatNumber(d.lens[0]?.score ?? 0)));
      b.addEventListener("click", () => go(i));
      if (i === step) b.setAttribute("aria-current", "step");
      item.append(b);
      trail.append(item);
    });
    trailBox.replaceChildren(trail);
  }

  prev.addEventListener("click", () => go(state.step - 1));
  next.addEventListener("click", () => go(state.step + 1));
  slider.addEventListener("input", () => go(Number(slider.value)));
  document.addEventListener("keydown", (event) => {
    if (!state.data || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.closest("input, textarea, select, [contenteditable]"))) return;
    if (event.key === "ArrowRight") {
      event.preventDefault();
      go(state.step + 1);
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      go(state.step - 1);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  run();
}

/** The architecture as a column of blocks: embedding, N × (attention, MLP) with the norms where they sit, the output. */
function drawArchitecture(box, data, go) {
  const a = data.architecture;
  const facts = el("p", "arch-facts");
  facts.textContent = `${a.family} · d_model ${a.dModel} · ${a.layers} blocks · ${a.heads} heads × ${a.dHead}`
    + `${a.kvHeads !== a.heads ? ` (${a.kvHeads} key/value heads)` : ""} · MLP ${a.dMlp} · vocab ${a.vocab} · context ${a.context}`;
  const norm = a.norm;
  const mlpName = a.activation === "swiglu" ? "SwiGLU MLP" : `MLP (${a.activation.toUpperCase()})`;
  const stack = el("ol", "arch-stack");

  const embed = el("li", "arch-stage arch-embed");
  embed.dataset.step = "0";
  embed.append(stageButton("Embedding", [
    part("token embedding", `${a.vocab} × ${a.dModel}`),
    ...(a.positions === "learned" ? [part("+ position embedding", `${a.context} × ${a.dModel}`)] : []),
    ...(!a.preNorm ? [part(norm, "", "arch-norm")] : []),
  ], () => go(0)));
  stack.append(embed);

  for (let l = 0; l < a.layers; l++) {
    const block = el("li", "arch-stage arch-block");
    block.dataset.step = String(l + 1);
    const attention = part("attention", `${a.heads} heads${a.positions === "rope" ? " · RoPE" : ""}${a.causal ? " · causal" : ""}`, "arch-attn");
    const mlp = part(mlpName, `${a.dModel} → ${a.dMlp} → ${a.dModel}`, "arch-mlp");
    const add = () => part("⊕", "add to the stream", "arch-add");
    const parts = a.dMlp === 0   // attention-only: each block is attention and its residual add
      ? [part(norm, "", "arch-norm"), attention, add()]
      : a.preNorm
        ? [part(norm, "", "arch-norm"), attention, add(), part(norm, "", "arch-norm"), mlp, add()]
        : [attention, add(), part(norm, "", "arch-norm"), mlp, add(), part(norm, "", "arch-norm")];
    block.append(stageButton(`Block ${l}`, parts, () => go(l + 1)));
    stack.append(block);
  }

  const out = el("li", "arch-stage arch-output");
  out.append(el("span", "arch-stage-name", "Output"));
  const outParts = el("span", "arch-parts");
  if (data.lens === "probability") {
    outParts.append(part(`final ${norm}`, "", "arch-norm"), part("unembedding", `${a.dModel} → ${a.vocab} logits`), part("softmax", "next-token probabilities"));
  } else {
    outParts.append(part("mean pooling", "over the tokens"), part("L2 normalize", `sentence embedding (${a.dModel})`));
  }
  out.append(outParts);
  stack.append(out);
  box.replaceChildren(facts, stack,
    el("p", "muted small", a.preNorm
      ? `Pre-norm: each block normalizes its input (${norm}) and adds its output to the stream unchanged.`
      : `Post-norm: each block adds its output to the stream and then normalizes the sum (${norm}).`));
}

function stageButton(name, parts, onClick) {
  const button = el("button", "arch-stage-button");
  button.type = "button";
  const list = el("span", "arch-parts");
  list.append(...parts);
  button.append(el("span", "arch-stage-name", name), list);
  button.addEventListener("click", onClick);
  return button;
}

function part(name, detail, className = "") {
  const node = el("span", `arch-part ${className}`.trim());
  node.append(el("span", "arch-part-name", name));
  if (detail) node.append(el("span", "arch-part-detail", detail));
  return node;
}
