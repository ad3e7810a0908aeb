"""The Singer SDK's own tap test suites (discovery, CLI, connections, final state, schema validity, records
matching their schemas, keys, attribute types) for both taps, against the sandbox on loopback.

The SDK builds the test classes at import time from a config dict it keeps by reference; a module
fixture starts the sandbox and fills in its address before the first tap runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from headwater.connectors.amplitude.tap import TapHeadwaterAmplitude
from headwater.connectors.fullstory.tap import TapHeadwaterFullStory
from headwater.sandbox import SandboxOptions, World
from headwater.sandbox.server import SandboxServer
from tests.sync.conftest import CREDS

WORLD_DAYS = 6
START = (datetime.now(UTC) - timedelta(days=WORLD_DAYS)).strftime("%Y-%m-%dT00:00:00Z")
FULLSTORY_CONFIG: dict[str, Any] = {
    "api_key": CREDS.fullstory_admin_key,
    "start_date": START,
    "base_url": "http://127.0.0.1:9",  # replaced by the running sandbox's address
    "sample_custom_fields": False,
}
AMPLITUDE_CONFIG: dict[str, Any] = {
    "api_key": CREDS.amplitude_api_key,
    "secret_key": CREDS.amplitude_secret_key,
    "start_date": START,
    "base_url": "http://127.0.0.1:9",
    "hours_per_request": 72,
}


@pytest.fixture(scope="module", autouse=True)
def sandbox_addresses() -> Iterator[None]:
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    world = World(seed=3, users=4, events_per_user=30, start=end - timedelta(days=WORLD_DAYS), end=end)
    with SandboxServer(world=world, options=SandboxOptions(rate_limits=False)) as server:
        FULLSTORY_CONFIG["base_url"] = server.fullstory_url
        AMPLITUDE_CONFIG["base_url"] = server.amplitude_url
        yield


TestFullStoryTapSuite = get_tap_test_class(
    TapHeadwaterFullStory, config=FULLSTORY_CONFIG, suite_config=SuiteConfig(max_records_limit=60)
)
TestAmplitudeTapSuite = get_tap_test_class(
    TapHeadwaterAmplitude, config=AMPLITUDE_CONFIG, suite_config=SuiteConfig(max_records_limit=60)
)
