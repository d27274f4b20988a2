"""Running the app under uvicorn: logs, TLS (a self-signed certificate if none is given)."""

from __future__ import annotations

import resource
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI

from seefood.detection.settings import build_engine
from seefood.errors import first_line
from seefood.live import aiortc_patch
from seefood.server.app import create_app
from seefood.server.connections import uvicorn_options
from seefood.server.logs import configure
from seefood.server.settings import HttpSettings, ServerSettings
from seefood.server.tls import cache_dir, self_signed
from seefood.server.wiring import Models, build_engines


def addresses_to_open(settings: HttpSettings) -> list[str]:
    """The addresses people can open: the bound one, or every interface's for 0.0.0.0 (IPv4
    only: that is all it listens on) and :: (both, as Linux's dual-stack socket takes both)."""
    if settings.host == "0.0.0.0":
        return [a for a in aiortc_patch.aioice_host_addresses() if ":" not in a]
    if settings.host == "::":
        return aiortc_patch.aioice_host_addresses()
    return [settings.host]


def startup_lines(settings: HttpSettings, *, https: bool, token: str | None) -> list[str]:
    """What to tell the person who started the server: where to open it, with the token."""
    scheme = "https" if https else "http"
    fragment = f"#token={token}" if token else ""
    lines = []
    for address in addresses_to_open(settings):
        shown = f"[{address}]" if ":" in address else address
        lines.append(f"open {scheme}://{shown}:{settings.port}/{fragment}")
    if token and not settings.token:
        lines.append("the link carries this run's access token; set SEEFOOD_TOKEN to keep one")
    return lines


def uvicorn_config(app: FastAPI, settings: HttpSettings, **overrides: Any) -> uvicorn.Config:
    """uvicorn's configuration for `app`, with the connection limits of `settings`."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        **uvicorn_options(settings),
        **overrides,
    }
    return uvicorn.Config(app, **options)


def _raise_file_limit() -> None:
    """Use every file descriptor the system allows: each connection and peer needs some."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def join_cluster(address: str) -> None:
    from seefood.inference.remote.cluster import connect

    try:
        connect(address)
    except ConnectionError as exc:
        raise RuntimeError(f"cannot join the Ray cluster at {address}: {first_line(exc)}") from None


def serve(settings: ServerSettings) -> None:
    configure(settings.log_level)
    certfile, keyfile = settings.ssl_certfile, settings.ssl_keyfile
    https = settings.https or certfile is not None
    if https and certfile is None:
        certfile, keyfile = self_signed(cache_dir(), aiortc_patch.aioice_host_addresses())
        print(f"seefood: self-signed certificate {certfile}", file=sys.stderr)
    engines = build_engines(settings, settings)  # a bad model fails here, in one line
    # Remote workers only: what the models are and take is read from a copy, once.
    models = None if engines else Models.of(build_engine(settings, 1))
    app = create_app(settings, engines, models)
    if settings.ray_address:  # so does a cluster that cannot be joined (or no Ray)
        join_cluster(settings.ray_address)
    if settings.sightings:  # and a store it cannot use
        store = settings.open_store()
        where = store.where
        store.close()
    for line in startup_lines(settings, https=https, token=app.state.policy.token):
        print(f"seefood: {line}", file=sys.stderr)
    if settings.sightings:
        print(f"seefood: sightings kept in {where} (SEEFOOD_SIGHTINGS=off: none)", file=sys.stderr)
    _raise_file_limit()
    config = uvicorn_config(
        app,
        settings,
        log_config=None,  # keep the logfmt handlers `configure` set
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
    )
    uvicorn.Server(config).run()
