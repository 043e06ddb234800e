"""Reads of third-party assessments: frameworks, assessments as each person may see them,
the public summaries on a provider's profile, and the weighted scores.

Who sees an assessment (SPEC §4): the commissioning agency's commissioners,
supervisors and finance officers, and the assessors of the organization it is
assigned to. Nobody else — not the provider before acceptance, not another
agency, not a platform administrator by role alone. Once accepted, its summary,
scores and report are public. Every list reads in a fixed number of queries.

Scores: a dimension's score is the mean of its indicators' scores weighted by
the indicators' weights; the overall score is the mean of the dimension scores
weighted by the dimensions' weights (which sum to 100). Computed exactly with
fractions and rounded once, half up, to two decimals.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import Membership, Organization, Role
from accounts.rules import organizations_where
from contracts.selectors import contracts_visible_to
from core.mail import unique_addresses
from evaluation.models.assessments import (
    Assessment,
    AssessmentAttachment,
    ConflictDeclaration,
    Dimension,
    Indicator,
    IndicatorScore,
    StandardsFramework,
)
from providers.selectors import public_providers

AGENCY_ROLES = (Role.COMMISSIONER, Role.SUPERVISOR, Role.FINANCE)
CENT = Decimal("0.01")

# The workspace tabs: what each shows, in the order of the page.
TABS = (
    ("assigned", (Assessment.Status.ASSIGNED,)),
    ("in_progress", (Assessment.Status.IN_PROGRESS,)),
    ("submitted", (Assessment.Status.SUBMITTED,)),
    ("returned", (Assessment.Status.RETURNED,)),
    ("history", (Assessment.Status.ACCEPTED, Assessment.Status.CANCELLED)),
)
TAB_STATES = dict(TABS)
# What waits for whom: the assessor works on these; the commissioner decides those.
ASSESSOR_WAITING = (
    Assessment.Status.ASSIGNED,
    Assessment.Status.IN_PROGRESS,
    Assessment.Status.RETURNED,
)
COMMISSIONER_WAITING = (Assessment.Status.SUBMITTED,)


# --- frameworks -------------------------------------------------------------------------------


def _indicators() -> Prefetch:
    return Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk"))


def _dimensions(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}dimensions",
        queryset=Dimension.objects.order_by("order", "pk").prefetch_related(_indicators()),
    )


def frameworks() -> QuerySet[StandardsFramework]:
    """Frameworks in use, each with its dimensions and indicators (three queries)."""
    return (
        StandardsFramework.objects.filter(is_active=True)
        .prefetch_related(_dimensions())
        .order_by("code")
    )


def framework_by_code(code: str) -> StandardsFramework | None:
    return frameworks().filter(code=code).first()


# --- who sees which assessment ----------------------------------------------------------------


def _scope(user) -> Q | None:
    agencies = organizations_where(user, *AGENCY_ROLES)
    assessors = organizations_where(user, Role.ASSESSOR)
    if not (agencies or assessors):
        return None
    return Q(agency_id__in=agencies) | Q(assessor_id__in=assessors)


def has_assessment_scope(user) -> bool:
    """Whether the workspace's assessment pages are for this person at all (no query)."""
    return _scope(user) is not None


def assessments_visible_to(user) -> QuerySet[Assessment]:
    """The assessments the user may see, with their parties and framework, in one query."""
    scope = _scope(user)
    if scope is None:
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(scope)
        .select_related("framework", "provider__organization", "contract", "agency", "assessor")
        .order_by("-commissioned_at", "-pk")
    )


def in_tab(assessments: QuerySet[Assessment], tab: str) -> QuerySet[Assessment]:
    states = TAB_STATES.get(tab)
    return assessments.filter(status__in=states) if states else assessments


def tab_counts(user) -> dict[str, int]:
    """How many of the user's assessments each tab holds (one query)."""
    by_status = dict(
        assessments_visible_to(user)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {tab: sum(by_status.get(state, 0) for state in states) for tab, states in TABS}


def assessment_for(user, uuid) -> Assessment | None:
    """One assessment with its framework, scores and attachments; None outside the scope."""
    try:
        return (
            assessments_visible_to(user)
            .filter(uuid=uuid)
            .select_related("commissioned_by", "submitted_by", "accepted_by")
            .prefetch_related(
                _dimensions("framework__"),
                Prefetch("scores", queryset=IndicatorScore.objects.select_related("indicator")),
                Prefetch(
                    "attachments",
                    queryset=AssessmentAttachment.objects.select_related("indicator"),
                ),
            )
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        return None


def attachment_for(user, uuid) -> AssessmentAttachment | None:
    """An evidence file the user may read (whoever may see its assessment)."""
    scope = _scope(user)
    if scope is None:
        return None
    try:
        return (
            AssessmentAttachment.objects.filter(
                uuid=uuid, assessment__in=Assessment.objects.filter(scope)
            )
            .select_related("assessment")
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        return None


def waiting_count(user) -> int:
    """Assessments waiting for the user: to score (assessors), to decide (commissioners)."""
    assessors = organizations_where(user, Role.ASSESSOR)
    agencies = organizations_where(user, Role.COMMISSIONER)
    if not (assessors or agencies):
        return 0
    waiting = Q(pk__in=[])
    if assessors:
        waiting |= Q(assessor_id__in=assessors, status__in=ASSESSOR_WAITING)
    if agencies:
        waiting |= Q(agency_id__in=agencies, status__in=COMMISSIONER_WAITING)
    return Assessment.objects.filter(waiting).count()


# --- commissioning ----------------------------------------------------------------------------


def commissioning_agencies(user) -> QuerySet[Organization]:
    """The agencies in which the user may commission assessments."""
    return Organization.objects.filter(
        pk__in=organizations_where(user, Role.COMMISSIONER),
        kind=Organization.Kind.AGENCY,
        is_active=True,
    ).order_by("name_zh", "pk")


def assessable_providers():
    """Providers an assessment may be commissioned of: verified ones."""
    return public_providers().order_by("organization__name_zh", "pk")


def assessor_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=Organization.Kind.ASSESSOR, is_active=True).order_by(
        "name_zh", "pk"
    )


def assessable_contracts(user):
    """Contracts the user's agencies lead, which an assessment may be of."""
    return contracts_visible_to(user).filter(
        lead_agency_id__in=organizations_where(user, Role.COMMISSIONER)
    )


@dataclass(frozen=True)
class Conflict:
    """Why an assessor organization may not assess a provider, in a sentence's parts."""

    kind: str  # "member" or "declared"
    person: str = ""
    reason: str = ""


def conflicts_between(*, assessor: Organization, provider) -> list[Conflict]:
    """A member of both organizations, or a conflict the assessor declared (two queries)."""
    shared = (
        Membership.objects.filter(
            organization_id=assessor.pk,
            is_active=True,
            user__memberships__organization_id=provider.organization_id,
            user__memberships__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
        .distinct()
    )
    found = [Conflict(kind="member", person=str(m.user)) for m in shared]
    declaration = ConflictDeclaration.objects.filter(
        assessor_id=assessor.pk, provider_id=provider.pk
    ).first()
    if declaration is not None:
        found.append(Conflict(kind="declared", reason=declaration.reason))
    return found


def conflicts_declared_by(user) -> QuerySet[ConflictDeclaration]:
    """The declarations of the assessor organizations the user works for."""
    return (
        ConflictDeclaration.objects.filter(assessor_id__in=organizations_where(user, Role.ASSESSOR))
        .select_related("assessor", "provider__organization", "declared_by")
        .order_by("-declared_at", "-pk")
    )


def assessor_organizations_of(user) -> QuerySet[Organization]:
    return assessor_organizations().filter(pk__in=organizations_where(user, Role.ASSESSOR))


# --- who hears about an assessment ------------------------------------------------------------


def _addresses(organization_id: int, role: str) -> list[str]:
    return unique_addresses(
        Membership.objects.filter(
            organization_id=organization_id, role=role, is_active=True, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
    )


def assessor_recipients(assessment: Assessment) -> list[str]:
    """The active assessors of the organization the assessment is assigned to."""
    return _addresses(assessment.assessor_id, Role.ASSESSOR)


def commissioner_recipients(assessment: Assessment) -> list[str]:
    """The active commissioners of the agency that commissioned it."""
    return _addresses(assessment.agency_id, Role.COMMISSIONER)


# --- scores -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionResult:
    dimension: Dimension
    score: Decimal | None  # weighted mean of its indicators, once every one is scored
    scored: int
    total: int
    exact: Fraction | None = field(default=None, repr=False)  # the score before rounding


def _rounded(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def _dimension_exact(dimension: Dimension, score_of: dict[int, int]) -> tuple[Fraction | None, int]:
    indicators = list(dimension.indicators.all())
    scored = [(i.weight, score_of[i.pk]) for i in indicators if score_of.get(i.pk) is not None]
    if not indicators or len(scored) < len(indicators):
        return None, len(scored)
    total_weight = sum(weight for weight, _score in scored)
    return Fraction(sum(weight * score for weight, score in scored), total_weight), len(scored)


def dimension_results(dimensions, score_of: dict[int, int]) -> list[DimensionResult]:
    """Each dimension's weighted score (None until each of its indicators is scored)."""
    results = []
    for dimension in dimensions:
        exact, scored = _dimension_exact(dimension, score_of)
        results.append(
            DimensionResult(
                dimension=dimension,
                score=_rounded(exact) if exact is not None else None,
                scored=scored,
                total=len(dimension.indicators.all()),
                exact=exact,
            )
        )
    return results


def overall_score(results: list[DimensionResult]) -> Decimal | None:
    """The dimension scores' mean weighted by the dimensions' weights; None if any is missing.

    The unrounded dimension scores are used, so rounding happens once.
    """
    if not results or any(result.exact is None for result in results):
        return None
    total_weight = sum(result.dimension.weight for result in results)
    weighted = sum(result.dimension.weight * result.exact for result in results)
    return _rounded(Fraction(weighted) / total_weight)


def scores_of(assessment: Assessment) -> dict[int, int]:
    """Indicator id → score of the assessment (from the prefetched scores when there are)."""
    return {score.indicator_id: score.score for score in assessment.scores.all()}


def results_of(assessment: Assessment) -> list[DimensionResult]:
    return dimension_results(assessment.framework.dimensions.all(), scores_of(assessment))


def scorecard(assessment: Assessment) -> list[tuple[DimensionResult, list[tuple]]]:
    """Each dimension's result with its indicators and their scores (None: not scored)."""
    rows = {row.indicator_id: row for row in assessment.scores.all()}
    return [
        (result, [(i, rows.get(i.pk)) for i in result.dimension.indicators.all()])
        for result in results_of(assessment)
    ]


# --- what the public sees ---------------------------------------------------------------------


def public_assessments() -> QuerySet[Assessment]:
    """Accepted assessments of public providers."""
    return Assessment.objects.filter(
        status=Assessment.Status.ACCEPTED,
        provider__in=public_providers(),
    )


def public_summaries_of(provider) -> list[tuple[Assessment, list[DimensionResult]]]:
    """The provider's accepted assessments, newest first, each with its dimension scores.

    Four queries whatever the number of assessments: the assessments, their scores,
    their frameworks' dimensions and those dimensions' indicators.
    """
    assessments = (
        public_assessments()
        .filter(provider_id=provider.pk)
        .select_related("assessor", "agency", "framework")
        .prefetch_related(
            _dimensions("framework__"),
            Prefetch(
                "scores",
                queryset=IndicatorScore.objects.only("assessment_id", "indicator_id", "score"),
            ),
        )
        .order_by("-accepted_at", "-pk")
    )
    return [(assessment, results_of(assessment)) for assessment in assessments]


def public_report(uuid) -> Assessment | None:
    """An accepted assessment whose report PDF is ready, for anyone to download."""
    try:
        return public_assessments().filter(uuid=uuid).exclude(report="").first()
    except (ValueError, TypeError, ValidationError):
        return None
