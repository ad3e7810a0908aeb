"""Masking secrets inside values shown by the API and pages: passwords in URLs (a job payload may name a
database) and Slack webhook URLs (which are credentials) in text such as a workflow file.

A failed sync's error may quote what the destination's server answered (its version, its users, whether
a port is open), so only admins read it; everyone else sees that it failed and where to look."""

from __future__ import annotations

import re
from typing import Any

from headwater.accounts.roles import Role
from headwater.config import mask_url
from headwater.jobs.models import JobRow
from headwater.jobs.views import job_as_dict
from headwater.web.auth.principal import Principal

SYNC_JOB_KIND = "sync.run"

_URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*:[^/@\s]*@", re.IGNORECASE)
_SLACK_HOOK = re.compile(r"(https://hooks\.slack\.com/)[^\s\"'<>]+", re.IGNORECASE)


def scrub(value: Any) -> Any:
    """The same structure with every URL that carries a password masked."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str) and _URL_WITH_PASSWORD.match(value):
        return mask_url(value)
    return value


def scrub_text(text: str) -> str:
    """Free text with any Slack webhook URL cut down to its host."""
    return _SLACK_HOOK.sub(r"\1********", text)


def shown_job(row: JobRow, principal: Principal) -> dict[str, Any]:
    """A job as the job service shows it, with any password in its payload or result masked, and a
    sync's error for admins only."""
    data = job_as_dict(row)
    data["payload"] = scrub(data["payload"])
    data["result"] = scrub(data["result"]) if data["result"] is not None else None
    if data["kind"] == SYNC_JOB_KIND and data["last_error"] and not _reads_failures(principal):
        data["last_error"] = f"The sync failed; an admin can read why in job {data['id']}."
    return data


def shown_run(run: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """A sync run's loading report, its error for admins only."""
    if run.get("error") and not _reads_failures(principal):
        return {**run, "error": f"The sync failed; an admin can read why in sync run #{run['id']}."}
    return run


def _reads_failures(principal: Principal) -> bool:
    return principal.role.allows(Role.ADMIN)
