"""A Singer stream whose bookmark moves per batch (a bundle, an hour), never per record.

The Singer SDK advances a bookmark from each record and may write STATE every few thousand records;
for export batches that would mark half a bundle as done. Here STATE is written only once the last
record of a batch has been written, with the batch's end as the value, so an interrupted run resumes
at a batch boundary: nothing skipped, at worst the unfinished batch sent again.
"""

from __future__ import annotations

from typing import Any

from singer_sdk import Stream
from singer_sdk.helpers.types import Context, Record


class CheckpointedStream(Stream):
    is_sorted = True

    def _increment_stream_state(self, latest_record: Record, *, context: Context | None = None) -> None:
        """Records do not move the bookmark; `checkpoint` does, at batch ends."""

    def get_replication_key_signpost(self, context: Context | None = None) -> Any:
        return None

    def checkpoint(self, value: str, context: Context | None = None) -> None:
        """Record that everything up to `value` is written, and emit STATE now."""
        state = self.get_context_state(context)
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = value
        self.state_manager.is_flushed = False
        self._write_state_message()


def upgrade_flat_state(state: dict[str, Any], stream: str, replication_key: str) -> dict[str, Any]:
    """Accept tap-fullstory's flat state (`{"events": "2017-06-02T00:00:00Z"}`) as a bookmark."""
    value = state.get(stream)
    if "bookmarks" in state or not isinstance(value, str):
        return state
    bookmark = {"replication_key": replication_key, "replication_key_value": value}
    return {"bookmarks": {stream: bookmark}}
