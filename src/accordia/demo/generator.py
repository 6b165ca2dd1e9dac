"""The demo world: synthetic CABs, organizations, accreditations and certificates on top of the
real reference data, deterministic for a given seed and scale, labelled synthetic in every
record's ``source``.

The scale is the number of certificates (organizations: one per ten). Rows are generated as a
stream in tight loops — strings built once per CAB, dates as day numbers, the surveillance
calendar and audit times memoised — and written in batches of :data:`CHUNK`: binary ``COPY`` on
a background thread on PostgreSQL (Python builds the next batch while the database stores the
last), ``executemany`` on SQLite. Memory stays flat up to 10 million certificates. From
:data:`DEFER_INDEXES_FROM` certificates on, PostgreSQL loads the big tables without their
secondary indexes and foreign keys and re-creates them (validated) before the commit.

The first :data:`FAST_FROM` certificates (the showcases and the planted irregularities among
them) go through :func:`_certificate`, the readable reference; :func:`_ordinary_certificates`
writes the rest and draws from the random generator in exactly the same order, so the world is
the same row for row whichever path writes it (``tests/test_demo_generator.py``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.base import table_of
from accordia.db.bulk import BulkWriter, CopyPipe, RowStream, deferred_indexes
from accordia.db.types import utcnow
from accordia.demo.names import (
    INDUSTRIES,
    chinese_industry,
    chinese_org,
    uscc,
    western_industry,
    western_org,
)
from accordia.domain.audit_time import audit_time
from accordia.domain.cycle import add_months
from accordia.domain.identifiers import normalize_number
from accordia.domain.status import EventKind
from accordia.models.supervision import CertificationAudit

SOURCE = "SYNTHETIC DEMO DATA (accordia demo, seed {seed}); not a real record"
TODAY = dt.date(2026, 11, 27)  # the demo world is anchored on a fixed date, for determinism

# economy → (accreditation body acronym, share of CABs)
CAB_ECONOMIES = [
    ("CN", "CNAS", 0.70),
    ("GB", "UKAS", 0.10),
    ("DE", "DAkkS", 0.10),
    ("NZ", "IANZ", 0.05),
    ("US", "ANAB", 0.05),
]
MS_STANDARDS = [("ISO 9001", 0.6), ("ISO 14001", 0.25), ("ISO 45001", 0.15)]


@dataclass
class Showcase:
    """Fixed records that documentation, tests and the browser journeys refer to."""

    valid: str = "DEMO-Q-000001"
    suspended: str = "DEMO-Q-000002"
    withdrawn_accreditation: str = "DEMO-Q-000003"
    product: str = "DEMO-P-000001"
    test_report: str = "DEMO-T-000001"
    cab: str = "DEMO-R-CN-0001"


@dataclass
class Planted:
    """A deliberate irregularity planted for supervision to find (issue 7)."""

    rule: str
    certificate: str
    cab: str
    note: str


@dataclass
class DemoResult:
    scale: int
    counts: dict[str, int]
    showcase: Showcase
    planted: list[Planted] = field(default_factory=list)


class _Ids:
    """Explicit primary keys, so child rows can refer to parents without RETURNING."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.next: dict[str, int] = {}
        self.used: set[str] = set()  # tables some id was taken from

    def peek(self, model: type[m.Base]) -> int:  # type: ignore[name-defined]
        """The next id of ``model``'s table, not taken."""
        name = model.__tablename__
        if name not in self.next:
            current = self.session.execute(select(func.max(model.id))).scalar() or 0
            self.next[name] = current + 1
        return self.next[name]

    def take(self, model: type[m.Base]) -> int:  # type: ignore[name-defined]
        value = self.peek(model)
        self.next[model.__tablename__] = value + 1
        self.used.add(model.__tablename__)
        return value

    def advance(self, model: type[m.Base], next_id: int) -> None:  # type: ignore[name-defined]
        """Record that ids below ``next_id`` were taken by a tight loop that counted itself."""
        if next_id > self.peek(model):
            self.next[model.__tablename__] = next_id
            self.used.add(model.__tablename__)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 1)))


# modules that add their own demo records after the registry world (inspections, discipline);
# each is optional: one that is not installed is skipped
DEMO_EXTRAS = ("accordia.demo.inspections", "accordia.demo.discipline")
# from this scale on, PostgreSQL loads the big tables without their secondary indexes and
# foreign keys and builds them once at the end (see accordia.db.bulk.deferred_indexes)
DEFER_INDEXES_FROM = 100_000
# the big tables the generator streams into
_STREAMED = (
    "organization",
    "site",
    "organization_identifier",
    "certificate",
    "certificate_scope_item",
    "certificate_event",
    "certification_audit",
)


def generate(
    engine: Engine,
    scale: int = 5000,
    seed: int = 42,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    index: bool = True,
    defer_indexes: bool | None = None,
) -> DemoResult:
    """Build the demo world into an upgraded database that has the reference data, then (unless
    ``index`` is False, as benchmarks that time other things ask) build the search index.

    ``defer_indexes`` (PostgreSQL; default: from :data:`DEFER_INDEXES_FROM` certificates on)
    drops the secondary indexes and foreign keys of the streamed tables for the load and
    re-creates them, validated, before the transaction commits; the tables stay locked until
    then."""
    rng = random.Random(seed)
    source = SOURCE.format(seed=seed)
    now = utcnow()
    showcase = Showcase()
    planted: list[Planted] = []
    if defer_indexes is None:
        defer_indexes = scale >= DEFER_INDEXES_FROM
    with engine.begin() as conn:
        session = Session(bind=conn)
        if session.execute(
            select(m.Cab.id).filter(m.Cab.registration_number == showcase.cab)
        ).first():
            raise RuntimeError("the demo world is already in this database")
        ids = _Ids(session)
        eco = dict(session.execute(select(m.Economy.code, m.Economy.id)).all())
        abs_ = {
            acr: ab_id
            for acr, ab_id in session.execute(
                select(m.AccreditationBody.acronym, m.AccreditationBody.id)
            )
        }
        w = BulkWriter(conn)
        _ensure_demo_bodies(w, ids, eco, abs_, source, now)
        cabs = _cabs(w, ids, eco, abs_, rng, scale, source, now, showcase)
        n_org = max(60, scale // 10)
        with deferred_indexes(conn, _STREAMED, enabled=defer_indexes):
            orgs = _organizations(w, ids, eco, n_org, source, now)
            _certificates(
                w, ids, rng, scale, cabs, orgs, source, now, showcase, planted, on_progress
            )
        _market_rules(w, ids, session, eco, source, now)
        w.flush()
        if w.pg:
            for table, next_id in ids.next.items():
                if table not in ids.used:
                    continue
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {next_id - 1})")
                )
            conn.execute(text("ANALYZE"))
        conn.execute(
            insert(m.AuditEntry),
            [
                {
                    "at": now,
                    "actor": "demo",
                    "action": "create",
                    "entity": "demo",
                    "record_key": f"seed={seed} scale={scale}",
                    "after": dict(w.counts),
                    "operation": f"demo-{seed}",
                    "before": None,
                    "message": source,
                }
            ],
        )
        session.close()
    seed_extras(engine, seed=seed, scale=scale)
    if index:
        from accordia.services.search_index import reindex_all

        reindex_all(engine)
    return DemoResult(scale, dict(w.counts), showcase, planted)


def seed_extras(engine: Engine, *, seed: int, scale: int) -> list[str]:
    """Call ``seed(engine, seed=..., scale=...)`` of each installed module of
    :data:`DEMO_EXTRAS`, in order; the names of those that ran."""
    ran = []
    for name in DEMO_EXTRAS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise  # the module exists but something it imports does not
            continue
        module.seed(engine, seed=seed, scale=scale)
        ran.append(name)
    return ran


def _ensure_demo_bodies(
    w: BulkWriter,
    ids: _Ids,
    eco: dict[str, int],
    abs_: dict[str, int],
    source: str,
    now: dt.datetime,
) -> None:
    """Accreditation bodies the demo needs that the reference data may not hold."""
    for acr, code, name in [
        ("CNAS", "CN", "China National Accreditation Service for Conformity Assessment"),
        ("UKAS", "GB", "United Kingdom Accreditation Service"),
        ("DAkkS", "DE", "Deutsche Akkreditierungsstelle"),
        ("IANZ", "NZ", "International Accreditation New Zealand"),
        ("ANAB", "US", "ANSI National Accreditation Board"),
    ]:
        if acr in abs_:
            continue
        ab_id = ids.take(m.AccreditationBody)
        w.add(
            m.AccreditationBody.__table__,
            {
                "id": ab_id,
                "acronym": acr,
                "economy_id": eco[code],
                "name_en": name,
                "name_zh": None,
                "name_other": None,
                "website": None,
                "organization_id": None,
                "source": source,
                "recorded_at": now,
            },
        )
        abs_[acr] = ab_id
    w.flush()


# Supervision plants (issue 7): fixed CAB indices (all management-system CBs at any scale)
MILL_CAB = 6  # one auditor, a burst of certificates in one year: a "certificate mill"
SUSPENDED_MS_CAB = 7  # accreditation suspended March–May 2024
PLAIN_CABS = (8, 9)  # clean CABs for the other plants
MILL_LIMIT = 30  # max_certificates_per_auditor_year of the certificate_mill rule


def _auditors(i: int, drawn: int, scale: int, n_cabs: int) -> int:
    """Auditors of CAB ``i``: the mill has one; every other CAB has enough for twice its
    expected yearly issuing (certificates spread over 3.5 years), so no accidental mill."""
    if i == MILL_CAB:
        return 1
    per_year = scale / max(n_cabs, 1) / 3.5 * 1.5
    return max(drawn, -(-int(per_year * 2) // MILL_LIMIT))


@dataclass
class _Cab:
    id: int
    regno: str
    kind: str
    economy: str
    accreditation_id: int
    ab_id: int
    scope: list[str]
    suspended: tuple[dt.date, dt.date] | None = None
    withdrawn_on: dt.date | None = None


def _cabs(
    w: BulkWriter,
    ids: _Ids,
    eco: dict[str, int],
    abs_: dict[str, int],
    rng: random.Random,
    scale: int,
    source: str,
    now: dt.datetime,
    showcase: Showcase,
) -> list[_Cab]:
    n = max(12, min(1500, scale // 5000))
    out: list[_Cab] = []
    for i in range(n):
        r = (i * 0.6180339887) % 1.0
        acc_share = 0.0
        code, ab = CAB_ECONOMIES[0][0], CAB_ECONOMIES[0][1]
        for eco_code, a, share in CAB_ECONOMIES:
            acc_share += share
            if r < acc_share:
                code, ab = eco_code, a
                break
        if i == 0:
            code, ab = "CN", "CNAS"
        kind = "ms_cb" if i % 6 not in (4, 5) else ("product_cb" if i % 6 == 4 else "testing_lab")
        if i < 3:
            kind = ["ms_cb", "product_cb", "testing_lab"][i]
        regno = f"DEMO-R-{code}-{i + 1:04d}"
        cab_id = ids.take(m.Cab)
        zh, en, _div, _ind = chinese_org(7919 * (i + 1))
        suffix = {
            "ms_cb": ("认证有限公司", "Certification Co., Ltd."),
            "product_cb": ("产品认证中心", "Product Certification Centre"),
            "testing_lab": ("检测技术有限公司", "Testing Technology Co., Ltd."),
        }[kind]
        base_zh = zh[: zh.index(_ind[0])] if code == "CN" else None
        base_en = " ".join(en.split()[:2])
        w.add(
            m.Cab.__table__,
            {
                "id": cab_id,
                "registration_number": regno,
                "kind": kind,
                "acronym": None,
                "name_zh": f"{base_zh}{suffix[0]}" if base_zh else None,
                "name_en": f"{base_en} {suffix[1]}",
                "name_other": None,
                "economy_id": eco[code],
                "website": None,
                "organization_id": None,
                "auditor_count": _auditors(i, 4 if i == 5 else rng.randint(20, 120), scale, n),
                "source": source,
                "recorded_at": now,
            },
        )
        w.add(
            m.BodyApprovalEvent.__table__,
            {
                "id": ids.take(m.BodyApprovalEvent),
                "parent_id": cab_id,
                "kind": "granted",
                "effective_on": dt.date(2012, 1, 1) + dt.timedelta(days=37 * (i % 100)),
                "recorded_at": now,
                "source": source,
                "note": None,
                "scope": None,
                "regulator_id": None,
            },
        )
        acc_id = ids.take(m.Accreditation)
        cab_standard = {
            "ms_cb": "ISO/IEC 17021-1",
            "product_cb": "ISO/IEC 17065",
            "testing_lab": "ISO/IEC 17025",
        }[kind]
        if kind == "ms_cb":
            sectors = sorted(
                {"19", "18", "17", "3", "28", "12", "4", "33", "31", "14", "9", "23"}
                - ({"28"} if i % 3 == 1 else set()),
                key=int,
            )
            scope = ["STD:ISO 9001", "STD:ISO 14001", "STD:ISO 45001", "STD:ISO 22000"] + [
                f"IAF:{s}" for s in sectors
            ]
        else:
            scope = ["STD:IEC 60335-1", "HS:85", "HS:94"]
        # modulo 100: every CAB is approved and accredited years before the certificates
        granted = dt.date(2014, 3, 1) + dt.timedelta(days=29 * (i % 100))
        w.add(
            m.Accreditation.__table__,
            {
                "id": acc_id,
                "accreditation_body_id": abs_[ab],
                "number": f"{ab} DEMO-{i + 1:04d}",
                "cab_id": cab_id,
                "cab_standard": cab_standard,
                "valid_until": None,
                "source": source,
                "recorded_at": now,
            },
        )
        for item in scope:
            w.add(
                m.AccreditationScopeItem.__table__,
                {
                    "id": ids.take(m.AccreditationScopeItem),
                    "accreditation_id": acc_id,
                    "item": item,
                },
            )
        _event(w, ids, m.AccreditationEvent, acc_id, "granted", granted, source, now)
        c = _Cab(cab_id, regno, kind, code, acc_id, abs_[ab], scope)
        if i == 2 % n or (i > 10 and i % 11 == 0) or i == SUSPENDED_MS_CAB:
            # accreditation suspended for three months, then restored
            c.suspended = (
                (dt.date(2024, 3, 1), dt.date(2024, 5, 31))
                if i == SUSPENDED_MS_CAB
                else (dt.date(2023, 3, 1), dt.date(2023, 5, 31))
            )
            _event(w, ids, m.AccreditationEvent, acc_id, "suspended", c.suspended[0], source, now)
            _event(
                w,
                ids,
                m.AccreditationEvent,
                acc_id,
                "restored",
                c.suspended[1] + dt.timedelta(days=1),
                source,
                now,
            )
        if i == 3 or (i > 10 and i % 17 == 0):
            c.withdrawn_on = dt.date(2025, 6, 30)
            _event(w, ids, m.AccreditationEvent, acc_id, "withdrawn", c.withdrawn_on, source, now)
        out.append(c)
    w.flush()
    return out


def _event(
    w: BulkWriter,
    ids: _Ids,
    model: type[Any],
    parent: int,
    kind: str,
    on: dt.date,
    source: str,
    now: dt.datetime,
    note: str | None = None,
) -> None:
    w.add(
        model.__table__,
        {
            "id": ids.take(model),
            "parent_id": parent,
            "kind": kind,
            "effective_on": on,
            "recorded_at": now,
            "source": source,
            "note": note,
            "scope": None,
        },
    )


@dataclass
class _Orgs:
    """The demo organizations by stream index, kept compactly (flat memory at 1 M): their ids
    are consecutive from ``first_id``; ``industry`` indexes :data:`names.INDUSTRIES`."""

    first_id: int
    industry: array[int]
    sites: array[int]

    def __len__(self) -> int:
        return len(self.sites)

    def id(self, i: int) -> int:
        return self.first_id + i

    def sector(self, i: int) -> str:
        return str(INDUSTRIES[self.industry[i]][2])

    def hs(self, i: int) -> str | None:
        return INDUSTRIES[self.industry[i]][3]


CHUNK = 20_000  # rows of the leading table per flush of the streams


def _flush(w: BulkWriter, streams: list[RowStream], pipe: CopyPipe | None = None) -> None:
    """Write the streams' buffered rows, parents first, and count them."""
    for s in streams:
        n = s.flush(pipe)
        if n:
            w.counts[s.name] = w.counts.get(s.name, 0) + n


def _organizations(
    w: BulkWriter,
    ids: _Ids,
    eco: dict[str, int],
    n: int,
    source: str,
    now: dt.datetime,
) -> _Orgs:
    const = {"source": source, "recorded_at": now}
    conn = w.conn
    org_s = RowStream(
        conn,
        table_of(m.Organization),
        ("id", "key", "name_zh", "name_en", "economy_id"),
        {"name_other": None, "address_zh": None, "address_en": None, **const},
    )
    site_s = RowStream(
        conn,
        table_of(m.Site),
        ("id", "organization_id", "key", "name_en", "economy_id"),
        {"name_zh": None, "address_zh": None, "address_en": None, **const},
    )
    ident_s = RowStream(
        conn,
        table_of(m.OrganizationIdentifier),
        ("id", "organization_id", "value"),
        {"scheme": "USCC", **const},
    )
    streams = [org_s, site_s, ident_s]
    emit_org, emit_site, emit_ident = (s.emitter() for s in streams)
    first = org_id = ids.peek(m.Organization)
    site_id = ids.peek(m.Site)
    ident_id = ids.peek(m.OrganizationIdentifier)
    industry = array("B", bytes(n))
    site_counts = array("B", bytes(n))
    eco_cn = eco["CN"]
    western = [(code, eco[code]) for code in ("GB", "DE", "NZ", "US")]
    with CopyPipe(conn) as pipe:
        for i in range(n):
            zh: str | None
            sites = 1 if i % 25 else 4 + (i // 25) % 12
            if i % 10 < 8:
                zh, en, division, _ind = chinese_org(i)
                key = uscc(division, 10_000_000 + i)
                economy_id = eco_cn
                industry[i] = chinese_industry(i)
            else:
                code, economy_id = western[i % 4]
                en, _ind = western_org(i, code)
                zh = None
                key = f"DEMO-ORG-{code}-{i:07d}"
                industry[i] = western_industry(i)
            site_counts[i] = sites
            emit_org((org_id, key, zh, en, economy_id))
            if sites > 1:
                for s in range(1, sites + 1):
                    emit_site((site_id, org_id, f"S{s}", f"Site {s}", economy_id))
                    site_id += 1
            if economy_id == eco_cn:
                emit_ident((ident_id, org_id, key))
                ident_id += 1
            org_id += 1
            if i % CHUNK == CHUNK - 1:
                _flush(w, streams, pipe)
        _flush(w, streams, pipe)
    ids.advance(m.Organization, org_id)
    ids.advance(m.Site, site_id)
    ids.advance(m.OrganizationIdentifier, ident_id)
    return _Orgs(first, industry, site_counts)


MS_ROTATION = ("ISO 9001", "ISO 14001", "ISO 45001", "ISO 22000")


@dataclass
class _Plant:
    """One planted irregularity: the certificate's forced properties."""

    rule: str | None
    cab: int  # index into the CAB list
    org: int  # index into the organization list
    standard: str
    issued: dt.date
    note: str


def _plants(scale: int) -> dict[int, _Plant]:
    """Stream index → plant. Fixed indices below 200, so every rule is planted at any scale
    ≥ 200; the organizations (40–59) are never a showcase's (0, 7, 14)."""
    a, b = PLAIN_CABS
    plan = {
        7: _Plant(
            "issued_outside_scope",
            a,
            51,
            "ISO 9001",
            dt.date(2024, 4, 15),
            "scope item IAF:38 is in no CAB's accreditation",
        ),
        11: _Plant(
            "issued_while_suspended",
            SUSPENDED_MS_CAB,
            52,
            "ISO 9001",
            dt.date(2024, 3, 11),
            "issued during the CAB's accreditation suspension",
        ),
        13: _Plant(
            "validity_exceeds_cycle",
            b,
            53,
            "ISO 9001",
            dt.date(2024, 4, 15),
            "printed validity of four years",
        ),
        17: _Plant(
            "surveillance_overdue",
            a,
            54,
            "ISO 9001",
            dt.date(2024, 2, 10),
            "no surveillance audit at all",
        ),
        19: _Plant(
            "expired_shown_valid",
            b,
            55,
            "ISO 9001",
            dt.date(2022, 1, 15),
            "expired 2025-01-14, surveillance recorded on 2025-03-03",
        ),
        21: _Plant(
            "suspension_beyond_limit",
            a,
            56,
            "ISO 14001",
            dt.date(2024, 6, 3),
            "suspended 2024-12-20, never restored nor withdrawn",
        ),
        23: _Plant(
            "audit_time_below_md5",
            b,
            57,
            "ISO 9001",
            dt.date(2024, 4, 15),
            "initial audit half a day below the IAF MD 5 minimum",
        ),
        27: _Plant(
            "sample_below_md1",
            a,
            50,
            "ISO 9001",
            dt.date(2024, 4, 15),
            "6 sites (x = 5): 2 visited, IAF MD 1 needs 3",
        ),
        29: _Plant(
            "issued_too_soon",
            b,
            58,
            "ISO 9001",
            dt.date(2024, 4, 15),
            "issued 3 days after the application",
        ),
        31: _Plant(None, a, 59, "ISO 14001", dt.date(2024, 1, 15), "first of a concurrent pair"),
        33: _Plant(
            "concurrent_certification",
            b,
            59,
            "ISO 14001",
            dt.date(2025, 2, 1),
            "the organization already held ISO 14001 from another CAB",
        ),
    }
    for k in range(MILL_LIMIT + 1):
        plan[37 + k] = _Plant(
            "certificate_mill" if k == 0 else None,
            MILL_CAB,
            40 + k % 5,
            "ISO 45001",
            dt.date(2025, 1, 6) + dt.timedelta(days=11 * k),
            f"{MILL_LIMIT + 1} certificates in 2025 from one auditor",
        )
    return {n: p for n, p in plan.items() if n < scale}


def _clean_issue_date(issued: dt.date, cab: _Cab) -> dt.date:
    """Move an ordinary certificate's issue date out of its CAB's suspension and before its
    CAB's withdrawal, so only the plants break the rules."""
    if cab.suspended and cab.suspended[0] <= issued <= cab.suspended[1]:
        issued = cab.suspended[1] + dt.timedelta(days=1 + (issued - cab.suspended[0]).days)
    if cab.withdrawn_on and issued >= cab.withdrawn_on:
        back = 1 + (issued - cab.withdrawn_on).days % 365
        issued = cab.withdrawn_on - dt.timedelta(days=back)
    return issued


def _surveillance(
    issued: dt.date,
    expires: dt.date | None,
    first_offset: int,
    suspended: tuple[dt.date, dt.date] | None,
    ended: dt.date | None,
) -> list[dt.date]:
    """Surveillance dates that meet ISO/IEC 17021-1: yearly from 300–340 days after the
    decision (within 12 months, one in every calendar year of the cycle), none while the
    certificate is suspended, after it ended, after its expiry or after the demo's today."""
    last = min(d for d in (expires, TODAY, ended and ended - dt.timedelta(days=1)) if d)
    out = []
    s = issued + dt.timedelta(days=first_offset)
    while s <= last:
        if not (suspended and suspended[0] <= s < suspended[1]):
            out.append(s)
        s = add_months(s, 12)
    return out


class _CertOut:
    """The certificate streams, their emitters and id counters."""

    def __init__(self, w: BulkWriter, ids: _Ids, source: str, now: dt.datetime) -> None:
        conn = w.conn
        const = {"source": source, "recorded_at": now}
        self.certs = RowStream(
            conn,
            table_of(m.Certificate),
            (
                "id",
                "number",
                "number_norm",
                "cab_id",
                "kind",
                "organization_id",
                "standard",
                "accreditation_id",
                "original_issue_on",
                "issued_on",
                "expires_on",
                "personnel",
                "site_count",
            ),
            {"scope_zh": None, "scope_en": None, **const},
        )
        self.scopes = RowStream(
            conn, table_of(m.CertificateScopeItem), ("id", "certificate_id", "item"), {}
        )
        self.events = RowStream(
            conn,
            table_of(m.CertificateEvent),
            ("id", "parent_id", "kind", "effective_on", "note"),
            {"scope": None, **const},
        )
        self.audits = RowStream(
            conn,
            table_of(CertificationAudit),
            (
                "id",
                "certificate_id",
                "audit_on",
                "application_on",
                "auditor_days",
                "complexity",
                "sites_audited",
            ),
            {"audit_type": "initial", **const},
        )
        self.streams = [self.certs, self.scopes, self.events, self.audits]
        self.emit_cert, self.emit_scope, self.emit_event, self.emit_audit = (
            s.emitter() for s in self.streams
        )
        self.null = None
        self.cert_id = ids.peek(m.Certificate)
        self.scope_id = ids.peek(m.CertificateScopeItem)
        self.event_id = ids.peek(m.CertificateEvent)
        self.audit_id = ids.peek(CertificationAudit)
        self._days: dict[tuple[str, int], Any] = {}
        self.pipe: CopyPipe | None = None

    def v(self, value: Any) -> Any:
        """A value for an emitter: a date as the streams take it, or the value itself."""
        if value is None:
            return self.null
        if isinstance(value, dt.date):
            return self.certs.day(value)
        return value

    def event(self, parent: int, kind: str, on: dt.date, note: str | None = None) -> None:
        self.emit_event((self.event_id, parent, str(kind), self.certs.day(on), note))
        self.event_id += 1

    def days(self, standard: str, personnel: int) -> Any:
        """IAF MD 5 initial audit days (no reduction) as the audit row's parameter."""
        key = (standard, personnel)
        if key not in self._days:
            complexity = None if standard in ("ISO 9001", "ISO 22000") else "medium"
            days = (
                audit_time(standard, personnel, complexity, "initial").audit_days
                if standard != "ISO 22000"
                else None
            )
            self._days[key] = (
                self.null if days is None else self.audits.numeric("auditor_days", days)
            )
        return self._days[key]

    def done(self, ids: _Ids) -> None:
        ids.advance(m.Certificate, self.cert_id)
        ids.advance(m.CertificateScopeItem, self.scope_id)
        ids.advance(m.CertificateEvent, self.event_id)
        ids.advance(CertificationAudit, self.audit_id)


FAST_FROM = 200  # stream indices from here on are ordinary certificates (no plant, no showcase)


def _certificates(
    w: BulkWriter,
    ids: _Ids,
    rng: random.Random,
    scale: int,
    cabs: list[_Cab],
    orgs: _Orgs,
    source: str,
    now: dt.datetime,
    showcase: Showcase,
    planted: list[Planted],
    on_progress: Callable[[int, int], None] | None,
) -> None:
    ms_cabs = [c for c in cabs if c.kind == "ms_cb"]
    prod_cabs = [c for c in cabs if c.kind == "product_cb"]
    lab_cabs = [c for c in cabs if c.kind == "testing_lab"]
    plants = _plants(scale)
    assert all(n < FAST_FROM for n in plants)
    # an organization's standard planted with one CAB is never given to another CAB; a
    # showcase's (organization, standard) keeps the showcase's CAB
    exclusive = {(orgs.id(p.org), p.standard) for p in plants.values()}
    reserved: dict[tuple[int, str], _Cab] = {}
    out = _CertOut(w, ids, source, now)
    with CopyPipe(w.conn) as out.pipe:
        for n in range(min(scale, FAST_FROM)):
            _certificate(
                out,
                n,
                rng,
                cabs,
                ms_cabs,
                prod_cabs,
                lab_cabs,
                orgs,
                plants,
                exclusive,
                reserved,
                showcase,
                planted,
            )
            if on_progress and n % 10_000 == 0:
                on_progress(n, scale)
        if scale > FAST_FROM:
            _ordinary_certificates(
                w,
                out,
                rng,
                scale,
                ms_cabs,
                prod_cabs,
                lab_cabs,
                orgs,
                exclusive,
                reserved,
                on_progress,
            )
        _flush(w, out.streams, out.pipe)
    out.done(ids)


def _certificate(
    out: _CertOut,
    n: int,
    rng: random.Random,
    cabs: list[_Cab],
    ms_cabs: list[_Cab],
    prod_cabs: list[_Cab],
    lab_cabs: list[_Cab],
    orgs: _Orgs,
    plants: dict[int, _Plant],
    exclusive: set[tuple[int, str]],
    reserved: dict[tuple[int, str], _Cab],
    showcase: Showcase,
    planted: list[Planted],
) -> None:
    """One certificate of the first :data:`FAST_FROM` (showcases, plants and ordinary ones),
    the readable reference that :func:`_ordinary_certificates` follows row for row."""
    org_index = (n * 7 + n // len(orgs)) % len(orgs)
    plant = plants.get(n)
    if plant:
        org_index = plant.org
    org_id = orgs.id(org_index)
    org_sites = orgs.sites[org_index]
    special = None
    if n < 5:
        special = n
    kind_pick = n % 10
    if plant is None and (special == 3 or (special is None and kind_pick == 8 and prod_cabs)):
        cab, kind, standard, prefix = (
            prod_cabs[n % len(prod_cabs)],
            "product_certificate",
            "IEC 60335-1",
            "P",
        )
    elif plant is None and (special == 4 or (special is None and kind_pick == 9 and lab_cabs)):
        cab, kind, standard, prefix = (
            lab_cabs[n % len(lab_cabs)],
            "test_report",
            "IEC 60335-1",
            "T",
        )
    else:
        cab = (
            ms_cabs[0]
            if special in (0, 1)
            else (ms_cabs[3 % len(ms_cabs)] if special == 2 else ms_cabs[n % len(ms_cabs)])
        )
        if special == 2:
            cab = next((c for c in ms_cabs if c.withdrawn_on), cab)
        kind, prefix = "ms_certificate", "Q"
        r = rng.random()
        standard = "ISO 9001" if r < 0.55 else ("ISO 14001" if r < 0.8 else "ISO 45001")
        if r > 0.93 or special in (0, 1):
            # ISO 22000: the MS sub-scope the reference data evidences for CNAS
            standard = "ISO 22000"
        if plant:
            cab, standard = cabs[plant.cab], plant.standard
        elif special is None:
            while (org_id, standard) in exclusive:
                standard = MS_ROTATION[(MS_ROTATION.index(standard) + 1) % 3]
            cab = (
                reserved.get((org_id, standard))
                or ms_cabs[(org_index + MS_ROTATION.index(standard)) % len(ms_cabs)]
            )
        else:
            reserved[(org_id, standard)] = cab
    cert_id = out.cert_id
    out.cert_id += 1
    number = {
        0: showcase.valid,
        1: showcase.suspended,
        2: showcase.withdrawn_accreditation,
        3: showcase.product,
        4: showcase.test_report,
    }.get(special if special is not None else -1, f"D{cab.regno[-4:]}{prefix}{n:08d}")
    issued = _day(rng, dt.date(2023, 1, 1), dt.date(2026, 6, 30))
    if special in (0, 1, 3, 4):
        issued = dt.date(2025, 3, 10)
    if special == 2:
        issued = dt.date(2024, 5, 20)
    if plant:
        issued = plant.issued
    elif special is None:
        issued = _clean_issue_date(issued, cab)
    years = 3 if kind == "ms_certificate" else 5 if kind == "product_certificate" else 0
    expires = (add_months(issued, 12 * years) - dt.timedelta(days=1)) if years else None
    scope: list[str] = []
    if kind == "ms_certificate" and standard == "ISO 22000":
        scope = ["IAF:3"]
    elif kind == "ms_certificate":
        sector = orgs.sector(org_index)
        scope = [f"IAF:{sector}"] if f"IAF:{sector}" in cab.scope else ["IAF:19"]
    elif hs := orgs.hs(org_index):
        scope = [f"HS:{hs}"]
    else:
        scope = ["HS:8516"]
    rule = plant.rule if plant else None
    if rule == "issued_outside_scope":
        scope = ["IAF:38"]
    if rule == "validity_exceeds_cycle":
        expires = add_months(issued, 48)
    if rule == "expired_shown_valid":
        expires = dt.date(2025, 1, 14)
    personnel = rng.choice([8, 20, 40, 60, 120, 300, 800])
    if plant:
        personnel = 60
    v = out.v
    out.emit_cert(
        (
            cert_id,
            number,
            normalize_number(number),
            cab.id,
            kind,
            org_id,
            standard,
            cab.accreditation_id,
            v(issued),
            v(issued),
            v(expires),
            personnel,
            org_sites,
        )
    )
    for item in scope:
        out.emit_scope((out.scope_id, cert_id, item))
        out.scope_id += 1
    out.event(cert_id, EventKind.GRANTED, issued)
    # status changes of ordinary certificates: short suspensions, timely withdrawals
    suspended: tuple[dt.date, dt.date] | None = None
    ended: dt.date | None = None
    if special == 1:
        suspended = (dt.date(2026, 9, 1), dt.date.max)
        out.event(
            cert_id,
            EventKind.SUSPENDED,
            dt.date(2026, 9, 1),
            "surveillance audit refused by the holder",
        )
    elif rule == "suspension_beyond_limit":
        suspended = (issued + dt.timedelta(days=200), dt.date.max)
        out.event(cert_id, EventKind.SUSPENDED, suspended[0])
    elif special is None and plant is None and n % 97 == 5:
        start = issued + dt.timedelta(days=400)
        out.event(cert_id, EventKind.SUSPENDED, start)
        if n % 2:
            suspended = (start, issued + dt.timedelta(days=460))
            out.event(cert_id, EventKind.RESTORED, suspended[1])
        else:  # not resolved: withdrawn within the six months of ISO/IEC 17021-1 9.6.5
            suspended = (start, dt.date.max)
            ended = issued + dt.timedelta(days=550)
            out.event(cert_id, EventKind.WITHDRAWN, ended)
    elif special is None and plant is None and n % 89 == 3:
        ended = issued + dt.timedelta(days=500)
        out.event(cert_id, EventKind.WITHDRAWN, ended)
    if kind == "ms_certificate":
        first_offset = 300 + rng.randrange(40)
        if rule != "surveillance_overdue":
            for day in _surveillance(issued, expires, first_offset, suspended, ended):
                out.event(cert_id, EventKind.SURVEILLANCE, day)
        if rule == "expired_shown_valid":
            out.event(
                cert_id,
                EventKind.SURVEILLANCE,
                dt.date(2025, 3, 3),
                "recorded after the certificate expired",
            )
        if plant or (special is None and n % 4 == 0):
            _audit(out, cert_id, n, standard, personnel, org_sites, issued, rule)
    if rule and plant:
        planted.append(
            Planted(rule, "" if rule == "certificate_mill" else number, cab.regno, plant.note)
        )


def _audit(
    out: _CertOut,
    cert_id: int,
    n: int,
    standard: str,
    personnel: int,
    sites: int,
    issued: dt.date,
    rule: str | None,
) -> None:
    """The initial audit behind a certificate: IAF MD 5 time (no reduction) and every site
    visited, applied for 30–89 days before the decision — except where a rule is planted."""
    complexity = None if standard in ("ISO 9001", "ISO 22000") else "medium"
    days = out.days(standard, personnel)
    sites_audited = sites - 1 if sites > 1 else None
    application = issued - dt.timedelta(days=30 + n % 60)
    if rule == "audit_time_below_md5" and days is not out.null:
        days = out.audits.numeric(
            "auditor_days",
            audit_time(standard, personnel, complexity, "initial", 30).audit_days - 0.5,
        )
    if rule == "sample_below_md1":
        sites_audited = 2
    if rule == "issued_too_soon":
        application = issued - dt.timedelta(days=3)
    audit_on = issued - dt.timedelta(days=2 if rule == "issued_too_soon" else 5 + n % 20)
    v = out.v
    out.emit_audit(
        (out.audit_id, cert_id, v(audit_on), v(application), days, v(complexity), v(sites_audited))
    )
    out.audit_id += 1


def _ordinary_certificates(
    w: BulkWriter,
    out: _CertOut,
    rng: random.Random,
    scale: int,
    ms_cabs: list[_Cab],
    prod_cabs: list[_Cab],
    lab_cabs: list[_Cab],
    orgs: _Orgs,
    exclusive: set[tuple[int, str]],
    reserved: dict[tuple[int, str], _Cab],
    on_progress: Callable[[int, int], None] | None,
) -> None:
    """Certificates ``FAST_FROM`` … ``scale - 1``: the same rows, drawn from ``rng`` in the
    same order, as :func:`_certificate` gives for a certificate that is neither a plant nor a
    showcase — with dates as day numbers, strings built once per CAB and standard, and the
    surveillance calendar, expiry and audit time memoised."""
    null = None
    n_org = len(orgs)
    first_org = orgs.first_id
    org_industry = orgs.industry
    org_sites = orgs.sites
    sector_item = [f"IAF:{ind[2]}" for ind in INDUSTRIES]
    hs_item = [f"HS:{ind[3]}" if ind[3] else "HS:8516" for ind in INDUSTRIES]
    # (org index, standard) pairs that are planted or reserved for a showcase's CAB
    exclusive_idx: dict[int, set[str]] = {}
    for org_id, std in exclusive:
        exclusive_idx.setdefault(org_id - first_org, set()).add(std)
    reserved_idx = {(o - first_org, std): c for (o, std), c in reserved.items()}
    reserved_orgs = {o for o, _ in reserved_idx}

    class _C:  # per-CAB strings and day numbers
        def __init__(self, c: _Cab, prefix: str) -> None:
            self.id = c.id
            self.acc = c.accreditation_id
            self.prefix = f"D{c.regno[-4:]}{prefix}"
            self.norm_same = normalize_number(self.prefix + "0") == self.prefix + "0"
            self.scope = frozenset(c.scope)
            self.s0 = c.suspended[0].toordinal() if c.suspended else None
            self.s1 = c.suspended[1].toordinal() if c.suspended else 0
            self.wd = c.withdrawn_on.toordinal() if c.withdrawn_on else None
            self.items = [item if item in self.scope else "IAF:19" for item in sector_item]

    ms = [_C(c, "Q") for c in ms_cabs]
    prod = [_C(c, "P") for c in prod_cabs]
    lab = [_C(c, "T") for c in lab_cabs]
    n_ms, n_prod, n_lab = len(ms), len(prod), len(lab)
    rotation_index = {s: i for i, s in enumerate(MS_ROTATION)}

    day0 = dt.date(2023, 1, 1).toordinal()
    span = (dt.date(2026, 6, 30) - dt.date(2023, 1, 1)).days
    # every day a row can carry, by day number - lo: issue dates (moved at most 365 days back
    # out of a withdrawal, or 92 forward out of a suspension), audits 89 days before, expiry
    # 3 or 5 years after
    assert all(c.s0 is None or c.s1 - c.s0 < 200 for c in ms + prod + lab)
    lo, hi = day0 - 500, day0 + span + 2200
    iso = [out.certs.day(dt.date.fromordinal(o)) for o in range(lo, hi)]
    expiry = {
        years: [
            add_months(dt.date.fromordinal(o), 12 * years).toordinal() - 1 - lo
            for o in range(lo, day0 + span + 400)
        ]
        for years in (3, 5)
    }
    surveillance_memo: dict[int, list[str]] = {}

    def surveillance(o: int, first_offset: int) -> list[str]:
        """Surveillance days of an MS certificate issued on day ``o + lo``, as ISO strings."""
        days = surveillance_memo[o * 1000 + first_offset] = [
            out.certs.day(d)
            for d in _surveillance(
                dt.date.fromordinal(o + lo),
                dt.date.fromordinal(expiry[3][o] + lo),
                first_offset,
                None,
                None,
            )
        ]
        return days

    personnel_choices = [8, 20, 40, 60, 120, 300, 800]
    GRANTED, SUSPENDED, RESTORED, WITHDRAWN, SURVEILLANCE = (
        EventKind.GRANTED.value,
        EventKind.SUSPENDED.value,
        EventKind.RESTORED.value,
        EventKind.WITHDRAWN.value,
        EventKind.SURVEILLANCE.value,
    )
    complexity = {s: null if s in ("ISO 9001", "ISO 22000") else "medium" for s in MS_ROTATION}
    emit_cert, emit_scope, emit_event, emit_audit = (
        out.emit_cert,
        out.emit_scope,
        out.emit_event,
        out.emit_audit,
    )
    cert_rows = out.certs.rows
    random_ = rng.random
    randrange = rng.randrange
    choice = rng.choice
    days_of = out.days
    surveillance_get = surveillance_memo.get
    cert_id, scope_id, event_id, audit_id = out.cert_id, out.scope_id, out.event_id, out.audit_id
    for n in range(FAST_FROM, scale):
        org_index = (n * 7 + n // n_org) % n_org
        org_id = first_org + org_index
        kind_pick = n % 10
        if kind_pick == 8 and n_prod:
            cab = prod[n % n_prod]
            kind, standard, years = "product_certificate", "IEC 60335-1", 5
            item = hs_item[org_industry[org_index]]
        elif kind_pick == 9 and n_lab:
            cab = lab[n % n_lab]
            kind, standard, years = "test_report", "IEC 60335-1", 0
            item = hs_item[org_industry[org_index]]
        else:
            kind, years = "ms_certificate", 3
            r = random_()
            standard = "ISO 9001" if r < 0.55 else ("ISO 14001" if r < 0.8 else "ISO 45001")
            if r > 0.93:
                standard = "ISO 22000"
            taken = exclusive_idx.get(org_index)
            if taken:
                while standard in taken:
                    standard = MS_ROTATION[(rotation_index[standard] + 1) % 3]
            cab = ms[(org_index + rotation_index[standard]) % n_ms]
            if org_index in reserved_orgs and (org_index, standard) in reserved_idx:
                reserved_cab = reserved_idx[(org_index, standard)]
                cab = next(c for c in ms if c.id == reserved_cab.id)
            item = "IAF:3" if standard == "ISO 22000" else cab.items[org_industry[org_index]]
        issued = day0 + randrange(span)
        if cab.s0 is not None and cab.s0 <= issued <= cab.s1:
            issued = cab.s1 + 1 + issued - cab.s0
        if cab.wd is not None and issued >= cab.wd:
            issued = cab.wd - (1 + (issued - cab.wd) % 365)
        o = issued - lo  # index into iso and expiry
        issued_s = iso[o]
        personnel = choice(personnel_choices)
        sites = org_sites[org_index]
        number = f"{cab.prefix}{n:08d}"
        emit_cert(
            (
                cert_id,
                number,
                number if cab.norm_same else normalize_number(number),
                cab.id,
                kind,
                org_id,
                standard,
                cab.acc,
                issued_s,
                issued_s,
                iso[expiry[years][o]] if years else null,
                personnel,
                sites,
            )
        )
        emit_scope((scope_id, cert_id, item))
        scope_id += 1
        emit_event((event_id, cert_id, GRANTED, issued_s, null))
        event_id += 1
        if n % 97 == 5 or n % 89 == 3:
            # status changes: short suspensions, timely withdrawals (see _certificate)
            out.event_id = event_id
            issued_d = dt.date.fromordinal(issued)
            suspended: tuple[dt.date, dt.date] | None = None
            ended: dt.date | None = None
            if n % 97 == 5:
                start = issued_d + dt.timedelta(days=400)
                out.event(cert_id, SUSPENDED, start)
                if n % 2:
                    suspended = (start, issued_d + dt.timedelta(days=460))
                    out.event(cert_id, RESTORED, suspended[1])
                else:
                    suspended = (start, dt.date.max)
                    ended = issued_d + dt.timedelta(days=550)
                    out.event(cert_id, WITHDRAWN, ended)
            else:
                ended = issued_d + dt.timedelta(days=500)
                out.event(cert_id, WITHDRAWN, ended)
            if years == 3:
                first_offset = 300 + randrange(40)
                expires_d = dt.date.fromordinal(expiry[3][o] + lo)
                for day in _surveillance(issued_d, expires_d, first_offset, suspended, ended):
                    out.event(cert_id, SURVEILLANCE, day)
            event_id = out.event_id
        elif years == 3:
            first_offset = 300 + randrange(40)
            days = surveillance_get(o * 1000 + first_offset)
            if days is None:
                days = surveillance(o, first_offset)
            for day_s in days:
                emit_event((event_id, cert_id, SURVEILLANCE, day_s, null))
                event_id += 1
        if years == 3 and n % 4 == 0:
            emit_audit(
                (
                    audit_id,
                    cert_id,
                    iso[o - 5 - n % 20],
                    iso[o - 30 - n % 60],
                    days_of(standard, personnel),
                    complexity[standard],
                    sites - 1 if sites > 1 else null,
                )
            )
            audit_id += 1
        cert_id += 1
        if len(cert_rows) >= CHUNK:
            _flush(w, out.streams, out.pipe)
        if on_progress and n % 10_000 == 0:
            on_progress(n, scale)
    out.cert_id, out.scope_id, out.event_id, out.audit_id = cert_id, scope_id, event_id, audit_id


def _market_rules(
    w: BulkWriter, ids: _Ids, session: Session, eco: dict[str, int], source: str, now: dt.datetime
) -> None:
    """Synthetic acceptance rules for the demo markets (labelled synthetic, like all demo rows)."""
    arrs = dict(session.execute(select(m.Arrangement.key, m.Arrangement.id)).all())
    rules = [
        ("GB", "IAF-MLA", "ms_certificate"),
        ("DE", "IAF-MLA", "ms_certificate"),
        ("US", "IAF-MLA", "ms_certificate"),
        ("CN", "IAF-MLA", "ms_certificate"),
        ("GB", "ILAC-MRA", "test_report"),
        ("CN", "ILAC-MRA", "test_report"),
    ]
    for market, arr, kind in rules:
        if arr not in arrs:
            continue
        exists = session.execute(
            select(m.MarketAcceptance.id).filter_by(
                economy_id=eco[market], arrangement_id=arrs[arr], attestation_kind=kind, scope=""
            )
        ).first()
        if exists:
            continue
        w.add(
            m.MarketAcceptance.__table__,
            {
                "id": ids.take(m.MarketAcceptance),
                "economy_id": eco[market],
                "arrangement_id": arrs[arr],
                "attestation_kind": kind,
                "scope": "",
                "valid_from": None,
                "valid_until": None,
                "note_zh": "演示用的合成规则，并非真实政策。",
                "note_en": "Synthetic rule for the demo; not a real policy.",
                "source": source,
                "recorded_at": now,
            },
        )
