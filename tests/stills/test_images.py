import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from seefood.stills.images import (
    ImageError,
    ImageTooLarge,
    decode_for_model,
    decode_image,
    load_image,
)
from tests.conftest import DEV_SET, heic_bytes, jpeg_bytes, noise_image


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


def test_grey_palette_alpha_and_cmyk_become_the_right_rgb() -> None:
    cases = [
        (Image.new("L", (10, 7), 128), "PNG", (128, 128, 128)),
        (Image.new("RGB", (10, 7), (200, 30, 40)).quantize(4), "PNG", (200, 30, 40)),
        (Image.new("RGBA", (10, 7), (10, 220, 30, 255)), "PNG", (10, 220, 30)),
        (Image.new("CMYK", (10, 7), (0, 255, 255, 0)), "JPEG", (255, 0, 0)),
    ]
    for img, fmt, rgb in cases:
        out = decode_image(_encode(img, fmt))
        assert out.shape == (7, 10, 3)
        np.testing.assert_allclose(out[3, 5], rgb, atol=3)


def test_sixteen_bit_grey_keeps_its_brightness() -> None:
    grey16 = Image.fromarray(np.full((8, 8), 32768, np.uint16))  # mid grey, 16-bit
    out = decode_image(_encode(grey16, "PNG"))
    np.testing.assert_allclose(out, 127, atol=1)


def test_corrupt_exif_never_escapes_as_another_exception() -> None:
    """Fuzz the EXIF block: every result is an upright RGB array or an ImageError."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Canon"
    exif[0x0132] = "2020:01:01 00:00:00"
    data = _encode(Image.new("RGB", (40, 20), "red"), "JPEG", exif=exif)
    start = data.find(b"Exif\x00\x00") + 6
    rng = np.random.default_rng(2)
    decoded = errors = 0
    for _ in range(3000):
        mutated = bytearray(data)
        for k in rng.integers(start, start + 180, size=int(rng.integers(1, 7))):
            mutated[k] = int(rng.integers(0, 256))
        try:
            decode_image(bytes(mutated))
            decoded += 1
        except ImageError:
            errors += 1
    assert decoded > 2000  # most mutations leave a readable picture


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


def test_bomb_over_pillows_own_cap_is_still_too_large() -> None:
    # A bare PNG header claiming 20 000 x 20 000: Pillow refuses it inside open().
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(ImageTooLarge):
        decode_image(png, max_pixels=10**12)


def test_load_image_reports_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="cannot read"):
        load_image(tmp_path / "nope.jpg")


def _big_jpeg(width: int, height: int, exif_orientation: int | None = None) -> bytes:
    from tests.conftest import DEV_SET

    photo = Image.open(DEV_SET / "hotdog" / "7974806.jpg").convert("RGB").resize((width, height))
    kw: dict[str, object] = {"quality": 90}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kw["exif"] = exif
    return _encode(photo, "JPEG", **kw)


def test_large_jpegs_decode_reduced_but_report_their_full_size() -> None:
    data = _big_jpeg(4000, 3000)
    image, size = decode_for_model(data, at_least=(416, 416))
    assert size == (4000, 3000)
    assert image.shape == (750, 1000, 3)  # libjpeg's 1/4 scale: still >= 416 both ways
    assert decode_for_model(data)[0].shape == (3000, 4000, 3)  # without a target: full
    png = _encode(Image.new("RGB", (2000, 1000)), "PNG")
    assert decode_for_model(png, at_least=(416, 416))[0].shape == (500, 1000, 3), "box-reduced"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_pillow_does(orientation: int) -> None:
    from PIL import ImageOps

    pixels = np.random.default_rng(orientation).integers(0, 256, (30, 50, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(Image.fromarray(pixels), "PNG", exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    image, size = decode_for_model(data)
    np.testing.assert_array_equal(image, expected)
    assert size == (expected.shape[1], expected.shape[0])


def test_deep_images_are_decoded_small_without_float_copies() -> None:
    """A 95 KB 16-bit PNG of 7000 x 7000 cost 3 s and 1.25 GB; now it is refused unread."""
    deep = np.zeros((7000, 7000), np.uint16)
    deep[::50] = 40000
    huge = _encode(Image.fromarray(deep), "PNG", optimize=True)
    assert len(huge) < 200_000
    with pytest.raises(ImageTooLarge, match="must be decoded whole"):
        decode_for_model(huge, at_least=(416, 416))
    big = _encode(Image.fromarray(deep[:4000, :4000]), "PNG")
    image, size = decode_for_model(big, at_least=(416, 416))
    assert size == (4000, 4000) and image.shape == (444, 444, 3)
    assert 0 < image.max() <= 255 and image.dtype == np.uint8


def test_reduced_decoding_keeps_exif_rotation_and_size() -> None:
    image, size = decode_for_model(_big_jpeg(4000, 3000, exif_orientation=6), at_least=(416, 416))
    assert size == (3000, 4000)
    assert image.shape == (1000, 750, 3)


def test_heic_decodes_like_its_jpeg_twin() -> None:
    photo = load_image(DEV_SET / "hotdog" / "7974806.jpg")
    from_heic = decode_image(heic_bytes(photo))
    from_jpeg = decode_image(jpeg_bytes(photo, quality=95))
    assert from_heic.shape == from_jpeg.shape == photo.shape
    assert np.abs(from_heic.astype(int) - from_jpeg.astype(int)).mean() < 6


def test_heic_rotation_is_honoured_once() -> None:
    """An iPhone held upright stores the sensor's pixels and a rotation (EXIF 6 / irot)."""
    image = np.zeros((60, 80, 3), np.uint8)
    image[:, :40] = 255  # left half white
    decoded = decode_image(heic_bytes(image, orientation=6))
    assert decoded.shape == (80, 60, 3)  # turned a quarter clockwise: the white on top
    assert decoded[:40].mean() > 200 and decoded[40:].mean() < 50


@pytest.mark.slow  # the dev set or a long run: not in the fast tier
def test_large_heic_is_decoded_whole_then_brought_down_and_keeps_its_size() -> None:
    big = np.asarray(
        Image.fromarray(load_image(DEV_SET / "hotdog" / "7974806.jpg")).resize((1792, 1344))
    )
    image, size = decode_for_model(heic_bytes(big, quality=60), at_least=(416, 416))
    assert size == (1792, 1344)
    assert image.shape[:2] == (448, 598)  # reduce(3) rounds up, as for PNG
    with pytest.raises(ImageTooLarge):
        decode_for_model(heic_bytes(big, quality=30), max_pixels=1_000_000)
