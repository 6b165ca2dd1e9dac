"""Feed the search index from the registry tables (see docs/search.md, "Feeding the index").

:func:`reindex` (re)builds the index entities of organizations, CABs, accreditation bodies and
certificates, streaming the registry in id-ordered batches (keyset pagination), so memory stays
flat at millions of rows. The engine-specific text index (SQLite FTS5 table and triggers,
PostgreSQL pg_trgm GIN index) is dropped for the load and rebuilt once at the end, which is
far faster than maintaining it row by row. :func:`reindex_all` is the one-call form for
commands (``accordia search --reindex``, and after ``accordia demo`` / ``accordia import``).

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

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.session import unit_of_work
from accordia.models.search import drop_search_ddl, install_search_ddl
from accordia.search import KINDS, clear_index, index_entities
from accordia.search.normalize import identifier_norm, identifier_scheme

#: Registry rows read (and index entities written) per batch.
BATCH = 2000

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


def _pages(session: Session, stmt: Any, id_col: Any, batch: int) -> Iterator[list[Any]]:
    """Rows of ``stmt`` in batches, ordered by ``id_col`` (keyset pagination: no OFFSET)."""
    last = 0
    while True:
        rows = session.execute(stmt.where(id_col > last).order_by(id_col).limit(batch)).all()
        if not rows:
            return
        yield list(rows)
        last = int(rows[-1][0])


def organization_entities(session: Session, batch: int = BATCH) -> Iterator[list[Entity]]:
    """Organizations: names (zh/en/other), USCC/LEI and other identifiers, economy."""
    ecos = _economies(session)
    Org = m.Organization
    stmt = select(Org.id, Org.key, Org.name_zh, Org.name_en, Org.name_other, Org.economy_id)
    for rows in _pages(session, stmt, Org.id, batch):
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
            ids = idents.get(int(oid), [])
            # The key is by convention the USCC or LEI: index it as one when it checks out.
            key_scheme = identifier_scheme(identifier_norm(key))
            if key_scheme and not any(identifier_norm(v) == identifier_norm(key) for _s, v in ids):
                ids.append((key_scheme.upper(), key))
            out.append(
                {
                    "kind": "organization",
                    "key": key,
                    "name_zh": zh,
                    "name_en": en,
                    "name_other": other,
                    "identifiers": ids,
                    "economy": ecos.get(eco) if eco else None,
                }
            )
        yield out


def cab_entities(session: Session, batch: int = BATCH) -> Iterator[list[Entity]]:
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
    for rows in _pages(session, stmt, C.id, batch):
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


def accreditation_body_entities(session: Session, batch: int = BATCH) -> Iterator[list[Entity]]:
    """Accreditation bodies: names, acronym, economy (key ``ECONOMY/ACRONYM``)."""
    ecos = _economies(session)
    A = m.AccreditationBody
    stmt = select(A.id, A.acronym, A.name_zh, A.name_en, A.name_other, A.economy_id)
    for rows in _pages(session, stmt, A.id, batch):
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


def certificate_entities(session: Session, batch: int = BATCH) -> Iterator[list[Entity]]:
    """Certificates: number; names = the holder's names; extra = issuer and standard
    (key ``CAB-REGNO/NUMBER``; economy = the holder's, else the issuer's)."""
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
    for rows in _pages(session, stmt, Ce.id, batch):
        yield [
            {
                "kind": "certificate",
                "key": f"{regno}/{number}",
                "name_zh": zh,
                "name_en": en,
                "name_other": other,
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


SOURCES: dict[str, Callable[[Session, int], Iterator[list[Entity]]]] = {
    "organization": organization_entities,
    "cab": cab_entities,
    "accreditation_body": accreditation_body_entities,
    "certificate": certificate_entities,
}


def reindex(
    session: Session,
    kinds: Sequence[str] | None = None,
    *,
    batch: int = BATCH,
    on_progress: Progress | None = None,
) -> dict[str, int]:
    """(Re)build the index entities of ``kinds`` (all when None) from the registry tables.

    A full rebuild empties the index first (vocabulary included); a partial one replaces the
    entities of the given kinds. Runs in the caller's transaction (no commit); returns the
    number of entities indexed per kind.
    """
    wanted = list(KINDS) if kinds is None else [k for k in KINDS if k in set(kinds)]
    unknown = sorted(set(kinds or ()) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kind(s) {unknown}; expected some of {KINDS}")
    conn = session.connection()
    drop_search_ddl(conn)  # load first, build the text index once at the end
    if kinds is None:
        clear_index(session)
    else:
        doomed = select(m.SearchEntity.id).where(m.SearchEntity.kind.in_(wanted))
        session.execute(delete(m.SearchTerm).where(m.SearchTerm.entity_id.in_(doomed)))
        session.execute(delete(m.SearchEntity).where(m.SearchEntity.kind.in_(wanted)))
    counts: dict[str, int] = {}
    for kind in wanted:
        n = 0
        for chunk in SOURCES[kind](session, batch):
            n += index_entities(session, chunk, replace=False)
            if on_progress is not None:
                on_progress(kind, n)
        counts[kind] = n
    install_search_ddl(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE search_entity"))
        conn.execute(text("ANALYZE search_term"))
        conn.execute(text("ANALYZE search_token"))
    return counts


def reindex_all(engine: Engine, *, on_progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the whole search index of ``engine``'s database in one transaction.

    Call it after anything that writes registry rows in bulk: ``accordia demo`` and
    ``accordia import`` (and ``accordia search --reindex`` calls it)."""
    with unit_of_work(engine) as session:
        return reindex(session, on_progress=on_progress)
