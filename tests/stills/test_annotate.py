import numpy as np

from seefood.detection.result import Detection, DetectionResult
from seefood.stills.annotate import (
    HOTDOG_COLOUR,
    OTHER_COLOUR,
    VERDICT_COLOURS,
    annotate,
    place_label,
)


def test_draws_boxes_and_banner_on_a_copy() -> None:
    image = np.full((200, 300, 3), 255, np.uint8)
    det = Detection(52, "hot dog", 0.9, (50.0, 80.0, 100.0, 60.0), hotdog=True)
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


def test_a_hot_dog_box_the_verdict_did_not_confirm_is_not_in_the_hot_dog_colour() -> None:
    image = np.full((200, 300, 3), 255, np.uint8)
    det = Detection(52, "hot dog", 0.4, (50.0, 80.0, 100.0, 60.0), hotdog=False)
    out = np.asarray(annotate(image, DetectionResult(300, 200, [det], 0.1, 0.5)))
    assert OTHER_COLOUR in (tuple(out[139, 100]), tuple(out[140, 100]))
    assert HOTDOG_COLOUR not in {tuple(px) for px in out.reshape(-1, 3)}


def test_labels_stay_inside_clear_of_each_other_and_of_the_banner() -> None:
    """Seven boxes at the top edge of a small photo: labels never overlap or leave it."""
    taken = [(100.0, 0.0, 200.0, 30.0)]  # the banner
    spots = []
    for i in range(7):
        box = (90.0 + i, 2.0, 60.0, 40.0)  # nearly the same place each time
        spot = place_label(box, (50.0, 12.0), (300, 200), taken)
        if spot is not None:
            assert spot[0] >= 0 and spot[2] <= 300 and spot[1] >= 0 and spot[3] <= 200
            assert not any(
                spot[0] < t[2] and t[0] < spot[2] and spot[1] < t[3] and t[1] < spot[3]
                for t in taken
            )
            taken.append(spot)
            spots.append(spot)
    assert len(spots) >= 3


def test_label_size_follows_the_picture() -> None:
    small = np.full((96, 128, 3), 200, np.uint8)
    det = Detection(48, "sandwich", 0.8, (10.0, 40.0, 60.0, 40.0))
    out = np.asarray(annotate(small, DetectionResult(128, 96, [det], 0.0, 0.5)))
    banner_rows = int((out[:, 64] == VERDICT_COLOURS["not_hotdog"]).all(axis=1).sum())
    assert banner_rows < 96 * 0.3, "the banner leaves most of a thumbnail visible"


def test_the_hot_dog_outline_is_on_top_of_a_sandwich_box_that_meets_it() -> None:
    """The detector often sees a hot dog also as a sandwich, a pixel taller: the hot dog's
    outline is the one that shows (a sighting's snapshot was half blue before)."""
    image = np.full((480, 640, 3), 255, np.uint8)
    hotdog = Detection(52, "hot dog", 0.98, (46.0, 105.4, 594.0, 321.4), hotdog=True)
    sandwich = Detection(48, "sandwich", 0.46, (46.0, 105.9, 594.0, 321.4))
    out = np.asarray(annotate(image, DetectionResult(640, 480, [hotdog, sandwich], 0.98, 0.25)))
    bottom = out[423:427, 100:600]  # the hot dog's bottom edge (4 px), the sandwich's on it
    assert (bottom == HOTDOG_COLOUR).all(axis=2).all()
