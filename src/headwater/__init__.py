"""Headwater: keep control of the customer data you send to product-analytics tools."""

__version__ = "0.1.0"
