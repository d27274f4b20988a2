"""Decoding untrusted image bytes into upright RGB arrays, with clear errors and size limits."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import cv2
import numpy as np
import pillow_heif
from PIL import ExifTags, Image, UnidentifiedImageError

from seefood.pixels import turned
from seefood.types import RGBImage, Size

# HEIC/HEIF, the iPhone camera's format, through Pillow's usual plug-in (libheif). libheif
# applies the file's rotation and mirroring (irot/imir) itself and the plug-in then reports
# EXIF orientation 1, so `_upright` does not turn it twice.
pillow_heif.register_heif_opener()

DEFAULT_MAX_PIXELS = 50_000_000  # a 48 MP phone photo still fits; a 10k x 10k bomb does not
# Formats other than JPEG cannot be decoded at reduced scale: when decoding for the model,
# they may have this many times its input's pixels (416 x 416: 17 MP).
FULL_DECODE_FACTOR = 100
# Except HEIF: phones write it at 12, 24 and 48 MP, and always 8 bits of 4:2:0, so it costs
# no more than JPEG's decoded pixels (3 bytes each, plus 1.5 for libheif's own copy): its
# limit is the images', like JPEG's. Measured here: 12 MP in 0.5 s, 24 MP in 1.2 s.
CAMERA_FORMATS = frozenset({"JPEG", "HEIF"})


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

    With `at_least`, the image is brought down early to no less than that size in both
    dimensions, and no full-size copy beyond the decoded pixels is ever made: a large JPEG
    is decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling; a 12 MP phone photo in
    ~10 ms instead of ~90 ms), other formats are decoded whole and then box-reduced. Since
    only JPEG can be decoded small, other formats are limited to FULL_DECODE_FACTOR times
    the `at_least` area. The model, which sees 416 px, loses nothing; boxes found on the
    smaller image are scaled back with `DetectionResult.rescaled`.
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
            _check_size(img, max_pixels, at_least)
            if at_least is not None and img.format == "JPEG":
                img.draft("RGB", at_least)
            img.load()  # the header was fine; now decode, which finds truncated data
            rgb = _to_rgb(img, at_least)
            rgb, turned = _upright(img, rgb)
            return rgb, ((height, width) if turned else (width, height))
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError("not an image: the data is in no format we can decode") from None
    except Image.DecompressionBombError as exc:  # over Pillow's own hard cap (~179 MP)
        raise ImageTooLarge(f"image too large: {exc}") from None
    except Exception as exc:  # Pillow's decoders raise many types on corrupt data
        raise ImageError(f"corrupt or truncated image: {exc}") from None


def _check_size(img: Image.Image, max_pixels: int, at_least: Size | None) -> None:
    width, height = img.size
    pixels = width * height
    if pixels > max_pixels:
        raise ImageTooLarge(
            f"image is {width}x{height} = {pixels} pixels; the limit is {max_pixels}"
        )
    if at_least is not None and img.format not in CAMERA_FORMATS:
        whole = FULL_DECODE_FACTOR * at_least[0] * at_least[1]
        if pixels > whole:
            raise ImageTooLarge(
                f"image is {width}x{height} = {pixels} pixels; {img.format or 'this format'} "
                f"must be decoded whole, so its limit is {whole} pixels (a JPEG may be larger)"
            )


def _upright(img: Image.Image, rgb: RGBImage) -> tuple[RGBImage, bool]:
    """Turn `rgb` (the pixels of `img`) as its EXIF orientation says; whether it turned 90°.

    A missing or corrupt EXIF block leaves the pixels as they are.
    """
    try:
        orientation = int(img.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:  # struct.error, TypeError, ... from malformed EXIF: not worth failing
        orientation = 1
    if orientation not in _ORIENTATIONS:
        return rgb, False
    mirror, turns = _ORIENTATIONS[orientation]
    return turned(rgb, mirror=mirror, quarter_turns=turns), turns % 2 == 1


# EXIF orientation -> (mirror left-right first, then quarter turns clockwise), as
# ImageOps.exif_transpose applies it.
_ORIENTATIONS = {
    1: (False, 0),
    2: (True, 0),
    3: (False, 2),
    4: (True, 2),
    5: (True, 3),
    6: (False, 1),
    7: (True, 1),
    8: (False, 3),
}


def _reduction(size: tuple[int, int], at_least: Size | None) -> int:
    """The integer box-reduction factor that keeps both sides at least `at_least`'s."""
    if at_least is None:
        return 1
    least = max(at_least)  # either way up: EXIF may turn the image afterwards
    return max(1, min(size[0] // least, size[1] // least))


def _to_rgb(img: Image.Image, at_least: Size | None) -> RGBImage:
    factor = _reduction(img.size, at_least)
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # Deep greys: Pillow's convert() would clip them to white. Scale in numpy, reduced
        # first, without a full-size float copy.
        grey = np.asarray(img)
        if factor > 1:
            size = (grey.shape[1] // factor, grey.shape[0] // factor)
            grey = cv2.resize(
                grey.astype(np.float32 if img.mode == "F" else grey.dtype),
                size,
                interpolation=cv2.INTER_AREA,
            )
        top = float(grey.max(initial=0))
        if img.mode == "F" and top <= 1.0:
            grey = grey * 255.0
        elif top > 255.0:
            grey = grey / 257.0  # 0..65535 -> 0..255
        eight = np.clip(grey, 0, 255).astype(np.uint8)
        return np.repeat(eight[:, :, None], 3, axis=2)
    if img.mode in _REDUCIBLE:
        img = img.reduce(factor) if factor > 1 else img
        return np.asarray(img if img.mode == "RGB" else img.convert("RGB"))
    img = img.convert("RGB")  # palette and 1-bit images: reduce() takes them only as RGB
    return np.asarray(img.reduce(factor) if factor > 1 else img)


_REDUCIBLE = {"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "La", "RGBa"}


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
