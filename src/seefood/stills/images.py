"""Decoding untrusted image bytes into upright RGB arrays, with clear errors and size limits."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from seefood.types import RGBImage

DEFAULT_MAX_PIXELS = 50_000_000  # a 48 MP phone photo still fits; a 10k x 10k bomb does not


class ImageError(ValueError):
    """The input is not an image we can decode; the message says why, for the user."""


class ImageTooLarge(ImageError):
    """The image declares more pixels than allowed (e.g. a decompression bomb)."""


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> RGBImage:
    """Decode JPEG/PNG/WebP/... bytes to an upright (EXIF-rotated) RGB array."""
    return decode_for_model(data, max_pixels=max_pixels)[0]


def decode_for_model(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, at_least: tuple[int, int] | None = None
) -> tuple[RGBImage, tuple[int, int]]:
    """Decode, and the upright (width, height) of the full image.

    With `at_least`, a large JPEG is decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling)
    as long as it stays at least that big: a 12 MP phone photo decodes in ~10 ms instead of
    ~90 ms, and the model, which sees 416 px, loses nothing. Boxes found on the smaller image
    are scaled back with `DetectionResult.rescaled`.
    """
    if not data:
        raise ImageError("empty input: no image data")
    try:
        with warnings.catch_warnings():
            # Pillow warns about bombs (our own limit below says it clearly) and about odd
            # metadata it skips; neither is the caller's business.
            warnings.simplefilter("ignore")
            img: Image.Image = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > max_pixels:
                raise ImageTooLarge(
                    f"image is {width}x{height} = {width * height} pixels; "
                    f"the limit is {max_pixels}"
                )
            if at_least is not None and img.format == "JPEG":
                img.draft("RGB", at_least)
            scale_x, scale_y = width / img.size[0], height / img.size[1]
            img.load()  # the header was fine; now decode, which finds truncated data
            img = _upright(img)
            if img.size != (round(width / scale_x), round(height / scale_y)):  # turned 90°
                width, height = height, width
            return _to_rgb(img), (width, height)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError("not an image: the data is in no format we can decode") from None
    except Image.DecompressionBombError as exc:  # over Pillow's own hard cap (~179 MP)
        raise ImageTooLarge(f"image too large: {exc}") from None
    except Exception as exc:  # Pillow's decoders raise many types on corrupt data
        raise ImageError(f"corrupt or truncated image: {exc}") from None


def _upright(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a corrupt EXIF block leaves the pixels as they are."""
    try:
        return ImageOps.exif_transpose(img)
    except Exception:  # struct.error, TypeError, ... from malformed EXIF: not worth failing
        return img


def _to_rgb(img: Image.Image) -> RGBImage:
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greys: Pillow's convert() would clip them to white; scale instead.
        grey = np.asarray(img, dtype=np.float64)
        top = grey.max(initial=0.0)
        if img.mode == "F" and top <= 1.0:
            grey = grey * 255.0
        elif top > 255.0:
            grey = grey / 257.0  # 0..65535 -> 0..255
        eight = np.clip(grey, 0, 255).astype(np.uint8)
        return np.repeat(eight[:, :, None], 3, axis=2)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.asarray(img)


def load_image(path: str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> RGBImage:
    """Read and decode an image file."""
    return load_for_model(path, max_pixels=max_pixels)[0]


def load_for_model(
    path: str | Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    at_least: tuple[int, int] | None = None,
) -> tuple[RGBImage, tuple[int, int]]:
    """Read and decode an image file, as `decode_for_model` does."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot read file: {exc.strerror or exc}") from None
    return decode_for_model(data, max_pixels=max_pixels, at_least=at_least)
