// The lesson page: its cells, the run queue (one cell at a time), the kernel and save indicators.
import { apiPath, sendJson } from "./api.js";
import { Autosave } from "./autosave.js";
import { Cell } from "./cell.js";
import { setTabIndents, tabIndents } from "./editor.js";
import { Kernel } from "./kernel.js";
import { Notices } from "./notices.js";
import "./styles/notebook.css";

const SAVE_LABELS = { saved: "All changes saved", saving: "Saving…", retrying: "Not saved — retrying" };
const MODE_TEXT = {
  none: ["No cell selected", " · ? for keys"],
  edit: ["Edit mode", " · Esc to leave"],
  command: ["Command mode", " · Enter to edit"],
};
/** Two presses of the same command key (I, I or 0, 0) count as one command within this time. */
const DOUBLE_PRESS_MS = 800;
/** An interrupt that finds no cell running on the server is sent again this often, for as long as a cell's time limit. */
const INTERRUPT_RETRY_MS = 250;
const INTERRUPT_TRIES = 480;
const KERNEL_TITLES = {
  starting: "Glassbox is starting a Java kernel for this page",
  idle: "The kernel is ready",
  busy: "The kernel is running a cell",
  restarting: "The kernel is restarting",
  error: "The kernel is not available",
};

export function startNotebook(lessonId) {
  new Notebook(lessonId).start();
}

class Notebook {
  #queue = [];
  #current = null; // the cell running now
  #kernelPhase = "starting"; // starting | ready | restarting | error
  #saveState = "saved";
  #runSerial = 0; // counts finished runs on this page, to know which outputs are older than which
  #lastPress = { key: null, at: 0 };
  #lastRun = null; // the cell that ran last: where the focus goes when the button that had it is disabled

  constructor(lessonId) {
    this.lessonId = lessonId;
    this.notices = new Notices(document.getElementById("notices"));
    this.kernel = new Kernel({
      onReplaced: () =>
        this.#kernelLost("The previous kernel had stopped, so Glassbox started a new one: variables from earlier cells are gone — run them again."),
    });
    this.autosave = new Autosave(lessonId, (save) => this.#showSave(save));
    this.cells = [...document.querySelectorAll("section.cell[data-cell-id]")].map((section, i) => new Cell(section, this, i));
    this.kernelStatus = document.getElementById("kernel-status");
    this.saveStatus = document.getElementById("save-status");
    this.runAllButton = document.getElementById("run-all");
    this.interruptButton = document.getElementById("interrupt-kernel");
    this.restartButton = document.getElementById("restart-kernel");
    this.modeIndicator = document.getElementById("mode-indicator");
    this.keysDialog = document.getElementById("keys-dialog");
  }

  start() {
    this.runAllButton?.addEventListener("click", () => this.runAll());
    this.interruptButton?.addEventListener("click", () => this.interrupt());
    this.restartButton?.addEventListener("click", () => this.restart());
    this.#startOutputsMenu();
    this.#startKeys();
    window.addEventListener("pagehide", () => this.autosave.flushAll());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") for (const cell of this.cells) this.autosave.flush(cell.id);
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.#saveState === "retrying") event.preventDefault(); // the server has not got every edit
    });
    const restored = this.cells.filter((cell) => cell.restoredUnsaved).length;
    if (restored > 0) {
      this.notices.show({
        key: "restored",
        kind: "info",
        text: `Restored ${restored === 1 ? "an edit" : `${restored} edits`} that had not reached the server last time; saving now.`,
        timeout: 10_000,
      });
    }
    if (/Mac|iPhone|iPad/.test(navigator.platform)) {
      for (const key of document.querySelectorAll('kbd[data-key="mod"]')) key.textContent = key.textContent.replace("Ctrl", "⌘");
    }
    this.#renderKernel();
    this.#startKernel();
    this.#loadState();
  }

  /** Queues a cell; then = "next" moves the focus on to the next cell's editor, like Jupyter. */
  run(cell, then = "stay") {
    this.#enqueue(cell);
    if (then !== "next") return;
    const next = this.cells[cell.index + 1];
    if (next) next.focusEditor();
    else cell.section.focus();
  }

  /** The cell's Run button: run, take out of the queue, or interrupt. */
  toggleRun(cell) {
    if (cell.runState === "running") this.interrupt();
    else if (cell.runState === "queued") {
      this.#queue = this.#queue.filter((c) => c !== cell);
      cell.setIdle();
    } else this.#enqueue(cell);
  }

  runAll() {
    for (const cell of this.cells) this.#enqueue(cell);
  }

  /** Every cell before this one, in order. */
  runAbove(cell) {
    for (const c of this.cells.slice(0, cell.index)) this.#enqueue(c);
  }

  /** This cell and every cell after it, in order. */
  runFrom(cell) {
    for (const c of this.cells.slice(cell.index)) this.#enqueue(c);
  }

  /** Runs `command` on the second press of `key` in a row (Jupyter's I, I and 0, 0). */
  pressTwice(key, command) {
    const now = performance.now();
    if (this.#lastPress.key === key && now - this.#lastPress.at < DOUBLE_PRESS_MS) {
      this.#lastPress = { key: null, at: 0 };
      command();
    } else {
      this.#lastPress = { key, at: now };
    }
  }

  async interrupt() {
    this.#cancelQueue();
    const cell = this.#current;
    if (!cell) return;
    try {
      // The server says "idle" when the cell has not reached it yet (on a busy server it may still be on its way,
      // or its kernel still starting): ask again until it stops, or the cell ends by itself.
      for (let tries = 0; this.#current === cell && tries < INTERRUPT_TRIES; tries++) {
        const answer = await this.kernel.interrupt();
        if (answer?.status !== "idle") return;
        await new Promise((resolve) => setTimeout(resolve, INTERRUPT_RETRY_MS));
      }
    } catch (e) {
      this.notices.show({ key: "interrupt", kind: "error", text: `Could not interrupt the kernel: ${e.message}` });
    }
  }

  setAllCollapsed(collapsed) {
    for (const cell of this.cells) cell.outputs.setCollapsed(collapsed);
  }

  clearAllOutputs() {
    for (const cell of this.cells) if (cell.runState === "idle") cell.outputs.clear();
  }

  async restart() {
    this.#cancelQueue();
    this.#kernelPhase = "restarting";
    this.#renderKernel();
    try {
      await this.kernel.restart();
      this.#kernelPhase = "ready";
      for (const cell of this.cells) cell.markStale();
      this.notices.show({
        key: "kernel",
        kind: "info",
        text: "The kernel restarted with a clean slate. Run the cells again to rebuild their variables.",
        timeout: 8000,
      });
    } catch (e) {
      this.#kernelPhase = this.kernel.id ? "ready" : "error";
      this.notices.show({ key: "kernel", kind: "error", text: `The kernel could not restart: ${e.message}` });
    }
    this.#renderKernel();
  }

  async #startKernel() {
    this.#kernelPhase = "starting";
    this.#renderKernel();
    try {
      await this.kernel.ready();
      this.#kernelPhase = "ready";
      this.notices.hide("kernel-start");
    } catch (e) {
      this.#kernelPhase = "error";
      this.notices.show({
        key: "kernel-start",
        kind: "error",
        text: `The Java kernel could not start: ${e.message}`,
        action: { label: "Try again", run: () => this.#startKernel() },
      });
    }
    this.#renderKernel();
  }

  async #loadState() {
    let state = null;
    try {
      state = await sendJson("GET", apiPath`/api/lessons/${this.lessonId}/state`);
    } catch (e) {
      this.notices.show({ key: "state", kind: "warning", text: `Your saved outputs could not be loaded: ${e.message}` });
    }
    for (const cell of this.cells) {
      try {
        cell.restore(state?.cells?.[cell.id] ?? null);
      } catch (e) {
        cell.showMessage(`The saved output of this cell could not be shown: ${e.message}`);
      }
    }
    for (const cell of this.cells) this.#noteUnsolved(cell);
  }

  /** Outputs of later cells that used an exercise whose check has not passed say so. */
  #noteUnsolved(cell) {
    if (cell.isExercise || cell.outputs.isEmpty) return;
    const exercises = [];
    for (const earlier of this.cells.slice(0, cell.index)) {
      if (!earlier.isExercise || earlier.exerciseState === "passed") continue;
      const names = earlier.declaredNames().filter((name) => cell.uses(name));
      if (names.length > 0 && earlier.exerciseState === "failed") exercises.push({ cell: earlier, names });
    }
    cell.noteUnsolved(exercises);
  }

  /** A run changed the kernel's state: later outputs made before it are out of date. */
  #afterRun(cell, changedState) {
    cell.outputSerial = ++this.#runSerial;
    if (changedState) for (const later of this.cells.slice(cell.index + 1)) {
      if (!later.outputs.isEmpty && later.outputSerial < cell.outputSerial) later.markStaleAfter(cell);
    }
    this.#noteUnsolved(cell);
  }

  #enqueue(cell) {
    if (cell.runState !== "idle") return;
    cell.setQueued();
    this.#queue.push(cell);
    this.#pump();
  }

  async #pump() {
    if (this.#current) return;
    while (this.#queue.length > 0) {
      const cell = this.#queue.shift();
      let ok = false;
      try {
        ok = await this.#execute(cell);
      } catch (e) {
        cell.setIdle();
        cell.showMessage(`Something went wrong on this page: ${e.message}`);
      }
      if (!ok) this.#cancelQueue(); // later cells usually need this one's variables
    }
  }

  /** Runs one cell; true when it finished with status ok. */
  async #execute(cell) {
    this.#current = cell;
    cell.setRunning();
    this.#renderKernel();
    const code = cell.code();
    this.autosave.flush(cell.id);
    const streamed = [];
    try {
      if (this.#kernelPhase !== "ready") await this.#kernelForRun();
      const reply = await this.kernel.execute(
        { code, lesson: this.lessonId, cell: cell.id },
        (output) => {
          streamed.push(output);
          cell.outputs.append(output);
        },
        (queue) => (queue.waiting ? cell.setWaiting(queue.ahead) : cell.setStarted()),
      );
      cell.finish(reply, streamed);
      this.#afterRun(cell, reply.status === "ok");
      if (reply.kernel === "restarted") {
        this.#kernelLost("The kernel was restarted: variables from earlier cells are gone — run them again.", cell);
      }
      return reply.status === "ok";
    } catch (e) {
      cell.fail(e, streamed);
      return false;
    } finally {
      this.#current = null;
      this.#lastRun = cell;
      this.#renderKernel();
    }
  }

  async #kernelForRun() {
    this.#kernelPhase = "starting";
    this.#renderKernel();
    try {
      await this.kernel.ready();
      this.#kernelPhase = "ready";
      this.notices.hide("kernel-start");
    } catch (e) {
      this.#kernelPhase = "error";
      throw e;
    } finally {
      this.#renderKernel();
    }
  }

  #kernelLost(text, except = null) {
    for (const cell of this.cells) if (cell !== except) cell.markStale();
    this.notices.show({ key: "kernel", kind: "warning", text });
  }

  #cancelQueue() {
    for (const cell of this.#queue) cell.setIdle();
    this.#queue = [];
  }

  #renderKernel() {
    const status = this.#kernelPhase === "ready" ? (this.#current ? "busy" : "idle") : this.#kernelPhase;
    if (this.kernelStatus) {
      this.kernelStatus.textContent = status;
      this.kernelStatus.dataset.status = status;
      this.kernelStatus.closest(".kernel-indicator")?.setAttribute("data-status", status);
      this.kernelStatus.closest(".kernel-indicator")?.setAttribute("title", KERNEL_TITLES[status]);
    }
    this.#disable(this.runAllButton, status === "restarting");
    this.#disable(this.interruptButton, !this.#current);
    this.#disable(this.restartButton, status === "restarting" || status === "starting");
  }

  /** Disabling the focused button would drop the focus on <body>: it moves to the cell that ran last instead. */
  #disable(button, disabled) {
    if (!button) return;
    if (disabled && !button.disabled && document.activeElement === button) {
      const cell = this.#current ?? this.#lastRun ?? this.cells[0];
      if (cell) cell.section.focus({ preventScroll: true });
    }
    button.disabled = disabled;
  }

  #startOutputsMenu() {
    const menu = document.getElementById("outputs-menu");
    const act = (id, action) =>
      document.getElementById(id)?.addEventListener("click", () => {
        action();
        if (menu) {
          menu.open = false;
          menu.querySelector("summary")?.focus();
        }
      });
    act("outputs-collapse-all", () => this.setAllCollapsed(true));
    act("outputs-expand-all", () => this.setAllCollapsed(false));
    act("outputs-clear-all", () => this.clearAllOutputs());
    menu?.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary")?.focus();
        event.stopPropagation();
      }
    });
  }

  /** Edit vs command mode on screen, the shortcut sheet, and ? from anywhere that is not a text field. */
  #startKeys() {
    document.addEventListener("focusin", () => this.#showMode());
    document.addEventListener("focusout", () => queueMicrotask(() => this.#showMode()));
    this.#showMode();
    const dialog = this.keysDialog;
    const tab = document.getElementById("tab-indents");
    if (tab) {
      tab.checked = tabIndents();
      tab.addEventListener("change", () => setTabIndents(tab.checked));
    }
    let returnTo = null;
    const open = () => {
      if (!dialog || dialog.open) return;
      returnTo = document.activeElement;
      dialog.showModal();
      document.getElementById("keys-close")?.focus();
    };
    document.getElementById("show-keys")?.addEventListener("click", open);
    document.getElementById("keys-close")?.addEventListener("click", () => dialog.close());
    dialog?.addEventListener("close", () => {
      if (returnTo && document.contains(returnTo)) returnTo.focus();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target.closest?.(".cm-editor, input, textarea, select, [contenteditable=true]")) return;
      event.preventDefault();
      open();
    });
  }

  #showMode() {
    const active = document.activeElement;
    const section = active?.closest?.("section.cell[data-cell-id]");
    let mode = "none";
    if (section && active === section) mode = "command";
    else if (section && active.closest(".cell-editor")) mode = "edit";
    for (const cell of this.cells) {
      if (cell.section === section && mode !== "none") cell.section.dataset.mode = mode;
      else delete cell.section.dataset.mode;
    }
    if (!this.modeIndicator) return;
    this.modeIndicator.dataset.mode = mode;
    const [name, hint] = MODE_TEXT[mode];
    this.modeIndicator.querySelector("#mode-name").textContent = name;
    this.modeIndicator.title = mode === "none" ? "" : `Cell ${this.cells.findIndex((c) => c.section === section) + 1}`;
    this.modeIndicator.querySelector("#mode-hint").textContent = hint;
  }

  #showSave({ state, error }) {
    this.#saveState = state;
    if (!this.saveStatus) return;
    this.saveStatus.textContent = SAVE_LABELS[state];
    this.saveStatus.dataset.state = state;
    this.saveStatus.title = state === "retrying" && error ? `Last attempt: ${error.message}` : "";
  }
}
