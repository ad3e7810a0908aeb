"""Running steps: if/for-each, templates and state; retries that post once; secrets kept out of the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from headwater.errors import BadInput, NotFound
from headwater.jobs import JobRow
from headwater.sandbox.slack import DEFAULT_HOOK
from headwater.workflows.tables import WorkflowRow

from .support import Lab, steps_yaml

COUNTING = """\
  - id: doubled
    uses: set-state
    for-each: "{{ inputs.numbers }}"
    if: item > 1
    with:
      last_doubled: "{{ item * 2 }}"
  - id: total
    uses: set-state
    with:
      total: "{{ steps.doubled.output | jmespath('[].state.last_doubled') | sum }}"
      seen: "{{ steps.doubled.items | length }}"
      note: "{{ inputs.label }} {{ run.trigger }}"
"""
INPUTS = """\
inputs:
  numbers: {type: list, default: [1, 2, 3]}
  label: {type: string, default: counted}
"""


def test_if_for_each_templates_and_state(store_lab: Lab) -> None:
    store_lab.add(steps_yaml(COUNTING, extra=INPUTS))
    run = store_lab.workflows.run_now("wf", {})
    assert run["status"] == "succeeded", run["error"]
    assert store_lab.state("wf") == {"last_doubled": 6, "total": 10, "seen": 3, "note": "counted manual"}
    steps = store_lab.workflows.run_log(run["id"])["steps"]
    assert [(s["step"], s["iteration"], s["status"]) for s in steps] == [
        ("doubled", 0, "skipped"),
        ("doubled", 1, "succeeded"),
        ("doubled", 2, "succeeded"),
        ("total", None, "succeeded"),
    ]
    assert steps[1]["inputs"] == {"last_doubled": 4} and steps[1]["output_size"] > 0
    again = store_lab.workflows.run_now("wf", {"numbers": "[5]", "label": "given"})
    assert again["inputs"] == {"numbers": [5], "label": "given"}
    assert store_lab.state("wf")["total"] == 10 and store_lab.state("wf")["note"] == "given manual"


def test_a_failing_step_keeps_the_earlier_state(store_lab: Lab) -> None:
    steps = """\
  - id: remember
    uses: set-state
    with: {last_run: "{{ run.scheduled_for }}"}
  - id: stop
    uses: fail
    with: {message: "nothing to report"}
"""
    store_lab.add(steps_yaml(steps))
    run = store_lab.workflows.run_now("wf", {})
    assert (run["status"], run["job_status"]) == ("failed", "dead")
    assert run["error"] == "Step 'stop' (fail): nothing to report"
    assert store_lab.state("wf") == {}
    logged = store_lab.workflows.run_log(run["id"])["steps"]
    assert [(s["step"], s["status"]) for s in logged] == [("remember", "succeeded"), ("stop", "failed")]


def test_a_transient_failure_is_retried_without_posting_twice(sqlite_lab: Lab) -> None:
    flaky = sqlite_lab.new_hook("#flaky")
    steps = f"""\
  - id: notify
    uses: slack/post
    connection: team
    with: {{text: "run {{{{ run.id }}}}"}}
  - id: ping
    uses: http/request
    with:
      method: POST
      url: {flaky}
      json: {{text: "attempt {{{{ run.attempt }}}}"}}
"""
    sqlite_lab.add(steps_yaml(steps))
    # rate limited for longer than a request may wait: the job is retried after Retry-After instead
    sqlite_lab.force_slack("rate_limited", channel="#flaky", retry_after=400)
    run = sqlite_lab.workflows.run_now("wf", {})
    assert (run["status"], run["job_status"]) == ("retrying", "queued")
    assert "Step 'ping' (http/request): 127.0.0.1 answered HTTP 429" in run["error"]
    job = sqlite_lab.queue.get(run["job_id"])
    assert 390 < (job.run_at - job.updated_at).total_seconds() <= 400
    sqlite_lab.queue.retry(
        job.id, actor="operator"
    )  # an operator's `headwater jobs retry`, rather than waiting
    sqlite_lab.work()
    run = sqlite_lab.workflows.run(run["id"])
    assert (run["status"], run["attempt"], run["job_status"]) == ("succeeded", 2, "succeeded")
    messages = sqlite_lab.slack_messages()
    assert [m["text"] for m in messages if m["channel"] == "#headwater-demo"] == [f"run {run['id']}"]
    assert [m["text"] for m in messages if m["channel"] == "#flaky"] == ["attempt 2"]
    logged = sqlite_lab.workflows.run_log(run["id"])["steps"]
    assert [(s["attempt"], s["step"], s["status"]) for s in logged] == [
        (1, "notify", "succeeded"),
        (1, "ping", "failed"),
        (2, "notify", "succeeded"),
        (2, "ping", "succeeded"),
    ]


def test_secrets_stay_out_of_the_run_log_the_store_and_the_logs(
    sqlite_lab: Lab, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    steps = """\
  - id: users
    uses: http/request
    connection: fs
    with:
      path: /v2/users
      query: {uid: usr-000001}
      headers: {Authorization: "Bearer a-token-typed-in-a-file", X-Trace: visible}
  - id: notify
    uses: slack/post
    connection: team
    with: {text: "{{ steps.users.output.status }}"}
"""
    sqlite_lab.add(steps_yaml(steps))
    sqlite_lab.force_slack("no_service")
    run = sqlite_lab.workflows.run_now("wf", {})
    assert run["status"] == "failed" and "(no_service)" in run["error"]
    logged = sqlite_lab.workflows.run_log(run["id"])["steps"]
    assert logged[0]["inputs"]["headers"] == {"Authorization": "[redacted]", "X-Trace": "visible"}
    secrets = [
        DEFAULT_HOOK.rsplit("/", 1)[1],
        sqlite_lab.sandbox.credentials.fullstory_admin_key,
        "a-token-typed-in-a-file",
    ]
    stored = _store_text(sqlite_lab, skip={"secrets", "workflows"})
    for secret in secrets:
        assert secret not in stored
        assert secret not in caplog.text
        assert secret not in str(sqlite_lab.workflows.run_log(run["id"]))
    assert secrets[0] not in str(sqlite_lab.connections.show("team"))


def _store_text(lab: Lab, *, skip: set[str]) -> str:
    metadata = MetaData()
    metadata.reflect(lab.db.engine)
    parts: list[Any] = []
    with lab.db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name not in skip:
                parts += [tuple(row) for row in conn.execute(select(table))]
    return repr(parts)


def test_run_time_problems_name_the_step_and_say_what_to_do(sqlite_lab: Lab) -> None:
    sqlite_lab.add(
        steps_yaml("  - id: who\n    uses: fullstory/list-users\n    connection: fs\n    with: {uid: x}\n")
    )
    sqlite_lab.connections.remove("fs", actor="t")
    run = sqlite_lab.workflows.run_now("wf", {})
    assert run["status"] == "failed"
    assert run["error"].startswith("Step 'who' (fullstory/list-users): No connection named 'fs'.")
    with sqlite_lab.db.session() as session:
        job = session.get(JobRow, run["job_id"])
        assert job is not None and job.status == "dead"
    with pytest.raises(BadInput, match="has no input 'nope'"):
        sqlite_lab.workflows.run_now("wf", {"nope": "1"})
    sqlite_lab.workflows.disable("wf", actor="t")
    with pytest.raises(BadInput, match="wf is disabled"):
        sqlite_lab.workflows.run_now("wf", {})
    with pytest.raises(NotFound):
        sqlite_lab.workflows.run_now("missing", {})


NIGHTLY = """\
name: nightly
on:
  schedule: {cron: "0 1 * * *"}
inputs:
  who: {type: string, required: true}
steps:
  - {id: stop, uses: fail, with: {message: "{{ inputs.who }}"}}
"""


def test_schedule_only_workflows_refuse_manual_runs_and_need_input_defaults(store_lab: Lab) -> None:
    with pytest.raises(BadInput, match="inputs need a default"):
        store_lab.add(NIGHTLY)
    store_lab.add(NIGHTLY.replace("required: true", "default: ops"))
    with pytest.raises(BadInput, match="no manual trigger"):
        store_lab.workflows.run_now("nightly", {})
    with store_lab.db.session() as session:
        assert session.scalars(select(WorkflowRow.version)).one() == 1
