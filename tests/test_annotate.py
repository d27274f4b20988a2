import numpy as np

from seefood.detection.result import Detection, DetectionResult
from seefood.stills.annotate import HOTDOG_COLOUR, VERDICT_COLOURS, annotate


def test_draws_boxes_and_banner_on_a_copy() -> None:
    image = np.full((200, 300, 3), 255, np.uint8)
    det = Detection(52, "hot dog", 0.9, (50.0, 80.0, 100.0, 60.0))
    out = np.asarray(annotate(image, DetectionResult(300, 200, [det], 0.9, 0.25)))
    assert out.shape == image.shape
    assert (image == 255).all(), "the input must not be modified"
    # The box's bottom edge is drawn in the hot-dog colour.
    assert tuple(out[139, 100]) == HOTDOG_COLOUR
    # The banner at the top centre is in the verdict's colour.
    assert tuple(out[2, 150]) == VERDICT_COLOURS["hotdog"]


def test_not_hotdog_banner() -> None:
    image = np.zeros((100, 100, 3), np.uint8)
    out = np.asarray(annotate(image, DetectionResult(100, 100, [], 0.1, 0.25)))
    assert tuple(out[1, 50]) == VERDICT_COLOURS["not_hotdog"]
