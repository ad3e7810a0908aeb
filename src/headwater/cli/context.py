"""What a command needs to reach the services: settings and the store, opened once per invocation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from headwater.config import Settings, load_settings
from headwater.store import Database
from headwater.vault import Vault, load_keyring


@dataclass
class Context:
    settings: Settings

    @classmethod
    def load(cls) -> Context:
        return cls(load_settings())

    @cached_property
    def db(self) -> Database:
        return Database.open(self.settings)

    @cached_property
    def vault(self) -> Vault:
        return Vault(load_keyring(self.settings))
