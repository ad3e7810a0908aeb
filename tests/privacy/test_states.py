"""The request state machine, table by table: every task move allowed or refused, every move a person
starts on a ticket, and the ticket status derived from its tasks; then the two ways a move is made (a
worker's, dropped when refused; a person's, raised) and the fresh sub-state, on a real store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from headwater.errors import Conflict
from headwater.privacy import states, tracking
from headwater.privacy.models import TaskRow, TicketRow, new_ticket_id
from headwater.store import Database, audit

S = states
ALL_TASK_MOVES = [(a, b) for a in S.TASK_STATUSES for b in S.TASK_STATUSES]

#: the spec, written out independently of `TASK_MOVES`: every move a task may make to another status
ALLOWED_TASK_MOVES = {
    (S.PENDING, S.NEEDS_INPUT),
    (S.PENDING, S.READY),
    (S.PENDING, S.EXPORTING),
    (S.PENDING, S.COMPLETED),  # nobody found: 0 records
    (S.PENDING, S.FAILED),
    (S.PENDING, S.CANCELLED),
    (S.NEEDS_INPUT, S.PENDING),  # set-identity, retry
    (S.NEEDS_INPUT, S.FAILED),
    (S.NEEDS_INPUT, S.CANCELLED),
    (S.READY, S.DELETING),
    (S.READY, S.FAILED),
    (S.READY, S.CANCELLED),
    (S.DELETING, S.READY),  # an interrupted call that never covered the task
    (S.DELETING, S.WAITING),
    (S.DELETING, S.COMPLETED),
    (S.DELETING, S.FAILED),
    (S.DELETING, S.CANCELLED),
    (S.EXPORTING, S.PENDING),
    (S.EXPORTING, S.WAITING),  # the provider prepares the copy
    (S.EXPORTING, S.COMPLETED),
    (S.EXPORTING, S.FAILED),
    (S.EXPORTING, S.CANCELLED),
    (S.WAITING, S.EXPORTING),  # the provider's copy is ready
    (S.WAITING, S.COMPLETED),
    (S.WAITING, S.FAILED),
    (S.WAITING, S.CANCELLED),
    (S.FAILED, S.PENDING),  # retry
    (S.FAILED, S.CANCELLED),
}


@pytest.mark.parametrize(("current", "target"), ALL_TASK_MOVES)
def test_every_task_move_is_allowed_or_refused_as_specified(current: str, target: str) -> None:
    allowed = current == target or (current, target) in ALLOWED_TASK_MOVES
    assert states.can_move(current, target) is allowed
    if allowed:
        states.check_move(current, target, "The fs task")
    else:
        with pytest.raises(states.IllegalMove, match=f"^The fs task is {current} and cannot become {target}"):
            states.check_move(current, target, "The fs task")


def test_the_table_knows_every_task_status_and_nothing_else() -> None:
    assert set(states.TASK_MOVES) == set(states.TASK_STATUSES)
    assert all(targets <= set(states.TASK_STATUSES) for targets in states.TASK_MOVES.values())


def test_an_illegal_move_is_a_conflict_for_both_faces() -> None:
    refused = states.IllegalMove("DSR-7K3QX2 is already completed.")
    assert isinstance(refused, Conflict) and refused.exit_code == 2 and refused.status == 409


CLOSED_TICKETS = {S.COMPLETED, S.CANCELLED}


@pytest.mark.parametrize("status", S.TICKET_STATUSES)
def test_cancel_is_refused_only_for_a_closed_ticket(status: str) -> None:
    if status in CLOSED_TICKETS:
        with pytest.raises(states.IllegalMove, match=f"^DSR-7K3QX2 is already {status}.$"):
            states.check_cancel("DSR-7K3QX2", status)
    else:
        states.check_cancel("DSR-7K3QX2", status)


RETRY_CASES = [
    # ticket status, its tasks' statuses, the refusal (None: allowed)
    (S.FAILED, [S.FAILED], None),
    (S.FAILED, [S.FAILED, S.COMPLETED], None),
    (S.NEEDS_INPUT, [S.NEEDS_INPUT, S.WAITING], None),
    (S.WAITING, [S.FAILED, S.WAITING], None),
    (S.RECEIVED, [S.PENDING], "has no failed task to retry (it is received)"),
    (S.IN_PROGRESS, [S.READY, S.DELETING, S.EXPORTING], "has no failed task to retry (it is in_progress)"),
    (S.WAITING, [S.WAITING], "has no failed task to retry (it is waiting)"),
    (S.COMPLETED, [S.COMPLETED], "has no failed task to retry (it is completed)"),
    (S.CANCELLED, [S.CANCELLED], "was cancelled"),
]


@pytest.mark.parametrize(("status", "tasks", "refusal"), RETRY_CASES)
def test_retry_needs_an_open_ticket_with_a_failed_or_needs_input_task(
    status: str, tasks: list[str], refusal: str | None
) -> None:
    if refusal is None:
        states.check_retry("DSR-7K3QX2", status, tasks)
    else:
        with pytest.raises(states.IllegalMove, match="^" + re.escape(f"DSR-7K3QX2 {refusal}")):
            states.check_retry("DSR-7K3QX2", status, tasks)


@pytest.mark.parametrize("status", S.TASK_STATUSES)
def test_an_identity_is_given_only_while_the_task_still_looks_for_the_person(status: str) -> None:
    if status in {S.PENDING, S.NEEDS_INPUT, S.FAILED}:
        states.check_set_identity("The fs task of DSR-7K3QX2", status)
    else:
        with pytest.raises(states.IllegalMove, match=f"is {status}; its identity is settled"):
            states.check_set_identity("The fs task of DSR-7K3QX2", status)


def test_whatever_a_person_restarts_the_machine_lets_start_again() -> None:
    assert all(states.can_move(status, S.PENDING) for status in states.IDENTITY_OPEN)
    assert all(states.can_move(status, S.CANCELLED) for status in S.TASK_STATUSES if status != S.COMPLETED)


TICKET_STATUS_CASES = [
    # tasks, cancelled, started, the ticket's status
    ([S.PENDING], False, False, S.RECEIVED),
    ([S.PENDING, S.PENDING], False, True, S.IN_PROGRESS),
    ([S.PENDING, S.COMPLETED], False, False, S.IN_PROGRESS),
    ([S.READY], False, True, S.IN_PROGRESS),
    ([S.DELETING, S.WAITING], False, True, S.IN_PROGRESS),
    ([S.EXPORTING, S.FAILED], False, True, S.IN_PROGRESS),
    ([S.NEEDS_INPUT, S.READY], False, True, S.NEEDS_INPUT),  # a person's action comes first
    ([S.NEEDS_INPUT, S.FAILED], False, True, S.NEEDS_INPUT),
    ([S.WAITING, S.COMPLETED], False, True, S.WAITING),
    ([S.WAITING, S.FAILED], False, True, S.WAITING),  # fails only when nothing is left to try
    ([S.FAILED, S.COMPLETED], False, True, S.FAILED),
    ([S.COMPLETED, S.COMPLETED], False, True, S.COMPLETED),
    ([], False, True, S.COMPLETED),
    ([S.READY, S.NEEDS_INPUT], True, True, S.CANCELLED),  # cancelling is the one decision by hand
]


@pytest.mark.parametrize(("tasks", "cancelled", "started", "expected"), TICKET_STATUS_CASES)
def test_the_ticket_status_follows_from_its_tasks(
    tasks: list[str], cancelled: bool, started: bool, expected: str
) -> None:
    assert states.ticket_status(tasks, cancelled=cancelled, started=started) == expected


def test_batch_and_provider_job_statuses_are_stored_as_the_same_strings() -> None:
    assert [s.value for s in states.BatchStatus] == ["calling", "done", "failed"]
    assert [s.value for s in states.ProviderJobStatus] == ["pending", "running", "done", "failed"]
    assert {"pending", "running"} == states.OPEN_PROVIDER_JOBS
    assert f"{states.BatchStatus.CALLING}" == "calling" == states.BatchStatus.CALLING


def _ticket(db: Database, task_statuses: list[tuple[str, int]]) -> str:
    """A ticket whose tasks (connection c0, c1, …) have these statuses and attempts."""
    at = datetime.now(UTC)
    ticket_id = new_ticket_id()
    with db.session() as session:
        session.add(
            TicketRow(
                id=ticket_id,
                kind="delete",
                email="someone@example.com",
                identifiers={},
                regulation="gdpr",
                received_at=at,
                due_at=at + timedelta(days=30),
                status=S.IN_PROGRESS,
                created_by="tester",
            )
        )
        session.flush()
        session.add_all(
            TaskRow(
                ticket_id=ticket_id, connection=f"c{n}", provider="fullstory", status=status, attempts=tries
            )
            for n, (status, tries) in enumerate(task_statuses)
        )
    return ticket_id


def test_a_worker_move_the_machine_refuses_changes_nothing(db: Database) -> None:
    ticket_id = _ticket(db, [(S.COMPLETED, 1)])
    with db.session() as session:
        task = tracking.tasks_of(session, ticket_id)[0]
        assert tracking.move(session, task, S.FAILED, actor=tracking.WORKER, error="late") is False
    with db.session() as session:
        task = tracking.tasks_of(session, ticket_id)[0]
        assert (task.status, task.last_error) == (S.COMPLETED, None)
        assert audit.trail(session, tracking.SUBJECT, ticket_id) == []


def test_a_person_move_the_machine_refuses_raises_and_writes_nothing(db: Database) -> None:
    ticket_id = _ticket(db, [(S.COMPLETED, 1), (S.FAILED, 1)])
    refused = f"^The c0 task of {ticket_id} is completed and cannot become pending"
    with pytest.raises(states.IllegalMove, match=refused), db.session() as session:
        failed, completed = reversed(tracking.tasks_of(session, ticket_id))
        assert tracking.move_for_person(session, failed, S.PENDING, actor="officer") is True
        tracking.move_for_person(session, completed, S.PENDING, actor="officer")
    with db.session() as session:
        assert [t.status for t in tracking.tasks_of(session, ticket_id)] == [S.COMPLETED, S.FAILED]
        assert audit.trail(session, tracking.SUBJECT, ticket_id) == []


def test_fresh_means_the_same_in_a_query_and_on_a_row(db: Database) -> None:
    ticket_id = _ticket(db, [(status, tries) for status in S.TASK_STATUSES for tries in (0, 1)])
    with db.session() as session:
        queried = set(
            session.scalars(select(TaskRow.connection).where(TaskRow.ticket_id == ticket_id, TaskRow.fresh))
        )
        rows = tracking.tasks_of(session, ticket_id)
        assert queried == {t.connection for t in rows if t.fresh}
        assert [(t.status, t.attempts) for t in rows if t.fresh] == [(S.PENDING, 0)]
