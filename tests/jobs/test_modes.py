"""The same jobs, run by real worker processes, in each of the four modes CI covers."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner, Result

from headwater.cli.main import app
from headwater.errors import NotFound
from headwater.jobs import DEAD, SUCCEEDED
from tests.jobs.harness import JobsEnv, delete_calls, fullstory_sandbox


def headwater(*args: str) -> Result:
    """The CLI in this process (its settings point at the same store and broker as the workers)."""
    return CliRunner().invoke(app, list(args))


@pytest.mark.slow
def test_deletes_retries_and_dead_jobs_in_every_mode(jobs_env: JobsEnv) -> None:
    with fullstory_sandbox(users=30) as sandbox:
        users = [sandbox.world.person(index).fs_user_id for index in range(20)]
        submit = jobs_env.queue.submit
        deletes = [
            submit("demo.sandbox_delete", {"base_url": sandbox.fullstory_url, "user_id": str(user)}).id
            for user in users
        ]
        noops = [submit("demo.noop", {"n": n}).id for n in range(10)]
        flaky = submit("demo.flaky", {"failures": 2}).id
        broken = submit("demo.fail", {"message": "refused by the provider"}).id
        jobs_env.start_workers()
        done = jobs_env.wait_done([*deletes, *noops, flaky, broken])
        assert Counter(path.rsplit("/", 1)[1] for path in delete_calls(sandbox)) == {str(u): 1 for u in users}

    assert all(done[job_id].status == SUCCEEDED for job_id in [*deletes, *noops, flaky])
    assert done[flaky].attempts == 3
    assert (done[broken].status, done[broken].last_error) == (DEAD, "BadRequest: refused by the provider")
    assert done[deletes[0]].result == {"deleted": str(users[0]), "how": "called"}

    listed = headwater("jobs", "list", "--status", "dead", "--json")
    assert listed.exit_code == 0, listed.output
    assert [job["id"] for job in json.loads(listed.output)] == [broken]
    shown = json.loads(headwater("jobs", "show", str(deletes[0]), "--json").output)
    assert [(e["status"], e["calls"]) for e in shown["effects"]] == [("done", 1)]
    retried = headwater("jobs", "retry", str(broken), "--json")
    assert retried.exit_code == 0, retried.output
    assert json.loads(retried.output)["id"] == broken  # queued again (a worker may already have it)
    jobs_env.wait_until(
        lambda: jobs_env.queue.get(broken).status == DEAD and jobs_env.queue.get(broken).attempts == 1,
        30,
        "the retried job to run (and fail) again",
    )
    missing = headwater("jobs", "show", "424242")
    assert isinstance(missing.exception, NotFound)
