"""HTTP signalling for live sessions: the client's configuration, offers, and ending one."""

from __future__ import annotations

from fastapi import APIRouter, Header, HTTPException, Request, Response
from pydantic import BaseModel, Field

from seefood.live.protocol import CHANNEL_LABEL
from seefood.live.sdp import OfferError
from seefood.live.sessions import (
    NoSuchSession,
    NotYourSession,
    SessionManager,
    TooManyConnecting,
    TooManySessions,
)

router = APIRouter()


class Offer(BaseModel):
    sdp: str = Field(max_length=200_000, description="the client's SDP offer")
    type: str = Field("offer", description="must be 'offer'")


class Answer(BaseModel):
    sdp: str
    type: str
    session_id: str
    token: str = Field(description="send as the `X-Session-Token` header to end the session")


class IceServer(BaseModel):
    """As the browser's RTCPeerConnection takes it."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class ClientConfig(BaseModel):
    channel: str = Field(description="label of the data channel the client opens")
    ice_servers: list[IceServer] = Field(description="STUN/TURN servers for the peer connection")


@router.get("/v1/webrtc/config", response_model=ClientConfig, response_model_exclude_none=True)
async def client_config(request: Request) -> ClientConfig:
    """What a client needs before it makes its offer."""
    manager: SessionManager = request.app.state.sessions
    servers = [
        IceServer(
            urls=[s.urls] if isinstance(s.urls, str) else list(s.urls),
            username=s.username,
            credential=s.credential,
        )
        for s in manager.limits.ice.servers()
    ]
    return ClientConfig(channel=CHANNEL_LABEL, ice_servers=servers)


@router.post(
    "/v1/webrtc/offer",
    response_model=Answer,
    responses={
        400: {"description": "malformed SDP, no video, or no common codec"},
        429: {"description": "this client has too many calls connecting"},
        503: {"description": "too many live or connecting sessions"},
    },
)
async def offer(body: Offer, request: Request) -> Answer:
    """Start a live session: send video, open a data channel labelled `detections`."""
    manager: SessionManager = request.app.state.sessions
    try:
        client = request.client.host if request.client else "unknown"
        session, answer = await manager.accept(body.sdp, body.type, client)
    except OfferError as exc:
        raise HTTPException(400, str(exc)) from None
    except TooManyConnecting as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": "5"}) from None
    except TooManySessions as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "5"}) from None
    return Answer(sdp=answer.sdp, type=answer.type, session_id=session.id, token=session.token)


@router.delete(
    "/v1/webrtc/sessions/{session_id}",
    status_code=204,
    responses={
        403: {"description": "no `X-Session-Token`, or not this session's"},
        404: {"description": "no such live session"},
    },
)
async def close_session(
    session_id: str, request: Request, x_session_token: str = Header("")
) -> Response:
    """End a live session now (the page's stop button), rather than when ICE notices.

    Only its client can: it sends the token that came with the answer as `X-Session-Token`.
    """
    manager: SessionManager = request.app.state.sessions
    if not x_session_token:
        raise HTTPException(403, "send the session's token (from the answer) as X-Session-Token")
    try:
        await manager.close(session_id, x_session_token)
    except NoSuchSession as exc:
        raise HTTPException(404, str(exc)) from None
    except NotYourSession as exc:
        raise HTTPException(403, str(exc)) from None
    return Response(status_code=204)
