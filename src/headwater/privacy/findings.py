"""What looking a person up in a connection does to their task, whoever did the looking (the task's own
job, or its delete lane resolving many fresh tasks at once): the caller holds the ticket lock and
settles the ticket afterwards, so several tasks can be filed in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from headwater.connectors.base import Identity
from headwater.errors import HeadwaterError
from headwater.privacy import capabilities, states, tracking
from headwater.privacy.models import TaskRow


def describe(exc: HeadwaterError) -> str:
    return f"{exc.message} {exc.hint}" if exc.hint else exc.message


def found(session: Session, task: TaskRow, identities: Sequence[Identity], *, deleting: bool) -> str:
    """File who the subject is in this connection; returns the task's new status.

    A delete moves on to `ready` (the caller makes sure the lane's batcher runs), a copy to `exporting`,
    and nobody found completes the task with 0 records: a person a provider holds nothing about.
    """
    task.identities = [capabilities.identity_to_json(i) for i in identities]
    labels = "; ".join(i.label for i in identities) or "nobody"
    tracking.record(
        session,
        task.ticket_id,
        tracking.WORKER,
        "identity_resolved",
        f"{task.connection}: the subject is {labels}.",
        connection=task.connection,
        identities=[i.label for i in identities],
    )
    if not identities:
        what = "deleted" if deleting else "copied"
        task.records, task.counts = 0, {"people": 0}
        message = f"{task.connection}: no one matches this subject; 0 records {what}."
        tracking.move(session, task, states.COMPLETED, actor=tracking.WORKER, message=message)
    else:
        tracking.move(session, task, states.READY if deleting else states.EXPORTING, actor=tracking.WORKER)
    return task.status


def needs_input(session: Session, task: TaskRow, exc: HeadwaterError) -> None:
    hint = f" Then: `headwater dsr set-identity {task.ticket_id} --connection {task.connection} --uid ...`."
    tracking.move(session, task, states.NEEDS_INPUT, actor=tracking.WORKER, error=describe(exc) + hint)


def failed(session: Session, task: TaskRow, message: str) -> None:
    tracking.move(session, task, states.FAILED, actor=tracking.WORKER, error=message)


def cannot_use(connection: str, exc: HeadwaterError) -> str:
    return f"Cannot use connection {connection!r}: {describe(exc)}"
