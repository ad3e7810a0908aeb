from __future__ import annotations

from collections.abc import Iterator

import pytest

from headwater.config import load_settings
from headwater.connections import Connections
from headwater.store import Database
from headwater.vault import Vault, load_keyring
from tests.connections.support import Sandboxes, local_connections, sandboxes


@pytest.fixture
def sandbox() -> Iterator[Sandboxes]:
    with sandboxes() as both:
        yield both


@pytest.fixture
def service(db: Database) -> Connections:
    return Connections(db, Vault(load_keyring(load_settings())))


@pytest.fixture
def local_service() -> Iterator[Connections]:
    """SQLite only, for tests that are not about the store."""
    connections = local_connections()
    yield connections
    connections.db.dispose()
