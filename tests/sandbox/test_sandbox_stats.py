"""`GET /_sandbox/stats`: the events each emulator holds as of the sandbox clock, in both modes, equal to
what a complete export returns, on either emulator's port."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.sandbox.strict_support import CREDS, NOW, WORLD_END, running, segment_export_rows

AFTER_THE_WORLD = WORLD_END + timedelta(days=1)  # every event is a day old: nothing strict holds back


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_stats_equal_what_complete_exports_return(strict: bool) -> None:
    with running(strict=strict, users=5, events_per_user=80, now=AFTER_THE_WORLD) as sandbox:
        stats = sandbox.stats()
        assert sandbox.fs.get("/_sandbox/stats").json() == stats  # either port answers for both
        everything = sum(1 for index in range(5) for _ in sandbox.world.events(index))
        assert stats == {"fullstory_events": everything, "amplitude_events": everything}
        assert len(segment_export_rows(sandbox)) == everything
        assert len(sandbox.export_rows("20250201T00", "20250320T23")) == everything

        person = sandbox.world.person(4)
        own = sum(1 for _ in sandbox.world.events(4))
        assert sandbox.fs.delete(f"/v2/users/{person.fs_user_id}").status_code == 200
        event = {"user_id": "stats-user-0001", "event_type": "Counted", "insert_id": "stats-0001"}
        sent = sandbox.amp.post("/2/httpapi", json={"api_key": CREDS.amplitude_api_key, "events": [event]})
        assert sent.status_code == 200
        assert sandbox.stats() == {"fullstory_events": everything - own, "amplitude_events": everything + 1}


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_stats_follow_the_sandbox_clock(strict: bool) -> None:
    with running(strict=strict, users=5, events_per_user=80) as sandbox:
        world = sandbox.world

        def happened(before: datetime) -> int:
            return sum(1 for index in range(5) for event in world.events(index) if event.time < before)

        assert sandbox.stats() == {"fullstory_events": happened(NOW), "amplitude_events": happened(NOW)}
        sandbox.advance(days=2)
        later = happened(NOW + timedelta(days=2))
        assert later > happened(NOW)
        assert sandbox.stats() == {"fullstory_events": later, "amplitude_events": later}
