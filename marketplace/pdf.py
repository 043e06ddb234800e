"""PDF documents of the marketplace: each bidder's assessment summary after an award.

Rendered with WeasyPrint through ``core.integrations.pdf`` from the record,
in Chinese and in English (the same summary twice, one language after the
other), with the CJK font that ``core.integrations.pdf`` names. View- and
request-independent: a page, the API or an e-mail task serve the bytes — to
the bidder only (``rules.is_bidder``), since the summary carries its price.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.formatting import moment_text
from core.integrations.pdf import CJK_FONT_FAMILY, render_pdf
from marketplace.models.bids import Bid
from marketplace.selectors.awards import assessment_summary

# Chinese first: the platform's language and that of most bidders.
PDF_LANGUAGES = ("zh-hans", "en")


def assessment_summary_filename(bid: Bid) -> str:
    return f"assessment-summary-{bid.tender.reference}-lot{bid.lot.number}.pdf"


def render_assessment_summary_pdf(bid: Bid) -> bytes:
    """The bidder's assessment summary — its scores and the winner's — as PDF bytes.

    Raises ``ApplicationError`` (code ``not_ready``) until an award of the
    bid's lot is approved.
    """
    summary = assessment_summary(bid)
    if summary is None:
        raise ApplicationError(
            _("The assessment summary is ready once the award of this lot is approved."),
            code="not_ready",
        )
    sections = []
    for language in PDF_LANGUAGES:
        with translation.override(language):
            sections.append(
                render_to_string(
                    "marketplace/pdf/assessment_summary_section.html",
                    {
                        "summary": summary,
                        "rows": list(zip(summary.own.lines, summary.winner.lines, strict=True)),
                        "standstill_ends": moment_text(summary.standstill_ends_at),
                    },
                )
            )
    html = render_to_string(
        "marketplace/pdf/assessment_summary.html",
        {
            "sections": sections,
            "font_family": CJK_FONT_FAMILY,
            "generated_at": timezone.localtime(),
            "summary": summary,
        },
    )
    return render_pdf(html)
