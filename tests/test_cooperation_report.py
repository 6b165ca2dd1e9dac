"""The cooperation report says DOMAIN.md's sentence in both languages, in every format.

Invariant: the headline sentence is worded like DOMAIN.md's example in English and in Chinese;
JSON has a stable shape; HTML carries the tables and the inline SVG charts; PDF embeds a CJK
font (skipped where fpdf2 or a CJK font is not installed).
"""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import pytest

from accordia.domain.cooperation import Figures, Headline, figures
from accordia.reports import Format, Lang, headline_sentence, render_cooperation
from accordia.reports.charts import bar_chart, column_chart
from tests.test_cooperation import ON, example_ledger

EN = (
    "Agreements with 36 bodies in 25 countries and regions, 82 agreement documents, of which "
    "42 cooperation agreements and MoUs; 19 international or regional organisations joined or "
    "tracked; 8 multilateral testing and certification recognition systems and 4 "
    "accreditation arrangements signed."
)
ZH = (
    "与25个国家和地区的36个机构签署合作文件82份，其中合作协议和谅解备忘录42份；"
    "加入或跟踪19个国际或区域组织；签署8个多边检测认证互认体系和4个认可互认协议。"
)
SINCE = dt.date(2022, 6, 1)


@pytest.fixture(scope="module")
def fig() -> Figures:
    return figures(example_ledger(), ON, since=SINCE)


class TestHeadlineSentence:
    def test_english(self, fig: Figures) -> None:
        assert headline_sentence(fig.headline, "en") == EN

    def test_chinese(self, fig: Figures) -> None:
        assert headline_sentence(fig.headline, "zh") == ZH

    def test_english_singulars(self) -> None:
        h = Headline(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
        assert headline_sentence(h, "en") == (
            "Agreements with 1 body in 1 country or region, 1 agreement document, of which "
            "1 cooperation agreement or MoU; 1 international or regional organisation joined or "
            "tracked; 1 multilateral testing and certification recognition system and "
            "1 accreditation arrangement signed."
        )

    @pytest.mark.parametrize("fmt", ["md", "html", "json"])
    @pytest.mark.parametrize(("lang", "sentence"), [("en", EN), ("zh", ZH)])
    def test_every_format_carries_the_sentence(
        self, fig: Figures, fmt: Format, lang: Lang, sentence: str
    ) -> None:
        out = render_cooperation(fig, lang, fmt)
        assert isinstance(out, str)
        assert sentence in out

    def test_unknown_language_and_format_rejected(self, fig: Figures) -> None:
        with pytest.raises(ValueError, match="language"):
            render_cooperation(fig, "fr", "md")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="format"):
            render_cooperation(fig, "en", "docx")  # type: ignore[arg-type]


class TestWordingFromCatalogues:
    """The report's interface wording is read from the gettext catalogues (``reports.po``)."""

    @pytest.mark.parametrize("directory", ["zh_Hans", "en"])
    def test_reports_po_is_what_the_merged_catalogue_says(self, directory: str) -> None:
        """A msgid of reports.po also in messages.po (read first) must not be shadowed by a
        different translation there: the report would silently change wording."""
        from babel.messages.pofile import read_po

        from accordia.web.i18n import LOCALE_DIR, read_catalog

        with (LOCALE_DIR / directory / "LC_MESSAGES" / "reports.po").open("rb") as f:
            own = read_po(f, locale=directory)
        merged = read_catalog(directory)
        ids = [m.id for m in own if m.id]
        assert len(ids) > 50
        for message_id in ids:
            assert merged[message_id].string == own[message_id].string, message_id

    def test_every_label_has_a_chinese_translation(self) -> None:
        from accordia.reports.cooperation import (
            AGREEMENT_TYPES,
            CHANGE_KINDS,
            LABELS,
            MEMBERSHIP_STATUSES,
            _translations,
            wording,
        )

        zh = wording("zh")
        assert [k for k, msgid in LABELS.items() if zh[k] == msgid] == []
        gt = _translations("zh").gettext
        for table in (AGREEMENT_TYPES, MEMBERSHIP_STATUSES, CHANGE_KINDS):
            assert [m for m in table.values() if gt(m) == m] == []

    def test_words_that_differ_from_the_web_vocabulary(self, fig: Figures) -> None:
        """ "Economy" and "Arrangement" mean other things in messages.po (经济体, 互认协议)."""
        from accordia.domain.cooperation import Agreement, Counterpart, Ledger

        ledger = Ledger(
            (Counterpart("A", "government", "NZ", name_en="A", name_zh="甲"),),
            (Agreement("X", "arrangement", dt.date(2020, 1, 1), ("A",), title_en="X"),),
        )
        f = figures(ledger, ON)
        zh, en = str(render_cooperation(f, "zh", "md")), str(render_cooperation(f, "en", "md"))
        assert "| 国家或地区 | 机构 | 协议 |" in zh and "经济体" not in zh
        assert "| 安排 | 1 | 1 |" in zh
        assert "| Economy | Bodies | Agreements |" in en and "(country or region)" not in en
        assert "| Arrangement | 1 | 1 |" in en and "(type of agreement)" not in en

    def test_english_plural_per_count(self) -> None:
        h = Headline(2, 1, 1, 0, 2, 1, 3, 0, 0, 0, 0)
        assert headline_sentence(h, "en") == (
            "Agreements with 2 bodies in 1 country or region, 1 agreement document, of which "
            "0 cooperation agreements and MoUs; 2 international or regional organisations joined "
            "or tracked; 1 multilateral testing and certification recognition system and "
            "3 accreditation arrangements signed."
        )
        assert headline_sentence(h, "zh") == (
            "与1个国家和地区的2个机构签署合作文件1份，其中合作协议和谅解备忘录0份；"
            "加入或跟踪2个国际或区域组织；签署1个多边检测认证互认体系和3个认可互认协议。"
        )

    def test_chinese_changes_section(self, fig: Figures) -> None:
        out = str(render_cooperation(fig, "zh", "md"))
        assert "## 2022年6月1日以来的变化" in out
        assert "2022年6月1日时：与" in out
        assert "截至2023年8月31日仍然有效的协议文件77份（共82份）。" in out


class TestJson:
    def test_shape(self, fig: Figures) -> None:
        doc = json.loads(render_cooperation(fig, "zh", "json"))
        assert set(doc) == {
            "report", "lang", "sentence", "on", "headline", "by_type", "by_economy", "by_year",
            "changes",
        }  # fmt: skip
        assert (doc["report"], doc["lang"], doc["on"]) == ("cooperation", "zh", "2023-08-31")
        assert doc["headline"] == {
            "bodies": 36,
            "economies": 25,
            "agreements": 82,
            "cooperation_and_mous": 42,
            "organisations": 19,
            "systems": 8,
            "accreditation_arrangements": 4,
            "agreements_in_force": 77,
            "organisations_engaged": 18,
            "systems_active": 8,
            "accreditation_arrangements_active": 4,
        }
        assert set(doc["by_type"][0]) == {"type", "signed", "in_force"}
        assert set(doc["by_economy"][0]) == {"code", "name_zh", "name_en", "bodies", "agreements"}
        assert set(doc["by_year"][0]) == {
            "year",
            "agreements",
            "cooperation_and_mous",
            "cumulative",
        }
        assert doc["changes"]["since"] == "2022-06-01"
        assert set(doc["changes"]["items"][0]) == {"kind", "key", "on", "name_zh", "name_en",
                                                   "detail"}  # fmt: skip

    def test_without_since_changes_is_null(self) -> None:
        doc = json.loads(render_cooperation(figures(example_ledger(), ON), "en", "json"))
        assert doc["changes"] is None


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.ids += [v or "" for k, v in attrs if k == "id"]


class TestHtml:
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_tables_and_svg(self, fig: Figures, lang: Lang) -> None:
        out = render_cooperation(fig, lang, "html")
        assert isinstance(out, str)
        parser = _Tags()
        parser.feed(out)
        assert parser.tags.count("table") == 4  # type, year, economy, changes
        assert parser.tags.count("svg") == 2
        assert {"figures", "by-type", "by-year", "by-economy", "changes"} <= set(parser.ids)
        assert "<script" not in out

    def test_chinese_labels_and_lang(self, fig: Figures) -> None:
        out = render_cooperation(fig, "zh", "html")
        assert '<html lang="zh-Hans">' in out
        assert "截至2023年8月31日" in out
        assert "谅解备忘录" in out
        assert "新西兰 (NZ)" in out

    def test_english_date_and_type_labels(self, fig: Figures) -> None:
        out = render_cooperation(fig, "en", "html")
        assert "As of 31 August 2023" in out
        assert "Memorandum of understanding" in out

    def test_registry_names_escaped(self) -> None:
        svg = bar_chart([("<b>A&B</b>", 3)], "t")
        assert "<b>" not in svg and "&lt;b&gt;A&amp;B" in svg

    def test_column_chart_one_bar_per_year(self, fig: Figures) -> None:
        svg = column_chart([(str(r.year), r.agreements) for r in fig.by_year], "t")
        assert svg.count("<rect") == len(fig.by_year)


class TestMarkdown:
    def test_tables(self, fig: Figures) -> None:
        out = render_cooperation(fig, "en", "md")
        assert isinstance(out, str)
        assert "| Memorandum of understanding | 21 | 20 |" in out
        assert "| 2022 | 3 | 2 | 82 |" in out
        assert "## Changes since 1 June 2022" in out

    def test_pipes_in_names_escaped(self) -> None:
        from accordia.domain.cooperation import Agreement, Counterpart, Ledger

        ledger = Ledger(
            (Counterpart("A|B", "government", "NZ", name_en="A|B"),),
            (Agreement("X", "mou", dt.date(2020, 1, 1), ("A|B",), title_en="X"),),
        )
        out = render_cooperation(figures(ledger, ON, since=dt.date(2019, 1, 1)), "en", "md")
        assert "A\\|B" in str(out)


class TestPdf:
    def test_pdf_embeds_cjk_font(self, fig: Figures) -> None:
        pytest.importorskip("fpdf")
        from accordia.reports.pdf import PdfUnavailable, find_cjk_font

        try:
            find_cjk_font()
        except PdfUnavailable:
            pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
        out = render_cooperation(fig, "zh", "pdf")
        assert isinstance(out, bytes)
        assert out.startswith(b"%PDF")
        assert b"/FontFile" in out  # embedded (FontFile2 for TrueType, FontFile3 for CFF)
