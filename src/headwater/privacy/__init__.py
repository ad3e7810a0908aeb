"""Privacy requests (GDPR/CCPA): durable delete and copy tickets across every enabled connection.

`Privacy` (in `service`) is the whole face the CLI and web use; importing this package is cheap, as the
service is loaded on first use. A request travels this path (the statuses it passes are in `states`)::

    intake -> orchestration -> resolving -> batching -> deleting -> settling -> following -> tracking

- `intake` checks what a person typed, then commits the ticket, one `pending` task per connection and
  the jobs that will work on them, in one transaction: a bad request is refused, never half-created.
- `orchestration` registers the job kinds with the job system (one task's steps, a connection's delete
  lane, polling, the sweeper); the same functions run embedded or on Celery.
- `resolving` is a task's own job: find the person in the connection (`findings` files the answer),
  then collect a copy (`exports`). A connection's fresh delete tasks are looked up in bulk (`fresh`).
- `batching` keeps one delete batcher per connection, and claims ready tasks into a batch committed
  before any call is made.
- `deleting` runs the lane: each request of a batch's deletion is made at most once (an interrupted one
  is resumed or checked with the provider).
- `settling` files what the requests came to under each task; the sweeper settles a batch whose job
  died the same way, asking the provider what landed, so a landed deletion is never failed or resent.
- `following` stores the provider jobs a call started and polls them until the provider says they are
  done; the task then completes (a copy goes back to be collected). A job no poll can reach any more
  (key refused, connection removed or disabled) fails its waiting tasks instead; `dependents` names the
  open tickets that need a connection before anyone removes or disables it.
- `erasure` is the delete ticket's work on Headwater's own replicas (one replica task per place a sync
  loaded the connection's events into): the person is suppressed for every later sync and erased as
  soon as they are known, through the sync layer's seam (`sync.replicas`, `sync.erasing`).
- `tracking` is where every step lands: each task move, checked against `states`; the ticket status,
  derived from its tasks; and the audit trail, all in the caller's transaction.

`listing` reads tickets for both faces; a ticket whose task failed or needs input **needs attention**
(`states.needs_attention`, `models.needs_attention` in SQL), whatever its status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.privacy.service import Privacy

__all__ = ["Privacy"]


def __getattr__(name: str) -> Any:
    if name == "Privacy":
        from headwater.privacy.service import Privacy

        return Privacy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
