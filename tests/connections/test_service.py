"""The connection service against the sandbox: nothing is saved unless the provider accepts the key."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from headwater.connections import Connections
from headwater.errors import AuthError, BadInput, Conflict, NotFound, PermissionDenied
from headwater.store import Database
from headwater.store.models import SecretRow
from tests.connections.support import (
    ACTOR,
    AMPLITUDE_URL,
    CREDS,
    FULLSTORY_URL,
    Sandboxes,
    connect_amplitude,
    connect_fullstory,
    stored_counts,
)


def test_a_working_key_is_tested_then_saved_encrypted(
    service: Connections, sandbox: Sandboxes, db: Database
) -> None:
    connect_fullstory(service, sandbox)

    assert [c["path"] for c in sandbox.fullstory.calls()] == ["/operations/v1"]  # the live test
    assert stored_counts(db) == (1, 1)
    with db.session() as session:
        ciphertext = session.scalars(select(SecretRow)).one().ciphertext
    assert CREDS.fullstory_admin_key.encode() not in ciphertext
    info = service.info("fs")
    assert info.credentials["api_key"].get_secret_value() == CREDS.fullstory_admin_key
    assert info.settings["base_url"] == FULLSTORY_URL
    assert CREDS.fullstory_admin_key not in repr(info) + str(info)
    [entry] = service.history("fs")
    assert (entry["action"], entry["actor"]) == ("connection.created", ACTOR)


def test_a_wrong_key_is_refused_and_nothing_is_saved(
    service: Connections, sandbox: Sandboxes, db: Database
) -> None:
    wrong = "na1.not-a-real-key-0000000000"
    with pytest.raises(AuthError) as caught:
        connect_fullstory(service, sandbox, key=wrong)
    assert caught.value.exit_code == 4
    assert "Not saved" in caught.value.message and "401" in caught.value.message
    assert wrong not in str(caught.value) + repr(caught.value)
    assert stored_counts(db) == (0, 0)
    with pytest.raises(NotFound):
        service.get("fs")


def test_a_standard_fullstory_key_is_refused_because_it_cannot_delete(
    service: Connections, sandbox: Sandboxes, db: Database
) -> None:
    with pytest.raises(PermissionDenied) as caught:
        connect_fullstory(service, sandbox, key=CREDS.fullstory_standard_key)
    assert caught.value.exit_code == 4
    text = str(caught.value)
    assert "Not saved" in text and "Admin" in text and "delete" in text
    assert stored_counts(db) == (0, 0)


def test_amplitude_needs_the_right_secret_key(service: Connections, sandbox: Sandboxes, db: Database) -> None:
    with pytest.raises(AuthError):
        service.create(
            "amplitude",
            "amp",
            credentials={"api_key": CREDS.amplitude_api_key, "secret_key": "wrong-secret-key-123456"},
            settings={"base_url": AMPLITUDE_URL},
            actor=ACTOR,
            transport=sandbox.amplitude.transport,
        )
    assert stored_counts(db) == (0, 0)
    connect_amplitude(service, sandbox)
    assert set(service.info("amp").credentials) == {"api_key", "secret_key"}
    assert stored_counts(db) == (1, 1)  # both keys in one vault secret


def test_a_duplicate_name_is_a_conflict_before_any_call(service: Connections, sandbox: Sandboxes) -> None:
    connect_fullstory(service, sandbox)
    before = len(sandbox.fullstory.calls())
    with pytest.raises(Conflict) as caught:
        connect_fullstory(service, sandbox)
    assert caught.value.exit_code == 2
    assert len(sandbox.fullstory.calls()) == before


@pytest.mark.parametrize(
    ("kind", "settings", "credentials", "named"),
    [
        ("fullstory", {"region": "mars"}, {"api_key": "k"}, "region"),
        ("fullstory", {}, {"api_key": "  "}, "api key"),
        ("amplitude", {}, {"api_key": "k"}, "secret key"),
        ("mixpanel", {}, {}, "Unknown provider"),
    ],
)
def test_bad_settings_and_missing_credentials_name_the_problem(
    local_service: Connections, sandbox: Sandboxes, kind: str, settings: dict, credentials: dict, named: str
) -> None:
    with pytest.raises(BadInput) as caught:
        local_service.create(kind, "x", credentials=credentials, settings=settings, actor=ACTOR)
    assert named in str(caught.value)
    assert sandbox.fullstory.calls() == [] and sandbox.amplitude.calls() == []


def test_an_invalid_name_is_refused(local_service: Connections) -> None:
    with pytest.raises(BadInput, match="connection name"):
        local_service.create("fullstory", "has space", credentials={"api_key": "k"}, actor=ACTOR)


def test_show_masks_every_credential(local_service: Connections, sandbox: Sandboxes) -> None:
    connect_amplitude(local_service, sandbox)
    shown = local_service.show("amp")
    assert shown["credentials"] == {"api_key": "********0001", "secret_key": "********ey01"}
    assert CREDS.amplitude_secret_key not in str(shown)


def test_disable_enable_and_remove_are_audited(
    service: Connections, sandbox: Sandboxes, db: Database
) -> None:
    connect_fullstory(service, sandbox)
    assert not service.disable("fs", actor="ann").enabled
    with pytest.raises(BadInput, match="disabled") as caught:
        service.open_client("fs", transport=sandbox.fullstory.transport)
    assert "headwater connections enable fs" in str(caught.value)
    service.disable("fs", actor="ann")  # already disabled: no second entry
    assert service.enable("fs", actor="bob").enabled
    service.open_client("fs", transport=sandbox.fullstory.transport).close()
    service.remove("fs", actor="cy")

    assert stored_counts(db) == (0, 0)
    trail = [(e["action"], e["actor"]) for e in service.history("fs")]
    assert trail == [
        ("connection.created", ACTOR),
        ("connection.disabled", "ann"),
        ("connection.enabled", "bob"),
        ("connection.removed", "cy"),
    ]
    with pytest.raises(NotFound):
        service.remove("fs", actor="cy")


def test_retesting_a_revoked_key_fails_and_is_audited(service: Connections, sandbox: Sandboxes) -> None:
    connect_fullstory(service, sandbox)
    service.test("fs", actor=ACTOR, transport=sandbox.fullstory.transport)
    sandbox.fullstory.app.state.sandbox.roles.pop(CREDS.fullstory_admin_key)  # revoked in FullStory
    with pytest.raises(AuthError):
        service.test("fs", actor=ACTOR, transport=sandbox.fullstory.transport)
    actions = [e["action"] for e in service.history("fs")]
    assert actions == ["connection.created", "connection.tested", "connection.test_failed"]


def test_no_key_reaches_a_log_line(
    local_service: Connections, sandbox: Sandboxes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    connect_amplitude(local_service, sandbox)
    with pytest.raises(AuthError):
        connect_fullstory(local_service, sandbox, key="na1.wrong-key-1234567890")
    local_service.test("amp", actor=ACTOR, transport=sandbox.amplitude.transport)
    assert caplog.records, "expected request logs at DEBUG"
    for secret in (CREDS.amplitude_api_key, CREDS.amplitude_secret_key, "na1.wrong-key-1234567890"):
        assert secret not in caplog.text
