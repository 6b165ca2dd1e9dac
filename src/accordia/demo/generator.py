"""The demo world: synthetic CABs, organizations, accreditations and certificates on top of the
real reference data, deterministic for a given seed and scale, labelled synthetic in every
record's ``source``.

The scale is the number of certificates. Rows are generated as a stream and written in batches
(COPY on PostgreSQL), so memory stays flat up to 10 million certificates.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.bulk import BulkWriter
from accordia.db.types import utcnow
from accordia.demo.names import chinese_org, uscc, western_org
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

    def take(self, model: type[m.Base]) -> int:  # type: ignore[name-defined]
        name = model.__tablename__
        if name not in self.next:
            current = self.session.execute(select(func.max(model.id))).scalar() or 0
            self.next[name] = current + 1
        value = self.next[name]
        self.next[name] += 1
        return value


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 1)))


def generate(
    engine: Engine,
    scale: int = 5000,
    seed: int = 42,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    index: bool = True,
) -> DemoResult:
    """Build the demo world into an upgraded database that has the reference data, then (unless
    ``index`` is False, as benchmarks that time other things ask) build the search index."""
    rng = random.Random(seed)
    source = SOURCE.format(seed=seed)
    now = utcnow()
    showcase = Showcase()
    planted: list[Planted] = []
    with engine.begin() as conn:
        session = Session(bind=conn)
        if session.execute(
            select(m.Cab.id).filter(m.Cab.registration_number == showcase.cab)
        ).first():
            raise RuntimeError("the demo world is already in this database")
        ids = _ids = _Ids(session)
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
        orgs = _organizations(w, ids, eco, rng, n_org, source, now)
        _certificates(w, ids, rng, scale, cabs, orgs, source, now, showcase, planted, on_progress)
        _market_rules(w, ids, session, eco, source, now)
        w.flush()
        if w.pg:
            for table, next_id in _ids.next.items():
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
    if index:
        from accordia.services.search_index import reindex_all

        reindex_all(engine)
    return DemoResult(scale, dict(w.counts), showcase, planted)


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
class _Org:
    id: int
    economy: str
    sector: str
    hs: str | None
    sites: int


def _organizations(
    w: BulkWriter,
    ids: _Ids,
    eco: dict[str, int],
    rng: random.Random,
    n: int,
    source: str,
    now: dt.datetime,
) -> list[_Org]:
    out: list[_Org] = []
    for i in range(n):
        org_id = ids.take(m.Organization)
        if i % 10 < 8:
            zh, en, division, ind = chinese_org(i)
            key = uscc(division, 10_000_000 + i)
            code = "CN"
        else:
            code = ["GB", "DE", "NZ", "US"][i % 4]
            en, ind = western_org(i, code)
            zh = None
            key = f"DEMO-ORG-{code}-{i:07d}"
        sites = 1 if i % 25 else 4 + (i // 25) % 12
        w.add(
            m.Organization.__table__,
            {
                "id": org_id,
                "key": key,
                "name_zh": zh,
                "name_en": en,
                "name_other": None,
                "economy_id": eco[code],
                "address_zh": None,
                "address_en": None,
                "source": source,
                "recorded_at": now,
            },
        )
        if sites > 1:
            for s in range(sites):
                w.add(
                    m.Site.__table__,
                    {
                        "id": ids.take(m.Site),
                        "organization_id": org_id,
                        "key": f"S{s + 1}",
                        "name_zh": None,
                        "name_en": f"Site {s + 1}",
                        "address_zh": None,
                        "address_en": None,
                        "economy_id": eco[code],
                        "source": source,
                        "recorded_at": now,
                    },
                )
        if code == "CN":
            w.add(
                m.OrganizationIdentifier.__table__,
                {
                    "id": ids.take(m.OrganizationIdentifier),
                    "organization_id": org_id,
                    "scheme": "USCC",
                    "value": key,
                    "source": source,
                    "recorded_at": now,
                },
            )
        out.append(_Org(org_id, code, ind[2], ind[3], sites))
    w.flush()
    return out


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


def _certificates(
    w: BulkWriter,
    ids: _Ids,
    rng: random.Random,
    scale: int,
    cabs: list[_Cab],
    orgs: list[_Org],
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
    # an organization's standard planted with one CAB is never given to another CAB; a
    # showcase's (organization, standard) keeps the showcase's CAB
    exclusive = {(orgs[p.org].id, p.standard) for p in plants.values()}
    reserved: dict[tuple[int, str], _Cab] = {}
    for n in range(scale):
        org_index = (n * 7 + n // len(orgs)) % len(orgs)
        plant = plants.get(n)
        if plant:
            org_index = plant.org
        org = orgs[org_index]
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
                while (org.id, standard) in exclusive:
                    standard = MS_ROTATION[(MS_ROTATION.index(standard) + 1) % 3]
                cab = (
                    reserved.get((org.id, standard))
                    or ms_cabs[(org_index + MS_ROTATION.index(standard)) % len(ms_cabs)]
                )
            else:
                reserved[(org.id, standard)] = cab
        cert_id = ids.take(m.Certificate)
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
            scope = [f"IAF:{org.sector}"] if f"IAF:{org.sector}" in cab.scope else ["IAF:19"]
        elif org.hs:
            scope = [f"HS:{org.hs}"]
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
        w.add(
            m.Certificate.__table__,
            {
                "id": cert_id,
                "number": number,
                "number_norm": normalize_number(number),
                "cab_id": cab.id,
                "kind": kind,
                "organization_id": org.id,
                "standard": standard,
                "accreditation_id": cab.accreditation_id,
                "scope_zh": None,
                "scope_en": None,
                "original_issue_on": issued,
                "issued_on": issued,
                "expires_on": expires,
                "personnel": personnel,
                "site_count": org.sites,
                "source": source,
                "recorded_at": now,
            },
        )
        for item in scope:
            w.add(
                m.CertificateScopeItem.__table__,
                {
                    "id": ids.take(m.CertificateScopeItem),
                    "certificate_id": cert_id,
                    "item": item,
                },
            )
        _event(w, ids, m.CertificateEvent, cert_id, EventKind.GRANTED, issued, source, now)
        # status changes of ordinary certificates: short suspensions, timely withdrawals
        suspended: tuple[dt.date, dt.date] | None = None
        ended: dt.date | None = None
        if special == 1:
            suspended = (dt.date(2026, 9, 1), dt.date.max)
            _event(
                w,
                ids,
                m.CertificateEvent,
                cert_id,
                EventKind.SUSPENDED,
                dt.date(2026, 9, 1),
                source,
                now,
                "surveillance audit refused by the holder",
            )
        elif rule == "suspension_beyond_limit":
            suspended = (issued + dt.timedelta(days=200), dt.date.max)
            _event(
                w, ids, m.CertificateEvent, cert_id, EventKind.SUSPENDED, suspended[0], source, now
            )
        elif special is None and plant is None and n % 97 == 5:
            start = issued + dt.timedelta(days=400)
            _event(w, ids, m.CertificateEvent, cert_id, EventKind.SUSPENDED, start, source, now)
            if n % 2:
                suspended = (start, issued + dt.timedelta(days=460))
                _event(
                    w,
                    ids,
                    m.CertificateEvent,
                    cert_id,
                    EventKind.RESTORED,
                    suspended[1],
                    source,
                    now,
                )
            else:  # not resolved: withdrawn within the six months of ISO/IEC 17021-1 9.6.5
                suspended = (start, dt.date.max)
                ended = issued + dt.timedelta(days=550)
                _event(w, ids, m.CertificateEvent, cert_id, EventKind.WITHDRAWN, ended, source, now)
        elif special is None and plant is None and n % 89 == 3:
            ended = issued + dt.timedelta(days=500)
            _event(w, ids, m.CertificateEvent, cert_id, EventKind.WITHDRAWN, ended, source, now)
        if kind == "ms_certificate":
            first_offset = 300 + rng.randrange(40)
            if rule != "surveillance_overdue":
                for day in _surveillance(issued, expires, first_offset, suspended, ended):
                    _event(
                        w,
                        ids,
                        m.CertificateEvent,
                        cert_id,
                        EventKind.SURVEILLANCE,
                        day,
                        source,
                        now,
                    )
            if rule == "expired_shown_valid":
                _event(
                    w,
                    ids,
                    m.CertificateEvent,
                    cert_id,
                    EventKind.SURVEILLANCE,
                    dt.date(2025, 3, 3),
                    source,
                    now,
                    "recorded after the certificate expired",
                )
            if plant or (special is None and n % 4 == 0):
                _audit(
                    w, ids, cert_id, n, standard, personnel, org.sites, issued, rule, source, now
                )
        if rule:
            planted.append(
                Planted(
                    rule,
                    "" if rule == "certificate_mill" else number,
                    cab.regno,
                    plant.note if plant else "",
                )
            )
        if on_progress and n % 10_000 == 0:
            on_progress(n, scale)
    w.flush()


def _audit(
    w: BulkWriter,
    ids: _Ids,
    cert_id: int,
    n: int,
    standard: str,
    personnel: int,
    sites: int,
    issued: dt.date,
    rule: str | None,
    source: str,
    now: dt.datetime,
) -> None:
    """The initial audit behind a certificate: IAF MD 5 time (no reduction) and every site
    visited, applied for 30–89 days before the decision — except where a rule is planted."""
    complexity = None if standard in ("ISO 9001", "ISO 22000") else "medium"
    days: float | None = None
    if standard != "ISO 22000":
        days = audit_time(standard, personnel, complexity, "initial").audit_days
    sites_audited = sites - 1 if sites > 1 else None
    application = issued - dt.timedelta(days=30 + n % 60)
    if rule == "audit_time_below_md5" and days is not None:
        days = audit_time(standard, personnel, complexity, "initial", 30).audit_days - 0.5
    if rule == "sample_below_md1":
        sites_audited = 2
    if rule == "issued_too_soon":
        application = issued - dt.timedelta(days=3)
    w.add(
        CertificationAudit.__table__,
        {
            "id": ids.take(CertificationAudit),
            "certificate_id": cert_id,
            "audit_type": "initial",
            "audit_on": issued - dt.timedelta(days=2 if rule == "issued_too_soon" else 5 + n % 20),
            "application_on": application,
            "auditor_days": days,
            "complexity": complexity,
            "sites_audited": sites_audited,
            "source": source,
            "recorded_at": now,
        },
    )


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
