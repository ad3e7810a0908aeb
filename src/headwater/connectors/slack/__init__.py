"""Slack incoming webhooks, as a connection kind that workflows post messages with."""

from headwater.connectors.slack.spec import SlackConnector, SlackSpec, spec
from headwater.connectors.slack.webhook import SlackWebhook, check_webhook_url, slack_error

__all__ = ["SlackConnector", "SlackSpec", "SlackWebhook", "check_webhook_url", "slack_error", "spec"]
