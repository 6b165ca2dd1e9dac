"""Supervision over the database: the scan, findings, risk, directories and the draw.

The scan streams certificates in id batches (one query per table per batch, never one per
certificate), runs the pure rules of :mod:`accordia.domain.supervision` and stores the hits
with their evidence. Body and group rules start from set-based SQL aggregates (issuing counts
per CAB and year; organizations holding one standard from several CABs), so only the few
candidates are loaded. One scan is one transaction: a run that fails leaves nothing behind, and
a completed run supersedes the earlier ones.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    and_,
    case,
    cast,
    distinct,
    exists,
    extract,
    false,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.types import utcnow
from accordia.domain.audit_time import AUDIT_TYPES, COMPLEXITIES
from accordia.domain.audit_time import load_table as load_md5_table
from accordia.domain.recognition import scheme_of, uncovered
from accordia.domain.status import Event, EventKind, Status, scope_on, status_on
from accordia.domain.supervision import draw as d
from accordia.domain.supervision.facts import (
    AccreditationFacts,
    AuditFacts,
    BodyFacts,
    CertificateFacts,
    Hit,
)
from accordia.domain.supervision.risk import RiskScore, risk_score
from accordia.domain.supervision.rules import (
    _MD5_STANDARDS,
    _SHOWS_VALID,
    RULES,
    Params,
    certificate_mill,
    check_certificate,
    clear_caches,
    concurrent_certification,
    md5_minimum,
    param,
)
from accordia.models.supervision import (
    CertificationAudit,
    Complaint,
    Draw,
    Finding,
    InspectionItem,
    Inspector,
    Sanction,
    ScanRun,
)
from accordia.services import authz

BATCH = 5000


class SupervisionError(ValueError):
    """A refused supervision request (unknown draw, wrong state, bad seed ...)."""


@dataclass
class ScanSummary:
    run_id: int
    on: dt.date
    certificates: int
    findings: int
    seconds: float
    by_rule: dict[str, int] = field(default_factory=dict)
    mode: str = "prefiltered"  # or "full": every certificate judged in Python
    candidates: int = 0  # certificates judged in Python
    prefilter: dict[str, Any] = field(default_factory=dict)  # query time, candidates per flag
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase of the scan

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "on": self.on.isoformat(),
            "certificates": self.certificates,
            "findings": self.findings,
            "seconds": round(self.seconds, 3),
            "by_rule": dict(sorted(self.by_rule.items())),
            "mode": self.mode,
            "candidates": self.candidates,
            "prefilter": self.prefilter,
            "phases": {k: round(v, 3) for k, v in self.phases.items()},
        }


# --------------------------------------------------------------------------- loading facts


def _events(
    conn: Connection, model: Any, ids: Iterable[int] | None = None
) -> dict[int, list[Event]]:
    q = select(model.parent_id, model.kind, model.effective_on, model.recorded_at, model.scope)
    if ids is not None:
        q = q.filter(model.parent_id.in_(list(ids)))
    out: dict[int, list[Event]] = defaultdict(list)
    for pid, kind, on, rec, scope in conn.execute(q):
        out[pid].append(Event(kind, on, rec, tuple(scope or ())))
    return out


def load_bodies(conn: Connection) -> tuple[dict[int, BodyFacts], dict[int, str]]:
    """Every CAB's facts (CAB id → facts) and accreditation numbers (accreditation id → number).
    Bodies are few (thousands at most), so they are loaded whole."""
    acc_events = _events(conn, m.AccreditationEvent)
    scope: dict[int, list[str]] = defaultdict(list)
    for acc_id, item in conn.execute(
        select(m.AccreditationScopeItem.accreditation_id, m.AccreditationScopeItem.item)
    ):
        scope[acc_id].append(item)
    accs: dict[int, list[AccreditationFacts]] = defaultdict(list)
    numbers: dict[int, str] = {}
    for acc_id, cab_id, number, cab_std, valid_until in conn.execute(
        select(
            m.Accreditation.id,
            m.Accreditation.cab_id,
            m.Accreditation.number,
            m.Accreditation.cab_standard,
            m.Accreditation.valid_until,
        ).order_by(m.Accreditation.id)
    ):
        numbers[acc_id] = number
        accs[cab_id].append(
            AccreditationFacts(
                number,
                cab_std,
                tuple(sorted(scope[acc_id])),
                tuple(acc_events[acc_id]),
                valid_until,
            )
        )
    approvals = _events(conn, m.BodyApprovalEvent)
    bodies = {
        cab_id: BodyFacts(
            regno, kind, auditors, tuple(accs.get(cab_id, ())), tuple(approvals.get(cab_id, ()))
        )
        for cab_id, regno, kind, auditors in conn.execute(
            select(m.Cab.id, m.Cab.registration_number, m.Cab.kind, m.Cab.auditor_count)
        )
    }
    return bodies, numbers


_CERT_COLUMNS = (
    m.Certificate.id,
    m.Certificate.number,
    m.Certificate.cab_id,
    m.Certificate.kind,
    m.Certificate.standard,
    m.Certificate.organization_id,
    m.Certificate.issued_on,
    m.Certificate.expires_on,
    m.Certificate.personnel,
    m.Certificate.site_count,
    m.Certificate.accreditation_id,
)


def _facts(
    conn: Connection,
    rows: Sequence[Any],
    bodies: Mapping[int, BodyFacts],
    acc_numbers: Mapping[int, str],
    where: Callable[[Any], Any],
) -> list[tuple[CertificateFacts, BodyFacts]]:
    """Certificate facts for ``rows``; ``where(column)`` restricts the child tables to them."""
    events: dict[int, list[Event]] = defaultdict(list)
    ce = m.CertificateEvent
    for pid, kind, on, rec in conn.execute(
        select(ce.parent_id, ce.kind, ce.effective_on, ce.recorded_at).filter(where(ce.parent_id))
    ):
        events[pid].append(Event(kind, on, rec))
    scope: dict[int, list[str]] = defaultdict(list)
    si = m.CertificateScopeItem
    for cid, item in conn.execute(
        select(si.certificate_id, si.item).filter(where(si.certificate_id))
    ):
        scope[cid].append(item)
    audits: dict[int, list[AuditFacts]] = defaultdict(list)
    a = CertificationAudit
    for cid, typ, on, app, days, cx, sites in conn.execute(
        select(
            a.certificate_id,
            a.audit_type,
            a.audit_on,
            a.application_on,
            a.auditor_days,
            a.complexity,
            a.sites_audited,
        ).filter(where(a.certificate_id))
    ):
        audits[cid].append(
            AuditFacts(typ, on, app, None if days is None else float(days), cx, sites)
        )
    out = []
    for cid, number, cab_id, kind, std, org, issued, expires, pers, sites, acc_id in rows:
        body = bodies[cab_id]
        out.append(
            (
                CertificateFacts(
                    number=number,
                    cab=body.registration_number,
                    kind=kind,
                    standard=std,
                    issued_on=issued,
                    expires_on=expires,
                    organization=str(org),
                    scope=tuple(scope.get(cid, ())),
                    events=tuple(events.get(cid, ())),
                    accreditation=acc_numbers.get(acc_id) if acc_id else None,
                    personnel=pers,
                    site_count=sites,
                    audits=tuple(audits.get(cid, ())),
                    id=cid,
                ),
                body,
            )
        )
    return out


# --------------------------------------------------------------------------- SQL pre-filters
#
# Issue 9: the pure rules are the only judges of a certificate; SQL only narrows the field. For
# every certificate rule a set-based query picks the certificates that *could* break it (a
# superset of the violators: every shortcut below errs towards picking more), and only those
# are loaded and judged in Python. Every condition is written so that a certificate the rule
# would flag is always picked; `scan(..., full=True)` judges every certificate and the tests
# compare the two. The queries run per id range (`RANGE` ids), so each one stays small.

RANGE = 500_000  # certificate ids per pre-filter range
_MAX_BAD_ITEMS = 200_000  # beyond this many (epoch, item) rows an epoch is wholly suspect
_DAY = dt.timedelta(days=1)
_CYCLE_MIN_DAYS = 1095  # add_months(d, 36) - d >= 3 × 365 days, whatever d
_FIRST_SURVEILLANCE_MIN_DAYS = 365  # add_months(d, 12) - d >= 365 days
_MONTH_MIN_DAYS = 28  # add_months(d, k) - d >= 28 k days
_YEAR_BITS = 62  # surveillance years kept in a bit mask, the last 62 years before the scan
_CYCLE_KINDS = (EventKind.GRANTED.value, EventKind.RENEWED.value)
_SHOWS_VALID_KINDS = tuple(sorted(k.value for k in _SHOWS_VALID))

_TMP = MetaData()


def _temp(name: str, *cols: Column[Any]) -> Table:
    return Table(name, _TMP, *cols, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


# an accreditation's timeline cut where its status or scope may change: only the pieces where a
# certificate issued then could break issued_outside_scope / issued_while_suspended are stored
_EPOCH = _temp(
    "scan_epoch",
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("cab_id", Integer),
    Column("acc_key", Integer),  # the accreditation id the certificate names, 0: the default
    Column("lo", Date),
    Column("hi", Date),
    Column("suspect", Boolean),  # status not active (or too many bad items): every certificate
    Column("checks_std", Boolean),  # the scope lists STD: items, so the standard is checked
)
# primary keys: SQLite probes them for the correlated EXISTS of the pre-filter query
_GOOD_STD = _temp(
    "scan_good_std",
    Column("epoch_id", Integer, primary_key=True),
    Column("standard", String(80), primary_key=True),
)
_BAD_ITEM = _temp(
    "scan_bad_item",
    Column("epoch_id", Integer, primary_key=True),
    Column("item", String(100), primary_key=True),
)
_MATCH = _temp(
    "scan_match",
    Column("cab_id", Integer, primary_key=True),
    Column("acc_id", Integer, primary_key=True),
)
_APPROVAL = _temp(
    "scan_approval", Column("cab_id", Integer), Column("lo", Date), Column("hi", Date)
)
_MD5 = _temp(
    "scan_md5",
    Column("standard", String(80), primary_key=True),
    Column("personnel", Integer, primary_key=True),
    *(Column(f"b_{t}", Numeric(8, 2)) for t in AUDIT_TYPES),
)
_MD5_BAND = _temp(
    "scan_md5_band",
    Column("standard", String(80)),
    Column("pmin", Integer),
    Column("pmax", Integer),
    *(Column(f"b_{t}", Numeric(8, 2)) for t in AUDIT_TYPES),
)
# what the pre-filter query reports per candidate (diagnostics in the scan summary)
_FLAGS = ("certificate", "scope_items", "events", "audits")
_TEMP_TABLES = (_EPOCH, _GOOD_STD, _BAD_ITEM, _MATCH, _APPROVAL, _MD5_BAND, _MD5)


def _pieces(events: Sequence[Event], valid_until: dt.date | None) -> list[tuple[dt.date, dt.date]]:
    """The date ranges over which status_on and scope_on cannot change: cut at every event
    date and the day after the printed validity."""
    cuts = {e.effective_on for e in events}
    if valid_until is not None and valid_until < dt.date.max:
        cuts.add(valid_until + _DAY)
    out, lo = [], dt.date.min
    for cut in sorted(cuts):
        if cut > lo:
            out.append((lo, cut - _DAY))
        lo = cut
    out.append((lo, dt.date.max))
    return out


def _windows(
    events: Sequence[Event], bad: Callable[[Status], bool]
) -> list[tuple[dt.date, dt.date]]:
    """Merged date ranges where ``bad(status_on(events, day))``."""
    out: list[tuple[dt.date, dt.date]] = []
    for lo, hi in _pieces(events, None):
        if bad(status_on(events, lo)):
            if out and out[-1][1] + _DAY == lo:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
    return out


class _Prefilter:
    """Candidate certificates per id range, for one scan (one connection, one transaction)."""

    def __init__(
        self,
        conn: Connection,
        on: dt.date,
        params: Params | None,
        bodies: Mapping[int, BodyFacts],
        acc_numbers: Mapping[int, str],
    ) -> None:
        self.conn, self.on, self.params = conn, on, params
        self.pg = conn.dialect.name == "postgresql"
        self.by_rule: Counter[str] = Counter()
        self.seconds: dict[str, float] = defaultdict(float)
        for t in _TEMP_TABLES:
            t.create(conn)
        self.has_bad_items = False
        self._bodies(bodies, acc_numbers)
        self._md5()
        if self.pg:  # temporary tables have no statistics until analysed
            for t in _TEMP_TABLES:
                conn.execute(text(f"ANALYZE {t.name}"))

    def close(self) -> None:
        for t in reversed(_TEMP_TABLES):
            t.drop(self.conn)

    # ---- dialect helpers
    def _add_days(self, col: Any, days: int) -> Any:
        if self.pg:
            return col + cast(literal(int(days)), Integer)
        return func.date(col, f"{int(days):+d} days")

    def _year(self, col: Any) -> Any:
        if self.pg:
            return cast(func.date_part("year", col), Integer)
        return cast(func.strftime("%Y", col), Integer)

    def _least(self, *args: Any) -> Any:
        return func.least(*args) if self.pg else func.min(*args)

    # ---- body tables
    def _distinct_items(self) -> list[str]:
        """Distinct certificate scope items by a loose index scan (one index probe per value);
        a plain DISTINCT where the index of migration 0009 is missing."""
        names = {i["name"] for i in inspect(self.conn).get_indexes("certificate_scope_item")}
        if "ix_certificate_scope_item_item" not in names:
            si = m.CertificateScopeItem
            return list(self.conn.execute(select(si.item).distinct()).scalars())
        q = text(
            "WITH RECURSIVE t(item) AS ("
            " SELECT min(item) FROM certificate_scope_item"
            " UNION ALL"
            " SELECT (SELECT min(s.item) FROM certificate_scope_item s WHERE s.item > t.item)"
            " FROM t WHERE t.item IS NOT NULL)"
            " SELECT item FROM t WHERE item IS NOT NULL"
        )
        return [r[0] for r in self.conn.execute(q)]

    def _bodies(self, bodies: Mapping[int, BodyFacts], acc_numbers: Mapping[int, str]) -> None:
        items_by_scheme: dict[str, list[str]] = defaultdict(list)
        for item in self._distinct_items():
            items_by_scheme[scheme_of(item)].append(item)
        ids_by_number: dict[str, list[int]] = defaultdict(list)
        for acc_id, number in acc_numbers.items():
            ids_by_number[number].append(acc_id)
        # per accreditation object: its flagged pieces (lo, hi, suspect, checks_std, std, bad)
        memo: dict[int, list[tuple[dt.date, dt.date, bool, bool, list[str], list[str]]]] = {}

        def pieces(acc: AccreditationFacts) -> list[Any]:
            got = memo.get(id(acc))
            if got is not None:
                return got
            out: list[Any] = []
            for lo, hi in _pieces(acc.events, acc.valid_until):
                status = status_on(acc.events, lo, valid_until=acc.valid_until)
                if status != Status.ACTIVE:
                    out.append((lo, hi, True, False, [], []))
                    continue
                scope = scope_on(acc.scope, acc.events, lo)
                schemes = {scheme_of(s) for s in scope}
                hs = [s for s in scope if scheme_of(s) == "HS"]
                bad = [
                    i
                    for sch in sorted(schemes)
                    for i in items_by_scheme.get(sch, ())
                    if i not in scope and (sch != "HS" or uncovered(hs, [i]))
                ]
                std = sorted(s.split(":", 1)[1] for s in scope if scheme_of(s) == "STD")
                if "STD" in schemes or bad:
                    out.append((lo, hi, False, "STD" in schemes, std, bad))
            memo[id(acc)] = out
            return out

        epochs: list[dict[str, Any]] = []
        good_std: list[dict[str, Any]] = []
        bad_items: list[dict[str, Any]] = []
        match: list[dict[str, Any]] = []
        approval: list[dict[str, Any]] = []
        for cab_id, body in bodies.items():
            for lo, hi in _windows(
                body.approval_events, lambda s: s in (Status.SUSPENDED, Status.WITHDRAWN)
            ):
                approval.append({"cab_id": cab_id, "lo": lo, "hi": hi})
            if not body.accreditations:
                continue
            keyed: list[tuple[int, AccreditationFacts]] = [(0, body.accreditations[0])]
            for number in dict.fromkeys(a.number for a in body.accreditations):
                resolved = next(a for a in body.accreditations if a.number == number)
                for acc_id in ids_by_number.get(number, ()):
                    match.append({"cab_id": cab_id, "acc_id": acc_id})
                    keyed.append((acc_id, resolved))
            for key, acc in keyed:
                for lo, hi, suspect, checks_std, std, bad in pieces(acc):
                    eid = len(epochs) + 1
                    if len(bad_items) + len(bad) > _MAX_BAD_ITEMS:
                        suspect, bad = True, []  # too many to list: judge every certificate
                    epochs.append(
                        {
                            "id": eid,
                            "cab_id": cab_id,
                            "acc_key": key,
                            "lo": lo,
                            "hi": hi,
                            "suspect": suspect,
                            "checks_std": checks_std,
                        }
                    )
                    good_std += [{"epoch_id": eid, "standard": s} for s in std]
                    bad_items += [{"epoch_id": eid, "item": i} for i in bad]
        for table, rows in (
            (_EPOCH, epochs),
            (_GOOD_STD, good_std),
            (_BAD_ITEM, bad_items),
            (_MATCH, match),
            (_APPROVAL, approval),
        ):
            for i in range(0, len(rows), 5000):
                self.conn.execute(insert(table), rows[i : i + 5000])
        self.has_bad_items = bool(bad_items)

    def _md5(self) -> None:
        """Per standard and effective personnel (every value the MD 5 tables cover), per audit
        type: the highest minimum over every complexity column — an audit below the minimum of
        its column is below this bound. One row per personnel value (a few ten thousand rows, made
        by the database from the bands) makes the look-up a primary-key probe."""
        rows: list[dict[str, Any]] = []
        for std in sorted(_MD5_STANDARDS):
            for band in load_md5_table(std):
                bounds: dict[str, Any] = {}
                for audit in AUDIT_TYPES:
                    mins = [
                        v
                        for p in (band.personnel_min, band.personnel_max)
                        for cx in (None, *COMPLEXITIES)
                        if (v := md5_minimum(std, p, cx, audit)) is not None
                    ]
                    bounds[f"b_{audit}"] = max(mins) if mins else None
                rows.append(
                    {"standard": std, "pmin": band.personnel_min, "pmax": band.personnel_max}
                    | bounds
                )
        if not rows:
            return
        self.conn.execute(insert(_MD5_BAND), rows)
        # one row per personnel value, made by the database from the bands
        b = _MD5_BAND.c
        top = max(r["pmax"] for r in rows)
        n = select(literal(1).label("p")).cte("n", recursive=True)
        n = n.union_all(select(n.c.p + 1).where(n.c.p < top))
        bounds_cols = [f"b_{t}" for t in AUDIT_TYPES]
        self.conn.execute(
            insert(_MD5).from_select(
                ["standard", "personnel", *bounds_cols],
                select(b.standard, n.c.p, *(b[k] for k in bounds_cols)).select_from(
                    _MD5_BAND.join(n, n.c.p.between(b.pmin, b.pmax))
                ),
            )
        )

    # ---- the query, per id range: one pass over each table
    def candidates(self, lo: int, hi: int) -> set[int]:
        """Ids in ``[lo, hi]`` of the certificates some certificate rule could flag."""
        t0 = time.perf_counter()
        found: set[int] = set()
        flags: dict[str, set[int]] = defaultdict(set)
        for row in self.conn.execute(self._query(lo, hi)):
            found.add(row[0])
            for name, flag in zip(_FLAGS, row[1:], strict=True):
                if flag:
                    flags[name].add(row[0])
        for name in _FLAGS:
            self.by_rule[name] += len(flags[name])
        self.seconds["query"] += time.perf_counter() - t0
        return found

    def _query(self, lo: int, hi: int) -> Any:
        c, e, w, mt = m.Certificate, _EPOCH.c, _APPROVAL.c, _MATCH.c
        on = self.on
        ev = self._events(lo, hi)
        au = self._audits(lo, hi)
        frm = (
            c.__table__.outerjoin(
                _EPOCH,
                and_(
                    e.cab_id == c.cab_id,
                    e.acc_key == func.coalesce(c.accreditation_id, 0),
                    c.issued_on >= e.lo,
                    c.issued_on <= e.hi,
                ),
            )
            .outerjoin(
                _APPROVAL, and_(w.cab_id == c.cab_id, c.issued_on >= w.lo, c.issued_on <= w.hi)
            )
            .outerjoin(ev, ev.c.pid == c.id)
            .outerjoin(au, au.c.cid == c.id)
        )
        # validity_exceeds_cycle
        tol = int(param(self.params, "validity_exceeds_cycle", "tolerance_days"))
        validity = and_(
            c.kind == "ms_certificate",
            c.expires_on.is_not(None),
            c.expires_on > self._add_days(c.issued_on, _CYCLE_MIN_DAYS + tol),
        )
        # issued_while_suspended, issued_outside_scope: the flagged epoch of the accreditation
        # the certificate names (0: none, so the CAB's first) on its issue date; a certificate
        # naming an accreditation its CAB does not hold is judged whatever the date
        std_missing = and_(
            e.checks_std.is_(True),
            ~exists().where(_GOOD_STD.c.epoch_id == e.id, _GOOD_STD.c.standard == c.standard),
        )
        odd_accreditation = and_(
            c.accreditation_id.is_not(None),
            ~exists().where(mt.cab_id == c.cab_id, mt.acc_id == c.accreditation_id),
        )
        body = and_(
            c.issued_on <= on,
            or_(w.cab_id.is_not(None), e.suspect.is_(True), std_missing, odd_accreditation),
        )
        items: Any = false()
        if self.has_bad_items:
            si, b = m.CertificateScopeItem, _BAD_ITEM.c
            frm = frm.outerjoin(
                si, and_(si.certificate_id == c.id, si.certificate_id.between(lo, hi))
            ).outerjoin(_BAD_ITEM, and_(b.epoch_id == e.id, b.item == si.item))
            items = and_(c.issued_on <= on, b.epoch_id.is_not(None))
        audits, frm = self._audit_flags(c, au, frm)
        flags = (
            or_(validity, body),
            items,
            self._event_flags(c, ev),
            audits,
        )
        return select(c.id, *flags).select_from(frm).where(c.id.between(lo, hi), or_(*flags))

    def _events(self, lo: int, hi: int) -> Any:
        """Per certificate, a few aggregates of its events."""
        ce, on = m.CertificateEvent, self.on
        kind, eff = ce.kind, ce.effective_on
        base = on.year - _YEAR_BITS
        bit = case(
            (
                and_(
                    kind == EventKind.SURVEILLANCE.value,
                    eff >= dt.date(base, 1, 1),
                    eff <= dt.date(on.year, 12, 31),
                ),
                cast(literal(1), BigInteger).op("<<")(self._year(eff) - base),
            ),
            else_=cast(literal(0), BigInteger),
        )
        years = func.bit_or(bit) if self.pg else func.sum(distinct(bit))
        return (
            select(
                ce.parent_id.label("pid"),
                func.min(eff).filter(kind == EventKind.SURVEILLANCE.value).label("s1"),
                func.max(eff).filter(kind.in_(_SHOWS_VALID_KINDS), eff <= on).label("lv"),
                func.min(eff).filter(kind.in_(_CYCLE_KINDS)).label("g1"),
                func.max(eff).filter(kind.in_(_CYCLE_KINDS)).label("g2"),
                func.min(eff).filter(kind == EventKind.SUSPENDED.value).label("su1"),
                func.count().filter(kind == EventKind.SUSPENDED.value).label("nsu"),
                func.min(eff)
                .filter(kind.in_((EventKind.RESTORED.value, EventKind.WITHDRAWN.value)))
                .label("re1"),
                func.min(eff).filter(kind == EventKind.WITHDRAWN.value).label("wd"),
                years.label("ym"),  # bit y - base: a surveillance in year y
            )
            .where(ce.parent_id.between(lo, hi))
            .group_by(ce.parent_id)
            .subquery("ev")
        )

    def _event_flags(self, c: Any, ev: Any) -> Any:
        """surveillance_overdue, suspension_beyond_limit, expired_shown_valid."""
        a, on = ev.c, self.on
        base = on.year - _YEAR_BITS
        # suspension_beyond_limit: a suspension old enough to have passed its limit, unless it
        # is the only one and a restoration or withdrawal came within the limit
        months = int(param(self.params, "suspension_beyond_limit", "max_suspension_months"))
        quick_end = (
            and_(
                a.nsu == 1,
                a.re1.is_not(None),
                a.re1 > a.su1,
                a.re1 <= self._add_days(a.su1, _MONTH_MIN_DAYS * months),
            )
            if months > 0
            else false()
        )
        suspension = and_(
            a.su1.is_not(None),
            a.su1 <= on - dt.timedelta(days=_MONTH_MIN_DAYS * max(months, 0)),
            ~quick_end,
        )
        # expired_shown_valid: exact
        expired = and_(
            c.expires_on.is_not(None), c.expires_on < on, a.lv.is_not(None), a.lv > c.expires_on
        )
        # surveillance_overdue: a certificate with one cycle, from its issue date, is checked
        # here (a surveillance within 365 days; one in each calendar year of the cycle that has
        # ended, up to a withdrawal); any other shape of history is judged in Python
        gy = self._year(c.issued_on)
        withdrawn_after = and_(a.wd.is_not(None), a.wd > c.issued_on)
        first_missed = and_(
            c.issued_on < on - dt.timedelta(days=_FIRST_SURVEILLANCE_MIN_DAYS),
            ~and_(
                a.s1.is_not(None),
                a.s1 > c.issued_on,
                a.s1 <= self._add_days(c.issued_on, _FIRST_SURVEILLANCE_MIN_DAYS),
            ),
            or_(
                ~withdrawn_after,
                a.wd > self._add_days(c.issued_on, _FIRST_SURVEILLANCE_MIN_DAYS),
            ),
        )

        def year_missed(k: int) -> Any:
            """No surveillance in year y = issue year + k (k = 1, 2: the years strictly
            between the decision and the end of the cycle), where y has ended by ``on``, is
            before the expiry year and before a withdrawal; cheapest tests first."""
            mask = cast(literal(1), BigInteger).op("<<")(gy + k - base)
            return and_(
                c.issued_on < dt.date(on.year - k, 1, 1),  # y < on.year
                or_(c.issued_on < dt.date(base, 1, 1), a.ym.op("&")(mask) == 0),
                or_(c.expires_on.is_(None), self._year(c.expires_on) >= gy + k + 1),
                or_(~withdrawn_after, self._year(a.wd) >= gy + k + 1),
            )

        surveillance = and_(
            c.kind == "ms_certificate",
            a.g1.is_not(None),
            a.g1 <= on,
            or_(
                a.g1 != c.issued_on,
                a.g2 != c.issued_on,
                first_missed,
                year_missed(1),
                year_missed(2),
            ),
        )
        return or_(suspension, expired, surveillance)

    def _audits(self, lo: int, hi: int) -> Any:
        """Per certificate, a few aggregates of its audit records."""
        a, on = CertificationAudit, self.on
        done = and_(a.audit_on <= on)
        return (
            select(
                a.certificate_id.label("cid"),
                func.max(a.application_on).filter(a.audit_type == "initial").label("app"),
                *(
                    func.min(a.auditor_days).filter(a.audit_type == t, done).label(f"d_{t}")
                    for t in AUDIT_TYPES
                ),
                func.min(a.sites_audited).filter(done).label("smin"),
                func.count().filter(a.audit_type.not_in(AUDIT_TYPES)).label("odd"),
            )
            .where(a.certificate_id.between(lo, hi))
            .group_by(a.certificate_id)
            .subquery("au")
        )

    def _audit_flags(self, c: Any, au: Any, frm: Any) -> tuple[Any, Any]:
        """issued_too_soon (exact), audit_time_below_md5 (below the band's highest minimum),
        sample_below_md1 (exact in integers: ⌈k√x⌉ > s ⟸ s² < x, k <= 1)."""
        a, t = au.c, _MD5.c
        n = int(param(self.params, "issued_too_soon", "min_days_application_to_issue"))
        central = bool(
            param(self.params, "sample_below_md1", "central_function_included_in_site_count")
        )
        x = c.site_count - 1 if central else c.site_count
        too_soon = and_(a.app.is_not(None), a.app > self._add_days(c.issued_on, -n))
        # one probe of the bound table's primary key, only for certificates with audit times
        md5 = and_(
            or_(*(getattr(a, f"d_{typ}").is_not(None) for typ in AUDIT_TYPES)),
            c.personnel.is_not(None),
            c.personnel != 0,
            exists().where(
                t.standard == c.standard,
                t.personnel == c.personnel,
                or_(
                    *(
                        and_(
                            getattr(a, f"d_{typ}").is_not(None),
                            getattr(t, f"b_{typ}").is_not(None),
                            getattr(a, f"d_{typ}") < getattr(t, f"b_{typ}"),
                        )
                        for typ in AUDIT_TYPES
                    )
                ),
            ),
        )
        md1 = and_(
            c.site_count.is_not(None),
            c.site_count != 0,
            x >= 2,
            a.smin.is_not(None),
            or_(a.smin < 0, a.smin * a.smin < x),
        )
        return and_(a.cid.is_not(None), or_(too_soon, md5, md1, a.odd > 0)), frm


# --------------------------------------------------------------------------- the scan


def _between(lo: int, hi: int) -> Callable[[Any], Any]:
    return lambda col: col.between(lo, hi)


def _among(ids: list[int]) -> Callable[[Any], Any]:
    return lambda col: col.in_(ids)


def scan(
    engine: Engine,
    on: dt.date,
    params: Params | None = None,
    batch: int = BATCH,
    on_progress: Callable[[int], None] | None = None,
    *,
    full: bool = False,
    span: int = RANGE,
) -> ScanSummary:
    """Run every rule over every certificate and body as of ``on``; store the findings.

    By default SQL pre-filters pick, per range of ``span`` certificate ids, the certificates
    that could break a certificate rule, and only those are judged by the pure rules;
    ``full=True`` judges every certificate (the reference the pre-filters are tested
    against: both give the same findings)."""
    started = time.perf_counter()
    clear_caches()
    by_rule: Counter[str] = Counter()
    seen = judged = 0
    prefilter: dict[str, Any] = {}
    phases: dict[str, float] = defaultdict(float)
    clock = [time.perf_counter()]

    def lap(phase: str) -> None:
        now = time.perf_counter()
        phases[phase] += now - clock[0]
        clock[0] = now

    if span < 1:
        raise SupervisionError("span must be at least 1")
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # JIT compiles the pre-filter expressions for longer than they run; the per-range
            # aggregates fit in memory
            conn.execute(text("SET LOCAL jit = off"))
            conn.execute(text("SET LOCAL work_mem = '128MB'"))
        run_key = conn.execute(
            insert(ScanRun).values(
                on=on,
                started_at=utcnow(),
                status="running",
                parameters={k: dict(v) for k, v in (params or {}).items()},
                certificates=0,
                finding_count=0,
            )
        ).inserted_primary_key
        assert run_key is not None
        run_id: int = run_key[0]
        bodies, acc_numbers = load_bodies(conn)
        lap("load_bodies")
        cab_ids = {b.registration_number: i for i, b in bodies.items()}

        def store(hits: list[Hit]) -> None:
            if not hits:
                return
            conn.execute(
                insert(Finding),
                [
                    {
                        "scan_run_id": run_id,
                        "rule": h.rule,
                        "severity": RULES[h.rule].severity.value,
                        "fingerprint": h.fingerprint,
                        "cab_id": cab_ids[h.cab],
                        "certificate_id": h.certificate_id,
                        "subject": h.subject,
                        "message_zh": h.message.zh or "",
                        "message_en": h.message.en or "",
                        "evidence": h.evidence,
                    }
                    for h in hits
                ],
            )
            by_rule.update(h.rule for h in hits)

        def judge(rows: Sequence[Any], where: Callable[[Any], Any]) -> None:
            lap("prefilter" if not full else "read")
            facts = _facts(conn, rows, bodies, acc_numbers, where)
            lap("load_facts")
            hits: list[Hit] = []
            for cert, body in facts:
                hits.extend(check_certificate(cert, body, on, params))
            lap("rules")
            store(hits)
            lap("store")

        if full:
            last = 0
            while True:
                rows = conn.execute(
                    select(*_CERT_COLUMNS)
                    .filter(m.Certificate.id > last)
                    .order_by(m.Certificate.id)
                    .limit(batch)
                ).all()
                if not rows:
                    break
                lo, hi = rows[0][0], rows[-1][0]
                last = hi
                judge(rows, _between(lo, hi))
                seen += len(rows)
                if on_progress:
                    on_progress(seen)
        else:
            pre = _Prefilter(conn, on, params, bodies, acc_numbers)
            lap("prefilter_setup")
            first, top = conn.execute(
                select(func.min(m.Certificate.id), func.max(m.Certificate.id))
            ).one()
            lo = first or 0
            while first is not None and lo <= top:
                hi = lo + span - 1
                ids = sorted(pre.candidates(lo, hi))
                step = max(1, min(batch, 10_000))
                for i in range(0, len(ids), step):
                    chunk = ids[i : i + step]
                    rows = conn.execute(
                        select(*_CERT_COLUMNS)
                        .filter(m.Certificate.id.in_(chunk))
                        .order_by(m.Certificate.id)
                    ).all()
                    judge(rows, _among(chunk))
                judged += len(ids)
                seen += conn.execute(
                    select(func.count()).filter(m.Certificate.id.between(lo, hi))
                ).scalar_one()
                if on_progress:
                    on_progress(seen)
                nxt = conn.execute(
                    select(func.min(m.Certificate.id)).filter(m.Certificate.id > hi)
                ).scalar()
                if nxt is None:
                    break
                lo = nxt  # skip gaps in the ids
            pre.close()
            lap("prefilter")
            prefilter = {
                "query_seconds": round(pre.seconds["query"], 3),
                "candidates_by_flag": {k: pre.by_rule[k] for k in _FLAGS},
            }

        lap("read" if full else "prefilter")
        # body rule: issuing rate per CAB and calendar year (one aggregate query)
        c = m.Certificate
        year: Any = extract("year", c.issued_on)
        if conn.dialect.name == "postgresql":  # a double, not EXTRACT's numeric: faster
            year = cast(func.date_part("year", c.issued_on), Integer)
        mill_hits = []
        for cab_id, yr, n in conn.execute(
            select(c.cab_id, year, func.count())
            .filter(c.kind == "ms_certificate", c.issued_on <= on)
            .group_by(c.cab_id, year)
        ):
            h = certificate_mill(bodies[cab_id], int(yr), int(n), params)
            if h:
                mill_hits.append(h)
        store(mill_hits)

        lap("certificate_mill")
        # group rule: organizations holding one standard from several CABs (aggregate first)
        groups = conn.execute(
            select(c.organization_id, c.standard)
            .filter(c.kind == "ms_certificate", c.issued_on <= on)
            .group_by(c.organization_id, c.standard)
            .having(func.count(distinct(c.cab_id)) > 1)
        ).all()
        wanted = {(o, s) for o, s in groups}
        orgs = sorted({o for o, _ in wanted})
        for i in range(0, len(orgs), 500):
            chunk = orgs[i : i + 500]
            rows = conn.execute(
                select(*_CERT_COLUMNS).filter(
                    c.organization_id.in_(chunk), c.kind == "ms_certificate"
                )
            ).all()
            ids = [r[0] for r in rows]
            facts = _facts(conn, rows, bodies, acc_numbers, _among(ids))
            grouped: dict[tuple[str, str], list[CertificateFacts]] = defaultdict(list)
            for cert, _body in facts:
                if (int(cert.organization), cert.standard) in wanted:
                    grouped[(cert.organization, cert.standard)].append(cert)
            group_hits: list[Hit] = []
            for certs in grouped.values():
                group_hits.extend(concurrent_certification(certs, on, params))
            store(group_hits)

        lap("concurrent_certification")
        total = sum(by_rule.values())
        conn.execute(update(ScanRun).filter(ScanRun.status == "done").values(status="superseded"))
        seconds = time.perf_counter() - started
        conn.execute(
            update(ScanRun)
            .filter(ScanRun.id == run_id)
            .values(
                status="done",
                finished_at=utcnow(),
                certificates=seen,
                finding_count=total,
                seconds=round(seconds, 3),
            )
        )
    return ScanSummary(
        run_id,
        on,
        seen,
        total,
        seconds,
        dict(by_rule),
        mode="full" if full else "prefiltered",
        candidates=seen if full else judged,
        prefilter=prefilter,
        phases=dict(phases),
    )


def current_run(conn: Connection) -> Any:
    """The latest completed scan run, or None."""
    return conn.execute(
        select(ScanRun).filter(ScanRun.status == "done").order_by(ScanRun.id.desc()).limit(1)
    ).first()


def findings(
    engine: Engine,
    rule: str | None = None,
    cab: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Findings of the current scan run, filtered by rule id and CAB registration number."""
    with engine.connect() as conn:
        run = current_run(conn)
        if run is None:
            return []
        f = Finding
        q = (
            select(
                f.rule,
                f.severity,
                m.Cab.registration_number,
                m.Certificate.number,
                f.subject,
                f.message_zh,
                f.message_en,
                f.evidence,
            )
            .join(m.Cab, m.Cab.id == f.cab_id)
            .outerjoin(m.Certificate, m.Certificate.id == f.certificate_id)
            .filter(f.scan_run_id == run.id)
            .order_by(f.rule, m.Cab.registration_number, f.subject)
        )
        if rule:
            q = q.filter(f.rule == rule)
        if cab:
            q = q.filter(m.Cab.registration_number == cab)
        if limit:
            q = q.limit(limit).offset(offset)
        return [
            {
                "rule": r[0],
                "severity": r[1],
                "cab": r[2],
                "certificate": r[3],
                "subject": r[4],
                "message": {"zh": r[5], "en": r[6]},
                "evidence": r[7],
                "scan_run": run.id,
                "on": run.on.isoformat(),
            }
            for r in conn.execute(q)
        ]


# --------------------------------------------------------------------------- risk


def risk_scores(engine: Engine, on: dt.date) -> list[RiskScore]:
    """Every CAB's risk score from the current findings, complaints and sanctions; riskiest
    first."""
    with engine.connect() as conn:
        run = current_run(conn)
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        if run is not None:
            for cab_id, rule, n in conn.execute(
                select(Finding.cab_id, Finding.rule, func.count())
                .filter(Finding.scan_run_id == run.id)
                .group_by(Finding.cab_id, Finding.rule)
            ):
                counts[cab_id][rule] = int(n)
        complaints: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for c_cab, received, status in conn.execute(
            select(Complaint.cab_id, Complaint.received_on, Complaint.status).filter(
                Complaint.cab_id.is_not(None)
            )
        ):
            if c_cab is not None:
                complaints[c_cab].append((received, "open" if status == "in_progress" else status))
        sanctions: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for cab_id, decided, kind in conn.execute(
            select(Sanction.cab_id, Sanction.decided_on, Sanction.kind)
        ):
            sanctions[cab_id].append((decided, kind))
        cabs = conn.execute(select(m.Cab.id, m.Cab.registration_number)).all()
    scores = [
        risk_score(regno, counts.get(i, {}), complaints.get(i, []), sanctions.get(i, []), on)
        for i, regno in cabs
    ]
    return sorted(scores, key=lambda s: (-s.score, s.body))


# --------------------------------------------------------------------------- directories


def ensure_items(engine: Engine) -> list[dict[str, Any]]:
    """The published list of inspection items: one per built-in rule (created on first use),
    plus any added by the regulator."""
    with engine.begin() as conn:
        have = set(conn.execute(select(InspectionItem.code)).scalars())
        new = [
            {
                "code": spec.id,
                "title_zh": spec.title.zh,
                "title_en": spec.title.en,
                "basis_zh": spec.basis.zh,
                "basis_en": spec.basis.en,
                "rule": spec.id,
            }
            for spec in RULES.values()
            if spec.id not in have
        ]
        if new:
            conn.execute(insert(InspectionItem), new)
        rows = conn.execute(select(InspectionItem).order_by(InspectionItem.id)).all()
    return [
        {
            "code": r.code,
            "title": {"zh": r.title_zh, "en": r.title_en},
            "basis": {"zh": r.basis_zh, "en": r.basis_en},
            "rule": r.rule,
        }
        for r in rows
    ]


def list_items(engine: Engine) -> list[dict[str, Any]]:
    """The list of inspection items, read-only: the stored ones, then the built-in rules not
    stored yet."""
    with engine.connect() as conn:
        rows = conn.execute(select(InspectionItem).order_by(InspectionItem.id)).all()
    out = [
        {
            "code": r.code,
            "title": {"zh": r.title_zh, "en": r.title_en},
            "basis": {"zh": r.basis_zh, "en": r.basis_en},
            "rule": r.rule,
        }
        for r in rows
    ]
    have = {i["code"] for i in out}
    out += [
        {"code": r.id, "title": r.title.as_dict(), "basis": r.basis.as_dict(), "rule": r.id}
        for r in RULES.values()
        if r.id not in have
    ]
    return out


def add_inspector(
    engine: Engine,
    code: str,
    specialties: list[str],
    region: str = "",
    past_employers: list[str] | None = None,
    name_zh: str | None = None,
    name_en: str | None = None,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Inspector).values(
                code=code,
                specialties=sorted(specialties),
                region=region,
                past_employers=sorted(past_employers or []),
                name_zh=name_zh,
                name_en=name_en,
                active=True,
            )
        )


def directories(engine: Engine, on: dt.date) -> tuple[list[d.Target], list[d.InspectorEntry]]:
    """The target directory (every CAB, weighted by risk) and the active inspectors."""
    weights = {s.body: s.weight for s in risk_scores(engine, on)}
    with engine.connect() as conn:
        targets = [
            d.Target(regno, kind, weights.get(regno, 1.0), eco)
            for regno, kind, eco in conn.execute(
                select(m.Cab.registration_number, m.Cab.kind, m.Economy.code).join(
                    m.Economy, m.Economy.id == m.Cab.economy_id
                )
            )
        ]
        inspectors = [
            d.InspectorEntry(i.code, tuple(i.specialties), i.region, tuple(i.past_employers or ()))
            for i in conn.execute(select(Inspector).filter(Inspector.active.is_(True)))
        ]
    return targets, inspectors


# --------------------------------------------------------------------------- the draw


@dataclass
class Committed:
    code: str
    commitment: str
    seed: str  # secret until revealed: shown once, never stored before the reveal
    targets: int
    inspectors: int


def commit_draw(
    engine: Engine,
    ratio: float,
    on: dt.date,
    per_target: int = 2,
    seed: str | None = None,
) -> Committed:
    """Step 1: snapshot the directories, publish SHA-256 of a secret seed."""
    d.sample_count(ratio, 0)  # validates the ratio
    seed = seed or secrets.token_hex(32)
    targets, inspectors = directories(engine, on)
    directory = d.directory(targets, inspectors)
    with engine.begin() as conn:
        n = conn.execute(select(func.count()).select_from(Draw)).scalar_one()
        code = f"DRAW-{on.year}-{n + 1:04d}"
        conn.execute(
            insert(Draw).values(
                code=code,
                committed_at=utcnow(),
                ratio=ratio,
                inspectors_per_target=per_target,
                commitment=d.commitment(seed),
                directory=directory,
                directory_digest=d.digest(directory),
            )
        )
    return Committed(code, d.commitment(seed), seed, len(targets), len(inspectors))


def _get_draw(conn: Connection, code: str) -> Any:
    row = conn.execute(select(Draw).filter(Draw.code == code)).first()
    if row is None:
        raise SupervisionError(f"no draw {code}")
    return row


def reveal_draw(engine: Engine, code: str, seed: str) -> dict[str, Any]:
    """Step 2: check the seed against the commitment, run the draw, publish the result."""
    with engine.begin() as conn:
        draw = _get_draw(conn, code)
        if draw.seed is not None:
            raise SupervisionError(f"draw {code} was already revealed")
        if d.commitment(seed) != draw.commitment:
            raise SupervisionError("the seed does not match the published commitment")
        targets, inspectors = d.from_directory(draw.directory)
        result = d.run_draw(
            seed, targets, inspectors, float(draw.ratio), draw.inspectors_per_target
        )
        conn.execute(
            update(Draw)
            .filter(Draw.id == draw.id)
            .values(
                seed=seed,
                revealed_at=utcnow(),
                result=result.as_dict(),
                result_digest=result.digest,
            )
        )
    return public_draw(engine, code)


def verify_draw(engine: Engine, code: str, seed: str) -> dict[str, Any]:
    """Step 3: anyone re-runs the published draw from the seed and compares."""
    with engine.connect() as conn:
        draw = _get_draw(conn, code)
    v = d.verify_draw(
        seed,
        draw.commitment,
        draw.directory,
        float(draw.ratio),
        draw.inspectors_per_target,
        draw.result_digest,
    )
    return {"draw": code, **v.as_dict()}


def public_draw(engine: Engine, code: str) -> dict[str, Any]:
    """What is published about a draw: commitment and directories at once, seed and result
    after the reveal."""
    with engine.connect() as conn:
        draw = _get_draw(conn, code)
    return {
        "code": draw.code,
        "committed_at": draw.committed_at.isoformat(),
        "ratio": float(draw.ratio),
        "inspectors_per_target": draw.inspectors_per_target,
        "commitment": draw.commitment,
        "directory_digest": draw.directory_digest,
        "directory": draw.directory,
        "seed": draw.seed,
        "revealed_at": draw.revealed_at.isoformat() if draw.revealed_at else None,
        "result": draw.result,
        "result_digest": draw.result_digest,
    }


def list_draws(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Draw).order_by(Draw.id)).all()
    return [
        {
            "code": r.code,
            "commitment": r.commitment,
            "ratio": float(r.ratio),
            "revealed": r.seed is not None,
            "result_digest": r.result_digest,
        }
        for r in rows
    ]


__all__ = [
    "Committed",
    "ScanSummary",
    "SupervisionError",
    "add_inspector",
    "commit_draw",
    "current_run",
    "directories",
    "ensure_items",
    "findings",
    "list_draws",
    "list_items",
    "load_bodies",
    "public_draw",
    "reveal_draw",
    "risk_scores",
    "scan",
    "verify_draw",
]


# --------------------------------------------------------------------------- sanctions

SANCTION_KINDS = ("warning", "rectification", "fine", "suspension", "revocation")
# a sanction that changes the body's approval, as events on it
_APPROVAL_EVENT = {"suspension": "suspended", "revocation": "withdrawn"}


def _importer_context(session: Session, actor: authz.Actor) -> Any:
    from accordia.importer.context import ImportContext

    return ImportContext(
        session=session,
        actor=actor.name,
        principal=actor,
        operation="supervision-" + secrets.token_hex(6),
    )


def _cab_by_regno(session: Session, regno: str) -> m.Cab:
    cab = session.execute(
        select(m.Cab).filter_by(registration_number=regno.strip())
    ).scalar_one_or_none()
    if cab is None:
        raise SupervisionError(f"no CAB with registration number {regno!r}")
    return cab


def sanction_dict(s: Sanction, regno: str) -> dict[str, Any]:
    return {
        "id": s.id,
        "cab": regno,
        "kind": s.kind,
        "decided_on": s.decided_on.isoformat(),
        "effective_from": s.effective_from.isoformat(),
        "effective_until": s.effective_until.isoformat() if s.effective_until else None,
        "basis_zh": s.basis_zh,
        "basis_en": s.basis_en,
        "reference": s.reference,
        "amount": None if s.amount is None else f"{Decimal(str(s.amount)):.2f}",
    }


def add_sanction(
    session: Session,
    actor: authz.Actor,
    *,
    cab: str,
    kind: str,
    effective_on: dt.date,
    until: dt.date | None = None,
    basis_zh: str,
    basis_en: str,
    amount: float | None = None,
    decided_on: dt.date | None = None,
    reference: str | None = None,
    source: str = "",
) -> dict[str, Any]:
    """Record a sanction on a CAB (regulator only; the caller commits). A suspension or a
    revocation is also an event on the CAB's regulator approval (``suspended`` / ``withdrawn``,
    and ``restored`` at ``until`` for a time-limited suspension), in the same audit operation.

    Raises:
        authz.Forbidden: the actor is not a regulator with write access.
        SupervisionError: unknown CAB or kind, inconsistent dates or amount.
    """
    authz.authorize_write(actor, "sanction", {"cab": cab})
    if kind not in SANCTION_KINDS:
        raise SupervisionError(f"kind must be one of {', '.join(SANCTION_KINDS)}")
    if until is not None and until <= effective_on:
        raise SupervisionError("--until must be after --effective-on")
    if until is not None and kind != "suspension":
        raise SupervisionError("only a suspension can be time-limited (--until)")
    if amount is not None and kind != "fine":
        raise SupervisionError("only a fine has an amount")
    if amount is not None and amount < 0:
        raise SupervisionError("the amount cannot be negative")
    if not basis_zh.strip() or not basis_en.strip():
        raise SupervisionError("the legal basis is needed in Chinese and in English")
    body = _cab_by_regno(session, cab)
    ctx = _importer_context(session, actor)
    row = Sanction(
        cab_id=body.id,
        kind=kind,
        decided_on=decided_on or effective_on,
        effective_from=effective_on,
        effective_until=until,
        basis_zh=basis_zh.strip(),
        basis_en=basis_en.strip(),
        reference=reference,
        amount=amount,
        source=source,
    )
    session.add(row)
    session.flush()
    from accordia.importer.context import snapshot

    ctx.audit("create", "sanction", f"{body.registration_number}|{row.id}", None, snapshot(row))
    events: list[dict[str, str]] = []
    ev_kind = _APPROVAL_EVENT.get(kind)
    if ev_kind is not None:
        note = f"sanction {row.id}: {basis_en.strip()}"[:2000]
        planned = [(ev_kind, effective_on)]
        if until is not None:
            planned.append(("restored", until))
        for k, on in planned:
            ctx.add_event(
                m.BodyApprovalEvent,
                body.id,
                "body_approval_event",
                body.registration_number,
                kind=k,
                effective_on=on,
                note=note,
                source=source,
            )
            events.append({"kind": k, "effective_on": on.isoformat()})
    ctx.flush_audit()
    return {
        **sanction_dict(row, body.registration_number),
        "approval_events": events,
        "operation": ctx.operation,
    }


def list_sanctions(session: Session, cab: str | None = None) -> list[dict[str, Any]]:
    q = (
        select(Sanction, m.Cab.registration_number)
        .join(m.Cab, m.Cab.id == Sanction.cab_id)
        .order_by(Sanction.effective_from.desc(), Sanction.id.desc())
    )
    if cab:
        q = q.filter(m.Cab.registration_number == cab)
    return [sanction_dict(s, regno) for s, regno in session.execute(q)]


# --------------------------------------------------------------------------- complaints

COMPLAINT_STATUSES = ("open", "in_progress", "substantiated", "rejected")
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
COMPLAINT_DEADLINE_DAYS = 60  # working assumption, to be set by the regulator


def _case_number(on: dt.date) -> str:
    return f"CMP-{on:%Y%m%d}-{secrets.token_hex(4).upper()}"


def file_complaint(
    session: Session,
    *,
    subject_kind: str,
    subject: str,
    summary: str,
    name: str | None = None,
    contact: str | None = None,
    anonymous: bool = False,
    attachment: bytes | None = None,
    attachment_name: str | None = None,
    attachment_type: str | None = None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """File a complaint about a certificate (``subject`` = its number) or a body (its
    registration number); anyone may. Returns the public case view (the caller commits).

    Raises:
        SupervisionError: unknown subject, empty summary, attachment over 2 MB.
    """
    received = on or utcnow().date()
    subject = subject.strip()
    summary = summary.strip()
    if not summary:
        raise SupervisionError("the complaint needs a description")
    if attachment is not None and len(attachment) > MAX_ATTACHMENT_BYTES:
        raise SupervisionError("the attachment is larger than 2 MB")
    cab_id: int | None = None
    cert_id: int | None = None
    if subject_kind == "certificate":
        found = session.execute(
            select(m.Certificate.id, m.Certificate.cab_id).filter_by(number=subject).limit(2)
        ).all()
        if not found:
            raise SupervisionError(f"no certificate numbered {subject!r}")
        cert_id, cab_id = (found[0][0], found[0][1]) if len(found) == 1 else (None, None)
    elif subject_kind == "body":
        cab_id = _cab_by_regno(session, subject).id
    else:
        raise SupervisionError("subject_kind must be 'certificate' or 'body'")
    row = Complaint(
        case_number=_case_number(received),
        cab_id=cab_id,
        certificate_id=cert_id,
        received_on=received,
        status="open",
        summary=summary,
        subject_kind=subject_kind,
        subject=subject,
        anonymous=anonymous,
        complainant_name=None if anonymous else (name or None),
        contact=None if anonymous else (contact or None),
        deadline=received + dt.timedelta(days=COMPLAINT_DEADLINE_DAYS),
        attachment=attachment or None,
        attachment_name=(attachment_name or None) if attachment else None,
        attachment_type=(attachment_type or None) if attachment else None,
    )
    session.add(row)
    session.flush()
    return public_case(row)


def public_case(c: Complaint) -> dict[str, Any]:
    """What the public sees of a case: never the complainant, contact, assignee, attachment."""
    published_on = c.outcome_published_on
    return {
        "case_number": c.case_number,
        "subject_kind": c.subject_kind,
        "subject": c.subject,
        "received_on": c.received_on.isoformat(),
        "status": c.status,
        "deadline": c.deadline.isoformat() if c.deadline else None,
        "outcome": c.outcome if published_on else None,
        "outcome_published_on": published_on.isoformat() if published_on else None,
    }


def _case(session: Session, case_number: str) -> Complaint:
    c = session.execute(
        select(Complaint).filter_by(case_number=case_number.strip())
    ).scalar_one_or_none()
    if c is None:
        raise SupervisionError(f"no complaint case {case_number!r}")
    return c


def get_case(session: Session, case_number: str) -> dict[str, Any]:
    return public_case(_case(session, case_number))


def regulator_case(session: Session, actor: authz.Actor, case_number: str) -> dict[str, Any]:
    """The whole case, complainant data included (regulator only)."""
    authz.require_regulator(actor, "complaint files")
    c = _case(session, case_number)
    return {
        **public_case(c),
        "summary": c.summary,
        "anonymous": c.anonymous,
        "complainant_name": c.complainant_name,
        "contact": c.contact,
        "assignee": c.assignee,
        "outcome": c.outcome,
        "attachment": None
        if c.attachment is None
        else {"name": c.attachment_name, "type": c.attachment_type, "bytes": len(c.attachment)},
    }


def update_case(
    session: Session,
    actor: authz.Actor,
    case_number: str,
    *,
    assignee: str | None = None,
    status: str | None = None,
    deadline: dt.date | None = None,
    outcome: str | None = None,
    publish: bool = False,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """Assign a case, set its status or deadline, record and publish its outcome (regulator
    only, audited; the caller commits)."""
    authz.authorize_write(actor, "complaint", {"case_number": case_number})
    if status is not None and status not in COMPLAINT_STATUSES:
        raise SupervisionError(f"status must be one of {', '.join(COMPLAINT_STATUSES)}")
    c = _case(session, case_number)
    from accordia.importer.context import snapshot

    before = snapshot(c, exclude=("id", "attachment"))
    if assignee is not None:
        c.assignee = assignee.strip() or None
        if c.status == "open" and c.assignee:
            c.status = "in_progress"
    if status is not None:
        c.status = status
    if deadline is not None:
        c.deadline = deadline
    if outcome is not None:
        c.outcome = outcome.strip() or None
    if publish:
        if not c.outcome:
            raise SupervisionError("there is no outcome to publish")
        if c.status in ("open", "in_progress"):
            raise SupervisionError("set the status to substantiated or rejected before publishing")
        c.outcome_published_on = on or utcnow().date()
    session.flush()
    ctx = _importer_context(session, actor)
    ctx.audit(
        "update", "complaint", c.case_number, before, snapshot(c, exclude=("id", "attachment"))
    )
    ctx.flush_audit()
    return {**regulator_case(session, actor, case_number), "operation": ctx.operation}


def list_cases(
    session: Session, actor: authz.Actor, status: str | None = None
) -> list[dict[str, Any]]:
    authz.require_regulator(actor, "complaint files")
    q = select(Complaint).order_by(Complaint.received_on.desc(), Complaint.id.desc())
    if status:
        q = q.filter(Complaint.status == status)
    return [
        {**public_case(c), "assignee": c.assignee, "anonymous": c.anonymous}
        for c in session.execute(q).scalars()
    ]


# --------------------------------------------------------------------------- disclosure


def disclosures(session: Session) -> dict[str, Any]:
    """What supervision publishes: sanctions, revealed draws (the inspection selection) and
    published complaint outcomes."""
    draws = [
        {
            "code": d_.code,
            "committed_at": d_.committed_at.isoformat(),
            "revealed_at": d_.revealed_at.isoformat() if d_.revealed_at else None,
            "commitment": d_.commitment,
            "result_digest": d_.result_digest,
            "drawn": [
                {"target": a.get("target"), "inspectors": a.get("inspectors", [])}
                for a in (d_.result or {}).get("drawn", [])
            ],
        }
        for d_ in session.execute(select(Draw).order_by(Draw.committed_at.desc())).scalars()
    ]
    outcomes = [
        public_case(c)
        for c in session.execute(
            select(Complaint)
            .filter(Complaint.outcome_published_on.is_not(None))
            .order_by(Complaint.outcome_published_on.desc())
        ).scalars()
    ]
    return {"sanctions": list_sanctions(session), "draws": draws, "complaint_outcomes": outcomes}
