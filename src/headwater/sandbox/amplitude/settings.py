"""Amplitude-only knobs of the emulator, beyond the shared ``SandboxOptions``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from headwater.sandbox.common.state import SandboxOptions

# Strict mode: events reach the Export API "at a minimum within 2 hours" of receipt (events received
# 20:00-21:00 around 23:00), later is possible, and late events land in hours already exported
# (amplitude.com/docs/apis/analytics/export; shared/api/real-behaviour.md, "Data availability").
STRICT_EXPORT_DELAY = timedelta(hours=2)
STRICT_LATE_SHARE = 0.05
STRICT_LATE_BY_AT_MOST = timedelta(hours=20)


@dataclass
class AmplitudeSettings:
    """Amplitude-only knobs; tests may change them on a live app (``app.state.sandbox.settings``)."""

    app_id: int = 187_520
    deletion_delay_days: int = 14
    export_rows_per_part: int = 100_000
    export_force_status: int | None = None  # 400 (over 4 GB) or 504 (timeout), to test a client's handling
    auth_failure_status: int = 401  # 403 imitates a wrong-region key, as some clients report it
    dsar_submitted_after: timedelta = timedelta(hours=1)
    dsar_done_after: timedelta = timedelta(days=1)
    dsar_expires_after: timedelta = timedelta(days=2)
    # None: an event is exportable once uploaded. Else exportable this long after its upload hour ends,
    # and a seeded event with probability late_share only up to late_by_at_most later still.
    export_delay: timedelta | None = None
    late_share: float = 0.0
    late_by_at_most: timedelta = STRICT_LATE_BY_AT_MOST
    lookups_per_hour: int = 360  # usersearch + useractivity per project; a sliding window when strict
    # Where strict mode's DSAR downloads redirect: another origin (SandboxServer sets a second port).
    dsar_storage_url: str = "http://dsar-storage.amplitude.sandbox"

    @classmethod
    def for_options(cls, options: SandboxOptions) -> AmplitudeSettings:
        if not options.strict:
            return cls()
        return cls(export_delay=STRICT_EXPORT_DELAY, late_share=STRICT_LATE_SHARE)
