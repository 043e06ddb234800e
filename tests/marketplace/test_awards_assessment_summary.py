"""Every bidder's assessment summary: its own scores and the winner's, as a real PDF in Chinese
and English, available once the award of its lot is approved — and nothing about the other
losing bids."""

import shutil
import subprocess
from decimal import Decimal

import pytest

from core.errors import ApplicationError
from core.integrations.pdf import find_cjk_font
from marketplace import rules, selectors, services
from marketplace.pdf import render_assessment_summary_pdf
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    award_approver,
    bidder_of,
    locked_panel,
    submitted_bids,
)

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607 - a test tool on PATH
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


@pytest.fixture
def tender():
    return EvaluationTenderFactory(
        title_zh="长者居家照护服务采购项目", title_en="Home care for elders"
    )


@pytest.fixture
def bids(tender):
    return submitted_bids(tender, ["400000.00", "450000.00", "480000.00"])


@pytest.fixture
def award(tender, bids):
    locked_panel(tender)
    services.compute_results(tender=tender)
    chair = tender.panel.chair
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=chair)
    return services.approve_award(award=award, actor=award_approver(tender))


def test_there_is_no_summary_before_the_award_is_approved(tender, bids):
    locked_panel(tender)
    services.compute_results(tender=tender)
    services.recommend_award(lot=tender.lots.get(number=1), actor=tender.panel.chair)
    assert selectors.assessment_summary(bids[1]) is None
    with pytest.raises(ApplicationError) as refused:
        render_assessment_summary_pdf(bids[1])
    assert refused.value.code == "not_ready"


def test_a_losing_bidder_gets_its_scores_and_the_winners(award, bids):
    summary = selectors.assessment_summary(bids[1])
    assert not summary.own.is_winner and summary.winner.is_winner
    assert summary.winner.provider == bids[0].provider
    assert (summary.own.result.rank, summary.winner.result.rank) == (2, 1)
    assert summary.bids_on_lot == 3
    assert summary.own.price == Decimal("450000.00")
    points = {line.criterion.kind: line.points for line in summary.winner.lines}
    assert points["price"] == Decimal("40.00")
    assert points["past_performance"] == Decimal("5.00")
    assert sum(points.values()) == summary.winner.result.total


def test_the_summary_is_a_real_pdf_in_chinese_and_english(award, bids, tender):
    pdf = render_assessment_summary_pdf(bids[1])
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Assessment summary" in text
    assert "Home care for elders" in text
    if find_cjk_font() is None:
        pytest.skip("no CJK font installed: Chinese text cannot be extracted")
    assert "长者居家照护服务采购项目" in text
    assert bids[1].provider.organization.name_zh in text  # the bidder
    assert bids[0].provider.organization.name_zh in text  # the winner
    assert "450000.00" in text and "400000.00" in text


def test_the_summary_says_nothing_about_the_other_losing_bids(award, bids):
    text = pdf_text(render_assessment_summary_pdf(bids[1]))
    third = bids[2].provider.organization
    assert third.name_en not in text and third.name_zh not in text
    assert "480000.00" not in text


def test_the_winner_gets_its_own_summary(award, bids):
    summary = selectors.assessment_summary(bids[0])
    assert summary.own.is_winner
    assert render_assessment_summary_pdf(bids[0]).startswith(b"%PDF-")


def test_only_the_bidder_may_be_served_its_summary(award, bids, tender):
    assert rules.is_bidder(bidder_of(bids[1].provider), bids[1])
    assert not rules.is_bidder(bidder_of(bids[0].provider), bids[1])
    assert not rules.is_bidder(tender.panel.chair, bids[1])
