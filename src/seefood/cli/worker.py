"""`seefood worker`: make this machine a node of a seefood server's Ray cluster."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from seefood.inference.remote.settings import RemoteSettings
from seefood.setting import from_environment


def cmd_worker(args: argparse.Namespace) -> int:
    from seefood.inference.remote.cluster import WORKER_NODE_ENV, worker_node_command

    address = args.address or from_environment(RemoteSettings).ray_address
    if not address:
        raise ValueError("give the head's address: seefood worker --address HOST:6379")
    command = worker_node_command(address, cpus=args.num_cpus, gpus=args.num_gpus)
    env = {**os.environ, **WORKER_NODE_ENV}
    # The worker actor inherits the node's environment: these are the node's own choices.
    if args.providers:
        env["SEEFOOD_PROVIDERS"] = args.providers
    if args.threads:
        env["SEEFOOD_THREADS"] = str(args.threads)
    print(f"seefood: joining {address} as a worker node: {' '.join(command)}", file=sys.stderr)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:  # `ray start --block` stops the node's processes itself
        return 0
