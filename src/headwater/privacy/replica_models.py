"""Which replica a replica task erases the person from (see `erasure`): a task's `connection` names the
connection whose events the replica holds, and this row the replica itself, so a retried task goes
back to the same place."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from headwater.store.models import Base

#: `TaskRow.provider` of a replica task: its work is Headwater's own copy, not a provider's
REPLICA = "replica"


class ReplicaTaskRow(Base):
    __tablename__ = "dsr_replica_tasks"

    task_id: Mapped[int] = mapped_column(ForeignKey("dsr_tasks.id"), primary_key=True)
    replica_id: Mapped[int] = mapped_column(ForeignKey("sync_replicas.id"), index=True)
