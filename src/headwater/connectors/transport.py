"""One transport shared by many clients: each may close itself without closing the transport.

A provider client is several `HttpClient`s (FullStory's API and its export storage, Amplitude's API
families), and a caller often hands one transport (a sandbox, a test's recorder, a privacy worker's
pool) to many connectors in turn. Whoever created the transport closes it; everything built on it
borrows it.
"""

from __future__ import annotations

import httpx


class BorrowedTransport(httpx.BaseTransport):
    """A transport the caller owns: clients built on it may close themselves without closing it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Left to the owner, who may hand the same transport to many clients."""


def borrowed(transport: httpx.BaseTransport | None) -> httpx.BaseTransport | None:
    """`transport` wrapped once so that closing a client leaves it open; None stays None (the client's
    own transport, which the client then owns and closes)."""
    if transport is None or isinstance(transport, BorrowedTransport):
        return transport
    return BorrowedTransport(transport)
