"""People who log in to the dashboard: added, listed, re-roled and removed from the CLI or by an admin on
the web, each change in the audit trail. There is always at least one admin once there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import SecretStr
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from headwater.accounts import passwords
from headwater.accounts.models import SessionRow, UserRow
from headwater.accounts.roles import Role, parse_role
from headwater.errors import BadInput, Conflict, NotFound
from headwater.store import Database, audit
from headwater.store.models import utcnow

SUBJECT = "user"
MAX_EMAIL = 200  # what the audit trail's actor column holds
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\"]+$")


@dataclass(frozen=True)
class UserInfo:
    """A user without the password hash: safe to show."""

    id: int
    email: str
    role: Role
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, row: UserRow) -> UserInfo:
        return cls(row.id, row.email, Role(row.role), row.created_at, row.last_login_at)

    def as_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "role": self.role.value,
            "created_at": self.created_at,
            "last_login_at": self.last_login_at,
        }


def normalise_email(email: str) -> str:
    value = (email or "").strip().lower()
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise BadInput(f"{email!r} is not a valid email address.")
    return value


class Users:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, email: str, password: SecretStr, role: str | Role, *, actor: str) -> UserInfo:
        address, chosen = normalise_email(email), parse_role(role)
        digest = passwords.hash_password(password)
        try:
            with self.db.session() as session:
                if _row(session, address) is not None:
                    raise Conflict(f"A user {address} already exists.", hint=_change_hint(address))
                at = utcnow()
                row = UserRow(email=address, password_hash=digest, role=chosen, created_at=at, updated_at=at)
                session.add(row)
                session.flush()
                _audit(session, actor, "user.added", address, f"User {address} added as {chosen}.")
                return UserInfo.of(row)
        except IntegrityError:
            raise Conflict(f"A user {address} already exists.", hint=_change_hint(address)) from None

    def list_all(self) -> list[UserInfo]:
        with self.db.session() as session:
            return [UserInfo.of(r) for r in session.scalars(select(UserRow).order_by(UserRow.email))]

    def get(self, email: str) -> UserInfo:
        with self.db.session() as session:
            return UserInfo.of(_existing(session, email))

    def by_id(self, user_id: int) -> UserInfo | None:
        with self.db.session() as session:
            row = session.get(UserRow, user_id)
            return UserInfo.of(row) if row is not None else None

    def count(self) -> int:
        with self.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)

    def set_role(self, email: str, role: str | Role, *, actor: str) -> UserInfo:
        chosen = parse_role(role)
        with self.db.session() as session:
            row = _existing(session, email)
            if row.role != chosen:
                if row.role == Role.ADMIN:
                    _keep_an_admin(session, row.email, "change the role of")
                before, row.role, row.updated_at = row.role, chosen, utcnow()
                _audit(
                    session,
                    actor,
                    "user.role_changed",
                    row.email,
                    f"User {row.email}: {before} -> {chosen}.",
                    before=before,
                    after=chosen.value,
                )
            session.flush()
            return UserInfo.of(row)

    def set_password(self, email: str, password: SecretStr, *, actor: str) -> UserInfo:
        """A new password also ends every session of the user."""
        digest = passwords.hash_password(password)
        with self.db.session() as session:
            row = _existing(session, email)
            row.password_hash, row.updated_at = digest, utcnow()
            session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
            _audit(session, actor, "user.password_changed", row.email, f"Password of {row.email} changed.")
            session.flush()
            return UserInfo.of(row)

    def remove(self, email: str, *, actor: str) -> None:
        with self.db.session() as session:
            row = _existing(session, email)
            if row.role == Role.ADMIN:
                _keep_an_admin(session, row.email, "remove")
            session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
            session.delete(row)
            _audit(session, actor, "user.removed", row.email, f"User {row.email} removed.")

    def check_password(self, email: str, password: SecretStr) -> UserInfo | None:
        """The user when the password matches, else None (same cost whether or not the account exists)."""
        try:
            address = normalise_email(email)
        except BadInput:
            passwords.verify(None, password)
            return None
        with self.db.session() as session:
            row = _row(session, address)
            if not passwords.verify(row.password_hash if row else None, password) or row is None:
                return None
            if passwords.needs_rehash(row.password_hash):
                row.password_hash = passwords.hash_password(password)
            row.last_login_at = utcnow()
            session.flush()
            return UserInfo.of(row)

    def record(self, email: str, actor: str, action: str, message: str) -> None:
        with self.db.session() as session:
            _audit(session, actor, action, email, message)


def _row(session: Session, email: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.email == email)).first()


def _existing(session: Session, email: str) -> UserRow:
    address = (email or "").strip().lower()
    row = _row(session, address)
    if row is None:
        raise NotFound(f"There is no user {address}.", hint="`headwater users list` shows them.")
    return row


def _keep_an_admin(session: Session, email: str, verb: str) -> None:
    admins = session.scalar(select(func.count()).select_from(UserRow).where(UserRow.role == Role.ADMIN))
    if (admins or 0) <= 1:
        raise Conflict(f"Cannot {verb} {email}: it is the only admin.", hint="Make another user admin first.")


def _audit(session: Session, actor: str, action: str, email: str, message: str, **details: Any) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type=SUBJECT,
        subject_id=email[:100],
        details=details,
        message=message,
    )


def _change_hint(email: str) -> str:
    return f"Change its role with `headwater users set-role {email} ROLE`, or remove it first."
