"""Contract PDFs: a clear error instead of empty boxes, and "第 1 页 / 共 N 页" on every page."""

import shutil
import subprocess

import pytest

from core.integrations import pdf

FIND_CJK_FONT = pdf.find_cjk_font  # the cached lookup


@pytest.fixture
def cjk_font_lookup():
    """Forget the cached font lookup before and after, so each test sees its own system."""
    FIND_CJK_FONT.cache_clear()
    yield
    FIND_CJK_FONT.cache_clear()


def test_without_a_cjk_font_rendering_is_refused_with_how_to_install_one(
    monkeypatch, cjk_font_lookup
):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)  # no fontconfig at all

    with pytest.raises(pdf.MissingCJKFont) as raised:
        pdf.require_cjk_font()

    assert raised.value.code == "missing_cjk_font"
    assert "apt-get install fonts-noto-cjk" in raised.value.message


def test_page_numbers_read_page_n_of_total_on_every_page(cjk_font_lookup):
    pytest.importorskip("weasyprint")
    if pdf.find_cjk_font() is None or shutil.which("pdftotext") is None:
        pytest.skip("needs a CJK font and pdftotext (make setup installs both)")
    html = (
        f"<html><head><style>{pdf.PAGE_NUMBERS_CSS} body {{ font-family: {pdf.CJK_FONT_FAMILY} }}"
        "</style></head><body><p>第一页</p><p style='break-before: page'>第二页</p></body></html>"
    )

    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=pdf.render_pdf(html),
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()

    # pdftotext drops the spaces between Chinese characters, so compare without spaces.
    compact = "".join(text.split())
    assert "第一页" in compact and "第二页" in compact
    assert "第1页/共2页" in compact
    assert "第2页/共2页" in compact
