"""API tokens for machines: printed once when created, stored only as a SHA-256 digest.

A token is 32 random bytes, so a fast digest is as safe as a slow one and costs nothing per request. The
first characters are kept to tell tokens apart in a list without being able to use them. A token may
have a lifetime (`lifetimes`); once it has passed the token is refused with the date it expired on, so
whoever holds it knows to ask for a new one rather than suspect a typo.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from headwater.accounts.lifetimes import default_token_lifetime, parse_lifetime
from headwater.accounts.models import TokenRow
from headwater.accounts.roles import Role, parse_role
from headwater.errors import AuthError, BadInput, Conflict, NotFound
from headwater.store import Database, audit
from headwater.store.models import utcnow

PREFIX = "hwt_"
SUBJECT = "token"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
#: last use is written at most this often, so a busy client does not write on every request
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    role: Role
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None = None

    @classmethod
    def of(cls, row: TokenRow) -> TokenInfo:
        return cls(
            row.id,
            row.name,
            Role(row.role),
            row.prefix,
            row.created_by,
            row.created_at,
            row.last_used_at,
            row.expires_at,
        )

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "prefix": self.prefix,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "last_used_at": self.last_used_at,
            "expires_at": self.expires_at,
            "expired": self.expired,
        }


class TokenExpired(AuthError):
    """A real token past its lifetime: said plainly, with the date, so its holder asks for a new one."""

    code = "token_expired"

    def __init__(self, name: str, expired_at: datetime) -> None:
        super().__init__(
            f"The API token {name!r} expired on {expired_at:%Y-%m-%d %H:%M} UTC.",
            hint="Ask an admin for a new one (`headwater tokens create`).",
        )


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self, name: str, role: str | Role, *, actor: str, expires_in: str | None = None
    ) -> tuple[TokenInfo, SecretStr]:
        """The new token's details and the token itself, which nobody can see again.

        `expires_in` is a lifetime such as `90d` or `never`; without one the admin's default applies
        (`HEADWATER_TOKEN_DEFAULT_TTL`, read now so a changed setting needs no restart).
        """
        if not NAME.match(name or ""):
            raise BadInput(
                f"Invalid token name {name!r}.",
                hint="Use up to 100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            )
        chosen = parse_role(role)
        lifetime = default_token_lifetime() if expires_in is None else parse_lifetime(expires_in)
        token = PREFIX + secrets.token_urlsafe(32)
        at = utcnow()
        try:
            with self.db.session() as session:
                if session.scalars(select(TokenRow).where(TokenRow.name == name)).first() is not None:
                    raise Conflict(f"A token named {name!r} already exists.", hint=_revoke_hint(name))
                row = TokenRow(
                    name=name,
                    role=chosen,
                    digest=digest(token),
                    prefix=token[: len(PREFIX) + 4],
                    created_by=actor,
                    created_at=at,
                    expires_at=at + lifetime if lifetime is not None else None,
                )
                session.add(row)
                session.flush()
                until = f", valid until {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else ""
                message = f"API token {name!r} created for {chosen}{until}."
                _audit(session, actor, "token.created", name, message)
                return TokenInfo.of(row), SecretStr(token)
        except IntegrityError:
            raise Conflict(f"A token named {name!r} already exists.", hint=_revoke_hint(name)) from None

    def list_all(self) -> list[TokenInfo]:
        with self.db.session() as session:
            return [TokenInfo.of(r) for r in session.scalars(select(TokenRow).order_by(TokenRow.name))]

    def revoke(self, name: str, *, actor: str) -> None:
        with self.db.session() as session:
            row = session.scalars(select(TokenRow).where(TokenRow.name == name)).first()
            if row is None:
                raise NotFound(f"There is no token named {name!r}.", hint="`headwater tokens list`.")
            session.delete(row)
            _audit(session, actor, "token.revoked", name, f"API token {name!r} revoked.")

    def authenticate(self, token: str) -> TokenInfo | None:
        """The token's details; None for no such token; `TokenExpired` for one past its lifetime."""
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        with self.db.session() as session:
            row = session.scalars(select(TokenRow).where(TokenRow.digest == digest(token))).first()
            if row is None:
                return None
            at = utcnow()
            if row.expires_at is not None and row.expires_at <= at:
                raise TokenExpired(row.name, row.expires_at)
            if row.last_used_at is None or at - row.last_used_at > TOUCH_EVERY:
                row.last_used_at = at
            session.flush()
            return TokenInfo.of(row)


def _audit(session: Any, actor: str, action: str, name: str, message: str) -> None:
    audit.record(session, actor=actor, action=action, subject_type=SUBJECT, subject_id=name, message=message)


def _revoke_hint(name: str) -> str:
    return f"Choose another name, or revoke the old one with `headwater tokens revoke {name}`."
