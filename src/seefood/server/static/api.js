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

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

// fetch() with the access token; a refusal throws an ApiError carrying the server's detail.
export async function api(path, { headers = {}, ...options } = {}) {
  const token = localStorage.getItem(TOKEN_KEY);
  const all = token ? { ...headers, authorization: `Bearer ${token}` } : headers;
  const response = await fetch(path, { ...options, headers: all });
  if (!response.ok) {
    const detail = await response.json().then((b) => b.detail).catch(() => null);
    throw new ApiError(response.status, detail || `${response.status} ${response.statusText}`);
  }
  return response;
}
