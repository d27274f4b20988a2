"""Decoding untrusted image bytes into upright RGB arrays, with clear errors and size limits."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

RGBImage = NDArray[np.uint8]  # (height, width, 3)

DEFAULT_MAX_PIXELS = 50_000_000  # a 48 MP phone photo still fits; a 10k x 10k bomb does not


class ImageError(ValueError):
    """The input is not an image we can decode; the message says why, for the user."""


class ImageTooLarge(ImageError):
    """The image declares more pixels than allowed (e.g. a decompression bomb)."""


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> RGBImage:
    """Decode JPEG/PNG/WebP/... bytes to an upright (EXIF-rotated) RGB array."""
    if not data:
        raise ImageError("empty input: no image data")
    try:
        with warnings.catch_warnings():
            # Our own pixel limit below replaces PIL's bomb warning with a clear error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > max_pixels:
                raise ImageTooLarge(
                    f"image is {width}x{height} = {width * height} pixels; "
                    f"the limit is {max_pixels}"
                )
            img.load()  # the header was fine; now decode, which finds truncated data
            img = ImageOps.exif_transpose(img)
            if img.mode != "RGB":
                img = img.convert("RGB")
            return np.asarray(img)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError("not an image: the data is in no format we can decode") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"corrupt or truncated image: {exc}") from None


def load_image(path: str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> RGBImage:
    """Read and decode an image file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot read file: {exc.strerror or exc}") from None
    return decode_image(data, max_pixels=max_pixels)
