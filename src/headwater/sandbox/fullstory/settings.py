"""Recording settings (the audit-trail endpoints): current objects and their version history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request

from headwater.sandbox.fullstory import errors, wire
from headwater.sandbox.fullstory.auth import admin_key, any_key
from headwater.sandbox.fullstory.state import FullStoryState, get_state

ADMIN_ONLY = frozenset({"privacy"})
EDITOR = "admin@shop.example.com"

router = APIRouter(prefix="/settings/recording/v1")


def _bodies(platform: str) -> dict[str, dict[str, Any]]:
    return {
        "blocking": {"blockedIps": ["10.0.0.0/8"], "blockedUas": ["HeadlessChrome"], "blockedAppIds": []},
        "domain": {
            "onlyRecordKnownDomains": True,
            "domains": [{"domain": "shop.example.com", "disabled": False}],
        },
        "geo": {"recordGeoMode": "RECORD_ALL", "recordGeoZones": []},
        "privacy": {
            "elementBlocks": [{"selector": "input[type=password]", "mode": "EXCLUDE"}],
            "ajaxWatches": [
                {
                    "urlRegex": "/api/.*",
                    "recordReq": False,
                    "recordRsp": False,
                    "whitelistReq": [],
                    "whitelistRsp": [],
                }
            ],
            "discardIpAddresses": False,
            "defaultPrivacyMode": "PRIVATE_BY_DEFAULT" if platform == "mobile" else "STANDARD",
            "elementRuleGroups": [],
        },
        "features": {
            "enabled": True,
            "consoleWatcher": True,
            "ajaxWatcher": True,
            "resourceUploading": True,
            "recordingShutoff": False,
            "clientSideRageClick": True,
        },
        "targeting": {"sessionTargetingRules": []},
    }


def _versions(state: FullStoryState, name: str, platform: str) -> list[dict[str, Any]]:
    """Newest first: the current object and two older edits."""
    body = _bodies(platform).get(name)
    if body is None:
        raise errors.not_found()
    created = state.world.start - timedelta(days=365)
    versions = []
    for age in (1, 30, 200):
        metadata = {
            "lastUpdated": wire.rfc3339(state.world.start - timedelta(days=age)),
            "lastUpdatedBy": EDITOR,
            "created": wire.rfc3339(created),
            "createdBy": EDITOR,
        }
        versions.append({**body, "metadata": metadata})
    return versions


def _authorize(name: str, request: Request, state: FullStoryState) -> None:
    (admin_key if name in ADMIN_ONLY else any_key)(request, state)


@router.get("/{name}")
def current_setting(
    name: str, request: Request, platform: str = "web", state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    _authorize(name, request, state)
    return _versions(state, name, platform)[0]


@router.get("/{name}/history")
def setting_history(
    name: str, request: Request, platform: str = "web", state: FullStoryState = Depends(get_state)
) -> dict[str, Any]:
    _authorize(name, request, state)
    versions = _versions(state, name, platform)
    limit = wire.limit_value(request.query_params.get("limit"), default=20, maximum=100)
    offset = wire.decode_token(wire.query_value(request, "paginationToken", "pagination_token"))
    body: dict[str, Any] = {"versions": versions[offset : offset + limit]}
    if offset + limit < len(versions):
        body["nextPaginationToken"] = wire.encode_token(offset + limit)
    return body
