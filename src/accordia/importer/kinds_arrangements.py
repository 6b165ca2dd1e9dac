"""Record kinds: arrangements, recognitions of regional arrangements, signatories, markets."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accordia import models as m
from accordia.importer.context import ImportContext, RowError
from accordia.importer.fields import Field
from accordia.importer.kind import (
    Kind,
    Row,
    check_one_of,
    check_order,
    check_scope_items,
    register,
    require_together,
)
from accordia.importer.kinds_bodies import EVENT_KINDS
from accordia.importer.kinds_reference import SOURCE
from accordia.models.arrangement import ArrangementKind
from accordia.models.certificate import AttestationKind


def _economy_codes(session: Session) -> dict[int, str]:
    return dict(session.execute(select(m.Economy.id, m.Economy.code)).all())


# -- arrangement ----------------------------------------------------------------------------------
def _apply_arrangement(ctx: ImportContext, row: Row) -> None:
    successor = ctx.arrangement(row["successor"], "successor") if row["successor"] else None
    arr, _ = ctx.upsert(
        m.Arrangement,
        {"key": row["key"]},
        {
            "kind": row["kind"],
            "name_en": row["name_en"],
            "name_zh": row["name_zh"],
            "acronym": row["acronym"],
            "operator": row["operator"],
            "established_on": row["established_on"],
            "successor_id": successor,
            "succeeded_on": row["succeeded_on"],
            "source": row["source"] or "",
        },
        "arrangement",
        row["key"],
    )
    have = set(
        ctx.session.execute(
            select(m.ArrangementParty.economy_id).filter_by(arrangement_id=arr.id)
        ).scalars()
    )
    for code in row["parties"]:
        eco = ctx.economy(code, "parties")
        if eco not in have:
            ctx.session.add(
                m.ArrangementParty(
                    arrangement_id=arr.id, economy_id=eco, source=row["source"] or ""
                )
            )
            ctx.audit(
                "create",
                "arrangement_party",
                f"{row['key']} / {code}",
                None,
                {"arrangement": row["key"], "economy": code},
            )


def _export_arrangement(session: Session) -> Iterator[Row]:
    ecos = _economy_codes(session)
    arrs = session.execute(select(m.Arrangement)).scalars().all()
    keys = {a.id: a.key for a in arrs}
    parties: dict[int, list[str]] = {}
    for arr_id, eco in session.execute(
        select(m.ArrangementParty.arrangement_id, m.ArrangementParty.economy_id)
    ):
        parties.setdefault(arr_id, []).append(ecos[eco])
    # successors first so that predecessors can refer to them on re-import
    ordered = sorted(arrs, key=lambda a: (a.successor_id is not None, a.key))
    for a in ordered:
        yield {
            "key": a.key,
            "kind": a.kind,
            "name_en": a.name_en,
            "name_zh": a.name_zh,
            "acronym": a.acronym,
            "operator": a.operator,
            "established_on": a.established_on,
            "successor": keys.get(a.successor_id) if a.successor_id else None,
            "succeeded_on": a.succeeded_on,
            "parties": sorted(parties.get(a.id, [])),
            "source": a.source,
        }


register(
    Kind(
        name="arrangement",
        plural="arrangements",
        doc="A recognition arrangement: global (IAF MLA, ILAC MRA), regional, sector scheme, "
        "government or bilateral.",
        fields=(
            Field("key", required=True, max_len=40, help="Natural key.", example="IAF-MLA"),
            Field(
                "kind",
                required=True,
                choices=tuple(k.value for k in ArrangementKind),
                help="Kind of arrangement.",
            ),
            Field("name_en", help="English name."),
            Field("name_zh", help="Chinese name."),
            Field("acronym", max_len=40, help="Acronym."),
            Field("operator", max_len=200, help="Body that operates it."),
            Field("established_on", type="date", help="Date signed or established."),
            Field("successor", max_len=40, help="Key of the arrangement that succeeds it."),
            Field(
                "succeeded_on",
                type="date",
                help="Date signatory status carries over to the successor.",
            ),
            Field(
                "parties",
                type="list",
                max_len=16,
                help="Party economies (government and bilateral arrangements).",
            ),
            SOURCE,
        ),
        key=("key",),
        apply=_apply_arrangement,
        export=_export_arrangement,
        checks=(check_one_of("name_en", "name_zh"), require_together("successor", "succeeded_on")),
    )
)


# -- recognition of regional arrangements ---------------------------------------------------------
def _recognition(ctx: ImportContext, row: Row) -> tuple[int, str]:
    recognizing = ctx.arrangement(row["recognizing"], "recognizing")
    recognized = ctx.arrangement(row["recognized"], "recognized")
    if recognizing == recognized:
        raise RowError("recognized", "self_reference", "an arrangement cannot recognise itself")
    scope = check_scope_items(ctx, [row["scope"]], "scope")[0]
    key = f"{row['recognizing']} / {row['recognized']} / {scope}"
    rec, _ = ctx.upsert(
        m.ArrangementRecognition,
        {"recognizing_id": recognizing, "recognized_id": recognized, "scope": scope},
        {},
        "arrangement_recognition",
        key,
    )
    return rec.id, key


def _apply_recognition_event(ctx: ImportContext, row: Row) -> None:
    rec_id, key = _recognition(ctx, row)
    ctx.add_event(
        m.RecognitionEvent,
        rec_id,
        "recognition_event",
        key,
        kind=row["kind"],
        effective_on=row["effective_on"],
        note=row["note"],
        source=row["source"] or "",
    )


def _export_recognition_events(session: Session) -> Iterator[Row]:
    a1, a2 = aliased(m.Arrangement), aliased(m.Arrangement)
    q = (
        select(m.RecognitionEvent, a1.key, a2.key, m.ArrangementRecognition.scope)
        .join(m.ArrangementRecognition, m.RecognitionEvent.parent_id == m.ArrangementRecognition.id)
        .join(a1, m.ArrangementRecognition.recognizing_id == a1.id)
        .join(a2, m.ArrangementRecognition.recognized_id == a2.id)
        .order_by(
            a1.key,
            a2.key,
            m.ArrangementRecognition.scope,
            m.RecognitionEvent.effective_on,
            m.RecognitionEvent.id,
        )
    )
    for ev, k1, k2, scope in session.execute(q):
        yield {
            "recognizing": k1,
            "recognized": k2,
            "scope": scope,
            "kind": ev.kind,
            "effective_on": ev.effective_on,
            "note": ev.note,
            "source": ev.source,
        }


register(
    Kind(
        name="recognition_event",
        plural="recognition_events",
        doc="A global arrangement's recognition of a regional one for a scope, as events.",
        fields=(
            Field(
                "recognizing",
                required=True,
                max_len=40,
                help="Global arrangement key.",
                example="IAF-MLA",
            ),
            Field(
                "recognized",
                required=True,
                max_len=40,
                help="Regional arrangement key.",
                example="APAC-MLA",
            ),
            Field("scope", required=True, max_len=100, help="Scope item.", example="MLA:MS"),
            Field("kind", required=True, choices=EVENT_KINDS, help="Event kind."),
            Field("effective_on", type="date", required=True, help="Date it took effect."),
            Field("note", max_len=2000, help="Free text."),
            SOURCE,
        ),
        key=("recognizing", "recognized", "scope", "kind", "effective_on"),
        apply=_apply_recognition_event,
        export=_export_recognition_events,
        aliases=("recognitions", "arrangement_recognitions"),
    )
)


# -- signatory events (per scope) -----------------------------------------------------------------
SIGNATORY_FIELDS = (
    Field("arrangement", required=True, max_len=40, help="Arrangement key.", example="IAF-MLA"),
    Field(
        "accreditation_body",
        max_len=32,
        help="Signatory accreditation body acronym.",
        example="CNAS",
    ),
    Field("accreditation_body_economy", max_len=16, help="Its economy.", example="CN"),
    Field("cab", max_len=64, help="Or: registration number of a CAB designated under it."),
)


def _signatory_scope(ctx: ImportContext, row: Row) -> tuple[int, str]:
    arr = ctx.arrangement(row["arrangement"])
    if bool(row["accreditation_body"]) == bool(row["cab"]):
        raise RowError(
            "accreditation_body",
            "one_participant",
            "give either accreditation_body (+ economy) or cab, not both or neither",
        )
    if row["accreditation_body"]:
        ab = ctx.accreditation_body(
            row["accreditation_body"], row["accreditation_body_economy"] or "", "accreditation_body"
        )
        key = {"arrangement_id": arr, "accreditation_body_id": ab, "cab_id": None}
        who = f"{row['accreditation_body']}@{row['accreditation_body_economy']}"
    else:
        key = {"arrangement_id": arr, "accreditation_body_id": None, "cab_id": ctx.cab(row["cab"])}
        who = row["cab"]
    sig, _ = ctx.upsert(m.Signatory, key, {}, "signatory", f"{row['arrangement']} / {who}")
    scope = check_scope_items(ctx, [row["scope"]], "scope")[0]
    record_key = f"{row['arrangement']} / {who} / {scope}"
    sc, _ = ctx.upsert(
        m.SignatoryScope,
        {"signatory_id": sig.id, "scope": scope},
        {},
        "signatory_scope",
        record_key,
    )
    return sc.id, record_key


def _apply_signatory_event(ctx: ImportContext, row: Row) -> None:
    sc_id, key = _signatory_scope(ctx, row)
    ctx.add_event(
        m.SignatoryEvent,
        sc_id,
        "signatory_event",
        key,
        kind=row["kind"],
        effective_on=row["effective_on"],
        note=row["note"],
        source=row["source"] or "",
    )


def _export_signatory_events(session: Session) -> Iterator[Row]:
    ecos = _economy_codes(session)
    abs_ = {a.id: a for a in session.execute(select(m.AccreditationBody)).scalars()}
    cabs = dict(session.execute(select(m.Cab.id, m.Cab.registration_number)).all())
    q = (
        select(m.SignatoryEvent, m.SignatoryScope.scope, m.Signatory, m.Arrangement.key)
        .join(m.SignatoryScope, m.SignatoryEvent.parent_id == m.SignatoryScope.id)
        .join(m.Signatory, m.SignatoryScope.signatory_id == m.Signatory.id)
        .join(m.Arrangement, m.Signatory.arrangement_id == m.Arrangement.id)
    )
    rows = []
    for ev, scope, sig, arr_key in session.execute(q):
        ab = abs_.get(sig.accreditation_body_id) if sig.accreditation_body_id else None
        rows.append(
            {
                "arrangement": arr_key,
                "accreditation_body": ab.acronym if ab else None,
                "accreditation_body_economy": ecos[ab.economy_id] if ab else None,
                "cab": cabs.get(sig.cab_id) if sig.cab_id else None,
                "scope": scope,
                "kind": ev.kind,
                "effective_on": ev.effective_on,
                "note": ev.note,
                "source": ev.source,
                "_order": ev.id,
            }
        )
    rows.sort(
        key=lambda r: (
            r["arrangement"],
            r["accreditation_body"] or "",
            r["accreditation_body_economy"] or "",
            r["cab"] or "",
            r["scope"],
            r["effective_on"],
            r["_order"],
        )
    )
    for r in rows:
        r.pop("_order")
        yield r


register(
    Kind(
        name="signatory_event",
        plural="signatory_events",
        doc="A change of a signatory's status for one scope of an arrangement (admitted, "
        "suspended, restored, withdrawn). The signatory and scope are created on first use.",
        fields=(
            *SIGNATORY_FIELDS,
            Field("scope", required=True, max_len=100, help="Scope item.", example="MLA:MS/QMS"),
            Field("kind", required=True, choices=EVENT_KINDS, help="Event kind."),
            Field("effective_on", type="date", required=True, help="Date it took effect."),
            Field("note", max_len=2000, help="Free text (decision, evidence)."),
            SOURCE,
        ),
        key=(
            "arrangement",
            "accreditation_body",
            "accreditation_body_economy",
            "cab",
            "scope",
            "kind",
            "effective_on",
        ),
        apply=_apply_signatory_event,
        export=_export_signatory_events,
        aliases=("signatories",),
        checks=(require_together("accreditation_body", "accreditation_body_economy"),),
    )
)


# -- market acceptance ----------------------------------------------------------------------------
def _apply_market(ctx: ImportContext, row: Row) -> None:
    scope = check_scope_items(ctx, [row["scope"]], "scope")[0] if row["scope"] else ""
    ctx.upsert(
        m.MarketAcceptance,
        {
            "economy_id": ctx.economy(row["market"], "market"),
            "arrangement_id": ctx.arrangement(row["arrangement"]),
            "attestation_kind": row["attestation_kind"] or "",
            "scope": scope,
        },
        {
            "valid_from": row["valid_from"],
            "valid_until": row["valid_until"],
            "note_zh": row["note_zh"],
            "note_en": row["note_en"],
            "source": row["source"] or "",
        },
        "market_acceptance",
        f"{row['market']} / {row['arrangement']} / {row['attestation_kind'] or '*'} / "
        f"{scope or '*'}",
    )


def _export_market(session: Session) -> Iterator[Row]:
    ecos = _economy_codes(session)
    keys = dict(session.execute(select(m.Arrangement.id, m.Arrangement.key)).all())
    rows = session.execute(select(m.MarketAcceptance)).scalars().all()
    out = [
        {
            "market": ecos[r.economy_id],
            "arrangement": keys[r.arrangement_id],
            "attestation_kind": r.attestation_kind or None,
            "scope": r.scope or None,
            "valid_from": r.valid_from,
            "valid_until": r.valid_until,
            "note_zh": r.note_zh,
            "note_en": r.note_en,
            "source": r.source,
        }
        for r in rows
    ]
    out.sort(
        key=lambda r: (r["market"], r["arrangement"], r["attestation_kind"] or "", r["scope"] or "")
    )
    yield from out


register(
    Kind(
        name="market_acceptance",
        plural="market_acceptances",
        doc="Market M accepts attestations recognized through an arrangement, for an "
        "attestation kind and product scope, over a period.",
        fields=(
            Field(
                "market",
                required=True,
                max_len=16,
                help="Economy code of the market.",
                example="NZ",
            ),
            Field("arrangement", required=True, max_len=40, help="Arrangement key."),
            Field(
                "attestation_kind",
                choices=tuple(k.value for k in AttestationKind),
                help="Kind of attestation accepted; empty for any.",
            ),
            Field("scope", max_len=100, help="Scope item or prefix (HS:85); empty for any."),
            Field("valid_from", type="date", help="First day of acceptance."),
            Field("valid_until", type="date", help="Last day of acceptance."),
            Field("note_zh", max_len=2000, help="Conditions, in Chinese."),
            Field("note_en", max_len=2000, help="Conditions, in English."),
            SOURCE,
        ),
        key=("market", "arrangement", "attestation_kind", "scope"),
        apply=_apply_market,
        export=_export_market,
        aliases=("markets", "market_acceptances"),
        checks=(check_order("valid_from", "valid_until"),),
    )
)
