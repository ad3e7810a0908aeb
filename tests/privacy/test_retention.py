"""What privacy requests leave behind is kept only as long as it should be: collected copies are purged a
while after the request closes (and say so), and a deleted person stops being suppressed a while after
the provider confirmed the deletion."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from headwater.errors import ConfigError, Conflict
from headwater.jobs import EmbeddedWorker, registry
from headwater.jobs.recurring import schedule
from headwater.privacy import retention
from headwater.privacy.models import ExportChunkRow
from headwater.store.models import utcnow
from headwater.sync import suppression
from headwater.sync.replica_models import SuppressionRow
from tests.privacy.conftest import Desk
from tests.waiting import wait_until


def chunks(desk: Desk) -> int:
    with desk.privacy.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ExportChunkRow)) or 0)


def test_collected_copies_are_purged_after_the_retention_and_the_package_says_how_to_collect_again(
    desk: Desk, tmp_path: Path
) -> None:
    ticket = desk.create(kind="copy", email=desk.sandbox.world.person(5).email, connections=["fs"])
    desk.drain()
    closed = desk.show(ticket["id"])["closed_at"]
    assert closed is not None and chunks(desk) > 0
    desk.privacy.package(ticket["id"], tmp_path / "before.zip", actor="officer")
    settings = retention.load_retention_settings()
    assert settings.copy_retention_days == 30

    early = retention.run(desk.privacy.db, settings, closed + timedelta(days=29))
    assert early["copies_purged"] == 0 and chunks(desk) > 0

    done = retention.run(desk.privacy.db, settings, closed + timedelta(days=30, seconds=1))
    assert done["copies_purged"] == 1 and chunks(desk) == 0

    [entry] = [e for e in desk.privacy.audit(ticket["id"]) if e["action"] == "dsr.copy_purged"]
    assert "30 days after the request closed" in entry["message"] and entry["details"]["records"] > 0
    with pytest.raises(Conflict, match="was deleted on") as refused:
        desk.privacy.package(ticket["id"], tmp_path / "after.zip", actor="officer")
    assert "dsr create --kind copy" in refused.value.hint
    assert not (tmp_path / "after.zip").exists()
    again = retention.run(desk.privacy.db, settings, closed + timedelta(days=31))
    assert again["copies_purged"] == 0  # purged once, audited once
    assert len([e for e in desk.privacy.audit(ticket["id"]) if e["action"] == "dsr.copy_purged"]) == 1


def test_the_retention_is_configurable_and_runs_as_recurring_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_PRIVACY_COPY_RETENTION_DAYS", "7")
    monkeypatch.setenv("HEADWATER_PRIVACY_SUPPRESS_DAYS", "180")
    settings = retention.load_retention_settings()
    assert (settings.copy_retention_days, settings.suppress_days) == (7, 180)
    monkeypatch.setenv("HEADWATER_PRIVACY_COPY_RETENTION_DAYS", "soon")
    with pytest.raises(ConfigError, match="HEADWATER_PRIVACY_COPY_RETENTION_DAYS"):
        retention.load_retention_settings()
    registry.load()
    assert any(entry.kind == retention.RETENTION_KIND for entry in schedule())


def test_suppression_lasts_until_the_provider_confirms_then_the_grace_period(desk: Desk) -> None:
    person = desk.sandbox.world.person(7)
    ticket = desk.create(email=person.email, connections=["fs"])
    desk.drain()
    db, settings = desk.privacy.db, retention.load_retention_settings()
    assert suppression.active(db, "fs")  # suppressed from intake on, while FullStory works

    retention.run(db, settings, utcnow())
    assert suppression.active(db, "fs", utcnow() + timedelta(days=365))  # not confirmed: no end yet

    desk.sandbox.clock.advance(days=2)  # FullStory purges the user
    assert desk.privacy.refresh(ticket["id"], actor="officer")["status"] == "completed"
    finished = desk.task(ticket["id"], "fs")["finished_at"]
    assert retention.run(db, settings, utcnow())["suppression_ended"] > 0
    assert suppression.active(db, "fs", finished + timedelta(days=89))
    assert not suppression.active(db, "fs", finished + timedelta(days=90, seconds=1))
    assert retention.run(db, settings, finished + timedelta(days=91))["suppression_expired"] > 0
    assert not suppression.active(db, "fs", utcnow())


def test_a_cancelled_request_never_sent_stops_suppressing_at_once(desk: Desk) -> None:
    ticket = desk.create(email=desk.sandbox.world.person(8).email, connections=["fs"])
    desk.privacy.cancel(ticket["id"], actor="officer", reason="sent by mistake")
    assert suppression.active(desk.privacy.db, "fs")
    retention.run(desk.privacy.db, retention.load_retention_settings(), utcnow())
    assert not suppression.active(desk.privacy.db, "fs")


def test_the_suppression_list_holds_no_identity(desk: Desk) -> None:
    person = desk.sandbox.world.person(9)
    desk.create(email=person.email, connections=["fs", "amp"])
    desk.drain()
    stored: list[str] = []

    def fields() -> set[str]:  # the resolved ids are added by the ticket's own-copies job
        EmbeddedWorker(desk.privacy.queue, concurrency=1).run(once=True)
        with desk.privacy.db.session() as session:
            stored[:] = [f"{r.field} {r.digest}" for r in session.scalars(select(SuppressionRow))]
        return {entry.split()[0] for entry in stored}

    wait_until(
        lambda: fields() >= {"email", "fullstory_user_id", "fullstory_uid", "amplitude_user_id"},
        timeout=30,
        what="the identities found to be suppressed",
        details=lambda: str(fields()),
    )
    assert not any(
        value.lower() in entry.lower()
        for entry in stored
        for value in (person.email, person.uid, str(person.fs_user_id), str(person.amplitude_id))
    )


def test_download_folders_a_killed_process_left_behind_go_after_a_day(tmp_path: Path) -> None:
    old, fresh = tmp_path / "package-old", tmp_path / "package-fresh"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "DSR-AAAAAA.zip").write_bytes(b"personal data")
    day_ago = (utcnow() - timedelta(days=1, minutes=1)).timestamp()
    os.utime(old, (day_ago, day_ago))
    assert retention.sweep_downloads(tmp_path, utcnow()) == 1
    assert not old.exists() and fresh.exists()
