"""Deterministic people: each one is a pure function of (seed, index), with Faker seeded per person."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

from headwater.sandbox.world import pii
from headwater.sandbox.world.model import Person

UID_PREFIX = "usr-"

# (user agent, browser, device, operating system) that agree with each other.
CLIENTS = (
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Safari/605.1.15",
        "Safari",
        "Desktop",
        "OS X",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome",
        "Desktop",
        "Windows",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        "Mobile Safari",
        "Mobile",
        "iOS",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36",
        "Chrome Mobile",
        "Mobile",
        "Android",
    ),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox", "Desktop", "Linux"),
)

EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me", "hotmail.com")
PHONE_AREAS = ("415", "212", "312", "617", "206", "303", "512", "646")


def uid_for(index: int) -> str:
    return f"{UID_PREFIX}{index:06d}"


def index_from_uid(uid: str) -> int | None:
    digits = uid.removeprefix(UID_PREFIX)
    if digits == uid or len(digits) < 6 or not digits.isdigit():
        return None
    return int(digits) if uid_for(int(digits)) == uid else None


def build_person(seed: int, index: int, faker: Faker, window_start: datetime) -> Person:
    """Everything about one person, drawn from generators seeded by (seed, index) alone."""
    rng = random.Random(f"hw-person:{seed}:{index}")
    faker.seed_instance(f"hw-faker:{seed}:{index}")
    first, last = faker.first_name(), faker.last_name()
    email = _email(rng, first, last, index)
    phone = f"+1 {rng.choice(PHONE_AREAS)} 555 01{rng.randrange(100):02d}"
    zip_code = faker.zipcode()
    street = f"{faker.street_address()}, {faker.city()}, {faker.state_abbr()} {zip_code}"
    place = faker.local_latlng(country_code="US", coords_only=True) or ("37.77493", "-122.41942")
    latitude, longitude = place[0], place[1]
    user_agent, browser, device, os_name = rng.choice(CLIENTS)
    created = window_start - timedelta(days=rng.uniform(0, 400))
    return Person(
        index=index,
        uid=uid_for(index),
        email=email,
        display_name=f"{first} {last}",
        phone=phone,
        street_address=street,
        fs_user_id=rng.randrange(4_000, 12_000) * 10**12 + index,
        amplitude_id=rng.randrange(10_000, 99_999) * 10**7 + index,
        amplitude_user_id=email,
        device_id=pii.uuid_text(rng),
        created=created.replace(microsecond=created.microsecond // 1000 * 1000),
        properties=_properties(rng, faker, email, phone, zip_code),
        ip=faker.ipv4_public(),
        lat_long=f"{latitude},{longitude}",
        user_agent=user_agent,
        browser=browser,
        device=device,
        os=os_name,
    )


def _email(rng: random.Random, first: str, last: str, index: int) -> str:
    first_l, last_l = first.lower(), last.lower()
    local = rng.choice((f"{first_l}.{last_l}", f"{first_l[0]}{last_l}", f"{first_l}_{last_l[0]}"))
    return f"{local}{index}@{rng.choice(EMAIL_DOMAINS)}"


def _properties(rng: random.Random, faker: Faker, email: str, phone: str, zip_code: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "plan": rng.choice(("free", "starter", "pro", "enterprise")),
        "signup_source": rng.choice(("organic", "google_ads", "newsletter", "referral", "partner")),
        "company": faker.company(),
        "phone": phone,
        "zip_code": zip_code,
        "device_model": rng.choice(pii.DEVICE_MODELS),
        "app_version": rng.choice(pii.APP_VERSIONS),
        "email_sha256": pii.email_sha256(email),
        "lifetime_value": pii.price(rng),
        "account_id": pii.uuid_text(rng),
        "marketing_opt_in": rng.random() < 0.4,
    }
    if rng.random() < 0.6:
        properties["date_of_birth"] = faker.date_of_birth(minimum_age=18, maximum_age=80).isoformat()
    return properties
