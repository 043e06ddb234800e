"""How moments and money are written, the same in pages, mails and PDFs.

Deadlines decide whether a bid counts, so every moment is shown with the time
zone it is in, never as a bare time a reader in another zone could misread.
Money is in yuan with two decimals and thousands separators. Text the system
writes for people of either language (reasons, alerts) is rendered in both.
"""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.dateformat import format as format_date

LANGUAGES = ("zh-hans", "en")


def moment_text(moment) -> str:
    """``2026-12-01 17:00 (Asia/Shanghai, UTC+08:00)``: for mails and stored messages."""
    local = timezone.localtime(moment)
    offset = local.strftime("%z")
    return (
        f"{local:%Y-%m-%d %H:%M} ({timezone.get_current_timezone_name()}, "
        f"UTC{offset[:3]}:{offset[3:]})"
    )


def moment_label(moment) -> str:
    """``2026-12-01 17:00 CST (Asia/Shanghai)``: local time, zone abbreviation and name."""
    local = timezone.localtime(moment)
    return f"{format_date(local, 'Y-m-d H:i T')} ({timezone.get_current_timezone_name()})"


def yuan(amount) -> str:
    """``¥1,250,000.00``; a value that is not a number is returned as it is, None as "—"."""
    if amount is None or amount == "":
        return "—"
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return amount
    return f"¥{amount:,.2f}"


def in_languages(render: Callable[[], str]) -> tuple[str, str]:
    """(Chinese, English) renderings of a message, e.g. for the two text fields of an alert."""
    rendered = []
    for language in LANGUAGES:
        with translation.override(language):
            rendered.append(str(render()))
    return rendered[0], rendered[1]


def bilingual(render: Callable[[], str]) -> str:
    """The message in Chinese and in English ("中文 / English"), each once.

    For text that is stored or shown to people of either language whatever the
    language of the request that produced it: refusals about money, reasons
    written by the system.
    """
    return " / ".join(dict.fromkeys(in_languages(render)))
