"""PII discovery: which fields of the collected event data hold personal data.

    from headwater.discovery import ScanOptions, scan_files, known_data_types

    report = scan_files([Path("export.json.gz")], ScanOptions(sample=1000, threshold=0.05))
    report.as_dict()            # {"source": ..., "events_scanned": N, "fields": [...]}
    known_data_types(db, "amp") # ["email", "phone", ...] from the connection's latest scan

Importing the package is cheap (the detectors load on first use) and registers the preview samples'
re-encryption with `headwater keys rotate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headwater.discovery import preview as _preview  # noqa: F401  (registers key rotation)
from headwater.discovery.results import known_data_types

if TYPE_CHECKING:
    from headwater.discovery.file_scan import scan_files
    from headwater.discovery.scan import ScanOptions, ScanReport, scan_rows

__all__ = ["ScanOptions", "ScanReport", "known_data_types", "scan_files", "scan_rows"]


def __getattr__(name: str) -> Any:
    if name == "scan_files":
        from headwater.discovery import file_scan

        return file_scan.scan_files
    if name in ("ScanOptions", "ScanReport", "scan_rows"):
        from headwater.discovery import scan

        return getattr(scan, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
