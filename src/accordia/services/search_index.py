"""Feed the search index from the registry tables (see docs/search.md, "Feeding the index").

:func:`reindex` (re)builds the index entities of organizations, CABs, accreditation bodies and
certificates, streaming the registry in id-ordered batches (keyset pagination), so memory stays
flat at millions of rows. The engine-specific text index (SQLite FTS5 table and triggers,
PostgreSQL pg_trgm GIN index) is dropped for the load and rebuilt once at the end, which is
far faster than maintaining it row by row. :func:`reindex_all` is the one-call form for
commands (``accordia search reindex --full``, and after ``accordia demo``).

:func:`reindex_changes` is the incremental form (after ``accordia import``, and
``accordia search reindex``): it reads the audit-trail entries recorded since the index was last
brought up to date (``search_state.last_audit_id``), and re-indexes only the organizations,
CABs, accreditation bodies and certificates they name — removing those that no longer exist.

A certificate is indexed as one entity and one term (its number): it is found by name through
its holder organization (see :func:`accordia.search.index_entities`, ``holder``).

:func:`registry_filter` is the post-filter for the filters the index does not hold: standard,
and status on a date (from the status history, :func:`accordia.domain.status.status_on`).

Keys of the index entities, and the pages they link to:

==================  =========================  ==========================================
kind                key                        page
==================  =========================  ==========================================
organization        organization key           ``/organizations/{key}``
cab                 registration number        ``/cabs/{regno}``
accreditation_body  ``ECONOMY/ACRONYM``        ``/accreditation-bodies/{economy}/{acronym}``
certificate         ``CAB-REGNO/NUMBER``       ``/certificates/{cab}/{number}``
==================  =========================  ==========================================
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    Constraint,
    Engine,
    ForeignKeyConstraint,
    Index,
    UniqueConstraint,
    delete,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, DropConstraint

from accordia import models as m
from accordia.db.session import unit_of_work
from accordia.domain.status import Event, Status, status_on
from accordia.models.search import SearchState, drop_search_ddl, install_search_ddl
from accordia.search import (
    KINDS,
    SearchHit,
    SearchResponse,
    clear_index,
    index_entities,
    index_is_empty,
    remove_entities,
    search,
)
from accordia.search.normalize import identifier_norm, identifier_scheme

#: Registry rows read (and index entities written) per batch.
BATCH = 2000
#: An incremental update naming more records than this rebuilds the whole index instead
#: (loading without the text index and building it once is then faster).
FULL_REBUILD_ABOVE = 200_000
#: ``search_state`` name of the last audit-trail entry the index holds.
MARKER = "last_audit_id"

Progress = Callable[[str, int], None]
Entity = dict[str, Any]


def page_url(kind: str, key: str) -> str:
    """The web page of an index entity (its JSON twin is the same path under ``/api/v1``)."""
    from urllib.parse import quote

    if kind == "organization":
        return "/organizations/" + quote(key, safe="")
    if kind == "cab":
        return "/cabs/" + quote(key, safe="")
    head, _, tail = key.partition("/")
    if kind == "accreditation_body":
        return f"/accreditation-bodies/{quote(head, safe='')}/{quote(tail, safe='')}"
    if kind == "certificate":
        return f"/certificates/{quote(head, safe='')}/{quote(tail)}"
    raise ValueError(f"unknown entity kind {kind!r}")


def _economies(session: Session) -> dict[int, str]:
    return {int(i): str(c) for i, c in session.execute(select(m.Economy.id, m.Economy.code))}


def _pages(
    session: Session, stmt: Any, id_col: Any, batch: int, ids: Collection[int] | None = None
) -> Iterator[list[Any]]:
    """Rows of ``stmt`` in batches, ordered by ``id_col`` (keyset pagination: no OFFSET);
    only the rows whose id is in ``ids`` when given."""
    if ids is not None:
        wanted = sorted(ids)
        for i in range(0, len(wanted), batch):
            rows = session.execute(
                stmt.where(id_col.in_(wanted[i : i + batch])).order_by(id_col)
            ).all()
            if rows:
                yield list(rows)
        return
    last = 0
    while True:
        rows = session.execute(stmt.where(id_col > last).order_by(id_col).limit(batch)).all()
        if not rows:
            return
        yield list(rows)
        last = int(rows[-1][0])


def organization_entities(
    session: Session, batch: int = BATCH, ids: Collection[int] | None = None
) -> Iterator[list[Entity]]:
    """Organizations: names (zh/en/other), USCC/LEI and other identifiers, economy."""
    ecos = _economies(session)
    Org = m.Organization
    stmt = select(Org.id, Org.key, Org.name_zh, Org.name_en, Org.name_other, Org.economy_id)
    for rows in _pages(session, stmt, Org.id, batch, ids):
        idents: dict[int, list[tuple[str, str]]] = {}
        for oid, scheme, value in session.execute(
            select(
                m.OrganizationIdentifier.organization_id,
                m.OrganizationIdentifier.scheme,
                m.OrganizationIdentifier.value,
            ).where(m.OrganizationIdentifier.organization_id.in_([r[0] for r in rows]))
        ):
            idents.setdefault(int(oid), []).append((str(scheme), str(value)))
        out = []
        for oid, key, zh, en, other, eco in rows:
            ids_ = idents.get(int(oid), [])
            # The key is by convention the USCC or LEI: index it as one when it checks out.
            key_scheme = identifier_scheme(identifier_norm(key))
            if key_scheme and not any(identifier_norm(v) == identifier_norm(key) for _s, v in ids_):
                ids_.append((key_scheme.upper(), key))
            out.append(
                {
                    "kind": "organization",
                    "key": key,
                    "name_zh": zh,
                    "name_en": en,
                    "name_other": other,
                    "identifiers": ids_,
                    "economy": ecos.get(eco) if eco else None,
                }
            )
        yield out


def cab_entities(
    session: Session, batch: int = BATCH, ids: Collection[int] | None = None
) -> Iterator[list[Entity]]:
    """CABs: names, acronym, registration number, economy."""
    ecos = _economies(session)
    C = m.Cab
    stmt = select(
        C.id,
        C.registration_number,
        C.name_zh,
        C.name_en,
        C.name_other,
        C.acronym,
        C.kind,
        C.economy_id,
    )
    for rows in _pages(session, stmt, C.id, batch, ids):
        yield [
            {
                "kind": "cab",
                "key": regno,
                "name_zh": zh,
                "name_en": en,
                "name_other": other,
                "acronym": acronym,
                "identifiers": [("number", regno)],
                "economy": ecos.get(eco),
                "extra": {"cab_kind": kind},
            }
            for _id, regno, zh, en, other, acronym, kind, eco in rows
        ]


def accreditation_body_entities(
    session: Session, batch: int = BATCH, ids: Collection[int] | None = None
) -> Iterator[list[Entity]]:
    """Accreditation bodies: names, acronym, economy (key ``ECONOMY/ACRONYM``)."""
    ecos = _economies(session)
    A = m.AccreditationBody
    stmt = select(A.id, A.acronym, A.name_zh, A.name_en, A.name_other, A.economy_id)
    for rows in _pages(session, stmt, A.id, batch, ids):
        out = []
        for _id, acronym, zh, en, other, eco in rows:
            code = ecos.get(eco, "")
            out.append(
                {
                    "kind": "accreditation_body",
                    "key": f"{code}/{acronym}",
                    "name_zh": zh,
                    "name_en": en,
                    "name_other": other,
                    "acronym": acronym,
                    "economy": code or None,
                    "extra": {"economy": code, "acronym": acronym},
                }
            )
        yield out


def certificate_entities(
    session: Session, batch: int = BATCH, ids: Collection[int] | None = None
) -> Iterator[list[Entity]]:
    """Certificates: number; holder = the holder organization's key (found by name through
    it; its names are kept for display only); extra = issuer and standard (key
    ``CAB-REGNO/NUMBER``; economy = the holder's, else the issuer's)."""
    ecos = _economies(session)
    Ce, Ca, Org = m.Certificate, m.Cab, m.Organization
    stmt = (
        select(
            Ce.id,
            Ce.number,
            Ce.kind,
            Ce.standard,
            Ca.registration_number,
            Ca.economy_id,
            Org.key,
            Org.name_zh,
            Org.name_en,
            Org.name_other,
            Org.economy_id,
        )
        .join(Ca, Ca.id == Ce.cab_id)
        .join(Org, Org.id == Ce.organization_id)
    )
    for rows in _pages(session, stmt, Ce.id, batch, ids):
        yield [
            {
                "kind": "certificate",
                "key": f"{regno}/{number}",
                "name_zh": zh,
                "name_en": en,
                "name_other": other,
                "holder": org_key,
                "identifiers": [("certificate", number)],
                "economy": ecos.get(org_eco) if org_eco else ecos.get(cab_eco),
                "extra": {
                    "cab": regno,
                    "number": number,
                    "standard": standard,
                    "cert_kind": kind,
                    "holder": org_key,
                },
            }
            for _id, number, kind, standard, regno, cab_eco, org_key, zh, en, other, org_eco in rows
        ]


Source = Callable[[Session, int, Collection[int] | None], Iterator[list[Entity]]]
SOURCES: dict[str, Source] = {
    "organization": organization_entities,
    "cab": cab_entities,
    "accreditation_body": accreditation_body_entities,
    "certificate": certificate_entities,
}


# --- the marker ---------------------------------------------------------------------------------


def _last_audit_id(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(m.AuditEntry.id), 0))) or 0)


def get_marker(session: Session) -> int | None:
    """The last audit-trail entry whose changes the index holds (None: never recorded)."""
    value = session.scalar(select(SearchState.value).where(SearchState.name == MARKER))
    return None if value is None else int(value)


def _set_marker(session: Session, audit_id: int) -> None:
    session.execute(delete(SearchState).where(SearchState.name == MARKER))
    session.add(SearchState(name=MARKER, value=str(audit_id)))
    session.flush()


# --- full rebuild -------------------------------------------------------------------------------


def reindex(
    session: Session,
    kinds: Sequence[str] | None = None,
    *,
    batch: int = BATCH,
    on_progress: Progress | None = None,
) -> dict[str, int]:
    """(Re)build the index entities of ``kinds`` (all when None) from the registry tables.

    A full rebuild empties the index first (vocabulary included) and records the last
    audit-trail entry as the index's marker; a partial one replaces the entities of the given
    kinds. Streams the registry in batches and bulk-loads (``COPY`` on PostgreSQL) with the
    text index dropped, then builds it once. Runs in the caller's transaction (no commit);
    returns the number of entities indexed per kind.
    """
    wanted = list(KINDS) if kinds is None else [k for k in KINDS if k in set(kinds)]
    unknown = sorted(set(kinds or ()) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind(s) {unknown}; expected some of {KINDS}")
    marker = _last_audit_id(session)  # before reading the registry: later writes are redone
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    drop_search_ddl(conn)  # load first, build the text index once at the end
    deferred: list[Index] = []
    constraints: list[Constraint] = []
    if kinds is None and pg:
        # The text index is dropped for the load already, which locks the tables until the
        # commit; so empty them with TRUNCATE (no dead rows to skip) and build the B-tree
        # indexes once at the end too.
        conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        conn.execute(text("TRUNCATE search_term, search_entity, search_token"))
        clear_index(session)  # (nothing left to delete; resets the vocabulary)
        # ... and the foreign key and unique constraint, checked once at the end
        for table in (m.SearchTerm.__table__, m.SearchEntity.__table__):
            for c in sorted(table.constraints, key=lambda c: str(c.name)):  # type: ignore[attr-defined]
                if isinstance(c, ForeignKeyConstraint | UniqueConstraint):
                    conn.execute(DropConstraint(c))
                    constraints.append(c)
            for ix in sorted(table.indexes, key=lambda i: str(i.name)):  # type: ignore[attr-defined]
                ix.drop(conn)
                deferred.append(ix)
    elif kinds is None:
        clear_index(session)
    else:
        doomed = select(m.SearchEntity.id).where(m.SearchEntity.kind.in_(wanted))
        session.execute(delete(m.SearchTerm).where(m.SearchTerm.entity_id.in_(doomed)))
        session.execute(delete(m.SearchEntity).where(m.SearchEntity.kind.in_(wanted)))
    counts: dict[str, int] = {}
    for kind in wanted:
        n = 0
        # a certificate is one entity and one term: larger batches, fewer round trips
        size = batch * 5 if kind == "certificate" else batch
        for chunk in SOURCES[kind](session, size, None):
            n += index_entities(session, chunk, replace=False)
            if on_progress is not None:
                on_progress(kind, n)
        counts[kind] = n
    for ix in deferred:
        ix.create(conn)
    for c in reversed(constraints):  # the unique constraint (entities) before the foreign key
        conn.execute(AddConstraint(c))
    install_search_ddl(conn)
    if kinds is None:
        _set_marker(session, marker)
    if pg:
        conn.execute(text("ANALYZE search_entity"))
        conn.execute(text("ANALYZE search_term"))
        conn.execute(text("ANALYZE search_token"))
    return counts


def reindex_all(engine: Engine, *, on_progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the whole search index of ``engine``'s database in one transaction.

    Call it after anything that writes registry rows in bulk without an audit trail
    (``accordia demo``); ``accordia search reindex --full`` calls it."""
    with unit_of_work(engine) as session:
        return reindex(session, on_progress=on_progress)


# --- incremental ------------------------------------------------------------------------------

#: Audit-trail entities that change what the index holds.
AUDITED = ("organization", "organization_identifier", "cab", "accreditation_body", "certificate")


@dataclass
class Changes:
    """Records named by audit-trail entries, by natural key."""

    organizations: set[str] = field(default_factory=set)
    cabs: set[str] = field(default_factory=set)
    accreditation_bodies: set[tuple[str, int]] = field(default_factory=set)  # acronym, economy
    certificates: set[tuple[int, str]] = field(default_factory=set)  # cab id, number
    last_audit_id: int = 0
    entries: int = 0

    def __len__(self) -> int:
        return (
            len(self.organizations)
            + len(self.cabs)
            + len(self.accreditation_bodies)
            + len(self.certificates)
        )


def _note(ch: Changes, entity: str, snap: dict[str, Any] | None) -> None:
    if not snap:
        return
    if entity == "organization" and snap.get("key"):
        ch.organizations.add(str(snap["key"]))
    elif entity == "organization_identifier" and snap.get("organization"):
        ch.organizations.add(str(snap["organization"]))
    elif entity == "cab" and snap.get("registration_number"):
        ch.cabs.add(str(snap["registration_number"]))
    elif entity == "accreditation_body" and snap.get("acronym") and snap.get("economy_id"):
        ch.accreditation_bodies.add((str(snap["acronym"]), int(snap["economy_id"])))
    elif entity == "certificate" and snap.get("cab_id") and snap.get("number"):
        ch.certificates.add((int(snap["cab_id"]), str(snap["number"])))


def changes_since(session: Session, after_id: int, batch: int = 5000) -> Changes:
    """The records named by the audit-trail entries with an id above ``after_id`` (read in
    id-ordered batches; both the before and the after snapshot count, so a renamed or removed
    record is re-indexed or removed)."""
    ch = Changes(last_audit_id=after_id)
    A = m.AuditEntry
    last = after_id
    while True:
        rows = session.execute(
            select(A.id, A.entity, A.before, A.after).where(A.id > last).order_by(A.id).limit(batch)
        ).all()
        if not rows:
            break
        for _aid, entity, before, after in rows:
            if entity in AUDITED:
                ch.entries += 1
                _note(ch, entity, before)
                _note(ch, entity, after)
        last = int(rows[-1][0])
        if len(ch) > FULL_REBUILD_ABOVE:
            break
    ch.last_audit_id = last
    return ch


def _chunked(values: Sequence[Any], n: int = 1000) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), n):
        yield values[i : i + n]


def _apply_changes(session: Session, ch: Changes, batch: int) -> dict[str, int]:
    """Re-index the records of ``ch`` that exist, remove the index entities of those that
    do not; a changed organization's certificates are re-indexed too (their names and
    economy are the holder's)."""
    ecos = _economies(session)
    Org, Ca, AB, Ce = m.Organization, m.Cab, m.AccreditationBody, m.Certificate
    ids: dict[str, set[int]] = {k: set() for k in KINDS}
    gone: list[tuple[str, str]] = []

    org_keys = sorted(ch.organizations)
    found: dict[str, int] = {}
    for part in _chunked(org_keys):
        rows = session.execute(select(Org.id, Org.key).where(Org.key.in_(part)))
        found.update({str(k): int(i) for i, k in rows})
    ids["organization"] = set(found.values())
    gone += [("organization", k) for k in org_keys if k not in found]
    held = sorted(ids["organization"])
    for part in _chunked(held):
        ids["certificate"].update(
            int(i) for i in session.scalars(select(Ce.id).where(Ce.organization_id.in_(part)))
        )

    regnos = sorted(ch.cabs)
    found_cabs: set[str] = set()
    for part in _chunked(regnos):
        for i, r in session.execute(
            select(Ca.id, Ca.registration_number).where(Ca.registration_number.in_(part))
        ):
            ids["cab"].add(int(i))
            found_cabs.add(str(r))
    gone += [("cab", r) for r in regnos if r not in found_cabs]

    for acronym, eco in sorted(ch.accreditation_bodies):
        ab = session.scalar(select(AB.id).where(AB.acronym == acronym, AB.economy_id == eco))
        if ab is None:
            gone.append(("accreditation_body", f"{ecos.get(eco, '')}/{acronym}"))
        else:
            ids["accreditation_body"].add(int(ab))

    by_cab: dict[int, list[str]] = {}
    for cab_id, number in ch.certificates:
        by_cab.setdefault(cab_id, []).append(number)
    regno_of = {
        int(i): str(r)
        for i, r in session.execute(
            select(Ca.id, Ca.registration_number).where(Ca.id.in_(sorted(by_cab)))
        )
    }
    for cab_id, numbers in sorted(by_cab.items()):
        numbers.sort()
        present: set[str] = set()
        for part in _chunked(numbers):
            for i, n in session.execute(
                select(Ce.id, Ce.number).where(Ce.cab_id == cab_id, Ce.number.in_(part))
            ):
                ids["certificate"].add(int(i))
                present.add(str(n))
        if cab_id in regno_of:
            regno = regno_of[cab_id]
            gone += [("certificate", f"{regno}/{n}") for n in numbers if n not in present]

    counts: dict[str, int] = {}
    for kind in KINDS:
        done = 0
        if ids[kind]:
            for chunk in SOURCES[kind](session, batch, ids[kind]):
                done += index_entities(session, chunk, replace=True)
        counts[kind] = done
    counts["removed"] = remove_entities(session, gone) if gone else 0
    return counts


def reindex_changes(
    session: Session, *, batch: int = BATCH, on_progress: Progress | None = None
) -> dict[str, int]:
    """Bring the index up to date with the registry changes recorded in the audit trail
    since the index's marker: only the records they name are re-indexed (or removed).

    Falls back to a full :func:`reindex` when the index was never built with a marker, or
    when more than :data:`FULL_REBUILD_ABOVE` records changed. Runs in the caller's
    transaction; returns counts per kind (``removed`` for removals, ``full`` = 1 when it
    rebuilt everything)."""
    marker = get_marker(session)
    if marker is None or index_is_empty(session):
        return {**reindex(session, batch=batch, on_progress=on_progress), "full": 1}
    ch = changes_since(session, marker)
    if len(ch) > FULL_REBUILD_ABOVE:
        return {**reindex(session, batch=batch, on_progress=on_progress), "full": 1}
    counts = _apply_changes(session, ch, batch) if len(ch) else {k: 0 for k in KINDS}
    if on_progress is not None:
        for kind in KINDS:
            on_progress(kind, counts.get(kind, 0))
    if ch.last_audit_id != marker:
        _set_marker(session, ch.last_audit_id)
    return {**counts, "full": 0}


def update_index(engine: Engine, *, on_progress: Progress | None = None) -> dict[str, int]:
    """:func:`reindex_changes` in its own transaction (``accordia import``,
    ``accordia search reindex``)."""
    with unit_of_work(engine) as session:
        return reindex_changes(session, on_progress=on_progress)


# --- filters the index does not hold: standard, status on a date --------------------------

#: ``--status`` values: the statuses of :class:`accordia.domain.status.Status`, and ``valid``
#: (= active: issued, not suspended, withdrawn or expired on that date).
STATUS_CHOICES: tuple[str, ...] = ("valid", *(s.value for s in Status))


class FilterError(ValueError):
    """A filter value the registry cannot use; ``field`` names the parameter."""

    def __init__(self, field_name: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.rule = rule
        self.message = message


def _std_key(code: str) -> str:
    k = re.sub(r"[^0-9a-z]", "", code.casefold())
    return k.replace("isoiec", "iso")


def resolve_standard(session: Session, value: str) -> list[str]:
    """The registry's standard codes ``value`` names: spaces, punctuation, case and the
    ``/IEC`` of ``ISO/IEC`` are ignored, and ``:year`` too unless ``value`` gives one
    (``ISO9001``, ``iso 9001:2015`` and ``ISO 9001`` all name ``ISO 9001``)."""
    want = value.strip()
    if not want:
        raise FilterError("standard", "required", "--standard is empty")
    codes = [str(c) for c in session.scalars(select(m.Standard.code))]
    q_full = _std_key(want)
    q_base = _std_key(want.split(":")[0])
    out = [
        c
        for c in codes
        if _std_key(c) == q_full or (":" not in want and _std_key(c.split(":")[0]) == q_base)
    ]
    if not out:
        raise FilterError(
            "standard", "unknown_standard", f"standard {value!r} is not in the registry"
        )
    return out


def parse_status(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip().lower().replace("-", "_")
    if v not in STATUS_CHOICES:
        raise FilterError(
            "status",
            "choice",
            f"status {value!r} is not one of {', '.join(STATUS_CHOICES)}",
        )
    return v


def _status_matches(st: Status, wanted: str) -> bool:
    return st == Status.ACTIVE if wanted == "valid" else st.value == wanted


@dataclass(frozen=True)
class RegistryFilter:
    """Standard and/or status on a date, applied to certificate and organization hits.

    A certificate passes when it is of one of ``standards`` and its status on ``on`` —
    :func:`accordia.domain.status.status_on` over its events, with its printed expiry — is
    ``status``; an organization when it holds such a certificate. Other kinds hold no
    certificates and are dropped. Each passing hit's ``extra["filter"]`` says why."""

    standards: tuple[str, ...] | None
    status: str | None
    on: dt.date

    def __call__(self, session: Session, hits: list[SearchHit]) -> list[SearchHit]:
        certs = [h for h in hits if h.kind == "certificate"]
        orgs = [h for h in hits if h.kind == "organization"]
        cert_ok = self._certificates_by_key(session, [h.key for h in certs])
        org_ok = self._organizations(session, [h.key for h in orgs])
        out = []
        for h in hits:
            evidence = cert_ok.get(h.key) if h.kind == "certificate" else None
            if h.kind == "organization":
                evidence = org_ok.get(h.key)
            if evidence is None:
                continue
            out.append(replace(h, extra={**(h.extra or {}), "filter": evidence}))
        return out

    def _rows(self, session: Session, where: Any) -> list[Any]:
        Ce, Ca, Org = m.Certificate, m.Cab, m.Organization
        stmt = (
            select(Ce.id, Ce.number, Ce.standard, Ce.expires_on, Ca.registration_number, Org.key)
            .join(Ca, Ca.id == Ce.cab_id)
            .join(Org, Org.id == Ce.organization_id)
            .where(where)
        )
        if self.standards is not None:
            stmt = stmt.where(Ce.standard.in_(self.standards))
        return list(session.execute(stmt))

    def _evidence(self, session: Session, rows: list[Any]) -> dict[int, dict[str, Any]]:
        """Certificate id → evidence, for the rows that pass."""
        events: dict[int, list[Event]] = {}
        ids = sorted({int(r.id) for r in rows})
        if self.status is not None:
            E = m.CertificateEvent
            for part in _chunked(ids):
                for pid, kind, eff, rec in session.execute(
                    select(E.parent_id, E.kind, E.effective_on, E.recorded_at).where(
                        E.parent_id.in_(part)
                    )
                ):
                    events.setdefault(int(pid), []).append(Event(str(kind), eff, rec))
        out: dict[int, dict[str, Any]] = {}
        for r in rows:
            doc: dict[str, Any] = {"certificate": f"{r.registration_number}/{r.number}"}
            doc["standard"] = r.standard
            if self.status is not None:
                st = status_on(events.get(int(r.id), []), self.on, valid_until=r.expires_on)
                if not _status_matches(st, self.status):
                    continue
                doc["status_on"] = st.value
                doc["on"] = self.on.isoformat()
            out[int(r.id)] = doc
        return out

    def _certificates_by_key(self, session: Session, keys: list[str]) -> dict[str, Any]:
        if not keys:
            return {}
        pairs = sorted({tuple(k.split("/", 1)) for k in keys if "/" in k})
        regnos = sorted({p[0] for p in pairs})
        cab_ids = {
            str(r): int(i)
            for i, r in session.execute(
                select(m.Cab.id, m.Cab.registration_number).where(
                    m.Cab.registration_number.in_(regnos)
                )
            )
        }
        wanted = [(cab_ids[r], n) for r, n in pairs if r in cab_ids]
        rows = []
        for part in _chunked(wanted, 500):
            rows += self._rows(
                session, tuple_(m.Certificate.cab_id, m.Certificate.number).in_(part)
            )
        ev = self._evidence(session, rows)
        return {
            f"{r.registration_number}/{r.number}": ev[int(r.id)] for r in rows if int(r.id) in ev
        }

    def _organizations(self, session: Session, keys: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for part in _chunked(sorted(set(keys)), 500):
            rows = self._rows(session, m.Organization.key.in_(part))
            ev = self._evidence(session, rows)
            for r in sorted(rows, key=lambda r: (r.key, r.registration_number, r.number)):
                if int(r.id) in ev and r.key not in out:
                    out[r.key] = ev[int(r.id)]
        return out


def registry_filter(
    session: Session,
    *,
    standard: str | None = None,
    status: str | None = None,
    on: dt.date | None = None,
) -> RegistryFilter | None:
    """The post-filter for ``standard`` and ``status`` on ``on`` (today when not given), or
    None when neither is given. Raises :class:`FilterError` on a value the registry cannot use
    (unknown standard, unknown status, ``on`` without ``status``)."""
    st = parse_status(status)
    if on is not None and st is None:
        raise FilterError("on", "requires_status", "--on needs --status (the status on that date)")
    if standard is None and st is None:
        return None
    stds = tuple(resolve_standard(session, standard)) if standard is not None else None
    return RegistryFilter(stds, st, on or dt.datetime.now(dt.UTC).date())


def search_registry(
    session: Session,
    query: str,
    *,
    kinds: Sequence[str] | None = None,
    economy: str | None = None,
    limit: int = 10,
    standard: str | None = None,
    status: str | None = None,
    on: dt.date | None = None,
) -> SearchResponse:
    """:func:`accordia.search.search` with the registry's filters (standard, status on a
    date); the response's ``filters`` say which were applied. Raises :class:`FilterError`."""
    flt = registry_filter(session, standard=standard, status=status, on=on)
    resp = search(session, query, kinds=kinds, economy=economy, limit=limit, post_filter=flt)
    if flt is None:
        return resp
    filters = replace(
        resp.filters,
        standard=", ".join(flt.standards) if flt.standards else None,
        status=flt.status,
        status_on=flt.on.isoformat() if flt.status else None,
    )
    return replace(resp, filters=filters)
