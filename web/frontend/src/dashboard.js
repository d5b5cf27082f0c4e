// The teacher's live dashboard of a class: polls /api/classes/{code}/dashboard every few seconds and
// updates a roster (one row per student, one column per lesson) in place, so focus and pending
// confirmations survive each refresh. Restart a student's kernels; reset a lesson for the whole class.
import { apiPath, sendJson } from "./api.js";
import { el } from "./dom.js";
import { Notices } from "./notices.js";

const POLL_MS = 2500;
const MAX_BACKOFF_MS = 20_000;
const CONFIRM_MS = 4000;
const STATUS_LABELS = {
  ok: "ok",
  error: "error",
  timeout: "timed out",
  interrupted: "interrupted",
  restarted: "kernel restarted",
  rejected: "not run",
};

export function startDashboard(code) {
  new Dashboard(code).start();
}

class Dashboard {
  #timer = null;
  #failures = 0;
  #stopped = false;
  #rows = new Map(); // student id -> StudentRow
  #lessonIds = [];
  #lastView = null;
  #resetLesson = null;
  #readyAsked = false; // the teacher asked for kernels in this page: say how many are ready once they are

  constructor(code) {
    this.code = code;
    this.notices = new Notices(document.getElementById("notices"));
    this.table = document.getElementById("roster");
    this.body = this.table.querySelector("tbody");
    this.empty = document.getElementById("roster-empty");
    this.live = document.querySelector(".dash-live");
    this.liveText = document.getElementById("live-status");
    this.dialog = document.getElementById("reset-dialog");
  }

  start() {
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.#poll();
    });
    this.dialog?.addEventListener("close", () => {
      if (this.dialog.returnValue === "reset" && this.#resetLesson) this.#reset(this.#resetLesson);
      this.#resetLesson = null;
    });
    const ready = document.getElementById("kernels-ready");
    ready?.addEventListener("click", () => this.#getKernelsReady(ready));
    const size = document.getElementById("class-size");
    size?.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#setSize(size);
    });
    this.#poll();
  }

  async #poll() {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    try {
      const view = await sendJson("GET", apiPath`/api/classes/${this.code}/dashboard`);
      this.#failures = 0;
      this.#render(view);
      this.#setLive("live", "Live");
      this.notices.hide("poll");
    } catch (e) {
      this.#failures++;
      if (e.status === 401 || e.status === 403) {
        this.#stopped = true;
        this.#setLive("error", "Signed out");
        this.notices.show({
          key: "poll",
          kind: "error",
          text: "Your teacher session has ended, so the dashboard stopped updating.",
          action: { label: "Sign in again", run: () => window.location.assign("/teacher") },
        });
        return;
      }
      this.#setLive("error", this.#failures > 1 ? "Reconnecting…" : "Updating…");
      if (this.#failures === 3) this.notices.show({ key: "poll", kind: "warning", text: `The dashboard cannot reach the server: ${e.message}` });
    }
    if (document.visibilityState === "hidden") return; // resumes when the tab is shown again
    const delay = Math.min(POLL_MS * 2 ** Math.max(0, this.#failures - 1), MAX_BACKOFF_MS);
    this.#timer = setTimeout(() => this.#poll(), delay);
  }

  #setLive(state, text) {
    this.live.dataset.state = state;
    this.liveText.textContent = text;
    this.liveText.title = state === "live" ? `Updated ${new Date().toLocaleTimeString()}` : "";
  }

  #render(view) {
    this.#lastView = view;
    const now = Date.parse(view.generatedAt);
    this.#renderStats(view);
    const lessonIds = view.lessons.map((l) => l.id);
    if (lessonIds.join("\n") !== this.#lessonIds.join("\n")) {
      this.#lessonIds = lessonIds;
      this.#renderHead(view.lessons);
      for (const row of this.#rows.values()) row.element.remove();
      this.#rows.clear();
    }
    this.#renderLessonSummaries(view);
    const seen = new Set();
    view.students.forEach((student, i) => {
      seen.add(student.id);
      let row = this.#rows.get(student.id);
      if (!row) {
        row = new StudentRow(student.id, view.lessons, (id, button) => this.#restart(id, button));
        this.#rows.set(student.id, row);
      }
      row.update(student, view.lessons, now);
      // In the server's order (join order); a row already in place is not moved, so a focused button keeps its focus.
      const at = this.body.children[i] ?? null;
      if (at !== row.element) this.body.insertBefore(row.element, at);
    });
    for (const [id, row] of this.#rows) {
      if (!seen.has(id)) {
        row.element.remove();
        this.#rows.delete(id);
      }
    }
    this.empty.hidden = view.students.length > 0;
    this.table.hidden = view.students.length === 0;
  }

  #renderStats(view) {
    const r = view.resources;
    const students = view.students;
    const count = (presence) => students.filter((s) => s.presence === presence).length;
    const set = (key, text) => {
      const node = document.querySelector(`[data-stat="${key}"]`);
      if (node) node.textContent = text;
    };
    set("students", students.length === 0 ? "0" : `${count("active")} / ${students.length}`);
    set("students-sub", students.length === 0 ? "nobody has joined yet" : `active now · ${count("idle")} idle · ${count("away")} away`);
    set("kernels", `${r.kernelsOpen} / ${r.kernelsMax}`);
    set("kernels-sub", `${r.kernelsBusy} busy · ${r.kernelsWarm} warm in reserve`);
    this.#renderReadiness(view);
    const load = Number.isFinite(r.loadAverage) && r.loadAverage >= 0 ? `load ${r.loadAverage.toFixed(1)} on ${r.cores} cores` : `${r.cores} cores`;
    set("cells", `${r.cellsRunning} / ${r.cellSlots}`);
    set("cells-sub", [r.cellsQueued > 0 ? `${r.cellsQueued} waiting` : "none waiting", load].join(" · "));
    set("memory", r.kernelMemoryBytes == null ? "–" : formatBytes(r.kernelMemoryBytes));
    const free = r.machineAvailableBytes == null ? null : `${formatBytes(r.machineAvailableBytes)} free`;
    const budget = r.kernelBudgetBytes == null ? null
      : `budget ${r.kernelBudgetUsedBytes == null || r.kernelBudgetUsedBytes < 0 ? "?" : formatBytes(r.kernelBudgetUsedBytes)} of ${formatBytes(r.kernelBudgetBytes)}`;
    set("memory-sub", [`in ${r.kernelsOpen} open ${r.kernelsOpen === 1 ? "kernel" : "kernels"}`, budget, free].filter(Boolean).join(" · "));
  }

  /** While the pool gets kernels ready for a class: how many are ready, as a progress bar beside the button. */
  #renderReadiness(view) {
    const r = view.resources;
    const status = document.getElementById("kernels-ready-status");
    if (!status) return;
    const size = `at most ${view.classroom.maxStudents} students may join`;
    if (r.kernelsWanted > r.kernelsWarm && r.kernelsStarting > 0) {
      status.replaceChildren(
        `${r.kernelsWarm} of ${r.kernelsWanted} kernels ready `,
        progressBar(r.kernelsWarm, r.kernelsWanted),
        ` · ${size}`,
      );
    } else if (r.kernelsWanted > r.kernelsWarm) {
      // nothing starting although more are wanted: the memory budget had no room, or a start failed (the server's log says)
      status.textContent = `${r.kernelsWarm} of ${r.kernelsWanted} kernels ready; no more are starting (the memory budget is full, or a start failed) · ${size}`;
    } else if (this.#readyAsked && r.kernelsWanted > 2) {
      status.textContent = `${r.kernelsWarm} kernels ready for the class · ${size}`;
    } else {
      status.textContent = size;
    }
  }

  async #getKernelsReady(button) {
    button.disabled = true;
    try {
      const r = await sendJson("POST", apiPath`/api/classes/${this.code}/kernels/ready`, {});
      this.#readyAsked = true;
      const toStart = Math.max(0, r.target - r.warm);
      this.notices.show({
        key: "ready",
        kind: "info",
        text: toStart === 0
          ? `${r.warm} kernels are ready: every student still to come gets one at once.`
          : `Starting ${toStart} more ${toStart === 1 ? "kernel" : "kernels"}, one at a time (a few seconds each); ` +
            "each student who joins takes one that is ready. Kernels not taken within 30 minutes are stopped again.",
        timeout: 10000,
      });
    } catch (e) {
      this.notices.show({ key: "ready", kind: "error", text: `The kernels could not be started: ${e.message}` });
    }
    button.disabled = false;
    this.#poll();
  }

  async #setSize(form) {
    const input = form.elements.maxStudents;
    try {
      const r = await sendJson("POST", apiPath`/api/classes/${this.code}/size`, { maxStudents: Number(input.value) });
      input.value = r.maxStudents;
      this.notices.show({ key: "size", kind: "info", text: `At most ${r.maxStudents} students may join (${r.students} have).`, timeout: 6000 });
    } catch (e) {
      this.notices.show({ key: "size", kind: "error", text: `The class size was not changed: ${e.message}` });
    }
    this.#poll();
  }

  #renderHead(lessons) {
    const row = this.table.querySelector("thead tr");
    for (const th of row.querySelectorAll("th.col-lesson")) th.remove();
    const actions = row.querySelector("th.col-actions");
    for (const lesson of lessons) {
      const th = el("th", "col-lesson");
      th.scope = "col";
      th.dataset.lessonId = lesson.id;
      const title = el("span", "lesson-col-title", lesson.title);
      title.title = lesson.title;
      const meta = el("span", "lesson-col-meta");
      const reset = el("button", "btn btn-small btn-quiet lesson-reset", "Reset…");
      reset.type = "button";
      reset.title = `Reset “${lesson.title}” for every student of this class`;
      reset.addEventListener("click", () => this.#askReset(lesson));
      const line = el("span", "lesson-col-line");
      line.append(meta, reset);
      th.append(title, line);
      row.insertBefore(th, actions);
    }
  }

  #renderLessonSummaries(view) {
    for (const lesson of view.lessons) {
      const meta = this.table.querySelector(`th[data-lesson-id="${CSS.escape(lesson.id)}"] .lesson-col-meta`);
      if (!meta) continue;
      const started = view.students.filter((s) => s.lessons[lesson.id]).length;
      if (lesson.exercises + (lesson.quizzes ?? 0) > 0) {
        const done = view.students.filter((s) => progressState(s.lessons[lesson.id]) === "done").length;
        meta.textContent = `${done} of ${view.students.length} done`;
      } else {
        meta.textContent = `${started} of ${view.students.length} started`;
      }
    }
  }

  #askReset(lesson) {
    this.#resetLesson = lesson;
    const students = this.#lastView?.students.length ?? 0;
    document.getElementById("reset-title").textContent = `Reset “${lesson.title}” for everyone?`;
    document.getElementById("reset-text").textContent =
      `All ${students} ${students === 1 ? "student" : "students"} of this class lose their edits, outputs and exercise results in this lesson, ` +
      "and start it over from the lesson's own code.";
    this.dialog.returnValue = "";
    this.dialog.showModal();
  }

  async #reset(lesson) {
    try {
      const result = await sendJson("POST", apiPath`/api/classes/${this.code}/lessons/${lesson.id}/reset`, {});
      this.notices.show({
        key: "reset",
        kind: "info",
        text: `“${lesson.title}” was reset for the class: ${result.cellsCleared} saved ${result.cellsCleared === 1 ? "cell" : "cells"} cleared.`,
        timeout: 8000,
      });
    } catch (e) {
      this.notices.show({ key: "reset", kind: "error", text: `The lesson could not be reset: ${e.message}` });
    }
    this.#poll();
  }

  async #restart(studentId, button) {
    button.disabled = true;
    button.dataset.state = "working";
    button.querySelector(".btn-label").textContent = "Restarting…";
    try {
      const result = await sendJson("POST", apiPath`/api/classes/${this.code}/students/${studentId}/restart`, {});
      button.dataset.state = "done";
      button.querySelector(".btn-label").textContent = result.restarted > 0 ? "Restarted" : "No kernel";
    } catch (e) {
      button.dataset.state = "";
      this.notices.show({ key: "restart", kind: "error", text: `The kernel could not be restarted: ${e.message}` });
    }
    setTimeout(() => this.#rows.get(studentId)?.resetButton(), 2500);
    this.#poll();
  }
}

/** One student's row: name and presence, kernel, one cell per lesson, and the restart button. */
class StudentRow {
  #confirmTimer = null;
  #kernels = 0;

  constructor(id, lessons, onRestart) {
    this.id = id;
    this.element = el("tr", "student-row");
    this.element.dataset.studentId = id;
    this.who = el("th", "cell-student");
    this.who.scope = "row";
    this.kernel = el("td", "cell-kernel");
    this.lessonCells = new Map(lessons.map((l) => [l.id, el("td", "cell-lesson")]));
    this.actions = el("td", "cell-actions");
    this.button = el("button", "btn btn-small restart-button");
    this.button.type = "button";
    this.button.append(el("span", "icon icon-restart"), el("span", "btn-label", "Restart kernel"));
    this.button.addEventListener("click", () => {
      if (this.button.dataset.state === "confirm") {
        clearTimeout(this.#confirmTimer);
        onRestart(id, this.button);
      } else {
        this.button.dataset.state = "confirm";
        this.button.querySelector(".btn-label").textContent = "Click again to restart";
        this.#confirmTimer = setTimeout(() => this.resetButton(), CONFIRM_MS);
      }
    });
    this.actions.append(this.button);
    this.element.append(this.who, this.kernel, ...this.lessonCells.values(), this.actions);
  }

  resetButton() {
    clearTimeout(this.#confirmTimer);
    this.button.dataset.state = "";
    this.button.querySelector(".btn-label").textContent = "Restart kernel";
    this.button.disabled = this.#kernels === 0;
    this.button.title = this.#kernels === 0 ? "No kernel is running for this student" : "Restart this student's kernel: their variables are lost, their saved cells stay";
  }

  update(student, lessons, now) {
    this.element.dataset.presence = student.presence;
    this.who.replaceChildren(studentCell(student, now));
    this.kernel.replaceChildren(kernelCell(student.kernels));
    for (const lesson of lessons) {
      const td = this.lessonCells.get(lesson.id);
      const progress = student.lessons[lesson.id];
      td.dataset.state = progressState(progress);
      td.replaceChildren(lessonCell(lesson, progress, now));
    }
    this.#kernels = student.kernels.length;
    if (!this.button.dataset.state) this.resetButton();
  }
}

function studentCell(student, now) {
  const box = el("div", "student");
  const avatar = el("span", "student-avatar", initial(student.name));
  avatar.setAttribute("aria-hidden", "true");
  const text = el("div", "student-text");
  text.append(el("span", "student-name", student.name));
  const seen = el("span", "student-seen");
  const dot = el("span", "presence-dot");
  dot.dataset.presence = student.presence;
  seen.append(dot, document.createTextNode(student.presence === "active" && ago(student.lastSeen, now) < 30_000
    ? "active now" : `seen ${relative(student.lastSeen, now)}`));
  seen.title = `Joined ${new Date(student.joinedAt).toLocaleString()}`;
  text.append(seen);
  box.append(avatar, text);
  return box;
}

function kernelCell(kernels) {
  const box = el("div", "kernel-summary");
  if (kernels.length === 0) {
    box.append(el("span", "state-chip", "none"));
    box.lastChild.dataset.state = "none";
    box.append(el("span", "kernel-meta", "opens with a lesson"));
    return box;
  }
  const busy = kernels.some((k) => k.state === "busy");
  const chip = el("span", "state-chip", busy ? "running" : "idle");
  chip.dataset.state = busy ? "busy" : "idle";
  const memory = kernels.reduce((sum, k) => sum + (k.rssBytes ?? 0), 0);
  const restarts = kernels.reduce((sum, k) => sum + k.restarts, 0);
  const parts = [];
  if (kernels.length > 1) parts.push(`${kernels.length} kernels`);
  if (memory > 0) parts.push(formatBytes(memory));
  parts.push(restarts === 0 ? "no restarts" : `${restarts} ${restarts === 1 ? "restart" : "restarts"}`);
  const meta = el("span", "kernel-meta", parts.join(" · "));
  if (restarts >= 3) meta.classList.add("is-warning");
  box.append(chip, meta);
  // Kernels the server stopped (a flood, the memory cap, a broken protocol...): the latest, and how many.
  const stops = kernels.flatMap((k) => k.stops ?? []).sort((a, b) => a.at.localeCompare(b.at));
  if (stops.length > 0) {
    const last = stops[stops.length - 1];
    const when = new Date(last.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const stopped = el("span", "kernel-meta kernel-stopped is-warning",
      `stopped by the server ${stops.length === 1 ? "once" : `${stops.length} times`}, last at ${when}`);
    stopped.title = stops.map((s) => `${new Date(s.at).toLocaleTimeString()}: ${s.reason}`).join("\n");
    box.append(stopped);
    if (kernels.some((k) => k.penalized)) {
      box.append(el("span", "kernel-meta kernel-penalized", "slowed for a while: its cells run after the class's"));
    }
  }
  return box;
}

function progressState(progress) {
  if (!progress) return "untouched";
  const steps = progress.exercises + (progress.quizzes ?? 0);
  if (steps > 0 && progress.exercisesPassed + (progress.quizzesPassed ?? 0) >= steps) return "done";
  return "started";
}

function lessonCell(lesson, progress, now) {
  const box = el("div", "lesson-progress-cell");
  if (!progress) {
    box.append(el("span", "progress-none", "not started"));
    return box;
  }
  const top = el("div", "progress-line");
  if (lesson.exercises > 0) {
    const bar = el("progress", "progress");
    bar.max = progress.exercises;
    bar.value = progress.exercisesPassed;
    const label = el("span", "progress-label progress-exercises", `${progress.exercisesPassed}/${progress.exercises} ${progress.exercises === 1 ? "exercise" : "exercises"}`);
    if (progress.exercisesPassed >= progress.exercises) label.textContent += " ✓";
    top.append(bar, label);
  }
  if (progress.quizzes > 0) {
    const quizzes = el("span", "progress-label progress-quizzes", `${progress.quizzesPassed}/${progress.quizzes} ${progress.quizzes === 1 ? "quiz" : "quizzes"}`);
    if (progress.quizzesPassed >= progress.quizzes) quizzes.textContent += " ✓";
    top.append(quizzes);
  }
  if (lesson.exercises === 0 && !(progress.quizzes > 0)) {
    top.append(el("span", "progress-label", `${progress.cellsRun}/${progress.cells} cells run`));
  }
  const details = el("div", "progress-details");
  const counts = [`${progress.cellsRun} run`, `${progress.cellsEdited} edited`].join(" · ");
  details.append(el("span", "progress-counts", counts));
  if (progress.lastStatus) {
    const last = el("span", "last-run");
    last.dataset.status = progress.lastStatus;
    last.append(el("span", "status-dot"), document.createTextNode(`${STATUS_LABELS[progress.lastStatus] ?? progress.lastStatus} ${relative(progress.lastRunAt, now)}`));
    last.title = `Last run: cell ${progress.lastCell}`;
    details.append(last);
  }
  box.append(top, details);
  return box;
}

function initial(name) {
  const first = [...(name ?? "?")][0] ?? "?";
  return first.toUpperCase();
}

function ago(iso, now) {
  const then = Date.parse(iso);
  return Number.isFinite(then) ? Math.max(0, now - then) : Infinity;
}

/** "just now", "12 s ago", "3 min ago", "2 h ago", or a date. */
function relative(iso, now) {
  const millis = ago(iso, now);
  if (!Number.isFinite(millis)) return "never";
  const seconds = Math.round(millis / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `on ${new Date(Date.parse(iso)).toLocaleDateString()}`;
}

/** "95 MB", "1.4 GB". */
function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "–";
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** A small progress bar: {@code done} of {@code total}. */
function progressBar(done, total) {
  const bar = el("progress", "ready-progress");
  bar.max = total;
  bar.value = done;
  bar.textContent = `${done} of ${total}`;
  return bar;
}
