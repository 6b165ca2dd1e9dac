"""Forms a name can be found by, and the analysis of a query (pure functions, no database).

Every stored form and every query goes through the same functions, so a match is always a
comparison of like with like: NFKC + casefold, traditional→simplified (OpenCC ``t2s``), the
"distinctive core" of a Chinese company name, toneless pinyin, a normalised English name,
acronyms and initials, and compact identifiers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from stdnum import lei as _lei
from stdnum.cn import uscc as _uscc

from accordia.domain.identifiers import normalize_number

#: Queries longer than this are refused with a request to refine (never scanned).
MAX_QUERY_CHARS = 200
#: Latin tokens of a query used for candidate look-ups (the rest only re-rank).
MAX_QUERY_TOKENS = 8

# --- character classes -------------------------------------------------------------------------

_CJK = (
    "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U00030000-\U0003134f"
)
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_RUN_RE = re.compile(f"[{_CJK}]+")
_PAREN_RE = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NON_WORD_RE = re.compile(r"[^0-9a-z\s" + _CJK + "]+")
_SPACE_RE = re.compile(r"\s+")
_TONE_NUM_RE = re.compile(r"(?<=[a-z])[1-5](?=[a-z]|$|\s)")
_PINYIN_TONED_TOKEN_RE = re.compile(r"^(?:[a-z]+[1-5])+[a-z]*$")


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a Chinese character."""
    return _CJK_RE.search(text) is not None


def fold(text: str) -> str:
    """NFKC + casefold + collapsed whitespace (full-width Latin becomes ASCII)."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def strip_marks(text: str) -> str:
    """Drop combining marks (tone marks, accents): ``Huáwéi`` → ``Huawei``, ``ü`` → ``u``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_triggers() -> frozenset[str]:
    """Characters without which OpenCC ``t2s`` leaves a text unchanged: every character the
    character table changes, and every character a phrase-table entry changes. Most names are
    already simplified, so this check spares the (pure-Python, slow) converter."""
    import opencc

    base = Path(opencc.__file__).parent / "dictionary"
    out: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("\t")
            first = value.split(" ")[0]
            if first == key:
                continue
            if len(first) == len(key):
                out.update(a for a, b in zip(key, first, strict=True) if a != b)
            else:
                out.update(key)
    return frozenset(out)


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``); other characters are kept."""
    if not has_cjk(text):
        return text
    triggers = _t2s_triggers()
    if not any(c in triggers for c in text):
        return text
    return _to_simplified(text)


@lru_cache(maxsize=16384)
def _to_simplified(text: str) -> str:
    return str(_t2s().convert(text))


def words(text: str) -> str:
    """Folded text with punctuation turned into spaces; letters, digits and CJK kept."""
    t = strip_marks(fold(text)).replace("&", " and ")
    return _SPACE_RE.sub(" ", _NON_WORD_RE.sub(" ", t)).strip()


def _ws(text: str) -> list[str]:
    return text.split()


# --- Chinese names -----------------------------------------------------------------------------

_PROVINCES = _ws(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
)
_CITIES = _ws(
    "深圳 广州 东莞 佛山 珠海 中山 惠州 汕头 江门 湛江 肇庆 苏州 无锡 常州 南京 南通 扬州 "
    "徐州 镇江 泰州 盐城 杭州 宁波 温州 绍兴 嘉兴 金华 台州 湖州 义乌 合肥 芜湖 厦门 福州 "
    "泉州 漳州 莆田 南昌 赣州 济南 青岛 烟台 潍坊 威海 淄博 临沂 郑州 洛阳 武汉 宜昌 襄阳 "
    "长沙 株洲 成都 绵阳 贵阳 昆明 西安 兰州 西宁 银川 乌鲁木齐 拉萨 呼和浩特 包头 南宁 "
    "柳州 桂林 海口 三亚 石家庄 唐山 保定 廊坊 太原 沈阳 大连 长春 哈尔滨 大庆 昆山 江阴 "
    "张家港 常熟 慈溪 余姚 晋江 石狮 顺德 南海 宝安 龙岗 南山 福田 罗湖 龙华 浦东 闵行 "
    "嘉定 松江 青浦 海淀 朝阳 丰台 昌平 大兴 顺义 通州 亦庄 天河 番禺 白云 黄埔 越秀 滨海 "
    "滨江 萧山 余杭 江宁 高新 经济技术开发"
)
_DIVISION_LEVELS = ("特别行政区", "自治区", "新区", "省", "市", "区", "县", "镇")
_COUNTRY_PREFIXES = ("中华人民共和国", "中国")

# Legal forms (always removed at the end) and generic industry words (removed after a legal
# form, while at least two distinctive characters remain). Longest first.
_LEGAL_SUFFIXES = tuple(
    sorted(
        _ws(
            "集团股份有限公司 集团有限责任公司 集团有限公司 股份有限公司 有限责任公司 有限公司 "
            "股份公司 总公司 分公司 公司 集团 合伙企业 有限合伙 普通合伙 事务所 厂"
        ),
        key=len,
        reverse=True,
    )
)
_INDUSTRY_SUFFIXES = tuple(
    sorted(
        _ws(
            "电子科技 信息科技 网络科技 智能科技 生物科技 环保科技 新能源科技 光电科技 "
            "信息技术 检测技术 技术服务 检验检测 检测认证 检测 科技发展 科技 技术 电子 电器 "
            "电气 实业 贸易 商贸 国际贸易 进出口 制造 制品 机械 机电 设备 新材料 材料 "
            "医药 医疗器械 食品 软件 网络 通信 工业 控股 投资 发展 国际 精密 自动化 智能 "
            "塑胶 五金 服饰 纺织 化工 能源 新能源 光电 半导体 汽车零部件 汽车配件"
        ),
        key=len,
        reverse=True,
    )
)


def _division_names() -> tuple[str, ...]:
    names: set[str] = set()
    for base in (*_PROVINCES, *_CITIES):
        names.add(base)
        for level in _DIVISION_LEVELS:
            names.add(base + level)
    names.update(("广西壮族自治区", "内蒙古自治区", "宁夏回族自治区", "新疆维吾尔自治区"))
    return tuple(sorted(names, key=len, reverse=True))


_DIVISIONS = _division_names()
_DIVISIONS_BY_HEAD: dict[str, tuple[str, ...]] = {}
for _d in _DIVISIONS:
    _DIVISIONS_BY_HEAD[_d[:2]] = (*_DIVISIONS_BY_HEAD.get(_d[:2], ()), _d)


def zh_compact(text: str) -> str:
    """Simplified, folded Chinese text without spaces or punctuation (Latin/digits kept)."""
    return words(to_simplified(text)).replace(" ", "")


@dataclass(frozen=True, slots=True)
class ZhParts:
    """A Chinese name split into place prefix, distinctive core and suffix."""

    full: str
    prefix: str
    core: str
    suffix: str
    places: tuple[str, ...] = ()  # place names stripped from the front, without level


def zh_split(name: str) -> ZhParts:
    """Split a simplified, compact Chinese name: ``深圳市 | 华为 | 技术有限公司``.

    The core keeps at least two characters: nothing is stripped that would leave less.
    """
    full = zh_compact(name)
    body = _PAREN_RE.sub("", to_simplified(fold(name)))
    body = words(body).replace(" ", "")
    prefix = ""
    for country in _COUNTRY_PREFIXES:
        if body.startswith(country) and len(body) - len(country) >= 2:
            prefix, body = country, body[len(country) :]
            break
    places: list[str] = []
    stripped = True
    while stripped:
        stripped = False
        for div in _DIVISIONS_BY_HEAD.get(body[:2], ()):
            if body.startswith(div) and len(body) - len(div) >= 2:
                prefix, body = prefix + div, body[len(div) :]
                places.append(_strip_level(div))
                stripped = True
                break
    suffix = ""
    had_legal = False
    stripped = True
    while stripped:
        stripped = False
        for suf in _LEGAL_SUFFIXES:
            if body.endswith(suf) and len(body) - len(suf) >= 2:
                suffix, body = suf + suffix, body[: -len(suf)]
                stripped = had_legal = True
                break
    if had_legal:
        stripped = True
        while stripped:
            stripped = False
            for suf in _INDUSTRY_SUFFIXES:
                if body.endswith(suf) and len(body) - len(suf) >= 2:
                    suffix, body = suf + suffix, body[: -len(suf)]
                    stripped = True
                    break
    return ZhParts(full=full, prefix=prefix, core=body, suffix=suffix, places=tuple(places))


def _strip_level(div: str) -> str:
    for level in _DIVISION_LEVELS:
        if div.endswith(level) and len(div) > len(level) + 1:
            return div[: -len(level)]
    return div


def pinyin(text: str) -> list[str]:
    """Toneless pinyin syllables of ``text`` (ü written u); non-Chinese runs kept folded."""
    return list(_pinyin(text))


@lru_cache(maxsize=65536)
def _pinyin(text: str) -> tuple[str, ...]:
    # pypinyin's tables cost ~50 MB per process: loaded on the first Chinese text, so a server
    # worker that only verifies never pays for them (docs/performance.md, server memory)
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for syl in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="default"):
        s = words(syl).replace(" ", "")
        if s:
            out.append(s)
    return tuple(out)


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (``ü`` written ``u`` and ``v``), from pypinyin's table.

    A query word that is a syllable is never typo-corrected (``guang`` is not a typo of
    ``huang``), and runs of syllables are read as one name (``hua rui xin``)."""
    from pypinyin.pinyin_dict import pinyin_dict

    out: set[str] = set()
    for readings in pinyin_dict.values():
        for r in readings.split(","):
            syl = strip_marks(r).casefold()
            if syl.isascii() and syl.isalpha():
                out.add(syl)
                out.add(syl.replace("u", "v") if "ü" in r else syl)
    return frozenset(out)


@lru_cache(maxsize=1)
def place_pinyins() -> frozenset[str]:
    """Toneless pinyin of the province and city names stripped from Chinese names
    (``shenzhen``, ``xian``, ``wuxi``): a query's leading place is set aside from its core."""
    return frozenset("".join(pinyin(p)) for p in (*_PROVINCES, *_CITIES))


def pinyin_initials(text: str) -> str:
    """First letters of each syllable: 中国质量认证中心 → ``zgzlrzzx``."""
    return "".join(s[0] for s in pinyin(text) if s and has_cjk(text))


# --- English names -----------------------------------------------------------------------------

LEGAL_WORDS = frozenset(
    _ws(
        "co ltd limited inc incorporated corp corporation company llc plc gmbh ag sa sas sarl "
        "bv nv kg ohg ug spa srl pty pte jsc ojsc oao zao kk lp llp sdn bhd oy ab as aps"
    )
)
_STOP_WORDS = frozenset(_ws("of and the for de du des la le fur und"))


def en_norm(name: str) -> str:
    """English name folded, accents and punctuation dropped, legal-form words removed."""
    toks = [t for t in words(name).split() if t not in LEGAL_WORDS]
    return " ".join(toks)


def en_initials(normalized: str) -> str:
    """Initials of a normalised English name (stop words skipped), or ``""`` if < 2 words."""
    toks = [t for t in normalized.split() if t not in _STOP_WORDS and not has_cjk(t)]
    if len(toks) < 2:
        return ""
    return "".join(t[0] for t in toks)


def acronym_norm(value: str) -> str:
    return words(value).replace(" ", "")


# --- identifiers -------------------------------------------------------------------------------


def identifier_norm(value: str) -> str:
    """Compact, case-folded identifier: spaces, dashes, slashes, dots and full width removed."""
    return normalize_number(value).casefold()


def identifier_scheme(compact: str) -> str | None:
    """``uscc`` or ``lei`` when the compact value passes that scheme's check, else ``None``."""
    up = compact.upper()
    if len(up) == 18 and _uscc.is_valid(up):
        return "uscc"
    if len(up) == 20 and _lei.is_valid(up):
        return "lei"
    return None


_ID_LIKE_RE = re.compile(r"^[0-9a-z]{6,40}$")


def looks_like_identifier(compact: str) -> bool:
    """A compact query that reads like a code: ASCII alphanumerics with at least 3 digits."""
    return bool(_ID_LIKE_RE.match(compact)) and sum(c.isdigit() for c in compact) >= 3


# --- forms of an entity ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Form:
    """One searchable form of a name or identifier."""

    field: str  # name_zh, name_en, name_other, acronym, uscc, lei, number
    form: str  # see FORM_LABELS
    text: str
    weight: float


#: Human-readable label of each form, used in the "why it matched" explanation.
FORM_LABELS: dict[str, str] = {
    "zh": "Chinese name (simplified)",
    "zh_orig": "Chinese name as written",
    "core": "distinctive part of the Chinese name (no place, no legal form)",
    "py": "pinyin of the Chinese name",
    "py_core": "pinyin of the distinctive part",
    "py_initials": "pinyin initials",
    "en": "English name",
    "initials": "initials of the English name",
    "acronym": "acronym",
    "other": "other name",
    "uscc": "USCC exact",
    "lei": "LEI exact",
    "number": "registration/certificate number exact",
}
ZH_FORMS = frozenset({"zh", "zh_orig", "core"})
LATIN_FORMS = frozenset({"py", "py_core", "py_initials", "en", "initials", "acronym", "other"})
SHORT_FORMS = frozenset({"acronym", "initials", "py_initials"})
ID_FORMS = frozenset({"uscc", "lei", "number"})
FORM_WEIGHTS: dict[str, float] = {
    "zh": 1.0,
    "zh_orig": 1.0,
    "core": 0.98,
    "py": 0.95,
    "py_core": 0.95,
    "py_initials": 0.85,
    "en": 1.0,
    "initials": 0.88,
    "acronym": 1.0,
    "other": 0.95,
    "uscc": 1.0,
    "lei": 1.0,
    "number": 1.0,
}


def name_forms(
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    name_other: str | None = None,
    acronym: str | None = None,
    vocab: set[str] | None = None,
) -> list[Form]:
    """All searchable forms of an entity's names, deduplicated per form.

    When ``vocab`` is given, the Latin words a typo may be corrected to are added to it:
    English words, acronyms, pinyin of the distinctive part and of the place names.
    """
    words_out: set[str] = set() if vocab is None else vocab
    out: list[Form] = []
    seen: set[tuple[str, str]] = set()

    def add(field_: str, form: str, text: str) -> None:
        text = text.strip()[:500]
        if len(text) < 2 or (form, text) in seen:
            return
        seen.add((form, text))
        out.append(Form(field_, form, text, FORM_WEIGHTS[form]))

    for fld, name in (("name_zh", name_zh), ("name_other", name_other)):
        if not name or not has_cjk(name):
            continue
        parts = zh_split(name)
        add(fld, "zh", parts.full)
        orig = words(name).replace(" ", "")
        if orig != parts.full:
            add(fld, "zh_orig", orig)
        if parts.core != parts.full:
            add(fld, "core", parts.core)
        if parts.prefix + parts.core + parts.suffix == parts.full:
            syllables = pinyin(parts.prefix) + pinyin(parts.core) + pinyin(parts.suffix)
        else:
            syllables = pinyin(parts.full)
        add(fld, "py", "".join(syllables))
        core_py = "".join(pinyin(parts.core))
        if parts.core != parts.full:
            add(fld, "py_core", core_py)
        add(fld, "py_initials", "".join(x[0] for x in syllables))
        words_out.add(core_py)
        words_out.update("".join(pinyin(p)) for p in parts.places)
    if name_en:
        en = en_norm(name_en)
        add("name_en", "en", en)
        add("name_en", "initials", en_initials(en))
        words_out.update(en.split())
    if name_other and not has_cjk(name_other):
        other = en_norm(name_other)
        add("name_other", "other", other)
        words_out.update(other.split())
    if acronym:
        for a in re.split(r"[;,/|]", acronym):
            add("acronym", "acronym", acronym_norm(a))
            words_out.add(acronym_norm(a))
    if vocab is not None:
        for w in [w for w in vocab if not 3 <= len(w) <= 40]:
            vocab.discard(w)
    return out


def identifier_forms(identifiers: list[tuple[str, str]]) -> list[Form]:
    """Forms of ``(scheme, value)`` identifiers: USCC and LEI by scheme, anything else a number."""
    out: list[Form] = []
    for scheme, value in identifiers:
        compact = identifier_norm(value)
        if len(compact) < 2:
            continue
        s = scheme.strip().lower()
        form = s if s in ("uscc", "lei") else "number"
        out.append(Form(form, form, compact, FORM_WEIGHTS[form]))
    return out


# --- query analysis ----------------------------------------------------------------------------


@dataclass(slots=True)
class Query:
    """What a query can be matched as. ``refine`` is set when it must not be searched."""

    raw: str
    folded: str = ""
    refine: str | None = None  # empty | too_short | too_long | no_searchable_characters
    message: str = ""
    identifier: str | None = None  # compact identifier when the query reads like one
    scheme: str | None = None  # uscc / lei when it passes the check
    zh: str = ""  # simplified compact Chinese (with embedded Latin/digits)
    zh_cjk: str = ""  # Chinese characters only (mixed-script queries)
    zh_core: str = ""
    traditional: bool = False  # t2s changed the query
    tokens: list[str] = field(default_factory=list)  # Latin tokens (tones removed)
    raw_tokens: list[str] = field(default_factory=list)  # Latin tokens as typed
    tones_removed: bool = False

    @property
    def latin_spaced(self) -> str:
        return " ".join(self.tokens)

    @property
    def latin_compact(self) -> str:
        return "".join(self.tokens)

    @property
    def mixed(self) -> bool:
        return bool(self.zh_cjk) and bool(self.tokens) and self.zh_cjk != self.zh


_REFINE_MESSAGES = {
    "empty": "Type a name, an acronym or an identifier.",
    "too_short": "Type at least two characters.",
    "too_long": f"The query is longer than {MAX_QUERY_CHARS} characters; type a shorter part.",
    "no_searchable_characters": "The query has no letters, digits or Chinese characters.",
}


def analyze(raw: str) -> Query:
    """Classify and normalise a query. Cheap: bounded by :data:`MAX_QUERY_CHARS`."""
    q = Query(raw=raw)
    if len(raw) > MAX_QUERY_CHARS * 4:
        q.refine = "too_long"
    else:
        q.folded = fold(raw)
        if not q.folded:
            q.refine = "empty"
        elif len(q.folded) > MAX_QUERY_CHARS:
            q.refine = "too_long"
    if q.refine:
        q.message = _REFINE_MESSAGES[q.refine]
        return q
    searchable = words(q.folded)
    compact = searchable.replace(" ", "")
    if not compact:
        q.refine = "no_searchable_characters"
    elif len(compact) < 2:
        q.refine = "too_short"
    if q.refine:
        q.message = _REFINE_MESSAGES[q.refine]
        return q

    ident = identifier_norm(q.folded)
    if not has_cjk(ident) and looks_like_identifier(ident):
        q.identifier = ident
        q.scheme = identifier_scheme(ident)

    if has_cjk(searchable):
        simp = to_simplified(searchable)
        q.traditional = simp != searchable
        q.zh = simp.replace(" ", "")
        q.zh_cjk = "".join(_CJK_RUN_RE.findall(simp))
        q.zh_core = zh_split(q.zh_cjk if q.zh_cjk else q.zh).core
        latin = _CJK_RUN_RE.sub(" ", simp)
    else:
        latin = searchable
    toks = latin.split()
    q.raw_tokens = toks[: MAX_QUERY_TOKENS * 2]
    if any(_PINYIN_TONED_TOKEN_RE.match(t) for t in toks):
        toks = _TONE_NUM_RE.sub("", " ".join(toks)).split()
        q.tones_removed = True
    if strip_marks(q.folded) != q.folded and not has_cjk(q.folded):
        q.tones_removed = True
    q.tokens = toks[: MAX_QUERY_TOKENS * 2]
    return q
