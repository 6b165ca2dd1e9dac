"""Fast bulk writes: COPY on PostgreSQL, executemany on SQLite.

Used by the demo generator (:class:`BulkWriter`, buffered per table so memory stays flat) and by
the importer's set-based paths (:func:`insert_rows`, :func:`allocate_ids`).
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import queue
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
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
    """Insert ``rows`` (all with the same keys): binary COPY on PostgreSQL, executemany
    elsewhere."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from psycopg.types.json import Json, Jsonb

        cols = list(rows[0])
        oids = _column_oids(conn, table.name)
        types = [oids[c] for c in cols]
        json_at = [i for i, t in enumerate(types) if t in (_JSON, _JSONB)]
        time_at = [i for i, t in enumerate(types) if t == _TIMESTAMPTZ]
        getter = operator.itemgetter(*cols)
        raw = conn.connection.driver_connection
        assert raw is not None
        sql = f"COPY {table.name} ({', '.join(cols)}) FROM STDIN WITH (FORMAT BINARY)"
        with raw.cursor() as cur, cur.copy(sql) as cp:
            cp.set_types(types)
            for r in rows:
                values = getter(r)
                if len(cols) == 1:
                    values = (values,)
                if json_at or time_at:
                    values = list(values)
                    for i in json_at:
                        if values[i] is not None:
                            values[i] = (Jsonb if types[i] == _JSONB else Json)(
                                values[i], dumps=_json_dumps
                            )
                    for i in time_at:
                        v = values[i]
                        if v is not None and v.tzinfo is None:
                            values[i] = v.replace(tzinfo=dt.UTC)
                cp.write_row(values)
    else:
        # executemany with the column types' own bind processors (what ``table.insert()``
        # would apply), without building a compiled statement's parameters per row
        cols = list(rows[0])
        dialect = conn.dialect
        procs = [
            (i, p)
            for i, c in enumerate(cols)
            if (p := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        getter = operator.itemgetter(*cols)
        params: list[Any] = []
        for r in rows:
            values = getter(r)
            if len(cols) == 1:
                values = (values,)
            if procs:
                values = list(values)
                for i, p in procs:
                    values[i] = p(values[i])
            params.append(tuple(values))
        marks = ", ".join("?" * len(cols))
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({marks})", params
        )


_JSON, _JSONB, _TIMESTAMPTZ = 114, 3802, 1184


def _json_dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def _column_oids(conn: Connection, name: str) -> dict[str, int]:
    """Column name → type oid of table ``name`` (PostgreSQL)."""
    return {
        str(col): int(oid)
        for col, oid in conn.execute(
            text(
                "SELECT attname, atttypid FROM pg_attribute "
                "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"
            ),
            {"t": name},
        )
    }


def allocate_ids(conn: Connection, table: Table, n: int) -> list[int] | None:
    """``n`` fresh primary keys for ``table``, so that rows can be bulk-written with their ids:
    from the table's sequence on PostgreSQL; on SQLite the next ids after the largest (SQLite
    has one writer: a transaction that read the largest id on a snapshot another writer has
    since changed cannot write at all, so two imports never take the same ids). ``None`` on
    other engines."""
    if n == 0:
        return []
    if conn.dialect.name == "sqlite":
        top = conn.execute(text(f"SELECT max(id) FROM {table.name}")).scalar() or 0
        return list(range(top + 1, top + n + 1))
    if conn.dialect.name != "postgresql":
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


class RowStream:
    """Rows of one table produced in a tight loop, written by binary COPY (PostgreSQL) or
    ``executemany`` (elsewhere).

    The table's columns are split into *variable* ones, given per row as a tuple to
    :meth:`emitter`'s function (a bare ``list.append``: no Python frame per row), and *constant*
    ones, the same for every row of the stream. Variable values are ``int``, ``str``, ``None``,
    ``datetime.date`` (or, on SQLite, its ISO string, which is what SQLite stores) and, for a
    numeric column, ``decimal.Decimal`` on PostgreSQL (see :meth:`numeric`).
    """

    def __init__(
        self, conn: Connection, table: Table, variable: Sequence[str], const: dict[str, Any]
    ) -> None:
        self.conn = conn
        self.name = table.name
        self.pg = conn.dialect.name == "postgresql"
        self.cols = [*variable, *const]
        self.rows: list[tuple[Any, ...]] = []
        if self.pg:
            self._const = tuple(_pg(v) for v in const.values())
            oids = _column_oids(conn, self.name)
            self._oids = [oids[c] for c in self.cols]
            self._sql = f"COPY {self.name} ({', '.join(self.cols)}) FROM STDIN WITH (FORMAT BINARY)"
        else:
            literals = []
            for name, v in const.items():
                proc = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
                literals.append(_sql_literal(proc(v) if proc else v))
            marks = ", ".join(["?"] * len(variable) + literals)
            self._sql = f"INSERT INTO {self.name} ({', '.join(self.cols)}) VALUES ({marks})"

    def emitter(self) -> Callable[[tuple[Any, ...]], None]:
        """``emit((value, …))``: append one row of the variable columns."""
        return self.rows.append

    def day(self, d: dt.date) -> Any:
        """A date as this stream's variable value."""
        return d if self.pg else d.isoformat()

    def numeric(self, column: str, value: float | None) -> Any:
        """A float for a numeric column, as the ORM would have bound it."""
        if value is None:
            return None
        if self.pg:
            return Decimal(repr(value))
        return value  # SQLAlchemy's SQLite Numeric binds floats as they are

    def flush(self, pipe: CopyPipe | None = None) -> int:
        """Write the buffered rows in the connection's transaction (through ``pipe``, a
        background COPY, where given); the number written."""
        n = len(self.rows)
        if not n:
            return 0
        if self.pg:
            job = (self._sql, self._oids, self.rows[:], self._const)
            if pipe is not None:
                pipe.put(job)
            else:
                _copy_binary(self.conn, job)
        else:
            self.conn.exec_driver_sql(self._sql, self.rows)
        self.rows.clear()
        return n


_CopyJob = tuple[str, list[int], list[tuple[Any, ...]], tuple[Any, ...]]


def _copy_binary(conn: Connection, job: _CopyJob) -> None:
    sql, oids, rows, const = job
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(sql) as cp:
        cp.set_types(oids)
        write = cp.write_row
        for r in rows:
            write(r + const)


def _sql_literal(v: Any) -> str:
    """A constant as an SQL literal, stored as the DB-API parameter would have been (SQLite)."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dt.datetime):
        v = v.isoformat(" ")  # sqlite3's adapter
    elif isinstance(v, dt.date):
        v = v.isoformat()
    return "'" + str(v).replace("'", "''") + "'"


class CopyPipe:
    """COPY on a background thread (PostgreSQL), so that the database stores one batch while
    Python builds the next; at most ``depth`` batches wait. The connection must not be used
    otherwise until :meth:`close` (which re-raises a COPY's error)."""

    def __init__(self, conn: Connection, depth: int = 2) -> None:
        self.conn = conn
        self.enabled = conn.dialect.name == "postgresql"
        self._queue: queue.Queue[_CopyJob | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="copy-pipe", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._error is None:
                try:
                    _copy_binary(self.conn, job)
                except BaseException as exc:  # handed to the producer by put()/close()
                    self._error = exc

    def put(self, job: _CopyJob) -> None:
        if self._error is not None:
            raise self._error
        if not self.enabled:
            _copy_binary(self.conn, job)
            return
        self._queue.put(job)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error

    def __enter__(self) -> CopyPipe:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        elif self._thread is not None:  # stop the thread; the transaction rolls back
            self._error = self._error or RuntimeError("aborted")
            self._queue.put(None)
            self._thread.join()
            self._thread = None


class deferred_indexes:
    """On PostgreSQL, drop the secondary indexes, unique and foreign-key constraints of
    ``tables`` for a bulk load and re-create them (same names and definitions, so a unique or
    foreign-key violation fails the transaction) when the block ends without error. Primary
    keys, check constraints and constraints other tables' foreign keys depend on stay. The
    tables are locked (ACCESS EXCLUSIVE) until the transaction ends. Elsewhere: nothing."""

    def __init__(self, conn: Connection, tables: Sequence[str], enabled: bool = True) -> None:
        self.conn = conn
        self.tables = list(tables)
        self.enabled = enabled and conn.dialect.name == "postgresql"
        self.recreate: list[str] = []

    def __enter__(self) -> deferred_indexes:
        if not self.enabled:
            return self
        conn = self.conn
        params = {"t": self.tables}
        uniques = conn.execute(
            text(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c WHERE c.contype = 'u' "
                "AND c.conrelid::regclass::text = ANY(:t) AND NOT EXISTS ("
                " SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' "
                " AND f.conindid = c.conindid) ORDER BY 1, 2"
            ),
            params,
        ).all()
        fks = conn.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid::regclass::text = ANY(:t) ORDER BY 1, 2"
            ),
            params,
        ).all()
        plain = conn.execute(
            text(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(:t) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                " WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')) "
                "ORDER BY 1"
            ),
            params,
        ).all()
        for table, name, _ in fks:
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for table, name, _ in uniques:
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _ in plain:
            conn.execute(text(f"DROP INDEX {name}"))
        self.recreate = (
            [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in uniques]
            + [d for _, d in plain]
            + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in fks]
        )
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if not self.enabled or exc_type is not None:
            return  # on error the transaction rolls back, and the drops with it
        self.conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for statement in self.recreate:
            self.conn.execute(text(statement))
