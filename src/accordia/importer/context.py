"""The import context: one transaction, its actor, natural-key resolvers and the audit buffer."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select, text, tuple_
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.base import Base, table_of
from accordia.db.bulk import insert_rows
from accordia.db.types import utcnow
from accordia.importer.fields import FieldError
from accordia.services.authz import Actor

T = TypeVar("T", bound=Base)

CACHE_LIMIT = 200_000


class RowError(FieldError):
    """A row refers to something that does not exist, or contradicts the registry."""


@dataclass
class Stats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    rejected: int = 0

    def add(self, action: str) -> None:
        setattr(self, action, getattr(self, action) + 1)

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def snapshot(obj: Base, exclude: Iterable[str] = ("id", "recorded_at")) -> dict[str, Any]:
    """A JSON-able dict of an ORM row's columns (for the audit trail)."""
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        if col.key in exclude:
            continue
        v = getattr(obj, col.key)
        if isinstance(v, dt.date | dt.datetime):
            v = v.isoformat()
        elif isinstance(v, Decimal):
            v = str(v)
        out[col.key] = v
    return out


@dataclass
class ImportContext:
    """State shared by all rows of one import run (one transaction)."""

    session: Session
    actor: str
    principal: Actor
    operation: str = field(default_factory=lambda: "import-" + uuid.uuid4().hex[:12])
    stats: Stats = field(default_factory=Stats)
    _cache: dict[tuple[Any, ...], int | None] = field(default_factory=dict)
    _audit: list[dict[str, Any]] = field(default_factory=list)

    # -- audit -------------------------------------------------------------------------------
    def audit(
        self,
        action: str,
        entity: str,
        key: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self._audit.append(
            {
                "at": utcnow(),
                "actor": self.actor,
                "action": action,
                "entity": entity,
                "record_key": key[:300],
                "before": before,
                "after": after,
                "operation": self.operation,
            }
        )

    def flush_audit(self) -> None:
        if self._audit:
            insert_rows(self.session.connection(), table_of(m.AuditEntry), self._audit)
            self._audit.clear()

    # -- generic upsert ----------------------------------------------------------------------
    def upsert(
        self,
        model: type[T],
        key: dict[str, Any],
        values: dict[str, Any],
        entity: str,
        record_key: str,
    ) -> tuple[T, str]:
        """Create the row with natural ``key`` or update it to ``values``; audit either."""
        obj = self.session.execute(select(model).filter_by(**key)).scalar_one_or_none()
        if obj is None:
            obj = model(**key, **values)
            self.session.add(obj)
            self.session.flush()
            self.audit("create", entity, record_key, None, snapshot(obj))
            self.stats.add("created")
            return obj, "created"
        changed = {k: v for k, v in values.items() if _differs(getattr(obj, k), v)}
        if not changed:
            self.stats.add("unchanged")
            return obj, "unchanged"
        if self._touched(entity, record_key):
            raise RowError(
                "(key)",
                "duplicate_key",
                f"{entity} {record_key!r} appears more than once in this import with "
                "different values",
            )
        before = snapshot(obj)
        for k, v in changed.items():
            setattr(obj, k, v)
        self.session.flush()
        self.audit("update", entity, record_key, before, snapshot(obj))
        self.stats.add("updated")
        return obj, "updated"

    def add_event(
        self,
        model: type[T],
        parent_id: int,
        entity: str,
        record_key: str,
        *,
        kind: str,
        effective_on: dt.date,
        scope: list[str] | None = None,
        note: str | None = None,
        source: str = "",
        **extra: Any,
    ) -> str:
        """Append a status event unless the same event (kind, date, scope) is already recorded."""
        existing = self.session.execute(
            select(model).filter_by(parent_id=parent_id, kind=kind, effective_on=effective_on)
        ).scalars()
        for ev in existing:
            if sorted(ev.scope or []) == sorted(scope or []):  # type: ignore[attr-defined]
                return "unchanged"
        ev = model(
            parent_id=parent_id,
            kind=kind,
            effective_on=effective_on,
            scope=scope or None,
            note=note,
            source=source,
            **extra,
        )
        self.session.add(ev)
        self.session.flush()
        self.audit("event", entity, record_key, None, snapshot(ev, exclude=("id", "recorded_at")))
        self.stats.add("events")
        return "events"

    def _touched(self, entity: str, record_key: str) -> bool:
        """Whether this import already wrote ``entity`` ``record_key`` (duplicate rows)."""
        key = record_key[:300]
        if any(a["entity"] == entity and a["record_key"] == key for a in self._audit):
            return True
        found = self.session.execute(
            select(m.AuditEntry.id)
            .filter_by(entity=entity, record_key=key, operation=self.operation)
            .limit(1)
        ).first()
        return found is not None

    def ids_by_key(
        self, model: type[Base], columns: tuple[str, ...], keys: Iterable[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], int]:
        """Ids of the rows of ``model`` whose ``columns`` match one of ``keys`` (one query per
        1,000 keys), for the set-based import paths."""
        wanted = list(dict.fromkeys(keys))
        cols = [getattr(model, c) for c in columns]
        found: dict[tuple[Any, ...], int] = {}
        if not wanted:
            return found
        conn = self.session.connection()
        if conn.dialect.name == "postgresql":
            # one statement with one array parameter per column, whatever the number of keys
            table = model.__table__
            arrays = ", ".join(
                f"CAST(:k{i} AS {table.c[c].type.compile(conn.dialect)}[])"
                for i, c in enumerate(columns)
            )
            names = ", ".join(f"k.k{i}" for i in range(len(columns)))
            on = " AND ".join(f"t.{c} = k.k{i}" for i, c in enumerate(columns))
            sql = text(
                f"SELECT t.id, {names} FROM {table.name} t "  # type: ignore[attr-defined]
                f"JOIN unnest({arrays}) AS k({', '.join(f'k{i}' for i in range(len(columns)))}) "
                f"ON {on}"
            )
            params = {f"k{i}": [k[i] for k in wanted] for i in range(len(columns))}
            for row in conn.execute(sql, params):
                found[tuple(row[1:])] = row[0]
            return found
        for i in range(0, len(wanted), 1000):
            part = wanted[i : i + 1000]
            cond = cols[0].in_([k[0] for k in part]) if len(cols) == 1 else tuple_(*cols).in_(part)
            for row in self.session.execute(select(model.id, *cols).where(cond)):  # type: ignore[attr-defined]
                found[tuple(row[1:])] = row[0]
        return found

    # -- natural-key resolvers ---------------------------------------------------------------
    def _lookup(
        self, model: type[Base], field_name: str, label: str, shown: str | None = None, **key: Any
    ) -> int:
        ck = (model.__name__, *sorted(key.items()))
        if ck in self._cache:
            found = self._cache[ck]
        else:
            found = self.session.execute(
                select(model.id).filter_by(**key)  # type: ignore[attr-defined]
            ).scalar_one_or_none()
            if found is not None:
                if len(self._cache) > CACHE_LIMIT:
                    self._cache.clear()
                self._cache[ck] = found
        if found is None:
            what = shown or " / ".join(str(v) for v in key.values())
            raise RowError(field_name, "unknown_reference", f"no {label} {what!r} in the registry")
        return found

    def forget(self, model: type[Base], **key: Any) -> None:
        self._cache.pop((model.__name__, *sorted(key.items())), None)

    def economy(self, code: str, field_name: str = "economy") -> int:
        return self._lookup(m.Economy, field_name, "economy", code=code.upper())

    def accreditation_body(self, acronym: str, economy: str, field_name: str) -> int:
        eco = self.economy(economy, field_name + "_economy")
        return self._lookup(
            m.AccreditationBody,
            field_name,
            "accreditation body",
            f"{acronym} / {economy}",
            acronym=acronym,
            economy_id=eco,
        )

    def cab(self, registration_number: str, field_name: str = "cab") -> int:
        return self._lookup(
            m.Cab, field_name, "conformity assessment body", registration_number=registration_number
        )

    def organization(self, key: str, field_name: str = "organization") -> int:
        return self._lookup(m.Organization, field_name, "organization", key=key)

    def standard(self, code: str, field_name: str = "standard") -> int:
        return self._lookup(m.Standard, field_name, "standard", code=code)

    def arrangement(self, key: str, field_name: str = "arrangement") -> int:
        return self._lookup(m.Arrangement, field_name, "arrangement", key=key)

    def regulator(self, acronym: str, economy: str, field_name: str = "regulator") -> int:
        eco = self.economy(economy, field_name + "_economy")
        return self._lookup(
            m.Regulator,
            field_name,
            "regulator",
            f"{acronym} / {economy}",
            acronym=acronym,
            economy_id=eco,
        )

    def association(self, acronym: str, economy: str, field_name: str = "association") -> int:
        eco = self.economy(economy, field_name + "_economy")
        return self._lookup(
            m.Association,
            field_name,
            "association",
            f"{acronym} / {economy}",
            acronym=acronym,
            economy_id=eco,
        )

    def accreditation(self, ab_id: int, number: str, field_name: str = "accreditation") -> int:
        return self._lookup(
            m.Accreditation,
            field_name,
            "accreditation",
            number,
            accreditation_body_id=ab_id,
            number=number,
        )

    def certificate(self, cab_id: int, number: str, field_name: str = "certificate") -> int:
        return self._lookup(
            m.Certificate, field_name, "certificate", number, cab_id=cab_id, number=number
        )

    def site(self, organization_id: int, key: str, field_name: str = "sites") -> int:
        return self._lookup(
            m.Site, field_name, "site", key, organization_id=organization_id, key=key
        )


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return Decimal(str(old)) != Decimal(str(new))
        except Exception:
            return True
    return bool(old != new)
