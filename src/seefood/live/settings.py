"""Live sessions' settings: how many, how long, who waits, ICE, bitrate and frame reuse."""

from __future__ import annotations

from seefood.live.ice import IceServers
from seefood.live.sdp import BitrateHints
from seefood.live.video_size import DEFAULT_MAX_VIDEO_PIXELS
from seefood.setting import MaybeWords, Section, Words, setting


class LiveSettings(Section):
    max_sessions: int = setting(
        8, "WebRTC sessions at once, connected or connecting (more wait)", ge=1
    )
    max_connecting: int = setting(4, "of those, not yet connected (more wait)", ge=1)
    max_connecting_per_client: int = setting(
        2, "of those, from one address (more wait, and let others by meanwhile)", ge=1
    )
    max_video_pixels: int = setting(
        DEFAULT_MAX_VIDEO_PIXELS,
        "largest live video, width x height: a stream declaring more is closed, with the "
        "reason, before it is decoded (larger frames under it are scaled down)",
        shown="1920 x 1088 (1080p)",
        ge=64 * 64,
    )
    admission_wait_seconds: float = setting(
        10,
        "how long an offer waits for a place before the answer says to come back (503 with "
        "a ticket that keeps its place)",
        ge=0,
        le=30,
    )
    max_waiting: int = setting(64, "offers waiting for a place (503 beyond)", ge=0)
    max_waiting_per_client: int = setting(16, "of those, from one address (429 beyond)", ge=0)
    connect_timeout_seconds: float = setting(
        10, "a session that has not connected by then is closed", gt=0
    )
    session_max_seconds: float = setting(3600, "longest a live session may last", gt=0)
    session_idle_seconds: float = setting(10, "a session without video this long is closed", gt=0)
    live_reuse: bool = setting(
        True,
        "a live frame that has not changed since the models last looked gets their last "
        "result again (marked reused) instead of a new inference",
    )
    ice_servers: Words = setting(
        description="STUN/TURN URLs (stun:host:port, turn:host:port)", factory=list
    )
    ice_username: str | None = setting(None, "username for the TURN servers")
    ice_credential: str | None = setting(None, "credential for the TURN servers")
    turn_secret: str | None = setting(
        None,
        "the TURN server's shared secret (coturn static-auth-secret): each client then gets "
        "credentials that expire, instead of SEEFOOD_ICE_USERNAME/CREDENTIAL",
    )
    turn_ttl_seconds: float = setting(
        3600, "how long credentials made from SEEFOOD_TURN_SECRET last", gt=0
    )
    ice_host_addresses: MaybeWords = setting(
        None,
        "addresses to offer ICE host candidates on",
        shown="127.0.0.1 when serving on loopback, else every interface",
    )
    start_bitrate_kbps: int = setting(1000, "x-google-start-bitrate; 0: none", ge=0)
    min_bitrate_kbps: int = setting(300, "x-google-min-bitrate", ge=0)
    max_bitrate_kbps: int = setting(2500, "x-google-max-bitrate", ge=0)

    def ice(self) -> IceServers:
        return IceServers(
            tuple(self.ice_servers),
            self.ice_username,
            self.ice_credential,
            self.turn_secret,
            self.turn_ttl_seconds,
        )

    def bitrate(self) -> BitrateHints | None:
        """The answer's bitrate hints; None when the start rate is 0."""
        if not self.start_bitrate_kbps:
            return None
        return BitrateHints(self.start_bitrate_kbps, self.min_bitrate_kbps, self.max_bitrate_kbps)
