"""Login throttling under real parallel requests: every attempt is counted before its password is
checked, a throttled account waits a doubling, capped delay instead of being locked out, and the client
address comes from X-Forwarded-For only through a trusted proxy."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from headwater.accounts import passwords
from headwater.accounts.models import LoginThrottleRow
from headwater.config import load_settings
from headwater.store import Database
from headwater.store.models import utcnow
from headwater.web.app import create_app
from headwater.web.settings import load_web_settings
from tests.web.conftest import PASSWORD, Web, email_of, login

ATTACKERS = 40


class CountingHasher(PasswordHasher):
    """The cheap test hasher, counting how many passwords were really checked."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)


class Clock:
    def __init__(self) -> None:
        self.at = utcnow()

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", counting)
    return counting


@pytest.fixture
def clock(web: Web) -> Clock:
    frozen = Clock()
    web.services.limiter.now = frozen
    return frozen


def _parallel_logins(web: Web, email: str, password: str, count: int) -> list[int]:
    start = threading.Barrier(count)

    def attempt(_: int) -> int:
        client = TestClient(web.app)
        page_ready = client.get("/login")  # the form's CSRF cookie and field
        assert page_ready.status_code == 200
        start.wait(timeout=60)
        return int(login(client, email, password).status_code)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def test_parallel_guesses_reach_the_password_check_only_as_often_as_the_limit(
    web: Web, hasher: CountingHasher, clock: Clock
) -> None:
    limit = web.services.web.login_failures_per_account  # 3 in the fixture
    statuses = _parallel_logins(web, email_of("admin"), "not the password", ATTACKERS)
    assert sorted(statuses) == [401] * limit + [429] * (ATTACKERS - limit)
    assert hasher.checks == limit
    client = TestClient(web.app)
    waiting = login(client, email_of("admin"), PASSWORD)
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) == 5
    assert hasher.checks == limit  # a refused attempt checks nothing
    clock.advance(5)
    assert login(client, email_of("admin"), PASSWORD).status_code == 303  # the real user gets in
    assert login(TestClient(web.app), email_of("viewer"), PASSWORD).status_code == 303


def test_the_wait_doubles_with_each_failure_up_to_a_cap_and_a_success_clears_it(
    web: Web, clock: Clock
) -> None:
    client = TestClient(web.app)
    waits = []
    for _ in range(3 + 8):
        answer = login(client, email_of("operator"), "not the password")
        if answer.status_code == 429:
            waits.append(int(answer.headers["Retry-After"]))
            clock.advance(waits[-1])
            answer = login(client, email_of("operator"), "not the password")
        assert answer.status_code == 401
    assert waits == [5, 10, 20, 40, 80, 160, 300, 300]
    clock.advance(300)
    assert login(client, email_of("operator"), PASSWORD).status_code == 303
    assert login(client, email_of("operator"), "not the password").status_code == 401  # counting anew


def _throttled_clients(db: Database) -> set[str]:
    with db.session() as session:
        subjects = session.scalars(select(LoginThrottleRow.subject)).all()
    return {s.removeprefix("client:") for s in subjects if s.startswith("client:")}


def test_the_client_address_comes_from_a_trusted_proxy_only(db: Database) -> None:
    web_settings = load_web_settings(HEADWATER_TRUSTED_PROXIES="10.0.0.0/8, ::1")
    app = create_app(load_settings(), db=db, web_settings=web_settings)
    app.state.services.users.add("ann@example.com", SecretStr(PASSWORD), "viewer", actor="setup")
    forged = {"X-Forwarded-For": "192.0.2.1, 203.0.113.9"}
    through_proxy = TestClient(app, client=("10.1.2.3", 40000), headers=forged)
    login(through_proxy, "ann@example.com", "not the password")
    assert _throttled_clients(db) == {"203.0.113.9"}  # the hop the proxy appended, not the one made up
    direct = TestClient(app, client=("198.51.100.7", 40000), headers=forged)
    login(direct, "ann@example.com", "not the password")
    assert _throttled_clients(db) == {"203.0.113.9", "198.51.100.7"}  # header ignored: not a proxy
    chained = TestClient(
        app, client=("10.1.2.3", 40000), headers={"X-Forwarded-For": "203.0.113.50, 10.9.9.9"}
    )
    login(chained, "ann@example.com", "not the password")
    assert "203.0.113.50" in _throttled_clients(db)  # trusted hops skipped from the right
