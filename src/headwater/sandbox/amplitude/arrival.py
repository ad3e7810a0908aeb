"""When an event becomes exportable: as soon as it is uploaded (lenient), or hours later (strict).

Strict mode follows Amplitude's Export API docs: data is available "at a minimum within 2 hours" of
receipt (events received 20:00-21:00 around 23:00), later is possible, and late events land in hours
already exported (amplitude.com/docs/apis/analytics/export; shared/api/real-behaviour.md, "Data
availability"). Which seeded events are late, and by how much, is a pure function of the World's seed and
the event, so a strict run repeats exactly.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from headwater.sandbox.amplitude.settings import AmplitudeSettings
from headwater.sandbox.world import Event

HOUR = timedelta(hours=1)
LATE_AT_LEAST = timedelta(hours=1)  # late enough to miss a read made as soon as the hour was exportable
_SHARE_STEPS = 1 << 16


def on_time(upload_hour: datetime, delay: timedelta) -> datetime:
    """When the events uploaded in ``upload_hour`` become exportable, if none is late."""
    return upload_hour + HOUR + delay


def lateness(settings: AmplitudeSettings, seed: int, event: Event) -> timedelta:
    """How much later than on time a seeded event arrives; zero for all but ``late_share`` of them."""
    if settings.late_share <= 0:
        return timedelta()
    key = f"{seed}|{event.person_index}|{event.session_id}|{event.page_id}|{event.time.isoformat()}"
    digest = zlib.crc32(f"{key}|{event.kind}".encode())
    if (digest % _SHARE_STEPS) >= settings.late_share * _SHARE_STEPS:
        return timedelta()
    spread = max(timedelta(), settings.late_by_at_most - LATE_AT_LEAST)
    return LATE_AT_LEAST + spread * ((digest >> 16) / _SHARE_STEPS)
