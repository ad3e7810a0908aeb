"""Labelled event data to measure discovery with: the sandbox's exports (it knows where it planted each
kind of personal data) and a hand-built set of harder cases, each field labelled with the types it holds.

Used by the tests, `bench/discovery_quality.py`, `bench/discovery_throughput.py` and the demo.
"""
