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
}

// Draw one result over `element` (the <video> or the <img>). `d.hotdog` marks the box the
// verdict is about: drawn in the hot-dog colour and on top.
export function drawDetections(result, element) {
  fitOverlay(result.width, result.height, element);
  const scale = Math.max(result.width, result.height) / 640;
  const fontSize = 16 * scale;
  const tagHeight = fontSize * 1.35;
  const placed = []; // label boxes already drawn, to stack clashing labels
  const nodes = [];
  overlay.dataset.rotation = result.rotation ?? 0;
  const sorted = [...result.detections].sort((a, b) =>
    (a.hotdog - b.hotdog) || a.score - b.score);
  // Labels are placed best-first (hot dogs first) so they keep the top spot; drawn in
  // reverse so hot dogs end up on top.
  for (const d of [...sorted].reverse()) {
    const [x, y, w, h] = d.box;
    const rect = svgElement("rect", {
      class: d.hotdog ? "box hotdog" : "box", x, y, width: w, height: h,
    });
    rect.dataset.class = d.class_name;
    rect.dataset.score = d.score;
    const label = `${d.class_name} ${Math.round(d.score * 100)}%`;
    const tagWidth = label.length * fontSize * 0.62 + fontSize * 0.6;
    const tagX = Math.max(0, Math.min(x, result.width - tagWidth));
    let tagY = y >= tagHeight ? y - tagHeight : y;
    // Same-box detections (a hot dog that is also a sandwich): stack their labels.
    const clashes = (p) => p.x < tagX + tagWidth && tagX < p.x + p.w &&
      p.y < tagY + tagHeight && tagY < p.y + tagHeight;
    while (placed.some(clashes)) tagY += tagHeight;
    placed.push({ x: tagX, y: tagY, w: tagWidth });
    const tag = svgElement("rect", {
      class: d.hotdog ? "tag hotdog" : "tag", x: tagX, y: tagY, width: tagWidth,
      height: tagHeight, rx: 3 * scale,
    });
    const text = svgElement("text", {
      x: tagX + fontSize * 0.3, y: tagY + fontSize * 1.02, "font-size": fontSize,
    });
    text.textContent = label;
    const group = svgElement("g", {});
    group.append(rect, tag, text);
    nodes.unshift(group);
  }
  overlay.replaceChildren(...nodes);
}
