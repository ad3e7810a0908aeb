"""How workflows, runs and run logs look on a terminal (`--json` prints the service's dicts as they are)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.markup import escape

from headwater.cli.output import console, key_values, table


def when(value: Any, zone: str | None = None) -> str:
    """A stored (UTC) time, shown in `zone` when given: a schedule's times read best in its own zone."""
    if not isinstance(value, datetime):
        return ""
    if zone:
        value = value.astimezone(ZoneInfo(zone))
    return value.strftime("%Y-%m-%d %H:%M %Z").strip()


def next_run(schedule: dict[str, Any] | None) -> str:
    return when(schedule["next_run_at"], schedule["timezone"]) if schedule else ""


def schedule_text(schedule: dict[str, Any] | None) -> str:
    if not schedule:
        return ""
    text = f"{schedule['cron']} ({schedule['timezone']})"
    return text if schedule["enabled"] else f"{text}, paused"


def workflows_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("No workflows yet. Start from a recipe: `headwater workflows init session-digest ...`.")
        return
    console.print(
        table(
            None,
            ("name", "enabled", "schedule", "next run", "last run"),
            [
                (
                    row["name"],
                    "yes" if row["enabled"] else "no",
                    schedule_text(row["schedule"]) or ("manual" if row["manual"] else ""),
                    next_run(row["schedule"]),
                    _last(row["last_run"]),
                )
                for row in rows
            ],
        )
    )


def workflow_details(data: dict[str, Any]) -> None:
    schedule = data["schedule"] or {}
    console.print(
        key_values(
            {
                "name": data["name"],
                "description": data["description"],
                "enabled": "yes" if data["enabled"] else "no",
                "version": data["version"],
                "schedule": schedule_text(data["schedule"]) or "none",
                "next run": next_run(data["schedule"]),
                "last scheduled": when(schedule.get("last_scheduled_for"), schedule.get("timezone")),
                "manual runs": "yes" if data["manual"] else "no",
                "state": json.dumps(data["state"]),
                "last run": _last(data["last_run"]),
            }
        )
    )


def runs_table(rows: list[dict[str, Any]]) -> None:
    console.print(
        table(
            None,
            ("run", "trigger", "for", "status", "attempt", "job", "error"),
            [
                (
                    row["id"],
                    row["trigger"] + (f" (+{row['missed']} missed)" if row["missed"] else ""),
                    when(row["scheduled_for"]),
                    row["status"],
                    row["attempt"],
                    f"{row['job_id']} {row['job_status'] or ''}".strip(),
                    escape((row["error"] or "")[:80]),
                )
                for row in rows
            ],
        )
    )


def run_summary(run: dict[str, Any], *, pointer: bool = True) -> None:
    line = f"Run {run['id']} of {run['workflow']}: [bold]{run['status']}[/]"
    if run["attempt"] > 1:
        line += f" (attempt {run['attempt']})"
    console.print(line + ".")
    if run["error"]:
        console.print(run["error"], markup=False, soft_wrap=True)
    if run["status"] == "retrying":
        console.print(
            f"Its job ({run['job_id']}) runs it again after a pause; a worker must be running "
            "(`headwater worker`).",
            markup=False,
        )
    if pointer:
        console.print(f"Step log: `headwater workflows run-log {run['id']}`.", markup=False)


def run_log(data: dict[str, Any]) -> None:
    """One block per step (and per for-each item): readable at any terminal width."""
    run_summary(data, pointer=False)
    for step in data["steps"]:
        item = "" if step["iteration"] is None else f", item {step['iteration']}"
        size = "" if step["output_size"] is None else f", output {step['output_size']} B"
        head = (
            f"[try {step['attempt']}] {step['step']} ({step['uses']}{item}): {step['status']} "
            f"in {step['duration_ms']:.0f} ms{size}"
        )
        console.print(head, markup=False, soft_wrap=True)
        if step["inputs"] is not None:
            inputs = json.dumps(step["inputs"], ensure_ascii=False)
            console.print(f"    inputs: {inputs}", markup=False, soft_wrap=True)
        if step["error"]:
            console.print(f"    error: {step['error']}", markup=False, soft_wrap=True)


def _last(run: dict[str, Any] | None) -> str:
    return f"{run['status']} ({when(run['scheduled_for'])})" if run else ""
