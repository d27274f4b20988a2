"""ICE for the server and the client: which host addresses to offer, which STUN/TURN servers.

aioice leaves loopback addresses out of its host candidates, so a server and a client on
one machine would find no pair; when the other side is reached over loopback, 127.0.0.1 is
offered, and only it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiortc import RTCIceServer

from seefood.live import aiortc_patch


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def use_host_addresses(explicit: Sequence[str] | None, peer_host: str) -> list[str]:
    """Gather host candidates on `explicit` addresses; else on 127.0.0.1 alone when
    `peer_host` (where we serve, or the server we call) is loopback, so that nothing is
    opened on other interfaces; else on aioice's own choice (every interface but loopback)."""
    if explicit:
        addresses = list(explicit)
    elif is_loopback(peer_host):
        addresses = ["127.0.0.1"]
    else:
        addresses = aiortc_patch.aioice_host_addresses()
    aiortc_patch.set_host_addresses(addresses)
    return addresses


@dataclass(frozen=True)
class IceServers:
    """STUN/TURN servers, with TURN credentials that are fixed, or made per use.

    With `turn_secret` (coturn's `use-auth-secret` / `static-auth-secret`), each use gets a
    username that expires after `ttl` seconds and its HMAC as the credential (the "TURN REST
    API"), so a credential handed to a browser stops working soon after.
    """

    urls: tuple[str, ...] = ()
    username: str | None = None
    credential: str | None = None
    turn_secret: str | None = None
    ttl: float = 3600.0

    def servers(self, now: float | None = None) -> list[RTCIceServer]:
        username, credential = self.username, self.credential
        if self.turn_secret:
            expires = int((time.time() if now is None else now) + self.ttl)
            username = f"{expires}:seefood"
            digest = hmac.new(self.turn_secret.encode(), username.encode(), hashlib.sha1)
            credential = base64.b64encode(digest.digest()).decode()
        return [
            RTCIceServer(
                urls=url,
                username=username if url.startswith("turn") else None,
                credential=credential if url.startswith("turn") else None,
            )
            for url in self.urls
        ]
