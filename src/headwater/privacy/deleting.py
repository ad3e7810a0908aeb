"""Running a connection's delete lane: resolve its fresh tasks, claim a batch when the provider would
take the call, make that call at most once, and file the answer under each task (`settling`).

The call goes through the job system's effect records, one per request the provider takes as a whole
(`Connector.delete_parts`: Amplitude takes 100 ids a request): the batch (and its tasks) is committed
before the call, each part's intent before its request, its answer right after. A run that finds a batch
of its own still `calling` resumes it: recorded answers are reused, and an unknown outcome is checked
with the connector's `find_deletions`, so a delete is sent again only when it never landed. A person the
provider turns out not to hold goes back to `ready`, into the next batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any

from headwater.connectors.base import Connector, Identity, ProviderJob
from headwater.errors import TRANSIENT_ERRORS, HeadwaterError
from headwater.jobs.context import TaskContext
from headwater.jobs.effects import EffectUncertain
from headwater.jobs.outcomes import Defer
from headwater.privacy import batching, capabilities, fresh, lanes, settling
from headwater.privacy.models import BatchRow
from headwater.privacy.pool import Connectors
from headwater.store.models import utcnow

LANE_BUSY_RETRY = 1.0
MIN_WAIT = 0.02
#: waits up to this long happen in the job's thread (precise, no round trip through the queue);
#: longer ones defer the job
LONGEST_SLEEP = 5.0
#: how long before the lane's next call its batch is claimed (the call itself still waits its turn)
CLAIM_AHEAD = 0.15
#: a single-item lane still resolves this many fresh tasks at a time
MIN_CHUNK = 10
Finder = Callable[[Sequence[Identity]], list[ProviderJob]]


def run_lane(ctx: TaskContext, connection: str, connectors: Connectors) -> dict[str, Any]:
    """The `privacy.delete_batch` job: resolve the lane's fresh tasks and delete its ready ones, one
    batch per call, until nothing is left.

    The connector comes from the process's pool, so its client-side rate limiter has seen the previous
    calls of this lane, whichever job made them.
    """
    owner = f"job:{ctx.job_id}"
    if not batching.acquire(ctx.db, connection, owner):
        raise Defer(LANE_BUSY_RETRY, f"another batcher is deleting in {connection}")
    batches = 0
    with ExitStack() as stack:
        try:
            connector = stack.enter_context(connectors.using(connection))
        except HeadwaterError as exc:
            batching.release(ctx.db, connection, owner)
            return {"connection": connection, "failed": lanes.stop(ctx, connection, exc)}
        size = capabilities.batch_size(connector)
        interval = capabilities.call_interval(connector)
        try:
            while True:
                batch = batching.resumable(ctx.db, connection, ctx.job_id)
                if batch is None:
                    ctx.check_stop()
                    _prepare(ctx, connector, connection, size, interval)
                    if not batching.has_ready(ctx.db, connection):
                        batching.release(ctx.db, connection, owner)
                        # look again after releasing: whatever came meanwhile has a batcher of its own
                        # unless this one takes it now
                        if lanes.has_work(ctx.db, connection) and batching.acquire(ctx.db, connection, owner):
                            continue
                        break
                    # claim just before the lane's next call, so the batch holds everything readied
                    # meanwhile and the claim itself is not on the one-call-a-second path
                    _pause(ctx, batching.wait_before_claim(ctx.db, connection, interval) - CLAIM_AHEAD)
                    batching.acquire(ctx.db, connection, owner, renew=True)
                    batch = batching.claim(ctx.db, connection, size, ctx.job_id)
                    if batch is None:
                        continue
                _pause(ctx, batching.wait_before_claim(ctx.db, connection, interval))
                batching.called(ctx.db, connection, utcnow(), interval)
                execute(ctx, connector, batch)
                batches += 1
        except Defer:
            raise
        except BaseException:
            batching.release(ctx.db, connection, owner)
            raise
    finisher = f"job {ctx.job_id}, which emptied the lane after it"
    retired = lanes.retire_dead_batchers(ctx.db, connection, finisher)
    return {"connection": connection, "batches": batches, "superseded": retired}


def _prepare(ctx: TaskContext, connector: Connector, connection: str, size: int, interval: float) -> None:
    """Resolve fresh tasks until the next batch is full, or none is left and the lane may call."""
    while True:
        room = max(size, MIN_CHUNK) - batching.ready(ctx.db, connection)
        if room <= 0 or fresh.resolve(ctx, connector, connection, room) == 0:
            return
        if batching.wait_before_claim(ctx.db, connection, interval) <= MIN_WAIT and size > 1:
            return  # the provider takes a call now: send what is ready rather than wait to fill it


def _pause(ctx: TaskContext, seconds: float) -> None:
    """Wait for the lane's next call; a stopping worker is not held up by it."""
    if seconds <= MIN_WAIT:
        return
    if seconds > LONGEST_SLEEP:
        raise Defer(seconds, "waiting for the provider's rate limit")
    ctx.stopping.wait(seconds)
    ctx.check_stop()


def execute(ctx: TaskContext, connector: Connector, batch: BatchRow) -> None:
    """Make the batch's calls, one effect per part (`settling.part_key`), and file what they came to.

    A part whose answer a restart hid is checked with the provider; a refused part fails its tasks and
    the others go on. A temporary failure retries the job, whose next run reuses the parts recorded;
    on its last attempt the provider is asked what landed, and only what did not fails.
    """
    identities = settling.batch_identities(ctx.db, batch)
    finder = capabilities.deletion_finder(connector)
    settlement = settling.Settlement()
    stop: str | None = None
    for number, part in enumerate(capabilities.delete_parts(connector, identities)):
        if stop is not None:
            settlement.failed(part, stop)
            continue
        try:
            outcome = ctx.once(
                settling.part_key(batch, number),
                _call(connector, part),
                verify=_verify(finder, part),
                intent={"batch": batch.id, "part": number + 1, "identities": [i.id for i in part]},
            )
        except EffectUncertain as exc:
            settlement.failed(part, _uncertain(batch.connection, str(exc)))
            continue
        except TRANSIENT_ERRORS as exc:
            if ctx.attempt < ctx.max_attempts:
                raise
            stop = f"{batch.connection} kept failing: {exc}. Retry the ticket later."
            _last_look(finder, part, settlement, stop)
            continue
        except HeadwaterError as exc:
            settlement.failed(part, f"{batch.connection} refused the deletion: {exc}")
            continue
        jobs = [capabilities.job_from_json(j) for j in outcome.result.get("jobs", [])]
        settlement.landed(part, jobs, outcome.how)
    settling.finish(ctx.db, ctx.queue, batch, settlement)


def _call(connector: Connector, part: list[Identity]) -> Callable[[], dict[str, Any]]:
    def call() -> dict[str, Any]:
        return {"jobs": [capabilities.job_to_json(j) for j in connector.delete(part)]}

    return call


def _verify(finder: Finder, part: list[Identity]) -> Callable[[], dict[str, Any] | None]:
    def verify() -> dict[str, Any] | None:
        try:
            found = finder(part)
        except TRANSIENT_ERRORS:
            raise
        except (capabilities.CannotTell, HeadwaterError) as exc:
            raise EffectUncertain(f"cannot check the provider: {exc}") from None
        return {"jobs": [capabilities.job_to_json(j) for j in found], "verified": True} if found else None

    return verify


def _last_look(finder: Finder, part: list[Identity], settlement: settling.Settlement, message: str) -> None:
    """The job gives up on a part that kept failing: what the provider holds is followed all the same;
    the rest fails with `message` (a retry asks the provider again before it sends anything)."""
    try:
        found = finder(part)
    except (capabilities.CannotTell, HeadwaterError):
        found = []
    if found:
        settlement.landed(part, found, "verified")
        settlement.failed([i for i in part if i.id in settlement.missing], message)
    else:
        settlement.failed(part, message)


def _uncertain(connection: str, why: str) -> str:
    return (
        f"A deletion request to {connection} was interrupted and Headwater cannot tell whether it reached "
        f"the provider ({why}). Check the person in the provider; `headwater dsr retry` asks the provider "
        "again before it sends anything."
    )
