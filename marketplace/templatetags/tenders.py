"""Template helpers of the marketplace pages: moments with their time zone, money in
yuan, and the open tenders of the home page.

Deadlines decide whether a bid counts, so every one of them is shown with the
time zone it is in, e.g. ``2026-12-01 17:00 CST (Asia/Shanghai)``, never as a
bare time a reader in another zone could misread. The wording is
``core.formatting``'s, the same in pages, mails and PDFs.
"""

from django import template
from django.utils.html import format_html

from core import formatting
from marketplace.selectors.tenders import tenders_closing_soon as closing_soon

register = template.Library()

HOME_TENDER_COUNT = 5


@register.filter
def moment(value):
    """A ``<time>`` element for a deadline or other moment, with its time zone in words."""
    if not value:
        return "—"
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), formatting.moment_label(value)
    )


# An amount of money in CNY with thousands separators: ``¥1,250,000.00``.
register.filter("yuan", formatting.yuan)


@register.simple_tag
def tenders_closing_soon(limit=HOME_TENDER_COUNT):
    """``{% tenders_closing_soon as tenders %}``: public tenders whose bids close next."""
    return closing_soon(limit=limit)
