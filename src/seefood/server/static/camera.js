// The camera: support checks, opening it (tight constraints, then loose), the picker.

const $ = (id) => document.getElementById(id);
const CAMERA_KEY = "seefood.camera";

const SIZES = {
  width: { ideal: 1280, max: 1280, min: 320 },
  height: { ideal: 720, max: 720, min: 320 },
  frameRate: { ideal: 24, max: 30 },
};

let stream = null; // the open camera's MediaStream

export function currentStream() {
  return stream;
}

export function checkSupport() {
  if (!window.isSecureContext) {
    return "Browsers only open cameras on secure pages. Open this page over https " +
      "(start the server with `seefood serve --https`) or on localhost. Photo mode still works.";
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.RTCPeerConnection) {
    return "This browser has no WebRTC camera support. Try a current Chrome, Firefox or Safari, or use Photo mode.";
  }
  return null;
}

export function explainCameraError(err) {
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

async function getUserMedia(deviceId) {
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

// Open the remembered camera (or the back one); `isCurrent()` says whether the caller still
// wants it once the browser answers. Returns the stream, or null if no longer wanted.
export async function openCamera(isCurrent) {
  const opened = await getUserMedia(localStorage.getItem(CAMERA_KEY));
  if (!isCurrent()) {
    opened.getTracks().forEach((t) => t.stop());
    return null;
  }
  stream = opened;
  const settings = opened.getVideoTracks()[0].getSettings();
  if (settings.deviceId) localStorage.setItem(CAMERA_KEY, settings.deviceId);
  listCameras(settings.deviceId).catch(() => {});
  return opened;
}

export function chooseCamera(deviceId) {
  localStorage.setItem(CAMERA_KEY, deviceId);
}

export function stopCamera() {
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
}
