"""What a search returns: hits with the reasons they matched, or a clear refine/no-match answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "no_match", "refine"]
Interpretation = Literal["identifier", "name", "none"]

#: Entity kinds the index knows, in the order used to break score ties.
KINDS: tuple[str, ...] = ("organization", "cab", "accreditation_body", "certificate")


@dataclass(frozen=True, slots=True)
class Match:
    """Why a hit matched: which stored name (``field``), in which form, and how."""

    field: str  # name_zh, name_en, name_other, acronym, uscc, lei, number
    form: str  # zh, zh_orig, core, py, py_core, py_initials, en, initials, acronym, uscc ...
    text: str  # the stored (normalised) form that matched
    how: str  # exact | prefix | substring | contained | fuzzy | all words
    score: float
    why: str  # human-readable explanation, e.g. "pinyin of the Chinese name; prefix"
    notes: tuple[str, ...] = ()  # query-side steps: traditional→simplified, typo corrected ...


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str
    key: str
    name_zh: str | None
    name_en: str | None
    acronym: str | None
    economy_code: str | None
    score: float
    matches: tuple[Match, ...]
    extra: dict[str, Any] | None = None

    @property
    def why(self) -> str:
        return self.matches[0].why if self.matches else ""


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Filters applied inside the candidate look-ups (``kinds``, ``economy``), and those the
    registry's post-filter applied (``standard``, ``status`` on ``status_on``; see
    ``post_filter`` of :func:`accordia.search.search` and
    :func:`accordia.services.search_index.search_registry`)."""

    kinds: tuple[str, ...] | None = None
    economy: str | None = None
    standard: str | None = None
    status: str | None = None  # valid | active | suspended | withdrawn | expired | not_yet
    status_on: str | None = None  # ISO date the status is asked on

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True, slots=True)
class SearchResponse:
    query: str
    status: Status
    message: str
    interpretation: Interpretation
    normalized: str
    hits: tuple[SearchHit, ...]
    backend: str
    elapsed_ms: float
    filters: SearchFilters = field(default_factory=SearchFilters)
    reason: str | None = None  # refine reason: empty, too_short, too_long, ...
    candidates: int = 0  # entities re-ranked (bounded; never a full scan)

    @property
    def top(self) -> SearchHit | None:
        return self.hits[0] if self.hits else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (for ``--json`` and ``GET /api/v1/search``)."""
        d = asdict(self)
        d["filters"] = self.filters.as_dict()
        for hit, h in zip(self.hits, d["hits"], strict=True):
            h["why"] = hit.why
        return d
