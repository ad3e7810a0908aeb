"""The one HTTP client factory every connector uses.

It owns what every provider call needs and nobody should write twice: timeouts; retries with exponential
backoff and full jitter on connection errors, 429 and 5xx, honouring `Retry-After`; a client-side rate
limiter (requests per second and concurrency); request logging with secrets redacted; typed errors
whose messages say what to do next; the outbound address policy (`headwater.outbound`: no internal address
unless allowed, checked on the resolved address); and redirects followed within one origin only, so a
body or a key never travels to a host the caller did not name. Timeouts and attempts come from the
settings (`HEADWATER_PROVIDER_*`). The transport is a seam: tests hand in a local app instead of a network.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from pydantic import SecretStr

from headwater.config import OutboundSettings
from headwater.errors import (
    AuthError,
    BadRequest,
    HeadwaterError,
    NotFound,
    PermissionDenied,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from headwater.outbound import EXTENSION, OutboundPolicy, OutboundTransport
from headwater.outbound import OnBehalfOf as OnBehalfOf
from headwater.outbound import OutboundRefused as OutboundRefused
from headwater.outbound import check_url as check_url
from headwater.outbound import origin_of as origin_of
from headwater.outbound import shared_transport as shared_transport

log = logging.getLogger("headwater.http")

SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie"})
SECRET_PARAMS = frozenset(
    {
        "api_key",
        "apikey",
        "key",
        "secret",
        "secret_key",
        "token",
        "access_token",
        "password",
        "sig",
        "signature",
    }
)
REDACTED = "[redacted]"
_SECRET_QUERY = re.compile(r"([?&](?:" + "|".join(sorted(SECRET_PARAMS)) + r")=)[^&\s\"']+", re.IGNORECASE)


class RedactQueryFilter(logging.Filter):
    """httpx logs every URL at INFO; strip secret query parameters before any handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _SECRET_QUERY.sub(rf"\1{REDACTED}", message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(RedactQueryFilter())
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# errors raised before a single byte of the request left this machine: always safe to retry
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.ReadError, httpx.ReadTimeout, httpx.WriteError, httpx.RemoteProtocolError)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
DEFAULT_PORTS = {"http": 80, "https": 443}
#: the only headers a request keeps when it follows a redirect to another origin
_CROSS_ORIGIN_HEADERS = frozenset({"user-agent", "accept", "accept-encoding"})
SETTINGS_HINT = (
    "Timeouts and attempts are settings: HEADWATER_PROVIDER_CONNECT_TIMEOUT, "
    "HEADWATER_PROVIDER_READ_TIMEOUT and HEADWATER_PROVIDER_ATTEMPTS."
)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int | None = None  # None: HEADWATER_PROVIDER_ATTEMPTS
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 300.0  # a longer wait is reported as RateLimited instead of slept through
    statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to an exponentially growing cap."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2**attempt))


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    burst: int = 1
    concurrency: int = 8


class RateLimiter:
    """A token bucket plus a concurrency cap, shared by every thread using one connection."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(limit.burst)
        self._updated = clock()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(limit.concurrency)

    def _take(self) -> float:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.limit.burst, self._tokens + (now - self._updated) * self.limit.per_second)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.limit.per_second

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            while (wait := self._take()) > 0:
                self._sleep(wait)
            yield


def redact_url(url: str | httpx.URL) -> str:
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


@dataclass
class CallRecord:
    """What the extraction log and audit trail keep of one call: never a header or a body."""

    method: str
    url: str
    status: int | None
    elapsed_ms: float
    attempt: int
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "attempt": self.attempt,
            "error": self.error,
        }


Observer = Callable[[CallRecord], None]


@dataclass
class HttpClient:
    """A provider client: base URL, injected auth, retries, limits, redaction and typed errors."""

    base_url: str
    provider: str
    auth_headers: Mapping[str, SecretStr] = field(default_factory=dict)
    secrets: Iterable[SecretStr] = ()
    timeout: httpx.Timeout | None = None  # None: HEADWATER_PROVIDER_READ_TIMEOUT / _CONNECT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    outbound: OutboundPolicy | None = None  # None: HEADWATER_OUTBOUND_ALLOW
    limiter: RateLimiter | None = None
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    observers: list[Observer] = field(default_factory=list)
    hints: Mapping[int, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._secret_values = [s.get_secret_value() for s in (*self.auth_headers.values(), *self.secrets)]
        settings = OutboundSettings()
        self.attempts = self.retry.attempts or settings.provider_attempts
        if self.timeout is None:
            self.timeout = httpx.Timeout(
                settings.provider_read_timeout, connect=settings.provider_connect_timeout
            )
        if self.outbound is None:
            self.outbound = OutboundPolicy.from_allow_list(settings.outbound_allow)
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=self.timeout,
            transport=self.transport if self.transport is not None else OutboundTransport(),
            headers={"User-Agent": "headwater", **self.headers},
            follow_redirects=False,  # see `_follow`
        )

    def __repr__(self) -> str:
        return f"HttpClient(provider={self.provider!r}, base_url={self.base_url!r})"

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def scrub(self, text: str) -> str:
        """Remove every secret this client knows from a piece of text (bodies echoed in errors, say)."""
        for value in self._secret_values:
            if value:
                text = text.replace(value, REDACTED)
        return text

    def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool | None = None,
        ok_statuses: Iterable[int] = (),
        cross_origin_redirects: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request and return a successful (or explicitly accepted) response, read in full.

        Redirects are followed on the same origin; to another origin only with `cross_origin_redirects`
        (for downloads an API documents as redirected to storage), and then as a bare GET.
        """
        with self._send(
            method,
            url,
            idempotent=idempotent,
            stream=False,
            ok=ok_statuses,
            cross_origin=cross_origin_redirects,
            kwargs=kwargs,
        ) as rsp:
            return rsp

    @contextmanager
    def stream(
        self, method: str, url: str, *, cross_origin_redirects: bool = False, **kwargs: Any
    ) -> Iterator[httpx.Response]:
        """Like `request`, but the body is left unread for the caller to stream."""
        with self._send(
            method,
            url,
            idempotent=None,
            stream=True,
            ok=(),
            cross_origin=cross_origin_redirects,
            kwargs=kwargs,
        ) as rsp:
            yield rsp

    @contextmanager
    def _send(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool | None,
        stream: bool,
        ok: Iterable[int],
        cross_origin: bool,
        kwargs: dict[str, Any],
    ) -> Iterator[httpx.Response]:
        method = method.upper()
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        accepted = set(ok)
        headers = {
            **kwargs.pop("headers", {}),
            **{k: v.get_secret_value() for k, v in self.auth_headers.items()},
        }
        extensions = {**kwargs.pop("extensions", {}), EXTENSION: self.outbound}
        request = self._client.build_request(method, url, headers=headers, extensions=extensions, **kwargs)
        shown_url = redact_url(request.url)
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            started = time.monotonic()
            try:
                response = self._dispatch(request, stream, cross_origin)
            except httpx.TransportError as exc:
                elapsed = (time.monotonic() - started) * 1000
                reason = self._reason(request, exc)
                self._observe(CallRecord(method, shown_url, None, elapsed, attempt, reason))
                retryable = isinstance(exc, _NOT_SENT) or (safe_to_repeat and isinstance(exc, _MAYBE_SENT))
                if last or not retryable:
                    raise self._unreachable(method, shown_url, exc, reason, attempt) from None
                pause = self.retry.backoff(attempt)
                log.warning(
                    "%s is not answering %s %s (%s); retry %d of %d in %.1f s",
                    self.provider,
                    method,
                    shown_url,
                    reason,
                    attempt,
                    self.attempts - 1,
                    pause,
                )
                self.sleep(pause)
                continue
            elapsed = (time.monotonic() - started) * 1000
            self._observe(CallRecord(method, shown_url, response.status_code, elapsed, attempt))
            if response.is_success or response.status_code in accepted:
                try:
                    yield response
                finally:
                    response.close()
                return
            status = response.status_code
            retryable = status in self.retry.statuses and (safe_to_repeat or status in (429, 503))
            wait = retry_after_seconds(response)
            if retryable and not last and (wait is None or wait <= self.retry.retry_after_max):
                response.read()
                response.close()
                pause = wait if wait is not None else self.retry.backoff(attempt)
                log.log(
                    logging.INFO if status == 429 else logging.WARNING,
                    "%s answered HTTP %d to %s %s; retry %d of %d in %.1f s",
                    self.provider,
                    status,
                    method,
                    shown_url,
                    attempt,
                    self.attempts - 1,
                    pause,
                )
                self.sleep(pause)
                continue
            response.read()
            response.close()
            raise self.error_for(method, shown_url, response, retry_after=wait)
        raise AssertionError("unreachable: the retry loop always returns or raises")  # pragma: no cover

    def _reason(self, request: httpx.Request, exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
            seconds = request.extensions.get("timeout", {}).get("read")
            return f"{type(exc).__name__}: no answer within {seconds:g} s" if seconds else type(exc).__name__
        return f"{type(exc).__name__}: {self.scrub(str(exc))}"

    def _unreachable(
        self, method: str, shown_url: str, exc: httpx.TransportError, reason: str, attempts: int
    ) -> ProviderUnavailable:
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, _NOT_SENT):
            return ProviderUnavailable(
                f"{self.provider} is not answering {method} {shown_url}: {reason}{tries}.",
                hint=f"The provider may be down or overloaded; retry later. {SETTINGS_HINT}",
            )
        return ProviderUnavailable(
            f"Could not reach {self.provider} ({method} {shown_url}): {reason}{tries}.",
            hint=f"Check the network and the connection's base URL or region, then retry. {SETTINGS_HINT}",
        )

    def _dispatch(self, request: httpx.Request, stream: bool, cross_origin: bool) -> httpx.Response:
        """Send, following redirects as `_follow` allows; an unfollowed redirect is returned as is."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send_once(request, stream)
            if response.status_code not in REDIRECT_STATUSES or "location" not in response.headers:
                return response
            following = _follow(request, response, cross_origin)
            if following is None:
                return response
            response.close()
            log.debug("%s redirected to %s", redact_url(request.url), redact_url(following.url))
            request = following
        raise ProviderError(
            f"{self.provider} redirected more than {MAX_REDIRECTS} times ({redact_url(request.url)})."
        )

    def _send_once(self, request: httpx.Request, stream: bool) -> httpx.Response:
        log.debug(
            "%s %s headers=%s", request.method, redact_url(request.url), redact_headers(request.headers)
        )
        if self.limiter is None:
            return self._client.send(request, stream=stream)
        with self.limiter.slot():
            return self._client.send(request, stream=stream)

    def _observe(self, record: CallRecord) -> None:
        log.info(
            "%s %s -> %s in %.0f ms (attempt %d)%s",
            record.method,
            record.url,
            record.status if record.status is not None else "no response",
            record.elapsed_ms,
            record.attempt,
            f" {record.error}" if record.error else "",
        )
        for observer in self.observers:
            observer(record)

    def error_for(
        self, method: str, shown_url: str, response: httpx.Response, *, retry_after: float | None = None
    ) -> HeadwaterError:
        status = response.status_code
        detail = self.scrub(provider_message(response))
        what = f"{self.provider} answered HTTP {status} to {method} {shown_url}"
        message = f"{what}: {detail}" if detail else what
        hint = self.hints.get(status)
        if status in REDIRECT_STATUSES and "location" in response.headers:
            target = _origin_text(response.request.url.join(response.headers["location"]))
            return ProviderError(
                f"{self.provider} answered HTTP {status} to {method} {shown_url}, redirecting to {target}: "
                "Headwater follows a provider's redirects within its own host only, except for downloads "
                "the API documents as redirected.",
                hint="Check the connection's base URL (and region): it may name a host that moved.",
                http_status=status,
            )
        if status == 401:
            return AuthError(message, hint=hint or "Check the connection's API key and region.")
        if status == 403:
            return PermissionDenied(message, hint=hint or "The key lacks the permission this call needs.")
        if status == 404:
            return NotFound(message, hint=hint)
        if status == 429:
            return RateLimited(
                message,
                hint=hint or "The provider's rate limit was reached; retry later.",
                retry_after=retry_after,
            )
        if status in (400, 409, 413, 422):
            return BadRequest(message, hint=hint, http_status=status)
        if status >= 500:
            return ProviderUnavailable(message, hint=hint or "The provider is failing; retry later.")
        return ProviderError(message, hint=hint, http_status=status)


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    """Same scheme, host and port; an upgrade from http to https on the same host counts as the same."""
    if a.host.lower() != b.host.lower():
        return False
    left = (a.scheme, a.port or DEFAULT_PORTS.get(a.scheme))
    right = (b.scheme, b.port or DEFAULT_PORTS.get(b.scheme))
    return left == right or (left, right) == (("http", 80), ("https", 443))


def _follow(request: httpx.Request, response: httpx.Response, cross_origin: bool) -> httpx.Request | None:
    """The request a redirect leads to, or None where it must not be followed.

    Within one origin: httpx's rules (303, and 301/302 after a POST, become a GET without the body).
    To another origin: only when the caller allows it, only for a GET, and with nothing of the original
    request but its harmless headers — no body, no key, no cookie.
    """
    try:
        target = request.url.join(response.headers["location"])
    except (httpx.InvalidURL, ValueError):
        return None
    if target.scheme not in DEFAULT_PORTS or not target.host:
        return None
    method = request.method
    if (response.status_code == 303 and method != "HEAD") or (
        response.status_code in (301, 302) and method == "POST"
    ):
        method = "GET"
    if same_origin(request.url, target):
        headers = request.headers.copy()
        headers["Host"] = target.netloc.decode("ascii")  # httpx adds none when a body stream is given
        stream: Any = request.stream
        if method != request.method:
            for name in ("content-length", "content-type", "transfer-encoding"):
                headers.pop(name, None)
            stream = None
        return httpx.Request(method, target, headers=headers, stream=stream, extensions=request.extensions)
    if not cross_origin or request.method != "GET":
        return None
    kept = {k: v for k, v in request.headers.items() if k.lower() in _CROSS_ORIGIN_HEADERS}
    return httpx.Request("GET", target, headers=kept, extensions=request.extensions)


def _origin_text(url: httpx.URL) -> str:
    """Where a redirect points, without its path or query (a presigned URL's query is a credential)."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def provider_message(response: httpx.Response) -> str:
    """The human part of an error body: JSON `message`/`error`/`detail`, else the start of the text."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300]
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "errors", " message"):
            if body.get(key):
                value = body[key]
                return value if isinstance(value, str) else str(value)[:300]
    return str(body)[:300]


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` as seconds, whether given as a number or an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
