// Live mode: start and stop the camera and the call, reconnect after a blip, show results.

import {
  checkSupport, currentStream, explainCameraError, openCamera, stopCamera,
} from "./camera.js";
import { applyPace, connect, disconnect, peerConnection } from "./call.js";
import { clearOverlay } from "./overlay.js";
import { clearStats, noteResult } from "./stats.js";
import { currentStatus, setStatus, showMessage } from "./status.js";
import { resetVerdict, updateVerdict } from "./verdict.js";
import { resetViews, showResult, startViews, stopViews } from "./views.js";

const $ = (id) => document.getElementById(id);
const video = $("video");
const MAX_RECONNECTS = 5;
const DEGRADED_MS = 2000; // "server busy" stays this long after a drop notice

let wantLive = false;
let gen = 0; // bumped by every start and stop: anything awaited from an older one is stale
let reconnects = 0;
let reconnectTimer = null;
let lastDrop = -Infinity;

export function isLive() {
  return wantLive;
}

function clearResults() {
  clearOverlay();
  resetVerdict();
}

function onMessage(message) {
  if (message.type === "closing") {
    showMessage(`The server ended the session: ${message.reason}.`);
    return; // the channel closes next, and the page reconnects
  }
  if (message.type === "pace") {
    applyPace(message);
    return;
  }
  if (message.type === "dropped") {
    lastDrop = performance.now();
    setStatus("degraded", "live, server busy");
    return;
  }
  if (message.type !== "result") return;
  if (reconnects) showMessage("");
  reconnects = 0;
  if (performance.now() - lastDrop > DEGRADED_MS) setStatus("live", "live");
  showResult(message);
  updateVerdict(message.verdict);
  noteResult(message);
}

// Called every second: "server busy" ends once no drop came for a while.
export function tick() {
  if (performance.now() - lastDrop > DEGRADED_MS && currentStatus() === "degraded") {
    setStatus("live", "live");
  }
}

function callHandlers(callGen) {
  const current = () => callGen === gen;
  const onLost = (why) => { if (current() && wantLive) scheduleReconnect(why); };
  const onPath = (path) => { $("stat-path").textContent = path; };
  return [current, { onMessage, onLost, onPath }];
}

let lastWhy = null; // why the last call could not connect, if ICE said

function scheduleReconnect(why = null) {
  if (!wantLive || reconnectTimer) return;
  disconnect();
  clearResults(); // nothing stale over the picture while reconnecting
  if (why) { lastWhy = why; showMessage(why); }
  if (reconnects >= MAX_RECONNECTS) {
    setStatus("failed", "connection failed");
    showMessage(lastWhy || "Lost the connection to the server. Press Start to try again.");
    stop();
    return;
  }
  const delay = 1000 * 2 ** reconnects;
  reconnects += 1;
  setStatus("reconnecting", `reconnecting in ${delay / 1000} s`);
  const myGen = gen;
  reconnectTimer = setTimeout(async () => {
    reconnectTimer = null;
    if (myGen !== gen || !wantLive || peerConnection()) return;
    try {
      setStatus("connecting", "reconnecting");
      const [current, handlers] = callHandlers(myGen);
      resetViews(); // a new call: a new RTP clock
      await connect(currentStream(), current, handlers);
    } catch (err) {
      if (myGen === gen) scheduleReconnect();
    }
  }, delay);
}

export async function start() {
  showMessage("");
  const problem = checkSupport();
  if (problem) { showMessage(problem); setStatus("failed", "unavailable"); return; }
  const myGen = ++gen;
  wantLive = true;
  reconnects = 0;
  lastWhy = null;
  $("start").hidden = true;
  $("stop").hidden = false;
  $("stop").focus();
  setStatus("connecting", "opening camera");
  let stream;
  try {
    stream = await openCamera(() => myGen === gen);
  } catch (err) {
    if (myGen !== gen) return;
    showMessage(explainCameraError(err));
    setStatus("failed", "no camera");
    await stop();
    return;
  }
  if (!stream) return; // stopped while the camera opened
  stream.getVideoTracks()[0].onended = () => {
    if (myGen !== gen) return;
    showMessage("The camera stopped (it was unplugged, or its permission was taken back).");
    setStatus("failed", "camera stopped");
    stop();
  };
  video.srcObject = stream;
  startViews(video);
  $("placeholder").hidden = true;
  setStatus("connecting", "connecting");
  try {
    const [current, handlers] = callHandlers(myGen);
    await connect(stream, current, handlers);
  } catch (err) {
    if (myGen !== gen) return;
    if (err.status === 401) {
      showMessage(err.message);
      setStatus("failed", "no access");
      await stop();
    } else if (err.status === 503) {
      showMessage(`The server is full right now (${err.message}). Try again in a little while.`);
      setStatus("failed", "server full");
      await stop();
    } else if (err.status) {
      showMessage(`The server refused the call: ${err.message}`);
      setStatus("failed", "refused");
      await stop();
    } else {
      scheduleReconnect();
    }
  }
}

export async function stop() {
  const failed = currentStatus() === "failed";
  gen += 1; // anything still in flight from the last start is now stale
  wantLive = false;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  disconnect();
  stopCamera();
  stopViews();
  video.srcObject = null;
  clearResults();
  clearStats(); // nothing stale once stopped
  $("placeholder").hidden = false;
  const hadFocus = document.activeElement === $("stop");
  $("start").hidden = false;
  $("stop").hidden = true;
  if (hadFocus) $("start").focus();
  if (!failed) setStatus("idle", "stopped");
}

// Leaving the page: end the session on the server at once.
export function leave() {
  if (wantLive) disconnect();
}
