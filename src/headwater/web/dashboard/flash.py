"""One-time messages carried across a redirect ("Opened DSR-7K3QX2") in a short-lived signed cookie."""

from __future__ import annotations

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from headwater.web.services import Services

COOKIE = "headwater_flash"
MAX_AGE = 120


def _serializer(services: Services) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(services.signing_key.get_secret_value(), salt="headwater.flash")


def set_flash(response: Response, services: Services, text: str, *, kind: str = "ok") -> None:
    value = _serializer(services).dumps([kind, text[:500]])
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax", path="/")


def read_flash(request: Request, services: Services) -> tuple[str, str] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        kind, text = _serializer(services).loads(raw, max_age=MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    return str(kind), str(text)
