"""Identifiers of legal entities and attestations, validated by their published check rules."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from stdnum import lei as _lei
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError


class IdentifierScheme(StrEnum):
    """Identifier schemes the registry knows how to check."""

    USCC = "USCC"  # China Unified Social Credit Code (GB 32100-2015), 18 characters
    LEI = "LEI"  # Legal Entity Identifier (ISO 17442), 20 characters
    OTHER = "OTHER"


class IdentifierError(ValueError):
    """An identifier failed its scheme's format or check-digit rule."""


def validate_identifier(scheme: str, value: str) -> str:
    """Return the compact, validated form of ``value`` or raise :class:`IdentifierError`."""
    try:
        sch = IdentifierScheme(scheme.upper())
    except ValueError:
        sch = IdentifierScheme.OTHER
    raw = unicodedata.normalize("NFKC", value).strip()
    try:
        if sch is IdentifierScheme.USCC:
            return str(_uscc.validate(raw))
        if sch is IdentifierScheme.LEI:
            return str(_lei.validate(raw))
    except ValidationError as exc:
        rule = "GB 32100-2015 check character" if sch is IdentifierScheme.USCC else "ISO 17442"
        raise IdentifierError(f"invalid {sch.value} {value!r}: {exc} ({rule})") from exc
    if not raw:
        raise IdentifierError("empty identifier")
    return raw


_SEP = re.compile(r"[\s\-‐‑‒–—―_/.·・:：]+")


def normalize_number(value: str) -> str:
    """Normalise a certificate or registration number for matching.

    Full-width characters become ASCII (NFKC), case is folded, and spaces, dashes, slashes and
    dots are dropped: ``"CQC 2023-０１/ab"`` and ``"cqc202301AB"`` normalise alike.
    """
    return _SEP.sub("", unicodedata.normalize("NFKC", value)).upper()
