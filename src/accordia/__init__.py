"""Accordia: the open reference system for certification, accreditation and mutual recognition."""

__version__ = "0.1.0"
