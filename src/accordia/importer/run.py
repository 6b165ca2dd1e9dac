"""Running an import: kind detection, one transaction, per-row errors, reject files, progress."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from accordia.db.session import session_factory
from accordia.importer import kinds_arrangements as _kx  # noqa: F401
from accordia.importer import kinds_attestations as _ka  # noqa: F401
from accordia.importer import kinds_bodies as _kb  # noqa: F401
from accordia.importer import kinds_cooperation as _kc  # noqa: F401

# importing the kind modules registers them, in dependency order
from accordia.importer import kinds_reference as _kr  # noqa: F401
from accordia.importer.context import ImportContext, Stats
from accordia.importer.fields import FieldError
from accordia.importer.kind import ORDER, REGISTRY, Kind, kind_for_header, kind_for_name
from accordia.importer.readers import (
    FileFormatError,
    Progress,
    iter_rows,
    read_header,
    sniff_format,
)
from accordia.services import authz

CHUNK_ROWS = 2000
MAX_REPORTED = 1000


@dataclass
class Problem:
    """One rejected row: where, which field, which rule, and the message."""

    file: str
    line: int
    field: str
    rule: str
    message: str
    raw: dict[str, Any] = dc_field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message} [{self.rule}]"


@dataclass
class FileResult:
    path: Path
    kind: str
    stats: Stats = dc_field(default_factory=Stats)


@dataclass
class ImportResult:
    files: list[FileResult]
    problems: list[Problem]
    problem_count: int
    committed: bool
    operation: str

    @property
    def exit_code(self) -> int:
        if not self.problem_count:
            return 0
        return 3 if self.committed else 1


class ImportAborted(Exception):
    """The import could not start (unreadable file, unknown kind): nothing was written."""


def resolve_kind(path: Path, kind: str | None, fmt: str | None = None) -> Kind:
    """The kind of ``path``: given, else from its name, else from its header."""
    if kind:
        if kind not in REGISTRY:
            plural = {k.plural: k for k in REGISTRY.values()}
            if kind in plural:
                return plural[kind]
            raise ImportAborted(f"unknown kind {kind!r}; kinds: {', '.join(ORDER)}")
        return REGISTRY[kind]
    by_name = kind_for_name(path.stem)
    if by_name:
        return by_name
    try:
        header = read_header(path, fmt)
    except FileFormatError as exc:
        raise ImportAborted(str(exc)) from exc
    by_header = kind_for_header(header)
    if by_header:
        return by_header
    raise ImportAborted(
        f"{path.name}: cannot tell the record kind from the file name or header; "
        f"pass --kind (one of: {', '.join(ORDER)})"
    )


def import_files(
    engine: Engine,
    paths: Sequence[Path],
    *,
    actor: str,
    kind: str | None = None,
    reject_file: Path | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import ``paths`` in one transaction.

    Without ``reject_file`` any invalid row means nothing is written. With it, valid rows are
    written and invalid rows go to ``reject_file`` with their error.
    """
    plan: list[tuple[Path, Kind]] = []
    for p in paths:
        if not p.exists():
            raise ImportAborted(f"{p}: no such file")
        try:
            sniff_format(p) if fmt is None else None
        except FileFormatError as exc:
            raise ImportAborted(str(exc)) from exc
        plan.append((p, resolve_kind(p, kind, fmt)))
    plan.sort(key=lambda pk: ORDER.index(pk[1].name))

    session = session_factory(engine)()
    try:
        principal = authz.resolve_actor(session, actor)
    except authz.UnknownActor as exc:
        session.close()
        raise ImportAborted(str(exc)) from exc
    ctx = ImportContext(session=session, actor=actor, principal=principal)
    problems: list[Problem] = []
    count = 0
    results: list[FileResult] = []
    writer = _RejectWriter(reject_file) if reject_file else None
    try:
        for path, k in plan:
            fr = FileResult(path, k.name)
            results.append(fr)
            ctx.stats = fr.stats
            progress = Progress(total=0)
            rows = iter_rows(path, fmt, progress, encoding)
            for chunk in _chunks(rows, CHUNK_ROWS):
                for prob in _apply_chunk(ctx, k, path, chunk):
                    count += 1
                    fr.stats.rejected += 1
                    if len(problems) < MAX_REPORTED:
                        problems.append(prob)
                    if writer:
                        writer.write(prob)
                if on_progress:
                    on_progress(path.name, progress.done, progress.total)
        commit = count == 0 or writer is not None
        if commit:
            session.commit()
        else:
            session.rollback()
        return ImportResult(results, problems, count, commit, ctx.operation)
    except FileFormatError as exc:
        session.rollback()
        raise ImportAborted(str(exc)) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if writer:
            writer.close()


def _chunks(
    rows: Iterator[tuple[int, dict[str, Any]]], size: int
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    chunk: list[tuple[int, dict[str, Any]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _apply_chunk(
    ctx: ImportContext, k: Kind, path: Path, chunk: list[tuple[int, dict[str, Any]]]
) -> list[Problem]:
    """Parse every row, then apply the valid ones. Fast path: one savepoint for the chunk;
    when a row fails inside it, the chunk is replayed row by row with a savepoint each."""
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    problems: list[Problem] = []
    for line, raw in chunk:
        if "__error__" in raw:
            problems.append(
                Problem(path.name, line, "(row)", "malformed_row", raw["__error__"], raw)
            )
            continue
        try:
            row = k.parse(raw)
            # ownership before any write: a refused row is a Problem like any other
            authz.authorize_write(ctx.principal, k.name, row)
            parsed.append((line, raw, row))
        except FieldError as exc:
            problems.append(Problem(path.name, line, exc.field, exc.rule, exc.message, raw))
    mark = len(ctx._audit)
    saved = ctx.stats.as_dict()
    sp = ctx.session.begin_nested()
    try:
        k.apply_chunk(ctx, [row for _line, _raw, row in parsed])
        ctx.session.flush()
        sp.commit()
    except FieldError:
        sp.rollback()
        del ctx._audit[mark:]
        ctx._cache.clear()
        for name, value in saved.items():
            setattr(ctx.stats, name, value)
        for line, raw, row in parsed:
            mark = len(ctx._audit)
            sp = ctx.session.begin_nested()
            try:
                k.apply(ctx, row)
                ctx.session.flush()
                sp.commit()
            except FieldError as exc:
                sp.rollback()
                del ctx._audit[mark:]
                ctx._cache.clear()
                problems.append(Problem(path.name, line, exc.field, exc.rule, exc.message, raw))
    ctx.flush_audit()
    ctx.session.expunge_all()  # keep memory flat: rows are flushed, the transaction stays open
    problems.sort(key=lambda p: p.line)
    return problems


class _RejectWriter:
    """Writes rejected rows with their error (CSV with BOM for spreadsheet users, or JSONL)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.jsonl = path.suffix.lower() in (".jsonl", ".json")
        self._fh = path.open("w", encoding="utf-8-sig" if not self.jsonl else "utf-8", newline="")
        self._csv: Any = None

    def write(self, p: Problem) -> None:
        record = {
            "file": p.file,
            "line": p.line,
            "field": p.field,
            "rule": p.rule,
            "error": p.message,
        }
        data = {k: ("" if v is None else v) for k, v in p.raw.items() if not k.startswith("__")}
        if self.jsonl:
            self._fh.write(json.dumps({**record, "row": data}, ensure_ascii=False, default=str))
            self._fh.write("\n")
            return
        if self._csv is None:
            self._csv = csv.writer(self._fh)
            self._csv.writerow(["file", "line", "field", "rule", "error", "row_json"])
        self._csv.writerow(
            [
                p.file,
                p.line,
                p.field,
                p.rule,
                p.message,
                json.dumps(data, ensure_ascii=False, default=str),
            ]
        )

    def close(self) -> None:
        self._fh.close()
