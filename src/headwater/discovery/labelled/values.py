"""Generators of realistic values, valid where a checksum applies, for the hand-built labelled set.

Random candidates are drawn until python-stdnum (or phonenumbers) accepts one, so the values are as
valid as the validators the detectors use, without copying any real person's data.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.br import cpf
from stdnum.ch import ssn as ch_ssn
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.se import personnummer
from stdnum.us import ssn

Rng = random.Random


def until_valid(rng: Rng, make: Callable[[Rng], str], valid: Callable[[str], bool], tries: int = 5000) -> str:
    for _ in range(tries):
        candidate = make(rng)
        if valid(candidate):
            return candidate
    raise RuntimeError("no valid value found")


def digits(rng: Rng, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def luhn_complete(body: str) -> str:
    for check in "0123456789":
        total = 0
        for position, char in enumerate(reversed(body + check)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable")


def card(rng: Rng) -> str:
    prefix, length = rng.choice(
        (("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16))
    )
    number = luhn_complete(prefix + digits(rng, length - len(prefix) - 1))
    if length == 15:
        groups = [number[:4], number[4:10], number[10:]]
    else:
        groups = [number[i : i + 4] for i in range(0, 16, 4)]
    return rng.choice((" ".join(groups), "-".join(groups), number))


def order_number(rng: Rng) -> str:
    """Sixteen digits like a Visa card, failing Luhn."""
    number = luhn_complete("4" + digits(rng, 14))
    return number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)


def phone(rng: Rng) -> str:
    region = rng.choice(("US", "GB", "DE", "FR", "IN", "AU", "BR", "JP", "ES", "IT", "NL", "CA", "MX", "ZA"))
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    national, country = str(example.national_number), str(example.country_code)

    def make(r: Rng) -> str:
        return national[:-4] + digits(r, 4)

    def valid(text: str) -> bool:
        number = phonenumbers.parse("+" + country + text)
        return phonenumbers.is_valid_number(number)

    number = phonenumbers.parse("+" + country + until_valid(rng, make, valid))
    style = rng.choice((phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164))
    if region == "US" and rng.random() < 0.5:
        style = phonenumbers.PhoneNumberFormat.NATIONAL
    return phonenumbers.format_number(number, style)


def iban(rng: Rng) -> str:
    country, bban = rng.choice(
        (
            ("DE", lambda: digits(rng, 18)),
            ("GB", lambda: "NWBK" + digits(rng, 14)),
            ("NL", lambda: "ABNA" + digits(rng, 10)),
            ("AT", lambda: digits(rng, 16)),
            ("CH", lambda: digits(rng, 17)),
        )
    )
    body = bban()
    numeric = "".join(str(int(char, 36)) for char in body + country + "00")
    value = f"{country}{98 - int(numeric) % 97:02d}{body}"
    assert stdnum_iban.is_valid(value)
    return stdnum_iban.format(value) if rng.random() < 0.5 else value


def us_ssn(rng: Rng) -> str:
    return until_valid(
        rng,
        lambda r: f"{r.randint(1, 899):03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}",
        ssn.is_valid,
    )


def es_dni(rng: Rng) -> str:
    number = rng.randint(10_000_000, 99_999_999)
    return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"


def br_cpf(rng: Rng) -> str:
    return cpf.format(until_valid(rng, lambda r: digits(r, 11), cpf.is_valid))


def fr_nir(rng: Rng) -> str:
    body = f"{rng.randint(1, 2)}{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 95):02d}"
    body += digits(rng, 6)
    value = body + f"{97 - int(body) % 97:02d}"
    assert nir.is_valid(value)
    return nir.format(value) if rng.random() < 0.5 else value


def it_codice_fiscale(rng: Rng) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def make(r: Rng) -> str:
        head = "".join(r.choice(letters) for _ in range(6)) + f"{r.randint(40, 99):02d}"
        head += r.choice("ABCDEHLMPRST") + f"{r.randint(1, 28) + r.choice((0, 40)):02d}"
        return head + r.choice("ABCDEFGHILM") + digits(r, 3) + r.choice(letters)

    return until_valid(rng, make, codicefiscale.is_valid)


def se_personnummer(rng: Rng) -> str:
    def make(r: Rng) -> str:
        return f"{r.randint(40, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}-{digits(r, 4)}"

    return until_valid(rng, make, personnummer.is_valid)


def ch_ahv(rng: Rng) -> str:
    return ch_ssn.format(until_valid(rng, lambda r: "756" + digits(r, 10), ch_ssn.is_valid))


def uk_nino(rng: Rng) -> str:
    first, second = rng.choice("ABCEGHJKLMNOPRSTWXYZ"), rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
        first = "A"
    return f"{first}{second} {digits(rng, 2)} {digits(rng, 2)} {digits(rng, 2)} {rng.choice('ABCD')}"


def national_id(rng: Rng) -> str:
    make = rng.choice((us_ssn, es_dni, br_cpf, fr_nir, it_codice_fiscale, se_personnummer, ch_ahv, uk_nino))
    return make(rng)
