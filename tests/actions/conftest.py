from __future__ import annotations

from collections.abc import Iterator

import pytest

from headwater.connections import Connections
from tests.connections.support import Sandboxes, local_connections, sandboxes


@pytest.fixture
def sandbox() -> Iterator[Sandboxes]:
    with sandboxes() as both:
        yield both


@pytest.fixture
def service() -> Iterator[Connections]:
    connections = local_connections()
    yield connections
    connections.db.dispose()
