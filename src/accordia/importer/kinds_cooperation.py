"""Record kinds of the international cooperation ledger (docs/cooperation.md).

Counterparts, agreements (with their parties, scope items and documents as lists in the row),
memberships of organisations, their status events, our experts' positions, and the multilateral
recognition systems and accreditation arrangements signed. Rows address each other by natural
keys only. An agreement row is the whole agreement: its ``parties``, ``scope_items`` and
``documents`` lists replace what the registry held (additions and removals are audited).

Import statistics count rows: a row whose agreement is unchanged but whose party list changed
counts as one ``updated``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.domain.cooperation import (
    AgreementType,
    CounterpartKind,
    ExpertRole,
    MembershipEventKind,
    OrganisationLevel,
    ParticipationKind,
)

# The kinds registered before these ones, in run.py's order, whichever module is imported first
# (the registry's order is the import and export order: systems refer to arrangements).
from accordia.importer import kinds_reference as _kr  # noqa: F401  # isort: skip
from accordia.importer import kinds_bodies as _kb  # noqa: F401  # isort: skip
from accordia.importer import kinds_attestations as _ka  # noqa: F401  # isort: skip
from accordia.importer import kinds_arrangements as _kx  # noqa: F401  # isort: skip
from accordia.importer.context import ImportContext, snapshot
from accordia.importer.fields import Field, FieldError
from accordia.importer.kind import Kind, Row, check_one_of, check_order, register
from accordia.importer.kinds_reference import SOURCE
from accordia.models import cooperation as mc


def _values(enum: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(e.value) for e in enum)


def _per_row(fn: Callable[[ImportContext, Row], str]) -> Callable[[ImportContext, Row], None]:
    """Count one statistic per row (created, updated, unchanged or events), whatever number of
    child rows ``fn`` wrote through ``ctx.upsert``."""

    def apply(ctx: ImportContext, row: Row) -> None:
        saved = ctx.stats.as_dict()
        action = fn(ctx, row)
        for name, value in saved.items():
            setattr(ctx.stats, name, value)
        ctx.stats.add(action)

    return apply


def _sync_children(
    ctx: ImportContext,
    model: type[Any],
    parent: dict[str, int],
    item_column: str,
    wanted: dict[Any, dict[str, Any]],
    entity: str,
    record_key: Callable[[Any], str],
) -> bool:
    """Make the children of ``parent`` exactly ``wanted`` (item → values); audit each write.

    Returns whether anything changed.
    """
    existing = {
        getattr(obj, item_column): obj
        for obj in ctx.session.execute(select(model).filter_by(**parent)).scalars()
    }
    changed = False
    for item, values in wanted.items():
        _, action = ctx.upsert(
            model, {**parent, item_column: item}, values, entity, record_key(item)
        )
        changed = changed or action != "unchanged"
    for item, obj in existing.items():
        if item not in wanted:
            before = snapshot(obj)
            ctx.session.delete(obj)
            ctx.session.flush()
            ctx.audit("delete", entity, record_key(item), before, None)
            changed = True
    return changed


def counterpart_id(ctx: ImportContext, key: str, field_name: str) -> int:
    return ctx._lookup(mc.Counterpart, field_name, "counterpart", key=key)


def membership_id(ctx: ImportContext, key: str, field_name: str = "membership") -> int:
    return ctx._lookup(mc.Membership, field_name, "membership", key=key)


def check_urls(name: str) -> Callable[[Row], None]:
    """Row check: every item of list ``name`` is an http(s) URL."""

    def _check(row: Row) -> None:
        for url in row.get(name) or []:
            if not url.startswith(("https://", "http://")) or " " in url:
                raise FieldError(name, "url", f"{url!r} is not an http:// or https:// URL")

    return _check


def check_after(first: str, second: str) -> Callable[[Row], None]:
    """Row check: date ``second`` is strictly after date ``first``."""

    def _check(row: Row) -> None:
        a, b = row.get(first), row.get(second)
        if a is not None and b is not None and b <= a:
            raise FieldError(second, "date_order", f"{b} is not after {first} {a}")

    return _check


NAMES = (
    Field("name_zh", help="Name in Chinese, as published.", example="示例贸易部"),
    Field("name_en", help="Name in English, as published.", example="Example Ministry of Trade"),
    Field("name_other", help="Name in another language or script."),
)
HAS_NAME = check_one_of("name_zh", "name_en")


# -- counterpart ----------------------------------------------------------------------------------
COUNTERPART_FIELDS = (
    Field(
        "key",
        required=True,
        max_len=80,
        help="Natural key of the counterpart.",
        example="EX-NZ-GOV",
    ),
    Field(
        "kind",
        required=True,
        choices=_values(CounterpartKind),
        help="government, association, accreditation_body, certification_body or other.",
        example="government",
    ),
    Field(
        "economy",
        required=True,
        max_len=16,
        help="Economy code (ISO 3166-1 alpha-2 or a grouping such as EU); counted in "
        "'countries and regions'.",
        example="NZ",
    ),
    Field("acronym", max_len=40, help="Acronym.", example="EXMT"),
    *NAMES,
    Field("website", max_len=300, help="Official website."),
    SOURCE,
)


def _apply_counterpart(ctx: ImportContext, row: Row) -> str:
    _, action = ctx.upsert(
        mc.Counterpart,
        {"key": row["key"]},
        {
            "kind": row["kind"],
            "economy_id": ctx.economy(row["economy"]),
            "acronym": row["acronym"],
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "name_other": row["name_other"],
            "website": row["website"],
            "source": row["source"] or "",
        },
        "cooperation_counterpart",
        row["key"],
    )
    return action


def counterpart_rows(session: Session, query: Select[Any] | None = None) -> Iterator[Row]:
    """Counterparts as import rows (``query`` selects :class:`Counterpart`; default: all)."""
    q = query if query is not None else select(mc.Counterpart)
    codes = dict(session.execute(select(m.Economy.id, m.Economy.code)).all())
    for c in session.execute(q.order_by(mc.Counterpart.key)).scalars():
        yield {
            "key": c.key,
            "kind": c.kind,
            "economy": codes[c.economy_id],
            "acronym": c.acronym,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "name_other": c.name_other,
            "website": c.website,
            "source": c.source,
        }


COUNTERPART = register(
    Kind(
        name="cooperation_counterpart",
        plural="cooperation_counterparts",
        doc="A body the authority signs cooperation documents with, in one economy.",
        fields=COUNTERPART_FIELDS,
        key=("key",),
        apply=_per_row(_apply_counterpart),
        export=lambda session: counterpart_rows(session),
        checks=(HAS_NAME,),
    )
)


# -- agreement ------------------------------------------------------------------------------------
AGREEMENT_FIELDS = (
    Field(
        "key",
        required=True,
        max_len=80,
        help="Natural key of the agreement.",
        example="EX-NZ-MOU-2008",
    ),
    Field(
        "type",
        required=True,
        choices=_values(AgreementType),
        help="cooperation_agreement, mou, mutual_recognition_agreement, protocol, arrangement "
        "or other.",
        example="mou",
    ),
    Field("title_zh", max_len=500, help="Title in Chinese.", example="示例合作谅解备忘录"),
    Field(
        "title_en",
        max_len=500,
        help="Title in English.",
        example="Example memorandum of understanding",
    ),
    Field(
        "signed_on",
        type="date",
        required=True,
        help="Date of signature; the agreement counts from this day.",
        example="2008-04-07",
    ),
    Field("in_force_on", type="date", help="Entry into force; empty means in force on signature."),
    Field("expires_on", type="date", help="Last day of validity (inclusive), if it expires."),
    Field(
        "terminated_on",
        type="date",
        help="First day it no longer applies, if terminated. Ended agreements still count "
        "as signed.",
    ),
    Field(
        "parties",
        type="list",
        required=True,
        max_len=80,
        help="Counterpart keys, `;`-separated (our authority is the implicit other party).",
        example="EX-NZ-GOV;EX-NZ-AB",
    ),
    Field("place", max_len=200, help="Where it was signed."),
    Field("scope_zh", max_len=4000, help="Product or scope coverage in Chinese, as published."),
    Field("scope_en", max_len=4000, help="Product or scope coverage in English, as published."),
    Field(
        "scope_items",
        type="list",
        max_len=100,
        help="Coverage items of a recognition agreement, `;`-separated (HS:8516, CCC:0701, "
        "a standard).",
        example="HS:8516;CCC:0701",
    ),
    Field(
        "documents",
        type="list",
        max_len=1000,
        help="URLs of the signed text, announcement or annexes, `;`-separated.",
        example="https://example.org/mou.pdf",
    ),
    Field("note", max_len=4000, help="Free text."),
    SOURCE,
)


def _apply_agreement(ctx: ImportContext, row: Row) -> str:
    party_ids = {key: counterpart_id(ctx, key, "parties") for key in row["parties"]}
    source = row["source"] or ""
    agreement, action = ctx.upsert(
        mc.Agreement,
        {"key": row["key"]},
        {
            "type": row["type"],
            "title_zh": row["title_zh"],
            "title_en": row["title_en"],
            "signed_on": row["signed_on"],
            "in_force_on": row["in_force_on"],
            "expires_on": row["expires_on"],
            "terminated_on": row["terminated_on"],
            "place": row["place"],
            "scope_zh": row["scope_zh"],
            "scope_en": row["scope_en"],
            "note": row["note"],
            "source": source,
        },
        "cooperation_agreement",
        row["key"],
    )
    parent = {"agreement_id": agreement.id}
    keys = {
        cid: key
        for cid, key in ctx.session.execute(
            select(mc.Counterpart.id, mc.Counterpart.key)
            .join(mc.AgreementParty, mc.AgreementParty.counterpart_id == mc.Counterpart.id)
            .where(mc.AgreementParty.agreement_id == agreement.id)
        )
    }
    keys.update({v: k for k, v in party_ids.items()})
    changed = _sync_children(
        ctx,
        mc.AgreementParty,
        parent,
        "counterpart_id",
        {pid: {"source": source} for pid in party_ids.values()},
        "cooperation_agreement_party",
        lambda pid: f"{row['key']} / {keys.get(pid, pid)}",
    )
    changed = (
        _sync_children(
            ctx,
            mc.AgreementScopeItem,
            parent,
            "item",
            {item: {} for item in row["scope_items"]},
            "cooperation_agreement_scope_item",
            lambda item: f"{row['key']} / {item}",
        )
        or changed
    )
    changed = (
        _sync_children(
            ctx,
            mc.AgreementDocument,
            parent,
            "url",
            {url: {"source": source} for url in row["documents"]},
            "cooperation_agreement_document",
            lambda url: f"{row['key']} / {url}",
        )
        or changed
    )
    if action == "unchanged" and changed:
        return "updated"
    return action


def _children(session: Session, q: Select[int, str], ids: set[int] | None) -> dict[int, list[str]]:
    """``q`` selects (agreement id, value) ordered by value; restricted to ``ids`` if given."""
    out: dict[int, list[str]] = defaultdict(list)
    if ids is not None and not ids:
        return out
    for agreement_id, value in session.execute(q):
        if ids is None or agreement_id in ids:
            out[agreement_id].append(value)
    return out


def agreement_rows(session: Session, query: Select[Any] | None = None) -> Iterator[Row]:
    """Agreements as import rows (``query`` selects :class:`Agreement`; default: all)."""
    q = query if query is not None else select(mc.Agreement)
    agreements = list(session.execute(q.order_by(mc.Agreement.key)).scalars())
    ids = None if query is None else [a.id for a in agreements]
    if ids is not None and len(ids) <= 500:  # a page of the API: fetch only its children
        party_q = select(mc.AgreementParty.agreement_id, mc.Counterpart.key).where(
            mc.AgreementParty.agreement_id.in_(ids)
        )
        item_q = select(mc.AgreementScopeItem.agreement_id, mc.AgreementScopeItem.item).where(
            mc.AgreementScopeItem.agreement_id.in_(ids)
        )
        doc_q = select(mc.AgreementDocument.agreement_id, mc.AgreementDocument.url).where(
            mc.AgreementDocument.agreement_id.in_(ids)
        )
    else:
        party_q = select(mc.AgreementParty.agreement_id, mc.Counterpart.key)
        item_q = select(mc.AgreementScopeItem.agreement_id, mc.AgreementScopeItem.item)
        doc_q = select(mc.AgreementDocument.agreement_id, mc.AgreementDocument.url)
    wanted = None if ids is None else set(ids)
    party_q = party_q.join(mc.Counterpart, mc.Counterpart.id == mc.AgreementParty.counterpart_id)
    parties = _children(session, party_q.order_by(mc.Counterpart.key), wanted)
    items = _children(session, item_q.order_by(mc.AgreementScopeItem.item), wanted)
    docs = _children(session, doc_q.order_by(mc.AgreementDocument.url), wanted)
    for a in agreements:
        yield {
            "key": a.key,
            "type": a.type,
            "title_zh": a.title_zh,
            "title_en": a.title_en,
            "signed_on": a.signed_on,
            "in_force_on": a.in_force_on,
            "expires_on": a.expires_on,
            "terminated_on": a.terminated_on,
            "parties": sorted(parties.get(a.id, [])),
            "place": a.place,
            "scope_zh": a.scope_zh,
            "scope_en": a.scope_en,
            "scope_items": items.get(a.id, []),
            "documents": docs.get(a.id, []),
            "note": a.note,
            "source": a.source,
        }


AGREEMENT = register(
    Kind(
        name="cooperation_agreement",
        plural="cooperation_agreements",
        doc="An agreement document the authority signed with one or more counterparts.",
        fields=AGREEMENT_FIELDS,
        key=("key",),
        apply=_per_row(_apply_agreement),
        export=lambda session: agreement_rows(session),
        checks=(
            check_one_of("title_zh", "title_en"),
            check_order("signed_on", "in_force_on"),
            check_order("signed_on", "expires_on"),
            check_order("in_force_on", "expires_on"),
            check_after("signed_on", "terminated_on"),
            check_urls("documents"),
        ),
    )
)


# -- membership -----------------------------------------------------------------------------------
MEMBERSHIP_FIELDS = (
    Field(
        "key",
        required=True,
        max_len=80,
        help="Natural key of the organisation, usually its acronym.",
        example="EX-ORG-A",
    ),
    Field(
        "level",
        choices=_values(OrganisationLevel),
        help="international (default) or regional.",
        example="international",
    ),
    Field("acronym", max_len=40, help="Acronym."),
    Field("name_zh", help="Name in Chinese.", example="示例国际组织"),
    Field("name_en", help="Name in English.", example="Example International Organisation"),
    Field("name_other", help="Name in another language or script."),
    Field("website", max_len=300, help="Official website."),
    SOURCE,
)


def _apply_membership(ctx: ImportContext, row: Row) -> str:
    _, action = ctx.upsert(
        mc.Membership,
        {"key": row["key"]},
        {
            "level": row["level"] or OrganisationLevel.INTERNATIONAL.value,
            "acronym": row["acronym"],
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "name_other": row["name_other"],
            "website": row["website"],
            "source": row["source"] or "",
        },
        "cooperation_membership",
        row["key"],
    )
    return action


def membership_rows(session: Session, query: Select[Any] | None = None) -> Iterator[Row]:
    """Memberships as import rows (``query`` selects :class:`Membership`; default: all)."""
    q = query if query is not None else select(mc.Membership)
    for ms in session.execute(q.order_by(mc.Membership.key)).scalars():
        yield {
            "key": ms.key,
            "level": ms.level,
            "acronym": ms.acronym,
            "name_zh": ms.name_zh,
            "name_en": ms.name_en,
            "name_other": ms.name_other,
            "website": ms.website,
            "source": ms.source,
        }


MEMBERSHIP = register(
    Kind(
        name="cooperation_membership",
        plural="cooperation_memberships",
        doc="An international or regional organisation the authority joined, observes or "
        "tracks (status history in cooperation_membership_events).",
        fields=MEMBERSHIP_FIELDS,
        key=("key",),
        apply=_per_row(_apply_membership),
        export=lambda session: membership_rows(session),
        checks=(HAS_NAME,),
    )
)


# -- membership event -----------------------------------------------------------------------------
MEMBERSHIP_EVENT_FIELDS = (
    Field("membership", required=True, max_len=80, help="Membership key.", example="EX-ORG-A"),
    Field(
        "kind",
        required=True,
        choices=_values(MembershipEventKind),
        help="joined, observer, tracked or left.",
        example="joined",
    ),
    Field(
        "effective_on",
        type="date",
        required=True,
        help="Date the status took effect.",
        example="2005-06-01",
    ),
    Field("note", max_len=4000, help="Free text (decision, evidence)."),
    SOURCE,
)


def _apply_membership_event(ctx: ImportContext, row: Row) -> str:
    parent = membership_id(ctx, row["membership"])
    return ctx.add_event(
        mc.MembershipEvent,
        parent,
        "cooperation_membership_event",
        f"{row['membership']} / {row['kind']} / {row['effective_on']}",
        kind=row["kind"],
        effective_on=row["effective_on"],
        note=row["note"],
        source=row["source"] or "",
    )


def membership_event_rows(
    session: Session, membership_keys: Collection[str] | None = None
) -> Iterator[Row]:
    """Membership events as import rows, in order of membership and date."""
    q = select(mc.MembershipEvent, mc.Membership.key).join(
        mc.Membership, mc.MembershipEvent.parent_id == mc.Membership.id
    )
    if membership_keys is not None:
        q = q.where(mc.Membership.key.in_(list(membership_keys)))
    q = q.order_by(mc.Membership.key, mc.MembershipEvent.effective_on, mc.MembershipEvent.id)
    for ev, key in session.execute(q):
        yield {
            "membership": key,
            "kind": ev.kind,
            "effective_on": ev.effective_on,
            "note": ev.note,
            "source": ev.source,
        }


MEMBERSHIP_EVENT = register(
    Kind(
        name="cooperation_membership_event",
        plural="cooperation_membership_events",
        doc="A status change of a membership (joined, observer, tracked, left); append-only.",
        fields=MEMBERSHIP_EVENT_FIELDS,
        key=("membership", "kind", "effective_on"),
        apply=_per_row(_apply_membership_event),
        export=lambda session: membership_event_rows(session),
    )
)


# -- expert position ------------------------------------------------------------------------------
EXPERT_POSITION_FIELDS = (
    Field("membership", required=True, max_len=80, help="Membership key.", example="EX-ORG-A"),
    Field(
        "role",
        required=True,
        choices=_values(ExpertRole),
        help="chair, vice_chair, convenor, board_member, working_group_member or other.",
        example="convenor",
    ),
    Field(
        "body",
        max_len=200,
        help="Committee or working group; empty for the organisation.",
        example="Example WG 1",
    ),
    Field(
        "since", type="date", required=True, help="First day in the position.", example="2019-01-01"
    ),
    Field("until", type="date", help="Last day in the position (inclusive), if it ended."),
    Field("person_name", max_len=200, help="The expert's name (optional)."),
    SOURCE,
)


def _apply_expert_position(ctx: ImportContext, row: Row) -> str:
    parent = membership_id(ctx, row["membership"])
    _, action = ctx.upsert(
        mc.ExpertPosition,
        {
            "membership_id": parent,
            "role": row["role"],
            "body": row["body"] or "",
            "since": row["since"],
        },
        {"until": row["until"], "person_name": row["person_name"], "source": row["source"] or ""},
        "cooperation_expert_position",
        f"{row['membership']} / {row['role']} / {row['body'] or ''} / {row['since']}",
    )
    return action


def expert_position_rows(
    session: Session, membership_keys: Collection[str] | None = None
) -> Iterator[Row]:
    """Expert positions as import rows."""
    q = select(mc.ExpertPosition, mc.Membership.key).join(
        mc.Membership, mc.ExpertPosition.membership_id == mc.Membership.id
    )
    if membership_keys is not None:
        q = q.where(mc.Membership.key.in_(list(membership_keys)))
    q = q.order_by(
        mc.Membership.key, mc.ExpertPosition.since, mc.ExpertPosition.role, mc.ExpertPosition.body
    )
    for pos, key in session.execute(q):
        yield {
            "membership": key,
            "role": pos.role,
            "body": pos.body or None,
            "since": pos.since,
            "until": pos.until,
            "person_name": pos.person_name,
            "source": pos.source,
        }


EXPERT_POSITION = register(
    Kind(
        name="cooperation_expert_position",
        plural="cooperation_expert_positions",
        doc="A position one of the authority's experts holds in an organisation.",
        fields=EXPERT_POSITION_FIELDS,
        key=("membership", "role", "body", "since"),
        apply=_per_row(_apply_expert_position),
        export=lambda session: expert_position_rows(session),
        checks=(check_order("since", "until"),),
    )
)


# -- recognition system / accreditation arrangement -----------------------------------------------
RECOGNITION_SYSTEM_FIELDS = (
    Field(
        "key",
        required=True,
        max_len=80,
        help="Natural key of the system or arrangement.",
        example="EX-SYS-CB",
    ),
    Field(
        "kind",
        required=True,
        choices=_values(ParticipationKind),
        help="system (multilateral testing/certification recognition system) or "
        "accreditation_arrangement.",
        example="system",
    ),
    *NAMES,
    Field("scope_zh", max_len=4000, help="Scope in Chinese."),
    Field("scope_en", max_len=4000, help="Scope in English."),
    Field(
        "signed_on",
        type="date",
        required=True,
        help="Date the authority signed or joined.",
        example="2004-03-01",
    ),
    Field(
        "withdrawn_on",
        type="date",
        help="First day it no longer applies, if withdrawn (it still counts as signed).",
    ),
    Field(
        "arrangement",
        max_len=40,
        help="Key of the registry's arrangement of the same scheme (optional).",
        example="IAF-MLA",
    ),
    SOURCE,
)


def _apply_recognition_system(ctx: ImportContext, row: Row) -> str:
    arrangement = ctx.arrangement(row["arrangement"]) if row["arrangement"] else None
    _, action = ctx.upsert(
        mc.RecognitionSystemParticipation,
        {"key": row["key"]},
        {
            "kind": row["kind"],
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "name_other": row["name_other"],
            "scope_zh": row["scope_zh"],
            "scope_en": row["scope_en"],
            "signed_on": row["signed_on"],
            "withdrawn_on": row["withdrawn_on"],
            "arrangement_id": arrangement,
            "source": row["source"] or "",
        },
        "cooperation_recognition_system",
        row["key"],
    )
    return action


def recognition_system_rows(session: Session, query: Select[Any] | None = None) -> Iterator[Row]:
    """Systems and accreditation arrangements signed, as import rows."""
    q = query if query is not None else select(mc.RecognitionSystemParticipation)
    keys = dict(session.execute(select(m.Arrangement.id, m.Arrangement.key)).all())
    for p in session.execute(q.order_by(mc.RecognitionSystemParticipation.key)).scalars():
        yield {
            "key": p.key,
            "kind": p.kind,
            "name_zh": p.name_zh,
            "name_en": p.name_en,
            "name_other": p.name_other,
            "scope_zh": p.scope_zh,
            "scope_en": p.scope_en,
            "signed_on": p.signed_on,
            "withdrawn_on": p.withdrawn_on,
            "arrangement": keys.get(p.arrangement_id) if p.arrangement_id else None,
            "source": p.source,
        }


RECOGNITION_SYSTEM = register(
    Kind(
        name="cooperation_recognition_system",
        plural="cooperation_recognition_systems",
        doc="A multilateral testing/certification recognition system or an accreditation "
        "arrangement the authority signed.",
        fields=RECOGNITION_SYSTEM_FIELDS,
        key=("key",),
        apply=_per_row(_apply_recognition_system),
        export=lambda session: recognition_system_rows(session),
        aliases=("cooperation_systems",),
        checks=(HAS_NAME, check_after("signed_on", "withdrawn_on")),
    )
)

__all__ = [
    "AGREEMENT",
    "COUNTERPART",
    "EXPERT_POSITION",
    "MEMBERSHIP",
    "MEMBERSHIP_EVENT",
    "RECOGNITION_SYSTEM",
    "agreement_rows",
    "counterpart_rows",
    "expert_position_rows",
    "membership_event_rows",
    "membership_rows",
    "recognition_system_rows",
]
