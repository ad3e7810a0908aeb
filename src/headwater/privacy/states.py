"""The request state machine in one place: every status a ticket, task, delete batch and provider job can
have, which task moves are allowed, which moves a person may start, and a ticket's status given its tasks.

A ticket's status is never set by hand: it is derived from its tasks each time one of them changes, so
the two can never disagree. Only cancelling is a decision about the ticket itself.

A task's path::

    delete:  pending -> ready -> deleting -> waiting -> completed
    copy:    pending -> exporting [-> waiting -> exporting] -> completed
    replica: pending -> completed           (Headwater's own copy of a connection's events: `erasure`)

and from any open status to needs_input, failed or cancelled; a person starts a failed or needs_input
task again at pending (`retry`, `set-identity`).

`pending` has a hidden sub-state, **fresh**: a task never tried (`attempts` 0). A connection's delete lane
resolves its fresh delete tasks in bulk (`fresh`), and a ticket whose tasks are all fresh is still
`received`. `TaskRow.fresh` is its one definition, for rows and queries alike.

A ticket **needs attention** when any of its tasks failed or needs input (`ATTENTION`), whatever its
own status: the status tells how far the work is, the flag whether a person must act.

Moves come from workers and from people. A worker's move the machine refuses is dropped (a person may
have cancelled or restarted the task meanwhile: see `tracking.move`); a person's raises `IllegalMove`,
which the CLI shows with exit code 2 and the web with HTTP 409.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from headwater.connectors.base import ProviderJobStatus as ProviderJobStatus  # defined at the seam
from headwater.errors import Conflict

# ticket statuses
RECEIVED = "received"
IN_PROGRESS = "in_progress"
WAITING = "waiting"
NEEDS_INPUT = "needs_input"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"
TICKET_STATUSES = (RECEIVED, IN_PROGRESS, WAITING, NEEDS_INPUT, COMPLETED, FAILED, CANCELLED)
#: a ticket in one of these has nothing left to do
CLOSED = frozenset({COMPLETED, CANCELLED})

# task statuses (needs_input, waiting, completed, failed and cancelled are shared with tickets)
PENDING = "pending"  # its identity is being resolved
READY = "ready"  # resolved, waiting for the connection's delete batcher
DELETING = "deleting"  # in a batch whose call is being made
EXPORTING = "exporting"  # a copy is being collected
TASK_STATUSES = (PENDING, NEEDS_INPUT, READY, DELETING, EXPORTING, WAITING, COMPLETED, FAILED, CANCELLED)
ACTIVE = frozenset({PENDING, READY, DELETING, EXPORTING})
FINAL = frozenset({COMPLETED, FAILED, CANCELLED})

TASK_MOVES: dict[str, frozenset[str]] = {
    PENDING: frozenset({NEEDS_INPUT, READY, EXPORTING, COMPLETED, FAILED, CANCELLED}),
    NEEDS_INPUT: frozenset({PENDING, FAILED, CANCELLED}),
    READY: frozenset({DELETING, FAILED, CANCELLED}),
    # back to READY: a restart found the interrupted call never covered the task (`settling.finish`)
    DELETING: frozenset({READY, WAITING, COMPLETED, FAILED, CANCELLED}),
    # a copy the provider prepares itself waits for it, then comes back to be collected
    EXPORTING: frozenset({COMPLETED, FAILED, CANCELLED, PENDING, WAITING}),
    WAITING: frozenset({COMPLETED, FAILED, CANCELLED, EXPORTING}),
    FAILED: frozenset({PENDING, CANCELLED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}

#: tasks a person can start again with `retry`
RETRYABLE = frozenset({FAILED, NEEDS_INPUT})
#: tasks that wait for a person: their ticket **needs attention**, whatever its own status says (a failed
#: FullStory task hides behind `waiting` for the weeks Amplitude takes to delete)
ATTENTION = RETRYABLE
#: tasks whose identity a person can still give with `set-identity` (a pending one is looked up again)
IDENTITY_OPEN = RETRYABLE | {PENDING}


class BatchStatus(StrEnum):
    """A delete batch (`BatchRow`): committed `calling` before its one call is made, then settled."""

    CALLING = "calling"
    DONE = "done"
    FAILED = "failed"


#: provider jobs still to be polled
OPEN_PROVIDER_JOBS = frozenset({ProviderJobStatus.PENDING, ProviderJobStatus.RUNNING})


class IllegalMove(Conflict):
    """A move a person asked for that the state machine refuses (exit code 2, HTTP 409)."""


def can_move(current: str, target: str) -> bool:
    return current == target or target in TASK_MOVES.get(current, frozenset())


def check_move(current: str, target: str, what: str) -> None:
    if not can_move(current, target):
        raise IllegalMove(f"{what} is {current} and cannot become {target}.")


def check_cancel(ticket: str, status: str) -> None:
    """A ticket is cancelled once, and never after it completed."""
    if status in CLOSED:
        raise IllegalMove(f"{ticket} is already {status}.")


def check_retry(ticket: str, status: str, task_statuses: Iterable[str]) -> None:
    """A retry needs a ticket still open to work and a task to start again."""
    if status == CANCELLED:
        raise IllegalMove(f"{ticket} was cancelled.", hint="Create a new request instead.")
    if not RETRYABLE.intersection(task_statuses):
        raise IllegalMove(f"{ticket} has no failed task to retry (it is {status}).")


def check_set_identity(task: str, status: str) -> None:
    """`task` names it for the message, e.g. "The fs task of DSR-7K3QX2"."""
    if status not in IDENTITY_OPEN:
        raise IllegalMove(f"{task} is {status}; its identity is settled.")


def needs_attention(task_statuses: Iterable[str]) -> bool:
    """A ticket needs a person when any task failed or needs input (`models.needs_attention` is the same
    condition in SQL, for lists and counts)."""
    return not ATTENTION.isdisjoint(task_statuses)


def ticket_status(task_statuses: Iterable[str], *, cancelled: bool = False, started: bool = True) -> str:
    """The ticket's status from its tasks' (see the module docstring for why it is derived).

    A person's action comes first (`needs_input`), then work we are doing (`in_progress`), then work a
    provider is doing (`waiting`); a ticket fails only when nothing is left to try. A ticket not
    `started` (all its tasks fresh) is still `received`.
    """
    if cancelled:
        return CANCELLED
    statuses = set(task_statuses)
    if NEEDS_INPUT in statuses:
        return NEEDS_INPUT
    if statuses & ACTIVE:
        return IN_PROGRESS if started or statuses - {PENDING} else RECEIVED
    if WAITING in statuses:
        return WAITING
    if FAILED in statuses:
        return FAILED
    return COMPLETED
