"""Still images' settings: how many per model run, and how large one may be."""

from __future__ import annotations

from seefood.setting import Section, setting
from seefood.stills.images import DEFAULT_MAX_PIXELS


class StillsSettings(Section):
    batch_size: int = setting(
        8, "images per model run in `detect`", flag=("detect", "eval"), ge=1, le=256
    )
    max_image_pixels: int = setting(
        DEFAULT_MAX_PIXELS, "largest decoded image, width x height (413)", ge=1
    )
