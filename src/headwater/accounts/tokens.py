"""API tokens for machines: printed once when created, stored only as a SHA-256 digest.

A token is 32 random bytes, so a fast digest is as safe as a slow one and costs nothing per request. The
first characters are kept to tell tokens apart in a list without being able to use them.
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

from headwater.accounts.models import TokenRow
from headwater.accounts.roles import Role, parse_role
from headwater.errors import BadInput, Conflict, NotFound
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

    @classmethod
    def of(cls, row: TokenRow) -> TokenInfo:
        return cls(
            row.id, row.name, Role(row.role), row.prefix, row.created_by, row.created_at, row.last_used_at
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "prefix": self.prefix,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "last_used_at": self.last_used_at,
        }


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, name: str, role: str | Role, *, actor: str) -> tuple[TokenInfo, SecretStr]:
        """The new token's details and the token itself, which nobody can see again."""
        if not NAME.match(name or ""):
            raise BadInput(
                f"Invalid token name {name!r}.",
                hint="Use up to 100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            )
        chosen = parse_role(role)
        token = PREFIX + secrets.token_urlsafe(32)
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
                    created_at=utcnow(),
                )
                session.add(row)
                session.flush()
                _audit(session, actor, "token.created", name, f"API token {name!r} created for {chosen}.")
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
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        with self.db.session() as session:
            row = session.scalars(select(TokenRow).where(TokenRow.digest == digest(token))).first()
            if row is None:
                return None
            at = utcnow()
            if row.last_used_at is None or at - row.last_used_at > TOUCH_EVERY:
                row.last_used_at = at
            session.flush()
            return TokenInfo.of(row)


def _audit(session: Any, actor: str, action: str, name: str, message: str) -> None:
    audit.record(session, actor=actor, action=action, subject_type=SUBJECT, subject_id=name, message=message)


def _revoke_hint(name: str) -> str:
    return f"Choose another name, or revoke the old one with `headwater tokens revoke {name}`."
