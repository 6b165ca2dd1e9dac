#!/usr/bin/env python3
"""Build Accordia's seed registry data from the public reference tables.

Reads ``<reference>/*.csv`` (default ``../shared/reference`` relative to the repository root)
and writes the import files into ``src/accordia/reference/data/registry/``:

    economies.csv  standards.csv  scope_codes.csv  accreditation_bodies.csv  regulators.csv
    arrangements.csv  recognition_events.csv  signatory_events.csv  market_acceptances.csv

Every row keeps its source. Rules applied (see the README written next to the files):

* Facts only. Names and titles in Chinese only where a source gives them or where the body's own
  official name is certain (CNAS, CNCA, SAMR); otherwise the zh column is left empty.
* A source dated only to a year or a month gives ``effective_on`` = the last day of that period
  (the earliest date the source supports for "was a signatory by then"); the ``note`` says so.
* Rows that are not derivable mechanically are literal data below, each with its source, under
  comments starting ``# CURATED``.

Usage::

    python tools/build_reference.py [REFERENCE_DIR]
"""

from __future__ import annotations

import calendar
import csv
import re
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "accordia" / "reference" / "data" / "registry"

# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


def read(ref: Path, name: str) -> list[dict[str, str]]:
    with (ref / name).open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def write(name: str, columns: list[str], rows: list[dict[str, object]]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / name).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            unknown = set(r) - set(columns)
            if unknown:
                raise SystemExit(f"{name}: unknown columns {unknown}")
            if not str(r.get("source") or "").strip():
                raise SystemExit(f"{name}: row without source: {r}")
            w.writerow([_cell(r.get(c)) for c in columns])
    return len(rows)


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return ";".join(str(x) for x in v)
    return str(v)


def end_of(period: str) -> str:
    """Last day of ``YYYY`` or ``YYYY-MM``; an exact ``YYYY-MM-DD`` is returned unchanged."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        return period
    if re.fullmatch(r"\d{4}-\d{2}", period):
        y, m = map(int, period.split("-"))
        return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"
    if re.fullmatch(r"\d{4}", period):
        return f"{period}-12-31"
    raise ValueError(f"not a period: {period!r}")


def earliest_note(period: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        return ""
    return f"source dated {period}; earliest supported date"


# Economy names used in the reference -> registry economy codes (ISO 3166-1 alpha-2 or grouping).
ECONOMY_OVERRIDES = {
    "Chinese Taipei": "TW",
    "Korea, Republic of": "KR",
    "Australia & New Zealand": "ANZ",
    "Australia and New Zealand": "ANZ",
    "SADC (Southern African Development Community)": "SADC",
    "Gulf Cooperation Council": "GCC",
    "Czech Republic": "CZ",
    "Turkey": "TR",
    "Vietnam": "VN",
    "Hong Kong, China": "HK",
}


def economy_code(name: str) -> str | None:
    if name in ECONOMY_OVERRIDES:
        return ECONOMY_OVERRIDES[name]
    try:
        return pycountry.countries.lookup(name).alpha_2
    except LookupError:
        return None


def first_url(source: str) -> str:
    """The source string as given (the reference's own citation), trimmed."""
    return source.strip()


# ------------------------------------------------------------------------------------------------
# economies (groupings only; countries come from pycountry at load time)
# ------------------------------------------------------------------------------------------------

# CURATED: groupings referred to by accreditation bodies and arrangements. Member lists cited.
GROUPINGS = [
    {
        "code": "ANZ", "kind": "grouping", "name_en": "Australia and New Zealand",
        "members": ["AU", "NZ"],
        "source": "reference/iaf_mla_signatories.csv (JAS-ANZ economy 'Australia & New Zealand'); "
        "reference/ilac_mra_signatories_partial.csv (JAS-ANZ economy 'Australia and New Zealand'); "
        "members are the two economies the name states",
    },
    {
        "code": "SADC", "kind": "grouping", "name_en": "Southern African Development Community",
        "members": ["AO", "BW", "KM", "CD", "SZ", "LS", "MG", "MW", "MU", "MZ", "NA", "SC", "ZA",
                    "TZ", "ZM", "ZW"],
        "source": "name: reference/iaf_mla_signatories.csv (SADCAS economy); 16 member states "
        "(as of 2022; Comoros admitted 2017): https://wikimili.com/en/Southern_African_Development_Community ; "
        "https://business.goldmidi.com/southern-african-development-community-sadc/",
    },
    {
        "code": "GCC", "kind": "grouping", "name_en": "Gulf Cooperation Council",
        "members": ["BH", "KW", "OM", "QA", "SA", "AE"],
        "source": "name: reference/iaf_mla_signatories.csv (GAC economy); six member states: "
        "https://en.wikipedia.org/wiki/Member_states_of_the_Cooperation_Council_for_the_Arab_States_of_the_Gulf",
    },
    {
        "code": "EU", "kind": "grouping", "name_en": "European Union",
        "members": ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                    "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES",
                    "SE"],
        "source": "reference/recognition_systems.csv (EU-New Zealand MRA); 27 member states "
        "(as of 2023): https://countries-worldwide.com/european-union-countries ; "
        "https://dataprivacymanager.net/glossary/eu-member-states/",
    },
    {
        "code": "APEC", "kind": "grouping", "name_en": "Asia-Pacific Economic Cooperation",
        "members": [],
        "source": "reference/recognition_systems.csv (APEC TEL MRA, APEC EE MRA); members left "
        "empty: APEC membership is not in the reference sources (the 18 APEC TEL MRA parties are "
        "recorded as parties of arrangement APEC-TEL-MRA, not as APEC membership)",
    },
]


def build_economies() -> list[dict[str, object]]:
    return [dict(g, name_zh="", alpha3="") for g in GROUPINGS]


# ------------------------------------------------------------------------------------------------
# standards
# ------------------------------------------------------------------------------------------------

SCOPES_SRC = "reference/iaf_mla_scopes.csv (IAF 2022 MLA annex: " \
    "https://iaf.nu/en/annex-1-new-iaf-mla-signatories-and-scope-extensions-2022)"
LEVELS_SRC = "reference/iaf_mla_levels.csv (IAF PL 3:2023 Issue 4 v3)"
ILAC_SRC = "reference/ilac_mra_scopes.csv (https://ilac.org/about-ilac/facts-and-figures/)"
DOMAIN_SRC = "DOMAIN.md (CAB kinds and their standards)"


def build_standards() -> list[dict[str, object]]:
    # code, kind, edition, source; titles only where a source gives them (below).
    rows: list[dict[str, object]] = []

    def add(code: str, kind: str, edition: str, source: str, title_en: str = "",
            title_zh: str = "") -> None:
        rows.append({"code": code, "kind": kind, "edition": edition, "title_en": title_en,
                     "title_zh": title_zh, "source": source})

    add("ISO/IEC 17011", "ab_requirement", "2017", f"{LEVELS_SRC}: level 1 example ISO/IEC 17011:2017")
    # CAB requirements
    add("ISO/IEC 17021-1", "cab_requirement", "2015", f"{SCOPES_SRC}: level 3 ISO/IEC 17021-1:2015")
    add("ISO/IEC 17065", "cab_requirement", "2012", f"{SCOPES_SRC}: level 3 ISO/IEC 17065:2012")
    add("ISO/IEC 17024", "cab_requirement", "2012", f"{SCOPES_SRC}: level 3 ISO/IEC 17024:2012")
    add("ISO 14065", "cab_requirement", "2020",
        f"{SCOPES_SRC}: level 3 'ISO 14065:2013 / ISO 14065:2020' (latest edition named: 2020)")
    add("ISO/IEC 17029", "cab_requirement", "2019", f"{SCOPES_SRC}: level 3 ISO/IEC 17029:2019")
    for code in ("ISO/IEC 17025", "ISO 15189", "ISO/IEC 17020", "ISO/IEC 17043", "ISO 17034",
                 "ISO 20387"):
        add(code, "cab_requirement", "", f"{ILAC_SRC}; {DOMAIN_SRC}; edition not given in the sources")
    # Level 4 supplements
    add("ISO/IEC 17021-2", "supplement", "2016", f"{SCOPES_SRC}: level 4 ISO/IEC 17021-2:2016 (EMS)")
    add("ISO/IEC 17021-3", "supplement", "2017", f"{SCOPES_SRC}: level 4 ISO/IEC 17021-3:2017 (QMS)")
    add("ISO/IEC TS 17021-10", "supplement", "2018",
        f"{SCOPES_SRC}: level 4 ISO/IEC TS 17021-10:2018 (OH&SMS)")
    add("ISO 22003-1", "supplement", "2022",
        f"{SCOPES_SRC}: level 4 'ISO/TS 22003:2013, ISO 22003-1:2022' (FSMS)")
    add("ISO/IEC 27006", "supplement", "2015", f"{SCOPES_SRC}: level 4 ISO/IEC 27006:2015 (ISMS)")
    add("ISO 50003", "supplement", "2021",
        f"{SCOPES_SRC}: level 4 'ISO 50003:2014, 2021' (EnMS; latest edition named: 2021)")
    add("ISO 14066", "supplement", "2011", f"{SCOPES_SRC}: level 4 ISO 14066:2011 (GHG V&V)")
    # Level 5 normative documents
    add("ISO 9001", "normative", "2015", f"{SCOPES_SRC}: level 5 ISO 9001:2015")
    add("ISO 14001", "normative", "2015", f"{SCOPES_SRC}: level 5 ISO 14001:2015")
    add("ISO 45001", "normative", "2018", f"{SCOPES_SRC}: level 5 ISO 45001:2018")
    add("ISO 22000", "normative", "2018", f"{SCOPES_SRC}: level 5 ISO 22000:2018")
    add("ISO/IEC 27001", "normative", "2013",
        f"{SCOPES_SRC}: level 5 ISO/IEC 27001:2013 (the edition the 2022 annex lists)")
    add("ISO 13485", "normative", "2016", f"{SCOPES_SRC}: level 5 ISO 13485:2016")
    add("ISO 50001", "normative", "2018", f"{SCOPES_SRC}: level 5 ISO 50001:2018")
    add("ISO 14064-1", "normative", "2018", f"{SCOPES_SRC}: level 5 ISO 14064-1:2018")
    add("ISO 14064-2", "normative", "2019", f"{SCOPES_SRC}: level 5 ISO 14064-2:2019")
    add("ISO 14064-3", "normative", "2019",
        f"{SCOPES_SRC}: level 4 'ISO 14064-3:2006, 2019' (latest edition named: 2019)")
    # Scheme documents
    add("FSSC 22000", "scheme", "V5.1", f"{SCOPES_SRC}: level 5 'FSSC 22000 V5.1 Scheme Part 2'")
    add("GLOBALG.A.P. IFA", "scheme", "Version 4",
        f"{SCOPES_SRC}: level 4 'GLOBALG.A.P. IFA General Regulations Version 4', level 5 "
        "'GLOBALG.A.P. IFA CPCCs Version 4'")
    add("FAMI-QS", "scheme", "Version 6",
        f"{SCOPES_SRC}: level 5 'FAMI-QS Certification Scheme Code, Version 6'",
        title_en="FAMI-QS Certification Scheme Code")
    add("ICAO CORSIA", "scheme", "Version 1",
        f"{SCOPES_SRC}: level 5 'ICAO CORSIA SARPs – Annex 16 Volume IV, Version 1'",
        title_en="ICAO CORSIA SARPs – Annex 16 Volume IV")
    add("IPC-PL-11-006", "scheme", "",
        f"{SCOPES_SRC}: level 5 IPC-PL-11-006; member pages name it 'IPC Management System "
        "Auditors Certification Scheme'",
        title_en="IPC Management System Auditors Certification Scheme")
    # CURATED: product standards used by product certification / testing; titles as cited.
    add("IEC 60335-1", "product", "",
        "title: https://celectronics.com/product-safety-testing/iec-60335-1 ; "
        "https://www.chinesestandard.net/PDF.aspx/GB4706.1-2005 (GB 4706.1-2005 is IEC 60335-1:2004 "
        "Ed4.1, IDT); current edition not sourced",
        title_en="Household and similar electrical appliances – Safety – Part 1: General requirements")
    add("IEC 62368-1", "product", "",
        "title: CB test report form 'IEC 62368-1 Audio/video, information and communication "
        "technology equipment Part 1: Safety requirements' (https://raw.githubusercontent.com/"
        "Lanxin-MRDVS/CameraSDK/58340f0a5129a7894453508bacdf4255a5ff3d17/downloads/knowledge-community/"
        "2026-10-15/certifications--s10-ultra-lite--87864099-6234-4a46-b2b1-b11f8356da2a.pdf, tested "
        "to IEC 62368-1:2023); https://www.duodown.com/biaozhun/61119022.html (GB 4943.1-2022 = "
        "IEC 62368-1:2018, MOD); current edition not sourced",
        title_en="Audio/video, information and communication technology equipment – Part 1: "
        "Safety requirements")
    add("GB 4706.1", "product", "",
        "title: https://www.chinesestandard.net/PDF.aspx/GB4706.1-2005 (GB 4706.1-2005, identical "
        "to IEC 60335-1:2004 Ed4.1; English title as given there); "
        "http://bubsandbeans.com/paper/239105586.html (Chinese title of GB 4706.1-2005); the 2005 "
        "edition is the one cited, whether it is current is not sourced",
        title_en="Household and similar electrical appliances – Safety – Part 1: General requirements",
        title_zh="家用和类似用途电器的安全 第1部分：通用要求")
    add("GB 4943.1", "product", "2022",
        "https://www.duodown.com/biaozhun/61119022.html (standard cover: GB 4943.1—2022, replaces "
        "GB 4943.1—2011 and GB 8898—2011, IEC 62368-1:2018 MOD, issued 2022-07-19, in force "
        "2023-08-01); http://news.21csp.com.cn/c905/202207/11416062.html (SAMR/SAC announcement "
        "2022 No. 10)",
        title_en="Audio/video, information and communication technology equipment — Part 1: "
        "Safety requirements",
        title_zh="音视频、信息技术和通信技术设备 第1部分：安全要求")
    return rows


# ------------------------------------------------------------------------------------------------
# scope codes
# ------------------------------------------------------------------------------------------------

MAIN_SCOPES = [
    # code, name as in the reference (IAF member pages / iaf_mla_levels level 2), CAB standard
    ("MS", "Management Systems Certification", "ISO/IEC 17021-1"),
    ("PRODUCT", "Product Certification", "ISO/IEC 17065"),
    ("PERSONS", "Certification of Persons", "ISO/IEC 17024"),
    ("GHG", "Greenhouse Gas Validation and Verification", "ISO 14065"),
    ("VV", "Validation and Verification", "ISO/IEC 17029"),
]

# sub-scope code -> (parent, short_name in iaf_mla_scopes.csv, normative standard code)
SUB_SCOPES = [
    ("MS/QMS", "MS", "QMS", "ISO 9001"),
    ("MS/EMS", "MS", "EMS", "ISO 14001"),
    ("MS/OHSMS", "MS", "OH&SMS", "ISO 45001"),
    ("MS/FSMS", "MS", "FSMS", "ISO 22000"),
    ("MS/ISMS", "MS", "ISMS", "ISO/IEC 27001"),
    ("MS/ENMS", "MS", "EnMS", "ISO 50001"),
    ("MS/MDMS", "MS", "MDMS", "ISO 13485"),
    ("MS/FAMI-QS", "MS", "FAMI-QS", "FAMI-QS"),
    ("MS/FSSC22000", "MS", "FSSC 22000", "FSSC 22000"),
    ("PRODUCT/GLOBALGAP", "PRODUCT", "GLOBALG.A.P. IFA", "GLOBALG.A.P. IFA"),
    ("PERSONS/IPC", "PERSONS", "IPC auditors", "IPC-PL-11-006"),
    ("GHG/ISO14064", "GHG", "GHG V&V", "ISO 14064-1"),
    ("GHG/CORSIA", "GHG", "CORSIA", "ICAO CORSIA"),
]

ILAC_SCOPES = [
    # code, activity as in ilac_mra_scopes.csv, CAB standard
    ("TESTING", "Testing laboratories", "ISO/IEC 17025"),
    ("CALIBRATION", "Calibration laboratories", "ISO/IEC 17025"),
    ("MEDICAL", "Medical testing laboratories", "ISO 15189"),
    ("INSPECTION", "Inspection bodies", "ISO/IEC 17020"),
    ("PTP", "Proficiency testing providers (PTP)", "ISO/IEC 17043"),
    ("RMP", "Reference material producers (RMP)", "ISO 17034"),
    ("BIOBANK", "Biobanking", "ISO 20387"),
]


def build_scope_codes(ref: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for r in read(ref, "ea_codes.csv"):
        rows.append({
            "scheme": "IAF", "code": r["iaf_code"], "parent_code": "", "name_en": r["name"],
            "name_zh": "", "cab_standard": "", "normative_standard": "", "level": "",
            "source": r["source_name"],
        })
    scopes = read(ref, "iaf_mla_scopes.csv")
    by_short = {r["short_name"]: r for r in scopes}
    levels_src = {r["level"]: r["source"] for r in read(ref, "iaf_mla_levels.csv")}
    for code, name, cab in MAIN_SCOPES:
        rows.append({
            "scheme": "MLA", "code": code, "parent_code": "", "name_en": name, "name_zh": "",
            "cab_standard": cab, "normative_standard": "", "level": 2,
            "source": f"reference/iaf_mla_levels.csv level 2/3: {levels_src['2']}",
        })
    for code, parent, short, normative in SUB_SCOPES:
        src = by_short[short]
        level5 = src["level5_normative_document"] or normative
        rows.append({
            "scheme": "MLA", "code": code, "parent_code": parent,
            "name_en": f"{short} – {level5}", "name_zh": "",
            "cab_standard": dict((c, s) for c, _, s in MAIN_SCOPES)[parent],
            "normative_standard": normative, "level": 5,
            "source": f"reference/iaf_mla_scopes.csv ({short}): {src['source']}",
        })
    ilac = {r["activity"]: r for r in read(ref, "ilac_mra_scopes.csv")}
    for code, activity, cab in ILAC_SCOPES:
        r = ilac[activity]
        assert r["cab_standard"] == cab, (activity, r["cab_standard"])
        rows.append({
            "scheme": "ILAC", "code": code, "parent_code": "", "name_en": activity, "name_zh": "",
            "cab_standard": cab, "normative_standard": "", "level": "",
            "source": f"reference/ilac_mra_scopes.csv (included since: {r['included_since']}): "
            f"{r['source']}",
        })
    # HS headings: left out - no citable copy of the WCO HS nomenclature heading texts was found
    # (see README).
    return rows


# ------------------------------------------------------------------------------------------------
# accreditation bodies and regulators
# ------------------------------------------------------------------------------------------------

# Acronyms written differently in different sources -> one registry acronym.
ACRONYM_CANON = {"EMA": "ema", "GAC (GCC)": "GAC"}

# CURATED: English names of ILAC/APLAC/IAAC-list bodies that the reference gives by acronym only.
# Only bodies' own official names that are certain; the others repeat the acronym as published.
KNOWN_NAMES_EN = {
    ("ANAB", "US"): ("ANSI National Accreditation Board",
                     "name: reference/iaf_mla_signatories.csv (secondary seed list 'ANAB - ANSI "
                     "National Accreditation Board'); "
                     "https://anab.ansi.org/anabs-ilac-mra-recognition-extended-to-include-iso-17034-reference-material-producers"),
    ("A2LA", "US"): ("American Association for Laboratory Accreditation",
                     "name: the body's own name (curated); https://www.a2la.org/blog/a2la-reference-material-producer-accreditation-now-recognized-by-ilac"),
    ("IANZ", "NZ"): ("International Accreditation New Zealand",
                     "name: the body's own name (curated); role: reference/china_nz_eee_agreement.csv "
                     "'NZ accreditor' (https://exportandtrade.co.nz/node/1815)"),
    ("NATA", "AU"): ("National Association of Testing Authorities, Australia",
                     "name: the body's own name (curated)"),
    ("SCC", "CA"): ("Standards Council of Canada", "name: the body's own name (curated)"),
    ("HKAS", "HK"): ("Hong Kong Accreditation Service", "name: the body's own name (curated)"),
    ("NABL", "IN"): ("National Accreditation Board for Testing and Calibration Laboratories",
                     "name: the body's own name (curated)"),
    ("NVLAP", "US"): ("National Voluntary Laboratory Accreditation Program",
                      "name: the body's own name (curated)"),
    ("IAJapan", "JP"): ("International Accreditation Japan", "name: the body's own name (curated)"),
    ("Standards Malaysia", "MY"): ("Department of Standards Malaysia",
                                   "name: the body's own name (curated)"),
}

# CURATED: official websites, only where the cited source is on the body's own domain.
WEBSITES = {
    ("CNAS", "CN"): "https://www.cnas.org.cn",
    ("JAS-ANZ", "ANZ"): "https://www.jas-anz.org",
    ("JAB", "JP"): "https://www.jab.or.jp",
    ("KAB", "KR"): "http://kab.or.kr",
    ("ANAB", "US"): "https://anab.ansi.org",
    ("A2LA", "US"): "https://www.a2la.org",
}

# CURATED: Chinese official names (certain; see brief).
NAMES_ZH = {("CNAS", "CN"): "中国合格评定国家认可委员会"}


def canon(acronym: str) -> str:
    return ACRONYM_CANON.get(acronym, acronym)


def build_bodies(ref: Path) -> tuple[list[dict[str, object]], list[str]]:
    bodies: dict[tuple[str, str], dict[str, object]] = {}
    skipped: list[str] = []

    def add(acr: str, eco: str, name_en: str, source: str) -> None:
        key = (acr, eco)
        if key in bodies:
            b = bodies[key]
            if not b["name_en"] and name_en:
                b["name_en"] = name_en
            if source not in str(b["source"]):
                b["source"] = f"{b['source']} | {source}"
            return
        bodies[key] = {"acronym": acr, "economy": eco, "name_zh": NAMES_ZH.get(key, ""),
                       "name_en": name_en, "website": WEBSITES.get(key, ""), "source": source}

    for r in read(ref, "iaf_mla_signatories.csv"):
        eco = economy_code(r["economy"])
        if eco is None:
            raise SystemExit(f"unmapped economy {r['economy']!r}")
        acr = canon(r["acronym"])
        name_src = r["full_name_basis"] or "name as given"
        add(acr, eco, r["full_name"],
            f"reference/iaf_mla_signatories.csv (name: {name_src}): {r['source']}")
    for r in read(ref, "ilac_mra_signatories_partial.csv"):
        eco = economy_code(r["economy"])
        if eco is None:
            skipped.append(f"{r['acronym']}: economy not stated in the source; body and events left out")
            continue
        add(canon(r["acronym"]), eco, "",
            f"reference/ilac_mra_signatories_partial.csv ({r['arrangement']}): {r['source']}")
    # IANZ is in the APLAC list; its role under CN-NZ-EEE comes from china_nz_eee_agreement.csv.
    add("IANZ", "NZ", "", "reference/china_nz_eee_agreement.csv ('NZ accreditor'): "
        "https://exportandtrade.co.nz/node/1815")
    for key, b in bodies.items():
        if not b["name_en"]:
            if key in KNOWN_NAMES_EN:
                b["name_en"], note = KNOWN_NAMES_EN[key]
                b["source"] = f"{b['source']} | {note}"
            else:
                b["name_en"] = b["acronym"]
                b["source"] = (f"{b['source']} | name: source gives the acronym only; name_en "
                               "repeats it")
    rows = sorted(bodies.values(), key=lambda b: (str(b["economy"]), str(b["acronym"]).lower()))
    return rows, skipped


def build_regulators(ref: Path) -> list[dict[str, object]]:
    facts = read(ref, "china_facts.csv")
    cnca = [f for f in facts if f["topic"] == "CNCA"]
    est = next(f for f in cnca if "Established in August 2001" in f["fact"])
    reform = next(f for f in cnca if "SAMR" in f["fact"])
    # CURATED: official names (certain; CNCA's Chinese name given in the brief).
    return [
        {"acronym": "CNCA", "economy": "CN", "name_zh": "国家认证认可监督管理委员会",
         "name_en": "Certification and Accreditation Administration of the People's Republic of China",
         "website": "http://english.cnca.gov.cn",
         "source": f"reference/china_facts.csv: {est['source']} ; {reform['source']} ; "
         "http://english.cnca.gov.cn/guide/201512/t20151228_42429.shtml ; names: the body's own "
         "official names (curated)"},
        {"acronym": "SAMR", "economy": "CN", "name_zh": "国家市场监督管理总局",
         "name_en": "State Administration for Market Regulation", "website": "",
         "source": f"reference/china_facts.csv (2018 institutional reform): {reform['source']} ; "
         "names: the body's own official names (curated); Chinese name also on "
         "https://www.duodown.com/biaozhun/61119022.html"},
    ]


# ------------------------------------------------------------------------------------------------
# arrangements
# ------------------------------------------------------------------------------------------------


def build_arrangements(ref: Path) -> list[dict[str, object]]:
    facts = read(ref, "accreditation_arrangement_facts.csv")
    groups = {r["acronym"]: r for r in read(ref, "iaf_regional_groups.csv")}
    systems = {r["system"]: r for r in read(ref, "recognition_systems.csv")}
    nz = {r["aspect"]: r for r in read(ref, "china_nz_eee_agreement.csv")}

    def fact(arr: str, needle: str) -> dict[str, str]:
        return next(f for f in facts if f["arrangement"] == arr and needle in f["fact"])

    merger = fact("IAF+ILAC", "Global Accreditation Cooperation")
    iaf_first = fact("IAF MLA", "First IAF MLA")
    ilac_formed = fact("ILAC MRA", "ILAC MRA formed")
    ilac_signed = fact("ILAC MRA", "calibration and testing")
    aplac = fact("APLAC", "APLAC MRA signed")
    apac = groups["APAC"]

    def regional(key: str, acr: str, name: str, note: str = "") -> dict[str, object]:
        g = groups[acr]
        return {"key": key, "kind": "regional", "name_en": name,
                "acronym": name if name in ("EA MLA", "IAAC MLA") else "",
                "operator": g["full_name"],
                "source": f"reference/iaf_regional_groups.csv: {g['source']}" + (f"; {note}" if note else "")}

    title = nz["title"]["fact"]
    m = re.match(r"(.*?) \((.*)\)$", title)
    assert m, title
    apec = systems["APEC TEL MRA"]
    apec_parties = ["AU", "BN", "CA", "CN", "HK", "ID", "JP", "KR", "MY", "MX", "NZ", "PG", "PE",
                    "PH", "SG", "TW", "TH", "US"]

    rows: list[dict[str, object]] = [
        # successors first
        {"key": "GAC-MRA", "kind": "global",
         "name_en": "Global Accreditation Cooperation arrangement (descriptive name)",
         "acronym": "", "operator": "Global Accreditation Cooperation Incorporated",
         "established_on": "2026-01-01",
         "source": "reference/accreditation_arrangement_facts.csv (IAF+ILAC): "
         f"{merger['source']} - takes over IAF and ILAC roles provisionally from 2026-01-01; the "
         "arrangement's own name is not in the sources, name_en is descriptive"},
        {"key": "IAF-MLA", "kind": "global",
         "name_en": "IAF Multilateral Recognition Arrangement", "acronym": "IAF MLA",
         "operator": "International Accreditation Forum (IAF)",
         "established_on": iaf_first["as_of"], "successor": "GAC-MRA", "succeeded_on": "2026-01-01",
         "source": f"reference/accreditation_arrangement_facts.csv: first MLA (QMS) signed "
         f"22 Jan 1998 {iaf_first['source']}; successor: {merger['source']} (provisionally from "
         "2026-01-01)"},
        {"key": "ILAC-MRA", "kind": "global",
         "name_en": "ILAC Mutual Recognition Arrangement", "acronym": "ILAC MRA",
         "operator": "International Laboratory Accreditation Cooperation (ILAC)",
         "established_on": ilac_signed["as_of"], "successor": "GAC-MRA",
         "succeeded_on": "2026-01-01",
         "source": f"reference/accreditation_arrangement_facts.csv: signed to include calibration "
         f"and testing laboratories 31 Jan 2001 ({ilac_signed['source']}); the same page says "
         f"'ILAC MRA formed {ilac_formed['value']}'; successor: {merger['source']} "
         "(provisionally from 2026-01-01)"},
        {"key": "APAC-MRA", "kind": "regional", "name_en": "APAC Mutual Recognition Arrangement",
         "acronym": "APAC MRA", "operator": apac["full_name"], "established_on": "2019-01-01",
         "source": f"reference/iaf_regional_groups.csv: {apac['note']} ({apac['source']})"},
        {"key": "APLAC-MRA", "kind": "regional", "name_en": "APLAC MRA", "acronym": "APLAC MRA",
         "operator": "APLAC", "established_on": aplac["as_of"], "successor": "APAC-MRA",
         "succeeded_on": "2019-01-01",
         "source": f"reference/accreditation_arrangement_facts.csv: signed in Tokyo by 7 members "
         f"19 Nov 1997 ({aplac['source']}); APAC formed 1 Jan 2019 by amalgamation of APLAC and "
         f"PAC ({apac['source']})"},
        {"key": "PAC-MLA", "kind": "regional", "name_en": "PAC MLA", "acronym": "PAC MLA",
         "operator": "PAC", "established_on": end_of("1998"), "successor": "APAC-MRA",
         "succeeded_on": "2019-01-01",
         "source": f"reference/iaf_regional_groups.csv: 'PAC (MLA signed 1998)' - source dated "
         f"1998, established_on is the last day of 1998 (earliest supported date); APAC formed "
         f"1 Jan 2019 ({apac['source']})"},
        regional("EA-MLA", "EA", "EA MLA"),
        regional("IAAC-MLA", "IAAC", "IAAC MLA"),
        regional("AFRAC-MRA", "AFRAC", "AFRAC arrangement recognised by the IAF MLA",
                 "the arrangement's own name is not in the sources; name_en is descriptive"),
        regional("ARAC-MLA", "ARAC", "ARAC arrangement recognised by the IAF MLA",
                 "the arrangement's own name is not in the sources; name_en is descriptive"),
        regional("SADCA-MRA", "SADCA", "SADCA arrangement recognised by the IAF MLA",
                 "the arrangement's own name is not in the sources; name_en is descriptive"),
        {"key": "IECEE-CB", "kind": "sector_scheme", "name_en": "IECEE CB Scheme",
         "acronym": "IECEE CB", "operator": systems["IECEE CB Scheme"]["operator"],
         "source": f"reference/recognition_systems.csv: {systems['IECEE CB Scheme']['source']} "
         "(IECEE founded 1985; the CB Scheme's own start date is not given, established_on left empty)"},
        {"key": "IECEX", "kind": "sector_scheme", "name_en": "IECEx", "acronym": "IECEx",
         "operator": systems["IECEx"]["operator"],
         "source": f"reference/recognition_systems.csv: {systems['IECEx']['source']}"},
        {"key": "IECQ", "kind": "sector_scheme", "name_en": "IECQ", "acronym": "IECQ",
         "operator": systems["IECQ"]["operator"], "established_on": end_of("2003-04"),
         "source": f"reference/recognition_systems.csv: 'Formed April 2003 by merging IECQ and "
         f"CECC' - source dated 2003-04, established_on is the last day of that month (earliest "
         f"supported date): {systems['IECQ']['source']}"},
        {"key": "APEC-TEL-MRA", "kind": "government", "name_en": "APEC TEL MRA",
         "acronym": "APEC TEL MRA", "operator": apec["operator"], "established_on": "1998-05-08",
         "parties": apec_parties,
         "source": f"reference/recognition_systems.csv: concluded Singapore 8 May 1998, in effect "
         f"1 Jul 1999; 18 parties listed (AU, BN, CA, CN, HK China, ID, JP, KR, MY, MX, NZ, PG, "
         f"PE, PH, SG, Chinese Taipei, TH, US): {apec['source']}"},
        {"key": "CN-NZ-EEE", "kind": "bilateral", "name_en": m.group(1), "name_zh": m.group(2),
         "acronym": "EEEMRA", "operator": "", "established_on": "2008-04-07",
         "parties": ["CN", "NZ"],
         "source": f"reference/china_nz_eee_agreement.csv: title {nz['title']['source']}; signed "
         f"Beijing 7 Apr 2008 {nz['signed']['source']}; acronym 'EEEMRA' from "
         f"{nz['NZ analysis']['source']}"},
    ]
    return rows


# ------------------------------------------------------------------------------------------------
# recognition events (global arrangement recognises regional arrangement)
# ------------------------------------------------------------------------------------------------

GROUP_ARR = {"AFRAC": "AFRAC-MRA", "ARAC": "ARAC-MLA", "APAC": "APAC-MRA", "EA": "EA-MLA",
             "IAAC": "IAAC-MLA", "SADCA": "SADCA-MRA"}
MAIN_SCOPE_WORDS = {"Management Systems": "MLA:MS", "Product": "MLA:PRODUCT",
                    "Persons": "MLA:PERSONS", "GHG Validation and Verification": "MLA:GHG"}


def build_recognitions(ref: Path) -> list[dict[str, object]]:
    groups = read(ref, "iaf_regional_groups.csv")
    scopes = {r["short_name"]: r for r in read(ref, "iaf_mla_scopes.csv")}
    facts = read(ref, "accreditation_arrangement_facts.csv")
    ilac_scopes = {r["activity"]: r for r in read(ref, "ilac_mra_scopes.csv")}
    partial = read(ref, "ilac_mra_signatories_partial.csv")
    rows: list[dict[str, object]] = []

    def ev(recognizing: str, recognized: str, scope: str, date: str, note: str, source: str) -> None:
        rows.append({"recognizing": recognizing, "recognized": recognized, "scope": scope,
                     "kind": "granted", "effective_on": date, "note": note, "source": source})

    for g in groups:
        arr = GROUP_ARR[g["acronym"]]
        src = f"reference/iaf_regional_groups.csv: {g['source']}"
        for word in [w.strip() for w in g["iaf_mla_main_scopes_recognised_2023"].split(";")]:
            scope = MAIN_SCOPE_WORDS[word]
            if g["acronym"] == "EA" and scope == "MLA:MS":
                ev("IAF-MLA", arr, scope, "1998-01-22",
                   "EA recognised for QMS 22 Jan 1998, the first IAF MLA scope; recorded against "
                   "the main scope MLA:MS; also in IAF's 2023 list",
                   f"{src} ; reference/iaf_mla_scopes.csv (QMS): {scopes['QMS']['source']}")
                continue
            if g["acronym"] == "IAAC" and scope == "MLA:MS":
                ev("IAF-MLA", arr, scope, end_of("2006-11"),
                   "IAF special recognition for the QMS MLA granted Nov 2006 (Cancun); source dated "
                   "2006-11; earliest supported date; recorded against the main scope MLA:MS; "
                   "also in IAF's 2023 list", src)
                continue
            ev("IAF-MLA", arr, scope, end_of("2023"),
               "in IAF's list of regional groups and main scopes recognised, 2023; source dated "
               "2023; earliest supported date", src)
    # sub-scopes with exact dates (iaf_mla_scopes.csv notes)
    ev("IAF-MLA", "EA-MLA", "MLA:MS/FSSC22000", "2021-06-09", "EA recognised for FSSC 22000 on "
       "09 Jun 2021", f"reference/iaf_mla_scopes.csv (FSSC 22000): {scopes['FSSC 22000']['source']}")
    ev("IAF-MLA", "EA-MLA", "MLA:PERSONS/IPC", "2018-10-04", "IAF member page: 'IPC Management "
       "System Auditors Certification Scheme' recognised 04 Oct 2018 (EA)",
       f"reference/iaf_mla_scopes.csv (IPC auditors): {scopes['IPC auditors']['source']}")
    ev("IAF-MLA", "APAC-MRA", "MLA:GHG/CORSIA", "2021-01-28", "APAC recognised for ICAO CORSIA on "
       "28 Jan 2021", f"reference/iaf_mla_scopes.csv (CORSIA): {scopes['CORSIA']['source']}")
    jan09 = next(f for f in facts if f["fact"] == "Signatory counts Jan 2009")
    ev("IAF-MLA", "PAC-MLA", "MLA:MS", end_of("2009-01"),
       "IAF MLA signatory counts Jan 2009: QMS 3 RAGs (EA, PAC, IAAC); source dated 2009-01; "
       "earliest supported date; recorded against the main scope MLA:MS",
       f"reference/accreditation_arrangement_facts.csv: {jan09['source']}")

    # ILAC MRA recognitions
    apac = next(g for g in groups if g["acronym"] == "APAC")
    for scope in ("ILAC:TESTING", "ILAC:CALIBRATION"):
        ev("ILAC-MRA", "APAC-MRA", scope, "2019-01-01",
           "APAC recognised regional cooperation body of ILAC from 1 Jan 2019; the source gives no "
           "scope list - recorded for the ILAC MRA's base scope (testing and calibration, "
           "ISO/IEC 17025) only",
           f"reference/iaf_regional_groups.csv: {apac['source']}")
    aplac_src = next(p for p in partial if p["arrangement"].startswith("APLAC"))["source"]
    for scope in ("ILAC:TESTING", "ILAC:CALIBRATION"):
        ev("ILAC-MRA", "APLAC-MRA", scope, end_of("2009-08"),
           "the reference lists the APLAC MRA as 'regional; recognised by ILAC' (signatories as of "
           "Aug 2009); source dated 2009-08; earliest supported date; scope not itemised - recorded "
           "for testing and calibration", f"reference/ilac_mra_signatories_partial.csv: {aplac_src}")
    rmp = ilac_scopes["Reference material producers (RMP)"]
    ev("ILAC-MRA", "EA-MLA", "ILAC:RMP", end_of("2020-04"),
       "ILAC MRA extended to RMP (ISO 17034) in April 2020, first via recognition of the EA MLA; "
       "source dated 2020-04; earliest supported date",
       f"reference/ilac_mra_scopes.csv: {rmp['source']} ; reference/iaf_regional_groups.csv (EA)")
    sadca = next(g for g in groups if g["acronym"] == "SADCA")
    for scope in ("ILAC:TESTING", "ILAC:CALIBRATION"):
        ev("ILAC-MRA", "SADCA-MRA", scope, end_of("2023-04"),
           "SADCA recognised as ILAC regional cooperation body (ILAC Arrangement Council ballot, "
           "by Apr 2023); source dated 2023-04; earliest supported date; the source gives no scope "
           "list - recorded for the ILAC MRA's base scope (testing and calibration) only",
           f"reference/iaf_regional_groups.csv: {sadca['source']}")
    return rows


# ------------------------------------------------------------------------------------------------
# signatory events
# ------------------------------------------------------------------------------------------------

IAAC_WORDS = {"testing": "ILAC:TESTING", "ISO 15189": "ILAC:MEDICAL",
              "calibration": "ILAC:CALIBRATION", "inspection": "ILAC:INSPECTION",
              "product certification": "MLA:PRODUCT"}


def build_signatories(ref: Path) -> tuple[list[dict[str, object]], list[str]]:
    rows: list[dict[str, object]] = []
    not_recorded: list[str] = []

    def ev(arr: str, ab: str, eco: str, scope: str, date: str, note: str, source: str) -> None:
        rows.append({"arrangement": arr, "accreditation_body": ab,
                     "accreditation_body_economy": eco, "cab": "", "scope": scope,
                     "kind": "granted", "effective_on": date, "note": note, "source": source})

    for r in read(ref, "iaf_mla_signatories.csv"):
        ab, eco = canon(r["acronym"]), economy_code(r["economy"])
        assert eco
        evidence, as_of, src = r["evidence_of_signatory_status"], r["as_of"], r["source"]
        years = [y.strip() for y in as_of.split(";")]
        base = f"reference/iaf_mla_signatories.csv: {src}"
        done = False
        if "2014" in years:
            d = end_of("2014")
            ev("IAF-MLA", ab, eco, "MLA:PRODUCT/GLOBALGAP", d,
               "2014 GLOBALG.A.P. IFA scope extension (26 IAF MLA signatories); source dated 2014; "
               "earliest supported date", base)
            ev("IAF-MLA", ab, eco, "MLA:PRODUCT", d,
               "inferred: the 2014 GLOBALG.A.P. IFA sub-scope extension presupposes the product "
               "certification main scope; source dated 2014; earliest supported date", base)
            done = True
        if "2015" in years and "FSMS" in evidence:
            d = end_of("2015")
            ev("IAF-MLA", ab, eco, "MLA:MS/FSMS", d,
               "2015 FSMS scope extension (PAC MLA signatories, IAF MLA scope extended); source "
               "dated 2015; earliest supported date", base)
            if "ISMS" in evidence:
                ev("IAF-MLA", ab, eco, "MLA:MS/ISMS", d,
                   "2015 ISMS scope extension (PAC MLA signatories, IAF MLA scope extended); source "
                   "dated 2015; earliest supported date", base)
            ev("IAF-MLA", ab, eco, "MLA:MS", d,
               "inferred: the 2015 management-system sub-scope extension presupposes the "
               "management systems main scope; source dated 2015; earliest supported date", base)
            done = True
        if "2021" in years and "extension" in evidence:
            d = end_of("2021-08")
            note = ("2021 scope extension (ISO/TS 22003 / FSSC 22000 sub-scope, EA-region ABs), "
                    "reported in IAF MLA status update August 2021; source dated 2021-08; earliest "
                    "supported date")
            ev("IAF-MLA", ab, eco, "MLA:MS/FSSC22000", d, note, base)
            ev("IAF-MLA", ab, eco, "MLA:MS", d,
               "inferred: the 2021 FSSC 22000 sub-scope extension presupposes the management "
               "systems main scope; " + note.split("; ", 1)[1], base)
            done = True
        if "2020" in years and "OH&SMS" in evidence:
            ev("IAF-MLA", ab, eco, "MLA:MS/OHSMS", end_of("2020"),
               "2020 OH&SMS (ISO/IEC TS 17021-10 / ISO 45001) scope extension; source dated 2020; "
               "earliest supported date", base)
            done = True
        if ab == "EGAC":
            for scope, what in (("MLA:MS/OHSMS", "ISO/IEC TS 17021-10 + ISO 45001"),
                                ("MLA:MS/ENMS", "ISO 50003 + ISO 50001")):
                ev("IAF-MLA", ab, eco, scope, "2020-01-08",
                   f"recognised for the {what} sub-scope on 08 Jan 2020", base)
            ev("IAF-MLA", ab, eco, "MLA:MS", "2020-01-08",
               "inferred: the sub-scope recognitions of 08 Jan 2020 presuppose the management "
               "systems main scope (the main-scope date itself is not given)", base)
            done = True
        if ab == "SADCAS":
            ev("IAF-MLA", ab, eco, "MLA:MS", "2019-11-09",
               "new IAF MLA signatory: ISO/IEC 17021-1 main scope, 09 Nov 2019", base)
            ev("IAF-MLA", ab, eco, "MLA:MS/QMS", "2019-11-09",
               "new IAF MLA signatory: ISO/IEC 17021-3 + ISO 9001 sub-scope, 09 Nov 2019", base)
            done = True
        if ab == "GAC":
            ev("IAF-MLA", ab, eco, "MLA:PRODUCT", "2021-08-11",
               "new IAF MLA signatory: product certification ISO/IEC 17065, 11 Aug 2021", base)
            done = True
        if ab == "CNAS" and "2020" in years:
            cnas_src = "https://www.cnas.org.cn/rdzt/2020rkr/zgrk.html"
            for scope in ("MLA:MS", "MLA:PRODUCT", "MLA:PERSONS"):
                ev("IAF-MLA", ab, eco, scope, end_of("2020"),
                   "CNAS states it has signed all existing IAF, ILAC and APAC MLAs/MRAs (2020); "
                   "recorded for the IAF main scopes documented by June 2017 (MS, Product, "
                   "Persons) only - GHG and V&V are not recorded because the sources do not date "
                   "their inclusion; source dated 2020; earliest supported date",
                   f"reference/china_facts.csv (CNAS): {cnas_src}")
            for scope in ("ILAC:TESTING", "ILAC:CALIBRATION", "ILAC:INSPECTION"):
                ev("ILAC-MRA", ab, eco, scope, end_of("2020"),
                   "CNAS states it has signed all existing IAF, ILAC and APAC MLAs/MRAs (2020); "
                   "recorded for the ILAC MRA scopes included before 2019 (calibration and testing "
                   "2001, inspection 2012) only - PTP (May 2019), RMP (Apr 2020) and medical "
                   "(inclusion date not given) are not recorded; source dated 2020; earliest "
                   "supported date",
                   f"reference/china_facts.csv (CNAS): {cnas_src} ; reference/ilac_mra_scopes.csv")
        if not done:
            not_recorded.append(f"{ab} ({eco}): '{evidence}' - no scope stated")

    for p in read(ref, "ilac_mra_signatories_partial.csv"):
        eco = economy_code(p["economy"])
        if eco is None:
            continue  # reported once by build_bodies
        ab = canon(p["acronym"])
        base = f"reference/ilac_mra_signatories_partial.csv: {p['source']}"
        arrn = p["arrangement"]
        if arrn == "ILAC MRA":
            if ab == "ANAB":
                ev("ILAC-MRA", ab, eco, "ILAC:RMP", "2020-07-21",
                   "ILAC MRA recognition extended to ISO 17034 RMPs, signed 21 Jul 2020", base)
                for scope in ("ILAC:TESTING", "ILAC:CALIBRATION"):
                    ev("ILAC-MRA", ab, eco, scope, end_of("2006"),
                       "ILAC MRA signatory since 2006 (ISO/IEC 17025 testing and calibration); "
                       "source dated 2006; earliest supported date", base)
                for scope, std in (("ILAC:INSPECTION", "ISO/IEC 17020"),
                                   ("ILAC:MEDICAL", "ISO 15189"), ("ILAC:PTP", "ISO/IEC 17043")):
                    ev("ILAC-MRA", ab, eco, scope, "2020-07-21",
                       f"{std} in ANAB's ILAC MRA scope as stated on 21 Jul 2020; the original "
                       "date is not given - recorded at the date of the source", base)
            elif ab == "A2LA":
                ev("ILAC-MRA", ab, eco, "ILAC:RMP", "2020-07-23",
                   "ILAC MRA RMP extension finalised 23 Jul 2020", base)
                for scope in ("ILAC:TESTING", "ILAC:CALIBRATION"):
                    ev("ILAC-MRA", ab, eco, scope, "2001-01-31",
                       "A2LA: 'ILAC MRA signatory since 2000'; ILAC: MRA formed 2000, signed to "
                       "include calibration and testing laboratories 31 Jan 2001 - recorded at "
                       "the signing date 2001-01-31 (sources disagree on the year)",
                       f"{base} ; reference/accreditation_arrangement_facts.csv "
                       "(https://ilac.org/about-ilac/facts-and-figures/)")
            else:  # the first 8 RMP signatories
                ev("ILAC-MRA", ab, eco, "ILAC:RMP", end_of("2020-04"),
                   "one of the first 8 RMP (ISO 17034) signatories; the ILAC MRA was extended to "
                   "RMPs in April 2020; source dated 2020-04; earliest supported date",
                   f"{base} ; reference/ilac_mra_scopes.csv")
        elif arrn.startswith("APLAC"):
            for scope in ("ILAC:TESTING", "ILAC:CALIBRATION"):
                ev("APLAC-MRA", ab, eco, scope, end_of("2009-08"),
                   "APLAC MRA signatory as of Aug 2009 (lab/inspection accreditation); per-body "
                   "scope not itemised in the source - recorded for testing and calibration; "
                   "source dated 2009-08; earliest supported date", base)
        elif arrn.startswith("IAAC"):
            for word in [w.strip() for w in p["scope_or_note"].split(",")]:
                ev("IAAC-MLA", ab, eco, IAAC_WORDS[word], p["as_of"],
                   f"IAAC MLA signatory for {word} as of 4 Mar 2016 (partial excerpt)", base)
        else:
            raise SystemExit(f"unknown arrangement {arrn!r}")
    return rows, not_recorded


# ------------------------------------------------------------------------------------------------
# market acceptances
# ------------------------------------------------------------------------------------------------


def build_markets(ref: Path) -> list[dict[str, object]]:
    nz = {r["aspect"]: r for r in read(ref, "china_nz_eee_agreement.csv")}
    zh_scope = ("范围限于该协定《实施安排》所附清单（清单A.1/A.2）列明的产品；本库未收录这些清单。")
    en_scope = ("Scope limited to the products in the lists of the Agreement's Implementing "
                "Arrangement (Lists A.1/A.2); the lists are not held here.")
    rows = []
    for kind in ("product_certificate", "test_report"):
        rows.append({
            "market": "NZ", "arrangement": "CN-NZ-EEE", "attestation_kind": kind, "scope": "",
            "valid_from": "2008-10-02", "valid_until": "",
            "note_zh": "新西兰实施公告自2008年10月2日起生效。" + zh_scope,
            "note_en": "NZ implementing notice (Radiocommunications (Mutual Recognition: People's "
            "Republic of China) Notice 2008) in force 2 Oct 2008. " + en_scope,
            "source": f"reference/china_nz_eee_agreement.csv (NZ implementation): "
            f"{nz['NZ implementation']['source']} ; scope: {nz['scope']['source']}",
        })
    for kind in ("product_certificate", "test_report"):
        rows.append({
            "market": "CN", "arrangement": "CN-NZ-EEE", "attestation_kind": kind, "scope": "",
            "valid_from": "", "valid_until": "",
            "note_zh": "中国接受起始日期未见来源，故留空；IANZ 被中国政府接受为新西兰检测实验室的认可机构。"
            + zh_scope,
            "note_en": "Start date of China's acceptance is not sourced (left empty); IANZ is "
            "accepted by the Chinese Government as accreditor of NZ testing laboratories and NZ "
            "products can be tested/inspected/certified in NZ for CCC (source undated, c. "
            "2013-2014); 2013: NZ MBIE recommended 1 certification body and 2 testing "
            "laboratories. " + en_scope,
            "source": f"reference/china_nz_eee_agreement.csv (NZ accreditor): "
            f"{nz['NZ accreditor']['source']} ; implementation: {nz['implementation']['source']} ; "
            f"scope: {nz['scope']['source']}",
        })
    return rows


# ------------------------------------------------------------------------------------------------
# README
# ------------------------------------------------------------------------------------------------

README = """# Registry seed data (generated)

Generated by `tools/build_reference.py` from the public reference tables
(`shared/reference/*.csv`, see that folder's README). **Do not edit by hand**: change the
script and re-run it (`python tools/build_reference.py [REFERENCE_DIR]`). The application does
not read `shared/` at run time; these files are the committed copy.

Format: UTF-8 CSV, header row, comma-separated; `;` separates list items inside a cell.
Every row has a non-empty `source`: the reference file it came from and the reference's own
citation (URL or document). Rows added by hand in the script are marked `CURATED` there and
carry their own citation.

Conventions:

* Chinese columns are filled only where a source gives the Chinese text or for the body's own
  official Chinese name (CNAS, CNCA, SAMR); otherwise empty (the UI marks the fallback).
* A source dated only to a year or a month gives `effective_on` = the last day of that period,
  the earliest date the source supports for "was a signatory/recognised by then"; the `note`
  says "source dated …; earliest supported date".
* Where an event is inferred (a sub-scope extension presupposes its main scope; a recognition
  whose source gives no scope list is recorded for testing and calibration only), the `note`
  says "inferred" / names the limitation.

| file | rows | content | sources |
| --- | --- | --- | --- |
{table}

Not included (no citable source found): HS heading texts (no copy of the WCO HS nomenclature
text could be cited; the UN Comtrade descriptions in the datasets/harmonized-system repository
are abbreviated paraphrases, not the heading text), ISO/IEC standard titles, NACE correspondences
of the IAF codes (secondary, single-source; kept in `shared/reference/ea_codes.csv` only).

Skipped rows and scopes the sources do not state:
{skipped}
"""

FILE_DOCS = {
    "economies.csv": ("Groupings of economies (ANZ, SADC, GCC, EU, APEC) and their members; "
                      "countries are loaded from pycountry by ISO 3166-1 code",
                      "iaf_mla_signatories.csv, recognition_systems.csv; member lists cited per row"),
    "standards.csv": ("Standards by code without year: AB/CAB requirements, level-4 supplements, "
                      "level-5 normative documents, schemes, product standards",
                      "iaf_mla_levels.csv, iaf_mla_scopes.csv, ilac_mra_scopes.csv; product "
                      "standard titles cited per row"),
    "scope_codes.csv": ("IAF/EA codes 1–39; IAF MLA main scopes (level 2) and sub-scopes "
                        "(level 5); ILAC MRA activities",
                        "ea_codes.csv, iaf_mla_levels.csv, iaf_mla_scopes.csv, ilac_mra_scopes.csv"),
    "accreditation_bodies.csv": ("Accreditation bodies named in the IAF MLA and ILAC/APLAC/IAAC "
                                 "signatory lists, plus IANZ",
                                 "iaf_mla_signatories.csv, ilac_mra_signatories_partial.csv, "
                                 "china_nz_eee_agreement.csv"),
    "regulators.csv": ("CNCA and SAMR", "china_facts.csv"),
    "arrangements.csv": ("Global, regional, sector-scheme, government and bilateral arrangements; "
                         "successors precede their predecessors",
                         "accreditation_arrangement_facts.csv, iaf_regional_groups.csv, "
                         "recognition_systems.csv, china_nz_eee_agreement.csv"),
    "recognition_events.csv": ("IAF MLA / ILAC MRA recognition of regional arrangements, per scope",
                               "iaf_regional_groups.csv, iaf_mla_scopes.csv, "
                               "accreditation_arrangement_facts.csv, ilac_mra_scopes.csv, "
                               "ilac_mra_signatories_partial.csv"),
    "signatory_events.csv": ("Dated signatory status of accreditation bodies per arrangement and "
                             "scope (evidence-based; not the complete signatory lists)",
                             "iaf_mla_signatories.csv, ilac_mra_signatories_partial.csv, "
                             "china_facts.csv"),
    "market_acceptances.csv": ("Markets accepting attestations under the China–New Zealand EEE "
                               "agreement", "china_nz_eee_agreement.csv"),
}


def main(argv: list[str]) -> int:
    ref = Path(argv[1]) if len(argv) > 1 else (ROOT / ".." / "shared" / "reference")
    ref = ref.resolve()
    if not (ref / "iaf_mla_signatories.csv").exists():
        raise SystemExit(f"{ref}: not a reference directory")
    counts: dict[str, int] = {}
    counts["economies.csv"] = write(
        "economies.csv", ["code", "kind", "name_en", "name_zh", "alpha3", "members", "source"],
        build_economies())
    counts["standards.csv"] = write(
        "standards.csv", ["code", "kind", "edition", "title_en", "title_zh", "source"],
        build_standards())
    counts["scope_codes.csv"] = write(
        "scope_codes.csv", ["scheme", "code", "parent_code", "name_en", "name_zh", "cab_standard",
                            "normative_standard", "level", "source"], build_scope_codes(ref))
    bodies, skipped_bodies = build_bodies(ref)
    counts["accreditation_bodies.csv"] = write(
        "accreditation_bodies.csv", ["acronym", "economy", "name_zh", "name_en", "website",
                                     "source"], bodies)
    counts["regulators.csv"] = write(
        "regulators.csv", ["acronym", "economy", "name_zh", "name_en", "website", "source"],
        build_regulators(ref))
    counts["arrangements.csv"] = write(
        "arrangements.csv", ["key", "kind", "name_en", "name_zh", "acronym", "operator",
                             "established_on", "successor", "succeeded_on", "parties", "source"],
        build_arrangements(ref))
    counts["recognition_events.csv"] = write(
        "recognition_events.csv", ["recognizing", "recognized", "scope", "kind", "effective_on",
                                   "note", "source"], build_recognitions(ref))
    sigs, not_recorded = build_signatories(ref)
    counts["signatory_events.csv"] = write(
        "signatory_events.csv", ["arrangement", "accreditation_body", "accreditation_body_economy",
                                 "cab", "scope", "kind", "effective_on", "note", "source"], sigs)
    counts["market_acceptances.csv"] = write(
        "market_acceptances.csv", ["market", "arrangement", "attestation_kind", "scope",
                                   "valid_from", "valid_until", "note_zh", "note_en", "source"],
        build_markets(ref))
    table = "\n".join(f"| `{f}` | {counts[f]} | {FILE_DOCS[f][0]} | {FILE_DOCS[f][1]} |"
                      for f in counts)
    skipped = "\n".join(f"* {s}" for s in (*skipped_bodies, *dict.fromkeys(not_recorded))) or "* none"
    (OUT / "README.md").write_text(README.format(table=table, skipped=skipped), encoding="utf-8")
    for f, n in counts.items():
        print(f"{n:5d}  {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
