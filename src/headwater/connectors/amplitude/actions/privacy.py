"""Privacy actions: schedule and follow deletions (User Privacy API) and data access requests (DSAR)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field, model_validator

from headwater.actions.decorator import action
from headwater.actions.local_files import LocalPath
from headwater.actions.model import DESTRUCTIVE, READ, WRITE, ActionContext
from headwater.actions.rowsink import RowsOutput, sink_rows
from headwater.connectors.amplitude.client import AmplitudeClient
from headwater.connectors.amplitude.deletions import MAX_IDS
from headwater.connectors.amplitude.models import DeletionEntry, DeletionJob, DsarStatus


def _today() -> date:
    return datetime.now(UTC).date()


class RequestDeletionInput(BaseModel):
    user_ids: list[str] = Field(default_factory=list, description="user_ids (case-sensitive)")
    amplitude_ids: list[int] = Field(default_factory=list, description="Amplitude's numeric ids")
    requester: str | None = Field(
        default=None, description="Recorded for auditing; default: the connection's"
    )
    ignore_invalid_ids: bool = Field(
        default=True, description="Schedule the ids Amplitude knows even if some are unknown (else: none)"
    )
    delete_from_org: bool = Field(default=False, description="Delete from every project of the organization")

    @model_validator(mode="after")
    def _some(self) -> RequestDeletionInput:
        if not self.user_ids and not self.amplitude_ids:
            raise ValueError("give at least one user_id or amplitude_id")
        return self


class RequestDeletionOutput(BaseModel):
    jobs: list[DeletionJob] = Field(description="The jobs the ids were scheduled in (runs in ~2 weeks)")
    nothing_scheduled: list[str] = Field(description="Amplitude's messages for calls that scheduled nothing")
    calls: int = Field(description=f"Deletion calls made ({MAX_IDS} ids each at most, 1 a second)")


@action(
    "request-deletion",
    title="Request user deletion",
    effect=DESTRUCTIVE,
    keywords=(
        "ccpa",
        "privacy",
        "right to be forgotten",
        "user",
        "data subject",
        "delete",
        "deletion job",
        "bulk delete",
    ),
)
def request_deletion(
    client: AmplitudeClient, data: RequestDeletionInput, ctx: ActionContext
) -> RequestDeletionOutput:
    """Schedule the deletion of users' data (100 ids a call); Amplitude runs it ~2 weeks on."""
    ids: list[tuple[str, int | str]] = [("a", i) for i in data.amplitude_ids] + [
        ("u", u) for u in data.user_ids
    ]
    jobs: dict[str, DeletionJob] = {}
    messages: list[str] = []
    batches = [ids[i : i + MAX_IDS] for i in range(0, len(ids), MAX_IDS)]
    for number, batch in enumerate(batches, start=1):
        result = client.deletions.request(
            amplitude_ids=[int(v) for k, v in batch if k == "a"],
            user_ids=[str(v) for k, v in batch if k == "u"],
            requester=data.requester or client.settings.requester,
            ignore_invalid_id=data.ignore_invalid_ids,
            delete_from_org=data.delete_from_org,
        )
        for job in result.jobs:
            jobs[f"{job.app}:{job.day}"] = job  # a later answer lists the same job with more ids
        if result.nothing_scheduled:
            messages.append(result.nothing_scheduled)
        ctx.progress("Amplitude deletion requests", number, len(batches))
    return RequestDeletionOutput(jobs=list(jobs.values()), nothing_scheduled=messages, calls=len(batches))


class ListDeletionJobsInput(BaseModel):
    start_day: date = Field(default_factory=_today, description="First run day included")
    end_day: date = Field(
        default_factory=lambda: _today() + timedelta(days=30),
        description="Last run day included (6 months max)",
    )


class ListDeletionJobsOutput(BaseModel):
    jobs: list[DeletionJob]
    count: int


@action(
    "list-deletion-jobs",
    title="List deletion jobs",
    effect=READ,
    keywords=("deletion status", "privacy", "gdpr", "scheduled", "staging", "done"),
)
def list_deletion_jobs(
    client: AmplitudeClient, data: ListDeletionJobsInput, ctx: ActionContext
) -> ListDeletionJobsOutput:
    """List the project's deletion jobs by run day, with their status and ids."""
    jobs = client.deletions.jobs(data.start_day, data.end_day)[: ctx.limit]
    return ListDeletionJobsOutput(jobs=jobs, count=len(jobs))


class CancelDeletionInput(BaseModel):
    amplitude_id: int = Field(description="The Amplitude id to take out of the job (user_ids cannot be used)")
    day: date = Field(description="The job's run day; possible while it is staging (until 3 days before)")


@action(
    "cancel-deletion",
    title="Cancel a scheduled deletion",
    effect=WRITE,
    keywords=("undo", "revoke", "withdraw", "stop", "deletion", "keep", "restore", "mistake"),
)
def cancel_deletion(client: AmplitudeClient, data: CancelDeletionInput, ctx: ActionContext) -> DeletionEntry:
    """Take one amplitude_id out of a deletion job that is still staging."""
    return client.deletions.remove(data.amplitude_id, data.day)


class DataAccessInput(BaseModel):
    user_id: str | None = None
    amplitude_id: int | None = None
    start_date: date = Field(description="First day of events to copy")
    end_date: date = Field(default_factory=_today, description="Last day of events to copy")

    @model_validator(mode="after")
    def _one(self) -> DataAccessInput:
        if (self.user_id is None) == (self.amplitude_id is None):
            raise ValueError("give exactly one of user_id or amplitude_id")
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class DataAccessCreated(BaseModel):
    request_id: int
    note: str = "Amplitude prepares the files within 3 days; follow them with get-data-access."


@action(
    "request-data-access",
    title="Request a copy of a user's data",
    effect=WRITE,
    keywords=(
        "user",
        "data subject",
        "dsar",
        "access request",
        "copy",
        "gdpr",
        "ccpa",
        "portability",
        "export",
    ),
)
def request_data_access(
    client: AmplitudeClient, data: DataAccessInput, ctx: ActionContext
) -> DataAccessCreated:
    """Ask Amplitude for a copy of one user's events (DSAR; needs the org-level keys)."""
    request_id = client.dsar.create(
        user_id=data.user_id,
        amplitude_id=data.amplitude_id,
        start_date=data.start_date,
        end_date=data.end_date,
    )
    return DataAccessCreated(request_id=request_id)


class GetDataAccessInput(BaseModel):
    request_id: int
    download: bool = Field(default=False, description="When done, also read the files' event rows")
    path: LocalPath | None = Field(
        default=None, description="Write the rows to this JSON-lines file (.gz to compress)"
    )


class GetDataAccessOutput(BaseModel):
    request: DsarStatus
    download: RowsOutput | None = None


@action(
    "get-data-access",
    title="Get a data access request",
    effect=READ,
    keywords=("dsar", "access request", "status", "download", "copy", "gdpr", "files", "result"),
)
def get_data_access(
    client: AmplitudeClient, data: GetDataAccessInput, ctx: ActionContext
) -> GetDataAccessOutput:
    """Check a data access request and, once done, read (or save) its event rows."""
    status = client.dsar.status(data.request_id)
    if not (data.download or data.path) or status.status != "done":
        return GetDataAccessOutput(request=status)
    rows = (row for url in status.urls for row in client.dsar.download(url))
    return GetDataAccessOutput(
        request=status, download=sink_rows(rows, ctx, path=data.path, what="DSAR rows")
    )
