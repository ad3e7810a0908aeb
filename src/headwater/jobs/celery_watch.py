"""A consumer step that notices when the Redis broker went away or restarted, and reconnects.

Celery's Redis consumer can miss a broker restart: it keeps running, still "connected", and never
receives another message. Every few seconds this step asks the broker for its `run_id`, on a connection
of its own (the consumer's is busy in a blocking pop). A failure, or a different `run_id` (a restarted
server), is raised as a connection error inside the consumer's event loop, which is Celery's normal signal
to reconnect and re-register the consumer. RabbitMQ connections have heartbeats and need none of this.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, bootsteps

log = logging.getLogger(__name__)


def install_broker_watch(app: Celery, interval: float) -> None:
    """Add the watch to every consumer of `app` (it is a no-op on non-Redis brokers)."""

    class BrokerWatch(bootsteps.StartStopStep):
        requires = {"celery.worker.consumer.tasks:Tasks"}

        def __init__(self, parent: Any, **kwargs: Any) -> None:
            super().__init__(parent, **kwargs)
            self.timer_entry: Any = None
            self.client: Any = None
            self.run_id: str | None = None

        def start(self, parent: Any) -> None:
            if parent.connection is None or parent.connection.transport.driver_type != "redis":
                return
            from redis import Redis

            timeout = max(1.0, interval)
            url = parent.app.conf.broker_url
            self.client = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
            try:
                self.run_id = self.server_run_id()
            except Exception:
                self.run_id = None  # checked again on the next tick
            self.timer_entry = parent.timer.call_repeatedly(interval, self.check, (), priority=10)

        def stop(self, parent: Any) -> None:
            if self.timer_entry is not None:
                self.timer_entry.cancel()
                self.timer_entry = None
            if self.client is not None:
                self.client.close()
                self.client = None

        def check(self) -> None:
            from redis.exceptions import ConnectionError as RedisConnectionError

            run_id = self.server_run_id()  # raises redis's ConnectionError while the broker is down
            if self.run_id is None:
                self.run_id = run_id
            elif run_id != self.run_id:
                log.warning("the Redis broker restarted; reconnecting the consumer")
                raise RedisConnectionError("the Redis broker restarted")

        def server_run_id(self) -> str | None:
            run_id = self.client.info("server").get("run_id")
            return str(run_id) if run_id is not None else None

    app.steps["consumer"].add(BrokerWatch)
