import av
import numpy as np

from seefood.live.frames import ReceivedFrame
from seefood.live.orientation import Orientation

from .conftest import noise_image


def test_converts_to_rgb_and_turns_upright() -> None:
    sideways = noise_image(48, 64)  # what a phone held upright sends: 48 wide, 64 tall
    frame = av.VideoFrame.from_ndarray(sideways, format="rgb24")
    received = ReceivedFrame(frame, Orientation(rotation=90), arrived=1.0, rtp_timestamp=42)
    assert received.upright_size == (64, 48)
    rgb = received.to_rgb()
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, np.rot90(sideways, -1))
