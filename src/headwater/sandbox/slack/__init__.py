"""A local receiver for Slack incoming webhooks, so workflows can post with no workspace and no network."""

from headwater.sandbox.slack.app import create_slack_app
from headwater.sandbox.slack.state import DEFAULT_CHANNEL, DEFAULT_HOOK

__all__ = ["DEFAULT_CHANNEL", "DEFAULT_HOOK", "create_slack_app"]
