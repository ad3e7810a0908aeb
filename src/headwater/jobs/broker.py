"""The broker URL: which schemes Celery mode supports, how to show it, and whether it answers.

Checked when a worker starts, so a typo or a stopped broker is one clear message and exit code 2; never
a traceback, and never the password.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from headwater.config import Settings, mask_url
from headwater.errors import ConfigError

SCHEMES = {
    "redis": "Redis",
    "rediss": "Redis (TLS)",
    "amqp": "RabbitMQ",
    "amqps": "RabbitMQ (TLS)",
    "pyamqp": "RabbitMQ",
}
_EXAMPLES = "redis://HOST:6379/0 or amqp://USER:PASSWORD@HOST:5672/VHOST"


def broker_url(settings: Settings) -> str | None:
    """The broker URL in force, or None for embedded mode."""
    if settings.broker_url is None:
        return None
    return settings.broker_url.get_secret_value().strip() or None


def mask_broker_url(url: str) -> str:
    return mask_url(url)


def validate_broker_url(url: str) -> str:
    """Refuse a scheme Celery mode does not support, naming the ones it does."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        shown = f"{scheme}://" if scheme else "a URL without a scheme"
        raise ConfigError(
            f"HEADWATER_BROKER_URL uses {shown}, which Headwater does not support as a job broker.",
            hint=f"Use {_EXAMPLES}, or unset HEADWATER_BROKER_URL to run jobs in-process.",
        )
    return url


def check_broker(url: str, timeout: float) -> None:
    """Connect once; an unreachable or refusing broker becomes a `ConfigError`."""
    from kombu import Connection

    validate_broker_url(url)
    connection = Connection(url, connect_timeout=timeout)
    try:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
    except Exception as exc:
        reason = _scrub(str(exc) or type(exc).__name__, url)
        raise ConfigError(
            f"Cannot reach the {SCHEMES[urlsplit(url).scheme.lower()]} broker at {mask_broker_url(url)}: "
            f"{reason}",
            hint="Check HEADWATER_BROKER_URL and that the broker is running, or unset it to run jobs "
            "in-process.",
        ) from None
    finally:
        connection.release()


def _scrub(text: str, url: str) -> str:
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text
