"""Search over organizations, CABs, accreditation bodies and certificates (see docs/search.md).

Public API::

    search(session, query, kinds=None, economy=None, limit=10, *, post_filter=None)
        -> SearchResponse
    index_entities(session, entities) -> int
    remove_entities(session, refs) -> int
    clear_index(session) -> None
    index_is_empty(session) -> bool

The index is fed from the registry by :mod:`accordia.services.search_index`.
"""

from accordia.search.results import KINDS, Match, SearchFilters, SearchHit, SearchResponse
from accordia.search.service import (
    EMPTY_INDEX_MESSAGE,
    clear_index,
    entity_forms,
    index_entities,
    index_is_empty,
    index_size,
    remove_entities,
    search,
)

__all__ = [
    "EMPTY_INDEX_MESSAGE",
    "KINDS",
    "Match",
    "SearchFilters",
    "SearchHit",
    "SearchResponse",
    "clear_index",
    "entity_forms",
    "index_entities",
    "index_is_empty",
    "index_size",
    "remove_entities",
    "search",
]
