"""The sandbox clock: frozen when started at a given time, forward-only, timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from headwater.sandbox import SandboxClock


def test_frozen_clock_moves_only_when_advanced() -> None:
    clock = SandboxClock(datetime(2024, 1, 1, 23, 0))
    assert clock.now() == datetime(2024, 1, 1, 23, 0, tzinfo=UTC)
    assert clock.advance(days=1, seconds=3600) == datetime(2024, 1, 3, 0, 0, tzinfo=UTC)
    assert clock.today() == date(2024, 1, 3)


def test_wall_clock_follows_real_time_plus_offset() -> None:
    clock = SandboxClock()
    clock.advance(days=2)
    assert clock.now() - datetime.now(UTC) > timedelta(days=1, hours=23)
    assert clock.now().tzinfo is not None


def test_clock_never_goes_back() -> None:
    with pytest.raises(ValueError, match="forward"):
        SandboxClock().advance(seconds=-1)
