// A progress indicator for calls that may take a while (the first call loads the model, ~1 s for MiniLM):
// a spinner and a line of text in a status area, shown only if the call is still running after 150 ms so
// quick answers do not flicker. Errors stay in the same place, in red.
import { el } from "./dom.js";

const SHOW_AFTER_MS = 150;
/** A call still running after this long gets its `slow` note (e.g. that a first run also loads the model). */
const SLOW_AFTER_MS = 1500;

export function progress(area) {
  let timer = null;
  let slowTimer = null;
  let started = 0;
  const box = el("div", "busy");
  const spinner = el("span", "busy-spinner");
  spinner.setAttribute("aria-hidden", "true");
  const label = el("span", "busy-label");
  box.append(spinner, label);

  return {
    /** Starts (or restarts) the indicator with `text`; `slow` is added to it if the call takes long. */
    start(text, slow = null) {
      clearTimeout(timer);
      clearTimeout(slowTimer);
      if (slow) slowTimer = setTimeout(() => (label.textContent = `${text} (${slow})`), SLOW_AFTER_MS);
      started = performance.now();
      label.textContent = text;
      area.setAttribute("aria-busy", "true");
      area.dataset.state = "busy";
      timer = setTimeout(() => area.replaceChildren(box), SHOW_AFTER_MS);
    },
    /** Shows `nodes` (e.g. a progress bar that counts tokens) in place of the spinner; still busy. */
    show(...nodes) {
      clearTimeout(timer);
      clearTimeout(slowTimer);
      area.replaceChildren(...nodes);
    },
    /** Changes the text of a running indicator. */
    update(text) {
      label.textContent = text;
    },
    /** Stops it; `text` (optional) stays as a quiet note, e.g. "12 tokens in 40 ms". */
    done(text) {
      clearTimeout(timer);
      clearTimeout(slowTimer);
      area.removeAttribute("aria-busy");
      area.dataset.state = "done";
      area.replaceChildren(text ? el("span", "muted", text) : "");
    },
    /** Stops it and shows what went wrong. */
    fail(error) {
      clearTimeout(timer);
      clearTimeout(slowTimer);
      area.removeAttribute("aria-busy");
      area.dataset.state = "error";
      area.replaceChildren(el("span", "model-error", error?.message || String(error)));
    },
    /** Milliseconds since start(). */
    elapsed() {
      return performance.now() - started;
    },
  };
}
