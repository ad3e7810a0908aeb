"""The World: deterministic, realistic, streamed, with the planted personal data it claims."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from headwater.sandbox import World
from headwater.sandbox.world.pii import card_number, iban, luhn_valid, order_number

START = datetime(2024, 5, 1, tzinfo=UTC)
END = datetime(2024, 5, 29, tzinfo=UTC)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=11, users=40, events_per_user=120, start=START, end=END)


def test_same_seed_same_world(world: World) -> None:
    twin = World(seed=11, users=40, events_per_user=120, start=START, end=END)
    assert twin.person(17) == world.person(17)
    assert list(twin.events(17)) == list(world.events(17))
    other = World(seed=12, users=40, events_per_user=120, start=START, end=END)
    assert other.person(17).email != world.person(17).email


def test_people_are_unique_and_findable(world: World) -> None:
    people = list(world.people())
    assert (
        len({p.email for p in people})
        == len({p.fs_user_id for p in people})
        == len({p.uid for p in people})
        == 40
    )
    assert all(p.email == p.email.lower() and p.amplitude_user_id == p.email for p in people)
    assert any(p.fs_user_id > 2**53 for p in people)
    assert world.find_by_email(people[9].email) == people[9]
    assert world.find_by_uid(people[9].uid) == people[9]
    assert world.find_by_uid("usr-999999") is None and world.find_by_email("x@example.com") is None
    with pytest.raises(IndexError):
        world.person(40)


def test_sessions_and_events_are_ordered_and_sized(world: World) -> None:
    sessions = world.sessions(3)
    assert [s.start for s in sessions] == sorted(s.start for s in sessions)
    events = list(world.events(3))
    assert len(events) == world.events_per_user
    assert [e.time for e in events] == sorted(e.time for e in events)
    assert all(e.time.microsecond % 1000 == 0 and e.time.tzinfo is not None for e in events)
    assert {e.kind for e in events} >= {"navigate", "click", "change", "custom"}


def test_events_between_is_a_time_ordered_half_open_window(world: World) -> None:
    low, high = START + timedelta(days=3), START + timedelta(days=4)
    window = list(world.events_between(low, high))
    assert window and all(low <= e.time < high for e in window)
    assert [e.time for e in window] == sorted(e.time for e in window)
    everything = [e for i in range(world.users) for e in world.events(i) if low <= e.time < high]
    assert len(window) == len(everything)


def test_events_between_streams() -> None:
    big = World(seed=1, users=200, events_per_user=100, start=START, end=END)
    stream = big.events_between(START, END)
    assert len(list(itertools.islice(stream, 5))) == 5


def test_planted_pii_is_really_there(world: World) -> None:
    events = [e for i in range(world.users) for e in world.events(i)]
    emails = {p.email for p in world.people()}
    url_emails = {q for e in events for q in parse_qs(urlsplit(e.page_url).query).get("email", [])}
    assert url_emails and url_emails <= emails
    typed = [e.target_text for e in events if e.kind == "change"]
    assert any(re.fullmatch(r"\+1 \d{3} 555 01\d\d", text) for text in typed)
    cards = [text.replace(" ", "") for text in typed if re.fullmatch(r"(\d{4} ){3}\d{4}", text)]
    assert cards and all(luhn_valid(card) for card in cards)
    notes = [e.properties["note"] for e in events if "note" in e.properties]
    assert any("@" in note for note in notes)
    orders = [e.properties["order_id"] for e in events if "order_id" in e.properties]
    assert orders and not any(luhn_valid(order) for order in orders)


def test_planted_pii_catalogue(world: World) -> None:
    catalogue = World.PLANTED_PII
    assert catalogue["user.email"] == {"email"} and catalogue["event.card_hint"] == {"payment_card"}
    assert catalogue["page_url?email"] == {"email"} and "ip_address" in catalogue["ip"]
    decoys = {name for name, kinds in catalogue.items() if not kinds}
    assert {"event.order_id", "user.zip_code", "user.email_sha256", "user.app_version"} <= decoys
    allowed = {
        "email",
        "phone",
        "payment_card",
        "ip_address",
        "street_address",
        "person_name",
        "national_id",
        "iban",
        "date_of_birth",
    }
    assert set().union(*catalogue.values()) <= allowed


def test_value_generators() -> None:
    import random

    rng = random.Random(5)
    assert all(luhn_valid(card_number(rng).replace(" ", "")) for _ in range(20))
    assert not any(luhn_valid(order_number(rng)) for _ in range(50))
    value = iban(rng)
    rearranged = value[4:] + value[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    assert int(digits) % 97 == 1


def test_world_defaults_to_the_last_four_weeks() -> None:
    world = World(users=1, events_per_user=5)
    assert world.end - world.start == timedelta(days=28)
    assert world.end.hour == 0 and world.end.tzinfo is not None


def test_a_persons_events_are_strictly_time_ordered() -> None:
    world = World(seed=3, users=200, events_per_user=300)
    for index in range(world.users):
        sessions = world.sessions(index)
        assert all(a.end < b.start for a, b in itertools.pairwise(sessions))
        times = [event.time for event in world.events(index)]
        assert times == sorted(times)


def test_counting_a_persons_events_until_a_moment_matches_the_events(world: World) -> None:
    events = list(world.events(5))
    middle = events[len(events) // 2].time  # inside a session: its events are counted one by one
    moments = [START, middle, middle + timedelta(milliseconds=1), events[-1].time, END + timedelta(days=1)]
    for moment in moments:
        before = sum(1 for event in events if event.time < moment)
        until = sum(1 for event in events if event.time <= moment)
        assert world.count_events_until(5, moment, inclusive=False) == before
        assert world.count_events_until(5, moment, inclusive=True) == until
    assert world.count_events_until(5, middle, inclusive=True) > world.count_events_until(
        5, middle, inclusive=False
    )
