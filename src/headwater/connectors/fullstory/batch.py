"""Batch imports of users or events: a job that is submitted, polled, then paged for its results.

`/imports` and `/errors` answer 202 with no body until the job has finished, so reading them early is
reported as a conflict the caller can wait out, never as an empty result.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal
from urllib.parse import quote

from headwater.connectors.fullstory.models import BatchJob, BatchStatus
from headwater.errors import Conflict
from headwater.http import HttpClient

MAX_ITEMS = 50_000
FINISHED = ("COMPLETED", "FAILED")


class BatchApi:
    def __init__(self, http: HttpClient, kind: Literal["users", "events"]) -> None:
        self._http = http
        self._kind = kind

    def start(
        self,
        requests: Sequence[dict[str, Any]],
        *,
        shared: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> BatchJob:
        body: dict[str, Any] = {"requests": list(requests)}
        if shared:
            body["shared"] = shared
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        rsp = self._http.request(
            "POST", f"/v2/{self._kind}/batch", json=body, headers=headers, idempotent=bool(idempotency_key)
        )
        return BatchJob.model_validate(rsp.json()["job"])

    def status(self, job_id: str) -> BatchStatus:
        rsp = self._http.request("GET", self._path(job_id))
        return BatchStatus.model_validate(rsp.json())

    def imports(self, job_id: str, *, include_schema: bool = False) -> Iterator[dict[str, Any]]:
        params = {"include_schema": "true"} if include_schema else {}
        return self._results(job_id, "imports", params)

    def errors(self, job_id: str) -> Iterator[dict[str, Any]]:
        return self._results(job_id, "errors", {})

    def _results(self, job_id: str, which: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        path = f"{self._path(job_id)}/{which}"
        query = dict(params)
        while True:
            rsp = self._http.request("GET", path, params=query, ok_statuses=(202,))
            if rsp.status_code == 202:
                raise Conflict(
                    f"FullStory batch job {job_id} is still processing; its {which} are not ready.",
                    hint="Wait until its status is COMPLETED or FAILED, then read them again.",
                )
            body = rsp.json()
            yield from body.get("results") or []
            token = body.get("next_page_token")
            if not token:
                return
            query["page_token"] = token

    def _path(self, job_id: str) -> str:
        return f"/v2/{self._kind}/batch/{quote(job_id, safe='')}"
