"""Typed errors shared by every layer.

Each error carries the CLI exit code it maps to, so `cli/` and `web/` can translate failures the same way
without knowing where they came from. Messages are written for the person who has to act on them.
"""

from __future__ import annotations


class HeadwaterError(Exception):
    """Base class: a failure we understand, with a message that says what to do next."""

    exit_code: int = 1
    status: int = 500  # HTTP status the REST API answers with
    code: str = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class BadInput(HeadwaterError):
    """The caller gave something we cannot use (usage, validation, configuration)."""

    exit_code = 2
    status = 422
    code = "bad_input"


class ConfigError(BadInput):
    """Settings are missing or malformed."""

    code = "bad_configuration"


class NotFound(HeadwaterError):
    exit_code = 3
    status = 404
    code = "not_found"


class Conflict(HeadwaterError):
    exit_code = 2
    status = 409
    code = "conflict"


class AuthError(HeadwaterError):
    """Credentials were refused."""

    exit_code = 4
    status = 401
    code = "unauthorized"


class PermissionDenied(HeadwaterError):
    """Credentials were accepted but may not do this."""

    exit_code = 4
    status = 403
    code = "forbidden"


class ProviderError(HeadwaterError):
    """A provider answered with an error we cannot retry our way out of."""

    exit_code = 1
    status = 502
    code = "provider_error"

    def __init__(self, message: str, *, hint: str | None = None, http_status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.http_status = http_status


class BadRequest(ProviderError):
    """The provider rejected the request as malformed (HTTP 400/422)."""

    exit_code = 2
    code = "provider_bad_request"


class RateLimited(ProviderError):
    """Still rate limited after every retry we were allowed."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, hint: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, hint=hint, http_status=429)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or kept failing (network errors, 5xx)."""

    status = 503
    code = "provider_unavailable"


#: errors worth trying again later without changing anything
TRANSIENT_ERRORS: tuple[type[HeadwaterError], ...] = (RateLimited, ProviderUnavailable)
