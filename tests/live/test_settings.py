"""Live sessions' section: ICE servers with fixed or expiring TURN credentials, bitrates."""

import base64
import hashlib
import hmac

from seefood.live.settings import LiveSettings
from seefood.live.video_size import DEFAULT_MAX_VIDEO_PIXELS


def test_turn_credentials_made_from_the_secret_expire() -> None:
    live = LiveSettings(ice_servers=["stun:s.example", "turn:t.example"], turn_secret="s3cret")
    stun, turn = live.ice().servers(now=1000.0)
    assert stun.username is None and stun.credential is None
    assert turn.username == "4600:seefood", "an hour from now, the default time to live"
    expected = hmac.new(b"s3cret", b"4600:seefood", hashlib.sha1).digest()
    assert turn.credential == base64.b64encode(expected).decode()


def test_bitrate_hints_unless_the_start_rate_is_zero() -> None:
    hints = LiveSettings().bitrate()
    assert hints is not None and (hints.start_kbps, hints.min_kbps, hints.max_kbps) == (
        1000,
        300,
        2500,
    )
    assert LiveSettings(start_bitrate_kbps=0).bitrate() is None


def test_host_addresses_are_unset_until_given_and_frames_are_bounded_by_default() -> None:
    live = LiveSettings()
    assert live.ice_host_addresses is None and live.ice_servers == []
    assert live.max_video_pixels == DEFAULT_MAX_VIDEO_PIXELS
    given = LiveSettings.model_validate({"ice_host_addresses": "10.0.0.2, 127.0.0.1"})
    assert given.ice_host_addresses == ["10.0.0.2", "127.0.0.1"]
