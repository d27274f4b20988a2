"""What requestors send daemons."""

import time

from seefood.inference.requests import ArrayFrame
from tests.conftest import noise_image


def test_array_frame_is_its_own_rgb_and_knows_when_it_arrived() -> None:
    image = noise_image(8, 6)
    before = time.monotonic()
    frame = ArrayFrame(image)
    assert frame.to_rgb() is image
    assert before <= frame.arrived <= time.monotonic()
