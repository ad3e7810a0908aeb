"""Command-line face: each module parses, calls a service, and renders. No business logic lives here."""
