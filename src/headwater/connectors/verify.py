"""Checking what a user gives for a new connection before anything is stored: settings through the
provider's own model, credentials against the names the provider expects, and a live test call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import SecretStr, ValidationError

from headwater.actions.model import describe_errors
from headwater.connectors.base import ConnectionInfo, ProviderSpec
from headwater.connectors.transport import borrowed
from headwater.errors import AuthError, BadInput, HeadwaterError, PermissionDenied


def validate_settings(spec: ProviderSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    given = {key: value for key, value in raw.items() if value is not None}
    try:
        model = spec.settings_model().model_validate(given)
    except ValidationError as exc:
        raise BadInput(f"Invalid {spec.title} settings: {describe_errors(exc)}.") from None
    return model.model_dump(mode="json")


def validate_credentials(
    spec: ProviderSpec, raw: Mapping[str, str | SecretStr | None]
) -> dict[str, SecretStr]:
    """The required credentials must be there; optional ones (e.g. Amplitude's org keys) are kept if set."""
    creds = {
        name: SecretStr(text)
        for name, value in raw.items()
        if value is not None
        and (text := (value.get_secret_value() if isinstance(value, SecretStr) else value).strip())
    }
    for name in spec.credential_names():
        if name not in creds:
            raise BadInput(f"{spec.title} needs a {name.replace('_', ' ')}; none was given.")
    return creds


def not_saved(exc: HeadwaterError, name: str) -> HeadwaterError:
    """The provider's own reason, prefixed so nobody wonders whether the connection exists now."""
    exc.message = f"Not saved: the test of connection {name!r} failed: {exc.message}"
    exc.args = (exc.message,)
    if isinstance(exc, AuthError) and not exc.hint:
        exc.hint = "Check the key, and the region (--region) or base URL it belongs to."
    if isinstance(exc, PermissionDenied) and not exc.hint:
        exc.hint = "Create a key with the permission Headwater needs (FullStory: Admin) and connect again."
    return exc


def run_test(spec: ProviderSpec, info: ConnectionInfo, transport: httpx.BaseTransport | None) -> None:
    connector = spec.connector(info, transport=borrowed(transport))
    try:
        connector.test()
    finally:
        connector.close()
