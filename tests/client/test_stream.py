"""The Python client's parts that need no server: frame sources, the track, matching results."""

import asyncio
import json
from types import SimpleNamespace

import pytest

from seefood.client.stream import StreamClient, Unreachable
from tests.conftest import noise_image


def test_results_are_matched_to_the_frames_sent() -> None:
    client = StreamClient("http://127.0.0.1:1", iter([]))
    got: list[dict[str, object]] = []
    client.on_message = got.append
    client._on_packet_sent(SimpleNamespace(timestamp=1000))
    client._sent_at[1000] -= 0.25  # as if it had left a quarter of a second ago
    client._on_message(json.dumps({"type": "result", "frame": 1000}))
    client._on_message(json.dumps({"type": "result", "frame": 2000}))
    assert "rtt_ms" in got[0] and 250 <= float(str(got[0]["rtt_ms"])) < 250 + 60_000
    assert "rtt_ms" not in got[1], "a frame this client never sent"
    asyncio.run(client.pc.close())


def test_an_unreachable_server_is_one_clear_error() -> None:
    async def main() -> None:
        client = StreamClient("http://127.0.0.1:1", iter([noise_image()]))
        try:
            await client.start()
        finally:
            await client.pc.close()

    with pytest.raises(Unreachable, match="connection refused"):
        asyncio.run(main())
