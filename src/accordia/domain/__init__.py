"""Pure domain rules: no database, no HTTP, no I/O. Unit-tested in milliseconds."""
