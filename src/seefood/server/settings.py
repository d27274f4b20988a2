"""The HTTP server's settings, and everything `seefood serve` runs on (`ServerSettings`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator

from seefood.detection.settings import EngineSettings
from seefood.inference.remote.settings import RemoteSettings
from seefood.inference.settings import InferenceSettings
from seefood.live.settings import LiveSettings
from seefood.setting import Section, Words, setting
from seefood.sightings.settings import SightingsSettings
from seefood.stills.settings import StillsSettings

SERVE = ("serve",)


class HttpSettings(Section):
    host: str = setting("127.0.0.1", "address `serve` listens on", flag=SERVE)
    port: int = setting(8000, "port `serve` listens on", flag=SERVE, ge=0, le=65535)
    https: bool = setting(
        False, "serve over TLS (browsers need it for cameras off localhost)", flag=SERVE
    )
    ssl_certfile: Path | None = setting(
        None, "TLS certificate (PEM)", shown="self-signed", flag=SERVE
    )
    ssl_keyfile: Path | None = setting(None, "TLS private key (PEM)", flag=SERVE)
    token: str | None = setting(
        None,
        "access token for the API when serving beyond loopback",
        shown="a new one each start, printed in a link",
        flag=SERVE,
    )
    allowed_hosts: Words = setting(
        description="host names clients may use besides this machine's (DNS rebinding guard)",
        factory=list,
    )
    rate_limit: float = setting(
        20, "requests per second per client beyond loopback (0: no limit)", ge=0
    )
    max_upload_bytes: int = setting(
        20 * 1024 * 1024, "largest request body `/v1/detect` accepts (413)", ge=1
    )
    header_timeout_seconds: float = setting(
        10, "longest a request's headers may take to arrive", gt=0
    )
    body_timeout_seconds: float = setting(
        15, "longest pause between two pieces of a request body", gt=0
    )
    max_connections: int = setting(1000, "HTTP connections open at once", ge=1)
    max_connections_per_client: int = setting(
        32, "HTTP connections open at once from one address", ge=1
    )
    log_level: Literal["debug", "info", "warning", "error"] = setting(
        "info", "server log level: debug, info, warning or error"
    )


class ServerSettings(
    HttpSettings,
    SightingsSettings,
    LiveSettings,
    RemoteSettings,
    InferenceSettings,
    StillsSettings,
    EngineSettings,
):
    """Every section `seefood serve` runs with (`--help` lists the last one first)."""

    @model_validator(mode="after")
    def _someone_infers(self) -> ServerSettings:
        if self.daemons == 0 and not self.ray_address:
            raise ValueError("SEEFOOD_DAEMONS=0 needs remote workers: set SEEFOOD_RAY_ADDRESS")
        return self
