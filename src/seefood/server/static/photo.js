// Photo mode: take or upload a still photo, send it to /v1/detect, draw the boxes over it.

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

export async function detectPhoto(file) {
  const mine = ++seq;
  showMessage("");
  clearOverlay();
  resetVerdict();
  if (photo.src) URL.revokeObjectURL(photo.src);
  photo.src = URL.createObjectURL(file);
  photo.hidden = false;
  $("video").hidden = true;
  $("placeholder").hidden = true;
  setStatus("connecting", "detecting");
  let body;
  try {
    const response = await api("/v1/detect", {
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
      setStatus("failed", "offline");
    }
    return;
  }
  if (mine !== seq) return;
  await photo.decode().catch(() => {});
  if (mine !== seq) return;
  drawDetections(body, photo);
  showVerdict(body.verdict);
  setStatus("idle", `${body.timings_ms.total.toFixed(0)} ms`);
}
