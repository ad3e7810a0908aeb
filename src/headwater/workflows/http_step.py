"""The `http/request` step: a full URL (no stored key), or a path on a connection with its key added.

Both go through `headwater.http`, so retries, `Retry-After`, timeouts and redaction apply; the connection
form reuses the request proxy, which only accepts a path, so a stored key never travels to another host.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
from pydantic import Field, model_validator

from headwater.connectors.transport import borrowed
from headwater.errors import BadInput, ProviderError
from headwater.http import REDACTED, SECRET_HEADERS, HttpClient
from headwater.proxy import ProxyRequest, request_on_connection
from headwater.workflows.model import Strict
from headwater.workflows.steps import Output, StepCall

READS = ("GET", "HEAD")
REDIRECTS = range(300, 400)


class HttpRequestInput(Strict):
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: str | None = Field(default=None, description="A full URL, for calls that need no stored key.")
    path: str | None = Field(
        default=None, description="A path on the step's connection, sent with its base URL and key."
    )
    query: dict[str, str | int | float | bool] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json", description="A JSON body.")
    body: str | None = Field(default=None, description="A text body (instead of json).")
    timeout: float = Field(default=30.0, gt=0, le=300, description="Seconds to wait for an answer.")

    @model_validator(mode="after")
    def _one_target(self) -> HttpRequestInput:
        if (self.url is None) == (self.path is None):
            raise ValueError("give exactly one of url or path (a path needs a connection)")
        if self.json_body is not None and self.body is not None:
            raise ValueError("give json or body, not both")
        return self


def http_request(call: StepCall) -> Output:
    data = HttpRequestInput.model_validate(call.inputs)
    query = [(key, _text(value)) for key, value in data.query.items()]
    if data.path is not None:
        info = call.env.connection(call.connection, step=call.step_id)
        if info.kind == "slack":
            raise BadInput(f"Step {call.step_id!r}: post to Slack with slack/post, not http/request.")
        body: dict[str, Any] = {"json_body": data.json_body} if data.json_body is not None else {}
        request = ProxyRequest(
            data.path, data.method, headers=data.headers, query=query, data=data.body, **body
        )

        def via_connection() -> Output:
            answer = request_on_connection(
                call.env.connections, info.name, request, actor=call.env.actor, transport=call.env.transport
            )
            if answer.status >= 400:
                raise ProviderError(
                    f"{info.kind} answered HTTP {answer.status} to {data.method} {data.path}: "
                    f"{_short(answer.body)}",
                    http_status=answer.status,
                )
            return answer.as_dict()

        return call.env.once(call.effect_key, via_connection, _effect(data.method))
    if call.connection:
        raise BadInput(f"Step {call.step_id!r}: with a connection, give a path rather than a full url.")
    return call.env.once(call.effect_key, lambda: _plain(call, data, query), _effect(data.method))


def _plain(call: StepCall, data: HttpRequestInput, query: list[tuple[str, str]]) -> Output:
    kwargs: dict[str, Any] = {"headers": data.headers, "params": query, "timeout": data.timeout}
    if data.json_body is not None:
        kwargs["json"] = data.json_body
    elif data.body is not None:
        kwargs["content"] = data.body.encode()
    secrets = [value for key, value in data.headers.items() if key.lower() in SECRET_HEADERS]
    host = httpx.URL(str(data.url)).host or "The server"
    with HttpClient(
        base_url="", provider=host, transport=borrowed(call.env.transport), sleep=call.env.sleep
    ) as http:
        call.env.secrets.update(secrets)
        # a redirect to another host is shown to the workflow, not followed with its body and headers
        response = http.request(data.method, str(data.url), ok_statuses=REDIRECTS, **kwargs)
        headers = {k: REDACTED if k.lower() in SECRET_HEADERS else v for k, v in response.headers.items()}
        return {"status": response.status_code, "headers": headers, "body": _body(response.text)}


def _effect(method: str) -> str:
    return "none" if method in READS else "once"


def _text(value: str | int | float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _body(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _short(body: Any) -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    return text[:300]
