"""Local emulator of Amplitude's privacy, DSAR, lookup, export and ingestion APIs, all on one base URL.

Paths: ``/api/2/deletions/users`` (User Privacy API v1), ``/api/2/dsar/requests`` (org key pair),
``/api/2/usersearch``, ``/api/2/useractivity``, ``/api/2/export``, ``/v1/userprofile`` (``Api-Key``),
``/2/httpapi``, ``/batch`` and ``/identify`` (``api_key`` in the body), plus the shared ``/_sandbox`` routes.
Deletion jobs and DSAR requests move with the sandbox clock; Amplitude-only knobs live on
``app.state.sandbox.settings``. In strict mode DSAR outputs redirect to presigned downloads served on
another origin (``storage``).
"""

from headwater.sandbox.amplitude.app import create_amplitude_app

__all__ = ["create_amplitude_app"]
