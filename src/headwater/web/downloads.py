"""Access packages as downloads: written to a private temporary file, streamed, then deleted.

The package holds a person's data, so it never stays on the server's disk after it has been sent.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from headwater.privacy.models import normalise_ticket_id
from headwater.web.services import Services


def package_response(services: Services, ticket_id: str, *, actor: str) -> FileResponse:
    home = services.settings.ensure_home()
    folder = Path(tempfile.mkdtemp(prefix="package-", dir=home))  # mode 0700
    try:
        name = f"{normalise_ticket_id(ticket_id)}.zip"
        written = services.privacy.package(ticket_id, folder / name, actor=actor)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        written["path"],
        media_type="application/zip",
        filename=name,
        headers={"X-Package-SHA256": written["sha256"], "Cache-Control": "no-store"},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
