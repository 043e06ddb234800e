"""The report PDF of an accepted assessment, rendered with WeasyPrint through
``core.integrations.pdf`` from the record.

Bilingual the way the contract PDF is: every heading and label in Chinese with its
English beside or below it, the record's own Chinese text first; so the template
carries no translatable strings. A4, the CJK font embedded, "第 1 页 / 共 N 页" at
the foot of each page. The report is public once the assessment is accepted: it
holds the scores, the evidence notes (the scoring form tells assessors not to name
the people served) and the summary, never the attached files.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.integrations.pdf import CJK_FONT_FAMILY, PAGE_NUMBERS_CSS, render_pdf
from evaluation.models.assessments import Assessment, CivilAffairsDimension, IndicatorScore
from evaluation.selectors import assessments as selectors

# The levels and crosswalk in both languages, written here so the PDF does not
# depend on which translations are compiled.
LEVELS = {
    1: ("不达标", "Inadequate"),
    2: ("需改进", "Requires improvement"),
    3: ("良好", "Good"),
    4: ("优秀", "Outstanding"),
}
CIVIL_AFFAIRS = {
    CivilAffairsDimension.BASIC_CONDITIONS: ("基础条件", "Basic conditions"),
    CivilAffairsDimension.INTERNAL_GOVERNANCE: ("内部治理", "Internal governance"),
    CivilAffairsDimension.WORK_PERFORMANCE: ("工作绩效", "Work performance"),
    CivilAffairsDimension.SOCIAL_EVALUATION: ("社会评价", "Social evaluation"),
}


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    text_zh: str
    text_en: str
    weight: int
    score: int | None
    level_zh: str
    level_en: str
    evidence: str


@dataclass(frozen=True)
class DimensionSection:
    name_zh: str
    name_en: str
    weight: int
    civil_zh: str
    civil_en: str
    score: Decimal | None
    level_zh: str
    level_en: str
    indicators: list[IndicatorRow]


def level(value) -> tuple[str, str]:
    """The nearest level of a score of 1–4, in Chinese and in English ("" for none)."""
    if value is None:
        return "", ""
    return LEVELS[min(max(int(Decimal(value).quantize(Decimal("1"), "ROUND_HALF_UP")), 1), 4)]


def sections(assessment: Assessment, scores: list[IndicatorScore]) -> list[DimensionSection]:
    by_indicator = {row.indicator_id: row for row in scores}
    results = selectors.dimension_results(
        assessment.framework.dimensions.all(),
        {pk: row.score for pk, row in by_indicator.items()},
    )
    built = []
    for result in results:
        dimension = result.dimension
        rows = []
        for indicator in dimension.indicators.all():
            row = by_indicator.get(indicator.pk)
            zh, en = level(row.score if row else None)
            rows.append(
                IndicatorRow(
                    code=indicator.code,
                    text_zh=indicator.text_zh,
                    text_en=indicator.text_en,
                    weight=indicator.weight,
                    score=row.score if row else None,
                    level_zh=zh,
                    level_en=en,
                    evidence=row.evidence if row else "",
                )
            )
        civil_zh, civil_en = CIVIL_AFFAIRS.get(dimension.civil_affairs, ("", ""))
        level_zh, level_en = level(result.score)
        built.append(
            DimensionSection(
                name_zh=dimension.name_zh,
                name_en=dimension.name_en,
                weight=dimension.weight,
                civil_zh=civil_zh,
                civil_en=civil_en,
                score=result.score,
                level_zh=level_zh,
                level_en=level_en,
                indicators=rows,
            )
        )
    return built


def report_context(assessment: Assessment) -> dict:
    assessment = (
        Assessment.objects.select_related(
            "framework", "provider__organization", "agency", "assessor", "contract"
        )
        .prefetch_related("framework__dimensions__indicators")
        .get(pk=assessment.pk)
    )
    scores = list(assessment.scores.all())
    overall_zh, overall_en = level(assessment.overall_score)
    return {
        "assessment": assessment,
        "framework": assessment.framework,
        "provider": assessment.provider.organization,
        "agency": assessment.agency,
        "assessor": assessment.assessor,
        "contract": assessment.contract,
        "sections": sections(assessment, scores),
        "overall_zh": overall_zh,
        "overall_en": overall_en,
        "attachment_count": assessment.attachments.count(),
        "font_family": CJK_FONT_FAMILY,
        "page_numbers_css": PAGE_NUMBERS_CSS,
        "generated_at": timezone.localtime(),
    }


def render_assessment_pdf(assessment: Assessment) -> bytes:
    """The PDF bytes of the assessment's report; the caller checks for a CJK font first."""
    with translation.override("zh-hans"):
        html = render_to_string("evaluation/pdf/assessment_report.html", report_context(assessment))
    return render_pdf(html)
