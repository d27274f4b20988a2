// A worker for RTCRtpScriptTransform (Firefox, Safari): notes when each encoded frame
// leaves the encoder, by RTP timestamp, and passes the frame on untouched. Times are sent
// as absolute milliseconds (timeOrigin + now), since a worker's clock starts at its own
// creation, not the page's.
onrtctransform = (event) => {
  const { readable, writable } = event.transformer;
  readable.pipeThrough(new TransformStream({
    transform(frame, controller) {
      const meta = frame.getMetadata ? frame.getMetadata() : {};
      if (meta.rtpTimestamp !== undefined) {
        postMessage({ rtpTimestamp: meta.rtpTimestamp, at: performance.timeOrigin + performance.now() });
      }
      controller.enqueue(frame);
    },
  })).pipeTo(writable).catch(() => {});
};
