"""Whether queued work is moving, on the dashboard: the answer `headwater status` gives (`jobs.health`),
as a panel on the overview and, when work is stalled, a warning above the tickets."""

from __future__ import annotations

from typing import Any

from headwater.jobs import health
from headwater.web.services import Services


def work_health(services: Services) -> dict[str, Any]:
    """What the `health_panel.html` and `stalled_banner.html` partials show."""
    report = health.of_queue(services.queue)
    return {
        "mode": report.mode,
        "workers": [f"{p.role} on {p.host} (pid {p.pid})" for p in report.workers],
        "scheduler": report.scheduler is not None,
        "due": report.due,
        "waited": health.duration(report.waited_seconds) if report.due else None,
        "running": report.running,
        "dead": report.dead,
        "stalled": report.stalled,
        "warning": report.warning,
    }
