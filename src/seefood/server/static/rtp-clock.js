// The RTP clock of the frames this page sends, mapped to their capture times.
//
// Results name their frame by RTP timestamp. Chromium's encoded frames carry the RTP
// timestamp but no capture time, and the preview's requestVideoFrameCallback carries the
// capture time (metadata.captureTime, on performance.now()'s clock) but an RTP timestamp
// only for received video, never for a local camera; neither VideoFrame.timestamp (another
// clock) nor the encoded metadata names the other. What ties them: libwebrtc stamps a sent
// frame with 90 kHz x its capture time in whole milliseconds plus a random offset fixed for
// the stream, so rtp/90 = captureMs + K (mod 2^32/90), one line of known slope. K is found
// by pairing each encoded frame with each frame captured up to a second before it was
// encoded: the right K pairs nearly every encoded frame with one captured frame, within the
// millisecond rounding, while a wrong one only fits where frame spacings happen to repeat.
// A camera with very even spacing lets whole-frame shifts fit as well: of the Ks that fit
// (nearly) as well, the one with the shortest capture -> encode time is taken, since an
// earlier pairing only adds whole frame intervals and a later one would have to encode
// frames before they were captured.

const KEEP_MS = 3000; // encoded and captured frames considered: the last 3 s
const MATCH_MS = 1.5;

let encoded = []; // {rtp, ms: RTP clock in ms since rtp0, at: performance.now() when encoded}
let captured = []; // capture times (performance.now() ms) of the preview's frames
let rtp0 = null; // the first RTP timestamp seen: the RTP clock is unwrapped from it
let offset = null; // K: RTP-clock ms minus capture ms; null until found

// Milliseconds on the RTP clock since rtp0, through 32-bit wraps (good for 13 hours).
function rtpMs(rtp) {
  return ((rtp - rtp0) >>> 0) / 90;
}

export function resetClock() {
  encoded = [];
  captured = [];
  rtp0 = null;
  offset = null;
}

export function noteEncodedFrame(rtpTimestamp, at) {
  if (rtp0 === null) rtp0 = rtpTimestamp;
  encoded.push({ rtp: rtpTimestamp, ms: rtpMs(rtpTimestamp), at });
  while (encoded[0].at < at - KEEP_MS) encoded.shift();
}

export function noteCaptured(captureTime) {
  captured.push(captureTime);
  while (captured[0] < captureTime - KEEP_MS) captured.shift();
}

// Finds K anew from the frames noted lately; returns whether it is known.
export function calibrate() {
  if (encoded.length < 8 || captured.length < 8) return offset !== null;
  const bins = new Map(); // K rounded to 1 ms -> {votes, latency (sum)}
  for (const e of encoded) {
    for (const c of captured) {
      const latency = e.at - c;
      if (latency < -MATCH_MS || latency > 1000) continue;
      const k = Math.round(e.ms - c);
      const bin = bins.get(k) || { votes: 0, latency: 0 };
      bin.votes += 1;
      bin.latency += latency;
      bins.set(k, bin);
    }
  }
  // Millisecond rounding spreads the right K over neighbouring bins: score in threes.
  const scored = [];
  for (const k of bins.keys()) {
    let votes = 0;
    let latency = 0;
    for (const n of [k - 1, k, k + 1]) {
      const bin = bins.get(n);
      if (bin) { votes += bin.votes; latency += bin.latency; }
    }
    scored.push({ k, votes, latency: latency / votes });
  }
  if (!scored.length) return offset !== null;
  const best = Math.max(...scored.map((s) => s.votes));
  if (best < encoded.length / 3) return offset !== null; // too few pairs: keep the last K
  const fits = scored.filter((s) => s.votes >= 0.85 * best);
  const pick = fits.reduce((a, b) => (b.latency < a.latency ? b : a));
  // The mean of the pairs' own offsets, to well under a millisecond.
  let sum = 0;
  let n = 0;
  for (const e of encoded) {
    for (const c of captured) {
      const k = e.ms - c;
      if (Math.abs(k - pick.k) <= MATCH_MS && e.at - c >= -MATCH_MS) { sum += k; n += 1; }
    }
  }
  offset = sum / n;
  return true;
}

export function calibrated() {
  return offset !== null;
}

// The capture time (performance.now() ms) of the sent frame with this RTP timestamp.
export function captureTimeOf(rtpTimestamp) {
  if (offset === null || rtp0 === null) return null;
  return rtpMs(rtpTimestamp) - offset;
}

// The RTP timestamp the frame captured at `captureTime` was sent with: the encoded
// frame's own where it was noted, else the clock's reckoning.
export function rtpTimestampOf(captureTime) {
  if (offset === null || rtp0 === null) return null;
  const ms = captureTime + offset;
  for (let i = encoded.length - 1; i >= 0; i -= 1) {
    if (Math.abs(encoded[i].ms - ms) <= MATCH_MS) return encoded[i].rtp;
  }
  return (rtp0 + Math.round(ms * 90)) >>> 0;
}
