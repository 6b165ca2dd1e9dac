"""The HTTP API (``/api/v1``): read-only registry resources, verification, calculators."""
