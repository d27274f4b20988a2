// Which way the call goes: the ICE candidate types gathered and the pair that connected
// (host, server-reflexive, relay), and what to fix when no pair connects.

// prflx (peer-reflexive) is an address learned from the checks themselves: still direct.
const TYPES = { host: "direct", prflx: "direct", srflx: "through NAT (STUN)", relay: "relayed (TURN)" };

export function gatheredTypes(pc) {
  const sdp = (pc.localDescription && pc.localDescription.sdp) || "";
  return new Set([...sdp.matchAll(/ typ (\w+)/g)].map((m) => m[1]));
}

// The connected pair, as words: "direct (host ↔ host, udp)", or null before it connects.
export async function describePath(pc) {
  const stats = await pc.getStats();
  let pair = null;
  stats.forEach((s) => {
    if (s.type === "transport" && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
  });
  if (!pair) { // Firefox names the pair, not the transport
    stats.forEach((s) => { if (s.type === "candidate-pair" && (s.selected || s.nominated) && s.state === "succeeded") pair = s; });
  }
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  if (!local || !remote) return null;
  const types = [local.candidateType, remote.candidateType];
  const kind = types.includes("relay") ? "relay" : types.includes("srflx") ? "srflx" : "host";
  return `${TYPES[kind] || kind} (${local.candidateType} ↔ ${remote.candidateType}, ${local.protocol})`;
}

// What to tell the person when ICE found no working pair.
export function explainIceFailure(gathered, iceServers) {
  const hasTurn = iceServers.some((s) => [].concat(s.urls).some((u) => u.startsWith("turn")));
  if (gathered.has("relay")) {
    return "Could not connect to the server, even through the TURN relay. Check that the " +
      "TURN server is reachable and its credentials are right.";
  }
  if (hasTurn) {
    return "Could not connect to the server, and the TURN relay gave no address: the TURN " +
      "server may be down, unreachable, or refusing the credentials.";
  }
  const where = gathered.has("srflx") ? "even with STUN" : "with local addresses only";
  return `Could not connect to the server ${where}. On another network or behind a strict ` +
    "firewall, the server needs a TURN relay: set SEEFOOD_ICE_SERVERS (and TURN " +
    "credentials) where it runs. On the same network, a firewall must let UDP through.";
}
