// The Glassbox JSON API, same origin: the session cookie goes along by itself, and every request
// that changes state carries the page's CSRF token.

/** A failed API call: `status` is the HTTP status, or 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/** Builds an API path, encoding each interpolated value as one path segment. */
export function apiPath(strings, ...values) {
  return strings.reduce((path, part, i) => path + part + (i < values.length ? encodeURIComponent(values[i]) : ""), "");
}

/** Sends a request and returns the Response once its status is 2xx; otherwise throws ApiError. */
export async function send(method, path, body, { accept = "application/json", keepalive = false, signal } = {}) {
  const headers = { Accept: accept };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = csrfToken();
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      keepalive,
      signal,
    });
  } catch (e) {
    if (e?.name === "AbortError") throw e;
    throw new ApiError(0, "Glassbox could not reach its server. Is it still running?");
  }
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return response;
}

/** Sends a request and returns its JSON body (null for an empty body). */
export async function sendJson(method, path, body, options) {
  const response = await send(method, path, body, options);
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(response.status, `The server sent an answer that is not JSON (${method} ${path})`);
  }
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && typeof body.error === "string" && body.error) return body.error;
  } catch {
    // not JSON: fall through to the status line
  }
  return `The server answered ${response.status}${response.statusText ? " " + response.statusText : ""}`;
}
