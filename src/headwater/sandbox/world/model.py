"""Provider-neutral records of the sandbox's people and what they did; each emulator maps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Person:
    """One customer of the imaginary company, known to both providers."""

    index: int
    uid: str
    email: str
    display_name: str
    phone: str
    street_address: str
    fs_user_id: int
    amplitude_id: int
    amplitude_user_id: str
    device_id: str
    created: datetime
    properties: dict[str, Any]
    ip: str = ""
    lat_long: str = ""
    user_agent: str = ""
    browser: str = ""
    device: str = ""
    os: str = ""


@dataclass(frozen=True, slots=True)
class Session:
    """One visit; ``event_count`` lets the events be regenerated without storing them."""

    person_index: int
    session_id: int
    start: datetime
    end: datetime
    event_count: int = 0


@dataclass(frozen=True, slots=True)
class Event:
    """One interaction; ``kind`` is navigate, load, click, change or custom."""

    person_index: int
    session_id: int
    page_id: int
    time: datetime
    kind: str
    page_url: str
    referrer: str
    page_name: str
    target_text: str
    target_selector: str
    custom_name: str
    properties: dict[str, Any]
    ip: str
    user_agent: str
    browser: str
    device: str
    os: str
    lat_long: str
    page_start: datetime
    page_duration_ms: int
