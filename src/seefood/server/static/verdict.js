// The verdict banner. In live video it shows the server's live verdict, which weighs the
// evidence of many frames (seefood/live/evidence.py): one odd frame never flips it, and
// "pending" (nothing shown) until the evidence is clear either way.

const banner = document.getElementById("verdict");

export function showVerdict(verdict) {
  banner.className = `verdict ${verdict}`;
  banner.textContent = verdict === "hotdog" ? "Hotdog!" : "Not hotdog!";
  banner.title = "";
}

// `live` is a result's `live` part: {verdict, evidence, frames}.
export function updateVerdict(live) {
  if (!live || live.verdict === "pending") {
    resetVerdict();
    return;
  }
  if (!banner.classList.contains(live.verdict)) showVerdict(live.verdict);
  banner.title = `held for ${live.frames} frame${live.frames === 1 ? "" : "s"}`;
}

export function resetVerdict() {
  banner.className = "verdict pending";
  banner.textContent = "";
  banner.title = "";
}
