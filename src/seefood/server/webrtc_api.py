"""HTTP signalling for live sessions: the client's configuration, offers, and ending one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from seefood.live.admission import Waiting, WaitingRoomFull
from seefood.live.protocol import CHANNEL_LABEL
from seefood.live.sdp import OfferError
from seefood.live.session_manager import NoSuchSession, NotYourSession, SessionManager

router = APIRouter()
T = TypeVar("T")


class ClientGone(Exception):
    """The client hung up before its answer was ready."""


async def _disconnected(request: Request) -> None:
    """Return when the client hangs up (the body is read: the next message says so)."""
    while (await request.receive())["type"] != "http.disconnect":
        await asyncio.sleep(0.1)  # not expected after the body; never spin on it


async def _unless_gone(request: Request, work: Awaitable[T]) -> T:
    """`work`'s result, or ClientGone (with `work` cancelled) if the client hangs up first:
    an offer waiting in line whose client has gone must not take a place when its turn comes,
    it would hold it for the connect timeout with nobody at the other end."""
    task = asyncio.ensure_future(work)
    watch = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, watch}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watch.cancel()
        if not task.done():
            task.cancel()
            await asyncio.wait({task})  # its own clean-up (a session it began is closed)
    if task.cancelled():
        raise ClientGone
    return task.result()


class Offer(BaseModel):
    sdp: str = Field(max_length=200_000, description="the client's SDP offer")
    type: str = Field("offer", description="must be 'offer'")
    ticket: str | None = Field(
        None,
        max_length=64,
        description="the ticket from an earlier 503 answer: keeps this client's place in line",
    )


class Answer(BaseModel):
    sdp: str
    type: str
    session_id: str
    token: str = Field(description="send as the `X-Session-Token` header to end the session")


class WaitingForPlace(BaseModel):
    """No place yet: send the same offer again with `ticket` after `Retry-After` seconds."""

    detail: str
    ticket: str = Field(description="send it back in the next offer to keep your place")
    ahead: int = Field(description="offers in line before this one")


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
        for s in manager.ice.servers()
    ]
    return ClientConfig(channel=CHANNEL_LABEL, ice_servers=servers)


@router.post(
    "/v1/webrtc/offer",
    response_model=Answer,
    responses={
        400: {"description": "malformed SDP, no video, or no common codec"},
        429: {"description": "too many offers from this address are waiting already"},
        503: {
            "model": WaitingForPlace,
            "description": "no place yet: the offer waited for one (up to "
            "SEEFOOD_ADMISSION_WAIT_SECONDS); send it again with the ticket after "
            "Retry-After seconds",
        },
    },
)
async def offer(body: Offer, request: Request) -> Answer | Response:
    """Start a live session: send video, open a data channel labelled `detections`.

    When the server has no place for it, the offer waits in line for a while, then is
    answered 503 with a ticket that keeps its place when it is sent again.
    """
    manager: SessionManager = request.app.state.sessions
    client = request.client.host if request.client else "unknown"
    try:
        session, answer = await _unless_gone(
            request, manager.accept(body.sdp, body.type, client, body.ticket)
        )
    except ClientGone:
        return Response(status_code=204)  # nobody reads it
    except OfferError as exc:
        raise HTTPException(400, str(exc)) from None
    except Waiting as exc:
        ahead = "you are next" if exc.ahead == 0 else f"{exc.ahead} ahead of you"
        waiting = WaitingForPlace(
            detail=f"waiting for a place: {exc.why} ({ahead})", ticket=exc.ticket, ahead=exc.ahead
        )
        return JSONResponse(
            waiting.model_dump(), 503, headers={"Retry-After": str(exc.retry_after)}
        )
    except WaitingRoomFull as exc:
        status = 429 if exc.this_client else 503
        raise HTTPException(status, str(exc), headers={"Retry-After": "5"}) from None
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
