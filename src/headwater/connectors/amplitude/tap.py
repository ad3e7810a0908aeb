"""`tap-headwater-amplitude`: a Singer tap for Amplitude's Export API, one bookmark per upload hour.

Hours are fetched a day at a time and emitted in order; STATE (the last hour fully emitted) follows
each hour's last record. Amplitude writes times as `2024-01-01 00:00:05.123000` in UTC; records carry
them as RFC 3339 (`2024-01-01T00:00:05.123000Z`), as Singer's `date-time` requires.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.helpers.types import Context, Record

from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.settings import AmplitudeSettings
from headwater.connectors.amplitude.source import AmplitudeSource
from headwater.connectors.amplitude.unpack import ndjson_rows
from headwater.sync.batches import Scratch
from headwater.sync.singer.checkpoint import CheckpointedStream

DEFAULT_HISTORY = timedelta(days=365)
CATCH_ALL = "other_fields"
INTEGERS = ("app", "amplitude_id", "event_id", "session_id")
NUMBERS = ("location_lat", "location_lng", "sample_rate")
BOOLEANS = ("paying", "is_attribution_event")
TIMES = (
    "event_time",
    "client_event_time",
    "client_upload_time",
    "server_received_time",
    "server_upload_time",
    "processed_time",
    "user_creation_time",
)
OBJECTS = ("event_properties", "user_properties", "group_properties", "global_user_properties", "groups")
OBJECTS_TOO = ("data", "plan")
STRINGS = (
    "user_id",
    "device_id",
    "event_type",
    "uuid",
    "$insert_id",
    "$insert_key",
    "$schema",
    "amplitude_event_type",
    "amplitude_attribution_ids",
    "ip_address",
    "city",
    "region",
    "country",
    "dma",
    "platform",
    "os_name",
    "os_version",
    "device_type",
    "device_family",
    "device_carrier",
    "device_brand",
    "device_manufacturer",
    "device_model",
    "language",
    "library",
    "version_name",
    "start_version",
    "data_type",
    "idfa",
    "adid",
    "partner_id",
    "source_id",
)


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def events_schema() -> dict[str, Any]:
    props: dict[str, Any] = {name: _nullable("integer") for name in INTEGERS}
    props.update({name: _nullable("number") for name in NUMBERS})
    props.update({name: _nullable("boolean") for name in BOOLEANS})
    props.update({name: _nullable("string", format="date-time") for name in TIMES})
    props.update({name: _nullable("object", additionalProperties=True) for name in (*OBJECTS, *OBJECTS_TOO)})
    props.update({name: _nullable("string") for name in STRINGS})
    props[CATCH_ALL] = _nullable("object", additionalProperties=True)
    return {"type": "object", "properties": props}


def rfc3339(value: Any) -> Any:
    """`2024-01-01 00:00:05.123000` (UTC implied) as `2024-01-01T00:00:05.123000Z`."""
    if isinstance(value, str) and len(value) >= 19 and value[10] == " ":
        return value.replace(" ", "T", 1) + ("" if value.endswith("Z") else "Z")
    return value


def shape(row: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """A row as a record of the schema: times in RFC 3339, scalars as declared, the rest kept aside."""
    record: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in row.items():
        if key not in known or key == CATCH_ALL:
            extra[key] = value
        elif key in TIMES:
            record[key] = rfc3339(value)
        elif key in STRINGS and value is not None and not isinstance(value, str):
            record[key] = str(value)
        elif key in OBJECTS_TOO and value is not None and not isinstance(value, dict):
            extra[key] = value
        else:
            record[key] = value
    if extra and CATCH_ALL in known:
        record[CATCH_ALL] = extra
    return record


class AmplitudeEvents(CheckpointedStream):
    name = "events"
    primary_keys = ("uuid",)
    replication_key = "server_upload_time"
    schema = events_schema()

    def get_records(self, context: Context | None) -> Iterable[Record]:
        tap: TapHeadwaterAmplitude = self._tap  # type: ignore[assignment]
        source = AmplitudeSource(
            tap.client.http,
            lag=timedelta(hours=float(self.config.get("lag_hours", 2))),
            window_hours=int(self.config.get("hours_per_request", 24)),
        )
        state = self.get_context_state(context)
        bookmark = (
            state.get("replication_key_value")
            if state.get("replication_key") == self.replication_key
            else None
        )
        start = self._start_date() or tap.default_start
        since = source.resume_from(bookmark, start)
        known = self.schema["properties"]
        with Scratch(Path(tempfile.mkdtemp(prefix="headwater-tap-"))) as scratch:
            for batch in source.batches(since, scratch):
                for path in batch.files:
                    with path.open("rb") as body:
                        for row in ndjson_rows(body):
                            yield shape(row, known)
                batch.discard()
                self.checkpoint(batch.bookmark, context)

    def _start_date(self) -> datetime | None:
        value = self.config.get("start_date")
        if not value:
            return None
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TapHeadwaterAmplitude(Tap):
    name = "tap-headwater-amplitude"
    config_jsonschema = th.PropertiesList(
        th.Property("api_key", th.StringType, required=True, secret=True, description="Project API key"),
        th.Property(
            "secret_key", th.StringType, required=True, secret=True, description="Project secret key"
        ),
        th.Property("start_date", th.DateTimeType, description="First upload hour (default: a year ago)"),
        th.Property("region", th.StringType, allowed_values=["us", "eu"], description="Data region (us, eu)"),
        th.Property("base_url", th.StringType, description="API host override (a sandbox or a proxy)"),
        th.Property(
            "lag_hours", th.NumberType, default=2, description="Wait this long before an hour is asked for"
        ),
        th.Property("hours_per_request", th.IntegerType, default=24, description="Hours per export request"),
    ).to_dict()

    @cached_property
    def client(self) -> AmplitudeClient:
        settings = AmplitudeSettings(
            region=self.config.get("region") or "us", base_url=self.config.get("base_url")
        )
        return AmplitudeClient(
            SecretStr(self.config["api_key"]), SecretStr(self.config["secret_key"]), settings
        )

    @property
    def default_start(self) -> datetime:
        return (datetime.now(UTC) - DEFAULT_HISTORY).replace(hour=0, minute=0, second=0, microsecond=0)

    def discover_streams(self) -> list[Stream]:
        return [AmplitudeEvents(self)]


def main() -> None:
    TapHeadwaterAmplitude.cli()


if __name__ == "__main__":
    main()
