"""Horizontal bar charts drawn on the server as inline SVG.

No JavaScript and no chart library: the chart is a picture of a table that the page
always shows next to it, and the table is what screen readers and people who
enlarge the text use. The SVG carries role="img", an aria-label, and <title> and
<desc> naming the table it draws. Suppressed figures ("<5") get no bar at all, so a
bar's length can never give a hidden number away.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# A narrow drawing, so that on a phone it shrinks little and its text stays readable.
WIDTH = 400
LABEL_WIDTH = 140
VALUE_WIDTH = 64
BAR_HEIGHT = 20
ROW_GAP = 10
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: not shown (suppressed)
    text: str  # the figure as the table shows it


def horizontal_bar_chart(
    *, bars: list[Bar], title: str, description: str, ident: str
) -> SafeString:
    """An SVG bar chart of ``bars``; ``ident`` makes the ids of its title and description
    unique on the page."""
    largest = max((bar.value for bar in bars if bar.value), default=0)
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP * 2 + len(bars) * (BAR_HEIGHT + ROW_GAP)
    rows = []
    for index, bar in enumerate(bars):
        y = TOP + index * (BAR_HEIGHT + ROW_GAP)
        length = round(plot_width * bar.value / largest) if bar.value and largest else 0
        rows.append(
            (
                LABEL_WIDTH - 8,
                f"{y + BAR_HEIGHT * 0.7:.1f}",
                _truncate(bar.label),
                LABEL_WIDTH,
                y,
                max(length, 0),
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                f"{y + BAR_HEIGHT * 0.7:.1f}",
                bar.text,
            )
        )
    body = format_html_join(
        "\n",
        '<g><text class="bar-chart__label" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="bar-chart__bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="bar-chart__value" x="{}" y="{}">{}</text></g>',
        rows,
    )
    return format_html(
        '<svg class="bar-chart" role="img" aria-label="{title}" '
        'aria-describedby="{ident}-desc" viewBox="0 0 {width} {height}" '
        'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{ident}-title">{title}</title><desc id="{ident}-desc">{desc}</desc>'
        '<line class="bar-chart__axis" x1="{axis}" y1="0" x2="{axis}" y2="{height}"></line>'
        "{body}</svg>",
        title=title,
        ident=ident,
        desc=description or _("The table below gives the same figures."),
        width=WIDTH,
        height=height,
        axis=LABEL_WIDTH,
        body=body,
    )


def table_chart(table) -> SafeString | None:
    """The chart of a statistics table (``cms.statistics.StatisticsTable``): one bar per
    row, without the total, for the table's chart column; None when there is nothing
    to draw."""
    if not table.available or table.is_empty:
        return None
    column = table.columns[table.chart_column]
    bars = [
        Bar(label=row.label, value=cell.chart_value, text=cell.text)
        for row in table.body_rows
        for cell in [row.cells[table.chart_column]]
    ]
    return horizontal_bar_chart(
        bars=bars,
        title=f"{table.title}: {column.label}",
        description=_("Bar chart of the table “%(table)s”, column “%(column)s”.")
        % {"table": table.title, "column": column.label},
        ident=f"chart-{table.slug}",
    )


def _truncate(label: str, room: float = LABEL_WIDTH - 12) -> str:
    """``label`` shortened to fit the label column (SVG text does not wrap; the full
    label is always in the table below the chart). Chinese characters are about
    twice as wide as Latin letters at the chart's 13-unit font size."""
    used = 0.0
    for index, character in enumerate(label):
        used += 7.2 if character.isascii() else 13.5
        if used > room:
            return label[: max(index - 1, 1)] + "…"
    return label
