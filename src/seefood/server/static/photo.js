// Photo mode: take or upload a still photo, send it to /v1/detect, draw the boxes over it.
// A photo this browser cannot show itself (HEIC, the iPhone's format, outside Safari) is
// shown from the server's decoded copy, so boxes land on the very picture they belong to.

import { ApiError, api } from "./api.js";
import { clearOverlay, drawDetections } from "./overlay.js";
import { setStatus, showMessage } from "./status.js";
import { resetVerdict, showVerdict } from "./verdict.js";

const $ = (id) => document.getElementById(id);
const photo = $("photo");
const WHY = {
  401: "no access", 413: "too large", 415: "not an image", 422: "not an image",
  429: "slow down", 503: "server busy",
};

let seq = 0; // a newer pick wins over an older answer
let objectUrl = null;

// Whether this browser can show `url` as an <img> (false for HEIC outside Safari).
function showable(url) {
  const probe = new Image();
  probe.src = url;
  return probe.decode().then(() => true, () => false);
}

function showPhoto(url) {
  photo.src = url;
  photo.hidden = false;
  $("placeholder").hidden = true;
}

// Photo mode with nothing chosen: an empty stage that says what to do, no broken image.
export function resetPhoto() {
  seq += 1;
  photo.hidden = true;
  photo.removeAttribute("src");
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = null;
  $("photo-info").textContent = "";
}

export async function detectPhoto(file) {
  const mine = ++seq;
  showMessage("");
  clearOverlay();
  resetVerdict();
  $("photo-info").textContent = "";
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = URL.createObjectURL(file);
  setStatus("connecting", "checking the photo");
  const own = await showable(objectUrl);
  if (mine !== seq) return;
  if (own) showPhoto(objectUrl);
  let body;
  try {
    const response = await api(own ? "/v1/detect" : "/v1/detect?preview=true", {
      method: "POST",
      headers: { "content-type": file.type || "application/octet-stream" },
      body: file,
    });
    body = await response.json();
  } catch (err) {
    if (mine !== seq) return;
    if (err instanceof ApiError) {
      showMessage(err.message);
      setStatus("failed", WHY[err.status] || `error ${err.status}`);
    } else {
      showMessage("Could not reach the server. Check the connection and try again.");
      setStatus("failed", "server unreachable");
    }
    return;
  }
  if (mine !== seq) return;
  if (!own) showPhoto(body.preview);
  await photo.decode().catch(() => {});
  if (mine !== seq) return;
  drawDetections(body, photo);
  showVerdict(body.verdict);
  setStatus("idle", "photo checked");
  $("photo-info").textContent =
    `${body.width}×${body.height}, ${body.timings_ms.total.toFixed(0)} ms on the server`;
}
