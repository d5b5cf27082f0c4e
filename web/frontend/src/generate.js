// The generate page (/models/{id}/generate): POST /api/models/{id}/generate answers with one JSON line per
// new token, as it is drawn. Tokens appear as they come; each is a button that shows its step: the
// candidates the token was drawn from, as probability bars.
import "./styles/inference.css";
import { apiPath, send } from "./api.js";
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { probList, probRow } from "./probs.js";
import { progress } from "./progress.js";
import { visible } from "./tokens.js";

export function startGenerate(modelId) {
  const form = document.getElementById("generate-form");
  if (!form) return; // an encoder's page explains why it cannot generate
  const prompt = document.getElementById("generate-prompt");
  const runButton = document.getElementById("generate-run");
  const stopButton = document.getElementById("generate-stop");
  const output = document.getElementById("generate-output");
  const stepBox = document.getElementById("generate-step");
  const statusArea = document.getElementById("generate-status");
  const status = progress(statusArea);
  const number = (id) => Number(document.getElementById(id).value);
  let controller = null;
  let steps = [];
  let chosen = -1;

  function showStep(index) {
    const step = steps[index];
    if (!step) return;
    chosen = index;
    for (const b of output.querySelectorAll(".gen-token")) b.setAttribute("aria-pressed", String(Number(b.dataset.index) === index));
    const head = el("p", "gen-step-head");
    head.append(`Step ${index + 1}: position ${step.position} drew `, el("strong", "gen-step-token", `“${visible(step.text)}”`),
      ` (id ${step.token})`);
    const chosenCandidate = step.candidates.find((c) => c.token === step.token);
    const note = el("p", "muted small", step.of === 1
      ? "Only one candidate was left after temperature, top-k and top-p (temperature 0 always takes the most likely token)."
      : `The drawn token was number ${step.rank} of the ${step.of} candidates left after temperature, top-k and top-p `
        + `(p = ${formatNumber(chosenCandidate?.p ?? 0)})${step.of > step.candidates.length ? "; the likeliest are shown" : ""}.`);
    const top = step.candidates.slice(0, 10);
    const list = probList(null, top.map((c) => ({ text: c.text, value: c.p, chosen: c.token === step.token })));
    if (step.candidates.length > 10) {
      list.append(el("div", "prob-gap", `⋮ number ${step.rank}:`));
      const drawn = step.candidates[step.candidates.length - 1];
      list.append(probRow(drawn.text, drawn.p, { chosen: true }));
    }
    stepBox.replaceChildren(head, list, note);
  }

  function addToken(step, index) {
    const b = el("button", "gen-token", visible(step.text, { spaces: false }));
    b.type = "button";
    b.dataset.index = String(index);
    b.setAttribute("aria-pressed", "false");
    b.title = `step ${index + 1} · id ${step.token} · p ${formatNumber(step.candidates.find((c) => c.token === step.token)?.p ?? 0)}`;
    b.addEventListener("click", () => showStep(index));
    output.append(b);
  }

  /** The first problem with the form, in the same voice as the other pages, or null. */
  function problem() {
    if (!prompt.value.trim()) return { box: prompt, text: "Type a text first." };
    for (const box of form.querySelectorAll("input[type=number]")) {
      if (box.validity.valid && box.value !== "") continue;
      const name = box.closest("label")?.firstChild?.textContent.trim() ?? box.name;
      const range = box.max !== "" ? `from ${box.min} to ${box.max}` : `of at least ${box.min}`;
      const kind = box.step && box.step !== "any" && box.step.includes(".") ? "a number" : "a whole number";
      return { box, text: `${name} must be ${kind} ${range}; it is “${box.value || "empty"}”.` };
    }
    return null;
  }

  async function generate() {
    const wrong = problem();
    if (wrong) {
      controller?.abort();
      status.fail(new Error(wrong.text));
      output.replaceChildren(); // the old text came from other settings
      stepBox.replaceChildren(el("p", "muted", "The candidates of each step appear here."));
      wrong.box.focus();
      return;
    }
    controller?.abort();
    controller = new AbortController();
    const body = {
      prompt: prompt.value,
      max_tokens: number("generate-max"),
      temperature: number("generate-temperature"),
      top_k: number("generate-top-k"),
      top_p: number("generate-top-p"),
      seed: number("generate-seed"),
    };
    steps = [];
    chosen = -1;
    output.replaceChildren(el("span", "gen-prompt", prompt.value));
    stepBox.replaceChildren(el("p", "muted", "The candidates of each step appear here."));
    runButton.disabled = true;
    stopButton.disabled = false;
    const bar = el("progress", "progress gen-progress");
    bar.max = body.max_tokens;
    bar.value = 0;
    status.start("Starting…", "the first run of a model also loads it");
    try {
      const response = await send("POST", apiPath`/api/models/${modelId}/generate`, body,
        { accept: "application/x-ndjson", signal: controller.signal });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      let done = null;
      status.show(bar, el("span", "gen-count", `0 of ${body.max_tokens}`));
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (!line.trim()) continue;
          const message = JSON.parse(line);
          if (message.error) throw new Error(message.error);
          if (message.done) {
            done = message;
            continue;
          }
          steps.push(message);
          addToken(message, steps.length - 1);
          bar.value = steps.length;
          statusArea.querySelector(".gen-count").textContent = `${steps.length} of ${body.max_tokens}`;
          if (chosen < 0 || chosen === steps.length - 2) showStep(steps.length - 1); // follow the newest step until one is picked
        }
      }
      if (done) {
        const decoded = el("p", "gen-decoded");
        decoded.append(el("span", "muted small", "As one text (bytes of a character joined up): "), el("span", "gen-prompt", prompt.value),
          visible(done.text, { spaces: false }));
        output.append(decoded);
      }
      status.done(done
        ? `${done.tokens} tokens in ${done.millis} ms${done.stopped === "context" ? " (stopped: the context is full)" : ""} · prompt ${done.promptTokens} tokens`
        : `${steps.length} tokens (the answer ended early)`);
    } catch (e) {
      if (e?.name === "AbortError") status.done(`Stopped after ${steps.length} tokens.`);
      else status.fail(e);
    } finally {
      runButton.disabled = false;
      stopButton.disabled = true;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    generate();
  });
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      generate();
    }
  });
  stopButton.addEventListener("click", () => controller?.abort());
}
