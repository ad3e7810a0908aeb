"""Given names and surnames to recognise people by, taken from Faker's locale data (already installed).

Nothing is downloaded: Faker ships the most common names of several dozen locales. Only names written in
the Latin alphabet are kept, because the detectors look for capitalised words. The sets are built once,
on first use, in about half a second.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

_GIVEN_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
_SURNAME_ATTRIBUTES = ("last_names", "last_names_male", "last_names_female")
#: Basic Latin, Latin-1 and Latin Extended-A/B letters
_LATIN_NAME = re.compile(r"^[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f' -]{1,28}$")


@dataclass(frozen=True)
class NameLexicon:
    given: frozenset[str]
    surnames: frozenset[str]

    def __repr__(self) -> str:
        return f"NameLexicon(given={len(self.given)}, surnames={len(self.surnames)})"


def _is_latin_name(name: str) -> bool:
    return bool(_LATIN_NAME.match(name)) and "\u00d7" not in name and "\u00f7" not in name


def _names(provider: type, attributes: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for attribute in attributes:
        value = provider.__dict__.get(attribute)
        if isinstance(value, dict | tuple | list | set | frozenset):
            found.update(name for name in value if isinstance(name, str) and _is_latin_name(name))
    return found


@cache
def lexicon() -> NameLexicon:
    import faker.providers.person as person_providers

    given: set[str] = set()
    surnames: set[str] = set()
    for module in pkgutil.iter_modules(person_providers.__path__):
        try:
            provider = importlib.import_module(f"{person_providers.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):
            continue
        for klass in provider.__mro__:
            given |= _names(klass, _GIVEN_ATTRIBUTES)
            surnames |= _names(klass, _SURNAME_ATTRIBUTES)
    return NameLexicon(frozenset(given), frozenset(surnames))
