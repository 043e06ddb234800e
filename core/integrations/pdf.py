"""PDF rendering with WeasyPrint, and the check that a CJK font is installed.

One place to configure PDF output: every app renders HTML templates and calls
``render_pdf``; the Chinese font family is set here so every document can show
Chinese text. A task that renders Chinese calls ``require_cjk_font()`` first:
without such a font WeasyPrint draws empty boxes instead of failing.
"""

import shutil
import subprocess
from functools import lru_cache

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.errors import ApplicationError

CJK_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", sans-serif'
CJK_FONT_PACKAGE = "fonts-noto-cjk"

# "第 1 页 / 共 N 页" at the foot of every page; a template includes it in its
# <style> as {{ page_numbers_css }} (marked safe: the quotes must stay quotes).
PAGE_NUMBERS_CSS = mark_safe(  # noqa: S308 - a constant of ours, no input in it
    "@page { @bottom-center { "
    'content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; '
    f"font-family: {CJK_FONT_FAMILY}; font-size: 9pt; "
    "} }"
)


class MissingCJKFont(ApplicationError):
    """No installed font covers Chinese, so a Chinese PDF would show empty boxes."""

    def __init__(self):
        super().__init__(
            _(
                "No Chinese (CJK) font is installed, so the PDF cannot be made. "
                "Install one on the server with: apt-get install %(package)s"
            )
            % {"package": CJK_FONT_PACKAGE},
            code="missing_cjk_font",
        )


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """Return the file of an installed font that covers Simplified Chinese, or None."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return None
    try:
        output = subprocess.run(  # noqa: S603 - fixed arguments
            [fc_list, ":lang=zh-cn", "file"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.split(":")[0].strip() for line in output.splitlines() if line.strip())
    return files[0] if files else None


def require_cjk_font() -> str:
    """Return the file of an installed CJK font, or raise ``MissingCJKFont``."""
    font = find_cjk_font()
    if font is None:
        raise MissingCJKFont()
    return font


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML document to PDF bytes."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
