// The page's kernel: one sandboxed JShell JVM on the server, reused across reloads of this tab
// through sessionStorage, created on demand otherwise.
import { ApiError, apiPath, send, sendJson } from "./api.js";

const STORAGE_KEY = "glassbox.kernel";

function remembered() {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: a new kernel per page load
  }
}

function remember(id) {
  try {
    if (id) sessionStorage.setItem(STORAGE_KEY, id);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled
  }
}

export class Kernel {
  #id = null;
  #ready = null;

  /** @param onReplaced called when the kernel this page used is gone and a fresh one took its place */
  constructor({ onReplaced = () => {} } = {}) {
    this.onReplaced = onReplaced;
  }

  get id() {
    return this.#id;
  }

  /** Resolves to the kernel id once the kernel exists; failures reject and are retried on the next call. */
  ready() {
    if (!this.#ready) {
      this.#ready = this.#acquire().catch((e) => {
        this.#ready = null;
        throw e;
      });
    }
    return this.#ready;
  }

  async #acquire() {
    const stored = remembered();
    if (stored) {
      try {
        await send("GET", apiPath`/api/kernels/${stored}`);
        this.#id = stored;
        return stored;
      } catch (e) {
        if (e.status === 0) throw e; // server unreachable: do not throw away a kernel that may be fine
      }
    }
    const created = await sendJson("POST", "/api/kernels", {});
    if (!created || typeof created.id !== "string") throw new ApiError(500, "The server did not say which kernel it started");
    this.#id = created.id;
    remember(created.id);
    return created.id;
  }

  async #exists(id) {
    try {
      await send("GET", apiPath`/api/kernels/${id}`);
      return true;
    } catch (e) {
      return e.status !== 404;
    }
  }

  /** Forgets a kernel the server no longer knows and starts another. */
  async #replace() {
    remember(null);
    this.#id = null;
    this.#ready = null;
    const id = await this.ready();
    this.onReplaced();
    return id;
  }

  /**
   * Runs one cell. `onOutput` sees each output as the cell prints it; `onQueue` hears {waiting, ahead}
   * when the server makes the cell wait for a free slot, and {waiting: false} when it starts. The
   * promise resolves to the final reply {status, executionCount, millis, outputs, exercise, kernel}.
   */
  async execute({ code, lesson, cell }, onOutput, onQueue = () => {}) {
    let id = await this.ready();
    let response;
    try {
      response = await this.#postExecute(id, { code, lesson, cell });
    } catch (e) {
      if (e.status !== 404 || (await this.#exists(id))) throw e; // a 404 about the lesson or cell stands
      id = await this.#replace();
      response = await this.#postExecute(id, { code, lesson, cell });
    }
    return readReply(response, onOutput, onQueue);
  }

  #postExecute(id, body) {
    return send("POST", apiPath`/api/kernels/${id}/execute`, body, { accept: "application/x-ndjson" });
  }

  async interrupt() {
    const id = await this.ready();
    return sendJson("POST", apiPath`/api/kernels/${id}/interrupt`, {});
  }

  async restart() {
    const id = await this.ready();
    try {
      return await sendJson("POST", apiPath`/api/kernels/${id}/restart`, {});
    } catch (e) {
      if (e.status !== 404) throw e;
      await this.#replace(); // a fresh kernel is as good as a restarted one
      return { status: "restarted" };
    }
  }

  /** Completion candidates at `cursor` in `code`, or null when no kernel is ready yet. */
  async complete(code, cursor, signal) {
    if (!this.#id) return null;
    return sendJson("POST", apiPath`/api/kernels/${this.#id}/complete`, { code, cursor }, { signal });
  }
}

/**
 * Reads an NDJSON execute response: {"output": ...} lines, then one {"reply": ...} line; before them,
 * when the server is busy, {"waiting": {ahead}} and then {"started": true}.
 */
async function readReply(response, onOutput, onQueue) {
  const type = response.headers.get("Content-Type") ?? "";
  if (!response.body || type.includes("application/json")) {
    // A server that answers with one JSON document instead of a stream: accept it whole.
    const whole = await response.json();
    const reply = whole?.reply ?? whole;
    for (const output of reply?.outputs ?? []) onOutput(output);
    return checked(reply);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let reply = null;
  const take = (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      throw new ApiError(500, "The server sent a line that is not JSON");
    }
    if (message.output) onOutput(message.output);
    else if (message.reply) reply = message.reply;
    else if (message.waiting) onQueue({ waiting: true, ahead: message.waiting.ahead });
    else if (message.started) onQueue({ waiting: false });
    else if (typeof message.error === "string") throw new ApiError(500, message.error);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      take(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  }
  take(buffer + decoder.decode());
  return checked(reply);
}

function checked(reply) {
  if (!reply || typeof reply.status !== "string") {
    throw new ApiError(0, "The connection closed before the cell finished. Its result is unknown.");
  }
  return reply;
}
