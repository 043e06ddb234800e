"""The rating history of a provider drawn on the server as an inline SVG line chart.

No JavaScript and no chart library: the chart is a picture of the table the
profile shows beside it (month, rating, band, evidence), which is what screen
readers and people who enlarge the text use. The band of uncertainty is drawn
as a shaded area around the line, so a rating from little evidence looks as
uncertain as it is.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH = 400
HEIGHT = 180
LEFT = 28
RIGHT = 8
TOP = 10
BOTTOM = 26
LOW, HIGH = 1.0, 5.0


def _y(value: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return TOP + plot * (HIGH - value) / (HIGH - LOW)


def history_chart(*, rows, title: str, ident: str) -> SafeString | None:
    """A line of ``rows`` (``RatingHistory``, oldest first) with its band; None if empty."""
    rows = list(rows)
    if not rows:
        return None
    plot_width = WIDTH - LEFT - RIGHT
    step = plot_width / max(len(rows) - 1, 1)
    xs = [LEFT + (index * step if len(rows) > 1 else plot_width / 2) for index in range(len(rows))]
    line = " ".join(f"{x:.1f},{_y(row.score):.1f}" for x, row in zip(xs, rows, strict=True))
    band = " ".join(
        [f"{x:.1f},{_y(row.high):.1f}" for x, row in zip(xs, rows, strict=True)]
        + [f"{x:.1f},{_y(row.low):.1f}" for x, row in reversed(list(zip(xs, rows, strict=True)))]
    )
    grid = format_html_join(
        "",
        '<line class="rating-chart__grid" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
        '<text class="rating-chart__tick" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, f"{_y(v):.1f}", WIDTH - RIGHT, f"{_y(v):.1f}", LEFT - 4, f"{_y(v) + 4:.1f}", v)
            for v in (1, 2, 3, 4, 5)
        ),
    )
    # A month label under the first, the last and every sixth point.
    labels = format_html_join(
        "",
        '<text class="rating-chart__tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (f"{x:.1f}", HEIGHT - 8, row.month.strftime("%Y-%m"))
            for index, (x, row) in enumerate(zip(xs, rows, strict=True))
            if index in (0, len(rows) - 1) or (index % 6 == 0 and len(rows) - 1 - index >= 3)
        ),
    )
    points = format_html_join(
        "",
        '<circle class="rating-chart__point" cx="{}" cy="{}" r="2.5"></circle>',
        ((f"{x:.1f}", f"{_y(row.score):.1f}") for x, row in zip(xs, rows, strict=True)),
    )
    return format_html(
        '<svg class="rating-chart" role="img" aria-label="{title}" '
        'aria-describedby="{ident}-desc" viewBox="0 0 {width} {height}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{ident}-title">{title}</title><desc id="{ident}-desc">{desc}</desc>'
        "{grid}"
        '<polygon class="rating-chart__band" points="{band}"></polygon>'
        '<polyline class="rating-chart__line" fill="none" points="{line}"></polyline>'
        "{points}{labels}</svg>",
        title=title,
        ident=ident,
        desc=_(
            "Line chart of the rating month by month, with its 95 % band shaded; the table "
            "below gives the same figures."
        ),
        width=WIDTH,
        height=HEIGHT,
        grid=grid,
        band=band,
        line=line,
        points=points,
        labels=labels,
    )
