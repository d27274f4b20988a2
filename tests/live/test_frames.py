import av
import numpy as np

from seefood.live.frames import ReceivedFrame
from seefood.live.orientation import Orientation
from tests.conftest import noise_image


def test_converts_to_rgb_and_turns_upright() -> None:
    sideways = noise_image(48, 64)  # what a phone held upright sends: 48 wide, 64 tall
    frame = av.VideoFrame.from_ndarray(sideways, format="rgb24")
    received = ReceivedFrame(frame, Orientation(rotation=90), arrived=1.0, rtp_timestamp=42)
    assert received.upright_size == (64, 48)
    rgb = received.to_rgb()
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, np.rot90(sideways, -1))


def test_a_frame_larger_than_needed_is_brought_down_in_its_conversion() -> None:
    """4K from a phone, on its side: inferred at max_side, reported at its own size."""
    frame = av.VideoFrame.from_ndarray(noise_image(3840, 2160), format="rgb24")
    received = ReceivedFrame(
        frame, Orientation(rotation=90), arrived=1.0, rtp_timestamp=7, max_side=832
    )
    assert received.inferred_size == (832, 468)
    assert received.to_rgb().shape == (832, 468, 3)  # upright: tall
    assert received.upright_size == (2160, 3840)
    small = ReceivedFrame(
        av.VideoFrame.from_ndarray(noise_image(640, 480), format="rgb24"),
        Orientation(),
        arrived=1.0,
        rtp_timestamp=8,
        max_side=832,
    )
    assert small.to_rgb().shape == (480, 640, 3), "smaller frames are left as they are"
