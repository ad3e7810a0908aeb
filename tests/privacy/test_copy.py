"""Copy requests: the access package holds what the sandbox holds about the person, with checked hashes."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from headwater.config import load_settings
from headwater.discovery import ScanOptions
from headwater.discovery.labelled import sandbox as sandbox_files
from headwater.discovery.service import scan_connection
from headwater.errors import Conflict
from tests.privacy.conftest import Desk
from tests.sandbox_connections import connect_amplitude


def test_copy_package_matches_the_sandbox_and_its_hashes(desk: Desk, tmp_path: Path) -> None:
    world, now = desk.sandbox.world, desk.sandbox.clock.now()
    person = world.person(5)
    ticket = desk.create(kind="copy", email=person.email, regulation="ccpa")
    with pytest.raises(Conflict, match="package"):
        desk.privacy.package(ticket["id"], tmp_path / "early.zip", actor="officer")
    desk.drain()
    assert desk.show(ticket["id"])["status"] == "completed"
    export = tmp_path / "amplitude.json.gz"
    sandbox_files.write_amplitude(export, world)  # a discovery scan of amp gives it known data types
    scan_connection(
        desk.privacy.db, load_settings(), lambda: None, "amp", ScanOptions(), actor="t", files=[export]
    )

    result = desk.privacy.package(ticket["id"], tmp_path / "out" / "package.zip", actor="officer")
    archive = zipfile.ZipFile(result["path"])
    manifest = json.loads(archive.read("manifest.json"))
    names = set(archive.namelist())
    assert {
        "summary.html",
        "evidence/audit.json",
        "manifest.json",
        "fs/events.json",
        "amp/profile.json",
    } <= names
    for entry in manifest["files"]:  # every other file is listed with its SHA-256
        assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    assert {e["path"] for e in manifest["files"]} == names - {"manifest.json"}
    assert manifest["subject"]["email"] == person.email and manifest["regulation"] == "ccpa"

    sessions = [s for s in world.sessions(person.index) if s.start <= now]
    events = [e for e in world.events(person.index) if e.time <= now]
    fs_sessions = json.loads(archive.read("fs/sessions.json"))
    assert {int(s["sessionId"]) for s in fs_sessions} == {s.session_id for s in sessions}
    assert all(s["replay_url"].startswith("https://app.fullstory.com/") for s in fs_sessions)
    assert len(json.loads(archive.read("fs/events.json"))) == len(events)
    assert len(json.loads(archive.read("amp/events.json"))) == len(events)
    fs_profile = json.loads(archive.read("fs/profile.json"))
    assert fs_profile[0]["uid"] == person.uid and fs_profile[0]["email"] == person.email
    assert json.loads(archive.read("amp/profile.json"))[0]["user_data"]["user_id"] == person.amplitude_user_id

    summary = archive.read("summary.html").decode()
    assert ticket["id"] in summary and person.email in summary and "CCPA" in summary
    assert fs_sessions[0]["replay_url"] in summary
    assert summary.count("No data scan has been recorded") == 1  # fs; amp lists what its scan found
    assert "email" in summary and "ip_address" in summary
    evidence = json.loads(archive.read("evidence/audit.json"))
    assert evidence[0]["action"] == "dsr.created"

    digest = hashlib.sha256(Path(result["path"]).read_bytes()).hexdigest()
    last = desk.privacy.audit(ticket["id"])[-1]
    assert last["action"] == "dsr.package_generated" and last["details"]["sha256"] == digest
    assert last["actor"] == "officer"
    contents = b"".join(archive.read(name) for name in names)
    for secret in (
        desk.sandbox.credentials.fullstory_admin_key,
        desk.sandbox.credentials.amplitude_secret_key,
    ):
        assert secret.encode() not in contents


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_delete_request_packages_evidence_and_no_data(desk: Desk, tmp_path: Path) -> None:
    ticket = desk.create(email="nobody.here@example.org", connections=["fs"])
    desk.drain()
    result = desk.privacy.package(ticket["id"], tmp_path / "x.zip", actor="officer")
    archive = zipfile.ZipFile(result["path"])
    assert set(archive.namelist()) == {
        "evidence/erasures.json",
        "evidence/audit.json",
        "summary.html",
        "manifest.json",
    }
    [fs] = json.loads(archive.read("evidence/erasures.json"))
    assert (fs["connection"], fs["status"], fs["records"]) == ("fs", "completed", 0)


def test_amplitude_copies_through_its_data_access_request_when_the_org_keys_are_there(
    desk: Desk, tmp_path: Path
) -> None:
    desk.privacy.connections.remove("amp", actor="officer")
    connect_amplitude(
        desk.privacy.connections, desk.sandbox, "amp", actor="officer", org_keys=True, identify_by="email"
    )
    person = desk.sandbox.world.person(7)
    ticket = desk.create(kind="copy", email=person.email, connections=["amp"])
    desk.drain()
    task = desk.task(ticket["id"], "amp")
    assert desk.show(ticket["id"])["status"] == "waiting" and task["status"] == "waiting"
    [job] = task["counts"]["provider_jobs"]
    assert job["id"].startswith("dsar-")

    desk.privacy.refresh(ticket["id"], actor="officer")  # Amplitude is still preparing it
    assert desk.show(ticket["id"])["status"] == "waiting"
    desk.sandbox.clock.advance(days=1, seconds=3600)  # the sandbox's DSAR is done a day after it is asked
    desk.privacy.refresh(ticket["id"], actor="officer")
    desk.drain()
    shown = desk.show(ticket["id"])
    assert shown["status"] == "completed", shown["tasks"]

    archive = zipfile.ZipFile(desk.privacy.package(ticket["id"], tmp_path / "p.zip", actor="officer")["path"])
    events = json.loads(archive.read("amp/events.json"))
    assert events and len(events) == desk.task(ticket["id"], "amp")["records"]
    assert {e["user_id"] for e in events} == {person.amplitude_user_id}
    calls = [(c["method"], c["path"]) for c in desk.sandbox.amplitude_app.state.sandbox.calls.calls("")]
    assert calls.count(("POST", "/api/2/dsar/requests")) == 1  # asked once, however often it was polled
    assert not [p for _, p in calls if p.startswith("/api/2/useractivity")]  # not collected a second way


def test_an_amplitude_copy_collected_after_its_files_expired_fails_and_a_retry_asks_again(
    desk: Desk,
) -> None:
    desk.privacy.connections.remove("amp", actor="officer")
    connect_amplitude(
        desk.privacy.connections, desk.sandbox, "amp", actor="officer", org_keys=True, identify_by="email"
    )
    ticket = desk.create(kind="copy", email=desk.sandbox.world.person(8).email, connections=["amp"])
    desk.drain()
    desk.sandbox.clock.advance(days=4)  # ready after a day, its files gone two days later
    desk.privacy.refresh(ticket["id"], actor="officer")
    desk.drain()
    failed = desk.task(ticket["id"], "amp")
    assert failed["status"] == "failed" and "expired" in failed["last_error"]

    desk.privacy.retry(ticket["id"], actor="officer")
    desk.drain()
    assert desk.task(ticket["id"], "amp")["status"] == "waiting"  # a new request, not the expired one
    desk.sandbox.clock.advance(days=1, seconds=3600)
    desk.privacy.refresh(ticket["id"], actor="officer")
    desk.drain()
    done = desk.task(ticket["id"], "amp")
    assert done["status"] == "completed" and done["records"] > 0
    calls = [(c["method"], c["path"]) for c in desk.sandbox.amplitude_app.state.sandbox.calls.calls("")]
    assert calls.count(("POST", "/api/2/dsar/requests")) == 2
