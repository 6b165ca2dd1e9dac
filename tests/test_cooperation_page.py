"""The cooperation report page ``/cooperation`` (issue 8) over a database with the example ledger.

The example files (``src/accordia/examples/cooperation_*.csv``) are imported, plus one
agreement titled in English only and one counterpart named in Chinese only, both signed in
2024, so that ``since=2023-12-31`` lists changes and the fallback badge shows.

Runs on SQLite, and on PostgreSQL when ``ACCORDIA_DATABASE_URL`` names one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from accordia.app import create_app
from accordia.db.base import Base
from accordia.db.session import engine_for
from tests.conftest import TestDatabase
from tests.test_cooperation_db import COOPERATION_TABLES, EXAMPLE_FILES, imported, write_csv

ON = "2024-12-31"
SINCE = "2023-12-31"
EXTRA = "SYNTHETIC EXAMPLE (tests/test_cooperation_page.py)"


@pytest.fixture(scope="module")
def client(db: TestDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    if COOPERATION_TABLES - set(inspect(db.engine).get_table_names()):
        Base.metadata.create_all(db.engine)
    imported(db.engine, EXAMPLE_FILES)
    extra = tmp_path_factory.mktemp("coop-page")
    files = [
        write_csv(
            extra / "cooperation_counterparts.csv",
            ["key", "kind", "economy", "name_zh", "name_en", "source"],
            [
                {
                    "key": "EX-T-ZH",
                    "kind": "government",
                    "economy": "FR",
                    "name_zh": "仅中文名称的机构",
                    "name_en": "",
                    "source": EXTRA,
                }
            ],
        ),
        write_csv(
            extra / "cooperation_agreements.csv",
            ["key", "type", "title_zh", "title_en", "signed_on", "parties", "source"],
            [
                {
                    "key": "EX-T-AG",
                    "type": "mou",
                    "title_zh": "",
                    "title_en": "English-only memorandum",
                    "signed_on": "2024-06-01",
                    "parties": "EX-T-ZH",
                    "source": EXTRA,
                }
            ],
        ),
    ]
    imported(db.engine, files)
    yield TestClient(create_app(engine=db.engine))
    engine_for.cache_clear()


def _text(html: str) -> str:
    """The visible text of a page, tags removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _twin(client: TestClient, lang: str, since: str | None = None) -> dict:  # type: ignore[type-arg]
    params = {"on": ON, "lang": lang, **({"since": since} if since else {})}
    r = client.get("/api/v1/cooperation/report", params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("lang", "html_lang", "heading", "by_type", "by_economy", "by_year"),
    [
        (
            "en",
            "en",
            "International cooperation",
            "Agreements by type",
            "Counterparts by economy",
            "Agreements by year of signature",
        ),
        (
            "zh",
            "zh-Hans",
            "国际合作",
            "按协议类型统计",
            "按国家和地区统计合作机构",
            "按签署年份统计协议",
        ),
    ],
)
def test_page_in_both_languages(
    client: TestClient,
    lang: str,
    html_lang: str,
    heading: str,
    by_type: str,
    by_economy: str,
    by_year: str,
) -> None:
    r = client.get("/cooperation", params={"on": ON, "lang": lang})
    assert r.status_code == 200, r.text
    html = r.text
    assert f'<html lang="{html_lang}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert '<a href="/cooperation">' in html  # the navigation item
    doc = _twin(client, lang)
    # the headline sentence and figures are those of the JSON twin
    text = _text(html)
    assert doc["sentence"] in text
    h = doc["headline"]
    assert h["bodies"] == 6 and h["economies"] == 5 and h["agreements"] == 7
    for n in (h["agreements_in_force"], h["agreements"]):
        assert str(n) in text
    # the JSON twin is linked in the head and the footer and answers
    twin = f"/api/v1/cooperation/report?on={ON}"
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in html
    assert f'<a href="{twin}" type="application/json">' in html
    # the language switcher
    other = "zh" if lang == "en" else "en"
    assert f"lang={other}" in html
    # the tables, with their rows
    for title in (by_type, by_economy, by_year):
        assert f">{title}</h2>" in html
    assert html.count('<table class="coop-table">') == 3
    for row in doc["by_year"]:
        assert f'<th scope="row">{row["year"]}</th>' in html
    for row in doc["by_economy"]:
        assert f'<span class="muted">({row["code"]})</span>' in html
    mou = "Memorandum of understanding" if lang == "en" else "谅解备忘录"
    assert f'<th scope="row">{mou}</th>' in html
    # the two SVG charts, without inline styles or scripts (CSP)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart"') == 2
    assert "style=" not in html and "<script" not in html
    # no changes section without since; download links carry the date and language
    assert "coop-changes" not in html
    assert f'href="/cooperation/report.pdf?on={ON}&amp;lang={lang}"' in html
    assert f'href="/cooperation/report.md?on={ON}&amp;lang={lang}"' in html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_since_lists_changes(client: TestClient, lang: str) -> None:
    r = client.get("/cooperation", params={"on": ON, "since": SINCE, "lang": lang})
    assert r.status_code == 200, r.text
    html = r.text
    doc = _twin(client, lang, SINCE)
    twin = f"/api/v1/cooperation/report?on={ON}&amp;since={SINCE}"
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in html
    assert 'class="coop-changes"' in html
    heading = "Changes since 31 December 2023" if lang == "en" else "2023年12月31日以来的变化"
    assert heading in html
    keys = {c["key"] for c in doc["changes"]["items"]}
    assert {"EX-AG-6", "EX-T-AG", "EX-T-ZH"} <= keys
    for key in keys:
        assert f"({key})" in html
    signed = "Agreement signed" if lang == "en" else "新签协议"
    assert f"<td>{signed}</td>" in html
    assert f"since={SINCE}" in html  # downloads keep the comparison date


def test_fallback_language_marked(client: TestClient) -> None:
    zh = client.get("/cooperation", params={"on": ON, "since": SINCE, "lang": "zh"}).text
    # a title recorded only in English, shown on the Chinese page with the EN badge
    assert '<span lang="en">English-only memorandum</span> <abbr class="fallback"' in zh
    assert ">EN</abbr>" in zh
    en = client.get("/cooperation", params={"on": ON, "since": SINCE, "lang": "en"}).text
    assert '<span lang="zh-Hans">仅中文名称的机构</span> <abbr class="fallback"' in en
    assert ">中</abbr>" in en
    # bilingual content is shown in the page's language without a badge
    assert "Example cooperation agreement (2024)" in en
    assert "示例合作协议（2024年）" in zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_download(client: TestClient, lang: str) -> None:
    pytest.importorskip("fpdf")
    from accordia.reports.pdf import CJK_FONT_CANDIDATES

    if not any(Path(path).is_file() for path, _index in CJK_FONT_CANDIDATES):
        pytest.skip("no CJK font installed")
    r = client.get("/cooperation/report.pdf", params={"on": ON, "lang": lang})
    assert r.status_code == 200, r.text[:200]
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert f"cooperation-{ON}-{lang}.pdf" in r.headers["content-disposition"]


def test_markdown_download(client: TestClient) -> None:
    r = client.get("/cooperation/report.md", params={"on": ON, "since": SINCE, "lang": "zh"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/markdown")
    assert _twin(client, "zh", SINCE)["sentence"] in r.text


def test_bad_dates_are_friendly(client: TestClient) -> None:
    r = client.get("/cooperation", params={"on": "31/12/2024", "lang": "en"})
    assert r.status_code == 400
    assert "The date must be written as YYYY-MM-DD." in r.text
    r = client.get("/cooperation", params={"on": "2020-01-01", "since": ON, "lang": "zh"})
    assert r.status_code == 400
    assert "比较日期不得晚于统计日期。" in r.text
    assert client.get("/cooperation/report.pdf", params={"on": "x"}).status_code == 400
