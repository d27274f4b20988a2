"""The data channel's messages, built from a delivered inference."""

import av

from seefood.detection.result import Detection, DetectionResult, Timings
from seefood.inference.broker import Drop
from seefood.inference.requestor import Delivered
from seefood.inference.requests import Inference
from seefood.live.evidence import LiveVerdict, logit
from seefood.live.frames import ReceivedFrame
from seefood.live.orientation import Orientation
from seefood.live.protocol import (
    CHANNEL_LABEL,
    drop_message,
    max_side,
    pace_changed,
    result_message,
    reused_message,
)
from seefood.live.tracks import Tracker
from tests.conftest import noise_image


def _frame(rotation: int = 90) -> ReceivedFrame:
    video = av.VideoFrame.from_ndarray(noise_image(48, 64), format="rgb24")
    return ReceivedFrame(video, Orientation(rotation=rotation), arrived=1.0, rtp_timestamp=4242)


def test_result_message_is_the_still_result_plus_the_frame_and_the_live_verdict() -> None:
    hotdog = Detection(52, "hot dog", 0.8, (16.0, 12.0, 32.0, 24.0), hotdog=True, looked=0.8)
    result = DetectionResult(64, 48, [hotdog], 0.8, 0.25, Timings(decode=1.0, inference=10.0))
    delivered = Delivered(_frame(), Inference(result, 1, 2.0), 0.003)
    live = LiveVerdict()
    for t in (0.0, 0.1):
        live.look(result.hotdog_score, result.threshold, t)
    message = result_message(delivered, live, Tracker())
    assert message == {
        "type": "result",
        "frame": 4242,
        "rotation": 90,
        "flip": False,
        **result.to_dict(),
        "detections": [
            {
                **result.to_dict()["detections"][0],
                "track_id": 1,
                "held": False,
                "evidence": round(logit(0.8) - logit(0.25), 3),  # its first look, from the line
            }
        ],
        "reused": False,
        "glanced": False,
        "live": {"verdict": "hotdog", "evidence": round(live.evidence, 3), "frames": 1},
    }
    assert message["detections"][0]["box_norm"] == [0.25, 0.25, 0.5, 0.5]
    assert message["timings_ms"]["total"] == 11.0


def test_a_glanced_frame_says_so() -> None:
    from seefood.detection.memory import CropMemory

    memory = CropMemory()
    memory.glanced = True  # as the engine leaves it after a frame judged from memory
    frame = ReceivedFrame(_frame().frame, Orientation(), 1.0, rtp_timestamp=9, memory=memory)
    result = DetectionResult(64, 48, [], 0.1, 0.5)
    message = result_message(
        Delivered(frame, Inference(result, 1, 2.0), 0.0), LiveVerdict(), Tracker()
    )
    assert message["glanced"] is True


def test_a_glance_adds_no_evidence_to_the_tracks() -> None:
    """A glance's box scores are recalled looks: the object's evidence stays as it was."""
    from seefood.detection.memory import CropMemory

    memory = CropMemory()
    pizza = Detection(53, "pizza", 0.7, (16.0, 12.0, 32.0, 24.0), looked=0.1)
    result = DetectionResult(64, 48, [pizza], 0.1, 0.5)
    tracks = Tracker()
    evidence = []
    for glanced in (False, True, True):
        memory.glanced = glanced
        frame = ReceivedFrame(_frame().frame, Orientation(), 1.0, rtp_timestamp=9, memory=memory)
        delivered = Delivered(frame, Inference(result, 1, 2.0), 0.0)
        message = result_message(delivered, LiveVerdict(), tracks)
        evidence.append(message["detections"][0]["evidence"])
    assert evidence == [round(logit(0.1), 3)] * 3, evidence


def test_a_frames_hot_dog_box_waits_for_the_live_verdict() -> None:
    """One frame that sees a hot dog says so in its own verdict, but marks no box while the
    stream's verdict is not yet hotdog: the page never shows a hot dog it does not call."""
    hotdog = Detection(52, "hot dog", 0.8, (16.0, 12.0, 32.0, 24.0), hotdog=True)
    cup = Detection(41, "cup", 0.6, (0.0, 0.0, 8.0, 8.0))
    result = DetectionResult(64, 48, [hotdog, cup], 0.8, 0.25)
    live = LiveVerdict()
    live.look(result.hotdog_score, result.threshold, 0.0)
    message = result_message(Delivered(_frame(), Inference(result, 1, 2.0), 0.003), live, Tracker())
    assert message["verdict"] == "hotdog" and message["live"]["verdict"] == "pending"
    assert [d["class_name"] for d in message["detections"]] == ["cup"]


def test_a_reused_message_is_the_earlier_one_for_this_frame() -> None:
    result = DetectionResult(64, 48, [], 0.1, 0.5, Timings(decode=1.0, inference=10.0))
    live, tracks = LiveVerdict(), Tracker()
    earlier = result_message(Delivered(_frame(), Inference(result, 1, 2.0), 0.003), live, tracks)
    later = ReceivedFrame(_frame().frame, Orientation(rotation=90), 2.0, rtp_timestamp=7000)
    live.look(0.1, 0.5, 0.1)
    message = reused_message(earlier, later, live)
    assert message["frame"] == 7000 and message["reused"] is True
    assert set(message["timings_ms"].values()) == {0.0}, "the models did not run for it"
    assert message["live"] == live.to_dict() != earlier["live"]
    assert {
        k: v for k, v in message.items() if k not in ("frame", "reused", "timings_ms", "live")
    } == {k: v for k, v in earlier.items() if k not in ("frame", "reused", "timings_ms", "live")}


def test_drop_message() -> None:
    assert drop_message(_frame(), Drop(0.0123)) == {
        "type": "dropped",
        "frame": 4242,
        "reason": "codel",
        "queued_ms": 12.3,
    }


def test_the_label_is_the_one_the_page_is_told() -> None:
    assert CHANNEL_LABEL == "detections"  # documented in the README; clients depend on it


def test_only_changes_worth_telling_are_told() -> None:
    assert pace_changed(None, 5.0) and pace_changed(5.0, None)
    assert not pace_changed(None, None)
    assert not pace_changed(10.0, 10.5)
    assert pace_changed(10.0, 12.0)


def test_frames_larger_than_the_models_need_are_scaled_down() -> None:
    assert max_side((416, 416)) == 832
