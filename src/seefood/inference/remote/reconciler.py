"""Membership: a worker and its proxy for each Ray node that offers the seefood resource.

Every POLL seconds it asks Ray which nodes are alive; a node that joined gets a worker
actor pinned to it and a proxy daemon serving the service's broker, a node that died has
its proxy stopped (its requests go back to their streams) and its actor killed. Ray's
answers come from its head: while the head is unreachable the call is left to finish in
its thread, nothing changes, and the proxies, whose pings then time out, stop pulling
work, so the local daemons serve alone.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import ray

from seefood.inference.remote.proxy import DEFAULT_DEADLINE, RemoteDaemon
from seefood.inference.remote.ray_worker import RESOURCE, RayWorker, start_worker
from seefood.inference.service import InferenceService

log = logging.getLogger("seefood.remote")

POLL = 1.0  # seconds between two looks at the cluster's nodes
LIST_DEADLINE = 5.0  # a head that takes longer to answer counts as unreachable
KILL_DEADLINE = 2.0  # seconds to wait for Ray to kill a dropped node's actor

T = TypeVar("T")


def in_daemon_thread(call: Callable[[], T]) -> asyncio.Future[T]:
    """`call()` in a thread of its own that never holds up the process's exit: a call to
    Ray's head may hang for as long as the head is away."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(outcome)  # type: ignore[arg-type]

    def work() -> None:
        try:
            outcome = call()
        except BaseException as exc:
            loop.call_soon_threadsafe(settle, None, exc)
        else:
            loop.call_soon_threadsafe(settle, outcome, None)

    threading.Thread(target=work, name="seefood-ray-call", daemon=True).start()
    return future


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    address: str
    cpus: int

    @property
    def worker_name(self) -> str:
        return f"worker-{self.address}-{self.id[:6]}"


@dataclass(slots=True)
class Worker:
    node: Node
    remote: RayWorker
    daemon: RemoteDaemon
    executor: ThreadPoolExecutor


def seefood_nodes() -> dict[str, Node]:
    """The alive nodes that offer the seefood resource (blocks: a call to Ray's head)."""
    nodes = {}
    for node in ray.nodes():  # type: ignore[no-untyped-call]
        resources = node.get("Resources") or {}
        if node.get("Alive") and resources.get(RESOURCE, 0) >= 1:
            nodes[node["NodeID"]] = Node(
                node["NodeID"], node.get("NodeManagerAddress", "?"), int(resources.get("CPU", 1))
            )
    return nodes


class Reconciler:
    def __init__(
        self,
        service: InferenceService,
        worker_settings: dict[str, Any],
        *,
        deadline: float = DEFAULT_DEADLINE,
        poll: float = POLL,
    ) -> None:
        self.service = service
        self.worker_settings = worker_settings
        self.deadline = deadline
        self.poll = poll
        self.workers: dict[str, Worker] = {}  # by node id
        self._listing: asyncio.Future[dict[str, Node]] | None = None
        self._unreachable = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="seefood-reconciler")

    async def stop(self) -> None:
        """Stop watching, stop every proxy (their requests go back) and kill the actors."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for node_id in list(self.workers):
            await self._drop(node_id)

    async def run(self) -> None:
        while True:
            try:
                nodes = await self._nodes()
                if nodes is not None:
                    await self.reconcile(nodes)
            except Exception as exc:  # e.g. Ray refused an actor: try again next time
                log.error("cannot follow the cluster's nodes: %s", exc)
            await asyncio.sleep(self.poll)

    async def reconcile(self, nodes: dict[str, Node]) -> None:
        for node_id, node in nodes.items():
            if node_id not in self.workers:
                self._add(node)
        for node_id in [n for n in self.workers if n not in nodes]:
            log.warning("node gone", extra={"worker": self.workers[node_id].node.worker_name})
            await self._drop(node_id)

    async def _nodes(self) -> dict[str, Node] | None:
        if self._listing is None:
            self._listing = in_daemon_thread(seefood_nodes)
        try:
            async with asyncio.timeout(LIST_DEADLINE):
                nodes = await asyncio.shield(self._listing)
        except TimeoutError:  # left running: its answer is taken next time
            if not self._unreachable:
                self._unreachable = True
                log.warning("Ray's head is not answering: remote workers wait, local serve")
            return None
        except Exception as exc:
            self._listing = None
            log.warning("cannot list Ray's nodes: %s", exc)
            return None
        self._listing = None
        if self._unreachable:
            self._unreachable = False
            log.info("Ray's head answers again")
        return nodes

    def _add(self, node: Node) -> None:
        actor = start_worker(node.id, self.worker_settings, node.cpus)
        executor = ThreadPoolExecutor(1, thread_name_prefix=f"seefood-{node.worker_name}")
        remote = RayWorker(actor, executor)
        settings = self.service.settings
        daemon = RemoteDaemon(
            self.service.broker,
            remote,
            name=node.worker_name,
            batching=settings.batching(),
            deadline=self.deadline,
            metrics=self.service.metrics,
            on_change=self.service.daemons_changed,
        )
        self.workers[node.id] = Worker(node, remote, daemon, executor)
        self.service.add_daemon(daemon)
        log.info("node joined: starting its worker", extra={"worker": node.worker_name})

    async def _drop(self, node_id: str) -> None:
        worker = self.workers[node_id]
        await self.service.remove_daemon(worker.daemon)
        del self.workers[node_id]
        self.service.metrics.forget_worker(worker.node.worker_name)
        worker.executor.shutdown(wait=False)
        try:
            async with asyncio.timeout(KILL_DEADLINE):
                await in_daemon_thread(worker.remote.kill)
        except TimeoutError:  # the head is away: the actor goes with its node or driver
            log.warning(
                "could not kill a dropped worker", extra={"worker": worker.node.worker_name}
            )
