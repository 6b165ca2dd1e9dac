"""Batch verification: read a supplier list, verify every row, stream a report.

Input: CSV (UTF-8 or GBK/GB18030), XLSX, JSON (an array, or ``{"records": [...]}``) or JSONL with
a column ``number`` (required), and optionally ``issuer`` and ``market`` (a per-row override of
the batch's market). Output: one row per input row, in the order read, as CSV, XLSX, JSON or
JSONL, written as the rows are verified (XLSX through openpyxl's write-only mode). A row without
a number, or with an unknown market, gets the outcome ``invalid_row`` and its reason; the batch
goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.domain.verification import Query, Verdict
from accordia.importer.readers import FileFormatError, Progress, iter_rows, sniff_format
from accordia.services.verification import CertRow, Verifier

MAX_ROWS = 100_000

INVALID_ROW = "invalid_row"

COLUMNS = (
    "line",
    "number",
    "issuer",
    "market",
    "outcome",
    "valid",
    "recognized",
    "failed_link",
    "reason_zh",
    "reason_en",
    "holder_zh",
    "holder_en",
    "issuer_name_zh",
    "issuer_name_en",
)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

OUTPUT_SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".xlsx": "xlsx"}


class BatchError(ValueError):
    """The batch as a whole cannot run (unreadable file, unknown format, too many rows)."""


class TooManyRows(BatchError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the list has more than {limit:,} rows; split it into smaller batches")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One row of the supplier list."""

    line: int
    number: str
    issuer: str | None = None
    market: str | None = None
    error: tuple[str, str] | None = None  # (zh, en) when the row cannot be verified


@dataclass
class BatchSummary:
    rows: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    valid: int = 0
    recognized: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "outcomes": dict(self.outcomes),
            "valid": self.valid,
            "recognized": self.recognized,
        }


def output_format(path: Path) -> str:
    fmt = OUTPUT_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise BatchError(
            f"{path.name}: unknown report type {path.suffix!r} (use .csv, .xlsx, .json or .jsonl)"
        )
    return fmt


def _text(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        s = str(int(value))  # spreadsheet cells holding a number
    return s or None


def _row(line: int, raw: Mapping[str, Any]) -> BatchRow:
    if "__error__" in raw:
        msg = str(raw["__error__"])
        return BatchRow(line, "", error=(f"该行无法读取：{msg}", f"the row cannot be read: {msg}"))
    number = _text(raw.get("number"))
    issuer = _text(raw.get("issuer"))
    market = _text(raw.get("market"))
    if not number:
        return BatchRow(
            line, "", issuer, market, error=("缺少证书编号（number 列）", "no certificate number")
        )
    return BatchRow(line, number, issuer, market.upper() if market else None)


def rows_from_dicts(items: Iterable[Mapping[str, Any]]) -> Iterator[BatchRow]:
    """Rows given as mappings (a JSON request body)."""
    for n, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            yield BatchRow(n, "", error=("该行不是对象", "the row is not an object"))
            continue
        yield _row(n, {str(k).lower(): v for k, v in item.items()})


def rows_from_file(
    path: Path, fmt: str | None = None, progress: Progress | None = None
) -> Iterator[BatchRow]:
    """Rows of a supplier list file, read one at a time."""
    try:
        fmt = fmt or sniff_format(path)
        for line, raw in iter_rows(path, fmt, progress or Progress(0)):
            yield _row(line, raw)
    except FileFormatError as exc:
        raise BatchError(str(exc)) from exc


def count_rows(path: Path, fmt: str | None = None, limit: int = MAX_ROWS) -> int:
    """Rows in a supplier list (also checks the header): raises :class:`TooManyRows` as soon as
    ``limit`` is passed, :class:`BatchError` when there is no ``number`` column."""
    n = 0
    try:
        fmt = fmt or sniff_format(path)
        for _line, raw in iter_rows(path, fmt, Progress(0)):
            if n == 0 and "__error__" not in raw and "number" not in raw:
                cols = ", ".join(raw) or "none"
                raise BatchError(f"{path.name}: no column 'number' (columns: {cols})")
            n += 1
            if n > limit:
                raise TooManyRows(limit)
    except FileFormatError as exc:
        raise BatchError(str(exc)) from exc
    return n


def known_markets(session: Session) -> set[str]:
    return {c.upper() for c in session.execute(select(m.Economy.code)).scalars()}


def report_row(row: BatchRow, verdict: Verdict | None) -> dict[str, Any]:
    """One output row: the input, the outcome, the first failing reason, the names."""
    out: dict[str, Any] = dict.fromkeys(COLUMNS)
    out.update(line=row.line, number=row.number, issuer=row.issuer, market=row.market)
    if verdict is None:
        zh, en = row.error or ("", "")
        out.update(outcome=INVALID_ROW, reason_zh=zh, reason_en=en)
        return out
    failed = next((x for x in verdict.links if x.status == "failed"), None)
    if failed is None and verdict.outcome != "found" and verdict.links:
        failed = verdict.links[0]
    cert = verdict.certificate
    out.update(
        outcome=verdict.outcome.value,
        valid=verdict.valid,
        recognized=verdict.recognized,
        failed_link=verdict.failed_link.value if verdict.failed_link else None,
        reason_zh=failed.reason.zh if failed else None,
        reason_en=failed.reason.en if failed else None,
    )
    if cert is not None:
        out.update(
            issuer=cert.issuer,
            holder_zh=cert.holder.zh,
            holder_en=cert.holder.en,
            issuer_name_zh=cert.issuer_name.zh,
            issuer_name_en=cert.issuer_name.en,
        )
    return out


# --- writers ----------------------------------------------------------------------------------


class ReportWriter:
    """Writes report rows to a binary stream as they come."""

    def __init__(self, fh: IO[bytes], fmt: str) -> None:
        if fmt not in CONTENT_TYPES:
            raise BatchError(f"unknown report format {fmt!r} (use csv, xlsx, json or jsonl)")
        self.fmt = fmt
        self.fh = fh
        self.count = 0
        self._text: io.TextIOWrapper | None = None
        self._csv: Any = None
        self._wb: Any = None
        self._ws: Any = None
        if fmt in ("csv", "json", "jsonl"):
            # utf-8-sig for CSV so that Excel opens Chinese text correctly
            enc = "utf-8-sig" if fmt == "csv" else "utf-8"
            self._text = io.TextIOWrapper(fh, encoding=enc, newline="", write_through=False)
        if fmt == "csv":
            assert self._text is not None
            self._csv = csv.writer(self._text)
            self._csv.writerow(COLUMNS)
        elif fmt == "json":
            assert self._text is not None
            self._text.write("[")
        elif fmt == "xlsx":
            from openpyxl import Workbook

            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet("verdicts")
            self._ws.append(list(COLUMNS))

    def write(self, row: Mapping[str, Any]) -> None:
        if self.fmt == "csv":
            self._csv.writerow(["" if row[c] is None else _csv_cell(row[c]) for c in COLUMNS])
        elif self.fmt in ("json", "jsonl"):
            assert self._text is not None
            sep = ("," if self.count else "") + "\n" if self.fmt == "json" else ""
            self._text.write(sep + json.dumps({c: row[c] for c in COLUMNS}, ensure_ascii=False))
            if self.fmt == "jsonl":
                self._text.write("\n")
        else:
            self._ws.append([row[c] for c in COLUMNS])
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            assert self._text is not None
            self._text.write("\n]\n" if self.count else "]\n")
        if self._text is not None:
            self._text.flush()
            self._text.detach()
        if self._wb is not None:
            self._wb.save(self.fh)
        self.fh.flush()


def _csv_cell(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


CHUNK = 1000  # rows verified together: one statement loads the certificates of a chunk


def run_batch(
    session: Session,
    rows: Iterable[BatchRow],
    out: IO[bytes],
    fmt: str,
    *,
    market: str | None,
    on: dt.date,
    limit: int = MAX_ROWS,
    on_row: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> BatchSummary:
    """Verify every row and write the report to ``out`` as it goes.

    Rows are read lazily and verified ``chunk`` at a time: one statement loads the certificates
    of a chunk (:meth:`Verifier.fetch_many`, on a second session in a worker thread, so that
    the database works on the next chunk while this one is judged), and the verdicts are judged
    without the evidence the report does not show. Memory stays flat whatever the length of the
    list; the report rows come out in input order, as each chunk is done."""
    verifier = Verifier(session)
    markets = known_markets(session)
    default_market = market.upper() if market else None
    writer = ReportWriter(out, fmt)
    summary = BatchSummary()

    def finish(batch: list[BatchRow], found: Future[dict[str, list[CertRow]]]) -> None:
        todo = [r for r in batch if r.error is None]
        queries = [Query(r.number, on, r.issuer, r.market) for r in todo]
        verdicts = iter(verifier.judge_many(queries, found.result(), evidence=False))
        for row in batch:
            verdict = next(verdicts) if row.error is None else None
            rec = report_row(row, verdict)
            writer.write(rec)
            summary.rows += 1
            summary.outcomes[rec["outcome"]] += 1
            summary.valid += bool(rec["valid"])
            summary.recognized += bool(rec["recognized"])
            if on_row is not None:
                on_row(summary.rows)
        session.expunge_all()  # keep the identity map small on long lists

    def chunks() -> Iterator[list[BatchRow]]:
        pending: list[BatchRow] = []
        for read, row in enumerate(rows):
            if read >= limit:
                raise TooManyRows(limit)
            row_market = row.market or default_market
            if row.error is None and row_market and row_market not in markets:
                row = BatchRow(
                    row.line,
                    row.number,
                    row.issuer,
                    row.market,
                    error=(f"未知市场代码 {row_market}", f"unknown market code {row_market}"),
                )
            elif row.error is None and row.market is None:
                row = BatchRow(row.line, row.number, row.issuer, row_market)
            pending.append(row)
            if len(pending) >= chunk:
                yield pending
                pending = []
        if pending:
            yield pending

    bind = session.get_bind()
    # the next chunk's certificates are fetched by a worker thread on its own session; a
    # session bound to one connection (not an engine) fetches in this thread, one after another
    workers = 1 if isinstance(bind, Engine) else 0
    with (
        ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="batch-fetch") as pool,
        Session(bind) as fetch_session,
    ):
        fetcher = Verifier(fetch_session) if workers else verifier
        previous: tuple[list[BatchRow], Future[dict[str, list[CertRow]]]] | None = None
        for batch in chunks():
            queries = [Query(r.number, on, r.issuer, r.market) for r in batch if r.error is None]
            if workers:
                found = pool.submit(fetcher.fetch_many, queries)
            else:
                found = Future()
                found.set_result(fetcher.fetch_many(queries))
            if previous is not None:
                finish(*previous)
            previous = (batch, found)
        if previous is not None:
            finish(*previous)
    writer.close()
    return summary
