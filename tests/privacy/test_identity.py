"""Identity as users of such integrations expect: uid-identified connections ask for the uid, an unknown
uid is a clear error on the task, and Amplitude by user id needs the id."""

from __future__ import annotations

import pytest

from headwater.config import load_settings
from headwater.errors import BadInput, Conflict
from headwater.privacy.service import Privacy
from headwater.sandbox import SandboxServer
from headwater.store import Database
from tests.privacy.conftest import Desk, connect


@pytest.fixture
def uid_desk(db: Database, sandbox: SandboxServer, fast_jobs: None) -> Desk:
    privacy = Privacy.open(load_settings(), db)
    connect(privacy, sandbox, fs="uid", amp="user-id")
    return Desk(privacy, sandbox)


def test_missing_uid_is_needs_input_until_set_identity(uid_desk: Desk) -> None:
    person = uid_desk.sandbox.world.person(7)
    ticket = uid_desk.create(email=person.email)
    uid_desk.drain()
    shown = uid_desk.show(ticket["id"])
    assert shown["status"] == "needs_input"
    fs = uid_desk.task(ticket["id"], "fs")
    assert fs["status"] == "needs_input" and "uid" in fs["last_error"] and "set-identity" in fs["last_error"]
    assert uid_desk.task(ticket["id"], "amp")["status"] == "needs_input"

    uid_desk.privacy.set_identity(ticket["id"], connection="fs", uid=person.uid, actor="officer")
    uid_desk.privacy.set_identity(
        ticket["id"], connection="amp", uid=person.amplitude_user_id, actor="officer"
    )
    uid_desk.drain()
    shown = uid_desk.show(ticket["id"])
    assert shown["status"] == "waiting", shown
    assert shown["identifiers"] == {
        "fullstory_uid": person.uid,
        "amplitude_user_id": person.amplitude_user_id,
    }
    assert "dsr.identity_set" in [e["action"] for e in uid_desk.privacy.audit(ticket["id"])]


def test_an_unknown_uid_is_a_clear_task_error_and_can_be_corrected(uid_desk: Desk) -> None:
    person = uid_desk.sandbox.world.person(8)
    ticket = uid_desk.create(
        email=person.email, identifiers={"fullstory_uid": "usr-does-not-exist"}, connections=["fs"]
    )
    uid_desk.drain()
    fs = uid_desk.task(ticket["id"], "fs")
    assert uid_desk.show(ticket["id"])["status"] == "failed"
    assert fs["status"] == "failed" and "no user with uid 'usr-does-not-exist'" in fs["last_error"]

    uid_desk.privacy.set_identity(ticket["id"], connection="fs", uid=person.uid, actor="officer")
    uid_desk.drain()
    assert uid_desk.task(ticket["id"], "fs")["status"] == "waiting"
    with pytest.raises(Conflict):
        uid_desk.privacy.set_identity(ticket["id"], connection="fs", uid="other", actor="officer")
    with pytest.raises(BadInput):
        uid_desk.privacy.set_identity(ticket["id"], connection="amp", uid="x", actor="officer")


def test_cancel_and_retry(uid_desk: Desk) -> None:
    ticket = uid_desk.create(
        email="someone@example.com", identifiers={"fullstory_uid": "nope"}, connections=["fs"]
    )
    uid_desk.drain()
    assert uid_desk.show(ticket["id"])["status"] == "failed"
    retried = uid_desk.privacy.retry(ticket["id"], actor="officer")
    assert retried["status"] == "in_progress" and retried["tasks"][0]["last_error"] is None
    uid_desk.drain()
    assert uid_desk.show(ticket["id"])["status"] == "failed"
    cancelled = uid_desk.privacy.cancel(ticket["id"], actor="officer", reason="withdrawn by the person")
    assert cancelled["status"] == "cancelled" and cancelled["tasks"][0]["status"] == "cancelled"
    with pytest.raises(Conflict):
        uid_desk.privacy.cancel(ticket["id"], actor="officer")
    with pytest.raises(Conflict):
        uid_desk.privacy.retry(ticket["id"], actor="officer")


def test_an_unknown_amplitude_user_id_is_a_clear_task_error(uid_desk: Desk) -> None:
    ticket = uid_desk.create(
        email="someone@example.com", identifiers={"amplitude_user_id": "usr-typo"}, connections=["amp"]
    )
    uid_desk.drain()
    amp = uid_desk.task(ticket["id"], "amp")
    assert uid_desk.show(ticket["id"])["status"] == "failed" and amp["records"] == 0
    assert "no user with the id(s) 'usr-typo'" in amp["last_error"] and "case-sensitive" in amp["last_error"]
