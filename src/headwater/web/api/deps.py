"""What routes share: the services and the documented error statuses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from headwater.web.services import Services, get_services

Svc = Annotated[Services, Depends(get_services)]

#: a row id in a path: positive, and small enough for every store's integer column
RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The row's id")]
