"""Search over organizations, CABs, accreditation bodies and certificates (see docs/search.md).

Public API::

    search(session, query, kinds=None, economy=None, limit=10, *, post_filter=None)
        -> SearchResponse
    index_entities(session, entities) -> int
    remove_entities(session, refs) -> int
    clear_index(session) -> None
"""

from accordia.search.results import KINDS, Match, SearchFilters, SearchHit, SearchResponse
from accordia.search.service import (
    clear_index,
    entity_forms,
    index_entities,
    index_size,
    remove_entities,
    search,
)

__all__ = [
    "KINDS",
    "Match",
    "SearchFilters",
    "SearchHit",
    "SearchResponse",
    "clear_index",
    "entity_forms",
    "index_entities",
    "index_size",
    "remove_entities",
    "search",
]
