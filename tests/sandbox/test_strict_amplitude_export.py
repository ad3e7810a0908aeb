"""Strict mode, Amplitude Export API: an hour is exportable only 2 h after it ends, and a share of events
arrives later still, into hours already exportable; the lenient default exports everything at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.sandbox.strict_support import CREDS, NOW, running

WHOLE = ("20250215T00", "20250310T11")
LAST_ENDED_HOUR = "20250310T10"  # 10:00-11:00; NOW is 11:30, so strictly exportable from 13:00
# hours every one of which is exportable at NOW, recent enough that some late events are still to come
RECENT = ("20250309T12", "20250310T08")


def _upload_hour(row: dict[str, Any]) -> datetime:
    uploaded = datetime.fromisoformat(row["server_upload_time"]).replace(tzinfo=UTC)
    return uploaded.replace(minute=0, second=0, microsecond=0)


def _uuids(rows: list[dict[str, Any]]) -> set[str]:
    return {row["uuid"] for row in rows}


def test_strict_export_shows_an_hour_only_two_hours_after_it_ends() -> None:
    with running(strict=True) as strict, running(strict=False) as lenient:
        everything = lenient.export_rows(*WHOLE)
        assert any(_upload_hour(row) + timedelta(hours=3) > NOW for row in everything)
        shown = strict.export_rows(*WHOLE)
        assert shown and all(_upload_hour(row) + timedelta(hours=3) <= NOW for row in shown)
        assert _uuids(shown) < _uuids(everything)

        assert lenient.export(LAST_ENDED_HOUR, LAST_ENDED_HOUR).status_code == 200
        assert strict.export(LAST_ENDED_HOUR, LAST_ENDED_HOUR).status_code == 404  # no data yet
        strict.advance(seconds=90 * 60)  # 13:00
        on_time = strict.export_rows(LAST_ENDED_HOUR, LAST_ENDED_HOUR)
        assert on_time and _uuids(on_time) <= _uuids(lenient.export_rows(LAST_ENDED_HOUR, LAST_ENDED_HOUR))


def test_strict_late_events_arrive_into_hours_already_exportable_the_same_way_every_run() -> None:
    with running(strict=True) as strict, running(strict=False) as lenient:
        complete = _uuids(lenient.export_rows(*RECENT))
        first_read = _uuids(strict.export_rows(*RECENT))
        late = complete - first_read
        assert first_read < complete and 0 < len(late) < len(complete) / 5
        strict.advance(days=1)
        assert _uuids(strict.export_rows(*RECENT)) == complete
        lenient.advance(days=1)
        assert _uuids(lenient.export_rows(*RECENT)) == complete  # nothing is ever late in lenient mode
    with running(strict=True) as again:
        assert _uuids(again.export_rows(*RECENT)) == first_read  # late events follow from the World's seed


def test_strict_ingested_events_wait_as_well() -> None:
    event = {
        "user_id": "strict-ingest-user",
        "event_type": "Checked Out",
        "insert_id": "strict-ingest-0001",
        "time": int(NOW.timestamp() * 1000),
    }
    with running(strict=True) as strict, running(strict=False) as lenient:
        for sandbox in (strict, lenient):
            sent = sandbox.amp.post(
                "/2/httpapi", json={"api_key": CREDS.amplitude_api_key, "events": [event]}
            )
            assert sent.status_code == 200, sent.text
        hour = "20250310T11"
        assert "strict-ingest-0001" in {row["$insert_id"] for row in lenient.export_rows(hour, hour)}
        assert strict.export(hour, hour).status_code == 404
        strict.advance(seconds=150 * 60)  # 14:00: two hours after the upload hour ended
        assert "strict-ingest-0001" in {row["$insert_id"] for row in strict.export_rows(hour, hour)}
