// The two views of the live camera.
//   live: the camera's own preview; each result is drawn as it arrives and fades as the
//     picture moves on past the frame it was computed from.
//   aligned: the preview delayed by the measured round trip, drawn on a canvas from the
//     frames kept here; each result is drawn on the very frame it was computed from, and
//     held (fading) on the frames after it until the next result's frame comes up.
// Aligned needs each frame's capture time (requestVideoFrameCallback) and the RTP clock
// (rtp-clock.js); where the browser gives neither, the page stays live.

import { clearOverlay, drawDetections, markOverlay } from "./overlay.js";
import {
  calibrate, calibrated, captureTimeOf, noteCaptured, resetClock, rtpTimestampOf,
} from "./rtp-clock.js";

const $ = (id) => document.getElementById(id);
const canvas = $("aligned");
const ctx = canvas.getContext("2d");
const KEEP_MS = 1000; // preview frames kept: at most the last second
const MAX_DELAY_MS = 900;
const ALIGNED_BELOW_MS = 250; // the automatic choice: aligned while the round trip is under
const LIVE_ABOVE_MS = 300; // ... and back to live past this (no flapping in between)
const SAME_FRAME_MS = 2; // capture times this close are one frame (RTP keeps whole ms)
const FADE_MS = 500; // a result this much older than the picture is at its faintest
const RTT_WINDOW_MS = 2000;

let video = null;
let running = false;
let chosen = null; // "aligned" or "live" once the person picks; null: automatic
let view = "live";
let frames = []; // {t: capture time, bitmap}: the kept preview, oldest first
let results = []; // {t: capture time of its frame, message}, oldest first
let rtts = []; // {at, ms}: capture -> result, over the last seconds
let newest = null; // capture time of the preview's newest frame
let delay = 0; // how far the aligned view runs behind, in ms
let shownFrame = null;
let drawnResult = null; // what the overlay shows now: {t, message}
let lastCalibration = -Infinity;
let raf = null;
let hasCaptureTimes = false; // this call's preview frames carried capture times
// What this browser can do, learnt once for the page (so the control never flips back):
// its camera frames carry capture times ("yes"/"no"), and its calls give an RTP clock.
let captureTimes = "unknown";
let framesWithout = 0;
let clockMissing = false;
let firstResultAt = null; // this call's

const supportsFrameCallbacks = "requestVideoFrameCallback" in HTMLVideoElement.prototype;

function percentile(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

function dropFrames(keepFrom) {
  while (frames.length && frames[0].t < keepFrom) frames.shift().bitmap.close();
}

function onFrame(_now, metadata) {
  if (!running) return;
  video.requestVideoFrameCallback(onFrame);
  // Optional in the spec, and absent for cameras in Firefox (and in some Safari versions).
  const t = metadata.captureTime;
  if (t === undefined) {
    framesWithout += 1;
    if (captureTimes === "unknown" && framesWithout >= 5) { captureTimes = "no"; showControl(); }
    return; // this browser gives no capture times: live only
  }
  if (captureTimes !== "yes") { captureTimes = "yes"; showControl(); }
  hasCaptureTimes = true;
  newest = t;
  noteCaptured(t);
  if (view !== "aligned") return;
  // A copy the size it is shown at (no bigger than the camera's), not the camera's own.
  const frameWidth = metadata.width || video.videoWidth; // optional fields, too
  const frameHeight = metadata.height || video.videoHeight;
  if (!frameWidth || !frameHeight) return;
  const scale = Math.min(1, (canvas.clientWidth * devicePixelRatio) / frameWidth || 1);
  const width = Math.max(2, Math.round(frameWidth * scale));
  const height = Math.max(2, Math.round(frameHeight * scale));
  createImageBitmap(video, { resizeWidth: width, resizeHeight: height }).then((bitmap) => {
    if (!running || view !== "aligned") { bitmap.close(); return; }
    frames.push({ t, bitmap });
    dropFrames(t - KEEP_MS);
  }).catch(() => {});
}

function alignedPossible() {
  return supportsFrameCallbacks && hasCaptureTimes && calibrated();
}

function wantedView() {
  if (!alignedPossible()) return "live"; // for now: until this call's clock is found
  if (chosen) return chosen;
  const now = performance.now();
  const median = percentile(rtts.filter((r) => now - r.at < RTT_WINDOW_MS).map((r) => r.ms), 0.5);
  if (median === null) return view;
  if (view === "aligned") return median > LIVE_ABOVE_MS ? "live" : "aligned";
  return median < ALIGNED_BELOW_MS ? "aligned" : "live";
}

// Whether this browser can show the aligned view: "yes" once a call's clock was found,
// "no" once it is known that it cannot be, else "unknown". Only ever learnt one way.
let alignedSeen = false;
function canAlign() {
  if (alignedSeen) return "yes";
  if (!supportsFrameCallbacks || captureTimes === "no" || clockMissing) return "no";
  return "unknown";
}

// The hint is one sentence for the whole page, so it never flips during a call: what this
// browser could do last time (remembered), else what both views do. The Aligned control is
// enabled only once aligning is shown to work, so it never offers what cannot be done.
const REMEMBERED = "seefood.aligned"; // "no": this browser could not align before
const remembered = (() => { try { return localStorage.getItem(REMEMBERED); } catch { return null; } })();
const HINT = remembered === "no" || !supportsFrameCallbacks
  ? "This browser can only show the live view."
  : "Aligned: the picture waits for its boxes. Live: no wait; boxes trail and fade.";
$("view-hint").textContent = HINT;

function showControl() {
  for (const input of document.querySelectorAll("input[name=view]")) {
    input.checked = input.value === (chosen || view);
  }
  const able = canAlign();
  try { if (able !== "unknown") localStorage.setItem(REMEMBERED, able); } catch { /* private mode */ }
  $("view-aligned").disabled = able !== "yes";
  $("view-aligned").parentElement.title = able === "no"
    ? "This browser gives no capture times for its frames, which the aligned view needs." : "";
  if ($("view-hint").textContent !== HINT) $("view-hint").textContent = HINT;
}

function setView(next) {
  if (next === view) return;
  view = next;
  document.body.dataset.view = view;
  shownFrame = null;
  drawnResult = null;
  if (view === "live") {
    canvas.hidden = true;
    dropFrames(Infinity);
    const last = results.at(-1);
    if (last) drawResult(last, video);
  }
  showControl();
}

function drawResult(result, element) {
  drawDetections(result.message, element);
  drawnResult = result;
}

// The frame on screen and how far the drawn result lags it, for the overlay and for tests.
function mark(frameTime) {
  const age = drawnResult && frameTime !== null && drawnResult.t !== null
    ? Math.max(0, frameTime - drawnResult.t) : null;
  markOverlay({
    view,
    shown: frameTime === null ? null : rtpTimestampOf(frameTime),
    frame: drawnResult ? drawnResult.message.frame : null,
    age,
    opacity: age === null ? 1 : Math.max(0.35, 1 - (0.65 * age) / FADE_MS),
  });
}

function drawAligned() {
  const target = performance.now() - delay;
  let frame = null;
  for (let i = frames.length - 1; i >= 0; i -= 1) {
    if (frames[i].t <= target) { frame = frames[i]; break; }
  }
  if (!frame) return; // nothing kept that old yet: the live preview shows meanwhile
  // A longer delay holds the picture still until it catches up; it never steps back.
  if (shownFrame && frame.t < shownFrame.t) frame = shownFrame;
  if (frame !== shownFrame) {
    if (canvas.width !== frame.bitmap.width) canvas.width = frame.bitmap.width;
    if (canvas.height !== frame.bitmap.height) canvas.height = frame.bitmap.height;
    ctx.drawImage(frame.bitmap, 0, 0);
    shownFrame = frame;
    canvas.hidden = false;
  }
  // The newest result computed on this frame or an earlier one: never one from the future.
  let result = null;
  for (let i = results.length - 1; i >= 0; i -= 1) {
    const t = results[i].t;
    if (t !== null && t <= frame.t + SAME_FRAME_MS) { result = results[i]; break; }
  }
  if (result !== drawnResult) {
    if (result) drawResult(result, canvas);
    else { clearOverlay(); drawnResult = null; }
  }
  mark(frame.t);
}

function updateDelay() {
  const now = performance.now();
  rtts = rtts.filter((r) => now - r.at < RTT_WINDOW_MS);
  const high = percentile(rtts.map((r) => r.ms), 0.9);
  if (high === null) return;
  // Enough for nearly every result to be in before its frame is shown (plus a display
  // frame's worth); raised at once, lowered slowly so the picture does not jump.
  const target = Math.min(MAX_DELAY_MS, high + 10);
  delay = target > delay ? target : Math.max(target, delay - 0.5);
}

// For the curious (and for tests): the median round trip, and what is kept.
function describe() {
  const median = percentile(rtts.map((r) => r.ms), 0.5);
  if (median === null) delete document.body.dataset.roundTrip;
  else document.body.dataset.roundTrip = median.toFixed(0);
  canvas.dataset.kept = frames.length;
  canvas.dataset.keptMs = frames.length ? (frames.at(-1).t - frames[0].t).toFixed(0) : 0;
}

function loop() {
  if (!running) return;
  raf = requestAnimationFrame(loop);
  const now = performance.now();
  if (now - lastCalibration > 500) {
    lastCalibration = now;
    if (calibrate() && hasCaptureTimes) alignedSeen = true;
    setView(wantedView());
    showControl();
    describe();
  }
  updateDelay();
  if (view === "aligned") drawAligned();
  else if (drawnResult) mark(newest);
}

// Start keeping the preview `element` (the <video> showing the camera).
export function startViews(element) {
  stopViews();
  video = element;
  running = true;
  document.body.dataset.view = view;
  framesWithout = 0;
  if (supportsFrameCallbacks) video.requestVideoFrameCallback(onFrame);
  raf = requestAnimationFrame(loop);
  showControl();
}

export function stopViews() {
  running = false;
  if (raf !== null) cancelAnimationFrame(raf);
  raf = null;
  dropFrames(Infinity);
  resetViews();
  view = "live";
  delete document.body.dataset.view;
  delete document.body.dataset.roundTrip;
  canvas.hidden = true;
  showControl();
}

// A new call: its RTP clock starts afresh, and nothing from the last call is shown.
export function resetViews() {
  resetClock();
  results = [];
  rtts = [];
  shownFrame = null;
  drawnResult = null;
  hasCaptureTimes = false;
  firstResultAt = null;
}

export function showResult(message) {
  const now = performance.now();
  // Results for five seconds and still no RTP clock: this browser gives no encoded frames'
  // timestamps (rtp-clock.js), so it cannot align; said once, not each call.
  if (firstResultAt === null) firstResultAt = now;
  if (!clockMissing && !calibrated() && now - firstResultAt > 5000 && hasCaptureTimes) {
    clockMissing = true;
    showControl();
  }
  const t = captureTimeOf(message.frame);
  if (t !== null) rtts.push({ at: now, ms: now - t });
  const result = { t, message };
  results.push(result);
  // Kept while their frames may still come up, and the one before those, to hold.
  while (results.length > 60 || (results.length > 1 && !(results[1].t >= now - KEEP_MS))) {
    results.shift();
  }
  if (view !== "aligned") {
    drawResult(result, video);
    mark(newest);
  }
}

export function chooseView(next) {
  chosen = next;
  setView(wantedView());
  showControl();
}

// The aligned view's delay in ms, or null in the live view.
export function viewDelay() {
  return view === "aligned" ? delay : null;
}
