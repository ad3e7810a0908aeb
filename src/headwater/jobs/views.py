"""Jobs and effect records as plain dicts, the shape `--json` and the REST API share."""

from __future__ import annotations

from typing import Any

from headwater.jobs.models import EffectRow, JobRow


def job_as_dict(job: JobRow) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "run_at": job.run_at,
        "dedupe_key": job.dedupe_key,
        "lease_owner": job.lease_owner,
        "lease_expires_at": job.lease_expires_at,
        "dispatched_at": job.dispatched_at,
        "last_error": job.last_error,
        "payload": job.payload,
        "result": job.result,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def effect_as_dict(effect: EffectRow) -> dict[str, Any]:
    return {
        "key": effect.key,
        "status": effect.status,
        "calls": effect.calls,
        "intent": effect.intent,
        "result": effect.result,
        "error": effect.error,
        "created_at": effect.created_at,
        "done_at": effect.done_at,
    }
