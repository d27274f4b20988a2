// Calls to the server's API. Beyond loopback the server prints a link ending in
// #token=...: the page keeps that token (in this browser only) and sends it with each call.

const TOKEN_KEY = "seefood.token";

function takeTokenFromLink() {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (!fromLink) return;
  localStorage.setItem(TOKEN_KEY, fromLink);
  history.replaceState(null, "", location.pathname + location.search); // out of sight
}
takeTokenFromLink();
window.addEventListener("hashchange", takeTokenFromLink); // the link pasted into this tab

// The server answered, with an error: `status`, its `detail` as the message, the whole
// JSON `body`, and `retryAfter` (seconds) when it said when to come back.
export class ApiError extends Error {
  constructor(status, detail, body = {}, retryAfter = null) {
    super(detail);
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

// fetch() with the access token; a refusal throws an ApiError carrying the server's detail.
// No answer at all (server down, network gone) throws fetch's TypeError.
export async function api(path, { headers = {}, ...options } = {}) {
  const token = localStorage.getItem(TOKEN_KEY);
  const all = token ? { ...headers, authorization: `Bearer ${token}` } : headers;
  const response = await fetch(path, { ...options, headers: all });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const detail = (body && typeof body.detail === "string" && body.detail) ||
      `${response.status} ${response.statusText}`;
    const after = Number.parseFloat(response.headers.get("retry-after"));
    throw new ApiError(response.status, detail, body || {}, Number.isFinite(after) ? after : null);
  }
  return response;
}

// Whether the server answers at all, within `timeoutMs` (its public health check).
export async function reachable(timeoutMs = 1500) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch("/healthz", { cache: "no-store", signal: abort.signal });
    return response.ok;
  } catch (err) {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function isNetworkError(err) {
  return err instanceof TypeError || (err && err.name === "AbortError");
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
