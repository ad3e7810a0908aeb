"""Workflows and Slack webhooks cannot reach internal addresses unless HEADWATER_OUTBOUND_ALLOW says so;
a stored connection still reaches its own host, which an `http/request` URL may not borrow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from headwater.errors import BadInput
from headwater.store import Database
from headwater.workflows.slack import connect_slack
from tests.http.local_server import LocalServer
from tests.workflows.support import ACTOR, Lab, make_lab, steps_yaml

ALLOW = "HEADWATER_OUTBOUND_ALLOW"


@pytest.fixture
def bare_lab(sqlite_db: Database) -> Lab:
    return make_lab(sqlite_db, None)


@pytest.fixture
def internal() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def request_step(url: str) -> str:
    return f"  - id: probe\n    uses: http/request\n    with:\n      url: {url}\n"


def test_an_http_request_step_to_a_loopback_port_fails_and_sends_nothing(
    bare_lab: Lab, internal: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW)
    bare_lab.add(steps_yaml(request_step(f"{internal.url}/admin")))
    run = bare_lab.workflows.run_now("wf", {})
    assert run["status"] == "failed"
    assert f"Refused to connect to 127.0.0.1 port {internal.port}" in run["error"]
    assert ALLOW in run["error"]
    assert internal.seen == []

    monkeypatch.setenv(ALLOW, "10.0.0.0/8,127.0.0.1")
    assert bare_lab.workflows.run_now("wf", {})["status"] == "succeeded"
    assert [seen.path for seen in internal.seen] == ["/admin"]


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/meta-data/"]
)
def test_the_cloud_metadata_service_is_refused_even_with_loopback_allowed(bare_lab: Lab, url: str) -> None:
    bare_lab.add(steps_yaml(request_step(url)))
    run = bare_lab.workflows.run_now("wf", {})
    assert run["status"] == "failed" and "the cloud metadata service" in run["error"]


def test_a_slack_webhook_on_an_internal_address_is_not_stored_nor_posted_to(
    bare_lab: Lab, internal: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW)
    hook = SecretStr(f"{internal.url}/services/T000/B000/XXXX")
    for test in (False, True):
        with pytest.raises(BadInput, match=f"127.0.0.1 port {internal.port}.*{ALLOW}"):
            connect_slack(bare_lab.connections, "team", hook, test=test, actor=ACTOR)
    assert internal.seen == []
    assert bare_lab.connections.list_all() == []


def test_a_stored_connection_reaches_its_own_host_which_a_url_step_may_not_borrow(
    sqlite_lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW)  # the connections were made while the sandbox was allowed
    on_connection = (
        "  - id: users\n    uses: http/request\n    connection: fs\n    with: {path: /v2/users}\n"
        "  - id: notify\n    uses: slack/post\n    connection: team\n    with: {text: still here}\n"
    )
    sqlite_lab.add(steps_yaml(on_connection, name="own"), name="own.yaml")
    assert sqlite_lab.workflows.run_now("own", {})["status"] == "succeeded"
    assert [m["text"] for m in sqlite_lab.slack_messages()] == ["still here"]

    sqlite_lab.add(steps_yaml(request_step(f"{sqlite_lab.sandbox.fullstory_url}/v2/users")), name="wf.yaml")
    run = sqlite_lab.workflows.run_now("wf", {})
    assert run["status"] == "failed" and "Refused to connect to 127.0.0.1" in run["error"]
