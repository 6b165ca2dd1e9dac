"""Export every record kind in the same forms the importer reads, one file per kind."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from accordia.db.session import session_factory
from accordia.importer.fields import LIST_SEP, format_cell
from accordia.importer.kind import ORDER, REGISTRY, Kind
from accordia.importer.run import import_files  # noqa: F401  (registers the kinds)

FORMATS = ("csv", "jsonl", "xlsx")


def _rows(k: Kind, raw_rows: Iterator[dict[str, Any]], flat: bool) -> Iterator[list[Any]]:
    for r in raw_rows:
        out = []
        for f in k.fields:
            v = format_cell(f, r.get(f.name))
            if flat and isinstance(v, list):
                v = LIST_SEP.join(v)
            out.append(v)
        yield out


def export_all(engine: Engine, out_dir: Path, fmt: str = "csv") -> list[Path]:
    """Write one file per kind into ``out_dir`` and return their paths (kinds with no rows are
    skipped)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    session = session_factory(engine)()
    try:
        for name in ORDER:
            k = REGISTRY[name]
            path = out_dir / f"{k.plural}.{fmt}"
            n = _write(k, k.export(session), path, fmt)
            if n:
                written.append(path)
            else:
                path.unlink(missing_ok=True)
    finally:
        session.close()
    return written


def _write(k: Kind, rows: Iterator[dict[str, Any]], path: Path, fmt: str) -> int:
    n = 0
    header = k.field_names
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for row in _rows(k, rows, flat=True):
                w.writerow(row)
                n += 1
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for row in _rows(k, rows, flat=False):
                obj = {h: v for h, v in zip(header, row, strict=True) if v not in ("", [], None)}
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
                n += 1
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(k.plural[:31])
        ws.append(header)
        for row in _rows(k, rows, flat=True):
            ws.append([v if v != "" else None for v in row])
            n += 1
        wb.save(path)
    return n
