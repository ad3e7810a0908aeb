"""Amplitude-only knobs of the emulator, beyond the shared ``SandboxOptions``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


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
