"""Every setting in one place: defaults, overridable by `SEEFOOD_*` variables and CLI flags."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from seefood.detection.classifier import DEFAULT_CLASSIFIER_PRECISION, Classifier
from seefood.detection.detector import DEFAULT_IOU_THRESHOLD, DEFAULT_MIN_SCORE, Detector
from seefood.detection.hotdog import HotdogDetector
from seefood.detection.model import DEFAULT_DETECTOR_PRECISION, Precision
from seefood.detection.verdict import Source
from seefood.inference.broker import DEFAULT_INTERVAL, DEFAULT_TARGET
from seefood.inference.remote.proxy import DEFAULT_DEADLINE
from seefood.inference.requestor import DEFAULT_BACKOFF
from seefood.live.video_size import DEFAULT_MAX_VIDEO_PIXELS
from seefood.stills.images import DEFAULT_MAX_PIXELS

MAX_DEFAULT_DAEMONS = 4


def default_daemons(cores: int | None) -> int:
    """One daemon per core, up to four (then more threads each): the models are small, and
    two sessions running at once served 1.4x what one of two threads did here (two cores:
    37-40 against 25-29 frames/s of 8 dev hot-dog photos, one frame at a time each)."""
    return max(1, min(cores or 1, MAX_DEFAULT_DAEMONS))


def default_threads(cores: int | None, daemons: int) -> int:
    """onnxruntime threads per session: the cores shared among the daemons, but two while
    there are no more daemons than cores, so that one stream alone (one frame in flight, one
    daemon busy) still has two cores: 26 frames/s rather than 20 with one thread, while two
    daemons of two threads each on two cores served 0.93-0.96 of what two of one thread did.
    More daemons than cores get one thread each."""
    cores = cores or 1
    if daemons > cores:
        return 1
    return min(cores, max(2, cores // max(daemons, 1)))


class Settings(BaseSettings):
    """seefood's configuration. Each field `name` is read from `SEEFOOD_NAME`."""

    model_config = SettingsConfigDict(env_prefix="SEEFOOD_", extra="ignore")

    model: Path | None = Field(
        None, description="ONNX detector file", json_schema_extra={"shown": "the shipped NanoDet-g"}
    )
    verdict: Source = Field(
        Source.COMBINED,
        description="what decides hotdog: combined (classifier and detector), classifier "
        "(the whole frame's classification alone) or detector (its hot-dog box alone)",
    )
    classifier: Path | None = Field(
        None,
        description="ImageNet-1k ONNX classifier (square RGB input, (x - 127) / 128)",
        json_schema_extra={"shown": "the shipped EfficientNet-Lite2"},
    )
    detector_precision: Precision = Field(
        DEFAULT_DETECTOR_PRECISION,
        description="the shipped detector quantised (int8: with the int8 classifier the verdict "
        "about 2x faster than both in fp32, its recall within 2 points) or as converted "
        "(fp32); a --model file is used as it is",
    )
    classifier_precision: Precision = Field(
        DEFAULT_CLASSIFIER_PRECISION,
        description="the shipped classifier quantised (int8: the same answers; with the int8 "
        "detector the verdict 2.1-2.3x faster than both in fp32) or as converted (fp32); a "
        "--classifier file is used as it is",
    )
    providers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="onnxruntime execution providers to try in order (cuda, tensorrt, "
        "openvino, coreml, directml, or full names); the CPU is always the fallback",
        json_schema_extra={"shown": "cpu"},
    )
    threshold: float | None = Field(
        None,
        gt=0,
        le=1,
        description="hot-dog score for a 'hotdog' verdict",
        json_schema_extra={"shown": "0.5 (combined, classifier), 0.25 (detector)"},
    )
    min_score: float = Field(
        DEFAULT_MIN_SCORE, gt=0, le=1, description="lowest score reported for other classes"
    )
    iou_threshold: float = Field(DEFAULT_IOU_THRESHOLD, gt=0, le=1, description="NMS IoU")
    threads: int | None = Field(
        None,
        ge=1,
        description="onnxruntime threads per session",
        json_schema_extra={"shown": "cores / daemons, 2 at least (1 beyond a daemon per core)"},
    )
    batch_size: int = Field(8, ge=1, le=256, description="images per model run in `detect`")
    host: str = Field("127.0.0.1", description="address `serve` listens on")
    port: int = Field(8000, ge=0, le=65535, description="port `serve` listens on")
    max_upload_bytes: int = Field(
        20 * 1024 * 1024, ge=1, description="largest request body `/v1/detect` accepts (413)"
    )
    max_image_pixels: int = Field(
        DEFAULT_MAX_PIXELS, ge=1, description="largest decoded image, width x height (413)"
    )
    daemons: int = Field(
        default_factory=lambda: default_daemons(os.cpu_count()),
        ge=0,
        le=64,
        description="local inference daemons in `serve`, each with its own sessions (0: only "
        "remote workers, see SEEFOOD_RAY_ADDRESS)",
        json_schema_extra={"shown": f"one per core, up to {MAX_DEFAULT_DAEMONS}"},
    )
    ray_address: str | None = Field(
        None,
        description="a Ray cluster's head (host:port, or auto on a node of it): its nodes "
        "started with `seefood worker` run inference daemons too "
        "(from a checkout: pip install -c constraints.txt '.[ray]')",
    )
    worker_deadline_ms: float = Field(
        DEFAULT_DEADLINE * 1000,
        gt=0,
        description="longest a remote worker may take over a batch before its requests go to "
        "other daemons and it counts as down until it answers again",
    )
    max_batch: int = Field(
        4,
        ge=1,
        le=64,
        description="most queued requests a daemon runs as one batch (what is queued when it "
        "comes back for work: a batch of four costs 0.7 of four runs alone)",
    )
    max_batch_wait_ms: float = Field(
        0.0, ge=0, le=1000, description="how long a daemon waits to fill a batch"
    )
    codel_target_ms: float = Field(
        DEFAULT_TARGET * 1000, gt=0, description="broker queue: CoDel target sojourn"
    )
    codel_interval_ms: float = Field(
        DEFAULT_INTERVAL * 1000, gt=0, description="broker queue: CoDel interval"
    )
    drop_backoff_ms: float = Field(
        DEFAULT_BACKOFF * 1000, ge=0, description="a dropped stream asks again after this"
    )
    pace: bool = Field(
        True,
        description="tell each camera the frame rate the server will use from it (its share "
        "of the inference capacity), so it sends no frames that would be thrown away",
    )
    max_stream_fps: float | None = Field(
        None,
        ge=1,
        description="the most frames per second asked of each camera; below that the server "
        "paces each to its share of the inference capacity",
        json_schema_extra={"shown": "none (one camera alone: its own rate)"},
    )
    max_sessions: int = Field(
        8, ge=1, description="WebRTC sessions at once, connected or connecting (more wait)"
    )
    max_connecting: int = Field(4, ge=1, description="of those, not yet connected (more wait)")
    max_connecting_per_client: int = Field(
        2,
        ge=1,
        description="of those, from one address (more wait, and let others by meanwhile)",
    )
    max_video_pixels: int = Field(
        DEFAULT_MAX_VIDEO_PIXELS,
        ge=64 * 64,
        description="largest live video, width x height: a stream declaring more is closed, "
        "with the reason, before it is decoded (larger frames under it are scaled down)",
        json_schema_extra={"shown": "1920 x 1088 (1080p)"},
    )
    admission_wait_seconds: float = Field(
        10,
        ge=0,
        le=30,
        description="how long an offer waits for a place before the answer says to come "
        "back (503 with a ticket that keeps its place)",
    )
    max_waiting: int = Field(64, ge=0, description="offers waiting for a place (503 beyond)")
    max_waiting_per_client: int = Field(
        16, ge=0, description="of those, from one address (429 beyond)"
    )
    connect_timeout_seconds: float = Field(
        10, gt=0, description="a session that has not connected by then is closed"
    )
    session_max_seconds: float = Field(3600, gt=0, description="longest a live session may last")
    session_idle_seconds: float = Field(
        10, gt=0, description="a session without video this long is closed"
    )
    live_reuse: bool = Field(
        True,
        description="a live frame that has not changed since the models last looked gets "
        "their last result again (marked reused) instead of a new inference",
    )
    ice_servers: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="STUN/TURN URLs (stun:host:port, turn:host:port)"
    )
    ice_username: str | None = Field(None, description="username for the TURN servers")
    ice_credential: str | None = Field(None, description="credential for the TURN servers")
    turn_secret: str | None = Field(
        None,
        description="the TURN server's shared secret (coturn static-auth-secret): each client "
        "then gets credentials that expire, instead of SEEFOOD_ICE_USERNAME/CREDENTIAL",
    )
    turn_ttl_seconds: float = Field(
        3600, gt=0, description="how long credentials made from SEEFOOD_TURN_SECRET last"
    )
    ice_host_addresses: Annotated[list[str] | None, NoDecode] = Field(
        None,
        description="addresses to offer ICE host candidates on",
        json_schema_extra={"shown": "127.0.0.1 when serving on loopback, else every interface"},
    )
    start_bitrate_kbps: int = Field(1000, ge=0, description="x-google-start-bitrate; 0: none")
    min_bitrate_kbps: int = Field(300, ge=0, description="x-google-min-bitrate")
    max_bitrate_kbps: int = Field(2500, ge=0, description="x-google-max-bitrate")
    token: str | None = Field(
        None,
        description="access token for the API when serving beyond loopback",
        json_schema_extra={"shown": "a new one each start, printed in a link"},
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="host names clients may use besides this machine's (DNS rebinding guard)",
    )
    rate_limit: float = Field(
        20, ge=0, description="requests per second per client beyond loopback (0: no limit)"
    )
    header_timeout_seconds: float = Field(
        10, gt=0, description="longest a request's headers may take to arrive"
    )
    body_timeout_seconds: float = Field(
        15, gt=0, description="longest pause between two pieces of a request body"
    )
    max_connections: int = Field(1000, ge=1, description="HTTP connections open at once")
    max_connections_per_client: int = Field(
        32, ge=1, description="HTTP connections open at once from one address"
    )
    https: bool = Field(
        False, description="serve over TLS (browsers need it for cameras off localhost)"
    )
    ssl_certfile: Path | None = Field(
        None, description="TLS certificate (PEM)", json_schema_extra={"shown": "self-signed"}
    )
    ssl_keyfile: Path | None = Field(None, description="TLS private key (PEM)")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="server log level: debug, info, warning or error"
    )

    @model_validator(mode="after")
    def _someone_infers(self) -> Settings:
        if self.daemons == 0 and not self.ray_address:
            raise ValueError("SEEFOOD_DAEMONS=0 needs remote workers: set SEEFOOD_RAY_ADDRESS")
        return self

    @field_validator(
        "ice_servers", "allowed_hosts", "ice_host_addresses", "providers", mode="before"
    )
    @classmethod
    def _list(cls, value: object) -> object:
        """A JSON list, or words separated by commas or spaces; empty is none."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [item for item in re.split(r"[,\s]+", text) if item]


# What `build_engine` reads besides threads: the settings that decide an engine's answers.
ENGINE_SETTINGS = (
    "model",
    "verdict",
    "classifier",
    "detector_precision",
    "classifier_precision",
    "providers",
    "threshold",
    "min_score",
    "iou_threshold",
)


def build_engine(settings: Settings, threads: int | None = None) -> HotdogDetector:
    """The detector and the verdict as the settings say; `threads` for each model when the
    caller shares the cores out."""
    threads = threads or settings.threads
    detector = Detector(
        settings.model,
        min_score=settings.min_score,
        iou_threshold=settings.iou_threshold,
        threads=threads,
        spinning=settings.verdict is Source.DETECTOR,  # the only model: let it spin
        precision=settings.detector_precision,
        providers=settings.providers,
    )
    classifier = None
    if settings.verdict is not Source.DETECTOR:
        classifier = Classifier(
            settings.classifier,
            threads=threads,
            precision=settings.classifier_precision,
            providers=settings.providers,
        )
    return HotdogDetector(
        detector, classifier, source=settings.verdict, threshold=settings.threshold
    )


@dataclass(frozen=True)
class Described:
    variable: str  # SEEFOOD_NAME
    flag: str  # --name, where commands have one
    default: str  # as a person would say it
    description: str


def describe() -> list[Described]:
    """Every setting, for `--help` and the README."""
    rows = []
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "shown" in extra:
            default = str(extra["shown"])
        else:
            value = field.get_default(call_default_factory=True)
            if value is None or value == []:
                default = "none"
            elif isinstance(value, bool):
                default = "on" if value else "off"
            else:
                default = str(value)
        flag = f"--{name.replace('_', '-')}" if name in FLAGS else ""
        rows.append(Described(f"SEEFOOD_{name.upper()}", flag, default, field.description or ""))
    return rows


# Settings that commands also take as flags (where the command has them).
FLAGS = frozenset(
    {
        "model",
        "verdict",
        "classifier",
        "detector_precision",
        "classifier_precision",
        "providers",
        "threshold",
        "min_score",
        "threads",
        "batch_size",
        "host",
        "port",
        "https",
        "ssl_certfile",
        "ssl_keyfile",
        "token",
        "ray_address",
    }
)


class SettingsError(ValueError):
    """Settings that cannot be used; one line per problem, naming the flag or variable."""


def load_settings(flags: dict[str, Any]) -> Settings:
    """Settings from `SEEFOOD_*` variables overridden by `flags` (name: value given)."""
    try:
        return Settings(**flags)
    except ValidationError as exc:
        lines = [_explain(error, flags) for error in exc.errors()]
        raise SettingsError("\n".join(lines)) from None
    except PydanticSettingsError as exc:  # a variable that is not even parseable
        raise SettingsError(str(exc)) from None


def _explain(error: Any, flags: dict[str, Any]) -> str:
    if not error["loc"]:  # a rule over several settings: its message says which
        return str(error["msg"]).removeprefix("Value error, ")
    name = str(error["loc"][0])
    where = f"--{name.replace('_', '-')}" if name in flags else f"SEEFOOD_{name.upper()}"
    ctx = error.get("ctx") or {}
    kind = error["type"]
    said = {
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "float_parsing": "must be a number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "bool_parsing": "must be true or false",
        "literal_error": f"must be one of {ctx.get('expected')}",
        "json_invalid": "must be a JSON list, or values separated by commas",
    }.get(kind, str(error["msg"]).lower())
    return f"{where}: {said} (got {error.get('input')!r})"
