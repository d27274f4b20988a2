// The SVG overlay: boxes and labels in the upright frame's pixels, over the video or photo.

const overlay = document.getElementById("overlay");
const SVG = "http://www.w3.org/2000/svg";

function fitOverlay(width, height, element) {
  // viewBox in the upright frame's pixels; preserveAspectRatio mirrors the media's object-fit.
  overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const fit = getComputedStyle(element).objectFit;
  overlay.setAttribute("preserveAspectRatio", fit === "cover" ? "xMidYMid slice"
    : fit === "fill" ? "none" : "xMidYMid meet");
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

export function clearOverlay() {
  overlay.replaceChildren();
  overlay.style.opacity = "";
  for (const key of ["view", "shown", "frame", "age", "opacity"]) delete overlay.dataset[key];
}

// Which view draws the overlay, the RTP timestamp of the frame on screen (`shown`), that
// of the frame the drawn result was computed from (`frame`), how much older that frame is
// in ms (`age`, 0: the very frame on screen), and how faint the boxes are by then.
export function markOverlay({ view, shown, frame, age, opacity }) {
  const values = { view, shown, frame, age: age === null ? null : Math.round(age) };
  for (const [key, value] of Object.entries(values)) { // only what changed: no idle mutations
    if (value === null || value === undefined) delete overlay.dataset[key];
    else if (overlay.dataset[key] !== String(value)) overlay.dataset[key] = value;
  }
  const faint = opacity.toFixed(2);
  if (overlay.dataset.opacity !== faint) {
    overlay.dataset.opacity = faint;
    overlay.style.opacity = faint;
  }
}

const LABEL_PX = 14; // label text height on screen, whatever the picture's resolution
const MAX_LABELS = 6; // more labels than this crowd the picture: the rest are boxes alone

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

// Where the verdict banner covers the overlay, in the overlay's units (null if hidden).
function bannerArea() {
  const banner = document.getElementById("verdict");
  const ctm = overlay.getScreenCTM();
  if (!banner || !banner.textContent || !ctm) return null;
  const r = banner.getBoundingClientRect();
  if (!r.width) return null;
  const inv = ctm.inverse();
  const a = new DOMPoint(r.left, r.top).matrixTransform(inv);
  const b = new DOMPoint(r.right, r.bottom).matrixTransform(inv);
  return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
}

// A place for a label of size w x h near box [x, y, bw, bh]: above it, inside its top, or
// below it, kept inside the picture, clear of `taken`; null if there is none.
function placeLabel(box, w, h, width, height, taken) {
  const [x, y, bw, bh] = box;
  const left = Math.max(0, Math.min(x, width - w));
  for (const top of [y - h, y, y + bh, y + bh + h, y + bh + 2 * h, y + h, y + 2 * h]) {
    const spot = { x: left, y: Math.max(0, Math.min(top, height - h)), w, h };
    if (!taken.some((t) => overlaps(spot, t))) return spot;
  }
  return null;
}

// Live boxes belong to tracks (`d.track_id`): each track keeps its colour from result to
// result; a box its track holds without a detection this frame (`d.held`) is drawn faint.
const TRACK_COLOURS = ["#5fa8d3", "#7cb342", "#f4a261", "#9575cd", "#26a69a", "#ec407a", "#8d6e63", "#78909c"];

function trackColour(d) {
  return d.track_id === undefined ? null : TRACK_COLOURS[d.track_id % TRACK_COLOURS.length];
}

// Draw one result over `element` (the <video> or the <img>). `d.hotdog` marks the box the
// verdict is about: drawn in the hot-dog colour, on top, and labelled first.
export function drawDetections(result, element) {
  fitOverlay(result.width, result.height, element);
  const ctm = overlay.getScreenCTM();
  const unit = ctm && ctm.a ? 1 / ctm.a : Math.max(result.width, result.height) / 640;
  const fontSize = LABEL_PX * unit;
  const tagHeight = fontSize * 1.35;
  const banner = bannerArea();
  const taken = banner ? [banner] : [];
  const order = [...result.detections].sort((a, b) => (b.hotdog - a.hotdog) || (!!a.held - !!b.held) || b.score - a.score);
  const seen = new Set();
  const boxes = [];
  const labels = []; // drawn above every box, so that no outline crosses a label
  overlay.dataset.rotation = result.rotation ?? 0;
  for (const d of order) {
    const [x, y, w, h] = d.box;
    const key = d.box.map((v) => Math.round(v)).join(",");
    const colour = d.hotdog ? null : trackColour(d); // the hot dog keeps the hot-dog colour
    if (!seen.has(key)) { // one outline per place: a hot dog that is also a sandwich
      const rect = svgElement("rect", {
        class: `box${d.hotdog ? " hotdog" : ""}${d.held ? " held" : ""}`, x, y, width: w, height: h,
      });
      rect.dataset.class = d.class_name;
      rect.dataset.score = d.score;
      if (d.track_id !== undefined) rect.dataset.track = d.track_id;
      if (colour) rect.style.stroke = colour;
      boxes.push(rect);
      seen.add(key);
    }
    const label = `${d.class_name} ${Math.round(d.score * 100)}%`;
    const tagWidth = label.length * fontSize * 0.62 + fontSize * 0.6;
    const spot = taken.length - (banner ? 1 : 0) < MAX_LABELS
      ? placeLabel(d.box, tagWidth, tagHeight, result.width, result.height, taken) : null;
    if (spot) {
      taken.push(spot);
      const tag = svgElement("rect", {
        class: `tag${d.hotdog ? " hotdog" : ""}${d.held ? " held" : ""}`, x: spot.x, y: spot.y,
        width: spot.w, height: spot.h, rx: 3 * unit,
      });
      if (colour) tag.style.fill = colour;
      const text = svgElement("text", {
        x: spot.x + fontSize * 0.3, y: spot.y + fontSize * 1.02, "font-size": fontSize,
      });
      text.textContent = label;
      const group = svgElement("g", {});
      group.append(tag, text);
      labels.push(group);
    }
  }
  // The hot dog's drawn last: on top.
  overlay.replaceChildren(...boxes.reverse(), ...labels.reverse());
}
