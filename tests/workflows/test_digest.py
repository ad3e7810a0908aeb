"""The session-digest recipe against the sandbox: new sessions only, state moved only by success, and a
cost that follows new sessions rather than a person's history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from headwater.store import Database

from .conftest import NOW
from .support import Lab, make_lab, new_sessions, sandbox_server


def init_digest(lab: Lab, *people: int) -> dict[str, Any]:
    emails = [lab.world.person(index).email for index in people]
    return lab.workflows.init(
        "session-digest",
        lab.folder / "digest.yaml",
        force=False,
        actor="tester",
        fullstory="fs",
        slack="team",
        emails=emails,
        timezone="Europe/Paris",
    )


def test_second_digest_counts_only_the_sessions_created_since_the_first(lab: Lab) -> None:
    added = init_digest(lab, 0, 1)
    assert added["created"] and added["path"].endswith("digest.yaml")
    first = lab.workflows.run_now("session-digest", {})
    assert first["status"] == "succeeded", first["error"]
    day_before = NOW - timedelta(hours=24)
    expected = [new_sessions(lab.world, i, day_before, NOW) for i in (0, 1)]
    assert lab.slack_messages()[-1]["text"] == f"{sum(expected)} new FullStory sessions since the last run"
    assert lab.state("session-digest") == {"last_run": NOW.isoformat()}

    lab.server.clock.advance(days=1)
    second = lab.workflows.run_now("session-digest", {})
    assert second["status"] == "succeeded", second["error"]
    later = NOW + timedelta(days=1)
    expected = [new_sessions(lab.world, i, NOW, later) for i in (0, 1)]
    assert sum(expected) > 0
    message = lab.slack_messages()[-1]
    assert message["text"] == f"{sum(expected)} new FullStory sessions since the last run"
    listed = message["blocks"][2]["text"]["text"]
    for index, count in zip((0, 1), expected, strict=True):
        assert f"• {lab.world.person(index).email}: {count}" in listed
    assert lab.state("session-digest") == {"last_run": later.isoformat()}
    assert len(lab.slack_messages()) == 2


def test_a_failed_run_leaves_the_state_unchanged_and_the_next_one_catches_up(lab: Lab) -> None:
    init_digest(lab, 2)
    assert lab.workflows.run_now("session-digest", {})["status"] == "succeeded"
    stored = lab.state("session-digest")

    lab.server.clock.advance(days=1)
    lab.force_slack("channel_not_found")
    failed = lab.workflows.run_now("session-digest", {})
    assert (failed["status"], failed["job_status"]) == ("failed", "dead")
    assert "channel of this Slack webhook no longer exists (channel_not_found)" in failed["error"]
    assert "headwater connect slack --name team" in failed["error"]
    assert lab.state("session-digest") == stored
    assert len(lab.slack_messages()) == 1

    lab.server.clock.advance(days=1)
    assert lab.workflows.run_now("session-digest", {})["status"] == "succeeded"
    both_days = new_sessions(lab.world, 2, NOW, NOW + timedelta(days=2))
    assert lab.slack_messages()[-1]["text"].startswith(f"{both_days} new ")
    assert lab.state("session-digest") == {"last_run": (NOW + timedelta(days=2)).isoformat()}


@pytest.mark.parametrize(
    ("history_days", "events_per_user"), [(365, 60_000), (6, 1_000)], ids=["years-of-history", "a-week"]
)
def test_the_digest_reads_the_same_few_sessions_whatever_the_history(
    sqlite_db: Database, history_days: int, events_per_user: int
) -> None:
    """A person with thousands of old sessions costs one small request per run, like a newcomer."""
    history = timedelta(days=history_days)
    with sandbox_server(NOW, history=history, events_per_user=events_per_user, users=1) as server:
        lab = make_lab(sqlite_db, server)
        total = len(lab.world.sessions(0))
        assert total >= 3000 if history_days > 300 else total < 200
        init_digest(lab, 0)
        for day in range(2):
            lab.server.clock.advance(days=1)
            run = lab.workflows.run_now("session-digest", {})
            assert run["status"] == "succeeded", run["error"]
            expected = new_sessions(lab.world, 0, NOW + timedelta(days=day), NOW + timedelta(days=day + 1))
            assert lab.slack_messages()[-1]["text"].startswith(f"{expected} new ")
        calls = lab.session_calls()
        assert len(calls) == 2  # one request per run, none growing with the history
        assert all("limit=50&" in call["query"] for call in calls)
        sizes = [step["output_size"] for step in lab.workflows.run_log(run["id"])["steps"][:1]]
        assert sizes[0] < 20_000
