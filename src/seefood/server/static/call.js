// One call to the server: offer/answer over HTTP, video out, results in on a data channel.

import { ApiError, api, sleep } from "./api.js";
import { describePath, explainIceFailure, gatheredTypes } from "./connectivity.js";
import { noteEncodedFrame } from "./rtp-clock.js";
import { noteEncoded, resetCallStats } from "./stats.js";

let pc = null; // the current RTCPeerConnection
let session = null; // {id, token}: the token ends it

export function peerConnection() {
  return pc;
}

// {channel, ice_servers}: asked anew for each call, since TURN credentials may expire.
async function clientConfig() {
  return (await api("/v1/webrtc/config")).json();
}

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

function encodedFrame(rtpTimestamp, at) {
  noteEncoded(rtpTimestamp, at);
  noteEncodedFrame(rtpTimestamp, at);
}

// Note when each frame (by RTP timestamp) leaves the encoder, to time capture -> boxes and
// to find the RTP clock (rtp-clock.js): Chromium's encoded insertable streams, or the
// standard RTCRtpScriptTransform (Firefox, and Chromium where it has it).
function watchEncodedFrames(sender) {
  if (window.RTCRtpScriptTransform) {
    const worker = new Worker("/static/encoded-frames.js");
    worker.onmessage = ({ data }) => encodedFrame(data.rtpTimestamp, data.at - performance.timeOrigin);
    sender.transform = new RTCRtpScriptTransform(worker, {});
    return;
  }
  if (!sender.createEncodedStreams) return;
  const { readable, writable } = sender.createEncodedStreams();
  readable.pipeThrough(new TransformStream({
    transform(frame, controller) {
      const meta = frame.getMetadata ? frame.getMetadata() : {};
      if (meta.rtpTimestamp !== undefined) encodedFrame(meta.rtpTimestamp, performance.now());
      controller.enqueue(frame);
    },
  })).pipeTo(writable).catch(() => {});
}

function waitForIce(conn, timeoutMs) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { conn.removeEventListener("icegatheringstatechange", check); resolve(); };
    const check = () => { if (conn.iceGatheringState === "complete") done(); };
    conn.addEventListener("icegatheringstatechange", check);
    setTimeout(done, timeoutMs);
  });
}

// The connected pair, once the browser's stats name it: right after "connected" they may
// not yet (a loaded machine's Chromium gave none, and the path stayed blank all call).
async function showPath(conn, isCurrent, onPath) {
  for (let i = 0; i < 20 && isCurrent(); i++) {
    const path = await describePath(conn).catch(() => null);
    if (path) { if (isCurrent()) onPath(path); return; }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Call the server with the camera's `stream`. `isCurrent()` says whether the caller still
// wants this call after each wait; `onMessage` gets each data-channel message, `onLost` is
// called when the server ends the session or the connection fails (with a sentence for the
// person when ICE never connected), `onPath` with the way the call goes once it connects,
// `onWaiting(ahead, detail)` while the server is full and the call waits in its line.
// Throws an ApiError (with the HTTP status) when the server refuses, fetch's TypeError
// when it cannot be reached.
export async function connect(stream, isCurrent, { onMessage, onLost, onPath, onWaiting }) {
  const { channel: label, ice_servers: iceServers } = await clientConfig();
  // Chromium needs its legacy flag for encoded streams; the standard transform does not.
  const insertable = !window.RTCRtpScriptTransform &&
    !!(window.RTCRtpSender && RTCRtpSender.prototype.createEncodedStreams);
  const conn = new RTCPeerConnection(
    insertable ? { iceServers, encodedInsertableStreams: true } : { iceServers });
  pc = conn;
  resetCallStats();
  const track = stream.getVideoTracks()[0];
  const transceiver = conn.addTransceiver(track, { direction: "sendonly", streams: [stream] });
  preferH264(transceiver);
  if (insertable || window.RTCRtpScriptTransform) watchEncodedFrames(transceiver.sender);

  // Safari may leave a data channel's `id` null until SCTP is up: nothing here reads it,
  // the channel is told apart by its label alone, on both sides.
  const channel = conn.createDataChannel(label, { ordered: false, maxRetransmits: 0 });
  channel.onmessage = (event) => { if (conn === pc) onMessage(JSON.parse(event.data)); };
  // The server ended the session (restart, time limit): the media may linger a moment.
  channel.onclose = () => { if (conn === pc) onLost(); };
  let connected = false;
  conn.onconnectionstatechange = () => {
    if (conn !== pc) return; // closed by us
    if (conn.connectionState === "connected") {
      connected = true;
      showPath(conn, () => conn === pc, onPath);
    } else if (["failed", "disconnected", "closed"].includes(conn.connectionState)) {
      onLost(connected ? null : explainIceFailure(gatheredTypes(conn), iceServers));
    }
  };

  await conn.setLocalDescription(await conn.createOffer());
  await waitForIce(conn, 3000); // the server takes one complete offer, no trickle
  if (!isCurrent()) { conn.close(); return; }
  const answer = await offerInLine(conn, isCurrent, onWaiting);
  if (!answer || !isCurrent() || conn !== pc) {
    // Stopped while the offer was on its way: end the session it made, at once.
    conn.close();
    if (answer) deleteSession({ id: answer.session_id, token: answer.token });
    return;
  }
  session = { id: answer.session_id, token: answer.token };
  document.body.dataset.session = answer.session_id;
  await conn.setRemoteDescription({ type: answer.type, sdp: answer.sdp });
}

// The server's answer to the offer. While it is full it holds the offer a while, then
// answers 503 with a ticket: the same offer goes again with it, keeping this call's place
// in line, until a place frees (or the caller gives up: null).
async function offerInLine(conn, isCurrent, onWaiting) {
  const body = { sdp: conn.localDescription.sdp, type: conn.localDescription.type };
  for (;;) {
    try {
      const response = await api("/v1/webrtc/offer", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return await response.json();
    } catch (err) {
      const ticket = err instanceof ApiError && err.status === 503 && err.body.ticket;
      if (!ticket) throw err;
      body.ticket = ticket;
      if (onWaiting) onWaiting(err.body.ahead, err.message);
      await sleep(1000 * (err.retryAfter ?? 1));
      if (!isCurrent() || conn !== pc) return null;
    }
  }
}

// A new camera track for the call on its way (the old one ended: iOS ends it in the
// background); false when there is no call to give it to.
export async function replaceCamera(stream) {
  const sender = pc && pc.getSenders().find((s) => s.track === null || s.track.kind === "video");
  if (!sender || pc.connectionState === "closed") return false;
  await sender.replaceTrack(stream.getVideoTracks()[0]);
  return true;
}

// The server's pace: the frame rate it will use from this camera (null: the camera's own)
// and the longest side worth sending. Frames beyond those would only be thrown away there.
export async function applyPace({ fps, max_side: maxSide }) {
  const conn = pc;
  const sender = conn && conn.getSenders().find((s) => s.track && s.track.kind === "video");
  if (!sender) return;
  const params = sender.getParameters();
  if (!params.encodings || !params.encodings.length) return;
  const { width = 0, height = 0 } = sender.track.getSettings();
  const side = Math.max(width, height);
  if (fps) params.encodings[0].maxFramerate = fps;
  else delete params.encodings[0].maxFramerate; // the camera's own rate
  params.encodings[0].scaleResolutionDownBy = maxSide && side > maxSide ? side / maxSide : 1;
  try {
    await sender.setParameters(params);
    document.body.dataset.pace = fps ? String(fps) : "camera";
  } catch (err) {
    console.warn("could not apply the server's pace", err);
  }
}

function deleteSession({ id, token }) {
  // Tell the server at once; it would otherwise notice only when the video stops.
  api(`/v1/webrtc/sessions/${id}`, {
    method: "DELETE", keepalive: true, headers: { "x-session-token": token },
  }).catch(() => {});
}

export function disconnect() {
  const conn = pc;
  const ending = session;
  pc = null;
  session = null;
  delete document.body.dataset.session;
  delete document.body.dataset.pace;
  if (conn) conn.close();
  if (ending) deleteSession(ending);
}
