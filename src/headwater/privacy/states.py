"""The request state machine: which task moves are allowed, and what a ticket's status is given its tasks.

A ticket's status is never set by hand: it is derived from its tasks each time one of them changes, so
the two can never disagree. Only cancelling is a decision about the ticket itself.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    # back to READY: a restart found the interrupted call never covered the task (`deleting.finish`)
    DELETING: frozenset({READY, WAITING, COMPLETED, FAILED, CANCELLED}),
    # a copy the provider prepares itself waits for it, then comes back to be collected
    EXPORTING: frozenset({COMPLETED, FAILED, CANCELLED, PENDING, WAITING}),
    WAITING: frozenset({COMPLETED, FAILED, CANCELLED, EXPORTING}),
    FAILED: frozenset({PENDING, CANCELLED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return current == target or target in TASK_MOVES.get(current, frozenset())


def check_move(current: str, target: str, what: str) -> None:
    if not can_move(current, target):
        raise Conflict(f"{what} is {current} and cannot become {target}.")


def ticket_status(task_statuses: Iterable[str], *, cancelled: bool = False, started: bool = True) -> str:
    """The ticket's status from its tasks' (see the module docstring for why it is derived).

    A person's action comes first (`needs_input`), then work we are doing (`in_progress`), then work a
    provider is doing (`waiting`); a ticket fails only when nothing is left to try.
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
