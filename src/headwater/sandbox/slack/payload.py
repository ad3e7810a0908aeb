"""Checking a webhook payload the way Slack does, answering with Slack's own error codes.

Slack reads a JSON body (or a form field `payload` holding JSON), needs `text` or `blocks`, and refuses
malformed Block Kit. Only the common block types are checked in depth; the limits are Slack's documented
ones.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

MAX_TEXT = 40_000
MAX_BLOCKS = 50
BLOCK_TYPES = frozenset(
    {"section", "header", "divider", "context", "actions", "image", "rich_text", "input", "file", "video"}
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})


class PayloadError(Exception):
    """A refusal: `code` is the plain-text body Slack answers with."""

    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The message object, from JSON or from a form-encoded `payload` field."""
    text = body.decode("utf-8", errors="replace")
    if content_type.startswith("application/x-www-form-urlencoded"):
        text = (parse_qs(text).get("payload") or [""])[0]
    try:
        message = json.loads(text)
    except ValueError:
        raise PayloadError("invalid_payload") from None
    if not isinstance(message, dict):
        raise PayloadError("invalid_payload")
    return message


def check_message(message: dict[str, Any]) -> None:
    text = message.get("text")
    blocks = message.get("blocks")
    if text is not None and not isinstance(text, str):
        raise PayloadError("invalid_payload")
    if blocks is not None and not isinstance(blocks, list):
        raise PayloadError("invalid_blocks_format")
    if not (text and text.strip()) and not blocks:
        raise PayloadError("no_text")
    if text and len(text) > MAX_TEXT:
        raise PayloadError("msg_too_long")
    if blocks:
        if len(blocks) > MAX_BLOCKS:
            raise PayloadError("invalid_blocks")
        for block in blocks:
            check_block(block)


def check_block(block: Any) -> None:
    if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
        raise PayloadError("invalid_blocks")
    kind = block["type"]
    if kind == "header":
        _text_object(block.get("text"), limit=150, plain_only=True)
    elif kind == "section":
        fields = block.get("fields")
        if "text" not in block and not fields:
            raise PayloadError("invalid_blocks")
        if "text" in block:
            _text_object(block["text"], limit=3000)
        if fields is not None:
            if not isinstance(fields, list) or not 0 < len(fields) <= 10:
                raise PayloadError("invalid_blocks")
            for field in fields:
                _text_object(field, limit=2000)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= 10:
            raise PayloadError("invalid_blocks")
    elif kind == "image" and not (block.get("image_url") or block.get("slack_file")):
        raise PayloadError("invalid_blocks")


def _text_object(value: Any, *, limit: int, plain_only: bool = False) -> None:
    if not isinstance(value, dict) or value.get("type") not in TEXT_TYPES:
        raise PayloadError("invalid_blocks")
    if plain_only and value["type"] != "plain_text":
        raise PayloadError("invalid_blocks")
    text = value.get("text")
    if not isinstance(text, str) or not text or len(text) > limit:
        raise PayloadError("invalid_blocks")
