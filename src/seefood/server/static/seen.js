// The "Seen" panel: the hot dogs this server kept (sightings), newest first, as thumbnails
// that follow the server's feed as they happen; one opens its snapshot (the frame, boxed).
// Pictures are fetched with the access token and shown as blob URLs (an <img src> could not
// send it), and the feed is read with fetch for the same reason (EventSource sends no
// headers).

import { api, sleep } from "./api.js";

const SHOWN = 24; // thumbnails kept on the page
const $ = (id) => document.getElementById(id);
const shown = new Map(); // sighting id -> { item, url }

async function pictureUrl(path) {
  const response = await api(path);
  return URL.createObjectURL(await response.blob());
}

function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "medium" });
}

async function add(sighting, { newest = true } = {}) {
  if (shown.has(sighting.id)) return;
  const item = document.createElement("li");
  const button = document.createElement("button");
  button.className = "sighting";
  button.dataset.id = sighting.id;
  button.title = `hot dog, ${when(sighting.seen)}, score ${sighting.score.toFixed(2)}`;
  const img = document.createElement("img");
  img.alt = button.title;
  button.append(img);
  item.append(button);
  const entry = { item, url: null };
  shown.set(sighting.id, entry);
  const list = $("seen-list");
  if (newest) list.prepend(item); else list.append(item);
  button.addEventListener("click", () => open(sighting));
  $("seen").hidden = false;
  $("seen-empty").hidden = true;
  while (shown.size > SHOWN) forget(list.lastElementChild.firstElementChild.dataset.id);
  try {
    entry.url = await pictureUrl(sighting.crop);
    img.src = entry.url;
  } catch (err) {
    img.alt = "(picture unavailable)";
  }
}

function forget(id) {
  const entry = shown.get(id);
  if (!entry) return;
  if (entry.url) URL.revokeObjectURL(entry.url);
  entry.item.remove();
  shown.delete(id);
  $("seen-empty").hidden = shown.size > 0;
}

let opened = null; // the sighting whose snapshot is open
async function open(sighting) {
  const dialog = $("seen-dialog");
  opened = sighting;
  $("seen-caption").textContent =
    `${when(sighting.seen)} · score ${sighting.score.toFixed(2)}` +
    (sighting.source === "still" ? " · photo" : "");
  const img = $("seen-snapshot");
  if (img.src) URL.revokeObjectURL(img.src);
  img.removeAttribute("src");
  dialog.showModal();
  try {
    img.src = await pictureUrl(sighting.snapshot);
  } catch (err) {
    $("seen-caption").textContent = `The snapshot could not be loaded: ${err.message}`;
  }
}

async function removeOpened() {
  if (!opened) return;
  const id = opened.id;
  try {
    await api(`/v1/sightings/${id}`, { method: "DELETE" });
  } catch (err) {
    if (err.status !== 404) {
      $("seen-caption").textContent = `Not removed: ${err.message}`;
      return;
    }
  }
  forget(id);
  $("seen-dialog").close();
}

async function load() {
  const response = await api(`/v1/sightings?limit=${SHOWN}`);
  const page = await response.json();
  for (const sighting of page.sightings) await add(sighting, { newest: false });
  $("seen").hidden = false;
  $("seen-empty").hidden = shown.size > 0;
}

// Server-Sent Events, read from a fetch body: `event: sighting` blocks carry one as JSON.
async function follow() {
  const response = await api("/v1/sightings/feed", { cache: "no-store" });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
      if (data.length) add(JSON.parse(data.join("\n")));
    }
  }
}

export async function startSeen() {
  $("seen-close").addEventListener("click", () => $("seen-dialog").close());
  $("seen-delete").addEventListener("click", removeOpened);
  for (let wait = 1000; ; wait = Math.min(wait * 2, 30000)) {
    try {
      await load(); // again after each break: what came meanwhile
      await follow();
      wait = 1000; // the server ended the feed (a restart): come back soon
    } catch (err) {
      if (err.status === 404) { $("seen").hidden = true; return; } // sightings are off
      if (err.status === 401) return; // no token yet: the page says so elsewhere
    }
    await sleep(wait);
  }
}
