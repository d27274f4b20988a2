"""Drawing detections and the verdict onto a copy of the image.

Labels are sized to the picture (readable on a thumbnail, not huge on a 12 MP photo), kept
inside it, clear of each other and of the verdict banner; a box the verdict calls the hot
dog is drawn in the hot-dog colour and labelled first; more than MAX_LABELS labels would
crowd the picture, so the rest are outlines alone.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from seefood.detection.result import Detection, DetectionResult
from seefood.types import RGBImage

HOTDOG_COLOUR = (230, 57, 70)
OTHER_COLOUR = (69, 123, 157)
VERDICT_COLOURS = {"hotdog": (46, 160, 67), "not_hotdog": (200, 40, 40)}
VERDICT_TEXT = {"hotdog": "Hotdog!", "not_hotdog": "Not hotdog!"}
MAX_LABELS = 6

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_label(
    box: tuple[float, float, float, float],
    size: tuple[float, float],
    picture: tuple[int, int],
    taken: list[Rect],
) -> Rect | None:
    """Above the box, inside its top, or below it; inside the picture; clear of `taken`."""
    x, y, _, bh = box
    w, h = size
    left = max(0.0, min(x, picture[0] - w))
    for top in (y - h, y, y + bh, y + bh + h, y + bh + 2 * h, y + h, y + 2 * h):
        top = max(0.0, min(top, picture[1] - h))
        spot = (left, top, left + w, top + h)
        if not any(_overlaps(spot, t) for t in taken):
            return spot
    return None


def annotate(image: RGBImage, result: DetectionResult) -> Image.Image:
    """A copy of `image` with labelled boxes and a verdict banner."""
    canvas = Image.fromarray(image).convert("RGB")
    draw = ImageDraw.Draw(canvas)
    size = max(canvas.width, canvas.height)
    banner_font = ImageFont.load_default(size=max(12, min(96, size // 16)))
    label_font = ImageFont.load_default(size=max(9, min(40, size // 40)))
    line = max(1, size // 300)
    # The banner first: labels keep clear of it.
    text = VERDICT_TEXT[result.verdict]
    left, top, right, bottom = draw.textbbox((0, 0), text, font=banner_font)
    pad = max(4, size // 100)
    bw, bh = right - left + 2 * pad, bottom - top + 2 * pad
    bx = (canvas.width - bw) // 2
    banner: Rect = (bx, 0, bx + bw, bh)
    taken: list[Rect] = [banner]
    order = sorted(result.detections, key=lambda d: (not d.hotdog, -d.score))
    labels: list[tuple[Rect, str, tuple[int, int, int]]] = []
    # One outline per place (a hot dog that is also a sandwich: the hot dog's), drawn with
    # the hot dog's last, on top of a table's that meets it.
    places: dict[tuple[int, ...], Detection] = {}
    for det in order:
        places.setdefault(tuple(round(v) for v in det.box), det)
    for det in reversed(places.values()):
        x, y, w, h = det.box
        colour = HOTDOG_COLOUR if det.hotdog else OTHER_COLOUR
        draw.rectangle((x, y, x + w, y + h), outline=colour, width=line * (2 if det.hotdog else 1))
    for det in order:
        colour = HOTDOG_COLOUR if det.hotdog else OTHER_COLOUR
        label = f"{det.class_name} {det.score:.0%}"
        l0, t0, r0, b0 = draw.textbbox((0, 0), label, font=label_font)
        tag = (r0 - l0 + 6.0, b0 - t0 + 4.0)
        spot = None
        if len(labels) < MAX_LABELS:
            spot = place_label(det.box, tag, canvas.size, taken)
        if spot is not None:
            taken.append(spot)
            labels.append((spot, label, colour))
    for (x0, y0, x1, y1), label, colour in reversed(labels):  # the hot dog's last: on top
        draw.rectangle((x0, y0, x1, y1), fill=colour)
        l0, t0, _, _ = draw.textbbox((0, 0), label, font=label_font)
        draw.text((x0 + 3 - l0, y0 + 2 - t0), label, fill="white", font=label_font)
    draw.rectangle(banner, fill=VERDICT_COLOURS[result.verdict])
    draw.text((bx + pad - left, pad - top), text, fill="white", font=banner_font)
    return canvas
