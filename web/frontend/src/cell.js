// One code cell on the lesson page: its editor, toolbar, outputs and exercise badge.
// The notebook decides when a cell runs; the cell shows what happens.
import { apiPath, sendJson } from "./api.js";
import { el } from "./dom.js";
import { createEditor, createViewer } from "./editor.js";
import { formatMillis } from "./format.js";
import { errorLine, OutputArea } from "./outputs.js";

const STATUS_LABELS = {
  ok: null, // the duration says it all
  error: "Error",
  timeout: "Timed out",
  interrupted: "Interrupted",
  restarted: "Kernel restarted",
  rejected: "Not run",
};

/** Words that start a statement, not a declaration's type. */
const KEYWORDS = new Set(["return", "new", "else", "throw", "case", "yield", "assert", "import", "package"]);

export class Cell {
  /** "idle" | "queued" | "running" */
  runState = "idle";
  executionCount = null;
  #timer = null;
  #edited;
  #original; // the lesson's code, when known (null: edited before this page loaded)
  #touched = false; // typed into since the page loaded
  restoredUnsaved = false; // the editor holds an edit restored from localStorage
  exerciseState = "pending"; // pending | passed | failed: the last check of this exercise cell
  ranCode = null; // the code the shown output came from, when this page knows it
  outputSerial = 0; // when (in the notebook's run order) the shown output was made; 0: before this page loaded
  #solution = null; // the exercise's solution once fetched: {code, viewer}

  constructor(section, notebook, index) {
    this.section = section;
    this.notebook = notebook;
    this.index = index;
    this.id = section.dataset.cellId;
    this.isExercise = section.dataset.exercise === "true";
    const find = (selector) => section.querySelector(selector);
    this.countLabels = [...section.querySelectorAll(".cell-count")]; // the gutter's, and the toolbar's on narrow screens
    this.runButton = find(".cell-run");
    this.resetButton = find(".cell-reset");
    this.stateLabel = find(".cell-state");
    this.badge = find(".exercise-badge");
    this.exerciseMessage = find(".exercise-message");
    this.message = find(".cell-message");
    this.confirm = find(".cell-confirm");
    this.outputs = new OutputArea(find(".cell-output"), find(".output-controls"));
    this.runAboveButton = find(".cell-run-above");
    this.runBelowButton = find(".cell-run-below");
    this.solutionButton = find(".cell-solution");
    this.solutionPanel = find(".solution-panel");

    const textarea = find("textarea.cell-source");
    const code = textarea?.value ?? "";
    this.#edited = section.dataset.edited === "true";
    this.#original = this.#edited ? null : code;
    textarea?.remove();
    this.editor = createEditor({
      parent: find(".cell-editor"),
      doc: code,
      label: `Code of cell ${index + 1}`,
      onEdit: (text) => this.#typed(text),
      onBlur: () => notebook.autosave.flush(this.id),
      onRun: (then) => notebook.run(this, then),
      onEscape: () => this.section.focus(),
      complete: (text, cursor, signal) => notebook.kernel.complete(text, cursor, signal),
    });

    const unsaved = notebook.autosave.track(this.id, code);
    if (unsaved !== null) {
      this.editor.setCode(unsaved);
      this.#typed(unsaved);
      this.restoredUnsaved = true;
    }

    this.runButton.addEventListener("click", () => notebook.toggleRun(this));
    this.runAboveButton?.addEventListener("click", () => notebook.runAbove(this));
    this.runBelowButton?.addEventListener("click", () => notebook.runFrom(this));
    if (this.runAboveButton) this.runAboveButton.disabled = index === 0;
    if (this.runBelowButton) this.runBelowButton.disabled = false;
    this.resetButton.addEventListener("click", () => this.#askReset());
    find(".cell-reset-confirm")?.addEventListener("click", () => this.#reset());
    find(".cell-reset-cancel")?.addEventListener("click", () => this.#closeConfirm(true));
    this.solutionButton?.addEventListener("click", () => this.#toggleSolution());
    find(".solution-use")?.addEventListener("click", () => this.#askUseSolution());
    find(".solution-replace")?.addEventListener("click", () => this.#useSolution());
    find(".solution-keep")?.addEventListener("click", () => this.#closeSolutionConfirm(true));
    section.addEventListener("keydown", (event) => this.#commandKeys(event));
    this.runButton.disabled = false;
    this.resetButton.disabled = false;
  }

  code() {
    return this.editor.code();
  }

  focusEditor() {
    this.section.scrollIntoView({ block: "nearest" });
    this.editor.focus();
  }

  /** Applies the saved state of the cell ({code, edited, status, executionCount, outputs, exercise}). */
  restore(saved) {
    if (!saved) return;
    if (!this.#touched && !this.restoredUnsaved && typeof saved.code === "string" && saved.code !== this.code()) {
      this.editor.setCode(saved.code);
      this.notebook.autosave.adopt(this.id, saved.code);
    }
    if (!this.#touched && !this.restoredUnsaved && typeof saved.edited === "boolean") this.#setEdited(saved.edited);
    if (this.runState !== "idle" || this.ranHere) return;
    this.executionCount = Number.isInteger(saved.executionCount) ? saved.executionCount : null;
    this.#showCount();
    this.#setStatus(saved.status ?? null);
    this.outputs.show(saved.outputs, saved.status);
    this.ranCode = typeof saved.code === "string" ? saved.code : null;
    if (!this.#touched) this.editor.markErrorLine(errorLine(saved.outputs));
    this.setExercise(saved.exercise ?? null);
  }

  setQueued() {
    this.runState = "queued";
    this.section.dataset.run = "queued";
    this.#countText("[*]");
    this.stateLabel.textContent = "Queued";
    this.#runButton("Cancel", "Take this cell out of the queue");
    this.clearMessage();
  }

  setRunning() {
    this.ranHere = true; // from now on this page's own results are newer than any saved state
    this.runState = "running";
    this.section.dataset.run = "running";
    this.#countText("[*]");
    this.#runButton("Stop", "Interrupt this cell");
    this.outputs.clear();
    this.ranCode = this.code();
    this.clearMessage();
    this.editor.markErrorLine(0);
    this.#setStatus(null);
    this.setStarted();
  }

  /** The server is busy: the cell waits for a free slot, with `ahead` cells before it. */
  setWaiting(ahead) {
    clearInterval(this.#timer);
    this.section.dataset.run = "waiting";
    this.stateLabel.textContent = ahead > 1 ? `Waiting for the server · ${ahead - 1} ahead` : "Waiting for the server…";
    this.stateLabel.title = "Many cells are running on the server right now; this one starts as soon as a slot is free, and its time limit starts then.";
  }

  /** The cell runs now: the clock starts (again, after a wait). */
  setStarted() {
    clearInterval(this.#timer);
    this.section.dataset.run = "running";
    this.stateLabel.title = "";
    const started = performance.now();
    const tick = () => {
      const seconds = Math.floor((performance.now() - started) / 1000);
      this.stateLabel.textContent = seconds < 1 ? "Running…" : `Running · ${seconds} s`;
    };
    tick();
    this.#timer = setInterval(tick, 250);
  }

  /** Back to idle without a result: taken out of the queue, or the run failed to reach the kernel. */
  setIdle() {
    clearInterval(this.#timer);
    this.#timer = null;
    this.runState = "idle";
    delete this.section.dataset.run;
    this.stateLabel.textContent = "";
    this.#runButton("Run", "Run this cell (Ctrl+Enter)");
    this.#showCount();
  }

  /** The kernel's reply to a run of this cell. */
  finish(reply, streamed) {
    this.setIdle();
    // A run that lost its kernel has no count in the new one (the server says 0): the gutter shows [ ], not [0].
    this.executionCount = Number.isInteger(reply.executionCount) && reply.executionCount > 0 ? reply.executionCount : null;
    this.#showCount();
    this.#setStatus(reply.status);
    const outputs = Array.isArray(reply.outputs) ? reply.outputs : streamed;
    this.outputs.show(outputs, reply.status);
    this.editor.markErrorLine(errorLine(outputs));
    const label = STATUS_LABELS[reply.status];
    const took = formatMillis(reply.millis);
    this.stateLabel.textContent = [label, took].filter(Boolean).join(" · ");
    this.setExercise(reply.exercise ?? null);
  }

  /** The run could not happen or its result was lost. */
  fail(error, streamed) {
    this.setIdle();
    this.outputs.show(streamed, null);
    this.showMessage(error.message);
  }

  /** Outputs and counts from before a kernel restart: the values behind them are gone. */
  markStale() {
    this.executionCount = null;
    if (this.runState === "idle") this.#showCount();
    this.outputs.setStale("From an earlier kernel: the variables behind this output are gone. Run the cell again to refresh it.");
  }

  /** An earlier cell ran after this output was made, so the values it used may have changed. */
  markStaleAfter(earlier) {
    if (this.runState !== "idle") return;
    this.outputs.setStale(`Cell ${earlier.index + 1} ran again after this output was made: run this cell again to bring it up to date.`);
  }

  /** Says, above the output, that it was computed from an exercise that has not passed its check yet. */
  noteUnsolved(exercises) {
    if (exercises.length === 0) {
      this.outputs.setUnsolvedNote(null);
      return;
    }
    const where = exercises.map(({ cell, names }) => `${names.join(", ")} from the exercise in cell ${cell.index + 1}`).join(" and ");
    this.outputs.setUnsolvedNote(
      `This output uses ${where}, which has not passed its check yet, so zeros or meaningless values are expected here. ` +
        "Solve the exercise, run it, then run this cell again.",
    );
  }

  /** Names this cell declares at its top level (methods, variables, records, classes), e.g. an exercise's method. */
  declaredNames() {
    const names = new Set();
    let depth = 0;
    for (const line of this.code().split("\n")) {
      if (depth === 0) {
        const type = /^\s*(?:(?:public|private|protected|static|final|abstract)\s+)*(?:record|class|interface|enum)\s+([A-Za-z_$][\w$]*)/.exec(line);
        const member = /^\s*(?:(?:public|private|protected|static|final|var)\s+)*([A-Za-z_$][\w$.]*(?:<[^>]*>)?(?:\[\])*)\s+([A-Za-z_$][\w$]*)\s*(?:\(|=|;)/.exec(line);
        if (type) names.add(type[1]);
        else if (member && !KEYWORDS.has(member[1])) names.add(member[2]);
      }
      for (const ch of line) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
      if (depth < 0) depth = 0;
    }
    return [...names];
  }

  /** Whether the code mentions `name` as a whole word. */
  uses(name) {
    return new RegExp(`(^|[^\\w$])${name.replace(/\$/g, "\\$")}([^\\w$]|$)`).test(this.code());
  }

  setExercise(result) {
    if (!this.badge) return;
    const state = result ? (result.passed ? "passed" : "failed") : "pending";
    this.exerciseState = state;
    this.badge.dataset.state = state;
    this.badge.textContent = { pending: "Exercise", passed: "✓ Passed", failed: "✗ Not yet" }[state];
    this.badge.title = result?.message ?? "An exercise: run the cell to check your answer";
    // The solution is offered once the learner's own attempt has failed its check, and stays offered.
    if (result && !result.passed && this.solutionButton) this.solutionButton.hidden = false;
    if (!this.exerciseMessage) return;
    const text = typeof result?.message === "string" ? result.message.trim() : "";
    this.exerciseMessage.dataset.state = state;
    this.exerciseMessage.hidden = !result;
    this.exerciseMessage.replaceChildren();
    if (result) {
      this.exerciseMessage.append(el("strong", null, result.passed ? "✓ Passed" : "✗ Not yet"));
      // A check whose whole message is "Passed." would read "Passed: Passed."
      if (text && !/^(passed|✓ passed)\.?$/i.test(text)) this.exerciseMessage.append(`: ${text}`);
    }
  }

  showMessage(text) {
    this.message.textContent = text;
    this.message.hidden = false;
  }

  clearMessage() {
    this.message.textContent = "";
    this.message.hidden = true;
  }

  #typed(code) {
    this.#touched = true;
    if (this.ranCode !== null && this.runState === "idle") {
      this.outputs.setStale(code === this.ranCode ? null : "The code changed after this output was made: run the cell to refresh it.", "edit");
    }
    this.notebook.autosave.edit(this.id, code);
    this.#setEdited(this.#original === null || code !== this.#original);
  }

  #setEdited(edited) {
    this.#edited = edited;
    this.section.dataset.edited = String(edited);
  }

  #setStatus(status) {
    if (status) this.section.dataset.status = status;
    else delete this.section.dataset.status;
  }

  #showCount() {
    this.#countText(this.executionCount === null ? "[ ]" : `[${this.executionCount}]`);
  }

  #countText(text) {
    for (const label of this.countLabels) label.textContent = text;
  }

  #runButton(text, title) {
    this.runButton.querySelector(".btn-label").textContent = text;
    this.runButton.dataset.action = text.toLowerCase();
    this.runButton.title = title;
  }

  /** Command mode (the cell itself has the focus): Jupyter's keys. */
  #commandKeys(event) {
    if (event.target !== this.section) return; // keys typed in the editor belong to the editor
    const mod = event.ctrlKey || event.metaKey;
    if (event.altKey || (mod && event.key !== "Enter")) return;
    const key = event.key;
    if (key === "Enter" && event.shiftKey) this.notebook.run(this, "next");
    else if (key === "Enter" && mod) this.notebook.run(this, "stay");
    else if (key === "Enter") this.editor.focus();
    else if (key === "ArrowDown" || key === "j" || key === "J") this.notebook.cells[this.index + 1]?.section.focus();
    else if (key === "ArrowUp" || key === "k" || key === "K") this.notebook.cells[this.index - 1]?.section.focus();
    else if (key === "i" || key === "I") this.notebook.pressTwice("i", () => this.notebook.interrupt());
    else if (key === "0") this.notebook.pressTwice("0", () => this.notebook.restart());
    else if (key === "o" || key === "O") this.outputs.toggleCollapsed();
    else if (key === "a" || key === "A") this.notebook.runAbove(this);
    else if (key === "b" || key === "B") this.notebook.runFrom(this);
    else return;
    event.preventDefault();
  }

  #askReset() {
    if (!this.#edited) {
      this.#reset();
      return;
    }
    this.confirm.hidden = false;
    this.resetButton.setAttribute("aria-expanded", "true");
    this.confirm.querySelector(".cell-reset-confirm").focus();
  }

  #closeConfirm(refocus) {
    this.confirm.hidden = true;
    this.resetButton.setAttribute("aria-expanded", "false");
    if (refocus) this.resetButton.focus();
  }

  async #toggleSolution() {
    if (this.#solution && !this.solutionPanel.hidden) {
      this.#showSolutionPanel(false);
      return;
    }
    if (!this.#solution) {
      this.solutionButton.disabled = true;
      try {
        const answer = await sendJson("GET", apiPath`/api/lessons/${this.notebook.lessonId}/solutions/${this.id}`);
        if (typeof answer?.code !== "string") throw new Error("The server did not send the solution");
        const viewer = createViewer({
          parent: this.solutionPanel.querySelector(".solution-code"),
          doc: answer.code,
          label: `Solution of cell ${this.index + 1} (read-only)`,
        });
        this.#solution = { code: answer.code, viewer };
      } catch (e) {
        this.showMessage(`The solution could not be loaded: ${e.message}`);
        return;
      } finally {
        this.solutionButton.disabled = false;
      }
    }
    this.clearMessage();
    this.#showSolutionPanel(true);
  }

  #showSolutionPanel(shown) {
    this.solutionPanel.hidden = !shown;
    this.solutionButton.textContent = shown ? "Hide solution" : "Show solution";
    this.solutionButton.setAttribute("aria-expanded", String(shown));
    if (!shown) this.#closeSolutionConfirm(false);
  }

  /** Replacing the editor's text always asks first: the learner's code must never vanish silently. */
  #askUseSolution() {
    const confirm = this.solutionPanel.querySelector(".solution-confirm");
    confirm.hidden = false;
    this.solutionPanel.querySelector(".solution-use").setAttribute("aria-expanded", "true");
    confirm.querySelector(".solution-replace").focus();
  }

  #closeSolutionConfirm(refocus) {
    this.solutionPanel.querySelector(".solution-confirm").hidden = true;
    const use = this.solutionPanel.querySelector(".solution-use");
    use.setAttribute("aria-expanded", "false");
    if (refocus) use.focus();
  }

  #useSolution() {
    this.#closeSolutionConfirm(false);
    if (!this.#solution) return;
    if (this.code() !== this.#solution.code) this.editor.replaceByLearner(this.#solution.code); // saved like typing, and undoable
    this.focusEditor();
  }

  #forgetSolution() {
    if (!this.solutionPanel) return;
    this.#showSolutionPanel(false);
    this.#solution?.viewer.destroy();
    this.#solution = null;
    this.solutionButton.hidden = true;
  }

  async #reset() {
    this.#closeConfirm(false);
    this.resetButton.disabled = true;
    const autosave = this.notebook.autosave;
    try {
      await autosave.settle(this.id); // a save landing after the reset would bring the edit back
      const answer = await sendJson("DELETE", apiPath`/api/lessons/${this.notebook.lessonId}/cells/${this.id}`);
      if (typeof answer?.code !== "string") throw new Error("The server did not send the lesson's code back");
      this.editor.setCode(answer.code);
      autosave.adopt(this.id, answer.code);
      this.#original = answer.code;
      this.#setEdited(false);
      this.#forgetSolution(); // the server forgot the attempts, so the solution waits for a new one
      if (this.runState === "idle") {
        this.outputs.clear();
        this.ranCode = null;
        this.executionCount = null;
        this.#showCount();
        this.#setStatus(null);
        this.stateLabel.textContent = "";
        this.editor.markErrorLine(0);
        this.setExercise(null);
      }
      this.clearMessage();
    } catch (e) {
      this.showMessage(`The cell could not be reset: ${e.message}`);
      autosave.flush(this.id); // resume saving the edit that is still in the editor
    } finally {
      this.resetButton.disabled = false;
    }
  }
}
