"""Search service: build the index from plain dicts, and answer queries.

``search()`` analyses the query (:func:`accordia.search.normalize.analyze`), asks the backend
for a bounded set of candidate entities (exact, prefix and substring look-ups, each served by
an index), then re-ranks the candidates in Python with rapidfuzz over all their stored forms,
so both engines rank identically. Each hit carries the reasons it matched.
"""

from __future__ import annotations

import heapq
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import delete, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from accordia.models.search import SearchEntity, SearchState, SearchTerm, SearchToken
from accordia.search.backends import MIN_SUBSTRING, Lookup, SearchBackend, backend_for
from accordia.search.normalize import (
    FORM_LABELS,
    ID_FORMS,
    LATIN_FORMS,
    LEGAL_WORDS,
    SHORT_FORMS,
    ZH_FORMS,
    Form,
    Query,
    analyze,
    identifier_forms,
    name_forms,
    pinyin_syllables,
    place_pinyins,
)
from accordia.search.results import (
    KINDS,
    Match,
    SearchFilters,
    SearchHit,
    SearchResponse,
)

#: Most entities re-ranked for one query (the candidate look-ups stop there).
CANDIDATE_CAP = 200
#: Document frequency above which a Latin word is too common to select candidates with
#: (unless it is the query's rarest word).
COMMON_WORD_FREQ = 1000
#: Certificates brought by one holder organization hit when a post-filter may drop some
#: (without one, ``limit`` per holder), and by all holder hits of one query.
HOLDER_CERTIFICATE_CAP = 200
EXPANSION_CAP = 2000
#: Entities one prefix look-up contributes (each is re-ranked: its stored forms are read).
PREFIX_CAP = 20
#: Document frequency above which even the rarest word of a query is not looked up as a
#: substring when the exact/prefix look-ups found candidates.
VERY_COMMON_WORD_FREQ = 20_000
#: Hits scoring below this are dropped as noise.
MIN_SCORE = 60.0
#: Best score a fuzzy (non-substring) comparison can give.
FUZZY_MAX = 88.0
#: The answer to every query while the index has no rows (``reason="index_empty"``).
EMPTY_INDEX_MESSAGE = "The search index is empty; run accordia search --reindex."
#: Seconds the in-process typo vocabulary is trusted before its version is checked again.
VOCAB_TTL = 5.0

#: ``post_filter(session, hits) -> hits`` lets the registry apply filters the index does not
#: hold (standard, status on a date) on the re-ranked hits before the limit is applied.
PostFilter = Callable[[Session, list[SearchHit]], list[SearchHit]]

PINYIN_FORMS = frozenset({"py_core", "py"})
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}
_FIELD_LABELS = {
    "name_zh": "Chinese name",
    "name_en": "English name",
    "name_other": "other name",
    "acronym": "acronym",
    "uscc": "USCC",
    "lei": "LEI",
    "number": "number",
}


# --- indexing ----------------------------------------------------------------------------------


def _identifiers(raw: Any) -> list[tuple[str, str]]:
    if not raw:
        return []
    if isinstance(raw, Mapping):
        return [(str(k), str(v)) for k, v in raw.items() if v]
    out: list[tuple[str, str]] = []
    for item in raw:
        if isinstance(item, Mapping):
            out.append((str(item.get("scheme", "")), str(item.get("value", ""))))
        else:
            scheme, value = item
            out.append((str(scheme), str(value)))
    return [(s, v) for s, v in out if v]


def entity_forms(entity: Mapping[str, Any], vocab: set[str] | None = None) -> list[Form]:
    """All searchable forms of one entity dict (see :func:`index_entities`).

    An entity with a ``holder`` (a certificate) is found by name through its holder: only its
    own identifiers are forms of it."""
    if entity.get("holder"):
        return identifier_forms(_identifiers(entity.get("identifiers")))
    forms = name_forms(
        name_zh=entity.get("name_zh"),
        name_en=entity.get("name_en"),
        name_other=entity.get("name_other"),
        acronym=entity.get("acronym"),
        vocab=vocab,
    )
    return forms + identifier_forms(_identifiers(entity.get("identifiers")))


def _vocab_key(session: Session) -> str:
    return str(session.get_bind().engine.url)


def index_entities(
    session: Session, entities: Iterable[Mapping[str, Any]], *, replace: bool = True
) -> int:
    """(Re)build the index rows of ``entities``; returns how many were indexed.

    Each entity is a plain dict::

        {"kind": "organization",            # organization | cab | accreditation_body | certificate
         "key": "91440300MA5...",           # natural key, unique per kind
         "name_zh": "深圳市…有限公司", "name_en": "… Co., Ltd.", "name_other": None,
         "acronym": "CQC",                   # several allowed, separated by ; , / or |
         "identifiers": [{"scheme": "USCC", "value": "…"}, ("certificate", "CQC-2023-…")],
         "economy": "CN",                    # economy code, used by the economy filter
         "holder": None,                     # certificate: its holder organization's key
         "extra": {...}}                     # shown with the hit; free for post-filters

    An entity with a ``holder`` keeps its names for display only: it is found by name through
    the holder organization (a hit on the holder brings its certificates, with the holder's
    score and reasons), and by its own identifiers. So a certificate costs one entity row and
    one row per identifier, not a copy of every form of its holder's names.

    Existing rows of the same ``(kind, key)`` are replaced; ``replace=False`` skips that
    look-up when the caller knows the entities are new (a rebuild after
    :func:`clear_index`). Rows are bulk-loaded (``COPY`` on PostgreSQL, ``executemany`` on
    SQLite). Runs inside the caller's transaction (no commit).
    """
    total = 0
    batch: list[Mapping[str, Any]] = []
    for ent in entities:
        batch.append(ent)
        if len(batch) >= 5000:
            total += _index_batch(session, batch, replace)
            batch = []
    if batch:
        total += _index_batch(session, batch, replace)
    if total:
        _bump_vocab(session)
    return total


def _index_batch(session: Session, batch: list[Mapping[str, Any]], replace: bool) -> int:
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for ent in batch:
        kind = str(ent["kind"])
        if kind not in _KIND_RANK:
            raise ValueError(f"unknown entity kind {kind!r}; expected one of {KINDS}")
        latest[(kind, str(ent["key"]))] = ent
    refs = list(latest)
    if replace:
        _delete_refs(session, refs)
    ids = _new_ids(session, len(refs))
    pg = session.get_bind().dialect.name == "postgresql"
    entities: list[tuple[Any, ...]] = []
    terms: list[tuple[Any, ...]] = []
    vocab: dict[str, int] = {}
    for entity_id, ((kind, key), ent) in zip(ids, latest.items(), strict=True):
        extra = ent.get("extra")
        entities.append(
            (
                entity_id,
                kind,
                key,
                ent.get("name_zh"),
                ent.get("name_en"),
                ent.get("name_other"),
                ent.get("acronym"),
                ent.get("economy") or ent.get("economy_code"),
                ent.get("holder") or None,
                None if extra is None else json.dumps(extra, ensure_ascii=not pg),
            )
        )
        words: set[str] = set()
        for f in entity_forms(ent, words):
            terms.append((entity_id, f.field, f.form, f.text, f.weight))
        for tok in words:
            vocab[tok] = vocab.get(tok, 0) + 1
    _bulk_insert(session, "search_entity", _ENTITY_COLS, entities)
    _bulk_insert(session, "search_term", _TERM_COLS, terms)
    if vocab:
        _upsert_tokens(session, vocab)
    return len(entities)


_ENTITY_COLS = (
    "id",
    "kind",
    "key",
    "name_zh",
    "name_en",
    "name_other",
    "acronym",
    "economy_code",
    "holder_key",
    "extra",
)
_TERM_COLS = ("entity_id", "field", "form", "text", "weight")


def _new_ids(session: Session, n: int) -> list[int]:
    """``n`` fresh ``search_entity`` ids (the rows are then bulk-loaded with them)."""
    if n == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return [
            int(i)
            for i in session.scalars(
                sql_text(
                    "SELECT nextval(pg_get_serial_sequence('search_entity', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": n},
            )
        ]
    # SQLite: one writer at a time; a concurrent writer makes this transaction fail, not clash.
    start = int(session.scalar(select(func.coalesce(func.max(SearchEntity.id), 0))) or 0)
    return list(range(start + 1, start + n + 1))


def _bulk_insert(
    session: Session, table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Load rows fast: ``COPY`` on PostgreSQL, the driver's ``executemany`` on SQLite."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
    else:
        marks = ", ".join("?" for _ in cols)
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)


def _upsert_tokens(session: Session, vocab: dict[str, int]) -> None:
    rows = [{"token": t, "freq": n} for t, n in sorted(vocab.items())]
    if session.get_bind().dialect.name == "postgresql":
        pstmt = pg_insert(SearchToken)
        session.execute(
            pstmt.on_conflict_do_update(
                index_elements=["token"], set_={"freq": SearchToken.freq + pstmt.excluded.freq}
            ),
            rows,
        )
    else:
        sstmt = sqlite_insert(SearchToken)
        session.execute(
            sstmt.on_conflict_do_update(
                index_elements=["token"], set_={"freq": SearchToken.freq + sstmt.excluded.freq}
            ),
            rows,
        )


def _delete_refs(session: Session, refs: Sequence[tuple[str, str]]) -> int:
    if not refs:
        return 0
    by_kind: dict[str, list[str]] = {}
    for kind, key in refs:
        by_kind.setdefault(kind, []).append(key)
    # One ``kind = … AND key IN (…)`` per kind: served by the (kind, key) unique index on both
    # engines (a row-value IN list is not, on PostgreSQL).
    ids: list[int] = []
    gone: dict[str, int] = {}  # vocabulary words of the removed entities
    for kind, keys in by_kind.items():
        for row in session.execute(
            select(
                SearchEntity.id,
                SearchEntity.name_zh,
                SearchEntity.name_en,
                SearchEntity.name_other,
                SearchEntity.acronym,
                SearchEntity.holder_key,
            ).where(SearchEntity.kind == kind, SearchEntity.key.in_(keys))
        ):
            ids.append(int(row.id))
            if row.holder_key:
                continue
            words: set[str] = set()
            name_forms(
                name_zh=row.name_zh,
                name_en=row.name_en,
                name_other=row.name_other,
                acronym=row.acronym,
                vocab=words,
            )
            for w in words:
                gone[w] = gone.get(w, 0) + 1
    if not ids:
        return 0
    if gone:
        _upsert_tokens(session, {w: -n for w, n in gone.items()})
        doomed = sorted(gone)
        for i in range(0, len(doomed), 500):
            session.execute(
                delete(SearchToken).where(
                    SearchToken.token.in_(doomed[i : i + 500]), SearchToken.freq <= 0
                )
            )
    session.execute(delete(SearchTerm).where(SearchTerm.entity_id.in_(ids)))
    session.execute(delete(SearchEntity).where(SearchEntity.id.in_(ids)))
    return len(ids)


def remove_entities(session: Session, refs: Iterable[tuple[str, str]]) -> int:
    """Remove the index rows of ``(kind, key)`` pairs; returns how many entities were removed."""
    refs = list(refs)
    n = 0
    for i in range(0, len(refs), 500):
        n += _delete_refs(session, refs[i : i + 500])
    if n:
        _bump_vocab(session)
    return n


def clear_index(session: Session) -> None:
    """Empty the whole index (before a full rebuild)."""
    session.execute(delete(SearchTerm))
    session.execute(delete(SearchEntity))
    session.execute(delete(SearchToken))
    _bump_vocab(session)


# --- typo vocabulary ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Vocabulary:
    """The typo vocabulary, bucketed by (length, first two letters) and (length, last two
    letters).

    A word within edit distance ``d`` of a query word has a length within ``d`` of it and, but
    for typos at both ends, the same first two or the same last two letters; so a correction
    compares the query word with a few small buckets (tens of words at a million names)
    instead of the whole word list."""

    freq: dict[str, int]
    by_first: dict[tuple[int, str], list[str]]
    by_last: dict[tuple[int, str], list[str]]
    version: str = ""
    holders: bool = True  # the index has entities found through a holder (certificates)

    @classmethod
    def build(cls, freq: dict[str, int], version: str = "", holders: bool = True) -> _Vocabulary:
        by_first: dict[tuple[int, str], list[str]] = {}
        by_last: dict[tuple[int, str], list[str]] = {}
        for tok in sorted(freq):
            by_first.setdefault((len(tok), tok[:2]), []).append(tok)
            by_last.setdefault((len(tok), tok[-2:]), []).append(tok)
        return cls(freq, by_first, by_last, version, holders)


_VOCAB: dict[str, tuple[float, _Vocabulary]] = {}
#: ``search_state`` row whose value changes whenever the vocabulary does.
VOCAB_VERSION = "vocab_version"


def _bump_vocab(session: Session) -> None:
    """Record that the vocabulary changed (other processes re-read it within
    :data:`VOCAB_TTL` seconds)."""
    import uuid

    session.execute(delete(SearchState).where(SearchState.name == VOCAB_VERSION))
    session.execute(
        sqlite_insert(SearchState).values(name=VOCAB_VERSION, value=uuid.uuid4().hex)
        if session.get_bind().dialect.name == "sqlite"
        else pg_insert(SearchState).values(name=VOCAB_VERSION, value=uuid.uuid4().hex)
    )
    _VOCAB.pop(_vocab_key(session), None)


def _vocab(session: Session) -> _Vocabulary:
    """The typo vocabulary, cached per database; re-read when its version changed (checked
    at most every :data:`VOCAB_TTL` seconds: one primary-key look-up)."""
    key = _vocab_key(session)
    hit = _VOCAB.get(key)
    now = time.monotonic()
    if hit and now - hit[0] < VOCAB_TTL:
        return hit[1]
    version = str(
        session.scalar(select(SearchState.value).where(SearchState.name == VOCAB_VERSION)) or ""
    )
    if hit and hit[1].version == version:
        _VOCAB[key] = (now, hit[1])
        return hit[1]
    freq = {str(t): int(n) for t, n in session.execute(select(SearchToken.token, SearchToken.freq))}
    holders = (
        session.execute(
            select(SearchEntity.id).where(SearchEntity.holder_key.is_not(None)).limit(1)
        ).first()
        is not None
    )
    vocab = _Vocabulary.build(freq, version, holders)
    _VOCAB[key] = (now, vocab)
    return vocab


def _corrections(token: str, vocab: _Vocabulary) -> list[str]:
    """Vocabulary words within edit distance 1 (≤ 6 letters) or 2 of an unknown token.

    The words sharing the token's first two letters are compared first; those sharing its last
    two only when that finds nothing at distance 1 (a typo in the first two letters). Pinyin
    syllables are words in their own right, never typos."""
    if len(token) < 4 or token in vocab.freq or token in pinyin_syllables():
        return []
    maxd = 1 if len(token) <= 6 else 2
    found: dict[str, int] = {}
    for buckets, part in ((vocab.by_first, token[:2]), (vocab.by_last, token[-2:])):
        choices: list[str] = []
        for n in range(len(token) - maxd, len(token) + maxd + 1):
            choices += buckets.get((n, part), ())
        if choices:
            for word, dist, _i in process.extract(
                token, choices, scorer=OSA.distance, score_cutoff=maxd, limit=None
            ):
                found[str(word)] = int(dist)
        if found and min(found.values()) <= 1:
            break
    ranked = sorted(found, key=lambda w: (found[w], -vocab.freq.get(w, 0), w))
    return ranked[:3]


def _word_break(compact: str, freq: dict[str, int]) -> list[str] | None:
    """Split an unspaced Latin query into vocabulary words (``shenzhenhuawei``)."""
    n = len(compact)
    if n < 6 or n > 60:
        return None
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for j in range(i + MIN_SUBSTRING, min(n, i + 40) + 1):
            if compact[i:j] in freq:
                cand = [*cur, compact[i:j]]
                old = best[j]
                if old is None or len(cand) < len(old):
                    best[j] = cand
    out = best[n]
    return out if out and len(out) > 1 else None


# --- scoring -----------------------------------------------------------------------------------


def _score(q: str, t: str, short: bool, floor: float = 0.0) -> tuple[float, str]:
    """Score query form ``q`` against stored form ``t`` (0–100) and say how it matched.

    The fuzzy comparison (the costly part) is skipped when it could not reach ``floor``.
    """
    if not q or not t:
        return 0.0, ""
    if q == t:
        return 100.0, "exact"
    if short:
        if len(q) >= 3 and t.startswith(q):
            return 85.0, "prefix"
        return 0.0, ""
    if t.startswith(q):
        return 90.0 + 10.0 * len(q) / len(t), "prefix"
    if q in t:
        return 80.0 + 15.0 * len(q) / len(t), "substring"
    if len(t) >= 2 and t in q:
        return 70.0 + 25.0 * len(t) / len(q), "contained"
    if floor > FUZZY_MAX:
        return 0.0, ""
    s = float(fuzz.ratio(q, t))
    if len(q) >= 4:
        s = max(s, 0.92 * float(fuzz.partial_ratio(q, t)))
    if " " in q or " " in t:
        s = max(s, 0.95 * float(fuzz.token_set_ratio(q, t)))
    return FUZZY_MAX / 100.0 * s, "fuzzy"


@dataclass(slots=True)
class _Variant:
    text: str
    factor: float
    notes: tuple[str, ...]


@dataclass(slots=True)
class _Plan:
    notes: tuple[str, ...]  # query-side steps common to the Latin variants
    zh: list[_Variant]
    zh_part: list[_Variant]  # Chinese part of a mixed-script query
    spaced: list[_Variant]
    compact: list[_Variant]
    words: list[list[str]]  # token groups (token + corrections) for word coverage
    place: str = ""  # leading place name read as pinyin (``xi an`` → ``xian``)
    place_words: int = 0  # how many of ``words`` it spans
    py_core: str = ""  # the pinyin syllables after it, joined (``hua rui xin`` → ``huaruixin``)


def _plan(q: Query, corrections: dict[str, list[str]], split: list[str] | None) -> _Plan:
    zh_notes: tuple[str, ...] = ("traditional→simplified",) if q.traditional else ()
    zh: list[_Variant] = []
    zh_part: list[_Variant] = []
    if q.zh:
        if q.mixed:
            zh.append(_Variant(q.zh, 1.0, zh_notes))
            zh_part.append(_Variant(q.zh_cjk, 1.0, zh_notes))
            if q.zh_core and q.zh_core != q.zh_cjk:
                zh_part.append(_Variant(q.zh_core, 0.98, (*zh_notes, "distinctive part")))
        else:
            zh.append(_Variant(q.zh, 1.0, zh_notes))
            if q.zh_core and q.zh_core != q.zh:
                zh.append(_Variant(q.zh_core, 0.98, (*zh_notes, "distinctive part")))
    tone = ("tones removed",) if q.tones_removed else ()
    spaced: list[_Variant] = []
    compact: list[_Variant] = []
    if q.tokens:
        # English names are stored without legal-form words; compare like with like.
        bare = [t for t in q.tokens if t not in LEGAL_WORDS] or q.tokens
        spaced.append(_Variant(" ".join(bare), 1.0, tone))
        compact.append(_Variant(q.latin_compact, 1.0, tone))
        fixed = [corrections.get(t, [t])[0] if corrections.get(t) else t for t in q.tokens]
        if fixed != q.tokens:
            changes = ", ".join(f"{a}→{b}" for a, b in zip(q.tokens, fixed, strict=True) if a != b)
            note = (*tone, f"typo corrected: {changes}")
            fixed_bare = [t for t in fixed if t not in LEGAL_WORDS] or fixed
            spaced.append(_Variant(" ".join(fixed_bare), 0.97, note))
            compact.append(_Variant("".join(fixed), 0.97, note))
        if split:
            spaced.append(_Variant(" ".join(split), 0.97, (*tone, "words split")))
    words = split or [t for t in q.tokens if t not in LEGAL_WORDS] or q.tokens
    groups = [[t, *corrections.get(t, [])] for t in words]
    if q.raw_tokens != q.tokens:  # tone numbers were removed: also try the query as typed
        spaced.append(_Variant(" ".join(q.raw_tokens), 1.0, ()))
        compact.append(_Variant("".join(q.raw_tokens), 1.0, ()))
    notes = (
        tone + (("typo corrected",) if corrections else ()) + (("words split",) if split else ())
    )
    place, place_words, py_core = _pinyin_name(words)
    if py_core and py_core != q.latin_compact:
        # The distinctive part in pinyin, compared with the stored pinyin of the core.
        compact.append(_Variant(py_core, 0.99, (*tone, "place name set aside")))
    return _Plan(notes, zh, zh_part, spaced, compact, groups, place, place_words, py_core)


def _pinyin_name(words: list[str]) -> tuple[str, int, str]:
    """Read query words as ``[place] syllable syllable …``: the place's pinyin, how many words
    it spans, and the remaining syllables joined (``""`` unless at least two syllables)."""
    places = place_pinyins()
    place, start = "", 0
    for k in (3, 2, 1):
        if len(words) > k and "".join(words[:k]) in places:
            place, start = "".join(words[:k]), k
            break
    rest = words[start:]
    syllables = pinyin_syllables()
    if len(rest) >= 2 and all(w in syllables for w in rest):
        return place, start, "".join(rest)
    return place, start, ""


def _best(
    spaced: list[_Variant],
    compact: list[_Variant],
    terms: list[tuple[str, str, str, float]],
    forms: frozenset[str],
    floor: float = 0.0,
) -> Match | None:
    """Best match over ``terms``: English forms compared with the spaced query variants,
    every other form (Chinese, pinyin, acronyms) with the compact ones."""
    best: Match | None = None
    for fld, form, text, weight in terms:
        if form not in forms:
            continue
        short = form in SHORT_FORMS
        for v in spaced if form in ("en", "other") else compact:
            if best is not None and 100.0 * weight * v.factor <= best.score:
                continue
            need = max(floor, best.score if best else 0.0) / (weight * v.factor)
            raw, how = _score(v.text, text, short, need)
            s = raw * weight * v.factor
            if s <= 0 or (best is not None and s <= best.score):
                continue
            label = FORM_LABELS.get(form, form)
            why = f"{label}; {how}"
            if how == "fuzzy" and form in ("en", "other"):
                what = "typo in" if raw >= 75 else "partly matches"
                why = f"{what} {_FIELD_LABELS.get(fld, fld)}; fuzzy"
            if v.notes:
                why += "; " + "; ".join(v.notes)
            best = Match(fld, form, text, how, round(s, 3), why, v.notes)
    return best


_COVERAGE_ORDER = {
    fm: i for i, fm in enumerate(("py", "py_core", "en", "other", "acronym", "initials"))
}


def _coverage(plan: _Plan, terms: list[tuple[str, str, str, float]]) -> Match | None:
    """All query words found (as substrings) among the entity's Latin forms."""
    groups = [g for g in plan.words if len(g[0]) >= MIN_SUBSTRING]
    if len(groups) < 2:
        return None
    latin = [(fld, form, t) for fld, form, t, _w in terms if form in LATIN_FORMS]
    covered: dict[str, int] = {}
    for g in groups:
        forms = {form for _fld, form, t in latin if any(w in t for w in g)}
        if not forms:
            return None
        for fm in forms:
            covered[fm] = covered.get(fm, 0) + 1
    # The form covering most words explains the match; ties by a fixed order (deterministic).
    form = min(covered, key=lambda fm: (-covered[fm], _COVERAGE_ORDER.get(fm, 99), fm))
    fld = next(f for f, fm, _t in latin if fm == form)
    label = FORM_LABELS.get(form, form)
    why = "; ".join((label, "all words found", *plan.notes))
    return Match(fld, form, "", "all words", 88.0, why, plan.notes)


# --- search ------------------------------------------------------------------------------------


def _respond(
    q: Query,
    status: str,
    message: str,
    interpretation: str,
    hits: list[SearchHit],
    backend: str,
    t0: float,
    flt: SearchFilters,
    candidates: int = 0,
    session: Session | None = None,
) -> SearchResponse:
    normalized = q.identifier or q.zh or q.latin_spaced or q.folded[:200]
    reason = q.refine
    if status == "no_match" and session is not None and index_is_empty(session):
        reason, message = "index_empty", EMPTY_INDEX_MESSAGE
    return SearchResponse(
        query=q.raw[:200],
        status=status,  # type: ignore[arg-type]
        message=message,
        interpretation=interpretation,  # type: ignore[arg-type]
        normalized=normalized,
        hits=tuple(hits),
        backend=backend,
        elapsed_ms=round((time.perf_counter() - t0) * 1000, 3),
        filters=flt,
        reason=reason,
        candidates=candidates,
    )


def search(
    session: Session,
    query: str,
    kinds: Sequence[str] | None = None,
    economy: str | None = None,
    limit: int = 10,
    *,
    post_filter: PostFilter | None = None,
    backend: SearchBackend | None = None,
) -> SearchResponse:
    """Find organizations, CABs, accreditation bodies and certificates by name or identifier.

    ``kinds`` restricts to some of :data:`KINDS`; ``economy`` to one economy code;
    ``post_filter`` may drop hits on registry data the index does not hold. Never raises on
    user input: empty, too short, too long or unsearchable queries get ``status="refine"``.
    """
    t0 = time.perf_counter()
    limit = max(1, min(int(limit), 100))
    kinds_t = tuple(sorted(set(kinds))) if kinds else None
    if kinds_t:
        unknown = [k for k in kinds_t if k not in _KIND_RANK]
        if unknown:
            raise ValueError(f"unknown kind(s) {unknown}; expected some of {KINDS}")
    flt = SearchFilters(kinds=kinds_t, economy=economy.upper() if economy else None)
    q = analyze(query)
    be = backend or backend_for(session)
    if q.refine:
        return _respond(q, "refine", q.message, "none", [], be.name, t0, flt)

    # 1. identifiers: exact look-up only.
    if q.identifier:
        ids = be.exact(session, [q.identifier], ID_FORMS, flt, CANDIDATE_CAP)
        if ids:
            hits = _rank(session, ids, None, q, flt, post_filter, limit)
            if hits:
                return _respond(q, "ok", "", "identifier", hits, be.name, t0, flt, len(ids))
        if q.scheme:
            msg = f"No record has the {q.scheme.upper()} {q.identifier.upper()}."
            return _respond(q, "no_match", msg, "identifier", [], be.name, t0, flt, 0, session)

    # 2. names: bounded candidate look-ups, then re-ranking.
    vocab = _vocab(session) if q.tokens else _Vocabulary({}, {}, {})
    freq = vocab.freq
    corrections = {t: c for t in q.tokens if (c := _corrections(t, vocab))}
    split = None
    if len(q.tokens) == 1 and q.tokens[0] not in freq:
        split = _word_break(q.tokens[0], freq)
    plan = _plan(q, corrections, split)
    # Certificates are found by name through their holder organization.
    cand_flt = flt
    if flt.kinds and "certificate" in flt.kinds and "organization" not in flt.kinds:
        cand_flt = replace(flt, kinds=tuple(sorted({*flt.kinds, "organization"})))
    cands = _candidates(session, be, q, plan, cand_flt, freq)
    if not cands:
        return _respond(q, "no_match", "No match.", "name", [], be.name, t0, flt, 0, session)
    hits = _rank(session, cands, plan, q, flt, post_filter, limit)
    if not hits:
        return _respond(q, "no_match", "No match.", "name", [], be.name, t0, flt, len(cands))
    return _respond(q, "ok", "", "name", hits, be.name, t0, flt, len(cands))


def _candidates(
    session: Session,
    be: SearchBackend,
    q: Query,
    plan: _Plan,
    flt: SearchFilters,
    freq: dict[str, int],
) -> list[int]:
    out: dict[int, None] = {}

    def add(ids: list[int]) -> None:
        for i in ids:
            if len(out) < CANDIDATE_CAP:
                out[i] = None

    def room(n: int) -> int:
        return max(0, min(n, CANDIDATE_CAP - len(out)))

    # Exact and prefix look-ups (B-tree) first, all in one statement. When the query is
    # exactly a stored form, the substring look-ups (trigram index: the costly part at millions
    # of rows, as common trigrams — Latin and pinyin above all — have long posting lists) are
    # skipped: an exact match outranks any substring match, and prefix matches are found by the
    # B-tree anyway.
    lookups: list[Lookup] = []
    z = q.zh_cjk if q.mixed else q.zh
    core = q.zh_core or z
    if q.zh:
        lookups.append(("exact", {q.zh, z, core}, ZH_FORMS, 50))
        lookups += [("prefix", p, ZH_FORMS, PREFIX_CAP) for p in dict.fromkeys((core, z))]
    n_zh = len(lookups)
    if q.tokens:
        texts = {v.text for v in plan.spaced} | {v.text for v in plan.compact}
        lookups.append(("exact", texts, LATIN_FORMS, 50))
        for p in dict.fromkeys(v.text for v in (*plan.spaced, *plan.compact)):
            if len(p) >= MIN_SUBSTRING:
                lookups.append(("prefix", p, LATIN_FORMS, PREFIX_CAP))
        if plan.py_core:
            # "[place] syllables": the core's pinyin is looked up exactly and as a prefix of
            # the stored core pinyin first, so the right entity is never cut by a LIMIT.
            if plan.place:  # stored pinyin begins with the place: "shenzhen(shi)huaruixin…"
                for head in (plan.place, plan.place + "shi"):
                    lookups.append(("prefix", head + plan.py_core, {"py"}, 50))
            lookups.append(("exact", {plan.py_core}, PINYIN_FORMS, 50))
            lookups.append(("prefix", plan.py_core, {"py_core"}, 50))
    found = be.many(session, lookups, flt) if lookups else []

    if q.zh:
        zh_exact = found[0]
        for ids in found[:n_zh]:
            add(ids)
        for s in dict.fromkeys((q.zh, z, core)):
            if zh_exact and not q.mixed:
                break
            if len(s) >= MIN_SUBSTRING and room(150):
                add(be.contains(session, [[s]], ZH_FORMS, flt, room(150)))
        if not out and len(core) >= 4:
            grams = [core[i : i + 3] for i in range(len(core) - 2)]
            add(be.contains(session, [grams], ZH_FORMS, flt, room(150)))
    if q.tokens:
        lat_exact = found[n_zh]
        for ids in found[n_zh:]:
            add(ids)
        if plan.py_core and plan.place:
            lat_exact = lat_exact or found[-2]  # the core's pinyin exactly, after a place
        if lat_exact and not q.mixed:
            return list(out)
        if q.mixed and out:
            # Mixed script: the Chinese part found candidates; the Latin part re-ranks them
            # (an entity matching both parts ranks first) instead of a substring look-up of
            # its words, which are mostly common ("Technologies").
            return list(out)
        if plan.place:
            merged = [[plan.place], *_merge_syllables(plan.words[plan.place_words :])]
        else:
            merged = _merge_syllables(plan.words)
        groups = [g for g in merged if len(g[0]) >= MIN_SUBSTRING]
        # The rarest word, and up to two more that are selective, select; common words
        # ("shenzhen", "technology") only cost time — a trigram index has to read their long
        # posting lists — and rarely change which entities are found.
        by_rarity = sorted(groups, key=lambda g: (_selectivity(g, freq), g[0]))
        selective = by_rarity[:1] + [
            g for g in by_rarity[1:3] if _selectivity(g, freq) <= COMMON_WORD_FREQ
        ]
        if out and selective and _selectivity(selective[0], freq) > VERY_COMMON_WORD_FREQ:
            # Even the rarest word is everywhere ("shenzhen technology"): the prefix look-ups
            # found candidates, and a substring look-up would only read long posting lists.
            return list(out)
        if selective and room(200):
            add(be.contains(session, selective, LATIN_FORMS, flt, room(200)))
        compact = q.latin_compact
        if len(merged) > 1 and MIN_SUBSTRING <= len(compact) <= 24 and room(100):
            add(be.contains(session, [[compact]], LATIN_FORMS, flt, room(100)))
        if len(selective) > 1 and len(out) < 20:
            # Relax: the rarest words alone (a word may be a typo the vocabulary lacks).
            for g in selective[:2]:
                if room(100):
                    add(be.contains(session, [g], LATIN_FORMS, flt, room(100)))
    return list(out)


def _merge_syllables(groups: list[list[str]]) -> list[list[str]]:
    """Join runs of short uncorrected words (pinyin syllables: ``ping xin rui``) into one
    substring (``pingxinrui``), far more selective than each syllable alone."""
    out: list[list[str]] = []
    run: list[str] = []
    syllables = pinyin_syllables()
    for g in [*groups, ["\x00" * 9]]:
        if len(g) == 1 and (len(g[0]) <= 4 or g[0] in syllables):
            run.append(g[0])
            continue
        if len(run) > 1:
            out.append(["".join(run)])
        elif run:
            out.append([run[0]])
        run = []
        if g[0] != "\x00" * 9:
            out.append(g)
    return out


def _selectivity(group: list[str], freq: dict[str, int]) -> int:
    """Estimated matches of a word group: vocabulary frequency, or by length when unknown."""
    known = [freq[w] for w in group if w in freq]
    if known:
        return sum(known)
    return 0 if len(group[0]) >= 6 else 10**6 // len(group[0])


def _rank(
    session: Session,
    ids: list[int],
    plan: _Plan | None,
    q: Query,
    flt: SearchFilters,
    post_filter: PostFilter | None,
    limit: int,
) -> list[SearchHit]:
    if plan is None:
        forms = ID_FORMS
    else:
        forms = (ZH_FORMS if plan.zh else frozenset()) | (
            LATIN_FORMS if plan.spaced else frozenset()
        )
    # One statement: the candidates' stored forms with their entity's columns.
    terms_by: dict[int, list[tuple[str, str, str, float]]] = {i: [] for i in ids}
    ents: dict[int, Any] = {}
    for row in session.execute(
        select(
            SearchTerm.entity_id,
            SearchTerm.field,
            SearchTerm.form,
            SearchTerm.text,
            SearchTerm.weight,
            SearchEntity.kind,
            SearchEntity.key,
            SearchEntity.name_zh,
            SearchEntity.name_en,
            SearchEntity.acronym,
            SearchEntity.economy_code,
            SearchEntity.extra,
        )
        .join(SearchEntity, SearchEntity.id == SearchTerm.entity_id)
        .where(SearchTerm.entity_id.in_(ids), SearchTerm.form.in_(sorted(forms)))
    ):
        eid = int(row.entity_id)
        terms_by[eid].append((str(row.field), str(row.form), str(row.text), float(row.weight)))
        ents.setdefault(eid, row)
    wanted = set(flt.kinds or KINDS)
    expand = plan is not None and "certificate" in wanted and _vocab(session).holders
    # Skipping hopeless candidates is safe unless hits of unwanted holders may bring wanted
    # certificates: then every holder above MIN_SCORE counts.
    prune = post_filter is None and ("organization" in wanted or not expand)
    scored: list[tuple[float, SearchHit]] = []
    top: list[float] = []  # min-heap of the best ``limit`` scores so far
    for eid in ids:
        ent = ents.get(eid)
        if ent is None:
            continue
        terms = sorted(terms_by[eid])
        floor = MIN_SCORE
        if prune and len(top) >= limit:
            floor = max(floor, top[0])  # cannot enter the top ``limit``: skip fuzzy work
        matches = _entity_matches(terms, plan, q, 0.0 if q.mixed else floor)
        if not matches:
            continue
        score = matches[0].score
        if score < MIN_SCORE:
            continue
        heapq.heappush(top, score)
        if len(top) > limit:
            heapq.heappop(top)
        scored.append(
            (
                score,
                SearchHit(
                    kind=ent.kind,
                    key=ent.key,
                    name_zh=ent.name_zh,
                    name_en=ent.name_en,
                    acronym=ent.acronym,
                    economy_code=ent.economy_code,
                    score=round(score, 2),
                    matches=tuple(matches[:3]),
                    extra=ent.extra,
                ),
            )
        )
    if expand:
        own = sorted((sc for sc, h in scored if h.kind in wanted), reverse=True)
        cutoff = own[limit - 1] if post_filter is None and len(own) >= limit else MIN_SCORE
        per_holder = limit if post_filter is None else HOLDER_CERTIFICATE_CAP
        scored += _holder_certificates(session, scored, flt, cutoff, per_holder)
    scored = [sh for sh in scored if sh[1].kind in wanted]
    scored.sort(
        key=lambda sh: (
            -round(sh[0], 6),
            _KIND_RANK.get(sh[1].kind, 99),
            len(sh[1].name_zh or sh[1].name_en or ""),
            sh[1].key,
        )
    )
    hits = [h for _s, h in scored]
    if post_filter is not None:
        hits = post_filter(session, hits)
    return hits[:limit]


def _holder_certificates(
    session: Session,
    scored: list[tuple[float, SearchHit]],
    flt: SearchFilters,
    cutoff: float,
    per_holder: int,
) -> list[tuple[float, SearchHit]]:
    """The certificates of the organization hits scoring at least ``cutoff``: each with its
    holder's score and reasons (they were found by the holder's names), at most ``per_holder``
    per holder (by key) and :data:`EXPANSION_CAP` in all."""
    holders = {h.key: (sc, h) for sc, h in scored if h.kind == "organization" and sc >= cutoff}
    out: list[tuple[float, SearchHit]] = []
    keys = sorted(holders)
    for i in range(0, len(keys), 100):
        inner = select(
            SearchEntity.key,
            SearchEntity.name_zh,
            SearchEntity.name_en,
            SearchEntity.acronym,
            SearchEntity.economy_code,
            SearchEntity.extra,
            SearchEntity.holder_key,
            func.row_number()
            .over(partition_by=SearchEntity.holder_key, order_by=SearchEntity.key)
            .label("rn"),
        ).where(SearchEntity.kind == "certificate", SearchEntity.holder_key.in_(keys[i : i + 100]))
        if flt.economy:
            inner = inner.where(SearchEntity.economy_code == flt.economy)
        sub = inner.subquery()
        stmt = (
            select(sub)
            .where(sub.c.rn <= per_holder)
            .order_by(sub.c.holder_key, sub.c.key)
            .limit(EXPANSION_CAP - len(out))
        )
        for row in session.execute(stmt):
            sc, holder = holders[row.holder_key]
            out.append(
                (
                    sc,
                    SearchHit(
                        kind="certificate",
                        key=row.key,
                        name_zh=row.name_zh,
                        name_en=row.name_en,
                        acronym=row.acronym,
                        economy_code=row.economy_code,
                        score=holder.score,
                        matches=holder.matches,
                        extra=row.extra,
                    ),
                )
            )
        if len(out) >= EXPANSION_CAP:
            break
    return out


def _place_check(match: Match, place: str, terms: list[tuple[str, str, str, float]]) -> Match:
    """A match on the pinyin core alone ranks below one whose place also matches."""
    for _fld, form, t, _w in terms:
        if (form == "py" and t.startswith(place)) or (
            form in ("en", "other") and place in t.replace(" ", "")
        ):
            return match
    return replace(match, score=round(match.score * 0.96, 3), why=match.why + "; other place")


def _entity_matches(
    terms: list[tuple[str, str, str, float]], plan: _Plan | None, q: Query, floor: float = 0.0
) -> list[Match]:
    if plan is None:  # identifier look-up
        return [
            Match(fld, form, text, "exact", 100.0, FORM_LABELS[form])
            for fld, form, text, _w in terms
            if form in ID_FORMS and text == q.identifier
        ]
    found: list[Match] = []
    zh_best = _best([], plan.zh, terms, ZH_FORMS, floor) if plan.zh else None
    if zh_best:
        found.append(zh_best)
    lat_best = None
    if plan.spaced:
        lat_best = _best(plan.spaced, plan.compact, terms, LATIN_FORMS, floor)
        cov = _coverage(plan, terms)
        if cov and (lat_best is None or cov.score > lat_best.score):
            lat_best = cov
        if lat_best and plan.place and "place name set aside" in lat_best.notes:
            lat_best = _place_check(lat_best, plan.place, terms)
    part = _best([], plan.zh_part, terms, ZH_FORMS) if plan.zh_part else None
    if plan.zh_part:  # mixed script: one part alone is weaker evidence than both
        if part and lat_best:
            both = (part.score + lat_best.score) / 2
            found.append(
                Match(
                    part.field,
                    part.form,
                    part.text,
                    "mixed",
                    round(both, 3),
                    f"{part.why} + {lat_best.why}",
                    part.notes,
                )
            )
        for one, missing in ((part, "Latin"), (lat_best, "Chinese")):
            if one:
                found.append(
                    Match(
                        one.field,
                        one.form,
                        one.text,
                        one.how,
                        round(one.score * 0.8, 3),
                        f"{one.why}; {missing} part not found",
                        one.notes,
                    )
                )
    elif lat_best:
        found.append(lat_best)
    found.sort(key=lambda m: -m.score)
    return found


def index_is_empty(session: Session) -> bool:
    """True when the index holds no entity (one indexed row look-up)."""
    return session.execute(select(SearchEntity.id).limit(1)).first() is None


def index_size(session: Session) -> dict[str, int]:
    """Row counts of the index tables (for status pages and the benchmark)."""
    return {
        "entities": int(session.scalar(select(func.count()).select_from(SearchEntity)) or 0),
        "terms": int(session.scalar(select(func.count()).select_from(SearchTerm)) or 0),
        "tokens": int(session.scalar(select(func.count()).select_from(SearchToken)) or 0),
    }
