// Saves the learner's edits so none is ever lost: a PUT per cell ~400 ms after typing stops, at
// once on blur, with keepalive when the page goes away, and retries with backoff while the server
// cannot take it. Until the server has an edit, a copy waits in localStorage and is restored on
// the next visit.
import { apiPath, send } from "./api.js";

const DEBOUNCE_MS = 400;
const MAX_BACKOFF_MS = 30_000;

/** localStorage copies of edits the server has not confirmed yet. */
class UnsavedCopies {
  constructor(lessonId) {
    this.prefix = `glassbox.unsaved:${lessonId}:`;
  }

  read(cellId) {
    try {
      const stored = JSON.parse(localStorage.getItem(this.prefix + cellId) ?? "null");
      return typeof stored?.code === "string" ? stored.code : null;
    } catch {
      return null;
    }
  }

  write(cellId, code) {
    try {
      localStorage.setItem(this.prefix + cellId, JSON.stringify({ code, at: Date.now() }));
    } catch {
      // storage full or disabled: the server copy is the only one
    }
  }

  remove(cellId) {
    try {
      localStorage.removeItem(this.prefix + cellId);
    } catch {
      // storage disabled
    }
  }
}

export class Autosave {
  #lessonId;
  #copies;
  #slots = new Map(); // cellId -> {latest, saved, timer, inFlight, failures, error}
  #onChange;

  /** @param onChange called with {state: "saved" | "saving" | "retrying", error} whenever that changes */
  constructor(lessonId, onChange) {
    this.#lessonId = lessonId;
    this.#copies = new UnsavedCopies(lessonId);
    this.#onChange = onChange;
  }

  /** Starts tracking a cell whose server copy is `code`; returns an unsaved local copy if one differs. */
  track(cellId, code) {
    this.#slots.set(cellId, { latest: code, saved: code, timer: null, inFlight: null, failures: 0, error: null });
    const copy = this.#copies.read(cellId);
    if (copy === null || copy === code) {
      this.#copies.remove(cellId);
      return null;
    }
    return copy;
  }

  /** The server copy changed by other means (reset, state loaded): adopt it without saving. */
  adopt(cellId, code) {
    const slot = this.#slot(cellId);
    clearTimeout(slot.timer);
    Object.assign(slot, { latest: code, saved: code, timer: null, failures: 0, error: null });
    this.#copies.remove(cellId);
    this.#report();
  }

  /** The learner typed: save after a pause. */
  edit(cellId, code) {
    const slot = this.#slot(cellId);
    slot.latest = code;
    this.#copies.write(cellId, code);
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.#save(cellId), DEBOUNCE_MS);
    this.#report();
  }

  /** Saves now (blur, before running); resolves when the save attempt ends. */
  flush(cellId) {
    return this.#save(cellId);
  }

  /** Stops saving a cell's pending edit and waits for a save in flight (before a reset). */
  async settle(cellId) {
    const slot = this.#slot(cellId);
    clearTimeout(slot.timer);
    slot.timer = null;
    while (slot.inFlight) await slot.inFlight;
  }

  /** The page is going away: send every unsaved edit with keepalive, the local copies stay until confirmed. */
  flushAll() {
    for (const [cellId, slot] of this.#slots) {
      if (slot.latest === slot.saved) continue;
      clearTimeout(slot.timer);
      this.#put(cellId, slot.latest, true).catch(() => {});
    }
  }

  hasUnsaved() {
    for (const slot of this.#slots.values()) if (slot.latest !== slot.saved) return true;
    return false;
  }

  #slot(cellId) {
    if (!this.#slots.has(cellId)) this.track(cellId, "");
    return this.#slots.get(cellId);
  }

  async #save(cellId) {
    const slot = this.#slot(cellId);
    clearTimeout(slot.timer);
    slot.timer = null;
    while (slot.inFlight) await slot.inFlight; // one PUT per cell at a time, so saves land in order
    if (slot.latest === slot.saved || slot.timer) return;

    const code = slot.latest;
    let failed = null;
    slot.inFlight = this.#put(cellId, code, false).catch((e) => {
      failed = e;
    });
    this.#report();
    await slot.inFlight;
    slot.inFlight = null;

    if (failed) {
      slot.failures += 1;
      slot.error = failed;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (slot.failures - 1));
      if (!slot.timer) slot.timer = setTimeout(() => this.#save(cellId), delay);
    } else {
      slot.saved = code;
      slot.failures = 0;
      slot.error = null;
      if (slot.latest === code) this.#copies.remove(cellId);
    }
    this.#report();
  }

  #put(cellId, code, keepalive) {
    return send("PUT", apiPath`/api/lessons/${this.#lessonId}/cells/${cellId}`, { code }, { keepalive });
  }

  #report() {
    let state = "saved";
    let error = null;
    for (const slot of this.#slots.values()) {
      if (slot.failures > 0) {
        state = "retrying";
        error = slot.error;
        break;
      }
      if (slot.latest !== slot.saved || slot.inFlight) state = "saving";
    }
    this.#onChange({ state, error });
  }
}
