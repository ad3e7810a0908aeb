"""Who a request is about: checking what a person typed, and turning a ticket into a connector `Subject`.

Identifiers other than the email are stored under the `Subject` field names, so a provider that adds a
field to `Subject` needs no change here. A connection's "uid" is, by convention, the `<kind>_uid` field,
else `<kind>_user_id`.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from headwater.connectors.base import Subject
from headwater.errors import BadInput
from headwater.text_input import check_line

# deliberately plain: one @, a dot in the domain, no spaces; providers are the judges of the rest
_EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$"
)
SUBJECT_FIELDS = tuple(f.name for f in dataclasses.fields(Subject))
INT_FIELDS = frozenset(f.name for f in dataclasses.fields(Subject) if "int" in str(f.type))


def check_email(email: str | None) -> str:
    value = check_line((email or "").strip(), "The email")
    if not value:
        raise BadInput("A privacy request needs the person's email.", hint="Pass --email.")
    if len(value) > 254 or not _EMAIL.match(value):
        raise BadInput(f"{value!r} is not a valid email address.", hint="Check for typos and spaces.")
    return value


def clean_identifiers(values: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values, trim text, and check the numeric ones (e.g. amplitude_id)."""
    cleaned: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in SUBJECT_FIELDS or name == "email":
            raise BadInput(f"Unknown identifier {name!r}.")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if name in INT_FIELDS:
            try:
                cleaned[name] = int(str(raw).strip())
            except ValueError:
                raise BadInput(f"{name.replace('_', ' ')} must be a number, not {raw!r}.") from None
        else:
            text = check_line(str(raw).strip(), name.replace("_", " ").capitalize())
            if len(text) > 256:
                raise BadInput(f"{name.replace('_', ' ')} is longer than 256 characters.")
            cleaned[name] = text
    return cleaned


def uid_field(kind: str) -> str:
    """The Subject field a connection of this provider kind takes its person's own id from."""
    for name in (f"{kind}_uid", f"{kind}_user_id"):
        if name in SUBJECT_FIELDS:
            return name
    raise BadInput(f"{kind} connections do not take a uid on a request.")


def subject_of(email: str, identifiers: dict[str, Any]) -> Subject:
    known = {k: v for k, v in identifiers.items() if k in SUBJECT_FIELDS and k != "email"}
    return Subject(email=email, **known)
