"""Still images' section: the batch `detect` runs and the largest image it decodes."""

import pytest
from pydantic import ValidationError

from seefood.stills.images import DEFAULT_MAX_PIXELS
from seefood.stills.settings import StillsSettings


def test_the_decoders_own_limit_and_a_batch_of_eight() -> None:
    stills = StillsSettings()
    assert (stills.batch_size, stills.max_image_pixels) == (8, DEFAULT_MAX_PIXELS)
    with pytest.raises(ValidationError, match="batch_size"):
        StillsSettings(batch_size=0)
