"""FullStory: a typed client for its server APIs, its actions, and its privacy connector."""

from headwater.connectors.fullstory.client import FullStoryClient
from headwater.connectors.fullstory.connector import FullStoryConnector
from headwater.connectors.fullstory.settings import FullStorySettings
from headwater.connectors.fullstory.spec import FullStorySpec, spec

__all__ = ["FullStoryClient", "FullStoryConnector", "FullStorySettings", "FullStorySpec", "spec"]
