// The stats line: frames sent per second, inferences per second, server time,
// capture -> boxes (a frame leaving the encoder, plus the encoder's own time, to its boxes),
// and how far the aligned view runs behind the camera.

import { viewDelay } from "./views.js";

const $ = (id) => document.getElementById(id);
const WINDOW_MS = 2000;

const encodeTimes = new Map(); // RTP timestamp -> performance.now() when encoded
let encodeMs = 0; // the encoder's average time per frame, from getStats
let results = []; // {t, server} over the last seconds
let g2g = []; // {t, ms}
let framesSent = null; // the last outbound-rtp sample

export function resetCallStats() {
  framesSent = null;
  encodeTimes.clear();
}

// Stopped: every figure goes back to "–" at once, not when it ages out.
export function clearStats() {
  results = [];
  g2g = [];
  resetCallStats();
  for (const id of ["stat-fps", "stat-ips", "stat-server", "stat-g2g", "stat-delay", "stat-path"]) {
    $(id).textContent = "–";
  }
}

export function noteEncoded(rtpTimestamp, at = performance.now()) {
  encodeTimes.set(rtpTimestamp, at);
  if (encodeTimes.size > 300) encodeTimes.delete(encodeTimes.keys().next().value);
}

export function noteResult(message) {
  const now = performance.now();
  // A reused result (the frame had not changed) cost no inference: counted apart.
  results.push({ t: now, server: message.reused ? null : message.timings_ms.total });
  const encoded = encodeTimes.get(message.frame);
  if (encoded !== undefined) {
    // Measured once the boxes are on screen.
    requestAnimationFrame(() => g2g.push({ t: now, ms: performance.now() - encoded + encodeMs }));
  }
}

function median(values) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function updateStats(pc) {
  const now = performance.now();
  results = results.filter((r) => now - r.t < WINDOW_MS);
  g2g = g2g.filter((r) => now - r.t < WINDOW_MS);
  const fresh = results.filter((r) => r.server !== null);
  const reused = results.length - fresh.length;
  $("stat-ips").textContent = !pc ? "–" : `${(fresh.length / (WINDOW_MS / 1000)).toFixed(1)}/s`
    + (reused ? ` + ${(reused / (WINDOW_MS / 1000)).toFixed(1)} reused/s` : "");
  const server = median(fresh.map((r) => r.server));
  $("stat-server").textContent = server === null ? "–" : `${server.toFixed(0)} ms`;
  const toBoxes = median(g2g.map((r) => r.ms));
  $("stat-g2g").textContent = toBoxes === null ? "–" : `${toBoxes.toFixed(0)} ms`;
  const delay = viewDelay();
  $("stat-delay").textContent = !pc ? "–" : delay === null ? "none (live)" : `${delay.toFixed(0)} ms`;
  if (!pc) { $("stat-fps").textContent = "–"; return; }
  try {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type !== "outbound-rtp" || s.kind !== "video") return;
      if (framesSent) {
        const dt = (s.timestamp - framesSent.timestamp) / 1000;
        $("stat-fps").textContent = `${((s.framesSent - framesSent.frames) / dt).toFixed(0)} fps`;
      }
      framesSent = { timestamp: s.timestamp, frames: s.framesSent };
      if (s.framesEncoded) encodeMs = (s.totalEncodeTime / s.framesEncoded) * 1000;
    });
  } catch (err) { /* the connection is closing */ }
}
