"""Tables of accounts: people who log in, machine tokens, sessions, login throttling, and the session
signing key kept in the vault.

The tables keep their `web_` names from when only the web face used them; the CLI manages the same rows.

Nothing secret is stored in the clear: passwords as argon2 hashes, tokens and session ids as SHA-256
digests (they are long random strings, so a fast hash is enough), the session signing key in the vault.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from headwater.store.models import Base, UtcDateTime, utcnow


class UserRow(Base):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class TokenRow(Base):
    """An API token for a machine; the token itself is shown once and only its digest is kept."""

    __tablename__ = "web_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # enough to recognise a token, not to use it
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # None: never


class SessionRow(Base):
    """A logged-in browser: the cookie carries the signed session id, the store only its digest."""

    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class LoginThrottleRow(Base):
    """Login attempts of one account or client address, and when it may try again (`ratelimit`).

    `version` changes with every write, so an attempt counts itself with one conditional UPDATE.
    """

    __tablename__ = "web_login_throttle"

    subject: Mapped[str] = mapped_column(String(400), primary_key=True)  # "account:…" or "client:…"
    failures: Mapped[int] = mapped_column(Integer)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    last_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer)


class WebSecretRow(Base):
    """Names a vault secret accounts need (the session signing key), so every process finds it."""

    __tablename__ = "web_secrets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    secret_ref: Mapped[str] = mapped_column(ForeignKey("secrets.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
