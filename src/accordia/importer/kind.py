"""The record-kind registry: each kind's columns, natural key, import and export."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from accordia.importer.context import ImportContext, RowError
from accordia.importer.fields import Field, FieldError, compile_field

Row = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """A record kind as it appears in import and export files."""

    name: str
    plural: str
    doc: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    apply: Callable[[ImportContext, Row], None]
    export: Callable[[Session], Iterator[Row]]
    aliases: tuple[str, ...] = field(default=())
    checks: tuple[Callable[[Row], None], ...] = field(default=())
    # Optional set-based path for high-volume kinds: applies a whole chunk with a few
    # statements and hands rows it cannot take in bulk to ``apply``. Any error replays the
    # chunk row by row through ``apply``, so errors still name their line.
    apply_many: Callable[[ImportContext, list[Row]], None] | None = None

    def apply_chunk(self, ctx: ImportContext, rows: list[Row]) -> None:
        if self.apply_many is not None:
            self.apply_many(ctx, rows)
        else:
            for row in rows:
                self.apply(ctx, row)

    @property
    def field_names(self) -> list[str]:
        return list(self._names)

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @cached_property
    def _name_set(self) -> frozenset[str]:
        return frozenset(self._names)

    @cached_property
    def _parsers(self) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
        return tuple((f.name, compile_field(f)) for f in self.fields)

    def parse(self, raw: Row) -> Row:
        """Parse and validate one raw row; raise :class:`FieldError` naming the field and rule."""
        if not self._name_set.issuperset(raw):
            unknown = [k for k in raw if k and k not in self._name_set and not k.startswith("_")]
            if unknown:
                raise FieldError(
                    unknown[0],
                    "unknown_column",
                    f"is not a column of {self.name} (columns: {', '.join(self.field_names)})",
                )
        get = raw.get
        row = {name: parse(get(name)) for name, parse in self._parsers}
        for check in self.checks:
            check(row)
        return row

    def key_of(self, row: Row) -> str:
        return " / ".join(str(row.get(k) or "") for k in self.key)


REGISTRY: dict[str, Kind] = {}
ORDER: list[str] = []  # dependency order: parents before the kinds that refer to them

# Kinds are registered as their modules are imported, and import order depends on who imports
# first; the dependency order must not. Modules are ranked here, kinds keep their order within
# their module.
_MODULE_RANK = (
    "accordia.importer.kinds_reference",
    "accordia.importer.kinds_bodies",
    "accordia.importer.kinds_attestations",
    "accordia.importer.kinds_arrangements",
    "accordia.importer.kinds_cooperation",
)
_POSITION: dict[str, tuple[int, int]] = {}


def register(kind: Kind) -> Kind:
    module = kind.apply.__module__
    rank = _MODULE_RANK.index(module) if module in _MODULE_RANK else len(_MODULE_RANK)
    REGISTRY[kind.name] = kind
    _POSITION[kind.name] = (rank, len(_POSITION))
    ORDER[:] = sorted(_POSITION, key=_POSITION.__getitem__)
    return kind


def kind_for_name(stem: str) -> Kind | None:
    """The kind a file name stands for: ``certificates.csv``, ``2024-certificate_events.xlsx``."""
    s = re.sub(r"[^a-z_]", "_", stem.lower())
    for name in sorted(REGISTRY, key=len, reverse=True):
        k = REGISTRY[name]
        for candidate in (k.plural, k.name, *k.aliases):
            if s == candidate or s.endswith("_" + candidate) or s.startswith(candidate + "_"):
                return k
    return None


def kind_for_header(header: list[str]) -> Kind | None:
    """The kind whose columns best match ``header``: all required present, most overlap."""
    best: tuple[int, int, Kind] | None = None
    cols = set(header)
    for i, k in enumerate(REGISTRY.values()):
        names = set(k.field_names)
        required = {f.name for f in k.fields if f.required}
        if not required <= cols or not cols <= names:
            continue
        score = (len(cols & names), -i)
        if best is None or score > best[:2]:
            best = (*score, k)
    return best[2] if best else None


# -- shared checks and helpers -----------------------------------------------------------------
def check_order(first: str, second: str) -> Callable[[Row], None]:
    """Row check: date ``second`` is not before date ``first``."""

    def _check(row: Row) -> None:
        a, b = row.get(first), row.get(second)
        if a is not None and b is not None and b < a:
            raise FieldError(second, "date_order", f"{b} is before {first} {a}")

    return _check


def check_one_of(*names: str) -> Callable[[Row], None]:
    def _check(row: Row) -> None:
        if not any(row.get(n) for n in names):
            raise FieldError(names[0], "required", f"give at least one of: {', '.join(names)}")

    return _check


def require_together(a: str, b: str) -> Callable[[Row], None]:
    def _check(row: Row) -> None:
        if bool(row.get(a)) != bool(row.get(b)):
            missing = b if row.get(a) else a
            raise FieldError(
                missing, "required", f"is required together with {a if missing == b else b}"
            )

    return _check


SCOPE_ITEM = re.compile(r"^(STD|IAF|MLA|ILAC|HS|CCC|FIELD):(.+)$")


def check_scope_items(ctx: ImportContext, items: list[str], field_name: str) -> list[str]:
    """Validate ``SCHEME:CODE`` scope items against the reference taxonomies."""
    from sqlalchemy import select

    from accordia import models as m

    out = []
    for item in items:
        mt = SCOPE_ITEM.match(item)
        if not mt:
            raise RowError(
                field_name,
                "scope_item",
                f"{item!r} is not SCHEME:CODE (schemes STD, IAF, MLA, ILAC, HS, CCC, FIELD)",
            )
        scheme, code = mt.group(1), mt.group(2).strip()
        if scheme == "STD":
            ctx.standard(code, field_name)
        elif scheme == "HS":
            if not re.fullmatch(r"\d{2,10}", code):
                raise RowError(field_name, "hs_code", f"{item!r}: HS codes are 2 to 10 digits")
        elif scheme in ("IAF", "MLA", "ILAC"):
            ck = ("scope", scheme, code)
            if ck not in ctx._cache:
                found = ctx.session.execute(
                    select(m.ScopeCode.id).filter_by(scheme=scheme, code=code)
                ).scalar_one_or_none()
                if found is None:
                    raise RowError(field_name, "unknown_reference", f"no scope code {item!r}")
                ctx._cache[ck] = found
        out.append(f"{scheme}:{code}")
    return out
