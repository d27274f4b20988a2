from pathlib import Path

import av
import numpy as np
import pytest

from tests.conftest import noise_image
from tests.y4m import write_y4m


def test_written_frames_read_back_with_pyav(tmp_path: Path) -> None:
    frames = [np.full((48, 64, 3), (200, 40, 40), np.uint8), noise_image(64, 48)]
    path = tmp_path / "clip.y4m"
    assert write_y4m(path, frames, fps=25) == 2
    assert path.read_bytes().startswith(b"YUV4MPEG2 W64 H48 F25:1")
    with av.open(str(path)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(decoded) == 2 and decoded[0].shape == (48, 64, 3)
    np.testing.assert_allclose(decoded[0][24, 32], (200, 40, 40), atol=6)  # 4:2:0 round trip


def test_odd_sizes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        write_y4m(tmp_path / "x.y4m", [noise_image(63, 48)])
