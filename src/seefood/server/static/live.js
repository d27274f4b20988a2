// Live mode: start and stop the camera and the call; say truly what is going on (live,
// waiting for a place, reconnecting and why); come back as soon as the server does.

import { isNetworkError, reachable, sleep } from "./api.js";
import {
  checkSupport, currentStream, explainCameraError, openCamera, stopCamera,
} from "./camera.js";
import { applyPace, connect, disconnect, peerConnection, replaceCamera } from "./call.js";
import { clearOverlay } from "./overlay.js";
import { clearStats, noteResult } from "./stats.js";
import { currentStatus, setStatus, showMessage } from "./status.js";
import { resetVerdict, updateVerdict } from "./verdict.js";
import { resetViews, showResult, startViews, stopViews } from "./views.js";

const $ = (id) => document.getElementById(id);
const video = $("video");
const DEGRADED_MS = 2000; // "server busy" stays this long after a drop notice
// The server says something at least every second (results, or `alive`): two seconds of
// silence mean the server or the path is gone, and what is on screen is no longer true.
const SILENT_MS = 2000;
const PROBE_MS = 1000; // how often a lost server is looked for
const GIVE_UP_MS = 5 * 60 * 1000; // unreachable this long: stop, and say so
const HIDDEN_GRACE_MS = 1500; // a camera that ends this soon after the page hid: backgrounded

let wantLive = false;
let gen = 0; // bumped by every start and stop: anything awaited from an older one is stale
let recovering = false; // a reconnection loop runs
let lastHeard = 0; // when the call last said anything
let lastResult = 0;
let lastDrop = -Infinity;
let losses = 0; // calls lost in a row without a result in between
let cameraPaused = false; // the camera's track ended while the page was in the background
let hiddenAt = -Infinity;

export function isLive() {
  return wantLive;
}

function clearResults() {
  clearOverlay();
  resetVerdict();
}

function onMessage(message) {
  lastHeard = performance.now();
  if (message.type === "closing") {
    if (message.retry === false) {
      fail(`The server ended the session: ${message.reason}.`, "ended by the server");
    } else {
      lose(`the server ended the session: ${message.reason}`);
    }
    return;
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
  if (message.type === "alive") {
    if (performance.now() - lastResult > SILENT_MS) setStatus("connecting", "connected, no results yet");
    return;
  }
  if (message.type !== "result") return;
  lastResult = performance.now();
  if (losses) showMessage("");
  losses = 0;
  if (performance.now() - lastDrop > DEGRADED_MS) setStatus("live", "live");
  showResult(message);
  updateVerdict(message.live);
  noteResult(message);
}

// Called every quarter second: a call gone silent is lost; "server busy" ends once no drop
// came for a while.
export function tick() {
  const now = performance.now();
  const calling = wantLive && !recovering && peerConnection() && !document.hidden && !cameraPaused;
  if (calling && lastHeard && now - lastHeard > SILENT_MS) {
    lose("no answer from the server");
    return;
  }
  if (now - lastDrop > DEGRADED_MS && currentStatus() === "degraded") setStatus("live", "live");
}

function callHandlers(callGen) {
  const current = () => callGen === gen;
  const onLost = (why) => { if (current()) lose(why || "the connection was lost"); };
  const onPath = (path) => { $("stat-path").textContent = path; };
  const onWaiting = (ahead) => {
    if (!current()) return;
    const place = ahead ? `${ahead} ahead` : "next in line";
    setStatus("waiting", `waiting for a place (${place})`);
    showMessage(`The server is full right now. You are ${ahead ? `in line, ${ahead} ahead of you` : "next in line"}: the call starts by itself when a place frees.`);
  };
  return [current, { onMessage, onLost, onPath, onWaiting }];
}

// One call with the open camera: resolves once the answer is in (results come after).
async function call(myGen) {
  const [current, handlers] = callHandlers(myGen);
  resetViews(); // a new call: a new RTP clock
  lastHeard = 0;
  await connect(currentStream(), current, handlers);
  if (current() && peerConnection()) {
    lastHeard = performance.now(); // silence is counted from the answer on
    if (currentStatus() !== "live") setStatus("connecting", "connecting");
  }
}

// The call is gone (or its answers are): withdraw what is on screen, which is no longer
// true, and get back as soon as the server answers again.
function lose(why) {
  if (!wantLive || recovering) return;
  disconnect();
  clearResults(); // no verdict or boxes over the picture while they are not current
  setStatus("reconnecting", `reconnecting: ${why}`);
  recover(gen, why);
}

async function recover(myGen, why) {
  recovering = true;
  const began = performance.now();
  losses += 1;
  try {
    // A call that keeps failing waits a little longer each time (at most 8 s); a server
    // that went away is looked for every second, and called the moment it answers.
    if (losses > 1) await sleep(Math.min(8000, 1000 * 2 ** (losses - 2)));
    for (;;) {
      if (myGen !== gen || !wantLive) return;
      if (cameraPaused || document.hidden) { await sleep(500); continue; } // back first
      if (!(await reachable(1500))) {
        if (myGen !== gen || !wantLive) return;
        if (performance.now() - began > GIVE_UP_MS) {
          fail("The server has not come back for five minutes. Press Start to try again.", "server unreachable");
          return;
        }
        setStatus("reconnecting", "reconnecting: server unreachable");
        showMessage("The server cannot be reached. Trying again every second…");
        await sleep(PROBE_MS);
        continue;
      }
      if (myGen !== gen || !wantLive) return;
      setStatus("connecting", `reconnecting (${why})`);
      try {
        await call(myGen);
        return;
      } catch (err) {
        if (myGen !== gen) return;
        if (busy(err)) {
          setStatus("waiting", "waiting: the server is busy");
          showMessage(`The server is busy (${err.message}). Trying again…`);
          await sleep(1000 * (err.retryAfter || 2));
        } else if (isNetworkError(err)) {
          await sleep(PROBE_MS);
        } else {
          refused(err);
          return;
        }
      }
    }
  } finally {
    if (myGen === gen) recovering = false;
  }
}

function fail(message, pill) {
  showMessage(message);
  setStatus("failed", pill);
  stop({ keepStatus: true });
}

// 429/503 without a place in line (too many waiting already, or too many requests): the
// server is there and may take the call a little later.
function busy(err) {
  return err && (err.status === 429 || err.status === 503);
}

function refused(err) {
  if (err.status === 401) fail(err.message, "no access");
  else fail(`The server refused the call: ${err.message}`, "refused");
}

// iOS Safari ends the camera's track when the page goes to the background: that is a
// pause, not a fault. The camera opens again when the page is back, and the call goes on.
function onCameraEnded(myGen) {
  if (myGen !== gen) return;
  if (document.hidden || performance.now() - hiddenAt < HIDDEN_GRACE_MS) {
    cameraPaused = true;
    setStatus("connecting", "camera paused in the background");
    return;
  }
  fail("The camera stopped (it was unplugged, or its permission was taken back).", "camera stopped");
}

async function resumeCamera() {
  const myGen = gen;
  cameraPaused = false;
  setStatus("connecting", "opening the camera again");
  let stream;
  try {
    stream = await openCamera(() => myGen === gen);
  } catch (err) {
    if (myGen === gen) fail(explainCameraError(err), "no camera");
    return;
  }
  if (!stream) return;
  stream.getVideoTracks()[0].onended = () => onCameraEnded(myGen);
  showVideo(stream);
  lastHeard = performance.now();
  if (!(await replaceCamera(stream).catch(() => false))) lose("the camera was away");
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) { hiddenAt = performance.now(); return; }
  lastHeard = performance.now(); // back: the call gets a moment before it counts as silent
  if (wantLive && cameraPaused) resumeCamera();
});

function showVideo(stream) {
  video.srcObject = stream;
  // Safari plays a camera preview only muted, inline (playsinline) and, in some versions,
  // only once asked from a tap: ask now, and if it refuses, the next tap on the picture.
  // Only a refusal asks for the tap: an AbortError just means the call ended first.
  video.play().catch((err) => {
    if (err.name !== "NotAllowedError") return;
    showMessage("Tap the picture to start the video.");
    $("stage").addEventListener("click", () => { video.play().then(() => showMessage("")).catch(() => {}); }, { once: true });
  });
}

export async function start() {
  showMessage("");
  const problem = checkSupport();
  if (problem) { showMessage(problem); setStatus("failed", "unavailable"); return; }
  const myGen = ++gen;
  wantLive = true;
  recovering = false;
  losses = 0;
  cameraPaused = false;
  $("start").hidden = true;
  $("stop").hidden = false;
  $("stop").focus();
  setStatus("connecting", "opening camera");
  let stream;
  try {
    stream = await openCamera(() => myGen === gen);
  } catch (err) {
    if (myGen !== gen) return;
    fail(explainCameraError(err), "no camera");
    return;
  }
  if (!stream) return; // stopped while the camera opened
  stream.getVideoTracks()[0].onended = () => onCameraEnded(myGen);
  showVideo(stream);
  startViews(video);
  $("placeholder").hidden = true;
  setStatus("connecting", "connecting");
  try {
    await call(myGen);
  } catch (err) {
    if (myGen !== gen) return;
    if (isNetworkError(err)) lose("the server cannot be reached");
    else if (busy(err)) lose("the server is busy");
    else refused(err);
  }
}

export async function stop({ keepStatus = false } = {}) {
  gen += 1; // anything still in flight from the last start is now stale
  wantLive = false;
  recovering = false;
  cameraPaused = false;
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
  if (!keepStatus) { setStatus("idle", "stopped"); showMessage(""); }
}

// Leaving the page: end the session on the server at once.
export function leave() {
  if (wantLive) disconnect();
}
