// The verdict banner, with hysteresis for live video: the first verdict needs 2 agreeing
// frames in a row, and a change needs 4 of the last 5, so one odd frame never flips it.

const banner = document.getElementById("verdict");
let recent = []; // the last few per-frame verdicts
let shown = null; // the verdict on screen

export function showVerdict(verdict) {
  shown = verdict;
  banner.className = `verdict ${verdict}`;
  banner.textContent = verdict === "hotdog" ? "Hotdog!" : "Not hotdog!";
}

export function updateVerdict(verdict) {
  recent.push(verdict);
  if (recent.length > 5) recent.shift();
  const agree = recent.filter((v) => v === verdict).length;
  if (shown === null) {
    const n = recent.length;
    if (n >= 2 && recent[n - 2] === verdict) showVerdict(verdict);
  } else if (verdict !== shown && agree >= 4) {
    showVerdict(verdict);
  }
}

export function resetVerdict() {
  recent = [];
  shown = null;
  banner.className = "verdict pending";
  banner.textContent = "";
}
