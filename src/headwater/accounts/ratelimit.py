"""Slowing down password guessing without handing an attacker a way to lock the real user out.

Each login attempt is counted *before* its password is checked, by one conditional UPDATE (or INSERT)
per subject — the account and the client address — in one transaction: of many parallel attempts, only
as many as the limit allows ever reach the password check, whatever the number of web processes. A
refused attempt changes nothing, so hammering a throttled account does not lengthen its wait.

Past `free` failures a subject waits before its next attempt: `base`, then twice as long after each
further failure, up to `cap`. There is no lock-out: once the wait is over the real user can log in,
however long an attacker went on. A success clears the account's count and takes its own attempt back
from the client's (the client's count otherwise stands: one right password must not reset a client
trying many accounts). Failures are forgotten after `window` without any.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from headwater.accounts.models import LoginThrottleRow
from headwater.errors import HeadwaterError
from headwater.store import Database
from headwater.store.models import utcnow

#: how often one attempt re-reads a row another attempt changed under it before giving up
MAX_TRIES = 200


class TooManyAttempts(HeadwaterError):
    exit_code = 4
    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        wait = f"{retry_after} second(s)" if retry_after < 120 else f"{math.ceil(retry_after / 60)} minute(s)"
        super().__init__("Too many failed logins.", hint=f"Wait {wait} and try again.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Delays:
    """How long a subject waits, by how many failures it has."""

    free: int
    base: timedelta
    cap: timedelta

    def after(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return min(self.base * 2 ** min(failures - self.free, 32), self.cap)


class _Contended(Exception):
    """Another attempt changed the row between our read and our write: read again."""


class LoginLimiter:
    """Per-account and per-client delays; `now` is the clock (tests move it instead of sleeping)."""

    def __init__(
        self,
        db: Database,
        *,
        window: timedelta,
        per_account: int,
        per_client: int,
        base_delay: timedelta = timedelta(seconds=5),
        max_delay: timedelta = timedelta(minutes=5),
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.window = window
        self.delays = {
            "account": Delays(per_account, base_delay, max_delay),
            "client": Delays(per_client, base_delay, max_delay),
        }
        self.now = now

    def attempt(self, email: str, client: str) -> None:
        """Count this attempt as a failure, or raise `TooManyAttempts` (nothing counted) when either the
        account or the client must still wait. Call it before the password is looked at."""
        subjects = self._subjects(email, client)
        for _ in range(MAX_TRIES):
            try:
                with self.db.session() as session:
                    at = self.now()
                    for scope, subject in subjects:
                        self._count(session, subject, self.delays[scope], at)
                return
            except (_Contended, IntegrityError):
                continue
        raise TooManyAttempts(1)  # never seen: the rows kept changing under us, so refuse

    def succeeded(self, email: str, client: str) -> None:
        account, client_subject = (subject for _, subject in self._subjects(email, client))
        with self.db.session() as session:
            session.execute(delete(LoginThrottleRow).where(LoginThrottleRow.subject == account))
            session.execute(
                update(LoginThrottleRow)
                .where(LoginThrottleRow.subject == client_subject, LoginThrottleRow.failures > 0)
                .values(failures=LoginThrottleRow.failures - 1, version=LoginThrottleRow.version + 1)
            )

    def _count(self, session: Session, subject: str, delays: Delays, at: datetime) -> None:
        row = session.execute(
            select(
                LoginThrottleRow.failures,
                LoginThrottleRow.not_before,
                LoginThrottleRow.last_attempt_at,
                LoginThrottleRow.version,
            ).where(LoginThrottleRow.subject == subject)
        ).first()
        if row is None:
            values = {"failures": 1, "not_before": at + delays.after(1), "last_attempt_at": at, "version": 1}
            session.execute(insert(LoginThrottleRow).values(subject=subject, **values))
            return
        failures, not_before, last, version = row
        if at < not_before:
            raise TooManyAttempts(math.ceil((not_before - at).total_seconds()))
        if at - last > self.window:
            failures = 0  # quiet for a whole window: start again
        changed = session.execute(
            update(LoginThrottleRow)
            .where(LoginThrottleRow.subject == subject, LoginThrottleRow.version == version)
            .values(
                failures=failures + 1,
                not_before=at + delays.after(failures + 1),
                last_attempt_at=at,
                version=version + 1,
            )
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
            raise _Contended

    @staticmethod
    def _subjects(email: str, client: str) -> list[tuple[str, str]]:
        return [("account", f"account:{_account(email)}"), ("client", f"client:{client[:300]}")]


def _account(email: str) -> str:
    return (email or "").strip().lower()[:320]
