"""Regenerate ``corpus.json`` and ``queries.json`` (deterministic; run from the repo root).

    python tests/data/search/make_corpus.py

The corpus mixes real-world-shaped Chinese companies (city + distinctive core + industry +
legal form, with an English name), foreign companies, CABs, accreditation bodies and
certificates. USCCs and LEIs carry valid check characters. Queries are labelled with the
entity they must find, and a category (typo, pinyin, traditional, english, partial, ...).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import opencc
from pypinyin import Style, lazy_pinyin
from stdnum.cn import uscc
from stdnum.iso7064 import mod_97_10

HERE = Path(__file__).parent
rng = random.Random(20261127)
s2t = opencc.OpenCC("s2t")

CITIES = [
    ("深圳市", "Shenzhen", "440300"),
    ("广州市", "Guangzhou", "440100"),
    ("东莞市", "Dongguan", "441900"),
    ("佛山市", "Foshan", "440600"),
    ("苏州市", "Suzhou", "320500"),
    ("杭州市", "Hangzhou", "330100"),
    ("宁波市", "Ningbo", "330200"),
    ("上海", "Shanghai", "310000"),
    ("北京", "Beijing", "110000"),
    ("天津", "Tianjin", "120000"),
    ("厦门市", "Xiamen", "350200"),
    ("青岛市", "Qingdao", "370200"),
    ("成都市", "Chengdu", "510100"),
    ("武汉市", "Wuhan", "420100"),
    ("南京市", "Nanjing", "320100"),
    ("无锡市", "Wuxi", "320200"),
    ("广东省中山市", "Zhongshan", "442000"),
    ("浙江省温州市", "Wenzhou", "330300"),
]
INDUSTRIES = [
    ("电子科技", "Electronic Technology"),
    ("科技", "Technology"),
    ("精密机械", "Precision Machinery"),
    ("新材料", "New Material"),
    ("医疗器械", "Medical Device"),
    ("食品", "Food"),
    ("电器", "Electrical Appliance"),
    ("光电", "Optoelectronics"),
    ("智能科技", "Intelligent Technology"),
    ("纺织", "Textile"),
    ("塑胶制品", "Plastic Products"),
    ("检测技术", "Testing Technology"),
    ("环保科技", "Environmental Technology"),
    ("汽车零部件", "Auto Parts"),
    ("实业", "Industrial"),
]
LEGAL = [("有限公司", "Co., Ltd."), ("股份有限公司", "Co., Ltd."), ("有限责任公司", "Co., Ltd.")]
CORE_CHARS = (
    "华瑞鑫恒宏盛嘉泰源丰兴隆景辉晟德博睿凯峰腾飞龙豪锦铭骏澳航星光耀新诺康昌维联宇"
    "振通科力中海天明立志元美创远佳乐弘硕祥富润汇诚宝"
)
REAL = [
    ("深圳市华为技术有限公司", "Huawei Technologies Co., Ltd.", "440300", "Huawei"),
    ("比亚迪股份有限公司", "BYD Company Limited", "440300", "BYD"),
    ("深圳市大疆创新科技有限公司", "SZ DJI Technology Co., Ltd.", "440300", "DJI"),
    ("北京小米科技有限责任公司", "Beijing Xiaomi Technology Co., Ltd.", "110000", None),
    ("海尔集团公司", "Haier Group Corporation", "370200", "Haier"),
    ("美的集团股份有限公司", "Midea Group Co., Ltd.", "440600", "Midea"),
    ("珠海格力电器股份有限公司", "Gree Electric Appliances, Inc. of Zhuhai", "440400", "Gree"),
    ("联想(北京)有限公司", "Lenovo (Beijing) Limited", "110000", "Lenovo"),
    ("中兴通讯股份有限公司", "ZTE Corporation", "440300", "ZTE"),
    (
        "宁德时代新能源科技股份有限公司",
        "Contemporary Amperex Technology Co., Limited",
        "350900",
        "CATL",
    ),
    ("TCL科技集团股份有限公司", "TCL Technology Group Corporation", "441300", "TCL"),
    ("京东方科技集团股份有限公司", "BOE Technology Group Co., Ltd.", "110000", "BOE"),
]
FOREIGN = [
    ("Siemens AG", "DE"),
    ("Robert Bosch GmbH", "DE"),
    ("Müller Präzisionstechnik GmbH", "DE"),
    ("Schäfer Werkzeugbau GmbH", "DE"),
    ("Nordic Valve Systems AB", "SE"),
    ("Acme Fasteners Inc.", "US"),
    ("Blue Ridge Plastics LLC", "US"),
    ("Cascade Medical Devices Inc.", "US"),
    ("Pinewood Organic Foods Ltd.", "GB"),
    ("Thames Precision Engineering Ltd.", "GB"),
    ("Highland Textiles plc", "GB"),
    ("Rhône Alpes Composites SAS", "FR"),
    ("Lyon Optique SA", "FR"),
    ("Fratelli Rossi S.p.A.", "IT"),
    ("Tokyo Seimitsu Kogyo K.K.", "JP"),
    ("Osaka Electric Wire Co., Ltd.", "JP"),
    ("Samhwa Ceramics Co., Ltd.", "KR"),
    ("Maple Leaf Aerospace Corp.", "CA"),
    ("Southern Cross Mining Pty Ltd", "AU"),
    ("Kiwi Dairy Cooperative Ltd", "NZ"),
    ("Vltava Glassworks s.r.o.", "CZ"),
    ("Helvetia Watch Components AG", "CH"),
    ("Amsterdam Bio Labs B.V.", "NL"),
    ("Baltic Amber Trading OÜ", "EE"),
    ("Andes Copper Refining S.A.", "CL"),
    ("Sahara Solar Systems SARL", "MA"),
    ("Ganges Pharmaceuticals Pvt. Ltd.", "IN"),
    ("Mekong Seafood Processing JSC", "VN"),
    ("Malacca Rubber Gloves Sdn. Bhd.", "MY"),
    ("Bosporus Steel Pipes A.Ş.", "TR"),
]
HK_TW = [
    ("香港", "HK", "Kowloon", "九龍"),
    ("台灣", "TW", "Taipei", "台北"),
]
CABS = [
    ("中国质量认证中心", "China Quality Certification Centre", "CQC", "CN"),
    (
        "中国船级社质量认证有限公司",
        "China Classification Society Certification Co., Ltd.",
        "CCSC",
        "CN",
    ),
    ("方圆标志认证集团有限公司", "China Quality Mark Certification Group", "CQM", "CN"),
    ("中国检验认证集团", "China Certification & Inspection Group", "CCIC", "CN"),
    ("上海质量体系审核中心", "Shanghai Audit Center of Quality System", "SAC-QS", "CN"),
    ("华夏认证中心有限公司", "China Huaxia Certification Center Co., Ltd.", "HXCC", "CN"),
    ("北京中大华远认证中心", "Beijing Zhongda Huayuan Certification Center", "ZDHY", "CN"),
    (
        "中国建材检验认证集团股份有限公司",
        "China Building Material Test & Certification Group",
        "CTC",
        "CN",
    ),
    ("中国电子技术标准化研究院", "China Electronics Standardization Institute", "CESI", "CN"),
    ("兴原认证中心有限公司", "Xingyuan Certification Center Co., Ltd.", "XYCC", "CN"),
    (
        "中环联合(北京)认证中心有限公司",
        "China Environmental United Certification Center",
        "CEC",
        "CN",
    ),
    ("香港品質保證局", "Hong Kong Quality Assurance Agency", "HKQAA", "HK"),
    ("台灣檢驗科技股份有限公司", "SGS Taiwan Ltd.", None, "TW"),
    (None, "SGS United Kingdom Ltd", "SGS", "GB"),
    (None, "TÜV SÜD Product Service GmbH", "TUV SUD", "DE"),
    (None, "TÜV Rheinland LGA Products GmbH", "TUV Rheinland", "DE"),
    (None, "Bureau Veritas Certification Holding SAS", "BV", "FR"),
    (None, "DNV Business Assurance UK Limited", "DNV", "GB"),
    (None, "BSI Assurance UK Ltd", "BSI", "GB"),
    (None, "Intertek Certification Limited", "Intertek", "GB"),
    (None, "LRQA Limited", "LRQA", "GB"),
    (None, "DEKRA Certification GmbH", "DEKRA", "DE"),
    (None, "UL Solutions", "UL", "US"),
    (None, "Perry Johnson Registrars, Inc.", "PJR", "US"),
    (None, "NSF-ISR, Ltd.", "NSF-ISR", "US"),
    (None, "Japan Quality Assurance Organization", "JQA", "JP"),
    (None, "Korean Standards Association", "KSA", "KR"),
    (None, "AENOR Internacional S.A.U.", "AENOR", "ES"),
    (None, "Kiwa Nederland B.V.", "Kiwa", "NL"),
    (None, "Applus+ Certification", "Applus", "ES"),
]
ABS = [
    (
        "中国合格评定国家认可委员会",
        "China National Accreditation Service for Conformity Assessment",
        "CNAS",
        "CN",
    ),
    (None, "United Kingdom Accreditation Service", "UKAS", "GB"),
    (None, "Deutsche Akkreditierungsstelle GmbH", "DAkkS", "DE"),
    (None, "ANSI National Accreditation Board", "ANAB", "US"),
    (None, "Japan Accreditation Board", "JAB", "JP"),
    (None, "Comité français d'accréditation", "COFRAC", "FR"),
    (None, "ACCREDIA - Ente Italiano di Accreditamento", "ACCREDIA", "IT"),
    (None, "Entidad Nacional de Acreditación", "ENAC", "ES"),
    (None, "Raad voor Accreditatie", "RvA", "NL"),
    (None, "Singapore Accreditation Council", "SAC", "SG"),
    ("香港認可處", "Hong Kong Accreditation Service", "HKAS", "HK"),
    ("財團法人全國認證基金會", "Taiwan Accreditation Foundation", "TAF", "TW"),
    (None, "Korea Accreditation Board", "KAB", "KR"),
    (None, "Joint Accreditation System of Australia and New Zealand", "JAS-ANZ", "AU"),
    (None, "International Accreditation Service", "IAS", "US"),
    (None, "American Association for Laboratory Accreditation", "A2LA", "US"),
    (None, "National Accreditation Board for Certification Bodies", "NABCB", "IN"),
    (None, "Swiss Accreditation Service", "SAS", "CH"),
    (None, "Standards Council of Canada", "SCC", "CA"),
    (None, "Emirates International Accreditation Centre", "EIAC", "AE"),
]


def make_uscc(div: str) -> str:
    body = "91" + div + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_lei() -> str:
    body = (
        "5493"
        + "00"
        + "".join(rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(12))
    )
    return body + mod_97_10.calc_check_digits(body)


def py(text: str) -> list[str]:
    return [s for s in lazy_pinyin(text, style=Style.NORMAL)]


def toned(text: str) -> str:
    return " ".join(lazy_pinyin(text, style=Style.TONE))


def tone_numbers(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))


def typo(word: str) -> str:
    """One deterministic edit inside a word of six or more letters."""
    i = rng.randrange(1, len(word) - 2)
    op = rng.choice(("swap", "drop", "sub", "dup"))
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "dup":
        return word[:i] + word[i] + word[i:]
    c = rng.choice("aeiourstln".replace(word[i].lower(), ""))
    return word[:i] + c + word[i + 1 :]


def typo_name(name: str) -> str:
    words = name.replace(",", "").replace(".", "").split()
    idx = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not idx:
        return name
    i = rng.choice(idx)
    words[i] = typo(words[i])
    return " ".join(words)


def main() -> None:
    entities: list[dict[str, Any]] = []
    queries: list[dict[str, Any]] = []

    def q(text: str, ent: dict[str, Any], cat: str) -> None:
        queries.append({"q": text, "kind": ent["kind"], "key": ent["key"], "category": cat})

    # Real-world-shaped Chinese companies.
    used_cores: set[str] = set()
    used_py: set[str] = set()
    orgs: list[dict[str, Any]] = []
    for zh, en, div, acr in REAL:
        ent = {
            "kind": "organization",
            "key": make_uscc(div),
            "name_zh": zh,
            "name_en": en,
            "acronym": acr,
            "economy": "CN",
        }
        ent["identifiers"] = [{"scheme": "USCC", "value": ent["key"]}]
        orgs.append(ent)
    # Generated Chinese companies with unique 2-character cores (and unique core pinyin).
    while len(orgs) < 200:
        core = rng.choice(CORE_CHARS) + rng.choice(CORE_CHARS)
        core_py = "".join(py(core))
        if core[0] == core[1] or core in used_cores or core_py in used_py:
            continue
        if any(core in o["name_zh"] for o in orgs):
            continue
        used_cores.add(core)
        used_py.add(core_py)
        city_zh, city_en, div = rng.choice(CITIES)
        ind_zh, ind_en = rng.choice(INDUSTRIES)
        legal_zh, legal_en = rng.choice(LEGAL)
        zh = f"{city_zh}{core}{ind_zh}{legal_zh}"
        en = f"{city_en} {core_py.capitalize()} {ind_en} {legal_en}"
        key = make_uscc(div)
        ent = {
            "kind": "organization",
            "key": key,
            "name_zh": zh,
            "name_en": en,
            "economy": "CN",
            "identifiers": [{"scheme": "USCC", "value": key}],
            "extra": {"core": core, "city": city_zh, "city_en": city_en},
        }
        orgs.append(ent)
    # Hong Kong / Taiwan companies published in traditional characters.
    for i in range(16):
        _region, eco, _place_en, _place_zh = HK_TW[i % 2]
        while True:
            core = rng.choice(CORE_CHARS) + rng.choice(CORE_CHARS)
            core_py = "".join(py(core))
            if core[0] != core[1] and core not in used_cores and core_py not in used_py:
                break
        used_cores.add(core)
        used_py.add(core_py)
        ind_zh, ind_en = rng.choice(INDUSTRIES[:8])
        zh_trad = s2t.convert(f"{core}{ind_zh}有限公司")
        en = f"{core_py.capitalize()} {ind_en} Limited"
        key = f"{eco}-{rng.randrange(10_000_000, 99_999_999)}"
        ent = {
            "kind": "organization",
            "key": key,
            "name_zh": zh_trad,
            "name_en": en,
            "economy": eco,
            "identifiers": [{"scheme": "BR", "value": key}],
            "extra": {"core": core},
        }
        orgs.append(ent)
    for name, eco in FOREIGN:
        key = make_lei()
        orgs.append(
            {
                "kind": "organization",
                "key": key,
                "name_en": name,
                "economy": eco,
                "identifiers": [{"scheme": "LEI", "value": key}],
            }
        )
    entities.extend(orgs)

    cabs = []
    for i, (zh, en, acr, eco) in enumerate(CABS):
        key = f"CAB-{eco}-{i + 1:03d}"
        cabs.append(
            {
                "kind": "cab",
                "key": key,
                "name_zh": zh,
                "name_en": en,
                "acronym": acr,
                "economy": eco,
                "identifiers": [{"scheme": "CNCA", "value": f"CNCA-R-2002-{i + 1:03d}"}]
                if eco == "CN"
                else [],
            }
        )
    entities.extend(cabs)
    abs_ = []
    for i, (zh, en, acr, eco) in enumerate(ABS):
        abs_.append(
            {
                "kind": "accreditation_body",
                "key": f"AB-{acr.upper()}",
                "name_zh": zh,
                "name_en": en,
                "acronym": acr,
                "economy": eco,
                "extra": {"iaf_mla": i % 5 != 4},
            }
        )
    entities.extend(abs_)

    certs = []
    standards = ["ISO 9001:2015", "ISO 14001:2015", "ISO 45001:2018", "ISO/IEC 27001:2022"]
    formats = [
        lambda: (
            f"{rng.randrange(1, 99999):05d}Q{rng.randrange(10000, 99999)}R{rng.randrange(0, 9)}M"
        ),
        lambda: f"CQC{rng.randrange(10, 24)}{rng.randrange(10**9, 10**10)}",
        lambda: f"12 100 {rng.randrange(10000, 99999)} TMS",
        lambda: f"FM {rng.randrange(100000, 999999)}",
        lambda: f"CN{rng.randrange(10, 24)}/{rng.randrange(10000, 99999)}",
        lambda: f"ISR-{rng.randrange(1000, 9999)}-{rng.choice('ABCDEF')}{rng.randrange(10, 99)}",
    ]
    for i in range(60):
        holder = orgs[i * 3 % len(orgs)]
        number = formats[i % len(formats)]()
        certs.append(
            {
                "kind": "certificate",
                "key": number,
                "economy": holder["economy"],
                "identifiers": [{"scheme": "certificate", "value": number}],
                "extra": {
                    "holder": holder["key"],
                    "standard": standards[i % 4],
                    "issuer": cabs[i % len(cabs)]["key"],
                },
            }
        )
    entities.extend(certs)

    # ---------------------------------------------------------------------------- queries
    real = orgs[: len(REAL)]
    gen = [o for o in orgs if o.get("extra", {}).get("city")]
    hktw = [o for o in orgs if o["economy"] in ("HK", "TW")]
    foreign = [o for o in orgs if "name_zh" not in o]

    q("华为", real[0], "partial")
    q("华为技术", real[0], "partial")
    q("華為技術有限公司", real[0], "traditional")
    q("huawei", real[0], "pinyin")
    q("Huáwéi", real[0], "pinyin")
    q("shenzhen huawei", real[0], "pinyin")
    q("Huawei Technolgies", real[0], "typo")
    q("比亚迪", real[1], "partial")
    q("BYD", real[1], "acronym")
    q("biyadi", real[1], "pinyin")
    q("大疆", real[2], "partial")
    q("大疆創新", real[2], "traditional")
    q("DJI", real[2], "acronym")
    q("dajiang chuangxin", real[2], "pinyin")
    q("小米科技", real[3], "partial")
    q("xiaomi", real[3], "pinyin")
    q("Beijing Xiaomi Technolgy", real[3], "typo")
    q("海尔", real[4], "partial")
    q("Haier Group", real[4], "english")
    q("美的集团", real[5], "partial")
    q("Midea", real[5], "acronym")
    q("格力电器", real[6], "partial")
    q("格力電器", real[6], "traditional")
    q("Gree Electric Appliances", real[6], "english")
    q("联想", real[7], "partial")
    q("Lenovo Beijing", real[7], "english")
    q("中兴通讯", real[8], "partial")
    q("ZTE", real[8], "acronym")
    q("宁德时代", real[9], "partial")
    q("寧德時代", real[9], "traditional")
    q("CATL", real[9], "acronym")
    q("Contemporary Amperex", real[9], "english")
    q("Contemporary Amprex Technology", real[9], "typo")
    q("TCL科技", real[10], "partial")
    q("京东方", real[11], "partial")
    q("jingdongfang", real[11], "pinyin")
    q("BOE Technology Group", real[11], "english")

    cats_cycle = ["partial", "traditional", "pinyin", "english", "typo", "full"]
    for i, o in enumerate(gen):
        core = o["extra"]["core"]
        cat = cats_cycle[i % len(cats_cycle)]
        if cat == "partial":
            q(core, o, "partial")
        elif cat == "traditional":
            trad = s2t.convert(o["name_zh"])
            q(trad if i % 4 else s2t.convert(core + "有限公司"), o, "traditional")
        elif cat == "pinyin":
            variant = i % 4
            if variant == 0:
                q("".join(py(core)), o, "pinyin")
            elif variant == 1:
                q(f"{o['extra']['city_en'].lower()} {' '.join(py(core))}", o, "pinyin")
            elif variant == 2:
                q(toned(core), o, "pinyin")
            else:
                q(tone_numbers(core), o, "pinyin")
        elif cat == "english":
            name = o["name_en"].replace(" Co., Ltd.", "")
            q(name if i % 2 else name.upper(), o, "english")
        elif cat == "typo":
            q(typo_name(o["name_en"].replace(" Co., Ltd.", "")), o, "typo")
        else:
            city = o["extra"]["city"]
            q(o["name_zh"] if i % 2 else o["name_zh"].removeprefix(city), o, "full")
    for i, o in enumerate(hktw):
        core = o["extra"]["core"]
        q(core if i % 2 else o["name_zh"], o, "traditional")
    for i, o in enumerate(foreign):
        name = o["name_en"]
        if i % 3 == 0:
            q(typo_name(name), o, "typo")
        elif i % 3 == 1:
            q(name.lower().replace("ü", "u").replace("ä", "a"), o, "english")
        else:
            q(" ".join(name.split()[:2]), o, "partial")
    for c in cabs:
        if c["acronym"]:
            q(c["acronym"].lower() if len(c["acronym"]) > 3 else c["acronym"], c, "acronym")
        if c["name_zh"]:
            q(s2t.convert(c["name_zh"]), c, "traditional")
        q(typo_name(c["name_en"]), c, "typo")
    for a in abs_:
        q(a["acronym"], a, "acronym")
        q(typo_name(a["name_en"]), a, "typo")
        if a["name_zh"]:
            q(a["name_zh"], a, "full")
    q("中国质量认证中心 CQC", cabs[0], "mixed")
    q("CQC 认证中心", cabs[0], "mixed")
    q("华为 Technologies", real[0], "mixed")
    q("CNAS 认可委员会", abs_[0], "mixed")
    q("质量认证中心", cabs[0], "partial")
    q("zhongguo zhiliang renzheng zhongxin", cabs[0], "pinyin")
    q("合格评定国家认可委员会", abs_[0], "partial")

    # Harder queries: Chinese typos, reordered or partial words, full pinyin, initials.
    for i, o in enumerate(gen[::4]):
        core, city = o["extra"]["core"], o["extra"]["city"]
        zh = o["name_zh"]
        variant = i % 7
        if variant == 0:  # one wrong character in the name (not in the core)
            body = zh.removeprefix(city)
            j = len(o["extra"]["core"]) + 1
            q(body[:j] + "佳" + body[j + 1 :], o, "typo_zh")
        elif variant == 1:  # city without its level, then the core
            q(city.removesuffix("市")[-2:] + core, o, "partial")
        elif variant == 2:  # English words in another order
            words = o["name_en"].replace(" Co., Ltd.", "").split()
            q(" ".join(words[1:] + words[:1]), o, "english")
        elif variant == 3:  # full pinyin, one syllable per word
            q(" ".join(py(zh)), o, "pinyin")
        elif variant == 4:  # the core's pinyin, capitalised, as an English brand name
            q("".join(py(core)).capitalize() + " " + o["extra"]["city_en"], o, "english")
        elif variant == 5:  # pinyin initials of the full name
            q("".join(s[0] for s in py(zh)), o, "acronym")
        else:  # core + industry without place or legal form, traditional
            q(s2t.convert(zh.removeprefix(city)[:-4]), o, "traditional")
    q("zgzlrzzx", cabs[0], "acronym")
    q("Huawei Shenzhen", real[0], "english")
    q("深圳华为", real[0], "partial")
    q("中國合格評定國家認可委員會", abs_[0], "traditional")
    q("Akkreditierungsstelle", abs_[2], "partial")
    q("TUV Rheinland", cabs[15], "acronym")

    # Identifiers in odd formats.
    full_width = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    for i, o in enumerate(orgs[:40]):
        k = o["key"]
        if o["identifiers"][0]["scheme"] != "USCC":
            continue
        fmt = i % 4
        if fmt == 0:
            q(k.lower(), o, "identifier")
        elif fmt == 1:
            q(f"{k[:6]} {k[6:12]} {k[12:]}", o, "identifier")
        elif fmt == 2:
            q(k.translate(full_width), o, "identifier")
        else:
            q("-".join(k[j : j + 4] for j in range(0, 18, 4)), o, "identifier")
    for i, o in enumerate(foreign[:10]):
        k = o["key"]
        q(" ".join(k[j : j + 4] for j in range(0, 20, 4)) if i % 2 else k.lower(), o, "identifier")
    for i, c in enumerate(certs):
        n = c["key"]
        fmt = i % 4
        if fmt == 0:
            q(n.replace(" ", "").lower(), c, "identifier")
        elif fmt == 1:
            q(n.replace("/", " / ").replace("-", " - "), c, "identifier")
        elif fmt == 2:
            q(n.translate(full_width), c, "identifier")
        else:
            q(n.replace(" ", "-"), c, "identifier")

    (HERE / "corpus.json").write_text(
        json.dumps(entities, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (HERE / "queries.json").write_text(
        json.dumps(queries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(entities)} entities, {len(queries)} queries")


if __name__ == "__main__":
    main()
