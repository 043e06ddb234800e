"""Template helpers of the marketplace pages: moments with their time zone, money in
yuan, and the open tenders of the home page.

Deadlines decide whether a bid counts, so every one of them is shown with the
time zone it is in, e.g. ``2026-12-01 17:00 CST (Asia/Shanghai)``, never as a
bare time a reader in another zone could misread.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from marketplace import selectors

register = template.Library()

HOME_TENDER_COUNT = 5


def moment_label(moment) -> str:
    """``2026-12-01 17:00 CST (Asia/Shanghai)``: local time, zone abbreviation and name."""
    local = timezone.localtime(moment)
    return f"{format_date(local, 'Y-m-d H:i T')} ({timezone.get_current_timezone_name()})"


@register.filter
def moment(value):
    """A ``<time>`` element for a deadline or other moment, with its time zone in words."""
    if not value:
        return "—"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), moment_label(value))


@register.filter
def yuan(value):
    """An amount of money in CNY with thousands separators: ``¥1,250,000.00``."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return f"¥{amount:,.2f}"


@register.simple_tag
def tenders_closing_soon(limit=HOME_TENDER_COUNT):
    """``{% tenders_closing_soon as tenders %}``: public tenders whose bids close next."""
    return selectors.tenders_closing_soon(limit=limit)
