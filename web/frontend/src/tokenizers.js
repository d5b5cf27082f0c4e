// The tokenizer view (/tokenizers): one text, every model's tokenizer side by side. Each token is a
// coloured chip with its piece and its id; hovering or focusing one shows its id and the characters of the
// text it came from. Models whose tokenizers cut the text identically share one panel.
import "./styles/inference.css";
import { apiPath, sendJson } from "./api.js";
import { el } from "./dom.js";
import { progress } from "./progress.js";
import { CHIP_HUES, visible } from "./tokens.js";

const DEBOUNCE_MS = 250;

export function startTokenizers() {
  const form = document.getElementById("tokenizers-form");
  const input = document.getElementById("tokenizers-text");
  const panels = document.getElementById("tokenizer-panels");
  const status = progress(document.getElementById("tokenizers-status"));
  const models = [...document.querySelectorAll("#tokenizer-models li")].map((li) => ({
    id: li.dataset.modelId,
    name: li.dataset.name,
    family: li.dataset.family,
  }));
  let generation = 0;
  let timer = null;

  async function run() {
    const text = input.value;
    const mine = ++generation;
    if (!text) {
      panels.replaceChildren();
      status.done("Type some text.");
      return;
    }
    status.start("Tokenizing with every model…");
    const results = await Promise.all(models.map((m) =>
      sendJson("POST", apiPath`/api/models/${m.id}/tokenize`, { text })
        .then((r) => ({ model: m, result: r }))
        .catch((e) => ({ model: m, error: e }))));
    if (mine !== generation) return; // a newer text is on its way
    panels.replaceChildren(...group(results).map((g) => panel(g, text)));
    const failures = results.filter((r) => r.error).length;
    status.done(`${Array.from(text).length} characters · ${models.length - failures} tokenizers`
      + (failures ? ` · ${failures} could not tokenize` : ""));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  });
  run();
}

/** Results with identical ids and pieces share a group; errors each get their own. */
function group(results) {
  const groups = [];
  for (const r of results) {
    const key = r.error ? null : JSON.stringify([r.result.kind, r.result.ids, r.result.tokens]);
    const same = key && groups.find((g) => g.key === key);
    if (same) same.models.push(r.model);
    else groups.push({ key, models: [r.model], result: r.result, error: r.error });
  }
  return groups;
}

function panel(g, text) {
  const box = el("section", "panel tokenizer-panel");
  box.dataset.models = g.models.map((m) => m.id).join(" ");
  const head = el("div", "panel-head");
  const title = el("h2", "tokenizer-title", g.models[0].name);
  head.append(title);
  if (g.result) {
    head.append(el("span", "chip", g.result.kind), el("span", "tokenizer-count", `${g.result.ids.length} tokens`));
  }
  box.append(head);
  if (g.models.length > 1) {
    box.append(el("p", "muted small", `Same tokens for ${g.models.slice(1).map((m) => m.name).join(", ")}`));
  }
  if (g.error) {
    box.append(el("p", "model-error", g.error.message));
    return box;
  }
  const { ids, tokens, offsets } = g.result;
  const readout = el("p", "token-readout muted small", "Hover or focus a token to see its id and where it comes from.");
  const chips = el("div", "token-chips");
  chips.setAttribute("role", "list");
  tokens.forEach((token, i) => {
    const [start, end] = offsets[i] ?? [0, 0];
    const span = end > start ? text.slice(start, end) : "";
    const chip = el("span", "token-chip");
    chip.setAttribute("role", "listitem");
    chip.tabIndex = 0;
    chip.style.setProperty("--hue", CHIP_HUES[i % CHIP_HUES.length]);
    if (end <= start) chip.classList.add("token-chip-special");
    chip.dataset.id = ids[i];
    const where = end > start ? `characters ${start}–${end} “${visible(span)}”` : "added by the tokenizer, not from the text";
    chip.title = `token ${i} · id ${ids[i]} · ${where}`;
    chip.append(el("span", "token-piece", visible(token)), el("span", "token-id", String(ids[i])));
    const show = () => {
      readout.textContent = chip.title;
      readout.classList.remove("muted");
    };
    chip.addEventListener("mouseenter", show);
    chip.addEventListener("focus", show);
    chips.append(chip);
  });
  const characters = Array.from(text).length;
  box.append(chips, readout,
    el("p", "muted small", `${characters} characters → ${ids.length} tokens (${(characters / Math.max(1, ids.length)).toFixed(2)} characters per token)`));
  return box;
}
