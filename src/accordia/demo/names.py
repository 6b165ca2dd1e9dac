"""Synthetic bilingual names for demo organizations and bodies (deterministic, fictional)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# (Chinese, English, admin division code used in USCCs)
CITIES = [
    ("深圳市", "Shenzhen", "440300"),
    ("广州市", "Guangzhou", "440100"),
    ("上海", "Shanghai", "310000"),
    ("北京", "Beijing", "110000"),
    ("杭州市", "Hangzhou", "330100"),
    ("苏州市", "Suzhou", "320500"),
    ("东莞市", "Dongguan", "441900"),
    ("宁波市", "Ningbo", "330200"),
    ("青岛市", "Qingdao", "370200"),
    ("成都市", "Chengdu", "510100"),
    ("武汉市", "Wuhan", "420100"),
    ("天津市", "Tianjin", "120000"),
    ("厦门市", "Xiamen", "350200"),
    ("佛山市", "Foshan", "440600"),
    ("无锡市", "Wuxi", "320200"),
    ("重庆市", "Chongqing", "500000"),
]
SYLLABLES = list(
    "华信宏达新科瑞丰恒通金鹏天宇志成博远嘉禾中联创安泰永盛凯远航东方鼎海德盈睿智明光辉"
    "正祥和兴隆昌盛源泉锦绣诚润泽立腾飞越翔宇晟朗峰川"
)
# (Chinese, English, IAF sector, HS heading or None)
INDUSTRIES = [
    ("电子科技", "Electronic Technology", "19", "8543"),
    ("电器", "Electrical Appliance", "19", "8516"),
    ("机械制造", "Machinery Manufacturing", "18", None),
    ("食品", "Food", "3", None),
    ("建筑工程", "Construction Engineering", "28", None),
    ("化工", "Chemical", "12", None),
    ("纺织", "Textile", "4", None),
    ("医疗器械", "Medical Devices", "19", None),
    ("软件", "Software", "33", None),
    ("物流", "Logistics", "31", None),
    ("塑料制品", "Plastic Products", "14", None),
    ("金属制品", "Metal Products", "17", None),
    ("印刷", "Printing", "9", None),
    ("家具", "Furniture", "23", None),
    ("线缆", "Cable", "19", "8544"),
    ("照明", "Lighting", "19", "9405"),
]
FORMS = [("有限公司", "Co., Ltd."), ("股份有限公司", "Corporation"), ("有限责任公司", "Co., Ltd.")]
WESTERN = [
    "Ashford",
    "Bramley",
    "Calder",
    "Dunmore",
    "Elbridge",
    "Fenwick",
    "Garrow",
    "Hollis",
    "Ivers",
    "Jarrow",
    "Kestrel",
    "Linwood",
    "Marston",
    "Northgate",
    "Orwell",
    "Pembury",
    "Quarry",
    "Radley",
    "Stanton",
    "Thornbury",
    "Upfield",
    "Verwood",
    "Whitby",
    "Yarrow",
]
WESTERN_FORMS = {"GB": "Ltd", "DE": "GmbH", "NZ": "Limited", "US": "Inc."}

_PY = {ch: lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in SYLLABLES}


def chinese_org(i: int) -> tuple[str, str, str, tuple[str, str, str, str | None]]:
    """The ``i``-th synthetic Chinese company: (name_zh, name_en, division, industry).

    Names are unique for i < len(SYLLABLES)**2 * len(INDUSTRIES) * len(CITIES) * 3 (≈ 1.9 M);
    beyond that a branch number keeps them unique.
    """
    n = len(SYLLABLES)
    a, rest = i % n, i // n
    b, rest = (rest + a * 7) % n, rest // n
    ind, rest = rest % len(INDUSTRIES), rest // len(INDUSTRIES)
    city, rest = rest % len(CITIES), rest // len(CITIES)
    form, rest = rest % len(FORMS), rest // len(FORMS)
    c_zh, c_en, division = CITIES[city]
    s1, s2 = SYLLABLES[a], SYLLABLES[b]
    i_zh, i_en, _sector, _hs = INDUSTRIES[ind]
    f_zh, f_en = FORMS[form]
    branch_zh = f"第{rest + 1}" if rest else ""
    branch_en = f" No. {rest + 1}" if rest else ""
    name_zh = f"{c_zh}{s1}{s2}{i_zh}{f_zh}{branch_zh}"
    name_en = f"{c_en} {(_PY[s1] + _PY[s2]).capitalize()} {i_en} {f_en}{branch_en}"
    return name_zh, name_en, division, INDUSTRIES[ind]


def western_org(i: int, economy: str) -> tuple[str, tuple[str, str, str, str | None]]:
    """The ``i``-th synthetic company of a non-Chinese economy (English name only)."""
    w = WESTERN[i % len(WESTERN)]
    ind = INDUSTRIES[(i // len(WESTERN)) % len(INDUSTRIES)]
    n = i // (len(WESTERN) * len(INDUSTRIES))
    suffix = f" {n + 1}" if n else ""
    return f"{w} {ind[1]}{suffix} {WESTERN_FORMS.get(economy, 'Ltd')}", ind


def uscc(division: str, serial: int) -> str:
    """A syntactically valid Unified Social Credit Code (GB 32100-2015) for a serial number."""
    from stdnum.cn import uscc as _uscc

    body8 = f"{serial % 10**8:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(int(d) * w for d, w in zip(body8, weights, strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(c, str(c))
    partial = f"91{division}{body8}{org_check}"
    return partial + str(_uscc.calc_check_digit(partial))


def chinese_industry(i: int) -> int:
    """Index into :data:`INDUSTRIES` of ``chinese_org(i)``'s industry, without the names."""
    n = len(SYLLABLES)
    return (i // n // n) % len(INDUSTRIES)


def western_industry(i: int) -> int:
    """Index into :data:`INDUSTRIES` of ``western_org(i, …)``'s industry."""
    return (i // len(WESTERN)) % len(INDUSTRIES)
