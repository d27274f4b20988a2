"""Running the app under uvicorn: logs, TLS (a self-signed certificate if none is given)."""

from __future__ import annotations

import sys

import uvicorn

from seefood.config import Settings
from seefood.live import aiortc_patch
from seefood.server.app import create_app
from seefood.server.logs import configure
from seefood.server.tls import cache_dir, self_signed


def serve(settings: Settings) -> None:
    configure(settings.log_level)
    certfile, keyfile = settings.ssl_certfile, settings.ssl_keyfile
    if settings.https or certfile:
        lan = aiortc_patch.aioice_host_addresses()
        if certfile is None:
            certfile, keyfile = self_signed(cache_dir(), lan)
            print(f"seefood: self-signed certificate {certfile}", file=sys.stderr)
        if settings.host in ("0.0.0.0", "::"):
            for address in lan:
                print(
                    f"seefood: open https://{address}:{settings.port}/ on a phone on this network",
                    file=sys.stderr,
                )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
    )
