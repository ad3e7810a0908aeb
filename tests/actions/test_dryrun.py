"""What a dry run prints: the request as it would leave, with every secret masked."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from headwater.actions.dryrun import DryRunRequest, DryRunTransport, describe_request

KEY = SecretStr("k3y-value-that-must-not-show")


def stopped(**kwargs: object) -> httpx.Request:
    client = httpx.Client(transport=DryRunTransport(), base_url="https://api.example")
    with client, pytest.raises(DryRunRequest) as caught:
        client.request(**kwargs)  # type: ignore[arg-type]
    assert KEY.get_secret_value() not in str(caught.value)
    return caught.value.request


def test_headers_query_and_json_fields_are_masked() -> None:
    request = stopped(
        method="POST",
        url="/2/httpapi",
        params={"api_key": KEY.get_secret_value(), "page": "2"},
        headers={"Authorization": f"Basic {KEY.get_secret_value()}", "X-Trace": "t1"},
        json={"api_key": KEY.get_secret_value(), "events": [{"note": f"key {KEY.get_secret_value()}"}]},
    )
    shown = describe_request(request, [KEY])
    assert shown["headers"]["authorization"] == "[redacted]" and shown["headers"]["x-trace"] == "t1"
    assert "page=2" in shown["url"] and "api_key=[redacted]" in shown["url"]
    assert shown["body"] == {"api_key": "[redacted]", "events": [{"note": "key [redacted]"}]}
    assert KEY.get_secret_value() not in str(shown)


def test_form_text_and_binary_bodies() -> None:
    form = stopped(method="POST", url="/x", data={"secret": "s", "name": "n"})
    assert describe_request(form)["body"] == "secret=%5Bredacted%5D&name=n"
    text = stopped(method="POST", url="/x", content=f"raw {KEY.get_secret_value()}".encode())
    assert describe_request(text, [KEY])["body"] == "raw [redacted]"
    binary = stopped(method="POST", url="/x", content=b"\x1f\x8b\x08\x00\xff")
    assert describe_request(binary)["body"] == "<5 bytes of binary data>"
    assert describe_request(stopped(method="GET", url="/x"))["body"] is None
