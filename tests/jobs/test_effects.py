from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from headwater.errors import BadRequest, ProviderUnavailable
from headwater.jobs import EffectUncertain, JobQueue, claims, effects
from headwater.jobs.effects import Fence
from headwater.jobs.models import EFFECT_DONE, EFFECT_FAILED, EFFECT_PENDING, EffectRow
from headwater.jobs.outcomes import LeaseLost


class Provider:
    """A stand-in for a provider's delete endpoint that counts what really reached it."""

    def __init__(self) -> None:
        self.calls = 0
        self.deleted = False

    def delete(self) -> dict[str, Any]:
        self.calls += 1
        self.deleted = True
        return {"deleted": "u1"}

    def verify(self) -> dict[str, Any] | None:
        return {"seen": "absent"} if self.deleted else None


def test_a_recorded_effect_is_never_repeated(queue: JobQueue) -> None:
    provider = Provider()
    first = effects.once(queue.db, "k1", provider.delete, intent={"path": "/v2/users/1"})
    second = effects.once(queue.db, "k1", provider.delete)
    assert (first.how, second.how, provider.calls) == ("called", "recorded", 1)
    row = effects.lookup(queue.db, "k1")
    assert row is not None and (row.status, row.calls, row.intent) == (
        EFFECT_DONE,
        1,
        {"path": "/v2/users/1"},
    )


def crash_after_the_call(queue: JobQueue, provider: Provider) -> None:
    """The call reached the provider, then the process died before recording it."""

    def call_then_die() -> dict[str, Any]:
        provider.delete()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        effects.once(queue.db, "k1", call_then_die)


def test_after_a_crash_the_provider_is_asked_instead_of_called(queue: JobQueue) -> None:
    provider = Provider()
    crash_after_the_call(queue, provider)
    row = effects.lookup(queue.db, "k1")
    assert row is not None and (row.status, row.calls) == (EFFECT_PENDING, 1)
    outcome = effects.once(queue.db, "k1", provider.delete, verify=provider.verify)
    assert (outcome.how, outcome.result, provider.calls) == ("verified", {"seen": "absent"}, 1)


def test_without_a_way_to_check_an_uncertain_effect_stops(queue: JobQueue) -> None:
    provider = Provider()
    crash_after_the_call(queue, provider)
    with pytest.raises(EffectUncertain, match="may have reached the provider"):
        effects.once(queue.db, "k1", provider.delete)
    assert provider.calls == 1


def test_a_call_that_did_not_land_is_made_again(queue: JobQueue) -> None:
    provider = Provider()

    def lost_before_sending() -> dict[str, Any]:
        raise ProviderUnavailable("connection refused")

    with pytest.raises(ProviderUnavailable):
        effects.once(queue.db, "k1", lost_before_sending)
    # pending: the provider says nothing happened, so calling is safe
    assert effects.once(queue.db, "k1", provider.delete, verify=provider.verify).how == "called"
    assert provider.calls == 1


def test_a_refused_call_is_known_not_to_have_happened(queue: JobQueue) -> None:
    def refused() -> dict[str, Any]:
        raise BadRequest("bad id")

    with pytest.raises(BadRequest):
        effects.once(queue.db, "k1", refused)
    row = effects.lookup(queue.db, "k1")
    assert row is not None and row.status == EFFECT_FAILED and "bad id" in (row.error or "")
    provider = Provider()
    assert effects.once(queue.db, "k1", provider.delete).how == "called"  # no verify needed


def test_a_worker_that_lost_its_lease_does_not_call(queue: JobQueue) -> None:
    job = queue.submit("demo.noop")
    claims.claim(queue.db, job.id, "w1", 30)
    provider = Provider()
    with pytest.raises(LeaseLost):
        effects.once(queue.db, "k1", provider.delete, fence=Fence(job.id, "someone-else"))
    assert provider.calls == 0
    effects.once(queue.db, "k1", provider.delete, fence=Fence(job.id, "w1"))
    assert [row.key for row in effects.for_job(queue.db, job.id)] == ["k1"]


def test_two_runs_racing_for_one_effect_call_once(queue: JobQueue) -> None:
    assert effects._first_call(queue.db, "k1", {}, None)  # run A commits its intent first ...
    assert not effects._first_call(queue.db, "k1", {}, None)  # ... so run B finds a record
    effects._start_call(queue.db, "k1", 1, None)  # two retries that both read calls == 1:
    with pytest.raises(LeaseLost):
        effects._start_call(queue.db, "k1", 1, None)  # only the first may call
    with queue.db.session() as session:
        session.execute(update(EffectRow).values(status=EFFECT_DONE, result={"ok": 1}))
    provider = Provider()
    assert effects.once(queue.db, "k1", provider.delete).how == "recorded" and provider.calls == 0
