"""Fast bulk writes: COPY on PostgreSQL, executemany on SQLite.

Used by the demo generator (:class:`BulkWriter`, buffered per table so memory stays flat) and by
the importer's set-based paths (:func:`insert_rows`, :func:`allocate_ids`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, text

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
        copy_rows(self.conn, name, cols, rows)


def copy_rows(
    conn: Connection, name: str, cols: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """COPY ``rows`` into table ``name`` on PostgreSQL (in the connection's transaction)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as cp:
        for r in rows:
            cp.write_row([_pg(v) for v in r])


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys): COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cols = list(rows[0])
        copy_rows(conn, table.name, cols, [tuple(r[c] for c in cols) for r in rows])
    else:
        conn.execute(table.insert(), list(rows))


def allocate_ids(conn: Connection, table: Table, n: int) -> list[int] | None:
    """``n`` fresh primary keys from the table's sequence on PostgreSQL, so that rows can be
    COPYed with their ids; ``None`` on engines where INSERT … RETURNING is the fast path."""
    if conn.dialect.name != "postgresql" or n == 0:
        return None
    return list(
        conn.execute(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": n},
        ).scalars()
    )


def _pg(v: Any) -> Any:
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.datetime) and v.tzinfo is None:
        return v.replace(tzinfo=dt.UTC)
    return v
