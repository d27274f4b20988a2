// A worker for RTCRtpScriptTransform (Firefox, Safari): notes when each encoded frame
// leaves the encoder, by RTP timestamp, and passes the frame on untouched. Times are sent
// as absolute milliseconds (timeOrigin + now), since a worker's clock starts at its own
// creation, not the page's.
onrtctransform = (event) => {
  const { readable, writable } = event.transformer;
  readable.pipeThrough(new TransformStream({
    transform(frame, controller) {
      const meta = frame.getMetadata ? frame.getMetadata() : {};
      // The RTP timestamp: in the metadata where the browser has it there, else the frame's
      // own `timestamp`, which the spec first defined as the RTP timestamp (Firefox 140.12
      // ESR's metadata has no rtpTimestamp).
      const rtpTimestamp = meta.rtpTimestamp ?? frame.timestamp;
      if (rtpTimestamp !== undefined) {
        postMessage({ rtpTimestamp, at: performance.timeOrigin + performance.now() });
      }
      controller.enqueue(frame);
    },
  })).pipeTo(writable).catch(() => {});
};
