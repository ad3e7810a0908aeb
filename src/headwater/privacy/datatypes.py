"""Which kinds of personal data a connection is known to hold, listed in an access package's summary.

This is the seam for PII discovery: once discovery has scanned a connection it will provide
`known_data_types(connection)`. Until that feature lands this returns an empty list, and the summary says
that no scan has been recorded.
"""

from __future__ import annotations


def known_data_types(connection: str) -> list[str]:
    """PII types found in this connection's data (e.g. "email", "phone"); [] until discovery provides them."""
    return []
