"""Frames to a remote worker as JPEGs, and back."""

import numpy as np
import pytest

from seefood.inference.remote.wire import BadFrame, decode_jpeg, encode_jpeg
from seefood.types import RGBImage


def test_a_frame_survives_the_trip_in_colour(hotdog_image: RGBImage) -> None:
    data = encode_jpeg(hotdog_image)
    assert data[:2] == b"\xff\xd8" and len(data) < hotdog_image.nbytes
    back = decode_jpeg(data)
    assert back.shape == hotdog_image.shape and back.dtype == np.uint8
    # RGB stays RGB (cv2 works in BGR): the mean colour of each channel is kept.
    means = hotdog_image.reshape(-1, 3).mean(0)
    assert np.abs(back.reshape(-1, 3).mean(0) - means).max() < 2


def test_what_is_not_a_jpeg_is_a_bad_frame() -> None:
    with pytest.raises(BadFrame):
        decode_jpeg(b"not a jpeg")
