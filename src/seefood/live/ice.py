"""ICE for the server and the client: which host addresses to offer, which STUN/TURN servers.

aioice leaves loopback addresses out of its host candidates, so a server and a client on
one machine would find no pair; when the other side is reached over loopback, 127.0.0.1 is
offered, and only it.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def ice_servers(
    urls: Sequence[str], username: str | None = None, credential: str | None = None
) -> list[RTCIceServer]:
    """STUN/TURN servers; the credentials go to TURN URLs only."""
    return [
        RTCIceServer(
            urls=url,
            username=username if url.startswith("turn") else None,
            credential=credential if url.startswith("turn") else None,
        )
        for url in urls
    ]
