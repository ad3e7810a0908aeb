"""Handling tickets: retry, cancel, set an identity, poll providers now, and bulk import from CSV."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from headwater.errors import BadInput
from headwater.privacy.bulk import import_csv
from headwater.web.api.deps import Svc
from headwater.web.auth.principal import Operator
from headwater.web.problems import documented
from headwater.web.schemas.tickets import CancelRequest, IdentityUpdate, ImportResult, RefreshedTicket, Ticket

router = APIRouter(prefix="/tickets", tags=["privacy tickets"])
CHUNK = 1 << 16


@router.post(
    "/{ticket_id}/retry",
    response_model=Ticket,
    responses=documented(403, 404, 409),
    summary="Run the ticket's failed tasks again",
)
def retry_ticket(ticket_id: str, principal: Operator, services: Svc) -> dict[str, Any]:
    return services.privacy.retry(ticket_id, actor=principal.actor)


@router.post(
    "/{ticket_id}/cancel",
    response_model=Ticket,
    responses=documented(403, 404, 409),
    summary="Stop working on a ticket (deletions a provider already runs go on there)",
)
def cancel_ticket(
    ticket_id: str, principal: Operator, services: Svc, body: CancelRequest | None = None
) -> dict[str, Any]:
    reason = body.reason if body is not None else ""
    return services.privacy.cancel(ticket_id, actor=principal.actor, reason=reason)


@router.post(
    "/{ticket_id}/identity",
    response_model=Ticket,
    responses=documented(403, 404, 409),
    summary="Give the identifier a connection asked for; its task then runs again",
)
def set_identity(ticket_id: str, body: IdentityUpdate, principal: Operator, services: Svc) -> dict[str, Any]:
    return services.privacy.set_identity(
        ticket_id,
        connection=body.connection,
        uid=body.uid,
        amplitude_id=body.amplitude_id,
        actor=principal.actor,
    )


@router.post(
    "/{ticket_id}/refresh",
    response_model=RefreshedTicket,
    responses=documented(403, 404),
    summary="Poll the ticket's open provider jobs now, whatever their schedule says",
)
def refresh_ticket(ticket_id: str, principal: Operator, services: Svc) -> dict[str, Any]:
    return services.privacy.refresh(ticket_id, actor=principal.actor)


@router.post(
    "/import",
    response_model=ImportResult,
    responses=documented(403, 413),
    summary="Open one request per CSV row; each row's result is reported and a bad row stops nothing",
    description="A person who already has an open request of the row's kind is skipped as a duplicate.",
)
def import_tickets(
    principal: Operator,
    services: Svc,
    file: Annotated[UploadFile, File(description="CSV with an `email` column (see `headwater dsr import`)")],
    kind: Annotated[str, Form(max_length=10, description="For rows without one")] = "delete",
    regulation: Annotated[str, Form(max_length=10, description="For rows without one")] = "gdpr",
) -> dict[str, Any]:
    return run_import(services, file, kind=kind, regulation=regulation, actor=principal.actor)


def run_import(
    services: Any, upload: UploadFile, *, kind: str, regulation: str, actor: str
) -> dict[str, Any]:
    """Copy the upload to a private temporary file (bounded in size), then hand it to the bulk service."""
    folder = Path(tempfile.mkdtemp(prefix="import-", dir=services.settings.ensure_home()))
    try:
        path = folder / "upload.csv"
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > services.web.upload_max_bytes:
                    raise TooLarge(services.web.upload_max_bytes)
                out.write(chunk)
        name = f"file {(upload.filename or 'upload.csv')[:100]!r}"
        summary = import_csv(services.privacy, path, kind=kind, regulation=regulation, actor=actor, name=name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return summary.as_dict()


class TooLarge(BadInput):
    status = 413
    code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"file: larger than {limit // 1_000_000} MB.", hint="Split it into smaller files.")
