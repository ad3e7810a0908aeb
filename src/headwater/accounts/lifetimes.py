"""How long an API token lives, written the way people say it: `90d`, `12h`, `2w`, or `never`.

A token that never expires stays valid on every machine it was ever copied to; a lifetime bounds that.
An admin sets the default with `HEADWATER_TOKEN_DEFAULT_TTL`; a token may still ask for its own.
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from headwater.errors import BadInput, ConfigError

NEVER = "never"
LONGEST = timedelta(days=3650)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_LIFETIME = re.compile(r"^\s*(\d{1,7})\s*([smhdw])\s*$", re.IGNORECASE)


def parse_lifetime(text: str, *, what: str = "expires-in") -> timedelta | None:
    """`90d` -> 90 days; `never` -> None (no expiry)."""
    if text.strip().lower() == NEVER:
        return None
    found = _LIFETIME.match(text)
    if found is None:
        raise BadInput(
            f"{what}: {text[:40]!r} is not a lifetime.",
            hint="Use a number and a unit (s, m, h, d, w), e.g. 90d or 12h, or `never`.",
        )
    lifetime = timedelta(**{_UNITS[found[2].lower()]: int(found[1])})
    if not timedelta(0) < lifetime <= LONGEST:
        raise BadInput(f"{what}: a lifetime lies between 1 second and {LONGEST.days} days.")
    return lifetime


class TokenSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEADWATER_", env_file=".env", extra="ignore")

    token_default_ttl: str = Field(
        default=NEVER, max_length=40, description="Lifetime of a new API token unless it asks for another"
    )


def default_token_lifetime() -> timedelta | None:
    """The admin's default from `HEADWATER_TOKEN_DEFAULT_TTL`; a malformed value is a configuration error."""
    try:
        return parse_lifetime(TokenSettings().token_default_ttl, what="HEADWATER_TOKEN_DEFAULT_TTL")
    except (BadInput, ValidationError) as exc:
        message = exc.message if isinstance(exc, BadInput) else "HEADWATER_TOKEN_DEFAULT_TTL is too long."
        raise ConfigError(message, hint="e.g. HEADWATER_TOKEN_DEFAULT_TTL=90d, or `never`.") from None
