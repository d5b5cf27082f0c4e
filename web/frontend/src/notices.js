// Page-level messages under the toolbar: kernel restarts, failures that belong to no single cell.
import { el } from "./dom.js";

export class Notices {
  #container;
  #byKey = new Map();

  constructor(container) {
    this.#container = container;
  }

  /**
   * Shows a notice; a later notice with the same key replaces it.
   * kind: "info" | "warning" | "error"; action: {label, run} adds a button; timeout in ms hides it.
   */
  show({ key, kind = "info", text, action, timeout }) {
    if (!this.#container) return;
    if (key) this.hide(key);
    const notice = el("div", `notice notice-${kind}`);
    notice.setAttribute("role", kind === "error" ? "alert" : "status");
    notice.append(el("span", "notice-text", text));
    if (action) {
      const button = el("button", "btn btn-small notice-action", action.label);
      button.type = "button";
      button.addEventListener("click", () => {
        remove();
        action.run();
      });
      notice.append(button);
    }
    const close = el("button", "notice-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    notice.append(close);

    const remove = () => {
      notice.remove();
      if (key && this.#byKey.get(key) === notice) this.#byKey.delete(key);
    };
    close.addEventListener("click", remove);
    if (timeout) setTimeout(remove, timeout);
    if (key) this.#byKey.set(key, notice);
    this.#container.append(notice);
  }

  hide(key) {
    this.#byKey.get(key)?.remove();
    this.#byKey.delete(key);
  }
}
