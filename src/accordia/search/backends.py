"""Candidate look-ups against the index, one backend per database engine.

Every look-up is bounded (``LIMIT``) and served by an index: exact and prefix look-ups by the
B-tree on ``search_term.text`` (identical SQL on both engines), substring look-ups by the
SQLite FTS5 trigram table or the PostgreSQL ``pg_trgm`` GIN index. Substrings shorter than
three characters are never sent to a substring look-up (neither index could serve them).
Candidates are entity ids; ranking happens in Python (:mod:`accordia.search.service`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, literal, or_, select, text, union_all
from sqlalchemy.orm import Session

from accordia.models.search import FTS_TABLE, SearchEntity, SearchTerm
from accordia.search.results import SearchFilters

MIN_SUBSTRING = 3
_MAX_CHAR = "\U0010ffff"

#: One bounded B-tree look-up: ``("exact", texts, forms, limit)`` or
#: ``("prefix", prefix, forms, limit)``.
Lookup = tuple[str, Any, Collection[str], int]


class SearchBackend(Protocol):
    """Bounded candidate look-ups returning entity ids (duplicates removed, order kept)."""

    name: str

    def exact(
        self,
        session: Session,
        texts: Collection[str],
        forms: Collection[str],
        flt: SearchFilters,
        limit: int,
    ) -> list[int]: ...

    def prefix(
        self, session: Session, prefix: str, forms: Collection[str], flt: SearchFilters, limit: int
    ) -> list[int]: ...

    def contains(
        self,
        session: Session,
        clauses: Sequence[Sequence[str]],
        forms: Collection[str],
        flt: SearchFilters,
        limit: int,
    ) -> list[int]:
        """Entities with a form containing, for every clause, one of the clause's substrings."""
        ...

    def many(
        self, session: Session, lookups: Sequence[Lookup], flt: SearchFilters
    ) -> list[list[int]]: ...


def _dedupe(ids: Sequence[Any], limit: int) -> list[int]:
    out: list[int] = []
    seen: set[int] = set()
    for i in ids:
        v = int(i)
        if v not in seen:
            seen.add(v)
            out.append(v)
            if len(out) >= limit:
                break
    return out


def _usable(clauses: Sequence[Sequence[str]]) -> list[list[str]]:
    out = []
    for clause in clauses:
        subs = sorted({s for s in clause if len(s) >= MIN_SUBSTRING})
        if subs:
            out.append(subs)
    return out


class _BTreeLookups:
    """Exact and prefix look-ups: the same SQL on both engines."""

    name = "base"

    @staticmethod
    def _filtered(
        where: list[ColumnElement[bool]], forms: Collection[str], flt: SearchFilters
    ) -> Any:
        stmt = select(SearchTerm.entity_id)
        if flt.kinds or flt.economy:
            stmt = stmt.join(SearchEntity, SearchEntity.id == SearchTerm.entity_id)
            if flt.kinds:
                where.append(SearchEntity.kind.in_(flt.kinds))
            if flt.economy:
                where.append(SearchEntity.economy_code == flt.economy)
        if forms:
            where.append(SearchTerm.form.in_(sorted(forms)))
        return stmt.where(and_(*where))

    def exact(
        self,
        session: Session,
        texts: Collection[str],
        forms: Collection[str],
        flt: SearchFilters,
        limit: int,
    ) -> list[int]:
        vals = sorted({t for t in texts if t})
        if not vals:
            return []
        stmt = self._filtered([SearchTerm.text.in_(vals)], forms, flt).limit(limit * 4)
        return _dedupe(session.scalars(stmt).all(), limit)

    def prefix(
        self, session: Session, prefix: str, forms: Collection[str], flt: SearchFilters, limit: int
    ) -> list[int]:
        if len(prefix) < 2:
            return []
        where = [SearchTerm.text >= prefix, SearchTerm.text < prefix + _MAX_CHAR]
        stmt = self._filtered(where, forms, flt).limit(limit * 4)
        return _dedupe(session.scalars(stmt).all(), limit)

    def many(
        self, session: Session, lookups: Sequence[Lookup], flt: SearchFilters
    ) -> list[list[int]]:
        """Several exact / prefix look-ups in one statement (``UNION ALL`` of the bounded
        look-ups; one round trip instead of one each), each answer as :meth:`exact` /
        :meth:`prefix` would give it."""
        parts = []
        for i, (how, arg, forms, limit) in enumerate(lookups):
            if how == "exact":
                vals = sorted({t for t in arg if t})
                if not vals:
                    continue
                where: list[ColumnElement[bool]] = [SearchTerm.text.in_(vals)]
            else:
                p = str(arg)
                if len(p) < 2:
                    continue
                where = [SearchTerm.text >= p, SearchTerm.text < p + _MAX_CHAR]
            sub = self._filtered(where, forms, flt).limit(limit * 4).subquery()
            parts.append(select(literal(i).label("b"), sub.c.entity_id))
        out: list[list[Any]] = [[] for _ in lookups]
        if not parts:
            return [[] for _ in lookups]
        stmt = parts[0] if len(parts) == 1 else union_all(*parts)
        for b, eid in session.execute(stmt):
            out[int(b)].append(eid)
        return [_dedupe(ids, lk[3]) for ids, lk in zip(out, lookups, strict=True)]


class SQLiteBackend(_BTreeLookups):
    """SQLite: substring candidates from the FTS5 ``trigram`` table."""

    name = "sqlite-fts5"

    @staticmethod
    def _phrase(s: str) -> str:
        return '"' + s.replace('"', '""') + '"'

    def contains(
        self,
        session: Session,
        clauses: Sequence[Sequence[str]],
        forms: Collection[str],
        flt: SearchFilters,
        limit: int,
    ) -> list[int]:
        usable = _usable(clauses)
        if not usable:
            return []
        match = " AND ".join(
            "(" + " OR ".join(self._phrase(s) for s in clause) + ")" for clause in usable
        )
        params: dict[str, Any] = {"m": match, "n": limit * 4}
        sql = f"SELECT t.entity_id FROM {FTS_TABLE} f JOIN search_term t ON t.id = f.rowid"
        where = [f"{FTS_TABLE} MATCH :m"]
        if flt.kinds or flt.economy:
            sql += " JOIN search_entity e ON e.id = t.entity_id"
            if flt.kinds:
                names = []
                for i, k in enumerate(flt.kinds):
                    params[f"k{i}"] = k
                    names.append(f":k{i}")
                where.append(f"e.kind IN ({', '.join(names)})")
            if flt.economy:
                params["eco"] = flt.economy
                where.append("e.economy_code = :eco")
        if forms:
            names = []
            for i, fm in enumerate(sorted(forms)):
                params[f"f{i}"] = fm
                names.append(f":f{i}")
            where.append(f"t.form IN ({', '.join(names)})")
        sql += " WHERE " + " AND ".join(where) + " LIMIT :n"
        return _dedupe(session.scalars(text(sql), params).all(), limit)


class PostgresBackend(_BTreeLookups):
    """PostgreSQL: substring candidates from ``LIKE '%…%'`` served by the pg_trgm GIN index."""

    name = "postgresql-pg_trgm"

    def contains(
        self,
        session: Session,
        clauses: Sequence[Sequence[str]],
        forms: Collection[str],
        flt: SearchFilters,
        limit: int,
    ) -> list[int]:
        usable = _usable(clauses)
        if not usable:
            return []
        # Index texts are normalised (no % or _), and so are the substrings.
        conds = [or_(*(SearchTerm.text.like(f"%{s}%") for s in clause)) for clause in usable]
        stmt = self._filtered(conds, forms, flt).limit(limit * 4)
        return _dedupe(session.scalars(stmt).all(), limit)


def backend_for(session: Session) -> SearchBackend:
    """The backend matching the session's engine."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLiteBackend()
    if dialect == "postgresql":
        return PostgresBackend()
    raise ValueError(f"no search backend for database dialect {dialect!r}")
