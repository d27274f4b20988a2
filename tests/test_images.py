import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from seefood.images import ImageError, ImageTooLarge, decode_image, load_image

from .conftest import jpeg_bytes, noise_image


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_decodes_jpeg_png_webp_to_rgb_uint8() -> None:
    src = noise_image(64, 48)
    for fmt in ("JPEG", "PNG", "WEBP"):
        out = decode_image(_encode(Image.fromarray(src), fmt))
        assert out.shape == (48, 64, 3) and out.dtype == np.uint8
    assert np.array_equal(decode_image(_encode(Image.fromarray(src), "PNG")), src)


def test_grey_palette_and_alpha_become_rgb() -> None:
    for mode in ("L", "P", "RGBA", "CMYK"):
        img = Image.new(mode, (10, 7))
        fmt = "JPEG" if mode == "CMYK" else "PNG"
        assert decode_image(_encode(img, fmt)).shape == (7, 10, 3)


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    out = decode_image(_encode(img, "JPEG", exif=exif))
    assert out.shape == (40, 20, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is not an image", "not an image"),
        (b"%PDF-1.4\n" + b"x" * 100, "not an image"),
    ],
)
def test_clear_errors_for_non_images(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        decode_image(data)


def test_truncated_jpeg_is_an_error() -> None:
    data = jpeg_bytes(noise_image(200, 200))
    with pytest.raises(ImageError, match="corrupt or truncated"):
        decode_image(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding() -> None:
    # 10 000 x 10 000 of one colour compresses to a few kB of PNG.
    bomb = _encode(Image.new("1", (10_000, 10_000)), "PNG")
    assert len(bomb) < 100_000
    with pytest.raises(ImageTooLarge, match="100000000 pixels"):
        decode_image(bomb)
    assert decode_image(bomb, max_pixels=100_000_000).shape == (10_000, 10_000, 3)


def test_load_image_reports_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="cannot read"):
        load_image(tmp_path / "nope.jpg")
