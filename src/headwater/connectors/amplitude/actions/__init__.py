"""Every Amplitude action, in catalogue order."""

from __future__ import annotations

from headwater.actions.model import Action
from headwater.connectors.amplitude.actions import data, privacy, users


def all_actions() -> list[Action]:
    return [*users.ACTIONS, *privacy.ACTIONS, *data.ACTIONS]
