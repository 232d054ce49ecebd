"""Charts drawn on the server as SVG: no JavaScript, and the same in the PDF.

Horizontal bars only: they hold long kitchen labels ("Canned and dry goods")
and read well on a phone and in black-and-white print.
"""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from commonpot.numbers import grouped

register = template.Library()

ROW = 26
LABEL_W = 190
BAR_W = 260
VALUE_W = 90


def _number(value: float) -> str:
    return grouped(value, 1 if value % 1 else 0)


@register.simple_tag
def bar_chart(chart) -> str:
    bars = chart.bars
    if not bars:
        return format_html(
            '<p class="chart-empty">{}</p>',
            gettext("%(chart)s: nothing to show.") % {"chart": chart.title},
        )
    top = max((bar[1] for bar in bars), default=0) or 1
    width = LABEL_W + BAR_W + VALUE_W
    height = ROW * len(bars) + 8
    unit = f" {chart.unit}" if chart.unit else ""
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for i, (label, value, *shown) in enumerate(bars):
        # A bar given its text says exactly what its table says.
        number = shown[0] if shown else _number(float(value))
        y = 4 + i * ROW
        bar = max(1.0, BAR_W * float(value) / float(top)) if value else 0
        text = escape(label if len(label) <= 28 else label[:27] + "…")
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#1b1b1b">{text}</text>'
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{bar:.1f}" height="{ROW - 8}" '
            f'fill="#1f5c3a" stroke="#1b1b1b" stroke-width="0.5"></rect>'
            f'<text x="{LABEL_W + bar + 6:.1f}" y="{y + 17}" font-size="13" '
            f'fill="#1b1b1b">{escape(number)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
