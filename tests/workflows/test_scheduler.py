"""The scheduler, driven by an explicit `now`: local times across daylight-saving changes, one catch-up run
after downtime, and one run per tick however many schedulers race for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from headwater.config import load_settings
from headwater.jobs import JobQueue, JobRow, load_job_settings, open_queue
from headwater.store import Database
from headwater.workflows.schedules import fire_due
from headwater.workflows.tables import RunRow, ScheduleRow

from .support import Lab, steps_yaml

PARIS = ZoneInfo("Europe/Paris")
REMEMBER = "  - id: remember\n    uses: set-state\n    with:\n      last: '{{ run.scheduled_for }}'\n"


def scheduled(name: str, cron: str, timezone: str = "Europe/Paris") -> str:
    schedule = f"  schedule:\n    cron: '{cron}'\n    timezone: {timezone}\n"
    return steps_yaml(REMEMBER, name=name).replace(
        "on:\n  manual: true\n", f"on:\n{schedule}  manual: true\n"
    )


def drive(lab: Lab, start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """Call the scheduler at every `step` from `start` to `end`; the times the runs were made for."""
    fired: list[int] = []
    moment = start
    while moment <= end:
        fired += fire_due(lab.db, lab.queue, moment)
        moment += step
    with lab.db.session() as session:
        runs = session.scalars(select(RunRow).where(RunRow.id.in_(fired)).order_by(RunRow.scheduled_for))
        return [run.scheduled_for for run in runs]


def test_runs_fire_at_local_times_across_both_daylight_saving_changes(store_lab: Lab) -> None:
    lab = store_lab
    spring = datetime(2026, 3, 27, 12, tzinfo=UTC)
    lab.workflows.clock = lambda: spring
    lab.add(scheduled("morning", "0 9 * * *"), "morning.yaml")
    lab.add(scheduled("night", "30 2 * * *"), "night.yaml")
    times = drive(lab, spring, spring + timedelta(days=3, hours=1), timedelta(hours=1))
    local = [(t.astimezone(PARIS).strftime("%m-%d %H:%M %Z")) for t in times]
    assert local == [
        "03-28 02:30 CET",
        "03-28 09:00 CET",
        "03-29 03:30 CEST",  # 02:30 does not exist that night: it runs once, shifted by the gap
        "03-29 09:00 CEST",  # 07:00 UTC, not 08:00: the local time holds
        "03-30 02:30 CEST",
        "03-30 09:00 CEST",
    ]
    autumn = datetime(2026, 10, 24, 12, tzinfo=UTC)
    lab.workflows.clock = lambda: autumn
    lab.workflows.disable("morning", actor="t")
    lab.workflows.disable("night", actor="t")
    lab.workflows.enable("morning", actor="t")  # enabling starts the schedule from the clock's now
    lab.workflows.enable("night", actor="t")
    times = drive(lab, autumn, autumn + timedelta(days=2, hours=1), timedelta(hours=1))
    local = [(t.astimezone(PARIS).strftime("%m-%d %H:%M %Z")) for t in times]
    assert local == [
        "10-25 02:30 CEST",  # 02:30 happens twice that night: it runs once, the first time
        "10-25 09:00 CET",
        "10-26 02:30 CET",
        "10-26 09:00 CET",
    ]


def test_a_schedule_missed_during_downtime_runs_once_on_start(store_lab: Lab) -> None:
    lab = store_lab
    start = datetime(2026, 5, 4, 10, tzinfo=UTC)
    lab.workflows.clock = lambda: start
    lab.add(scheduled("daily", "0 6 * * *", "UTC"))
    back = start + timedelta(days=5, hours=2)  # five 06:00 runs were missed while nothing ran
    fired = fire_due(lab.db, lab.queue, back)
    assert len(fired) == 1
    assert fire_due(lab.db, lab.queue, back + timedelta(seconds=30)) == []
    run = lab.workflows.run(fired[0])
    assert run["scheduled_for"] == datetime(2026, 5, 9, 6, tzinfo=UTC) and run["missed"] == 4
    assert lab.workflows.show("daily")["schedule"]["next_run_at"] == datetime(2026, 5, 10, 6, tzinfo=UTC)
    lab.work()
    assert lab.workflows.run(fired[0])["status"] == "succeeded"
    assert lab.state("daily") == {"last": "2026-05-09T06:00:00+00:00"}


def test_two_schedulers_racing_for_the_same_tick_start_it_once(store_lab: Lab) -> None:
    lab = store_lab
    start = datetime(2026, 5, 4, 10, 0, 30, tzinfo=UTC)
    lab.workflows.clock = lambda: start
    lab.add(scheduled("racy", "* * * * *", "UTC"))
    settings = load_settings()
    racers = [Database(lab.db.url) for _ in range(2)]
    queues = [open_queue(db, settings, load_job_settings()) for db in racers]
    fired: list[int] = []
    errors: list[BaseException] = []
    try:
        for minute in range(1, 6):
            moment = start + timedelta(minutes=minute)
            barrier = threading.Barrier(2)

            def race(queue: JobQueue, at: datetime = moment, gate: threading.Barrier = barrier) -> None:
                try:
                    gate.wait(10)
                    fired.extend(fire_due(queue.db, queue, at))
                except BaseException as exc:  # surfaced below
                    errors.append(exc)

            threads = [threading.Thread(target=race, args=(queue,)) for queue in queues]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
    finally:
        for db in racers:
            db.dispose()
    assert errors == []
    assert len(fired) == len(set(fired)) == 5
    with lab.db.session() as session:
        assert session.scalar(select(func.count()).select_from(RunRow)) == 5
        kinds = session.scalars(select(JobRow.kind).where(JobRow.kind == "workflows.run")).all()
        assert len(kinds) == 5


def test_a_disabled_workflow_is_not_fired_and_resumes_from_now(store_lab: Lab) -> None:
    lab = store_lab
    start = datetime(2026, 5, 4, 10, tzinfo=UTC)
    lab.workflows.clock = lambda: start
    lab.add(scheduled("paused", "0 * * * *", "UTC"))
    lab.workflows.disable("paused", actor="t")
    assert fire_due(lab.db, lab.queue, start + timedelta(days=1)) == []
    lab.workflows.clock = lambda: start + timedelta(days=1, minutes=5)
    lab.workflows.enable("paused", actor="t")
    with lab.db.session() as session:
        session.execute(update(ScheduleRow).values(updated_at=start))
    assert fire_due(lab.db, lab.queue, start + timedelta(days=1, minutes=30)) == []
    assert len(fire_due(lab.db, lab.queue, start + timedelta(days=1, hours=1))) == 1
