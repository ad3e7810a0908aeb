"""`headwater sandbox`: serve the FullStory and Amplitude emulators on loopback until interrupted."""

from __future__ import annotations

import errno
import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from headwater.cli.failures import exits_cleanly
from headwater.cli.output import console, print_json
from headwater.errors import BadInput
from headwater.sandbox import SandboxClock, SandboxOptions, World
from headwater.sandbox.common.state import FULLSTORY_PLANS
from headwater.sandbox.server import PortUnavailable, SandboxServer

SERVICE_NAMES = {
    "fullstory": "FullStory emulator",
    "amplitude": "Amplitude emulator",
    "slack": "Slack webhook receiver",
}


@exits_cleanly
def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on (keep it on loopback).")] = "127.0.0.1",
    fullstory_port: Annotated[int, typer.Option(help="FullStory emulator port; 0 picks a free one.")] = 8801,
    amplitude_port: Annotated[int, typer.Option(help="Amplitude emulator port; 0 picks a free one.")] = 8802,
    slack_port: Annotated[int, typer.Option(help="Slack webhook receiver port; 0 picks a free one.")] = 8803,
    seed: Annotated[int, typer.Option(help="Seed of the generated people and activity.")] = 1,
    users: Annotated[int, typer.Option(min=0, help="How many people the world holds.")] = 50,
    events_per_user: Annotated[int, typer.Option(min=0, help="Events generated per person.")] = 200,
    fault_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of requests answered with an injected failure.")
    ] = 0.0,
    latency_ms: Annotated[int, typer.Option(min=0, help="Delay added to every request.")] = 0,
    no_rate_limits: Annotated[
        bool, typer.Option("--no-rate-limits", help="Turn the rate limits off.")
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON line with URLs and keys.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Behave as the real services document: late exports, slow deletions, no hints."
        ),
    ] = False,
    fullstory_plan: Annotated[
        str | None,
        typer.Option(
            help="business: no Data Export add-on (the default with --strict); enterprise: with it."
        ),
    ] = None,
) -> None:
    """Run local FullStory and Amplitude API emulators with demo data; Ctrl-C stops them."""
    if fullstory_plan is not None and fullstory_plan not in FULLSTORY_PLANS:
        raise BadInput(f"--fullstory-plan must be one of {', '.join(FULLSTORY_PLANS)}.")
    options = SandboxOptions(
        rate_limits=not no_rate_limits,
        fault_rate=fault_rate,
        latency_ms=latency_ms,
        seed=seed,
        strict=strict,
        fullstory_plan=fullstory_plan,
    )
    world = World(seed=seed, users=users, events_per_user=events_per_user)
    server = SandboxServer(
        world=world,
        clock=SandboxClock(),
        host=host,
        fullstory_port=fullstory_port,
        amplitude_port=amplitude_port,
        options=options,
        slack_port=slack_port,
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server.start()
        except PortUnavailable as error:
            if error.errno not in (errno.EADDRINUSE, errno.EACCES):  # the address, not the port
                raise BadInput(
                    f"Cannot listen on {host}: {error.strerror or error}.", hint="Check --host."
                ) from None
            flag = f"--{error.service}-port"
            raise BadInput(
                f"Cannot listen on {_address(host, error.port)} for the {SERVICE_NAMES[error.service]} "
                f"({flag}): {error.strerror or error}.",
                hint=f"Choose another port with {flag}, or {flag} 0 to pick a free one.",
            ) from None
        try:
            _announce(server, json_output)
            while not stop.wait(0.5):
                pass
        finally:
            server.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not json_output:
        console.print("Sandbox stopped.")


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _announce(server: SandboxServer, json_output: bool) -> None:
    keys = server.credentials
    credentials = {
        "fullstory_admin_key": keys.fullstory_admin_key,
        "fullstory_standard_key": keys.fullstory_standard_key,
        "amplitude_api_key": keys.amplitude_api_key,
        "amplitude_secret_key": keys.amplitude_secret_key,
    }
    if json_output:
        print_json(
            {
                "fullstory_url": server.fullstory_url,
                "amplitude_url": server.amplitude_url,
                "slack_webhook_url": server.slack_webhook_url,
                "credentials": credentials,
                "strict": server.options.strict,
                "fullstory_plan": server.options.plan,
            }
        )
        return
    console.print(f"FullStory API emulator: [bold]{server.fullstory_url}[/]", soft_wrap=True)
    console.print(f"Amplitude API emulator: [bold]{server.amplitude_url}[/]", soft_wrap=True)
    console.print(f"Slack incoming webhook: [bold]{server.slack_webhook_url}[/]", soft_wrap=True)
    mode = "strict" if server.options.strict else "lenient"
    console.print(f"Mode: {mode}; FullStory plan: {server.options.plan}")
    console.print("Demo credentials (sandbox only):")
    for name, value in credentials.items():
        console.print(f"  {name}: {value}", markup=False)
    console.print(f"Headwater connects to it once allowed: export HEADWATER_OUTBOUND_ALLOW={server.host}")
    console.print("Press Ctrl-C to stop.")
