"""Browser sessions: a random id, signed for the cookie the web face sets; its digest and a CSRF token in
the store.

The signature lets a forged or expired cookie be refused before the store is asked; the row lets a
logout, a removed user or a new password end a session at once, which a cookie alone could not.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, TimestampSigner
from pydantic import SecretStr
from sqlalchemy import delete

from headwater.accounts.models import SessionRow, UserRow
from headwater.accounts.users import UserInfo
from headwater.store import Database
from headwater.store.models import utcnow


@dataclass(frozen=True)
class SessionInfo:
    user: UserInfo
    csrf_token: str


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    def __init__(self, db: Database, key: SecretStr, lifetime: timedelta) -> None:
        self.db = db
        self.lifetime = lifetime
        self._signer = TimestampSigner(key.get_secret_value(), salt="headwater.session")

    def __repr__(self) -> str:
        return f"Sessions(lifetime={self.lifetime})"

    def start(self, user: UserInfo) -> str:
        """A new session for `user`; returns the cookie value. Expired sessions are cleared on the way."""
        session_id = secrets.token_urlsafe(32)
        at = utcnow()
        with self.db.session() as session:
            session.execute(delete(SessionRow).where(SessionRow.expires_at < at))
            session.add(
                SessionRow(
                    digest=_digest(session_id),
                    user_id=user.id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=at,
                    expires_at=at + self.lifetime,
                )
            )
        return self._signer.sign(session_id).decode()

    def resolve(self, cookie: str) -> SessionInfo | None:
        session_id = self._unsign(cookie)
        if session_id is None:
            return None
        with self.db.session() as session:
            row = session.get(SessionRow, _digest(session_id))
            if row is None or row.expires_at < utcnow():
                return None
            user = session.get(UserRow, row.user_id)
            if user is None:
                return None
            return SessionInfo(UserInfo.of(user), row.csrf_token)

    def end(self, cookie: str) -> None:
        session_id = self._unsign(cookie)
        if session_id is None:
            return
        with self.db.session() as session:
            session.execute(delete(SessionRow).where(SessionRow.digest == _digest(session_id)))

    def _unsign(self, cookie: str) -> str | None:
        try:
            value = self._signer.unsign(cookie, max_age=int(self.lifetime.total_seconds()))
        except BadSignature:  # includes SignatureExpired
            return None
        return value.decode()
