"""The web app: the page, `/v1/detect`, live video signalling, health and metrics."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from seefood import __version__
from seefood.detection.engine import Engine
from seefood.server import detect_api, sightings_api, status_api, webrtc_api
from seefood.server.docs import mount_docs
from seefood.server.page import mount_page
from seefood.server.security import Guard, Policy
from seefood.server.settings import ServerSettings
from seefood.server.wiring import Models, lifespan


def create_app(
    settings: ServerSettings | None = None,
    engines: Sequence[Engine] | None = None,
    models: Models | None = None,
) -> FastAPI:
    """The app for `settings`; `engines` replace the ones the settings would build (tests);
    `models`, what they are, when there are none (remote workers only) and it is known."""
    settings = settings or ServerSettings()
    app = FastAPI(
        title="seefood",
        version=__version__,
        description="Hotdog or not hotdog: COCO object detection on images and live video.",
        lifespan=lifespan(settings, engines, models),
        docs_url=None,  # served from the package by `mount_docs`, not from a CDN
        redoc_url=None,
    )
    app.include_router(detect_api.router)
    app.include_router(webrtc_api.router)
    app.include_router(sightings_api.router)
    app.include_router(status_api.router)
    mount_page(app)
    policy = Policy.for_host(settings)
    mount_docs(app, bearer=not policy.open)
    app.state.policy = policy
    app.state.settings = settings
    app.add_middleware(Guard, policy=policy)
    return app
