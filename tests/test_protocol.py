"""The data channel's messages, built from a delivered inference."""

import av

from seefood.detection.result import Detection, DetectionResult, Timings
from seefood.inference.broker import Drop
from seefood.inference.jobs import Inference
from seefood.inference.requestor import Delivered
from seefood.live.frames import ReceivedFrame
from seefood.live.orientation import Orientation
from seefood.live.protocol import CHANNEL_LABEL, drop_message, result_message

from .conftest import noise_image


def _frame(rotation: int = 90) -> ReceivedFrame:
    video = av.VideoFrame.from_ndarray(noise_image(48, 64), format="rgb24")
    return ReceivedFrame(video, Orientation(rotation=rotation), arrived=1.0, rtp_timestamp=4242)


def test_result_message_is_the_still_result_plus_the_frame() -> None:
    hotdog = Detection(52, "hot dog", 0.8, (16.0, 12.0, 32.0, 24.0), hotdog=True)
    result = DetectionResult(64, 48, [hotdog], 0.8, 0.25, Timings(decode=1.0, inference=10.0))
    message = result_message(Delivered(_frame(), Inference(result, 1, 2.0), 0.003))
    assert message == {
        "type": "result",
        "frame": 4242,
        "rotation": 90,
        "flip": False,
        **result.to_dict(),
    }
    assert message["detections"][0]["box_norm"] == [0.25, 0.25, 0.5, 0.5]
    assert message["timings_ms"]["total"] == 11.0


def test_drop_message() -> None:
    assert drop_message(_frame(), Drop(0.0123)) == {
        "type": "dropped",
        "frame": 4242,
        "reason": "codel",
        "queued_ms": 12.3,
    }


def test_the_label_is_the_one_the_page_is_told() -> None:
    assert CHANNEL_LABEL == "detections"  # documented in the README; clients depend on it
