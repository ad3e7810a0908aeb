"""Both providers through the registry: settings, credentials, clients and connectors from a connection."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from headwater.connectors import ConnectionInfo, get_provider
from headwater.connectors.amplitude import AmplitudeClient, AmplitudeConnector
from headwater.connectors.fullstory import FullStoryClient, FullStoryConnector
from headwater.errors import BadInput, ConfigError

from .conftest import AMPLITUDE_URL, CREDS, FULLSTORY_URL, Sandbox


def test_fullstory_spec_builds_a_working_connector(fs_sandbox: Sandbox) -> None:
    spec = get_provider("fullstory")
    assert (spec.kind, spec.title, spec.credential_names()) == ("fullstory", "FullStory", ("api_key",))
    info = ConnectionInfo(
        name="fs",
        kind="fullstory",
        settings={"base_url": FULLSTORY_URL, "identify_by": "uid"},
        credentials={"api_key": SecretStr(CREDS.fullstory_admin_key)},
    )
    seen: list[object] = []
    connector = spec.connector(info, transport=fs_sandbox.transport, observers=[seen.append])
    assert isinstance(connector, FullStoryConnector) and connector.identify_by == "uid"
    connector.test()
    assert seen and CREDS.fullstory_admin_key not in repr(seen)
    assert isinstance(spec.client(info, transport=fs_sandbox.transport), FullStoryClient)
    assert spec.settings_model()().model_dump() == {"region": None, "base_url": None, "identify_by": "email"}


def test_amplitude_spec_builds_a_working_connector(amp_sandbox: Sandbox) -> None:
    spec = get_provider("amplitude")
    assert spec.credential_names() == ("api_key", "secret_key")
    info = ConnectionInfo(
        name="amp",
        kind="amplitude",
        settings={"base_url": AMPLITUDE_URL},
        credentials={
            "api_key": SecretStr(CREDS.amplitude_api_key),
            "secret_key": SecretStr(CREDS.amplitude_secret_key),
        },
    )
    connector = spec.connector(info, transport=amp_sandbox.transport)
    assert isinstance(connector, AmplitudeConnector)
    connector.test()
    client = spec.client(info, transport=amp_sandbox.transport)
    assert isinstance(client, AmplitudeClient) and not client.dsar.available
    assert CREDS.amplitude_secret_key not in repr(client)


def test_bad_settings_and_missing_credentials_say_what_to_fix() -> None:
    with pytest.raises(ConfigError, match="region"):
        get_provider("fullstory").client(
            ConnectionInfo(
                name="x",
                kind="fullstory",
                settings={"region": "mars"},
                credentials={"api_key": SecretStr("k")},
            )
        )
    with pytest.raises(ConfigError, match="base_url"):
        get_provider("amplitude").client(
            ConnectionInfo(
                name="x",
                kind="amplitude",
                settings={"base_url": "ftp://x"},
                credentials={"api_key": SecretStr("k"), "secret_key": SecretStr("s")},
            )
        )
    with pytest.raises(BadInput, match="secret_key"):
        get_provider("amplitude").client(
            ConnectionInfo(name="x", kind="amplitude", credentials={"api_key": SecretStr("k")})
        )


def test_action_keys_are_unique_per_provider() -> None:
    for kind in ("fullstory", "amplitude"):
        keys = [action.key for action in get_provider(kind).actions()]
        assert len(keys) == len(set(keys))
