"""`headwater worker` and `headwater jobs` as a user runs them: exit codes, messages, signals."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from headwater.cli.main import run
from headwater.connections import os_user
from headwater.jobs import DEAD, SUCCEEDED
from headwater.store import audit
from tests.jobs.harness import MODES, JobsEnv, free_port, mode_param, open_env


def run_here(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """The console entry point (`run()` maps errors to exit codes), in this process to save a start-up."""
    monkeypatch.setattr(sys, "argv", ["headwater", *args])
    with pytest.raises(SystemExit) as exited:
        run()
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


def test_an_unsupported_broker_scheme_is_refused_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEADWATER_BROKER_URL", "kafka://user:hunter2@kafka.internal:9092")
    code, output = run_here(["worker"], monkeypatch, capsys)
    assert code == 2
    assert "uses kafka://, which Headwater does not support" in " ".join(output.split())
    assert "redis://" in output and "Traceback" not in output and "hunter2" not in output


def test_an_unreachable_amqp_broker_is_refused_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEADWATER_BROKER_URL", f"amqp://guest:s3cret-pass@127.0.0.1:{free_port()}//")
    code, output = run_here(["worker"], monkeypatch, capsys)
    assert code == 2 and "Cannot reach the RabbitMQ broker at amqp://guest:***@127.0.0.1" in output
    assert "s3cret-pass" not in output


def test_malformed_job_settings_are_refused_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEADWATER_JOBS_LEASE_SECONDS", "-1")
    code, output = run_here(["jobs", "list"], monkeypatch, capsys)
    assert code == 2 and "HEADWATER_JOBS_LEASE_SECONDS" in output


@pytest.mark.timeout(60)  # a worker that waited for the broker instead of refusing would hang here
def test_an_unreachable_redis_broker_is_refused_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEADWATER_BROKER_URL", f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0")
    code, output = run_here(["worker"], monkeypatch, capsys)
    assert code == 2
    assert "Cannot reach the Redis broker at redis://:***@127.0.0.1" in output
    assert "Traceback" not in output and "s3cret-pass" not in output


def test_once_runs_what_is_due_then_exits_and_unknown_jobs_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = open_env(MODES["embedded-sqlite"], tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}")
    ids = [env.queue.submit("demo.noop", {"n": n}).id for n in range(3)]
    code, output = run_here(["worker", "--once", "--concurrency", "2"], monkeypatch, capsys)
    assert code == 0 and "Ran the due jobs:" in output
    assert {job.status for job in env.jobs(ids).values()} == {SUCCEEDED}
    code, output = run_here(["jobs", "show", "999999"], monkeypatch, capsys)
    assert code == 3 and "There is no job 999999" in output
    env.close()


def test_a_retry_from_the_command_line_is_audited_as_the_os_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = open_env(MODES["embedded-sqlite"], tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'store.db'}")
    job = env.queue.submit("demo.fail", {"message": "that id is malformed"})
    assert run_here(["worker", "--once"], monkeypatch, capsys)[0] == 0
    assert env.queue.get(job.id).status == DEAD
    code, output = run_here(["jobs", "retry", str(job.id)], monkeypatch, capsys)
    assert code == 0 and f"Job {job.id} (demo.fail) is queued to run again." in output
    with env.db.session() as session:
        entries = [(entry.actor, entry.action) for entry in audit.trail(session, "job", job.id)]
    assert entries == [(os_user(), "job.retried")]
    env.close()


@pytest.mark.slow
@pytest.mark.parametrize("jobs_mode", [mode_param("embedded-sqlite")], indirect=True)
def test_sigterm_lets_the_running_job_finish(jobs_env: JobsEnv) -> None:
    job = jobs_env.queue.submit("demo.sleep", {"seconds": 1.0, "cooperative": False})
    worker = jobs_env.start_worker()
    jobs_env.wait_until(lambda: jobs_env.queue.get(job.id).status == "running", 30, "the job to start")
    worker.signal(signal.SIGTERM)
    assert worker.wait(20) == 0
    assert jobs_env.queue.get(job.id).status == SUCCEEDED


@pytest.mark.slow
@pytest.mark.parametrize("jobs_mode", [mode_param("celery-redis")], indirect=True)
def test_the_plain_celery_command_runs_jobs_too(jobs_env: JobsEnv) -> None:
    log = (jobs_env.folder / "celery.log").open("wb")
    command = [sys.executable, "-m", "celery", "-A", "headwater.jobs.celery_app", "worker"]
    command += ["--concurrency", "1", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"]
    process = subprocess.Popen(command, env=jobs_env.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        ids = [jobs_env.queue.submit("demo.noop", {"n": n}).id for n in range(3)]
        done = jobs_env.wait_done(ids)
        assert {job_id: (job.status, job.result) for job_id, job in done.items()} == {
            job_id: (SUCCEEDED, {"ok": True, "n": n}) for n, job_id in enumerate(ids)
        }
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        log.close()


@pytest.mark.slow
@pytest.mark.parametrize("jobs_mode", [mode_param("embedded-sqlite")], indirect=True)
def test_a_ticker_only_process_fires_periodic_work_and_runs_none(jobs_env: JobsEnv) -> None:
    ticker = jobs_env.start_worker("--ticker-only")
    jobs_env.wait_until(
        lambda: bool(jobs_env.queue.list_jobs(kind="jobs.purge")), 30, "the purge to be fired"
    )
    assert [job.status for job in jobs_env.queue.list_jobs(kind="jobs.purge")] == ["queued"]
    ticker.signal(signal.SIGTERM)
    assert ticker.wait(20) == 0
