"""Deterministic sessions and events: a person's visits and clicks regenerate from (seed, ids) alone."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from headwater.sandbox.world import pii
from headwater.sandbox.world.model import Event, Person, Session

SITE = "https://shop.example.com"
PRODUCTS = ("trail-runner-2", "merino-hoodie", "rain-shell", "camp-mug", "headlamp-300", "wool-socks")
SEARCH_TERMS = ("rain jacket", "socks", "gift card", "return policy", "size guide")
CLICK_TARGETS = (
    ("Add to cart", "button.add-to-cart"),
    ("Checkout", "a.checkout"),
    ("", ""),
    ("", ""),
    ("Sign out", "nav a.sign-out"),
    ("Save", "form button[type=submit]"),
)
OUTSIDE_REFERRERS = ("https://www.google.com/", "https://www.bing.com/", "", "https://news.example.org/deals")


SESSION_GAP = timedelta(minutes=1)


@dataclass(frozen=True)
class _Page:
    name: str
    url: str
    custom: str


def build_sessions(
    seed: int, index: int, events_per_user: int, start: datetime, end: datetime
) -> list[Session]:
    """Split ``events_per_user`` events into visits spread over the window, oldest first."""
    if events_per_user <= 0:
        return []
    rng = random.Random(f"hw-sessions:{seed}:{index}")
    count = min(events_per_user, max(1, round(events_per_user / rng.uniform(10, 20))))
    cuts = sorted(rng.sample(range(1, events_per_user), count - 1)) if count > 1 else []
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, events_per_user], strict=True)]
    span = (end - start).total_seconds()
    starts = sorted(rng.uniform(0, span) for _ in range(count))
    sessions: list[Session] = []
    for offset, size in zip(starts, sizes, strict=True):
        begin = _millis(start + timedelta(seconds=offset))
        if sessions and begin <= sessions[-1].end:
            # one person is in one visit at a time: a visit starts after the previous one ends
            begin = sessions[-1].end + SESSION_GAP
        length = timedelta(seconds=size * rng.uniform(4, 40))
        sessions.append(Session(index, rng.getrandbits(62), begin, _millis(begin + length), size))
    return sessions


def build_session_events(seed: int, person: Person, session: Session) -> list[Event]:
    """The session's events in time order; pages open with navigate then load."""
    rng = random.Random(f"hw-events:{seed}:{person.index}:{session.session_id}")
    span_ms = max(1, int((session.end - session.start).total_seconds() * 1000))
    draw = rng.random
    offsets = sorted([0, *(int(draw() * span_ms) for _ in range(session.event_count - 1))])
    times = [session.start + timedelta(milliseconds=offset) for offset in offsets]
    plan: list[tuple[int, str]] = []
    page_number, left = -1, 0
    for _ in range(session.event_count):
        if left == 0:
            page_number, left = page_number + 1, 3 + int(draw() * 6)
            plan.append((page_number, "navigate"))
        elif plan[-1][1] == "navigate":
            plan.append((page_number, "load"))
        else:
            roll = draw()
            plan.append((page_number, "click" if roll < 5 / 9 else "change" if roll < 7 / 9 else "custom"))
        left -= 1
    pages = [_page(rng, person) for _ in range(page_number + 1)]
    page_ids = [rng.getrandbits(62) for _ in pages]
    first_at: dict[int, datetime] = {}
    last_at: dict[int, datetime] = {}
    for (number, _), moment in zip(plan, times, strict=True):
        first_at.setdefault(number, moment)
        last_at[number] = moment
    referrers = [rng.choice(OUTSIDE_REFERRERS), *(page.url for page in pages[:-1])]
    events = []
    for (number, kind), moment in zip(plan, times, strict=True):
        page = pages[number]
        duration = int((last_at[number] - first_at[number]).total_seconds() * 1000) + rng.randrange(500, 9000)
        text, selector = _target(rng, person, kind)
        name = page.custom if kind == "custom" else ""
        events.append(
            Event(
                person_index=person.index,
                session_id=session.session_id,
                page_id=page_ids[number],
                time=moment,
                kind=kind,
                page_url=page.url,
                referrer=referrers[number],
                page_name=page.name,
                target_text=text,
                target_selector=selector,
                custom_name=name,
                properties=_custom_properties(rng, person, name) if name else {},
                ip=person.ip,
                user_agent=person.user_agent,
                browser=person.browser,
                device=person.device,
                os=person.os,
                lat_long=person.lat_long,
                page_start=first_at[number],
                page_duration_ms=duration,
            )
        )
    return events


def _millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _page(rng: random.Random, person: Person) -> _Page:
    choice = rng.randrange(10)
    if choice == 0:
        return _Page("Home", f"{SITE}/", "App Opened")
    if choice in (1, 2):
        return _Page("Product", f"{SITE}/products/{rng.choice(PRODUCTS)}", "Product Added")
    if choice == 3:
        term = person.email if rng.random() < 0.2 else rng.choice(SEARCH_TERMS)
        return _Page("Search", f"{SITE}/search?{urlencode({'q': term})}", "Search Performed")
    if choice == 4:
        return _Page("Checkout", f"{SITE}/checkout?step=payment", "Payment Entered")
    if choice == 5:
        query = urlencode({"order": pii.order_number(rng), "email": person.email})
        return _Page("Order Confirmation", f"{SITE}/checkout/confirmation?{query}", "Order Completed")
    if choice == 6:
        query = urlencode({"email": person.email, "token": pii.hex_token(rng)})
        return _Page("Reset Password", f"{SITE}/account/reset-password?{query}", "Password Reset Requested")
    if choice == 7:
        return _Page(
            "Support", f"{SITE}/support/new?{urlencode({'phone': person.phone})}", "Support Ticket Created"
        )
    if choice == 8:
        return _Page("Profile", f"{SITE}/account/profile", "Profile Updated")
    return _Page("Newsletter", f"{SITE}/newsletter", "Newsletter Signup")


def _target(rng: random.Random, person: Person, kind: str) -> tuple[str, str]:
    """What was clicked or typed; costly values are only generated for the option drawn."""
    if kind == "click":
        pick = rng.randrange(6)
        if pick == 2:
            return f"Hi, {person.display_name.split(' ')[0]}", "nav .account-menu"
        if pick == 3:
            return f"Order #{pii.order_number(rng)}", "table.orders a"
        return CLICK_TARGETS[pick]
    if kind == "change":
        pick = rng.randrange(6)
        if pick == 0:
            return person.phone, "input#phone"
        if pick == 1:
            return person.email, "input[name=email]"
        if pick == 2:
            return person.street_address, "textarea#shipping-address"
        if pick == 3:
            return pii.card_number(rng), "input#card-number"
        if pick == 4:
            return str(person.properties["zip_code"]), "input#zip"
        return "Blue, size M", "select#variant"
    return "", ""


def _custom_properties(rng: random.Random, person: Person, name: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"request_id": pii.uuid_text(rng)}
    if name == "Order Completed":
        properties |= {"order_id": pii.order_number(rng), "revenue": pii.price(rng), "currency": "USD"}
    elif name == "Payment Entered":
        properties["card_hint"] = f"card {pii.card_number(rng)} exp 0{rng.randint(1, 9)}/2{rng.randint(6, 9)}"
    elif name == "Support Ticket Created":
        properties["note"] = rng.choice(
            (
                f"Please call me back at {person.phone}",
                f"My new email is {person.email}, please update it",
                f"Parcel never arrived at {person.street_address}",
                "The app crashes when I open my cart",
            )
        )
    elif name == "Profile Updated":
        properties |= {
            "national_id": f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
            "iban": pii.iban(rng),
            "date_of_birth": person.properties.get("date_of_birth", "1990-01-01"),
        }
    elif name == "Search Performed":
        properties |= {"query": rng.choice((*SEARCH_TERMS, person.email)), "results": rng.randint(0, 40)}
    elif name == "Newsletter Signup":
        properties["email_sha256"] = pii.email_sha256(person.email)
    elif name == "App Opened":
        properties |= {
            "app_version": person.properties["app_version"],
            "device_model": person.properties["device_model"],
        }
    return properties
