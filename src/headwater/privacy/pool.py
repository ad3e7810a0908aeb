"""One connector per connection per process, shared by every job that process runs.

A connector's clients carry the provider's client-side rate limiters (Amplitude: one deletion call a
second). A fresh connector per job would start each with a full allowance, so back-to-back jobs would
call faster than the provider allows and be answered 429; it would also rebuild half a dozen HTTP
clients per job. A connector is replaced when its connection's settings or credentials change (compared
by a keyed digest that never leaves the process), and closed once no job uses it any more.

Like the shared transport, the pool belongs to one process: a forked child (Celery's prefork pool)
starts an empty one rather than use its parent's clients.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from headwater.connections import Connections, on_behalf_of
from headwater.connectors.base import ConnectionInfo, Connector
from headwater.connectors.registry import get_provider
from headwater.privacy.transport import shared_transport

_DIGEST_KEY = secrets.token_bytes(32)  # per process: a digest of credentials is useless anywhere else


def fingerprint(info: ConnectionInfo) -> str:
    """Changes whenever anything a connector is built from changes."""
    material = {
        "kind": info.kind,
        "settings": info.settings,
        "credentials": {k: v.get_secret_value() for k, v in info.credentials.items()},
    }
    data = json.dumps(material, sort_keys=True, default=str).encode()
    return hashlib.blake2b(data, key=_DIGEST_KEY, digest_size=16).hexdigest()


@dataclass
class _Entry:
    connector: Connector
    fingerprint: str
    users: int = 0
    current: bool = True


class ConnectorPool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._pid = os.getpid()

    @contextmanager
    def using(self, connections: Connections, name: str) -> Iterator[Connector]:
        """The connection's connector for the duration of the block; refused if it is disabled or gone."""
        info = connections.usable_info(name)
        entry = self._take(info)
        try:
            yield entry.connector
        finally:
            self._give_back(entry)

    def _take(self, info: ConnectionInfo) -> _Entry:
        digest = fingerprint(info)
        retired: _Entry | None = None
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's clients are not ours to use
                self._entries, self._pid = {}, os.getpid()
            entry = self._entries.get(info.name)
            if entry is None or entry.fingerprint != digest:
                if entry is not None:
                    entry.current = False
                    retired = entry if entry.users == 0 else None
                spec = get_provider(info.kind)
                connector = spec.connector(info, transport=on_behalf_of(info, shared_transport()))
                entry = self._entries[info.name] = _Entry(connector, digest)
            entry.users += 1
        if retired is not None:
            retired.connector.close()
        return entry

    def _give_back(self, entry: _Entry) -> None:
        with self._lock:
            entry.users -= 1
            idle_and_replaced = entry.users == 0 and not entry.current
        if idle_and_replaced:
            entry.connector.close()

    def clear(self) -> None:
        """Close every idle connector and forget all (tests; a process shutting down)."""
        with self._lock:
            entries, self._entries = list(self._entries.values()), {}
            for entry in entries:
                entry.current = False
        for entry in entries:
            if entry.users == 0:
                entry.connector.close()


POOL = ConnectorPool()


@dataclass(frozen=True)
class Connectors:
    """Where privacy code gets a connection's connector: `with connectors.using("amp") as c: ...`."""

    connections: Connections
    pool: ConnectorPool = POOL

    @contextmanager
    def using(self, name: str) -> Iterator[Connector]:
        with self.pool.using(self.connections, name) as connector:
            yield connector
