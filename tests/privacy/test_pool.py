"""One connector per connection per process: reused across jobs, replaced when the connection changes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from headwater.connectors.base import ConnectionInfo
from headwater.errors import BadInput
from headwater.privacy.pool import ConnectorPool, Connectors, fingerprint
from tests.privacy.conftest import Desk
from tests.sandbox_connections import connect_amplitude

#: the pool has no store logic of its own: one backend is enough
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def closed(connector: Any) -> bool:
    return bool(connector.client.http._client.is_closed)


def reconnect(desk: Desk, name: str, **settings: Any) -> None:
    desk.privacy.connections.remove(name, actor="tester")
    connect_amplitude(desk.privacy.connections, desk.sandbox, name, actor="tester", **settings)


@on_sqlite
def test_jobs_share_one_connector_and_so_one_rate_limiter(desk: Desk) -> None:
    connectors = Connectors(desk.privacy.connections, ConnectorPool())
    with connectors.using("amp") as first, connectors.using("amp") as second:
        assert first is second
    with connectors.using("amp") as later, connectors.using("fs") as other:
        assert later is first and other is not first
        limiter = later.client.deletions._http.limiter
        assert limiter is not None and limiter is first.client.deletions._http.limiter
    assert not closed(first)


@on_sqlite
def test_a_changed_connection_gets_a_new_connector_and_the_old_one_is_closed_once_unused(
    desk: Desk,
) -> None:
    connectors = Connectors(desk.privacy.connections, ConnectorPool())
    with connectors.using("amp") as old:
        reconnect(desk, "amp", requester="dpo@example.com")
        with connectors.using("amp") as new:
            assert new is not old and new.settings.requester == "dpo@example.com"
            assert not closed(old)  # a job is still using it
    assert closed(old) and not closed(new)
    desk.privacy.connections.disable("amp", actor="tester")
    with pytest.raises(BadInput, match="disabled"), connectors.using("amp"):
        pass


def test_the_fingerprint_changes_with_credentials_and_shows_none() -> None:
    info = ConnectionInfo(
        name="amp",
        kind="amplitude",
        settings={"region": "us"},
        credentials={"secret_key": SecretStr("s3cr3t")},
    )
    digest = fingerprint(info)
    assert "s3cr3t" not in digest and digest == fingerprint(info)
    changed = info.model_copy(update={"credentials": {"secret_key": SecretStr("other")}})
    assert fingerprint(changed) != digest
    assert fingerprint(info.model_copy(update={"settings": {"region": "eu"}})) != digest
