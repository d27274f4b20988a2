"""Inference daemons on other machines, through Ray (from a checkout:
`pip install -c constraints.txt '.[ray]'`).

The broker stays on the seefood server: a remote worker's proxy (`proxy.RemoteDaemon`) is
one more daemon there, asking the broker for work with `ask_r` and sending each batch to
its worker, an actor on another node that runs the same detection stack. Ray does what a
cluster manager does (membership, placement, restarts, transport); `reconciler` starts a
worker and its proxy for each node that offers the `seefood` resource and drops them when
the node goes. Only `ray_worker`, `reconciler` and `cluster` import Ray.
"""
