"""The template language (sandboxed, strict, typed) and cron times in a time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from headwater.errors import BadInput
from headwater.workflows import crontime
from headwater.workflows.templating import TemplateError, condition, render

CONTEXT = {
    "inputs": {"emails": ["a@example.com", "b@example.com"], "days": 2},
    "steps": {"sessions": {"output": [{"count": 2, "items": ["x"]}, {"count": 3}]}},
    "state": {},
    "run": {"scheduled_for": "2026-03-02T09:00:00+00:00"},
}


def test_whole_expressions_keep_their_type_and_text_renders() -> None:
    assert render("{{ inputs.emails }}", CONTEXT) == ["a@example.com", "b@example.com"]
    assert render({"n": ["{{ inputs.days * 2 }}"]}, CONTEXT) == {"n": [4]}
    assert render("{{ steps.sessions.output | jmespath('sum([].count)') }} new", CONTEXT) == "5 new"
    assert render("{{ steps.sessions.output[0].items }}", CONTEXT) == ["x"]  # a key, not dict.items
    since = "{{ state.last_run | default(run.scheduled_for | shift_time(hours=-24)) }}"
    assert render(since, CONTEXT) == "2026-03-01T09:00:00+00:00"
    assert render("{{ '<b> & co' | slack_escape }}", CONTEXT) == "&lt;b&gt; &amp; co"
    assert render("{{ run.scheduled_for | format_time('Europe/Paris') }}", CONTEXT) == "2026-03-02 10:00 CET"
    assert render(7, CONTEXT) == 7


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{{ inputs.nope }}", "has no attribute 'nope'"),
        ("{{ state.last_run }}", "has no attribute 'last_run'"),
        ("{{ inputs.emails.append('x') }}", "unsafe"),
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{{ inputs.days / 0 }}", "division by zero"),
        ("{{ inputs | jmespath('[') }}", "JMESPath error"),
        ("{% for %}", "Template error"),
    ],
)
def test_mistakes_and_escapes_are_template_errors(template: str, says: str) -> None:
    with pytest.raises(TemplateError, match=says):
        render(template, CONTEXT)


def test_conditions() -> None:
    assert condition(None, CONTEXT) and condition(True, CONTEXT) and not condition(False, CONTEXT)
    assert condition("inputs.days > 1", CONTEXT)
    assert not condition("{{ inputs.days > 5 }}", CONTEXT)
    assert not condition("{{ 'no' }}", CONTEXT) and condition("{{ 'yes' }}", CONTEXT)


PARIS = crontime.zone("Europe/Paris")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        ("0 9 * * *", "2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00"),
        ("30 2 * * *", "2026-03-28T12:00:00+01:00", "2026-03-29T03:30:00+02:00"),  # skipped: shifted
        ("30 2 * * *", "2026-10-25T00:00:00+02:00", "2026-10-25T02:30:00+02:00"),  # twice: the first
        ("30 2 * * *", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"),
        ("0 * * * *", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"),  # hourly: both hours
        ("0 * * * *", "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"),  # hourly: one hour less
        ("@daily", "2026-06-01T00:00:00+02:00", "2026-06-02T00:00:00+02:00"),
    ],
)
def test_next_run_in_a_time_zone(cron: str, after: str, expected: str) -> None:
    assert crontime.next_run(cron, PARIS, at(after)) == at(expected)


def test_previous_run_and_counting_missed_runs() -> None:
    now = at("2026-03-31T12:00:00+02:00")
    assert crontime.previous_run("0 9 * * *", PARIS, now) == at("2026-03-31T09:00:00+02:00")
    start = at("2026-03-27T09:00:00+01:00")
    assert crontime.runs_between("0 9 * * *", PARIS, start, now, cap=100) == 5
    assert crontime.runs_between("* * * * *", PARIS, start, now, cap=10) == 10


def test_bad_cron_and_zones_say_what_to_write() -> None:
    for bad in ("61 * * * *", "* * * *", "0 0 9 * * *", "every day"):
        with pytest.raises(BadInput, match="five fields"):
            crontime.expand(bad)
    with pytest.raises(BadInput, match="IANA"):
        crontime.zone("Europe/Atlantis")
