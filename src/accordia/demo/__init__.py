"""A deterministic synthetic world for demonstrations and benchmarks (``accordia demo``)."""
