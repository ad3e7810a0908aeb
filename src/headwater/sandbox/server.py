"""Serve both emulators on loopback ports from background threads, for tests, demos and the CLI."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from headwater.sandbox.clock import SandboxClock
from headwater.sandbox.common.state import SandboxOptions
from headwater.sandbox.credentials import SandboxCredentials
from headwater.sandbox.stats import share_stats
from headwater.sandbox.world import World

STARTUP_TIMEOUT_SECONDS = 15.0
#: what each server is, in start order; `--<name>-port` is its flag on `headwater sandbox`
SERVICES = ("fullstory", "amplitude", "slack")


class PortUnavailable(OSError):
    """One emulator could not listen: which one and where, so the message can name its port flag."""

    def __init__(self, service: str, host: str, port: int, error: OSError) -> None:
        super().__init__(error.errno, error.strerror or str(error))
        self.service = service
        self.host = host
        self.port = port


class _ThreadedServer:
    """One uvicorn server on a pre-bound socket, so port 0 can pick a free port before startup."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP, not 0: asyncio turns Nagle off only on sockets that say they are TCP, and with
        # it on, every reply on a kept-alive connection waits ~40 ms for the client's delayed ACK
        self.socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=2
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start; is the port already in use?")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


class SandboxServer:
    """Both emulators on ``host``; port 0 picks a free port. Use as a context manager.

    Both apps share one World and one clock, so the same people exist in FullStory and Amplitude and
    advancing time reveals new data in both. A Slack webhook receiver runs beside them, on the same clock.
    """

    def __init__(
        self,
        *,
        world: World | None = None,
        clock: SandboxClock | None = None,
        host: str = "127.0.0.1",
        fullstory_port: int = 0,
        amplitude_port: int = 0,
        options: SandboxOptions | None = None,
        credentials: SandboxCredentials | None = None,
        slack_port: int = 0,
    ) -> None:
        from headwater.sandbox.amplitude import create_amplitude_app
        from headwater.sandbox.fullstory import create_fullstory_app
        from headwater.sandbox.slack import create_slack_app

        self.world = world if world is not None else World()
        self.clock = clock if clock is not None else SandboxClock()
        self.options = options if options is not None else SandboxOptions()
        self.credentials = credentials if credentials is not None else SandboxCredentials()
        self.host = host
        self.fullstory_app = create_fullstory_app(
            self.world, clock=self.clock, credentials=self.credentials, options=self.options
        )
        self.amplitude_app = create_amplitude_app(
            self.world, clock=self.clock, credentials=self.credentials, options=self.options
        )
        self.slack_app = create_slack_app(clock=self.clock, options=self.options)
        share_stats(self.fullstory_app, self.amplitude_app)
        self._ports = (fullstory_port, amplitude_port, slack_port)
        self._servers: list[_ThreadedServer] = []

    @property
    def fullstory_url(self) -> str:
        return self._url(0)

    @property
    def amplitude_url(self) -> str:
        return self._url(1)

    @property
    def slack_url(self) -> str:
        return self._url(2)

    @property
    def slack_webhook_url(self) -> str:
        """The receiver's ready-made incoming webhook (a secret in real life; a fixed demo one here)."""
        from headwater.sandbox.slack import DEFAULT_HOOK

        return f"{self.slack_url}{DEFAULT_HOOK}"

    def start(self) -> SandboxServer:
        try:
            apps = (self.fullstory_app, self.amplitude_app, self.slack_app)
            for service, app, port in zip(SERVICES, apps, self._ports, strict=True):
                try:
                    server = _ThreadedServer(app, self.host, port)
                except OSError as error:
                    raise PortUnavailable(service, self.host, port, error) from error
                self._servers.append(server)
                server.start()
            if self.options.strict:
                # DSAR downloads redirect to storage on another origin: the Amplitude app on a second port
                storage = _ThreadedServer(self.amplitude_app, self.host, 0)
                self._servers.append(storage)
                storage.start()
                self.amplitude_app.state.sandbox.settings.dsar_storage_url = self._url(3)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers.clear()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _url(self, position: int) -> str:
        if len(self._servers) <= position:
            raise RuntimeError("the sandbox server is not running; use it as a context manager")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._servers[position].port}"
