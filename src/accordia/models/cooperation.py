"""The international cooperation ledger: agreements, counterparts, memberships, systems signed.

Every imported record is addressed by a natural key (``key``); parties are linked by the
agreement's and the counterpart's keys in imports, by ids inside the database only. Membership
status is history (:class:`MembershipEvent`), never a column that is overwritten. The figures
reported from the ledger are computed by :mod:`accordia.domain.cooperation`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.domain.cooperation import (
    AgreementType,
    CounterpartKind,
    ExpertRole,
    MembershipEventKind,
    OrganisationLevel,
    ParticipationKind,
)
from accordia.models._mixins import BilingualNameMixin, SourcedMixin, event_columns, has_name


def _one_of(column: str, values: type[StrEnum], name: str) -> CheckConstraint:
    """Check constraint: ``column`` holds one of the enum's values."""
    listed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name)


def has_title() -> CheckConstraint:
    """Check constraint: an agreement has a Chinese or an English title (or both)."""
    return CheckConstraint("title_zh IS NOT NULL OR title_en IS NOT NULL", name="has_title")


class Counterpart(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """A body the authority signs with: government, association, accreditation or cert. body.

    Addressed by ``key`` (e.g. ``NZ-MBIE``). ``economy_id`` is the country or region counted in
    "countries and regions" (a grouping such as EU counts as one).
    """

    __tablename__ = "cooperation_counterpart"
    __table_args__ = (has_name(), _one_of("kind", CounterpartKind, "kind"))

    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    acronym: Mapped[str | None] = mapped_column(String(40))
    economy_id: Mapped[int] = mapped_column(ForeignKey("economy.id"), index=True)
    website: Mapped[str | None] = mapped_column(String(300))


class Agreement(IdMixin, SourcedMixin, Base):
    """An agreement document (cooperation agreement, MoU, MRA, protocol ...), addressed by ``key``.

    Dates are as published: ``signed_on`` (counted from), ``in_force_on`` (null: on signature),
    ``expires_on`` (last day of validity, inclusive), ``terminated_on`` (first day it no longer
    applies). Ended agreements stay in the ledger: they still count as signed.
    """

    __tablename__ = "cooperation_agreement"
    __table_args__ = (has_title(), _one_of("type", AgreementType, "type"))

    key: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    title_zh: Mapped[str | None] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    signed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    in_force_on: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))  # where it was signed
    scope_zh: Mapped[str | None] = mapped_column(Text)  # product or scope coverage, as published
    scope_en: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class AgreementParty(IdMixin, SourcedMixin, Base):
    """A counterpart that signed an agreement (our authority is implicitly the other party)."""

    __tablename__ = "cooperation_agreement_party"
    __table_args__ = (UniqueConstraint("agreement_id", "counterpart_id"),)

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_agreement.id", ondelete="CASCADE")
    )
    counterpart_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_counterpart.id"), index=True
    )
    signatory_zh: Mapped[str | None] = mapped_column(String(300))  # who signed for it, if given
    signatory_en: Mapped[str | None] = mapped_column(String(300))


class AgreementScopeItem(IdMixin, Base):
    """One item of a recognition agreement's coverage: ``HS:8516``, ``CCC:0701``, ``IEC 60335``."""

    __tablename__ = "cooperation_agreement_scope_item"
    __table_args__ = (UniqueConstraint("agreement_id", "item"),)

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_agreement.id", ondelete="CASCADE")
    )
    item: Mapped[str] = mapped_column(String(100), index=True)


class AgreementDocument(IdMixin, SourcedMixin, Base):
    """A text or link of an agreement (signed text, announcement, annex), by ``language``."""

    __tablename__ = "cooperation_agreement_document"
    __table_args__ = (UniqueConstraint("agreement_id", "url"),)

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_agreement.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(1000))
    language: Mapped[str | None] = mapped_column(String(8))  # zh | en | other BCP 47 tag
    title: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(24), default="text")  # text | announcement | annex


class Membership(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """The authority's relation to an international or regional organisation (IAF, IEC, APAC).

    Addressed by ``key`` (the organisation's acronym, e.g. ``IAF``). Status over time is in
    :class:`MembershipEvent`: joined, observer, tracked, left.
    """

    __tablename__ = "cooperation_membership"
    __table_args__ = (has_name(), _one_of("level", OrganisationLevel, "level"))

    key: Mapped[str] = mapped_column(String(80), unique=True)
    level: Mapped[str] = mapped_column(String(16), default=OrganisationLevel.INTERNATIONAL.value)
    acronym: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))


class MembershipEvent(event_columns("cooperation_membership"), Base):  # type: ignore[misc]
    """Status history of a membership: ``kind`` is one of joined, observer, tracked, left."""

    __tablename__ = "cooperation_membership_event"
    __table_args__ = (_one_of("kind", MembershipEventKind, "kind"),)


class ExpertPosition(IdMixin, SourcedMixin, Base):
    """A position one of our experts holds in an organisation (chair, convenor, WG member).

    ``body`` names the committee or working group (e.g. ``IAF TC``, ``IEC CAB WG 17``). The
    person's name is optional: the figure that matters is the position.
    """

    __tablename__ = "cooperation_expert_position"
    __table_args__ = (
        UniqueConstraint("membership_id", "role", "body", "since"),
        _one_of("role", ExpertRole, "role"),
    )

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_membership.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(String(200), default="")
    person_name: Mapped[str | None] = mapped_column(String(200))
    since: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)  # inclusive


class RecognitionSystemParticipation(IdMixin, BilingualNameMixin, SourcedMixin, Base):
    """A multilateral testing/certification system or accreditation arrangement signed.

    Addressed by ``key`` (``IECEE-CB``, ``IAF-MLA``). ``arrangement_id`` optionally links the
    registry's :class:`~accordia.models.arrangement.Arrangement` of the same scheme.
    """

    __tablename__ = "cooperation_recognition_system"
    __table_args__ = (has_name(), _one_of("kind", ParticipationKind, "kind"))

    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    scope_zh: Mapped[str | None] = mapped_column(Text)
    scope_en: Mapped[str | None] = mapped_column(Text)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    arrangement_id: Mapped[int | None] = mapped_column(ForeignKey("arrangement.id"))
