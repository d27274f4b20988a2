"""The data channel's wire protocol: its label and every message the server sends on it.

Messages are JSON objects with a `type`:
- `result`: one inferred frame; `frame` is its RTP timestamp, boxes are in the upright frame;
  `verdict` and `hotdog_score` are this frame's own, `live` the stream's verdict over its
  frames (see `evidence`): what a viewer is told. A hot-dog box is marked only while the
  live verdict is hotdog. Each box has a `track_id` (the same object keeps its number),
  `held` (true: not detected in this frame, its track's last box shown a moment longer) and
  `evidence` (its object's hot-dog evidence over the looks at it alone, as `live`'s; a box
  marked the hot dog whose own evidence says otherwise is not sent).
  `reused`: true when the frame had not changed since the last frame the models saw, whose
  result it repeats (see `reuse`); `glanced`: true when only the detector ran, the
  classifier's looks recalled from the stream's last frames (seefood.detection.memory);
- `dropped`: the broker dropped the stream's request under load; a newer frame follows;
- `closing`: the server is ending the session, says why, and whether calling again may
  help (`retry`: false when the same call would be ended the same way); the peer
  connection closes next;
- `alive`: sent when nothing else was for a second, with the frames received so far: a
  client hearing nothing for two seconds knows the server or the path is gone;
- `pace`: the frame rate the server will use from this camera (`fps`, null for the camera's
  own) and the longest frame side worth sending (`max_side`); sent within a second of the
  channel opening and whenever the share changes as streams come and go.
"""

from __future__ import annotations

from typing import Any

from seefood.inference.broker import Drop
from seefood.inference.requestor import Delivered
from seefood.live.evidence import LiveVerdict
from seefood.live.frames import ReceivedFrame
from seefood.live.tracks import Tracker

CHANNEL_LABEL = "detections"  # the one data channel a client opens (unordered, no retransmits)
PACE_CHANGE = 0.1  # a new pace is sent when it differs from the last by more than this share
DETAIL = 2  # a camera's frames need at most this many times the models' input side


def result_message(
    delivered: Delivered[ReceivedFrame], live: LiveVerdict, tracks: Tracker
) -> dict[str, Any]:
    """The message for one inferred frame: the still-image JSON plus the frame's identity,
    its boxes' tracks (`tracks` is updated with them), and the stream's live verdict
    (`live`, already updated with this frame)."""
    frame = delivered.frame
    # Boxes in the upright frame as it was received, even when it was inferred smaller.
    rescaled = delivered.inference.result.rescaled(*frame.upright_size)
    result = rescaled.to_json()
    glanced = frame.memory.glanced if frame.memory is not None else False
    # A glance recalls earlier looks: they are no new evidence for the tracks either.
    looks = [] if glanced else [d.looked for d in rescaled.detections]
    tracked = tracks.update(
        result.detections, result.width, result.height, frame.arrived, looks, rescaled.threshold
    )
    if live.verdict != "hotdog":  # one frame's hot dog is not yet the stream's
        tracked = [d for d in tracked if not d.hotdog]
    body = result.model_dump(exclude={"detections"})  # its boxes go out as tracked
    body["detections"] = [d.model_dump() for d in tracked]
    return {
        "type": "result",
        "frame": frame.rtp_timestamp,
        "rotation": frame.orientation.rotation,
        "flip": frame.orientation.flip,
        **body,
        "reused": False,
        "glanced": glanced,
        "live": live.to_dict(),
    }


def reused_message(
    earlier: dict[str, Any], frame: ReceivedFrame, live: LiveVerdict
) -> dict[str, Any]:
    """An unchanged frame's message: the last fresh result, for this frame, marked `reused`
    (the models did not run: every timing is 0) with the live verdict as it stands."""
    timings = dict.fromkeys(earlier["timings_ms"], 0.0)
    return {
        **earlier,
        "frame": frame.rtp_timestamp,
        "timings_ms": timings,
        "reused": True,
        "live": live.to_dict(),
    }


def pace_message(fps: float | None, max_side: int) -> dict[str, Any]:
    return {"type": "pace", "fps": fps, "max_side": max_side}


def max_side(input_size: tuple[int, int]) -> int:
    """The longest frame side worth sending: the detector sees a 416 px letterbox, and the
    classifier's crops of small boxes want about twice that detail."""
    return DETAIL * max(input_size)


def pace_changed(old: float | None, new: float | None) -> bool:
    """Whether `new` is worth telling a camera that was told `old`."""
    if old is None or new is None:
        return old is not new
    return abs(new - old) > PACE_CHANGE * old


def closing_message(reason: str, *, retry: bool = True) -> dict[str, Any]:
    return {"type": "closing", "reason": reason, "retry": retry}


def alive_message(frames: int) -> dict[str, Any]:
    return {"type": "alive", "frames": frames}


def drop_message(frame: ReceivedFrame, drop: Drop) -> dict[str, Any]:
    return {
        "type": "dropped",
        "frame": frame.rtp_timestamp,
        "reason": drop.reason,
        "queued_ms": round(drop.sojourn * 1000, 2),
    }
