"""The data channel to a viewer: one `detections` channel, nothing queued without bound.

A real channel cannot be made to stop reading on cue, so `Channel` below stands in for
aiortc's RTCDataChannel with the four things `Messages` uses; real channels carry every
message of the WebRTC tests (tests/live/test_session.py).
"""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, cast

from aiortc import RTCDataChannel

from seefood.live.channel import MAX_BUFFERED, Messages


@dataclass
class Channel:
    label: str = "detections"
    readyState: str = "open"
    bufferedAmount: int = 0
    sent: list[str] = field(default_factory=list)
    closed: bool = False

    def send(self, data: str) -> None:
        self.sent.append(data)

    def close(self) -> None:
        self.closed = True


def _adopted(channel: Channel) -> Messages:
    messages = Messages("s1")
    messages.adopt(cast(RTCDataChannel, channel))
    return messages


def test_one_detections_channel_is_kept_and_any_other_closed() -> None:
    first, second, other = Channel(), Channel(), Channel(label="chat")
    messages = _adopted(first)
    messages.adopt(cast(RTCDataChannel, second))
    messages.adopt(cast(RTCDataChannel, other))
    assert messages.channel is cast(Any, first)
    assert second.closed and other.closed and not first.closed


def test_messages_are_compact_json_and_skipped_while_the_peer_is_not_reading() -> None:
    channel = Channel()
    messages = _adopted(channel)
    assert messages.send({"type": "alive", "frames": 3})
    assert json.loads(channel.sent[0]) == {"type": "alive", "frames": 3}
    assert " " not in channel.sent[0] and messages.last_sent > 0
    channel.bufferedAmount = MAX_BUFFERED + 1  # the viewer's phone stopped reading
    assert not messages.send({"type": "result"}) and len(channel.sent) == 1
    channel.bufferedAmount, channel.readyState = 0, "closed"
    assert not messages.send({"type": "result"}) and not messages.open


def test_drain_waits_for_the_queue_to_empty_but_not_past_its_limit() -> None:
    channel = Channel(bufferedAmount=10)
    messages = _adopted(channel)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, setattr, channel, "bufferedAmount", 0)
        await messages.drain(5.0)
        assert channel.bufferedAmount == 0
        channel.bufferedAmount = 10  # never leaves: the limit ends the wait
        await asyncio.wait_for(messages.drain(0.1), 2.0)

    asyncio.run(main())
