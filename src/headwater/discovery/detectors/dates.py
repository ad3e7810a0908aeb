"""Dates of birth: a calendar date that a person could have been born on, plus a reason to think so.

A date alone says little (orders, releases and sign-ups have dates too), so a bare date is only a
`possible` birth date unless the field is named like one (`dob`, `birth_date`) or the text introduces
it ("born 12 March 1985", "DOB: 03/12/1985"). Timestamps never count: birthdays carry no time of day.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from functools import lru_cache

from headwater.discovery.hints import Hints
from headwater.discovery.types import Hit
from headwater.discovery.validators import make_date, plausible_birth_date

_MONTH_NAMES = (
    "jan/january feb/february mar/march apr/april may jun/june jul/july aug/august sep/sept/september "
)
_MONTH_NAMES += "oct/october nov/november dec/december"
_MONTHS = {
    name: number for number, names in enumerate(_MONTH_NAMES.split(), start=1) for name in names.split("/")
}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_NO_TIME = r"(?![\d:]|[T ]\d{1,2}:)"
#: a date stored as a timestamp at midnight UTC, as some tools store date-only properties
_MIDNIGHT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?$")
_DATE = re.compile(
    r"(?<![\d.:/-])(?:"
    r"(?P<iy>(?:19|20)\d{2})[-/.](?P<im>0?[1-9]|1[0-2])[-/.](?P<id>0?[1-9]|[12]\d|3[01])"
    r"|(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>(?:19|20)\d{2})"
    r"|(?P<dd>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.replace("mon", "mon1") + r",?\s+(?P<y1>(?:19|20)\d{2})"
    r"|" + _MONTH.replace("mon", "mon2") + r"\s+(?P<dd2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d{2})"
    r")" + _NO_TIME
)
#: every form above carries a four-digit year; most text with digits has none, and leaves here
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_INTRO = re.compile(
    r"(?:\bborn|\bbirth|\bb-?day|\bdob|\bd\.o\.b|geboren|\bnaissance|nacimiento)\W{0,3}(?:\w+\W{1,3}){0,3}$",
    re.I,
)


def today() -> date:
    return _day(int(time.time() // 600))


@lru_cache(maxsize=2)
def _day(_ten_minutes: int) -> date:
    """Today's date, read from the clock at most every ten minutes (this runs once per value)."""
    return datetime.now(UTC).date()


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    if digits < 4 or len(text) > 400:
        return None
    hinted = hints.has("date_of_birth")
    now = today()
    midnight = _MIDNIGHT.match(text) if hinted else None
    if midnight is not None:
        day = make_date(int(midnight[1]), int(midnight[2]), int(midnight[3]))
        return Hit(0.9, text) if day is not None and plausible_birth_date(day, now) else None
    if not _YEAR.search(text):
        return None
    for match in _DATE.finditer(text):
        day = _as_date(match)
        if day is None:
            continue
        introduced = bool(_INTRO.search(text, max(0, match.start() - 40), match.start()))
        if hinted or introduced:
            if plausible_birth_date(day, now):
                return Hit(0.95 if hinted else 0.85, match.group(0))
        elif match.group(0) == text.strip() and plausible_birth_date(day, now, min_age=13, max_age=110):
            return Hit(0.35, match.group(0))
    return None


def _as_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    if groups["iy"]:
        return make_date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
    if groups["y"]:
        first, second, year = int(groups["a"]), int(groups["b"]), int(groups["y"])
        return make_date(year, second, first) or make_date(year, first, second)
    name = (groups["mon1"] or groups["mon2"] or "").lower()
    month = _MONTHS.get(name)
    if month is None:
        return None
    return make_date(int(groups["y1"] or groups["y2"]), month, int(groups["dd"] or groups["dd2"]))
