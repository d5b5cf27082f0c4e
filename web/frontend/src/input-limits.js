// Every text box with a length limit says so where the input is: a count near the limit, and a plain
// sentence when a paste or a drop was cut to fit, instead of the browser's silent cut.
import { el } from "./dom.js";

/** Shown once the text is this close to the limit (a fraction of it). */
const COUNT_FROM = 0.8;

export function announceInputLimits(root = document) {
  for (const box of root.querySelectorAll("input[maxlength], textarea[maxlength]")) {
    if (box.type === "hidden" || box.dataset.limitAnnounced) continue;
    box.dataset.limitAnnounced = "true";
    const limit = Number(box.maxLength);
    if (!(limit > 0)) continue;
    const note = el("span", "input-limit");
    note.id = `${box.id || box.name || "box"}-limit-${Math.random().toString(36).slice(2, 8)}`;
    note.setAttribute("aria-live", "polite");
    note.hidden = true;
    // Under the box's row (a text box and its button side by side) or its label, not between them.
    (box.closest(".inference-input-row, .train-save-form, label") ?? box).after(note);
    box.setAttribute("aria-describedby", [box.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "));
    let cut = 0; // characters the last paste or drop lost

    const render = () => {
      const length = box.value.length;
      if (cut > 0) {
        note.dataset.state = "cut";
        note.textContent = `Cut to ${limit.toLocaleString("en")} characters, the most this box takes: ${cut.toLocaleString("en")} characters were left out.`;
      } else if (length >= limit * COUNT_FROM) {
        note.dataset.state = length >= limit ? "full" : "near";
        note.textContent = `${length.toLocaleString("en")} / ${limit.toLocaleString("en")} characters`;
      } else {
        note.textContent = "";
      }
      note.hidden = note.textContent === "";
    };
    const measureInsert = (text) => {
      const selected = (box.selectionEnd ?? 0) - (box.selectionStart ?? 0);
      const room = limit - (box.value.length - selected);
      cut = Math.max(0, text.length - Math.max(0, room));
    };
    box.addEventListener("paste", (event) => measureInsert(event.clipboardData?.getData("text") ?? ""));
    box.addEventListener("drop", (event) => measureInsert(event.dataTransfer?.getData("text") ?? ""));
    box.addEventListener("input", (event) => {
      if (event.inputType !== "insertFromPaste" && event.inputType !== "insertFromDrop") cut = 0;
      render();
    });
    render();
  }
}
