"""The cooperation report as PDF, with a CJK font embedded (subset) so Chinese renders anywhere.

Uses fpdf2 (pure Python; embeds and subsets TrueType/OpenType fonts, CFF outlines included)
and a system CJK font: on Debian, ``apt-get install fonts-noto-cjk``. fpdf2 is imported
dynamically so the rest of the package does not depend on it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

# (path, index in a font collection): Noto Sans CJK SC is face 2 of Debian's .ttc.
CJK_FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)
_FAMILY = "cjk"


class PdfUnavailable(RuntimeError):
    """PDF output needs fpdf2 and a CJK font file; says which one is missing."""


def find_cjk_font(font_path: str | None = None) -> tuple[str, int]:
    """The CJK font to embed: ``font_path`` (``file.ttc#2`` selects a face), else a candidate."""
    if font_path:
        path, _, face = font_path.partition("#")
        if not Path(path).is_file():
            raise PdfUnavailable(f"CJK font not found: {path}")
        return path, int(face or 0)
    for path, index in CJK_FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise PdfUnavailable(
        "no CJK font found for PDF output: install fonts-noto-cjk (Debian) or pass font_path"
    )


def _fpdf() -> Any:
    try:
        return importlib.import_module("fpdf")
    except ImportError as exc:  # optional dependency
        raise PdfUnavailable("PDF output needs the fpdf2 package") from exc


def _table(pdf: Any, header: list[str], rows: list[tuple[str, ...]], numeric_from: int) -> None:
    align = ["LEFT"] * numeric_from + ["RIGHT"] * (len(header) - numeric_from)
    # one embedded face only: headings shaded, not bold (a bold CJK face would double the size)
    style = _fpdf().FontFace(emphasis="", fill_color=(225, 232, 240))
    with pdf.table(text_align=align, line_height=6, headings_style=style) as table:
        for cells in [tuple(header), *rows]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(3)


def _bars(pdf: Any, data: list[tuple[str, int]], title: str) -> None:
    """A small column chart drawn with rectangles (agreements per year)."""
    if not data:
        return
    pdf.set_font(_FAMILY, size=9)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    x0, y0, height = pdf.l_margin, pdf.get_y() + 4, 35.0
    step = min(12.0, pdf.epw / len(data))
    peak = max(v for _, v in data) or 1
    pdf.set_fill_color(47, 111, 159)
    for i, (label, value) in enumerate(data):
        h = height * value / peak
        x = x0 + i * step
        pdf.rect(x + step * 0.15, y0 + height - h, step * 0.7, h, style="F")
        pdf.set_font(_FAMILY, size=6)
        pdf.text(x + step * 0.15, y0 + height - h - 1, str(value))
        pdf.text(x + step * 0.05, y0 + height + 4, label[-2:] if len(data) > 12 else label)
    pdf.set_fill_color(255)  # tables fill with the current colour
    pdf.set_y(y0 + height + 8)


def render_pdf(ctx: dict[str, Any], *, font_path: str | None = None) -> bytes:
    """Render the report context of :func:`accordia.reports.cooperation.context` as PDF."""
    fpdf = _fpdf()
    path, index = find_cjk_font(font_path)
    t = ctx["t"]
    pdf = fpdf.FPDF(format="A4")
    pdf.set_title(f"{ctx['title']} – {ctx['as_of']}")
    pdf.set_lang("zh-CN" if ctx["lang"] == "zh" else "en")
    pdf.add_font(_FAMILY, "", path, collection_font_number=index)
    pdf.add_page()
    wrap = "CHAR" if ctx["lang"] == "zh" else "WORD"  # Chinese has no spaces to break at

    def heading(text: str, size: int = 13) -> None:
        pdf.set_font(_FAMILY, size=size)
        pdf.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT", wrapmode=wrap)
        pdf.ln(1)

    def para(text: str, size: int = 10) -> None:
        pdf.set_font(_FAMILY, size=size)
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT", wrapmode=wrap)
        pdf.ln(1)

    heading(ctx["title"], 18)
    para(ctx["as_of"])
    heading(t["figures"])
    para(ctx["sentence"], 11)
    for line in ctx["context_lines"]:
        para(line, 9)

    heading(t["by_type"])
    pdf.set_font(_FAMILY, size=9)
    _table(pdf, [t["type"], t["signed"], t["in_force_col"]], [r.cells for r in ctx["by_type"]], 1)
    heading(t["by_year"])
    _bars(pdf, ctx["year_chart"], t["chart_year"])
    pdf.set_font(_FAMILY, size=9)
    header = [t["year"], t["agreements"], t["coop"], t["cumulative"]]
    _table(pdf, header, [r.cells for r in ctx["by_year"]], 1)
    heading(t["by_economy"])
    pdf.set_font(_FAMILY, size=9)
    header = [t["economy"], t["bodies"], t["agreements"]]
    _table(pdf, header, [r.cells for r in ctx["by_economy"]], 1)
    para(t["economy_note"], 8)

    changes = ctx["changes"]
    if changes is not None:
        heading(changes["heading"])
        para(changes["before"], 9)
        if changes["items"]:
            pdf.set_font(_FAMILY, size=8)
            header = [t["date"], t["what"], t["name"], t["detail"]]
            _table(pdf, header, [r.cells for r in changes["items"]], 4)
        else:
            para(t["no_changes"])
    para(t["rules"], 8)
    if ctx["fallback_used"]:
        para(t["fallback_note"], 8)
    return bytes(pdf.output())
