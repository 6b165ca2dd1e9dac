"""Record kinds: organizations, sites, accreditation bodies, CABs, regulators, associations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.domain.identifiers import IdentifierError, validate_identifier
from accordia.domain.status import EventKind
from accordia.importer.context import ImportContext, RowError
from accordia.importer.fields import Field, FieldError
from accordia.importer.kind import Kind, Row, check_one_of, check_order, register
from accordia.importer.kinds_reference import SOURCE
from accordia.models.body import CabKind

NAMES = (
    Field("name_zh", help="Name in Chinese, as published.", example="中国合格评定国家认可委员会"),
    Field(
        "name_en",
        help="Name in English, as published.",
        example="China National Accreditation Service for Conformity Assessment",
    ),
)
HAS_NAME = check_one_of("name_zh", "name_en")


def _checked(scheme: str) -> Callable[[Any], Any]:
    def _check(value: Any) -> Any:
        try:
            return validate_identifier(scheme, str(value))
        except IdentifierError as exc:
            raise FieldError(scheme.lower(), "check_digit", str(exc)) from None

    return _check


def _economy_codes(session: Session) -> dict[int, str]:
    return dict(session.execute(select(m.Economy.id, m.Economy.code)).all())


# -- organization ---------------------------------------------------------------------------------
def _apply_organization(ctx: ImportContext, row: Row) -> None:
    eco = ctx.economy(row["economy"]) if row["economy"] else None
    org, _ = ctx.upsert(
        m.Organization,
        {"key": row["key"]},
        {
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "name_other": row["name_other"],
            "economy_id": eco,
            "address_zh": row["address_zh"],
            "address_en": row["address_en"],
            "source": row["source"] or "",
        },
        "organization",
        row["key"],
    )
    idents: list[tuple[str, str]] = []
    if row["uscc"]:
        idents.append(("USCC", row["uscc"]))
    if row["lei"]:
        idents.append(("LEI", row["lei"]))
    for item in row["identifiers"]:
        scheme, _, value = item.partition(":")
        if not value:
            raise RowError("identifiers", "identifier", f"{item!r} is not SCHEME:VALUE")
        try:
            idents.append((scheme.upper(), validate_identifier(scheme, value)))
        except IdentifierError as exc:
            raise RowError("identifiers", "check_digit", str(exc)) from None
    for scheme, value in idents:
        owner = ctx.session.execute(
            select(m.OrganizationIdentifier.organization_id).filter_by(scheme=scheme, value=value)
        ).scalar_one_or_none()
        if owner is None:
            ctx.session.add(
                m.OrganizationIdentifier(
                    organization_id=org.id, scheme=scheme, value=value, source=row["source"] or ""
                )
            )
            ctx.audit(
                "create",
                "organization_identifier",
                f"{scheme}:{value}",
                None,
                {"organization": row["key"], "scheme": scheme, "value": value},
            )
        elif owner != org.id:
            raise RowError(
                scheme.lower() if scheme in ("USCC", "LEI") else "identifiers",
                "duplicate_identifier",
                f"{scheme} {value} already identifies another organization",
            )


def _export_organization(session: Session) -> Iterator[Row]:
    ecos = _economy_codes(session)
    for org in (
        session.execute(select(m.Organization).order_by(m.Organization.key))
        .yield_per(2000)
        .scalars()
    ):
        ids = session.execute(
            select(m.OrganizationIdentifier.scheme, m.OrganizationIdentifier.value)
            .filter_by(organization_id=org.id)
            .order_by(m.OrganizationIdentifier.scheme, m.OrganizationIdentifier.value)
        ).all()
        other = [f"{s}:{v}" for s, v in ids if s not in ("USCC", "LEI")]
        yield {
            "key": org.key,
            "name_zh": org.name_zh,
            "name_en": org.name_en,
            "name_other": org.name_other,
            "economy": ecos.get(org.economy_id) if org.economy_id else None,
            "uscc": next((v for s, v in ids if s == "USCC"), None),
            "lei": next((v for s, v in ids if s == "LEI"), None),
            "identifiers": other,
            "address_zh": org.address_zh,
            "address_en": org.address_en,
            "source": org.source,
        }


register(
    Kind(
        name="organization",
        plural="organizations",
        doc="A legal entity that holds certificates, with its identifiers.",
        fields=(
            Field(
                "key",
                required=True,
                max_len=120,
                help="Natural key; by convention the USCC or LEI when known.",
                example="91440300MA5DXXXXXX",
            ),
            *NAMES,
            Field("name_other", help="Name in another script (e.g. traditional characters)."),
            Field("economy", max_len=16, help="Economy code.", example="CN"),
            Field(
                "uscc",
                max_len=18,
                check=_checked("USCC"),
                help="China Unified Social Credit Code (check character verified).",
            ),
            Field("lei", max_len=20, check=_checked("LEI"), help="Legal Entity Identifier."),
            Field("identifiers", type="list", max_len=80, help="Other identifiers, SCHEME:VALUE."),
            Field("address_zh", help="Registered address in Chinese."),
            Field("address_en", help="Registered address in English."),
            SOURCE,
        ),
        key=("key",),
        apply=_apply_organization,
        export=_export_organization,
        checks=(HAS_NAME,),
    )
)


# -- site -----------------------------------------------------------------------------------------
def _apply_site(ctx: ImportContext, row: Row) -> None:
    org = ctx.organization(row["organization"])
    ctx.upsert(
        m.Site,
        {"organization_id": org, "key": row["key"]},
        {
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "address_zh": row["address_zh"],
            "address_en": row["address_en"],
            "economy_id": ctx.economy(row["economy"]) if row["economy"] else None,
            "source": row["source"] or "",
        },
        "site",
        f"{row['organization']} / {row['key']}",
    )


def _export_site(session: Session) -> Iterator[Row]:
    ecos = _economy_codes(session)
    q = (
        select(m.Site, m.Organization.key)
        .join(m.Organization, m.Site.organization_id == m.Organization.id)
        .order_by(m.Organization.key, m.Site.key)
    )
    for site, org_key in session.execute(q).yield_per(2000):
        yield {
            "organization": org_key,
            "key": site.key,
            "name_zh": site.name_zh,
            "name_en": site.name_en,
            "address_zh": site.address_zh,
            "address_en": site.address_en,
            "economy": ecos.get(site.economy_id) if site.economy_id else None,
            "source": site.source,
        }


register(
    Kind(
        name="site",
        plural="sites",
        doc="A site (location) of an organization.",
        fields=(
            Field("organization", required=True, max_len=120, help="Organization key."),
            Field(
                "key", required=True, max_len=64, help="Site key, unique within the organization."
            ),
            Field("name_zh", help="Site name in Chinese."),
            Field("name_en", help="Site name in English."),
            Field("address_zh", help="Address in Chinese."),
            Field("address_en", help="Address in English."),
            Field("economy", max_len=16, help="Economy code."),
            SOURCE,
        ),
        key=("organization", "key"),
        apply=_apply_site,
        export=_export_site,
    )
)


# -- bodies addressed by acronym + economy --------------------------------------------------------
def _acronym_kind(
    name: str, plural: str, model: type[Any], doc: str, extra: tuple[Field, ...] = ()
) -> None:
    def _apply(ctx: ImportContext, row: Row) -> None:
        eco = ctx.economy(row["economy"])
        values = {
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "website": row["website"],
            "source": row["source"] or "",
        }
        for f in extra:
            values[f.name] = row[f.name]
        ctx.upsert(
            model,
            {"acronym": row["acronym"], "economy_id": eco},
            values,
            name,
            f"{row['acronym']} / {row['economy']}",
        )

    def _export(session: Session) -> Iterator[Row]:
        ecos = _economy_codes(session)
        rows = session.execute(select(model)).scalars().all()
        for b in sorted(rows, key=lambda b: (b.acronym, ecos[b.economy_id])):
            out = {
                "acronym": b.acronym,
                "economy": ecos[b.economy_id],
                "name_zh": b.name_zh,
                "name_en": b.name_en,
                "website": b.website,
                "source": b.source,
            }
            for f in extra:
                out[f.name] = getattr(b, f.name)
            yield out

    register(
        Kind(
            name=name,
            plural=plural,
            doc=doc,
            fields=(
                Field("acronym", required=True, max_len=32, help="Acronym.", example="CNAS"),
                Field("economy", required=True, max_len=16, help="Economy code.", example="CN"),
                *NAMES,
                Field("website", max_len=300, help="Official website."),
                *extra,
                SOURCE,
            ),
            key=("acronym", "economy"),
            apply=_apply,
            export=_export,
            checks=(HAS_NAME,),
        )
    )


_acronym_kind(
    "accreditation_body",
    "accreditation_bodies",
    m.AccreditationBody,
    "An accreditation body (ISO/IEC 17011).",
)
_acronym_kind(
    "regulator",
    "regulators",
    m.Regulator,
    "A government authority supervising certification and accreditation.",
)
_acronym_kind("association", "associations", m.Association, "An industry association.")


# -- CAB ------------------------------------------------------------------------------------------
def _apply_cab(ctx: ImportContext, row: Row) -> None:
    ctx.upsert(
        m.Cab,
        {"registration_number": row["registration_number"]},
        {
            "kind": row["kind"],
            "acronym": row["acronym"],
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "economy_id": ctx.economy(row["economy"]),
            "website": row["website"],
            "organization_id": ctx.organization(row["organization"])
            if row["organization"]
            else None,
            "auditor_count": row["auditor_count"],
            "source": row["source"] or "",
        },
        "cab",
        row["registration_number"],
    )


def _export_cab(session: Session) -> Iterator[Row]:
    ecos = _economy_codes(session)
    q = (
        select(m.Cab, m.Organization.key)
        .outerjoin(m.Organization, m.Cab.organization_id == m.Organization.id)
        .order_by(m.Cab.registration_number)
    )
    for cab, org_key in session.execute(q):
        yield {
            "registration_number": cab.registration_number,
            "kind": cab.kind,
            "acronym": cab.acronym,
            "name_zh": cab.name_zh,
            "name_en": cab.name_en,
            "economy": ecos[cab.economy_id],
            "website": cab.website,
            "organization": org_key,
            "auditor_count": cab.auditor_count,
            "source": cab.source,
        }


register(
    Kind(
        name="cab",
        plural="cabs",
        doc="A conformity assessment body: certification body, laboratory, inspection body, "
        "PT provider, RM producer, validation/verification body.",
        fields=(
            Field(
                "registration_number",
                required=True,
                max_len=64,
                help="Registration / approval number (natural key).",
                example="CNCA-R-2002-001",
            ),
            Field("kind", required=True, choices=tuple(k.value for k in CabKind), help="CAB kind."),
            Field("acronym", max_len=32, help="Acronym.", example="CQC"),
            *NAMES,
            Field("economy", required=True, max_len=16, help="Economy code."),
            Field("website", max_len=300, help="Official website."),
            Field("organization", max_len=120, help="Key of the legal entity, if registered."),
            Field("auditor_count", type="int", help="Qualified auditors (for capacity checks)."),
            SOURCE,
        ),
        key=("registration_number",),
        apply=_apply_cab,
        export=_export_cab,
        aliases=("conformity_assessment_bodies", "conformity_assessment_body"),
        checks=(HAS_NAME,),
    )
)


# -- association membership -----------------------------------------------------------------------
def _apply_membership(ctx: ImportContext, row: Row) -> None:
    ctx.upsert(
        m.AssociationMembership,
        {
            "association_id": ctx.association(row["association"], row["association_economy"]),
            "cab_id": ctx.cab(row["cab"]),
            "since": row["since"],
        },
        {"until": row["until"], "source": row["source"] or ""},
        "association_membership",
        f"{row['association']} / {row['cab']} / {row['since']}",
    )


def _export_membership(session: Session) -> Iterator[Row]:
    ecos = _economy_codes(session)
    q = (
        select(m.AssociationMembership, m.Association, m.Cab.registration_number)
        .join(m.Association, m.AssociationMembership.association_id == m.Association.id)
        .join(m.Cab, m.AssociationMembership.cab_id == m.Cab.id)
        .order_by(m.Association.acronym, m.Cab.registration_number, m.AssociationMembership.since)
    )
    for ms, assoc, regno in session.execute(q):
        yield {
            "association": assoc.acronym,
            "association_economy": ecos[assoc.economy_id],
            "cab": regno,
            "since": ms.since,
            "until": ms.until,
            "source": ms.source,
        }


register(
    Kind(
        name="association_membership",
        plural="association_memberships",
        doc="A CAB's membership of an association over a period.",
        fields=(
            Field("association", required=True, max_len=32, help="Association acronym."),
            Field("association_economy", required=True, max_len=16, help="Its economy."),
            Field("cab", required=True, max_len=64, help="CAB registration number."),
            Field("since", type="date", required=True, help="First day of membership."),
            Field("until", type="date", help="Last day of membership, if it ended."),
            SOURCE,
        ),
        key=("association", "association_economy", "cab", "since"),
        apply=_apply_membership,
        export=_export_membership,
        checks=(check_order("since", "until"),),
    )
)


# -- body approval events -------------------------------------------------------------------------
EVENT_KINDS = tuple(k.value for k in EventKind)


def _apply_approval(ctx: ImportContext, row: Row) -> None:
    cab = ctx.cab(row["cab"])
    reg = None
    if row["regulator"]:
        reg = ctx.regulator(row["regulator"], row["regulator_economy"] or "")
    ctx.add_event(
        m.BodyApprovalEvent,
        cab,
        "body_approval_event",
        row["cab"],
        kind=row["kind"],
        effective_on=row["effective_on"],
        note=row["note"],
        source=row["source"] or "",
        regulator_id=reg,
    )


def _export_approval(session: Session) -> Iterator[Row]:
    ecos = _economy_codes(session)
    regs = {r.id: r for r in session.execute(select(m.Regulator)).scalars()}
    q = (
        select(m.BodyApprovalEvent, m.Cab.registration_number)
        .join(m.Cab, m.BodyApprovalEvent.parent_id == m.Cab.id)
        .order_by(
            m.Cab.registration_number, m.BodyApprovalEvent.effective_on, m.BodyApprovalEvent.id
        )
    )
    for ev, regno in session.execute(q):
        reg = regs.get(ev.regulator_id) if ev.regulator_id else None
        yield {
            "cab": regno,
            "kind": ev.kind,
            "effective_on": ev.effective_on,
            "regulator": reg.acronym if reg else None,
            "regulator_economy": ecos[reg.economy_id] if reg else None,
            "note": ev.note,
            "source": ev.source,
        }


register(
    Kind(
        name="body_approval_event",
        plural="body_approval_events",
        doc="A change of a CAB's approval by its regulator (granted, suspended, withdrawn ...).",
        fields=(
            Field("cab", required=True, max_len=64, help="CAB registration number."),
            Field("kind", required=True, choices=EVENT_KINDS, help="Event kind."),
            Field("effective_on", type="date", required=True, help="Date it took effect."),
            Field("regulator", max_len=32, help="Regulator acronym."),
            Field("regulator_economy", max_len=16, help="Regulator economy."),
            Field("note", max_len=2000, help="Free text."),
            SOURCE,
        ),
        key=("cab", "kind", "effective_on"),
        apply=_apply_approval,
        export=_export_approval,
        aliases=("approvals", "approval_events"),
    )
)
