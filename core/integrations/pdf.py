"""PDF rendering with WeasyPrint, and the check that a CJK font is installed.

One place to configure PDF output: every app renders HTML templates and calls
``render_pdf``; the Chinese font family is set here so every document can show
Chinese text.
"""

import shutil
import subprocess
from functools import lru_cache

CJK_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", sans-serif'


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


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML document to PDF bytes."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
