"""Standards and scope taxonomies (IAF MLA scopes, IAF/EA sectors, ILAC activities, HS codes)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accordia.db.base import Base, IdMixin
from accordia.models._mixins import SourcedMixin


class StandardKind(StrEnum):
    """Role a normative document plays in the chain."""

    AB_REQUIREMENT = "ab_requirement"  # ISO/IEC 17011
    CAB_REQUIREMENT = "cab_requirement"  # ISO/IEC 17021-1, 17065, 17025 ...
    SUPPLEMENT = "supplement"  # level 4 documents: ISO/IEC 17021-3, ISO/IEC 27006 ...
    NORMATIVE = "normative"  # what the certified object conforms to: ISO 9001 ...
    SCHEME = "scheme"  # scheme owners' documents: FSSC 22000, GLOBALG.A.P. IFA, CCC rules
    PRODUCT = "product"  # product standards tested against (IEC 60335-1, GB 4706.1 ...)


class Standard(IdMixin, SourcedMixin, Base):
    """A normative document, addressed by its code without the year (``ISO 9001``)."""

    __tablename__ = "standard"

    code: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    edition: Mapped[str | None] = mapped_column(String(40))
    title_zh: Mapped[str | None] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))


class ScopeScheme(StrEnum):
    """Taxonomies that scope items are drawn from."""

    IAF = "IAF"  # IAF/EA technical sector codes 1-39 (IAF ID 1)
    MLA = "MLA"  # IAF MLA main scopes and sub-scopes (IAF PL 3)
    ILAC = "ILAC"  # ILAC MRA activities
    HS = "HS"  # Harmonized System headings (product categories)
    CCC = "CCC"  # China Compulsory Certification catalogue categories
    FIELD = "FIELD"  # laboratory test fields / methods (free codes per accreditation body)


class ScopeCode(IdMixin, SourcedMixin, Base):
    """One code of a scope taxonomy, e.g. ``IAF:19`` or ``MLA:MS/QMS`` or ``HS:8516``.

    For MLA and ILAC codes, ``cab_standard`` and ``normative_standard`` say which CAB standard
    and which certified-against standard the scope covers, which is how a certificate's
    standard maps onto an arrangement scope.
    """

    __tablename__ = "scope_code"
    __table_args__ = (UniqueConstraint("scheme", "code"),)

    scheme: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    parent_code: Mapped[str | None] = mapped_column(String(64))
    name_zh: Mapped[str | None] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    cab_standard: Mapped[str | None] = mapped_column(String(80))
    normative_standard: Mapped[str | None] = mapped_column(String(80))
    level: Mapped[int | None] = mapped_column()
