"""Batch imports as one action: submit the job, poll it until it finishes, then read its results."""

from __future__ import annotations

from itertools import islice
from typing import Any

from pydantic import BaseModel, Field

from headwater.actions.decorator import action
from headwater.actions.model import WRITE, ActionContext
from headwater.connectors.fullstory.actions.polling import wait_until
from headwater.connectors.fullstory.batch import FINISHED, MAX_ITEMS, BatchApi
from headwater.connectors.fullstory.client import FullStoryClient
from headwater.connectors.fullstory.models import BatchStatus

IMPORTS_SHOWN = 1_000


class ImportOptions(BaseModel):
    poll_interval: float = Field(default=2.0, gt=0, description="Seconds between status checks")
    timeout: float = Field(default=3600.0, gt=0, description="Give up waiting after this many seconds")
    idempotency_key: str | None = Field(default=None, description="Makes a retried submission safe")


class ImportEventsInput(ImportOptions):
    events: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="CreateEvent bodies: name, timestamp, properties, user{uid|id}, session, context",
    )
    shared_context: dict[str, Any] | None = Field(
        default=None, description="Context for every event (an event with its own context then fails)"
    )


class ImportUsersInput(ImportOptions):
    users: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_ITEMS, description="User bodies: uid, display_name, email, properties"
    )


class ImportOutput(BaseModel):
    job_id: str
    status: str = Field(description="COMPLETED, or FAILED when any item failed (even partly)")
    import_count: int
    error_count: int
    imports: list[dict[str, Any]] = Field(description=f"Imported items (the first {IMPORTS_SHOWN} at most)")
    errors: list[dict[str, Any]] = Field(description="Every failed item with FullStory's message and code")


def run_import(
    batches: BatchApi,
    requests: list[dict[str, Any]],
    options: ImportOptions,
    ctx: ActionContext,
    *,
    shared: dict[str, Any] | None = None,
) -> ImportOutput:
    job = batches.start(requests, shared=shared, idempotency_key=options.idempotency_key)
    status: BatchStatus = wait_until(
        ctx,
        lambda: batches.status(job.id),
        lambda state: state.job.status in FINISHED,
        what=f"FullStory import {job.id}",
        interval=options.poll_interval,
        timeout=options.timeout,
        resume_hint=f"The job keeps running in FullStory; its id is {job.id}.",
    )
    shown = ctx.limit if ctx.limit is not None else IMPORTS_SHOWN
    imports = list(islice(batches.imports(job.id), shown))
    errors = list(batches.errors(job.id)) if status.job.status == "FAILED" or status.errors else []
    return ImportOutput(
        job_id=job.id,
        status=status.job.status,
        import_count=status.imports,
        error_count=status.errors or len(errors),
        imports=imports,
        errors=errors,
    )


@action(
    "import-events",
    title="Import events in bulk",
    effect=WRITE,
    keywords=("batch", "backfill", "many", "events", "job"),
)
def import_events(client: FullStoryClient, data: ImportEventsInput, ctx: ActionContext) -> ImportOutput:
    """Send up to 50,000 server-side events as one batch job and wait for its results."""
    shared = {"context": data.shared_context} if data.shared_context else None
    return run_import(client.event_batches, data.events, data, ctx, shared=shared)


@action(
    "import-users",
    title="Import users in bulk",
    effect=WRITE,
    keywords=("batch", "backfill", "individuals", "upsert", "sync"),
)
def import_users(client: FullStoryClient, data: ImportUsersInput, ctx: ActionContext) -> ImportOutput:
    """Create or update up to 50,000 users as one batch job and wait for its results."""
    return run_import(client.user_batches, data.users, data, ctx)
