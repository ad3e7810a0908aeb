"""Task functions by kind: the one table both engines look a job's code up in.

How a feature defines its job kinds (one convention for all of them):
- a kind is one `*_KIND` module constant, "<feature>.<what>", and the string is spelled nowhere else:
  whoever submits the kind imports the constant;
- the constant stands beside the `@task` or `@periodic` function that runs the kind, e.g.
  `sync.job.SYNC_KIND`, `workflows.schedules.SCAN_KIND`; when lower modules of the feature submit it too,
  it stands in the lowest of them, because a module may not import its importer (privacy's
  `resolving.TASK_KIND` and `batching.LANE_KIND`, run by `privacy.orchestration`);
- every module holding `@task`/`@periodic` functions is listed in `BUILTIN_MODULES` below (plug-ins and
  tests name theirs in `HEADWATER_JOBS_MODULES`); `load()` imports them all so that a worker knows every
  kind before it claims anything;
- a kind says which role may start it, and so retry it from the web (`role_to_start`): an operator may
  start privacy work and syncs, so the default is operator; a kind only an admin may start (a workflow
  run) says `role=Role.ADMIN` beside its `@task`, and the web's retry routes consult it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from headwater.accounts.roles import Role
from headwater.errors import BadInput, ConfigError

if TYPE_CHECKING:
    from headwater.jobs.context import TaskContext

TaskFunction = Callable[["TaskContext", dict[str, Any]], "dict[str, Any] | None"]

#: modules whose import registers Headwater's own task kinds
BUILTIN_MODULES: tuple[str, ...] = (
    "headwater.jobs.maintenance",
    "headwater.privacy.orchestration",
    "headwater.privacy.erasure",
    "headwater.privacy.retention",
    "headwater.sync.job",
    "headwater.discovery.tasks",
    "headwater.workflows.runs",
    "headwater.workflows.schedules",
)

_TASKS: dict[str, TaskSpec] = {}


class UnknownKind(BadInput):
    code = "unknown_job_kind"


@dataclass(frozen=True)
class TaskSpec:
    kind: str
    fn: TaskFunction
    max_attempts: int | None = None  # None: the HEADWATER_JOBS_MAX_ATTEMPTS setting
    role: Role = Role.OPERATOR  # who may start (and so retry) a job of this kind


def task(
    kind: str, *, max_attempts: int | None = None, role: Role = Role.OPERATOR
) -> Callable[[TaskFunction], TaskFunction]:
    """Register `fn(ctx, payload) -> dict | None` as the code of jobs of this kind, started by `role`."""

    def register(fn: TaskFunction) -> TaskFunction:
        known = _TASKS.get(kind)
        same = known is not None and f"{known.fn.__module__}.{known.fn.__qualname__}" == (
            f"{fn.__module__}.{fn.__qualname__}"
        )
        if known is not None and not same:
            raise ValueError(f"job kind {kind!r} is already registered by {known.fn.__module__}")
        _TASKS[kind] = TaskSpec(kind, fn, max_attempts, role)
        return fn

    return register


def get(kind: str) -> TaskSpec:
    try:
        return _TASKS[kind]
    except KeyError:
        raise UnknownKind(
            f"No task is registered for job kind {kind!r}.",
            hint="List the module that defines it in HEADWATER_JOBS_MODULES (or BUILTIN_MODULES).",
        ) from None


def role_to_start(kind: str) -> Role:
    """The role that may start a job of `kind`, and so run it again; admin for a kind not registered."""
    spec = _TASKS.get(kind)
    return spec.role if spec is not None else Role.ADMIN


def kinds() -> list[str]:
    return sorted(_TASKS)


def load(extra: Iterable[str] = ()) -> list[str]:
    """Import the built-in task modules and `extra` ones; returns the kinds now known."""
    for name in (*BUILTIN_MODULES, *extra):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(
                f"Cannot import the task module {name!r}: {exc}",
                hint="Check HEADWATER_JOBS_MODULES: a comma-separated list of importable module names.",
            ) from None
    return kinds()
