"""Slowing down password guessing: failed logins are counted per account and per client address.

Counts live in the store, so every web process sees the same ones. A success clears the account's count
(not the client's: one right password must not reset a client trying many accounts).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from headwater.accounts.models import LoginFailureRow
from headwater.errors import HeadwaterError
from headwater.store import Database
from headwater.store.models import utcnow


class TooManyAttempts(HeadwaterError):
    exit_code = 4
    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many failed logins.", hint=f"Wait {max(1, retry_after // 60)} minute(s) and try again."
        )
        self.retry_after = retry_after


class LoginLimiter:
    """`per_account` and `per_client` failures within `window` make that account or client wait."""

    def __init__(self, db: Database, *, window: timedelta, per_account: int, per_client: int) -> None:
        self.db = db
        self.window = window
        self.limits = {"account": per_account, "client": per_client}

    def check(self, email: str, client: str) -> None:
        """Refuse before the password is even looked at when either count is at its limit."""
        since = utcnow() - self.window
        with self.db.session() as session:
            for scope, subject in self._subjects(email, client):
                query = select(func.count(), func.min(LoginFailureRow.at)).where(
                    LoginFailureRow.subject == subject, LoginFailureRow.at >= since
                )
                count, oldest = session.execute(query).one()
                if count >= self.limits[scope]:
                    wait = (oldest + self.window - utcnow()).total_seconds() if oldest else 60
                    raise TooManyAttempts(int(max(1, wait)))

    def failed(self, email: str, client: str) -> None:
        at = utcnow()
        with self.db.session() as session:
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < at - self.window))
            for _scope, subject in self._subjects(email, client):
                session.add(LoginFailureRow(subject=subject, at=at))

    def succeeded(self, email: str) -> None:
        with self.db.session() as session:
            subject = f"account:{_account(email)}"
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.subject == subject))

    @staticmethod
    def _subjects(email: str, client: str) -> list[tuple[str, str]]:
        return [("account", f"account:{_account(email)}"), ("client", f"client:{client[:300]}")]


def _account(email: str) -> str:
    return (email or "").strip().lower()[:320]
