"""The dashboard shows the health of queued work that `headwater status` prints: on the overview always,
and above the tickets when due work waits with no worker to run it."""

from __future__ import annotations

import html
import re

import pytest

from headwater.jobs import EmbeddedWorker
from headwater.jobs.maintenance import PURGE_KIND
from tests.waiting import wait_until
from tests.web.conftest import Web


@pytest.fixture
def stalls_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Due work counts as stalled as soon as no worker runs (the default waits five minutes)."""
    monkeypatch.setenv("HEADWATER_JOBS_STALL_SECONDS", "0")


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_overview_and_tickets_warn_of_work_no_worker_runs_until_one_does(
    stalls_at_once: None, web: Web
) -> None:
    viewer = web.browser("viewer")
    calm = text_of(viewer.get("/").text)
    assert "Background work Workers none running" in calm and "Jobs due 0" in calm
    assert "no worker is running" not in calm

    job = web.services.queue.submit(PURGE_KIND, {})
    overview, tickets = text_of(viewer.get("/").text), text_of(viewer.get("/tickets").text)
    for page in (overview, tickets):
        assert "1 job(s) due" in page and "no worker is running: start `headwater worker`" in page
    assert "Jobs due 1 (the oldest waiting" in overview

    worker = EmbeddedWorker(web.services.queue, ticker=False).start()
    try:
        wait_until(lambda: web.services.queue.get(job.id).status == "succeeded", timeout=30, what="the job")
        overview, tickets = text_of(viewer.get("/").text), text_of(viewer.get("/tickets").text)
    finally:
        worker.shutdown()
    assert "no worker is running" not in overview + tickets
    assert "Workers worker on " in overview and "Jobs due 0" in overview
