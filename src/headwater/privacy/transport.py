"""One HTTP transport per process for every connector privacy opens.

Building an HTTPS transport loads the CA bundle (about 0.1 s) and a connector holds several clients, so a
fresh transport per job would cost more than the job itself. The transport is only a connection pool, not
state: it is rebuilt in a forked child (Celery's prefork pool), where the parent's sockets must not be used.
"""

from __future__ import annotations

import os
import threading

import httpx

from headwater.http import OutboundTransport

_pools: dict[int, OutboundTransport] = {}
_lock = threading.Lock()


def shared_transport() -> httpx.BaseTransport:
    pid = os.getpid()
    with _lock:
        pool = _pools.get(pid)
        if pool is None:
            _pools.clear()  # a parent's pool, inherited through fork: never used here
            pool = _pools[pid] = OutboundTransport()
        return pool
