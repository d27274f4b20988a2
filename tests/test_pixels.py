"""Mirroring and turning: the corners go where EXIF and CVO say."""

import numpy as np

from seefood.pixels import turned


def test_mirror_first_then_quarter_turns_clockwise() -> None:
    image = np.zeros((2, 3, 3), np.uint8)
    image[0, 0] = 255  # the top-left corner, marked
    right = turned(image, mirror=False, quarter_turns=1)
    assert right.shape == (3, 2, 3) and right[0, 1, 0] == 255  # top-left -> top-right
    mirrored = turned(image, mirror=True, quarter_turns=0)
    assert mirrored[0, 2, 0] == 255
    assert turned(image, mirror=True, quarter_turns=1)[2, 1, 0] == 255  # then bottom-right
    assert turned(image, mirror=False, quarter_turns=4) is image  # nothing to do: no copy
    assert np.array_equal(turned(image, mirror=False, quarter_turns=4), image)
