"""Drawing detections and the verdict onto a copy of the image."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from seefood.detection.coco import HOTDOG_CLASS_ID
from seefood.detection.result import DetectionResult
from seefood.types import RGBImage

HOTDOG_COLOUR = (230, 57, 70)
OTHER_COLOUR = (69, 123, 157)
VERDICT_COLOURS = {"hotdog": (46, 160, 67), "not_hotdog": (200, 40, 40)}
VERDICT_TEXT = {"hotdog": "Hotdog!", "not_hotdog": "Not hotdog!"}


def annotate(image: RGBImage, result: DetectionResult) -> Image.Image:
    """A copy of `image` with labelled boxes and a verdict banner."""
    canvas = Image.fromarray(image).convert("RGB")
    draw = ImageDraw.Draw(canvas)
    size = max(canvas.width, canvas.height)
    label_font = ImageFont.load_default(size=max(11, size // 45))
    line = max(2, size // 250)
    # Hot dogs last, so they are drawn on top.
    ordered = sorted(result.detections, key=lambda d: (d.class_id == HOTDOG_CLASS_ID, d.score))
    for det in ordered:
        x, y, w, h = det.box
        colour = HOTDOG_COLOUR if det.class_id == HOTDOG_CLASS_ID else OTHER_COLOUR
        draw.rectangle((x, y, x + w, y + h), outline=colour, width=line)
        label = f"{det.class_name} {det.score:.0%}"
        left, top, right, bottom = draw.textbbox((x, y), label, font=label_font)
        ty = y - (bottom - top) - 4 if y - (bottom - top) - 4 >= 0 else y
        draw.rectangle((x, ty, x + (right - left) + 6, ty + (bottom - top) + 4), fill=colour)
        draw.text((x + 3, ty + 2 - (top - y)), label, fill="white", font=label_font)
    banner_font = ImageFont.load_default(size=max(16, size // 14))
    text = VERDICT_TEXT[result.verdict]
    left, top, right, bottom = draw.textbbox((0, 0), text, font=banner_font)
    pad = max(6, size // 80)
    bw, bh = right - left + 2 * pad, bottom - top + 2 * pad
    bx = (canvas.width - bw) // 2
    draw.rectangle((bx, 0, bx + bw, bh), fill=VERDICT_COLOURS[result.verdict])
    draw.text((bx + pad - left, pad - top), text, fill="white", font=banner_font)
    return canvas
