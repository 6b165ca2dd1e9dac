"""The cooperation ledger over the database: the :class:`Ledger` loader, the figures, the
record lists and details the API shows, and the write service the API uses.

Reads return records in the importer's row shape (natural keys, the same columns as the import
files), so what the API lists is what it accepts on ``POST`` and what ``accordia export``
writes. Writes go through the importer kind's ``apply()`` (``ctx.upsert`` / ``ctx.add_event``),
which records the audit trail; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.types import utcnow
from accordia.domain.cooperation import (
    Agreement,
    Counterpart,
    EconomyName,
    Figures,
    Ledger,
    Membership,
    MembershipEvent,
    Participation,
    figures,
)
from accordia.importer import kinds_cooperation as kc
from accordia.importer import run as _run  # noqa: F401  (registers every kind, in order)
from accordia.importer.context import ImportContext
from accordia.importer.fields import FieldError
from accordia.importer.kind import REGISTRY, Kind
from accordia.models import cooperation as mc
from accordia.services import authz

Row = dict[str, Any]

# The kinds the API writes, by the name of their collection.
KINDS: dict[str, str] = {
    "counterparts": kc.COUNTERPART.name,
    "agreements": kc.AGREEMENT.name,
    "memberships": kc.MEMBERSHIP.name,
    "membership_events": kc.MEMBERSHIP_EVENT.name,
    "expert_positions": kc.EXPERT_POSITION.name,
    "recognition_systems": kc.RECOGNITION_SYSTEM.name,
}


def today() -> dt.date:
    """Today's date in the server's time zone (the default "as of" date of the report)."""
    return utcnow().astimezone().date()


# -- the ledger and its figures --------------------------------------------------------------------
def load_ledger(session: Session) -> Ledger:
    """Read the whole cooperation ledger into the domain's :class:`Ledger`."""
    economies = {e.id: e for e in session.execute(select(m.Economy)).scalars()}
    rows = list(session.execute(select(mc.Counterpart).order_by(mc.Counterpart.key)).scalars())
    counterparts = [
        Counterpart(
            key=c.key,
            kind=c.kind,
            economy=economies[c.economy_id].code,
            name_zh=c.name_zh,
            name_en=c.name_en,
        )
        for c in rows
    ]
    used = {c.economy_id for c in rows}
    parties: dict[int, list[str]] = defaultdict(list)
    for agreement_id, key in session.execute(
        select(mc.AgreementParty.agreement_id, mc.Counterpart.key)
        .join(mc.Counterpart, mc.Counterpart.id == mc.AgreementParty.counterpart_id)
        .order_by(mc.Counterpart.key)
    ):
        parties[agreement_id].append(key)
    agreements = [
        Agreement(
            key=a.key,
            type=a.type,
            signed_on=a.signed_on,
            counterparts=tuple(parties.get(a.id, ())),
            title_zh=a.title_zh,
            title_en=a.title_en,
            in_force_on=a.in_force_on,
            expires_on=a.expires_on,
            terminated_on=a.terminated_on,
        )
        for a in session.execute(select(mc.Agreement).order_by(mc.Agreement.key)).scalars()
    ]
    events: dict[int, list[MembershipEvent]] = defaultdict(list)
    for ev in session.execute(
        select(mc.MembershipEvent).order_by(mc.MembershipEvent.effective_on, mc.MembershipEvent.id)
    ).scalars():
        events[ev.parent_id].append(
            MembershipEvent(ev.kind, ev.effective_on, ev.recorded_at, ev.source)
        )
    memberships = [
        Membership(
            key=ms.key,
            events=tuple(events.get(ms.id, ())),
            name_zh=ms.name_zh,
            name_en=ms.name_en,
            level=ms.level,
        )
        for ms in session.execute(select(mc.Membership).order_by(mc.Membership.key)).scalars()
    ]
    participations = [
        Participation(
            key=p.key,
            kind=p.kind,
            signed_on=p.signed_on,
            name_zh=p.name_zh,
            name_en=p.name_en,
            scope=p.scope_en or p.scope_zh,
            withdrawn_on=p.withdrawn_on,
        )
        for p in session.execute(
            select(mc.RecognitionSystemParticipation).order_by(
                mc.RecognitionSystemParticipation.key
            )
        ).scalars()
    ]
    return Ledger(
        counterparts=tuple(counterparts),
        agreements=tuple(agreements),
        memberships=tuple(memberships),
        participations=tuple(participations),
        economies=tuple(
            EconomyName(e.code, e.name_zh, e.name_en)
            for e in sorted(economies.values(), key=lambda e: e.code)
            if e.id in used
        ),
    )


def cooperation_figures(session: Session, on: dt.date, since: dt.date | None = None) -> Figures:
    """The report's figures as of ``on`` (and changes since ``since``) from the database.

    Raises:
        ValueError: ``since`` is after ``on``.
    """
    if since is not None and since > on:
        raise ValueError(f"since ({since}) is after on ({on})")
    return figures(load_ledger(session), on, since)


# -- lists and details -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    total: int
    limit: int
    offset: int
    items: list[Row]


def _count(session: Session, q: Select[Any]) -> int:
    return int(session.execute(select(func.count()).select_from(q.subquery())).scalar_one())


def _economy_id(session: Session, code: str) -> int | None:
    return session.execute(
        select(m.Economy.id).where(m.Economy.code == code.upper())
    ).scalar_one_or_none()


def list_counterparts(
    session: Session,
    *,
    kind: str | None = None,
    economy: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Counterparts ordered by key, filtered by ``kind`` and ``economy`` code."""
    q = select(mc.Counterpart)
    if kind:
        q = q.where(mc.Counterpart.kind == kind)
    if economy:
        q = q.where(mc.Counterpart.economy_id == _economy_id(session, economy))
    total = _count(session, q)
    page = q.order_by(mc.Counterpart.key).limit(limit).offset(offset)
    keys = list(session.execute(page.with_only_columns(mc.Counterpart.key)).scalars())
    items = list(
        kc.counterpart_rows(session, select(mc.Counterpart).where(mc.Counterpart.key.in_(keys)))
    )
    return Page(total, limit, offset, items)


def list_agreements(
    session: Session,
    *,
    type: str | None = None,
    economy: str | None = None,
    counterpart: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Agreements ordered by key, filtered by ``type``, a party's ``economy`` or a party."""
    q = select(mc.Agreement)
    if type:
        q = q.where(mc.Agreement.type == type)
    if economy or counterpart:
        party = select(mc.AgreementParty.agreement_id).join(
            mc.Counterpart, mc.Counterpart.id == mc.AgreementParty.counterpart_id
        )
        if economy:
            party = party.where(mc.Counterpart.economy_id == _economy_id(session, economy))
        if counterpart:
            party = party.where(mc.Counterpart.key == counterpart)
        q = q.where(mc.Agreement.id.in_(party))
    total = _count(session, q)
    page = q.order_by(mc.Agreement.key).limit(limit).offset(offset)
    keys = list(session.execute(page.with_only_columns(mc.Agreement.key)).scalars())
    items = list(kc.agreement_rows(session, select(mc.Agreement).where(mc.Agreement.key.in_(keys))))
    return Page(total, limit, offset, items)


def _with_history(session: Session, rows: list[Row], on: dt.date) -> list[Row]:
    keys = [r["key"] for r in rows]
    events: dict[str, list[Row]] = defaultdict(list)
    for ev in kc.membership_event_rows(session, keys):
        events[ev["membership"]].append(ev)
    positions: dict[str, list[Row]] = defaultdict(list)
    for pos in kc.expert_position_rows(session, keys):
        positions[pos["membership"]].append(pos)
    for r in rows:
        history = events.get(r["key"], [])
        in_effect = [e for e in history if e["effective_on"] <= on]
        r["status"] = in_effect[-1]["kind"] if in_effect else None
        r["events"] = history
        r["positions"] = positions.get(r["key"], [])
    return rows


def list_memberships(
    session: Session,
    *,
    level: str | None = None,
    limit: int = 50,
    offset: int = 0,
    on: dt.date | None = None,
) -> Page:
    """Memberships ordered by key with their events, positions and status on ``on``."""
    q = select(mc.Membership)
    if level:
        q = q.where(mc.Membership.level == level)
    total = _count(session, q)
    page = q.order_by(mc.Membership.key).limit(limit).offset(offset)
    keys = list(session.execute(page.with_only_columns(mc.Membership.key)).scalars())
    rows = list(
        kc.membership_rows(session, select(mc.Membership).where(mc.Membership.key.in_(keys)))
    )
    return Page(total, limit, offset, _with_history(session, rows, on or today()))


def list_recognition_systems(
    session: Session, *, kind: str | None = None, limit: int = 50, offset: int = 0
) -> Page:
    """Systems and accreditation arrangements signed, ordered by key, filtered by ``kind``."""
    model = mc.RecognitionSystemParticipation
    q = select(model)
    if kind:
        q = q.where(model.kind == kind)
    total = _count(session, q)
    page = q.order_by(model.key).limit(limit).offset(offset)
    keys = list(session.execute(page.with_only_columns(model.key)).scalars())
    items = list(kc.recognition_system_rows(session, select(model).where(model.key.in_(keys))))
    return Page(total, limit, offset, items)


def get_counterpart(session: Session, key: str) -> Row | None:
    """One counterpart with the keys of the agreements it is party to."""
    rows = list(kc.counterpart_rows(session, select(mc.Counterpart).filter_by(key=key)))
    if not rows:
        return None
    row = rows[0]
    row["agreements"] = list(
        session.execute(
            select(mc.Agreement.key)
            .join(mc.AgreementParty, mc.AgreementParty.agreement_id == mc.Agreement.id)
            .join(mc.Counterpart, mc.Counterpart.id == mc.AgreementParty.counterpart_id)
            .where(mc.Counterpart.key == key)
            .order_by(mc.Agreement.key)
        ).scalars()
    )
    return row


def get_agreement(session: Session, key: str) -> Row | None:
    rows = list(kc.agreement_rows(session, select(mc.Agreement).filter_by(key=key)))
    return rows[0] if rows else None


def get_membership(session: Session, key: str, on: dt.date | None = None) -> Row | None:
    rows = list(kc.membership_rows(session, select(mc.Membership).filter_by(key=key)))
    return _with_history(session, rows, on or today())[0] if rows else None


def get_recognition_system(session: Session, key: str) -> Row | None:
    model = mc.RecognitionSystemParticipation
    rows = list(kc.recognition_system_rows(session, select(model).filter_by(key=key)))
    return rows[0] if rows else None


# -- writes ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WriteResult:
    """What one write did: ``created``, ``updated``, ``unchanged`` or ``events`` (an event
    appended), to the record with natural ``key``, in audit operation ``operation``."""

    action: str
    kind: str
    key: str
    operation: str


def write_row(
    session: Session, kind_name: str, raw: Mapping[str, Any], actor: authz.Actor
) -> WriteResult:
    """Parse, authorize (:func:`accordia.services.authz.authorize_write`) and apply one import
    row of ``kind_name`` in ``session``, as the importer does (the caller commits).

    The row has the columns of the import file (lists as JSON arrays or ``;``-separated text).

    Raises:
        authz.Forbidden: the actor may not write this record (a ``FieldError``).
        FieldError: a cell breaks a rule, or the row names a record that does not exist
            (``RowError``); ``field`` names the column.
    """
    kind: Kind = REGISTRY[kind_name]
    # who may write comes before what is valid: a refused caller learns nothing about the rules
    authz.authorize_write(actor, kind.name, raw)
    list_fields = {f.name for f in kind.fields if f.type == "list"}
    for name, value in raw.items():
        if isinstance(value, dict) or (isinstance(value, list) and name not in list_fields):
            raise FieldError(name, "type", "must be a single value, not a list or an object")
    row = kind.parse(dict(raw))
    ctx = ImportContext(
        session=session,
        actor=actor.name,
        principal=actor,
        operation="api-" + uuid.uuid4().hex[:12],
    )
    with session.begin_nested():
        kind.apply(ctx, row)
        session.flush()
    ctx.flush_audit()
    done = [name for name, count in ctx.stats.as_dict().items() if count]
    return WriteResult(done[0] if done else "unchanged", kind.name, kind.key_of(row), ctx.operation)
