"""Export API: every event Amplitude received in a range of hours, as rows.

The range is on server upload time, both end hours included. A 404 means the hours hold no data, which is
an empty result, not an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from headwater.connectors.amplitude.unpack import archive_rows, spool
from headwater.errors import BadInput, BadRequest, NotFound, ProviderUnavailable
from headwater.http import HttpClient

MAX_SPAN = timedelta(days=365)
HINTS = {
    400: "The export is over Amplitude's 4 GB limit: use a shorter time range (or the Amazon S3 export).",
    504: "The export timed out on Amplitude's side: use a shorter time range.",
}


def hour(moment: datetime) -> str:
    """`YYYYMMDDTHH` in UTC, the only form the Export API takes."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y%m%dT%H")


class ExportApi:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    def events(self, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        """Rows uploaded from the hour of `start` through the hour of `end`, hour by hour."""
        if end < start or end - start > MAX_SPAN:
            raise BadInput("An Amplitude export covers 0 hours to 365 days (start <= end).")
        params = {"start": hour(start), "end": hour(end)}
        try:
            with self._http.stream("GET", "/api/2/export", params=params) as rsp:
                body = spool(rsp.iter_bytes())
        except NotFound:
            return  # no data in those hours
        except BadRequest as exc:
            raise BadRequest(exc.message, hint=HINTS[400], http_status=exc.http_status) from None
        except ProviderUnavailable as exc:
            raise ProviderUnavailable(exc.message, hint=HINTS[504]) from None
        yield from archive_rows(body, "export")
