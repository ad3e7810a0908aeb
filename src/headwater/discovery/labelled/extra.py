"""A hand-built labelled set: the cases the sandbox does not plant, and the classic false positives.

Rows look like Amplitude export rows (`event_properties.*`), each field labelled with the types it holds.
Names come partly from a hand-written list of names from many cultures (so the measure is not only of
Faker's own name lists, which the name detector also uses); positives include international phones,
several national ids, IBANs of several countries, IPv6, European addresses and PII inside free text.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from faker import Faker

from headwater.discovery.labelled import values as v

Rng = random.Random
Make = Callable[[Rng, Faker], str]

#: written by hand, not drawn from Faker
NAMES = (
    "Aoife Byrne", "Siobhan O'Neill", "Nguyen Van An", "Olusegun Adeyemi", "Priya Raman", "Mei Lin Chen",
    "Kwame Mensah", "Ingrid Johansson", "Mateus Oliveira", "Fatima Zahra Benali", "Yusuf Demir",
    "Anastasia Petrova", "Hiroshi Tanaka", "Ana Lucia Gomez", "Lars Eriksen", "Chiara Bianchi",
    "Tomasz Nowak", "Amara Okafor", "Rahul Mehta", "Sophie Dubois", "Jonas Becker", "Emma Lindqvist",
    "Carlos Mendoza", "Leila Haddad", "Dmitri Volkov", "Zanele Dlamini", "Isabela Costa", "Arjun Nair",
    "Niamh Kelly", "Matteo Romano", "Hannah Schmidt", "Oscar Nilsson", "Lucia Fernandez", "David Cohen",
)  # fmt: skip


def _name(rng: Rng, faker: Faker) -> str:
    return rng.choice(NAMES) if rng.random() < 0.5 else faker.name()


def _address(rng: Rng, faker: Faker) -> str:
    style = rng.random()
    if style < 0.4:
        return faker.street_address()
    if style < 0.7:
        return f"{faker.street_address()}, {faker.city()}, {faker.state_abbr()} {faker.zipcode()}"
    if style < 0.85:
        return f"{Faker('de_DE').street_name()} {rng.randint(1, 180)}, {rng.randint(10000, 99999)} Berlin"
    return f"{rng.randint(1, 120)} rue {rng.choice(('de Rivoli', 'Lafayette', 'Victor Hugo'))}, Paris"


def _ip(rng: Rng, faker: Faker) -> str:
    return faker.ipv6() if rng.random() < 0.3 else faker.ipv4_public()


def _birth_date(rng: Rng, faker: Faker) -> str:
    day = faker.date_of_birth(minimum_age=18, maximum_age=90)
    return rng.choice((day.isoformat(), day.strftime("%m/%d/%Y"), day.strftime("%d.%m.%Y")))


def _comment(rng: Rng, faker: Faker) -> str:
    return rng.choice(
        (
            f"Please send the invoice to {faker.email()} instead",
            f"call me on {v.phone(rng)} after 5pm",
            f"Ship to {faker.street_address()}, {faker.city()}",
            "Great product, arrived on time",
            "Can I change the colour of my order?",
            f"Paid with card {v.card(rng)}",
        )
    )


def _bio(rng: Rng, faker: Faker) -> str:
    day = faker.date_of_birth(minimum_age=18, maximum_age=90)
    return rng.choice((f"Born {day:%d %B %Y} in {faker.city()}", f"DOB: {day:%m/%d/%Y}"))


def _sha256(rng: Rng, faker: Faker) -> str:
    return hashlib.sha256(faker.email().encode()).hexdigest()


def _md5(rng: Rng, faker: Faker) -> str:
    return hashlib.md5(faker.email().encode(), usedforsecurity=False).hexdigest()


def _version(rng: Rng, faker: Faker) -> str:
    parts = [rng.randint(1, 12), rng.randint(0, 30), rng.randint(0, 9)]
    if rng.random() < 0.3:
        parts.append(rng.randint(0, 9))  # four-part builds look like IP addresses
    return ".".join(map(str, parts))


def _price(rng: Rng, faker: Faker) -> str:
    amount = rng.uniform(1, 3000)
    return rng.choice((f"{amount:.2f}", f"${amount:,.2f}", f"EUR {amount:.2f}".replace(".", ",")))


def _zip(rng: Rng, faker: Faker) -> str:
    return rng.choice(
        (faker.zipcode(), f"{rng.randint(10000, 99999)}", f"{faker.zipcode()}-{rng.randint(1000, 9999)}")
    )


def _device(rng: Rng, faker: Faker) -> str:
    return rng.choice(
        (
            "iPhone 15 Pro",
            "iPhone 13 mini",
            "Pixel 8",
            "Galaxy S23 Ultra",
            "SM-G991B",
            "OnePlus 11",
            "Moto G 5G",
        )
    )


def _order_text(rng: Rng, faker: Faker) -> str:
    return rng.choice(
        (f"Order #{v.order_number(rng)}", f"Invoice {v.order_number(rng)}", v.order_number(rng))
    )


def _title(rng: Rng, faker: Faker) -> str:
    return rng.choice(
        ("Order Confirmation", "Reset Password", "Merino Hoodie", "Trail Runner 2", "Gift Card", "Size Guide")
    ) + rng.choice(("", f" {rng.randint(2, 40)}"))


def _timestamp(rng: Rng, faker: Faker) -> str:
    moment = faker.date_time_between(start_date="-2y")
    return rng.choice((moment.isoformat() + "Z", str(int(moment.timestamp() * 1000)), f"{moment:%Y-%m-%d}"))


#: path -> (the types it holds, how to make one value)
FIELDS: dict[str, tuple[frozenset[str], Make]] = {
    "contact_email": (
        frozenset({"email"}),
        lambda r, f: f.email() if r.random() < 0.8 else f.email().upper(),
    ),
    "mobile": (frozenset({"phone"}), lambda r, f: v.phone(r)),
    "card_number": (frozenset({"payment_card"}), lambda r, f: v.card(r)),
    "client_ip": (frozenset({"ip_address"}), _ip),
    "shipping_address": (frozenset({"street_address"}), _address),
    "customer_name": (frozenset({"person_name"}), _name),
    "author": (frozenset({"person_name"}), _name),
    "tax_id": (frozenset({"national_id"}), lambda r, f: v.national_id(r)),
    "reference": (frozenset({"national_id"}), lambda r, f: v.national_id(r)),
    "payout_account": (frozenset({"iban"}), lambda r, f: v.iban(r)),
    "birth_date": (frozenset({"date_of_birth"}), _birth_date),
    "comment": (frozenset({"email", "phone", "street_address", "payment_card"}), _comment),
    "bio": (frozenset({"date_of_birth"}), _bio),
    "order_number": (frozenset(), lambda r, f: v.order_number(r)),
    "order_ref": (frozenset(), _order_text),
    "request_id": (frozenset(), lambda r, f: str(uuid.UUID(int=r.getrandbits(128), version=4))),
    "email_hash": (frozenset(), _sha256),
    "email_md5": (frozenset(), _md5),
    "app_version": (frozenset(), _version),
    "price": (frozenset(), _price),
    "zip_code": (frozenset(), _zip),
    "device_model": (frozenset(), _device),
    "page_title": (frozenset(), _title),
    "company": (frozenset(), lambda r, f: f.company()),
    "city": (frozenset(), lambda r, f: f.city()),
    "created": (frozenset(), _timestamp),
    "quantity": (frozenset(), lambda r, f: str(r.randint(1, 5000))),
    "account_number": (frozenset(), lambda r, f: v.digits(r, r.choice((9, 10, 12)))),
    "color": (frozenset(), lambda r, f: f.hex_color()),
    "location": (frozenset(), lambda r, f: f"{f.latitude()},{f.longitude()}"),
}


def rows(count: int = 400, *, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Amplitude-shaped rows whose `event_properties` carry every labelled field."""
    rng = random.Random(seed)
    faker = Faker("en_US")
    faker.seed_instance(seed)
    for index in range(count):
        properties = {path: make(rng, faker) for path, (_, make) in FIELDS.items()}
        yield {"event_type": "labelled", "event_id": index, "event_properties": properties}


def truth() -> dict[str, frozenset[str]]:
    labelled = {f"event_properties.{path}": types for path, (types, _) in FIELDS.items()}
    return {**labelled, "event_type": frozenset(), "event_id": frozenset()}
