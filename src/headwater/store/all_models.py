"""Imports every module that defines tables, so `Base.metadata` is complete for Alembic and tests."""

from __future__ import annotations

from sqlalchemy import MetaData

from headwater.jobs import models as _jobs_models  # noqa: F401
from headwater.store import models


def metadata() -> MetaData:
    return models.Base.metadata
