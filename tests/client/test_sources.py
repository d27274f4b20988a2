"""What `seefood stream` sends: a pattern, a file once or looped, turned for a sideways camera."""

import asyncio
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from seefood.client.sources import SourceError, SourceTrack, file_frames, pattern_frames
from seefood.live.orientation import Orientation
from tests.conftest import noise_image
from tests.y4m import write_y4m


def test_pattern_frames_move() -> None:
    frames = list(islice(pattern_frames(), 31))
    assert frames[0].shape == (480, 640, 3) and frames[0].dtype == np.uint8
    assert (frames[0] != frames[30]).any(), "the square moves"


def test_file_frames_play_once_or_loop(tmp_path: Path) -> None:
    clip = tmp_path / "clip.y4m"
    write_y4m(clip, [noise_image(32, 16, seed=i) for i in range(3)])
    assert len(list(file_frames(clip, loop=False))) == 3
    assert len(list(islice(file_frames(clip, loop=True), 7))) == 7
    empty = tmp_path / "empty.y4m"
    empty.write_bytes(b"YUV4MPEG2 W32 H16 F30:1 Ip A1:1 C420jpeg\n")
    assert list(file_frames(empty, loop=True)) == [], "an empty file does not loop forever"


def test_the_track_turns_frames_away_for_a_sideways_camera() -> None:
    upright = noise_image(64, 48)

    async def main() -> tuple[int, int]:
        track = SourceTrack(iter([upright]), Orientation(rotation=90))
        frame = await track.recv()
        return frame.width, frame.height

    assert asyncio.run(main()) == (48, 64), "sent as the sensor sees it, 48 wide"


def test_a_file_that_is_no_video_is_said_at_once(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping: buns, sausages")
    with pytest.raises(SourceError, match="not a video"):
        file_frames(notes, loop=True)


def test_odd_sized_frames_are_cropped_to_even_for_4_2_0() -> None:
    async def main() -> tuple[int, int]:
        track = SourceTrack(iter([noise_image(33, 21)]), Orientation())
        frame = await track.recv()
        return frame.width, frame.height

    assert asyncio.run(main()) == (32, 20)
