"""Fast bulk writes for generated data: COPY on PostgreSQL, executemany on SQLite.

Rows are buffered per table and written in batches, so memory stays flat whatever the scale.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

BATCH = 20_000


class BulkWriter:
    """Buffer rows per table and flush them in batches through the fastest path available."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self._buf: dict[str, list[Sequence[Any]]] = {}
        self._cols: dict[str, list[str]] = {}
        self._tables: dict[str, Any] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: Any, row: dict[str, Any]) -> None:
        name = table.name
        if name not in self._cols:
            self._cols[name] = list(row)
            self._tables[name] = table
            self._buf[name] = []
        self._buf[name].append(tuple(row[c] for c in self._cols[name]))
        if len(self._buf[name]) >= BATCH:
            self.flush()  # all tables, parents first (buffers keep first-use order)

    def flush(self, name: str | None = None) -> None:
        for n in [name] if name else list(self._buf):
            rows = self._buf.get(n)
            if not rows:
                continue
            cols = self._cols[n]
            if self.pg:
                self._copy(n, cols, rows)
            else:
                table = self._tables[n]
                self.conn.execute(table.insert(), [dict(zip(cols, r, strict=True)) for r in rows])
            self.counts[n] = self.counts.get(n, 0) + len(rows)
            rows.clear()

    def _copy(self, name: str, cols: list[str], rows: list[Sequence[Any]]) -> None:
        raw = self.conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row([_pg(v) for v in r])


def _pg(v: Any) -> Any:
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.datetime) and v.tzinfo is None:
        return v.replace(tzinfo=dt.UTC)
    return v
