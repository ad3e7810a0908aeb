"""What one step run is given: its rendered inputs, the run's environment and the pending state.

Kept apart from the engine so the built-in steps can be written (and tested) without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from headwater.connectors.base import ConnectionInfo
from headwater.errors import BadInput

if TYPE_CHECKING:
    from headwater.connections import Connections
    from headwater.workflows.runlog import StepRecord

Output = dict[str, Any]
#: how a step's side effect may be repeated when a run is retried after a crash in the middle of it:
#: "none" (reads only), "repeatable" (a second Slack message is harmless), "once" (never guess)
SideEffect = str
Once = Callable[[str, Callable[[], Output], SideEffect], Output]


def call_directly(_key: str, call: Callable[[], Output], _side_effect: SideEffect) -> Output:
    """Outside a job there is no effect record to consult: just call."""
    return call()


@dataclass
class RunEnv:
    """Everything a run may use besides its definition; tests swap the transport and the sleep."""

    connections: Connections
    actor: str
    effect_prefix: str  # effect keys start with this: the run's key, e.g. "workflow-run:3f0c9a…"
    record: Callable[[StepRecord], None] = lambda _record: None
    once: Once = call_directly
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    check_stop: Callable[[], None] = lambda: None
    secrets: set[str] = field(default_factory=set)

    def connection(self, name: str | None, *, kind: str | None = None, step: str) -> ConnectionInfo:
        """The enabled connection `name`, of `kind` when given; its secrets join the run's scrub list."""
        if not name:
            raise BadInput(f"Step {step!r} needs a `connection:`.", hint="See `headwater connections list`.")
        info = self.connections.usable_info(name)
        if kind is not None and info.kind != kind:
            raise BadInput(
                f"Step {step!r} needs a {kind} connection; {name!r} is a {info.kind} connection.",
                hint=f"Create one with `headwater connect {kind} --name ...`.",
            )
        self.secrets.update(value.get_secret_value() for value in info.credentials.values())
        return info


@dataclass
class StepCall:
    step_id: str
    uses: str
    connection: str | None
    inputs: dict[str, Any]
    env: RunEnv
    state: dict[str, Any]  # the pending state: set-state changes it, the run commits it on success
    effect_key: str
