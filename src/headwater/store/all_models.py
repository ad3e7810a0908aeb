"""Imports every module that defines tables, so `Base.metadata` is complete for Alembic and tests."""

from __future__ import annotations

from sqlalchemy import MetaData

from headwater.accounts import models as _accounts_models  # noqa: F401
from headwater.discovery import models as _discovery_models  # noqa: F401
from headwater.jobs import models as _jobs_models  # noqa: F401
from headwater.privacy import models as _privacy_models  # noqa: F401
from headwater.privacy import replica_models as _replica_task_models  # noqa: F401
from headwater.store import idempotency as _idempotency  # noqa: F401
from headwater.store import models
from headwater.sync import models as _sync_models  # noqa: F401
from headwater.sync import replica_models as _replica_models  # noqa: F401
from headwater.workflows import tables as _workflow_tables  # noqa: F401


def metadata() -> MetaData:
    return models.Base.metadata
