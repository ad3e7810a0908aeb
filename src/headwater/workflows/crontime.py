"""Cron times in a time zone, right across daylight-saving changes.

croniter walks the zone's wall-clock times; each one is then placed on the real time line:

- a time the clocks skip (spring forward, e.g. 02:30 in Paris on the last Sunday of March) runs once,
  shifted by the gap (03:30), if the cron names its hour; an every-hour cron simply has one hour less;
- a time the clocks show twice (fall back) runs once, the first time, if the cron names its hour; an
  every-hour cron runs in both hours, as real time goes on.

Results are aware UTC datetimes; the store keeps them so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from headwater.errors import BadInput

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
#: wider than any daylight-saving shift, so the wall-clock order can be trusted beyond it
MARGIN = timedelta(hours=3)
#: daylight-saving changes are months apart: within this span, equal offsets at both ends mean none
QUICK_SPAN = timedelta(hours=12)


def expand(cron: str) -> str:
    """The five-field form of `cron`; BadInput saying what is wrong otherwise."""
    text = " ".join(cron.split())
    text = ALIASES.get(text.lower(), text)
    if len(text.split()) != 5 or not croniter.is_valid(text):
        raise BadInput(
            f"{cron!r} is not a valid cron expression.",
            hint="Use five fields: minute hour day-of-month month day-of-week, e.g. '0 9 * * 1-5', "
            "or @hourly, @daily, @weekly, @monthly.",
        )
    return text


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"Unknown time zone {name!r}.",
            hint="Use an IANA name such as UTC, Europe/Paris, America/Chicago.",
        ) from None


def next_run(cron: str, tz: ZoneInfo, after: datetime) -> datetime:
    """The first run time strictly after `after`."""
    after = after.astimezone(UTC)
    quick = _quick(cron, tz, after, forward=True)
    if quick is not None:
        return quick
    best: datetime | None = None
    best_wall: datetime | None = None
    for wall in _walls(cron, tz, after - MARGIN, forward=True):
        if best_wall is not None and wall > best_wall + MARGIN:
            break
        for moment in _instants(cron, tz, wall):
            if moment > after and (best is None or moment < best):
                best, best_wall = moment, wall
    assert best is not None
    return best


def previous_run(cron: str, tz: ZoneInfo, at: datetime) -> datetime:
    """The last run time at or before `at`."""
    at = at.astimezone(UTC)
    quick = _quick(cron, tz, at, forward=False)
    if quick is not None:
        return quick
    best: datetime | None = None
    best_wall: datetime | None = None
    for wall in _walls(cron, tz, at + MARGIN, forward=False):
        if best_wall is not None and wall < best_wall - MARGIN:
            break
        for moment in _instants(cron, tz, wall):
            if moment <= at and (best is None or moment > best):
                best, best_wall = moment, wall
    assert best is not None
    return best


def runs_between(cron: str, tz: ZoneInfo, start: datetime, end: datetime, *, cap: int) -> int:
    """How many run times lie in [start, end], counting at most `cap`."""
    count, moment = 0, start - timedelta(microseconds=1)
    while count < cap:
        moment = next_run(cron, tz, moment)
        if moment > end:
            break
        count += 1
    return count


def _quick(cron: str, tz: ZoneInfo, moment: datetime, *, forward: bool) -> datetime | None:
    """The answer from one croniter step when no daylight-saving change is near (the common case)."""
    base = moment.astimezone(tz).replace(tzinfo=None)
    walker = croniter(expand(cron), base if forward else base + timedelta(seconds=1))
    found = _instants(cron, tz, walker.get_next(datetime) if forward else walker.get_prev(datetime))
    if len(found) != 1:
        return None
    near, far = sorted((moment, found[0]))
    right_side = found[0] > moment if forward else found[0] <= moment
    if not right_side or far - near > QUICK_SPAN:
        return None
    return found[0] if tz.utcoffset(near - MARGIN) == tz.utcoffset(far + MARGIN) else None


def _walls(cron: str, tz: ZoneInfo, around: datetime, *, forward: bool) -> Iterator[datetime]:
    """Wall-clock times of `cron` in `tz`, from the wall time of `around` on, in one direction."""
    base = around.astimezone(tz).replace(tzinfo=None)
    walker = croniter(expand(cron), base)
    while True:
        yield walker.get_next(datetime) if forward else walker.get_prev(datetime)


def _instants(cron: str, tz: ZoneInfo, wall: datetime) -> list[datetime]:
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    every_hour = "*" in expand(cron).split()[1]
    if first == second:
        return [first]
    if first < second:  # shown twice (fall back)
        return [first, second] if every_hour else [first]
    return [] if every_hour else [first]  # skipped (spring forward): fold=0 lands after the gap
