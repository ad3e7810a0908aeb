"""Built-in recipes: ready-made workflow files, filled in from a few options and written for editing.

headwater workflows init session-digest --connection fs --slack team --email ann@example.com
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from string import Template

from headwater.errors import BadInput, NotFound
from headwater.workflows import crontime
from headwater.workflows.model import NAME_PATTERN
from headwater.workflows.schema import SCHEMA_FILE

FOLDER = Path(__file__).parent
RECIPES = {"session-digest": "session_digest.yaml"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def names() -> list[str]:
    return sorted(RECIPES)


def session_digest(
    *,
    fullstory: str,
    slack: str,
    emails: Sequence[str],
    cron: str = "0 9 * * *",
    timezone: str = "UTC",
    name: str = "session-digest",
) -> str:
    """The session-digest workflow as YAML text; options are checked first (exit 2 on a bad one)."""
    if not emails:
        raise BadInput("Give at least one --email: the people whose sessions are counted.")
    for email in emails:
        if not _EMAIL.match(email):
            raise BadInput(f"{email!r} does not look like an email address.")
    if not re.match(NAME_PATTERN, name):
        raise BadInput(f"Invalid workflow name {name!r}.", hint="Use letters, digits, '-', '_' or '.'.")
    crontime.expand(cron)
    crontime.zone(timezone)
    template = Template((FOLDER / RECIPES["session-digest"]).read_text(encoding="utf-8"))
    return template.substitute(
        schema=SCHEMA_FILE.as_uri(),
        name=name,
        cron=cron,
        timezone=timezone,
        emails=json.dumps(list(dict.fromkeys(emails))),
        fullstory=fullstory,
        slack=slack,
    )


def recipe_text(recipe: str, **options: object) -> str:
    if recipe != "session-digest":
        raise NotFound(f"There is no recipe {recipe!r}.", hint=f"Recipes: {', '.join(names())}.")
    return session_digest(**options)  # type: ignore[arg-type]
