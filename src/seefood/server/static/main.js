// seefood's page: camera -> WebRTC -> server; detections back on a data channel, drawn as SVG.
// No build step, no third-party code: modern browsers only (WebRTC, ES modules). Each module
// owns its part of the state: camera, call, live, overlay, verdict, stats, photo, status.

import { checkSupport, chooseCamera } from "./camera.js";
import { peerConnection } from "./call.js";
import { isLive, leave, start, stop, tick } from "./live.js";
import { clearOverlay } from "./overlay.js";
import { detectPhoto, resetPhoto } from "./photo.js";
import { startSeen } from "./seen.js";
import { updateStats } from "./stats.js";
import { setStatus, showMessage } from "./status.js";
import { resetVerdict } from "./verdict.js";
import { chooseView } from "./views.js";

const $ = (id) => document.getElementById(id);

async function switchCamera() {
  chooseCamera($("camera").value);
  if (!isLive()) return;
  await stop();
  await start();
}

async function setMode(mode) {
  const live = mode === "live";
  if (live === !$("live-controls").hidden) return; // already in this mode
  if (!live && isLive()) await stop();
  $("mode-live").classList.toggle("active", live);
  $("mode-photo").classList.toggle("active", !live);
  $("mode-live").setAttribute("aria-pressed", live);
  $("mode-photo").setAttribute("aria-pressed", !live);
  $("live-controls").hidden = !live;
  $("photo-controls").hidden = live;
  $("stats").hidden = !live;
  $("photo-info").hidden = live;
  $("video").hidden = !live;
  resetPhoto(); // photo mode opens empty, saying what to do
  fitStage(0, 0);
  clearOverlay();
  resetVerdict();
  showMessage("");
  document.body.dataset.mode = mode;
  $("placeholder-text").textContent = live ? LIVE_HINT : PHOTO_HINT;
  $("placeholder").hidden = false;
  setStatus("idle", "ready");
}

const LIVE_HINT = "Point your camera at something. Is it a hot dog?";
const PHOTO_HINT = "Take or choose a photo. Is it a hot dog?";

// The stage takes the picture's own shape, so that no empty bands sit between the picture
// and the verdict drawn over its foot (a 4:3 camera on a tall phone screen).
function fitStage(width, height) {
  $("stage").style.aspectRatio = width && height ? `${width} / ${height}` : "";
}
$("video").addEventListener("loadedmetadata", (e) => fitStage(e.target.videoWidth, e.target.videoHeight));
$("video").addEventListener("resize", (e) => fitStage(e.target.videoWidth, e.target.videoHeight));
$("video").addEventListener("emptied", () => fitStage(0, 0));
$("photo").addEventListener("load", (e) => fitStage(e.target.naturalWidth, e.target.naturalHeight));

$("start").addEventListener("click", () => start());
$("stop").addEventListener("click", () => stop());
$("camera").addEventListener("change", switchCamera);
$("mode-live").addEventListener("click", () => setMode("live"));
$("mode-photo").addEventListener("click", () => setMode("photo"));
for (const input of document.querySelectorAll("input[name=view]")) {
  input.addEventListener("change", () => { if (input.checked) chooseView(input.value); });
}
$("file").addEventListener("change", (e) => { if (e.target.files[0]) detectPhoto(e.target.files[0]); });
window.addEventListener("pagehide", leave);
// Back from the browser's page cache (Safari keeps pages there): the call is long gone.
window.addEventListener("pageshow", (event) => { if (event.persisted && isLive()) stop(); });
setInterval(tick, 250);
setInterval(() => updateStats(peerConnection()), 1000);

const problem = checkSupport();
if (problem) showMessage(problem);
setStatus("idle", "ready");
startSeen();
