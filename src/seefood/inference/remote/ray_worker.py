"""A worker as a Ray actor pinned to its node, and the proxy's view of it (`RayWorker`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

import ray
from ray.exceptions import (
    ActorUnschedulableError,
    LocalRayletDiedError,
    NodeDiedError,
    ObjectLostError,
    RayActorError,
    RayError,
    WorkerCrashedError,
)
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from seefood.detection.result import DetectionResult
from seefood.errors import first_line
from seefood.inference.batches import convert_each, good, splice
from seefood.inference.remote.proxy import WorkerLost
from seefood.inference.remote.wire import WorkerInfo, WorkReply, WorkRequest, encode_jpeg
from seefood.inference.remote.worker import InferenceWorker
from seefood.inference.requests import Frame

RESOURCE = "seefood"  # what a node offers to host a worker: `seefood worker` sets it to 1

# Decorated here, not in worker.py, so that the worker's code needs no Ray to be tested.
# Placed by the seefood resource alone (num_cpus=0: its threads are the node's to give);
# Ray restarts it whenever it dies, and never retries a call: the proxy decides what a lost
# call means (the requests go back to the broker).
_Actor: Any = ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=0)(InferenceWorker)


def start_worker(node_id: str, settings: dict[str, Any], threads: int | None) -> Any:
    """A worker actor on that node (an ActorHandle); it loads its models as it starts."""
    return _Actor.options(
        resources={RESOURCE: 1},
        scheduling_strategy=NodeAffinitySchedulingStrategy(node_id, soft=False),
    ).remote(settings, threads)


class RayWorker:
    """`proxy.Remote` over a Ray actor: frames go as JPEGs, encoded in `executor`'s threads."""

    def __init__(self, actor: Any, executor: Executor) -> None:
        self.actor = actor
        self._executor = executor

    async def ping(self) -> WorkerInfo:
        info: WorkerInfo = await self._call(self.actor.ping.remote())
        return info

    async def infer(self, frames: Sequence[Frame]) -> list[DetectionResult | Exception]:
        loop = asyncio.get_running_loop()
        encoded = await loop.run_in_executor(self._executor, _encode, frames)
        items = [
            e if isinstance(e, Exception) else (frame, e)
            for frame, e in zip(frames, encoded, strict=True)
        ]
        requests = [request for _, request in good(items)]
        replies: list[WorkReply | Exception] = (
            await self._call(self.actor.infer.remote(requests)) if requests else []
        )
        out: list[DetectionResult | Exception] = []
        for outcome in splice(items, replies):
            if isinstance(outcome, Exception):
                out.append(outcome)
                continue
            (frame, _), reply = outcome
            if isinstance(reply, Exception):
                out.append(reply)
                continue
            if frame.memory is not None and reply.memory is not None:
                frame.memory.adopt(reply.memory)  # what the worker's copy learnt
            out.append(reply.result)
        return out

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            ray.kill(self.actor, no_restart=True)

    async def _call(self, ref: Any) -> Any:
        try:
            return await ref
        except asyncio.CancelledError:  # the deadline passed, or the proxy stops
            with contextlib.suppress(Exception):
                ray.cancel(ref)
            raise
        except LOST as exc:  # died, unreachable, its node gone, restarted under us
            raise WorkerLost(_first_line(exc)) from exc
        except RayError as exc:  # the call failed, the worker did not (its code raised,
            raise RuntimeError(_first_line(exc)) from exc  # memory, the object store)


# What means the worker is gone (until Ray restarts it, or for good with its node).
LOST = (
    RayActorError,
    ActorUnschedulableError,
    NodeDiedError,
    WorkerCrashedError,
    LocalRayletDiedError,
    ObjectLostError,
)


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {first_line(exc) if str(exc).strip() else ''}"


def _encode(frames: Sequence[Frame]) -> list[WorkRequest | Exception]:
    """Each frame as a JPEG request, or the error that failed it alone (a corrupt frame)."""
    encoded = convert_each(frames, lambda frame: encode_jpeg(frame.to_rgb()))
    return [
        e if isinstance(e, Exception) else WorkRequest(e[1], e[0].memory, e[2]) for e in encoded
    ]
