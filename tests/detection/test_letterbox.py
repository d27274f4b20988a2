import numpy as np

from seefood.detection.letterbox import fit, resize
from tests.conftest import noise_image


def test_fit_centres_a_wide_image() -> None:
    box = fit((640, 480), (416, 416), center=True)
    assert box.scale == 416 / 640
    assert (box.inner_width, box.inner_height) == (416, 312)
    assert (box.pad_x, box.pad_y) == (0, 52)


def test_fit_top_left_has_no_offset() -> None:
    box = fit((480, 640), (416, 416), center=False)
    assert (box.inner_width, box.inner_height, box.pad_x, box.pad_y) == (312, 416, 0, 0)


def test_upscales_small_images() -> None:
    box = fit((100, 50), (416, 416), center=True)
    assert (box.inner_width, box.inner_height) == (416, 208)
    assert resize(noise_image(100, 50), box).shape == (208, 416, 3)


def test_to_source_inverts_the_mapping_and_clips() -> None:
    box = fit((640, 480), (416, 416), center=True)
    model_boxes = np.array([[104, 52 + 52, 208, 52 + 104], [-10, 0, 500, 500]], np.float32)
    src = box.to_source(model_boxes)
    np.testing.assert_allclose(src[0], [160, 80, 320, 160], atol=1e-3)
    np.testing.assert_allclose(src[1], [0, 0, 640, 480])


def test_truncating_like_yolox() -> None:
    assert fit((224, 149), (416, 416), center=False).inner_height == 277
    assert fit((224, 149), (416, 416), center=False, truncate=True).inner_height == 276
