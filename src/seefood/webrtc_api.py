"""HTTP signalling for live sessions: `POST /v1/webrtc/offer`, `DELETE /v1/webrtc/sessions/{id}`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from seefood.sessions import OfferError, SessionManager, TooManySessions

router = APIRouter()


class Offer(BaseModel):
    sdp: str = Field(max_length=200_000, description="the client's SDP offer")
    type: str = Field("offer", description="must be 'offer'")


class Answer(BaseModel):
    sdp: str
    type: str
    session_id: str


@router.post(
    "/v1/webrtc/offer",
    response_model=Answer,
    responses={
        400: {"description": "malformed SDP, no video, or no common codec"},
        503: {"description": "too many live sessions"},
    },
)
async def offer(body: Offer, request: Request) -> Answer:
    """Start a live session: send video, open a data channel labelled `detections`."""
    manager: SessionManager = request.app.state.sessions
    try:
        session, answer = await manager.accept(body.sdp, body.type)
    except OfferError as exc:
        raise HTTPException(400, str(exc)) from None
    except TooManySessions as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "5"}) from None
    return Answer(sdp=answer.sdp, type=answer.type, session_id=session.id)


@router.delete("/v1/webrtc/sessions/{session_id}", status_code=204)
async def close_session(session_id: str, request: Request) -> Response:
    """End a live session now (the page's stop button), rather than when ICE notices."""
    manager: SessionManager = request.app.state.sessions
    if not await manager.close(session_id):
        raise HTTPException(404, f"no live session {session_id!r}")
    return Response(status_code=204)
