"""Processes and servers the job tests start: `headwater worker`, a private Redis, the sandbox."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from headwater.sandbox import SandboxOptions, SandboxServer, World
from tests.waiting import wait_until


class WorkerProcess:
    """One `headwater worker` process, in its own session so that signals reach only it."""

    def __init__(self, env: dict[str, str], log: Path, args: Sequence[str]) -> None:
        self.env, self.log, self.args = env, log, list(args)
        self._out = log.open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "headwater", "worker", *self.args],
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group, as if the machine lost power."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(10)

    def signal(self, signum: int) -> None:
        self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout)

    def restart(self) -> WorkerProcess:
        return WorkerProcess(self.env, self.log, self.args)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, then SIGKILL whatever is left of the process group after `timeout`."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
        self.reap(timeout)

    def reap(self, timeout: float) -> None:
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout)
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)  # leftover pool processes
        self.popen.wait(10)
        self._out.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fullstory_sandbox(users: int = 100, *, latency_ms: int = 0) -> Iterator[SandboxServer]:
    """The sandbox on loopback ports with its rate limits off (see `delete_calls` for its call log)."""
    options = SandboxOptions(rate_limits=False, latency_ms=latency_ms)
    with SandboxServer(world=World(users=users), options=options) as server:
        yield server


def delete_calls(server: SandboxServer) -> list[str]:
    """Paths of the DELETE /v2/users/{id} calls the FullStory sandbox answered."""
    calls = server.fullstory_app.state.sandbox.calls.calls("/v2/users/")
    return [call["path"] for call in calls if call["method"] == "DELETE"]


def delete_broker_queue(url: str | None, name: str) -> None:
    """Leave nothing behind on the shared Redis or RabbitMQ server."""
    if not url:
        return
    try:
        if url.startswith("redis"):
            from redis import Redis

            client = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            for key in client.scan_iter(match=f"*{name}*"):  # the queue, its bindings, priority lists
                client.delete(key)
            client.close()
            return
        from kombu import Connection, Exchange, Queue

        with Connection(url, connect_timeout=2) as connection:
            channel = connection.default_channel
            Queue(name, Exchange(name), routing_key=name)(channel).delete()
            Exchange(name)(channel).delete()
    except Exception:
        pass  # best effort: a leftover test queue is harmless


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test can stop and start again."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder = free_port(), folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._listening, timeout=10, what=f"the private redis-server to listen on {self.port}")

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
