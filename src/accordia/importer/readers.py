"""Streaming readers for CSV (UTF-8 with or without BOM, GBK/GB18030), JSON, JSONL and XLSX.

Every reader yields ``(line, row_dict)`` pairs one at a time, so memory stays flat as files grow,
and exposes how many bytes it has consumed, for the progress bar.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

CHUNK = 1 << 20


class FileFormatError(ValueError):
    """The file as a whole cannot be read (format, encoding, structure)."""


@dataclass
class Progress:
    """Bytes consumed so far out of the file's size."""

    total: int
    done: int = 0


class _CountingReader(io.RawIOBase):
    def __init__(self, raw: IO[bytes], progress: Progress) -> None:
        self._raw = raw
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._progress.done += n
        return n


def detect_encoding(path: Path) -> str:
    """Return ``utf-8-sig`` or ``gb18030``; raise when the file is neither.

    The whole file is checked incrementally (fast, constant memory) so that an invalid byte
    near the end cannot slip through as mojibake. GB18030 is a superset of GBK and GB2312.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        line = 1
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    text = decoder.decode(chunk)
                    line += text.count("\n")
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileFormatError(
        f"{path.name}: the file is neither UTF-8 nor GBK/GB18030 text "
        f"(first undecodable bytes near line {line}); save it as UTF-8 and import again"
    )


def sniff_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix == ".jsonl" or suffix == ".ndjson":
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise FileFormatError(
        f"{path.name}: unknown file type {suffix!r} (use .csv, .json, .jsonl or .xlsx)"
    )


def _clean_header(header: list[Any]) -> list[str]:
    names = [str(h).strip().lstrip("\ufeff").lower() if h is not None else "" for h in header]
    seen: set[str] = set()
    for n in names:
        if n and n in seen:
            raise FileFormatError(f"column {n!r} appears twice in the header")
        seen.add(n)
    if not any(names):
        raise FileFormatError("the header row is empty")
    return names


def read_header(path: Path, fmt: str | None = None) -> list[str]:
    """Column names of a file (for kind detection), without reading the rows."""
    for _line, row in iter_rows(path, fmt, Progress(0)):
        return list(row)
    return []


def iter_rows(
    path: Path, fmt: str | None, progress: Progress, encoding: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, row)`` for each record of ``path``."""
    fmt = fmt or sniff_format(path)
    progress.total = path.stat().st_size
    if fmt == "csv":
        yield from _iter_csv(path, progress, encoding)
    elif fmt == "jsonl":
        yield from _iter_jsonl(path, progress)
    elif fmt == "json":
        yield from _iter_json(path, progress)
    elif fmt == "xlsx":
        yield from _iter_xlsx(path, progress)
    else:
        raise FileFormatError(f"unknown format {fmt!r}")


def _iter_csv(
    path: Path, progress: Progress, encoding: str | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    enc = encoding or detect_encoding(path)
    with path.open("rb") as raw:
        buffered = io.BufferedReader(_CountingReader(raw, progress), CHUNK)
        text = io.TextIOWrapper(buffered, encoding=enc, newline="")
        dialect: type[csv.Dialect] = csv.excel
        if path.suffix.lower() == ".tsv":
            dialect = csv.excel_tab
        reader = csv.reader(text, dialect)
        try:
            header = _clean_header(next(reader))
        except StopIteration:
            return
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                extra = [c for c in row[len(header) :] if c.strip()]
                if extra:
                    yield (
                        line,
                        {"__error__": f"row has {len(row)} cells; the header has {len(header)}"},
                    )
                    continue
            yield line, {h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h}


def _iter_jsonl(path: Path, progress: Progress) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as raw:
        for n, line in enumerate(raw, start=1):
            progress.done += len(line)
            if not line.strip():
                continue
            try:
                obj = json.loads(line.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield n, {"__error__": f"not a JSON object: {exc}"}
                continue
            if not isinstance(obj, dict):
                yield n, {"__error__": "each line must be a JSON object"}
                continue
            yield n, {str(k).lower(): v for k, v in obj.items()}


def _iter_json(path: Path, progress: Progress) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileFormatError(f"{path.name}: not valid UTF-8 JSON: {exc}") from exc
    progress.done = progress.total
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise FileFormatError(f"{path.name}: expected a JSON array of objects (or JSONL)")
    for n, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            yield n, {"__error__": "each element must be a JSON object"}
            continue
        yield n, {str(k).lower(): v for k, v in obj.items()}


def _iter_xlsx(path: Path, progress: Progress) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileFormatError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        try:
            header = _clean_header(list(next(rows)))
        except StopIteration:
            return
        total_rows = ws.max_row or 1
        for n, row in enumerate(rows, start=2):
            progress.done = int(progress.total * n / max(total_rows, 1))
            if not any(c not in (None, "") for c in row):
                continue
            yield n, {h: row[i] if i < len(row) else None for i, h in enumerate(header) if h}
    finally:
        wb.close()
