// seefood's page: camera -> WebRTC -> server; detections back on a data channel, drawn as SVG.
// No build step, no third-party code: modern browsers only (WebRTC, ES modules).

const $ = (id) => document.getElementById(id);
const video = $("video");
const photo = $("photo");
const overlay = $("overlay");
const verdictEl = $("verdict");
const SVG = "http://www.w3.org/2000/svg";
const CAMERA_KEY = "seefood.camera";

// Camera constraints: tight first (the numbers), then loose (no facing mode).
const SIZES = {
  width: { ideal: 1280, max: 1280, min: 320 },
  height: { ideal: 720, max: 720, min: 320 },
  frameRate: { ideal: 24, max: 30 },
};

const state = {
  pc: null,
  stream: null,
  sessionId: null,
  wantLive: false,
  reconnects: 0,
  reconnectTimer: null,
  gen: 0, // bumped by every start and stop
  photoSeq: 0,
  verdicts: [], // recent per-frame verdicts, for hysteresis
  shown: null, // the verdict on screen
  lastDrop: -Infinity,
  results: [], // {t, server} over the last seconds
  framesSent: null,
  encodeTimes: new Map(), // RTP timestamp -> performance.now() when encoded
  g2g: [],
};

// ---------------------------------------------------------------- status & messages

function setStatus(name, text) {
  const el = $("status");
  el.className = `status ${name}`;
  $("status-text").textContent = text || name;
  document.body.dataset.status = name;
}

function showMessage(text) {
  const el = $("message");
  el.textContent = text;
  el.hidden = !text;
}

function explainCameraError(err) {
  const name = err && err.name;
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Camera access was denied. Allow the camera for this site in the browser's settings, then press Start again.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "No camera was found. Connect a camera, or use Photo mode.";
  }
  if (name === "NotReadableError" || name === "AbortError") {
    return "The camera is busy: another app or tab may be using it. Close it and try again.";
  }
  return `The camera could not be opened (${name || err}).`;
}

function checkSupport() {
  if (!window.isSecureContext) {
    return "Browsers only open cameras on secure pages. Open this page over https " +
      "(start the server with `seefood serve --https`) or on localhost. Photo mode still works.";
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.RTCPeerConnection) {
    return "This browser has no WebRTC camera support. Try a current Chrome, Firefox or Safari, or use Photo mode.";
  }
  return null;
}

// ---------------------------------------------------------------- camera

async function openCamera(deviceId) {
  const tight = { ...SIZES };
  if (deviceId) tight.deviceId = { exact: deviceId };
  else tight.facingMode = { ideal: "environment" };
  try {
    return await navigator.mediaDevices.getUserMedia({ video: tight, audio: false });
  } catch (err) {
    if (err.name === "NotAllowedError" || err.name === "SecurityError") throw err;
    const loose = { width: SIZES.width, height: SIZES.height, frameRate: SIZES.frameRate };
    if (deviceId) loose.deviceId = deviceId; // preferred, no longer exact
    return await navigator.mediaDevices.getUserMedia({ video: loose, audio: false });
  }
}

async function listCameras(activeId) {
  const devices = (await navigator.mediaDevices.enumerateDevices())
    .filter((d) => d.kind === "videoinput");
  const select = $("camera");
  select.replaceChildren(...devices.map((d, i) => {
    const option = document.createElement("option");
    option.value = d.deviceId;
    option.textContent = d.label || `Camera ${i + 1}`;
    option.selected = d.deviceId === activeId;
    return option;
  }));
  $("camera-label").hidden = devices.length < 2;
}

// ---------------------------------------------------------------- connection

function preferH264(transceiver) {
  if (!transceiver.setCodecPreferences || !window.RTCRtpSender.getCapabilities) return;
  const codecs = RTCRtpSender.getCapabilities("video").codecs;
  const rank = (c) => {
    const mime = c.mimeType.toLowerCase();
    if (mime === "video/h264") return 0;
    if (mime === "video/vp8") return 1;
    return 2;
  };
  transceiver.setCodecPreferences([...codecs].sort((a, b) => rank(a) - rank(b)));
}

function watchEncodedFrames(sender) {
  // Where supported, note when each frame (by RTP timestamp) leaves the encoder, to time
  // capture -> boxes drawn on this page.
  if (!sender.createEncodedStreams) return;
  const { readable, writable } = sender.createEncodedStreams();
  readable.pipeThrough(new TransformStream({
    transform(frame, controller) {
      const meta = frame.getMetadata ? frame.getMetadata() : {};
      if (meta.rtpTimestamp !== undefined) {
        state.encodeTimes.set(meta.rtpTimestamp, performance.now());
        if (state.encodeTimes.size > 300) {
          state.encodeTimes.delete(state.encodeTimes.keys().next().value);
        }
      }
      controller.enqueue(frame);
    },
  })).pipeTo(writable).catch(() => {});
}

function waitForIce(pc, timeoutMs) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { pc.removeEventListener("icegatheringstatechange", check); resolve(); };
    const check = () => { if (pc.iceGatheringState === "complete") done(); };
    pc.addEventListener("icegatheringstatechange", check);
    setTimeout(done, timeoutMs);
  });
}

async function connect(gen) {
  const insertable = !!(window.RTCRtpSender && RTCRtpSender.prototype.createEncodedStreams);
  const pc = new RTCPeerConnection(insertable ? { encodedInsertableStreams: true } : {});
  state.pc = pc;
  state.framesSent = null;
  state.encodeTimes.clear();
  const track = state.stream.getVideoTracks()[0];
  const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [state.stream] });
  preferH264(transceiver);
  if (insertable) watchEncodedFrames(transceiver.sender);

  const channel = pc.createDataChannel("detections", { ordered: false, maxRetransmits: 0 });
  channel.onmessage = (event) => { if (pc === state.pc) onMessage(JSON.parse(event.data)); };
  channel.onclose = () => {
    // The server ended the session (restart, time limit): the media may linger a moment.
    if (pc === state.pc && state.wantLive) scheduleReconnect();
  };
  pc.onconnectionstatechange = () => {
    if (pc !== state.pc) return; // closed by us
    if (["failed", "disconnected", "closed"].includes(pc.connectionState)) scheduleReconnect();
  };

  await pc.setLocalDescription(await pc.createOffer());
  await waitForIce(pc, 3000); // the server takes one complete offer, no trickle
  if (gen !== state.gen) { pc.close(); return; }
  const response = await fetch("/v1/webrtc/offer", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sdp: pc.localDescription.sdp, type: pc.localDescription.type }),
  });
  if (!response.ok) {
    const detail = await response.json().then((b) => b.detail).catch(() => response.statusText);
    const err = new Error(detail);
    err.status = response.status;
    throw err;
  }
  const answer = await response.json();
  if (gen !== state.gen || pc !== state.pc) {
    // Stopped while the offer was on its way: end the session it made, at once.
    pc.close();
    deleteSession(answer.session_id);
    return;
  }
  state.sessionId = answer.session_id;
  document.body.dataset.session = answer.session_id;
  await pc.setRemoteDescription({ type: answer.type, sdp: answer.sdp });
}

function deleteSession(id) {
  // Tell the server at once; it would otherwise notice only when the video stops.
  fetch(`/v1/webrtc/sessions/${id}`, { method: "DELETE", keepalive: true }).catch(() => {});
}

function disconnect() {
  const pc = state.pc;
  const id = state.sessionId;
  state.pc = null;
  state.sessionId = null;
  delete document.body.dataset.session;
  if (pc) pc.close();
  if (id) deleteSession(id);
}

function clearResults() {
  overlay.replaceChildren();
  resetVerdict();
}

function scheduleReconnect() {
  if (!state.wantLive || state.reconnectTimer) return;
  disconnect();
  clearResults(); // nothing stale over the picture while reconnecting
  if (state.reconnects >= 5) {
    setStatus("failed", "connection failed");
    showMessage("Lost the connection to the server. Press Start to try again.");
    stop();
    return;
  }
  const delay = 1000 * 2 ** state.reconnects;
  state.reconnects += 1;
  setStatus("reconnecting", `reconnecting in ${delay / 1000} s`);
  const gen = state.gen;
  state.reconnectTimer = setTimeout(async () => {
    state.reconnectTimer = null;
    if (gen !== state.gen || !state.wantLive || state.pc) return;
    try {
      setStatus("connecting", "reconnecting");
      await connect(gen);
    } catch (err) {
      if (gen === state.gen) scheduleReconnect();
    }
  }, delay);
}

// ---------------------------------------------------------------- results

function onMessage(message) {
  if (message.type === "dropped") {
    state.lastDrop = performance.now();
    setStatus("degraded", "live, server busy");
    return;
  }
  if (message.type !== "result") return;
  state.reconnects = 0;
  const now = performance.now();
  state.results.push({ t: now, server: message.timings_ms.server_total });
  if (now - state.lastDrop > 2000) setStatus("live", "live");
  drawDetections(message);
  updateVerdict(message.verdict);
  const encoded = state.encodeTimes.get(message.frame);
  if (encoded !== undefined) {
    requestAnimationFrame(() => {
      state.g2g.push({ t: now, ms: performance.now() - encoded + encoderLatency() });
    });
  }
}

let encodeMs = 0;
function encoderLatency() { return encodeMs; }

function showVerdict(verdict) {
  state.shown = verdict;
  verdictEl.className = `verdict ${verdict}`;
  verdictEl.textContent = verdict === "hotdog" ? "Hotdog!" : "Not hotdog!";
}

function updateVerdict(verdict) {
  // Hysteresis for live video: the first verdict needs 2 agreeing frames in a row, and a
  // change needs 4 of the last 5 frames, so one odd frame never flips what is shown.
  state.verdicts.push(verdict);
  if (state.verdicts.length > 5) state.verdicts.shift();
  const agree = state.verdicts.filter((v) => v === verdict).length;
  if (state.shown === null) {
    const n = state.verdicts.length;
    if (n >= 2 && state.verdicts[n - 2] === verdict) showVerdict(verdict);
  } else if (verdict !== state.shown && agree >= 4) {
    showVerdict(verdict);
  }
}

function resetVerdict() {
  state.verdicts = [];
  state.shown = null;
  verdictEl.className = "verdict pending";
  verdictEl.textContent = "";
}

function fitOverlay(width, height, element) {
  // viewBox in the upright frame's pixels; preserveAspectRatio mirrors the media's object-fit.
  overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const fit = getComputedStyle(element).objectFit;
  overlay.setAttribute("preserveAspectRatio", fit === "cover" ? "xMidYMid slice"
    : fit === "fill" ? "none" : "xMidYMid meet");
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

function drawDetections(result) {
  const element = photo.hidden ? video : photo;
  fitOverlay(result.width, result.height, element);
  const scale = Math.max(result.width, result.height) / 640;
  const fontSize = 16 * scale;
  const tagHeight = fontSize * 1.35;
  const placed = []; // label boxes already drawn, to stack clashing labels
  const nodes = [];
  overlay.dataset.rotation = result.rotation ?? 0;
  // Hot dogs last, so they are on top.
  const sorted = [...result.detections].sort((a, b) =>
    (a.class_name === "hot dog") - (b.class_name === "hot dog") || a.score - b.score);
  // Labels are placed best-first (hot dogs first) so they keep the top spot; drawn in
  // reverse so hot dogs end up on top.
  for (const d of [...sorted].reverse()) {
    const [x, y, w, h] = d.box;
    const hot = d.class_name === "hot dog";
    const rect = svgElement("rect", { class: hot ? "box hotdog" : "box", x, y, width: w, height: h });
    rect.dataset.class = d.class_name;
    rect.dataset.score = d.score;
    const label = `${d.class_name} ${Math.round(d.score * 100)}%`;
    const tagWidth = label.length * fontSize * 0.62 + fontSize * 0.6;
    const tagX = Math.max(0, Math.min(x, result.width - tagWidth));
    let tagY = y >= tagHeight ? y - tagHeight : y;
    // Same-box detections (a hot dog that is also a sandwich): stack their labels.
    const clashes = (p) => p.x < tagX + tagWidth && tagX < p.x + p.w &&
      p.y < tagY + tagHeight && tagY < p.y + tagHeight;
    while (placed.some(clashes)) tagY += tagHeight;
    placed.push({ x: tagX, y: tagY, w: tagWidth });
    const tag = svgElement("rect", {
      class: hot ? "tag hotdog" : "tag", x: tagX, y: tagY, width: tagWidth, height: tagHeight,
      rx: 3 * scale,
    });
    const text = svgElement("text", {
      x: tagX + fontSize * 0.3, y: tagY + fontSize * 1.02, "font-size": fontSize,
    });
    text.textContent = label;
    const group = svgElement("g", {});
    group.append(rect, tag, text);
    nodes.unshift(group);
  }
  overlay.replaceChildren(...nodes);
}

// ---------------------------------------------------------------- stats

function median(values) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function updateStats() {
  const now = performance.now();
  state.results = state.results.filter((r) => now - r.t < 2000);
  state.g2g = state.g2g.filter((r) => now - r.t < 2000);
  const perSecond = state.results.length / 2;
  $("stat-ips").textContent = state.pc ? `${perSecond.toFixed(1)}/s` : "–";
  const server = median(state.results.map((r) => r.server));
  $("stat-server").textContent = server === null ? "–" : `${server.toFixed(0)} ms`;
  const g2g = median(state.g2g.map((r) => r.ms));
  $("stat-g2g").textContent = g2g === null ? "–" : `${g2g.toFixed(0)} ms`;
  if (now - state.lastDrop > 2000 && document.body.dataset.status === "degraded") {
    setStatus("live", "live");
  }
  if (!state.pc) { $("stat-fps").textContent = "–"; return; }
  try {
    const stats = await state.pc.getStats();
    stats.forEach((s) => {
      if (s.type === "outbound-rtp" && s.kind === "video") {
        if (state.framesSent) {
          const dt = (s.timestamp - state.framesSent.timestamp) / 1000;
          const fps = (s.framesSent - state.framesSent.frames) / dt;
          $("stat-fps").textContent = `${fps.toFixed(0)} fps`;
        }
        state.framesSent = { timestamp: s.timestamp, frames: s.framesSent };
        if (s.framesEncoded) encodeMs = (s.totalEncodeTime / s.framesEncoded) * 1000;
      }
    });
  } catch (err) { /* the connection is closing */ }
}

// ---------------------------------------------------------------- live mode

async function start() {
  showMessage("");
  const problem = checkSupport();
  if (problem) { showMessage(problem); setStatus("failed", "unavailable"); return; }
  const gen = ++state.gen; // every await below checks that no Stop came in between
  state.wantLive = true;
  state.reconnects = 0;
  $("start").hidden = true;
  $("stop").hidden = false;
  $("stop").focus();
  setStatus("connecting", "opening camera");
  let stream;
  try {
    stream = await openCamera(localStorage.getItem(CAMERA_KEY));
  } catch (err) {
    if (gen !== state.gen) return;
    showMessage(explainCameraError(err));
    setStatus("failed", "no camera");
    await stop();
    return;
  }
  if (gen !== state.gen) { stream.getTracks().forEach((t) => t.stop()); return; }
  state.stream = stream;
  const track = stream.getVideoTracks()[0];
  track.onended = () => {
    if (gen !== state.gen) return;
    showMessage("The camera stopped (it was unplugged, or its permission was taken back).");
    setStatus("failed", "camera stopped");
    stop();
  };
  const settings = track.getSettings();
  if (settings.deviceId) localStorage.setItem(CAMERA_KEY, settings.deviceId);
  video.srcObject = stream;
  $("placeholder").hidden = true;
  listCameras(settings.deviceId).catch(() => {});
  setStatus("connecting", "connecting");
  try {
    await connect(gen);
  } catch (err) {
    if (gen !== state.gen) return;
    if (err.status === 503) {
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

function stopCamera() {
  if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
  state.stream = null;
  video.srcObject = null;
}

async function stop() {
  const failed = document.body.dataset.status === "failed";
  state.gen += 1; // anything still in flight from the last start is now stale
  state.wantLive = false;
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  disconnect();
  stopCamera();
  clearResults();
  $("placeholder").hidden = false;
  const hadFocus = document.activeElement === $("stop");
  $("start").hidden = false;
  $("stop").hidden = true;
  if (hadFocus) $("start").focus();
  state.framesSent = null;
  if (!failed) setStatus("idle", "stopped");
}

async function switchCamera() {
  localStorage.setItem(CAMERA_KEY, $("camera").value);
  if (!state.wantLive) return;
  await stop();
  await start();
}

// ---------------------------------------------------------------- photo mode

async function detectPhoto(file) {
  const seq = ++state.photoSeq; // a newer pick wins over an older answer
  showMessage("");
  clearResults();
  if (photo.src) URL.revokeObjectURL(photo.src);
  photo.src = URL.createObjectURL(file);
  photo.hidden = false;
  video.hidden = true;
  $("placeholder").hidden = true;
  setStatus("connecting", "detecting");
  let response;
  let body = {};
  try {
    response = await fetch("/v1/detect", {
      method: "POST",
      headers: { "content-type": file.type || "application/octet-stream" },
      body: file,
    });
    body = await response.json().catch(() => ({}));
  } catch (err) {
    if (seq !== state.photoSeq) return;
    showMessage("Could not reach the server. Check the connection and try again.");
    setStatus("failed", "offline");
    return;
  }
  if (seq !== state.photoSeq) return;
  if (!response.ok) {
    const why = { 413: "too large", 415: "not an image", 422: "not an image", 503: "server busy" };
    showMessage(body.detail || `The server could not use this photo (${response.status}).`);
    setStatus("failed", why[response.status] || `error ${response.status}`);
    return;
  }
  await photo.decode().catch(() => {});
  if (seq !== state.photoSeq) return;
  drawDetections(body);
  showVerdict(body.verdict);
  setStatus("idle", `${body.timings_ms.total.toFixed(0)} ms`);
}

async function setMode(mode) {
  const live = mode === "live";
  if (live === !$("live-controls").hidden) return; // already in this mode
  if (!live && state.wantLive) await stop();
  $("mode-live").classList.toggle("active", live);
  $("mode-photo").classList.toggle("active", !live);
  $("mode-live").setAttribute("aria-pressed", live);
  $("mode-photo").setAttribute("aria-pressed", !live);
  $("live-controls").hidden = !live;
  $("photo-controls").hidden = live;
  $("stats").hidden = !live;
  photo.hidden = live;
  video.hidden = !live;
  clearResults();
  $("placeholder").hidden = false;
}

// ---------------------------------------------------------------- wiring

$("start").addEventListener("click", start);
$("stop").addEventListener("click", stop);
$("camera").addEventListener("change", switchCamera);
$("mode-live").addEventListener("click", () => setMode("live"));
$("mode-photo").addEventListener("click", () => setMode("photo"));
$("file").addEventListener("change", (e) => { if (e.target.files[0]) detectPhoto(e.target.files[0]); });
window.addEventListener("pagehide", () => { if (state.wantLive) disconnect(); });
setInterval(updateStats, 1000);

const problem = checkSupport();
if (problem) showMessage(problem);
setStatus("idle", "ready");
