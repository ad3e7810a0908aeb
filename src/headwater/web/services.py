"""The services one web process works with, built once per app and shared by every request.

Routes reach them through `get_services`; nothing here holds business logic, only who talks to whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import httpx
from fastapi import Request
from pydantic import SecretStr

from headwater.accounts.ratelimit import LoginLimiter
from headwater.accounts.sessions import Sessions
from headwater.accounts.signing_key import session_signing_key
from headwater.accounts.tokens import Tokens
from headwater.accounts.users import Users
from headwater.config import Settings
from headwater.connections import Connections
from headwater.jobs.dispatch import open_queue
from headwater.jobs.queue import JobQueue
from headwater.privacy.service import Privacy
from headwater.store import Database
from headwater.store.idempotency import Idempotency
from headwater.sync.destinations import Destinations
from headwater.vault import Vault
from headwater.web.settings import WebSettings
from headwater.workflows.service import Workflows


@dataclass
class Services:
    settings: Settings
    web: WebSettings
    db: Database
    vault: Vault
    #: every provider call of a request goes through it when set (tests run the sandbox in process)
    transport: httpx.BaseTransport | None = None

    def __repr__(self) -> str:
        return f"Services(home={str(self.settings.home)!r})"

    @cached_property
    def connections(self) -> Connections:
        return Connections(self.db, self.vault)

    @cached_property
    def queue(self) -> JobQueue:
        return open_queue(self.db, self.settings)

    @cached_property
    def destinations(self) -> Destinations:
        return Destinations(self.db, self.vault)

    @cached_property
    def privacy(self) -> Privacy:
        return Privacy(self.db, self.queue, self.connections, self.settings)

    @cached_property
    def workflows(self) -> Workflows:
        return Workflows(self.db, self.settings, queue=self.queue, connections=self.connections)

    @cached_property
    def users(self) -> Users:
        return Users(self.db)

    @cached_property
    def tokens(self) -> Tokens:
        return Tokens(self.db)

    @cached_property
    def signing_key(self) -> SecretStr:
        return session_signing_key(self.db, self.vault)

    @cached_property
    def sessions(self) -> Sessions:
        return Sessions(self.db, self.signing_key, timedelta(hours=self.web.session_hours))

    @cached_property
    def idempotency(self) -> Idempotency:
        return Idempotency(self.db, timedelta(hours=self.web.idempotency_hours))

    @cached_property
    def limiter(self) -> LoginLimiter:
        return LoginLimiter(
            self.db,
            window=timedelta(minutes=self.web.login_window_minutes),
            per_account=self.web.login_failures_per_account,
            per_client=self.web.login_failures_per_client,
            base_delay=timedelta(seconds=self.web.login_delay_seconds),
            max_delay=timedelta(seconds=self.web.login_max_delay_seconds),
        )


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
