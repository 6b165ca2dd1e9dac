"""Database layer: declarative base, engine, sessions, portable types and migrations."""
