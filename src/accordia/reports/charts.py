"""Simple bar charts as inline SVG strings (no JavaScript, no plotting library).

Every label is escaped; the chart carries a ``<title>`` so screen readers announce it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

_BAR = "#2f6f9f"
_FONT = 'font-family="Noto Sans CJK SC, Noto Sans, sans-serif" font-size="11"'


def column_chart(
    data: Sequence[tuple[str, int]], title: str, *, width: int = 640, height: int = 220
) -> str:
    """Vertical bars, one per label (e.g. agreements signed per year)."""
    top, bottom, left = 24, 36, 28
    plot_h = height - top - bottom
    peak = max((v for _, v in data), default=0) or 1
    step = (width - left) / max(len(data), 1)
    bar_w = max(step * 0.7, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" {_FONT} font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    for i, (label, value) in enumerate(data):
        h = plot_h * value / peak
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h - h
        cx = x + bar_w / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{_BAR}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{y - 3:.1f}" text-anchor="middle" {_FONT}>{value}</text>'
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 14}" text-anchor="end" {_FONT} '
            f'transform="rotate(-45 {cx:.1f} {top + plot_h + 14})">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(data: Sequence[tuple[str, int]], title: str, *, width: int = 640) -> str:
    """Horizontal bars, one row per label (e.g. counterpart bodies per economy)."""
    row, top, label_w = 18, 24, 170
    height = top + row * len(data) + 8
    plot_w = width - label_w - 40
    peak = max((v for _, v in data), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" {_FONT} font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(data):
        y = top + i * row
        w = plot_w * value / peak
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" {_FONT}>{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{_BAR}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" {_FONT}>{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
