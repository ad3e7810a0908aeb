"""Slack: the webhook client against the sandbox receiver (in process), its error messages, Retry-After,
the receiver's own checks, and connecting a webhook (a test post only when asked)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from headwater.connections import Connections
from headwater.connectors.slack import SlackWebhook
from headwater.errors import AuthError, BadInput, BadRequest, Conflict, NotFound, PermissionDenied
from headwater.http import CallRecord
from headwater.sandbox.inprocess import InProcessTransport
from headwater.sandbox.slack import DEFAULT_HOOK, create_slack_app
from headwater.store import Database
from headwater.vault import Vault, load_keyring
from headwater.workflows.slack import connect_slack

BASE = "http://slack.sandbox"
URL = SecretStr(BASE + DEFAULT_HOOK)
TOKEN = DEFAULT_HOOK.rsplit("/", 1)[1]


class Receiver:
    def __init__(self) -> None:
        self.app = create_slack_app()
        self.transport = InProcessTransport(self.app)
        self.control = httpx.Client(transport=self.transport, base_url=BASE)
        self.sleeps: list[float] = []
        self.calls: list[CallRecord] = []

    def webhook(self, url: SecretStr = URL) -> SlackWebhook:
        return SlackWebhook(
            url,
            connection="team",
            transport=self.transport,
            sleep=self.sleeps.append,
            observers=[self.calls.append],
        )

    def messages(self) -> list[dict[str, Any]]:
        return list(self.control.get("/_sandbox/slack/messages").json()["messages"])

    def force(self, code: str, **extra: Any) -> None:
        self.control.post("/_sandbox/slack/errors", json={"code": code, **extra}).raise_for_status()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.control.close()
    made.transport.close()


def test_posts_text_and_blocks_and_the_url_stays_secret(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*3* new sessions"}}]
    webhook = receiver.webhook()
    webhook.post({"text": "3 new sessions", "blocks": blocks})
    assert receiver.messages()[0] | {"received_at": None} == {
        "channel": "#headwater-demo",
        "text": "3 new sessions",
        "blocks": blocks,
        "received_at": None,
    }
    assert TOKEN not in repr(webhook) and TOKEN not in caplog.text
    assert [call.url for call in receiver.calls] == [f"{BASE}/services/[redacted]"]
    calls = receiver.control.get("/_sandbox/calls").json()["calls"]
    assert TOKEN not in str(calls) and calls[0]["status"] == 200


@pytest.mark.parametrize(
    ("code", "error", "says"),
    [
        ("channel_not_found", NotFound, "channel of this Slack webhook no longer exists"),
        ("channel_is_archived", NotFound, "is archived"),
        ("action_prohibited", PermissionDenied, "does not allow this webhook"),
        ("invalid_payload", BadRequest, "could not read the message"),
    ],
)
def test_slack_error_bodies_become_errors_that_say_what_to_do(
    receiver: Receiver, code: str, error: type[Exception], says: str
) -> None:
    receiver.force(code)
    with pytest.raises(error) as caught:
        receiver.webhook().post({"text": "hello"})
    assert says in str(caught.value) and f"({code})" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_unknown_webhook_and_malformed_messages(receiver: Receiver) -> None:
    with pytest.raises(NotFound, match=r"disabled or was removed \(no_service\)") as caught:
        receiver.webhook(SecretStr(f"{BASE}/services/T0/B0/revoked-token-value")).post({"text": "x"})
    assert "revoked-token-value" not in str(caught.value)
    assert "headwater connect slack --name team --webhook-url-stdin" in str(caught.value)
    with pytest.raises(BadRequest, match="no_text"):
        receiver.webhook().post({"blocks": []})
    with pytest.raises(BadRequest, match="invalid_blocks"):
        receiver.webhook().post(
            {"text": "x", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]}
        )
    assert receiver.messages() == []


def test_a_429_is_waited_out_for_as_long_as_retry_after_says(receiver: Receiver) -> None:
    receiver.force("rate_limited", retry_after=7)
    receiver.webhook().post({"text": "after the wait"})
    assert receiver.sleeps == [7.0]
    assert [m["text"] for m in receiver.messages()] == ["after the wait"]


def test_the_receiver_reads_form_payloads_and_refuses_what_slack_refuses(receiver: Receiver) -> None:
    post = receiver.control.post
    assert post(DEFAULT_HOOK, data={"payload": '{"text": "form"}'}).text == "ok"
    refused = post(DEFAULT_HOOK, content=b"{not json", headers={"content-type": "application/json"})
    assert (refused.status_code, refused.text) == (400, "invalid_payload")
    assert post(DEFAULT_HOOK, json={"text": " "}).text == "no_text"
    assert post(DEFAULT_HOOK, json={"text": "x", "blocks": {}}).text == "invalid_blocks_format"
    assert post("/services/T/B/unknown", json={"text": "x"}).status_code == 404
    receiver.force("rate_limited", retry_after=3)
    limited = post(DEFAULT_HOOK, json={"text": "x"})
    assert (limited.status_code, limited.headers["retry-after"], limited.text) == (429, "3", "rate_limited")
    assert [m["text"] for m in receiver.messages()] == ["form"]


def test_bad_urls_are_refused_without_being_echoed() -> None:
    for url in ("not a url at all", "ftp://hooks.example/x", "https://example.org/"):
        with pytest.raises(BadInput) as caught:
            SlackWebhook(SecretStr(url))
        assert url not in str(caught.value)


def test_connecting_posts_only_when_asked_and_saves_only_what_works(
    receiver: Receiver, sqlite_db: Database
) -> None:
    connections = Connections(sqlite_db, Vault(load_keyring_settings()))
    quiet = connect_slack(connections, "team", URL, test=False, actor="t", transport=receiver.transport)
    assert (quiet.kind, quiet.settings) == ("slack", {}) and receiver.messages() == []
    connect_slack(connections, "tested", URL, test=True, actor="t", transport=receiver.transport)
    assert "connection `tested` is set up" in receiver.messages()[0]["text"]
    with pytest.raises(NotFound, match="Not saved"):
        bad = SecretStr(f"{BASE}/services/T/B/gone")
        connect_slack(connections, "gone", bad, test=True, actor="t", transport=receiver.transport)
    with pytest.raises(Conflict):
        connect_slack(connections, "team", URL, test=True, actor="t", transport=receiver.transport)
    assert [c.name for c in connections.list_all()] == ["team", "tested"]
    assert TOKEN not in str(connections.show("team"))
    assert connections.info("team").credentials["webhook_url"].get_secret_value() == URL.get_secret_value()
    receiver.force("invalid_token")
    with pytest.raises(AuthError):
        connections.open_client("team", transport=receiver.transport).post({"text": "x"})


def load_keyring_settings() -> Any:
    from headwater.config import load_settings

    return load_keyring(load_settings())
