"""Read-only, paged views over other services' tables, for lists the services do not page yet.

Each query is keyset-paged and index-backed so a page renders in milliseconds with many thousand rows.
They move into their services (privacy, jobs, sync) as those grow filters and cursors of their own.
"""
