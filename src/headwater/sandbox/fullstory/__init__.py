"""A local emulator of FullStory's server APIs, faithful to the documented wire behaviour."""

from headwater.sandbox.fullstory.app import create_fullstory_app

__all__ = ["create_fullstory_app"]
