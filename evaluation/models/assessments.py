"""Third-party assessments against a standards framework.

A ``StandardsFramework`` has weighted ``Dimension``s, each with weighted
``Indicator``s; every dimension names the civil-affairs social-organization
evaluation dimension it corresponds to (基础条件 / 内部治理 / 工作绩效 /
社会评价), the crosswalk that lets an assessment here stand beside a
civil-affairs grading.

An agency commissions an ``Assessment`` of a contract or of a provider and
assigns an assessor organization with no conflict of interest (no member who
also belongs to the provider, no ``ConflictDeclaration``). The assessor scores
every indicator from 1 to 4 (``IndicatorScore``) with evidence notes and
attachments and submits; the agency accepts or returns it. An accepted
assessment has a report PDF and a public summary on the provider's profile, and
may award an evaluation grade (1A–5A).
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.i18n import in_active_language
from core.lifecycle import Lifecycle
from core.storage import private_storage
from evaluation.models.common import person_field


class CivilAffairsDimension(models.TextChoices):
    """The four dimensions of the civil-affairs evaluation of social organizations."""

    BASIC_CONDITIONS = "basic_conditions", _("Basic conditions (基础条件)")
    INTERNAL_GOVERNANCE = "internal_governance", _("Internal governance (内部治理)")
    WORK_PERFORMANCE = "work_performance", _("Work performance (工作绩效)")
    SOCIAL_EVALUATION = "social_evaluation", _("Social evaluation (社会评价)")


class Score(models.IntegerChoices):
    INADEQUATE = 1, pgettext_lazy("assessment score", "1 Inadequate")
    REQUIRES_IMPROVEMENT = 2, pgettext_lazy("assessment score", "2 Requires improvement")
    GOOD = 3, pgettext_lazy("assessment score", "3 Good")
    OUTSTANDING = 4, pgettext_lazy("assessment score", "4 Outstanding")


# The levels in words alone, for a score shown beside its number ("3.35, good").
LEVEL_WORDS = {
    Score.INADEQUATE: pgettext_lazy("assessment level", "Inadequate"),
    Score.REQUIRES_IMPROVEMENT: pgettext_lazy("assessment level", "Requires improvement"),
    Score.GOOD: pgettext_lazy("assessment level", "Good"),
    Score.OUTSTANDING: pgettext_lazy("assessment level", "Outstanding"),
}


def score_in_words(value) -> str:
    """A score of 1–4 (an overall score has decimals) as the nearest level, in words."""
    if value is None:
        return ""
    level = min(max(int(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)), 1), 4)
    return str(LEVEL_WORDS[level])


def report_upload_path(assessment, filename: str) -> str:
    # The reference, never a name somebody typed.
    return f"assessments/{assessment.uuid}/{assessment.reference}-{uuid.uuid4().hex[:8]}.pdf"


def evidence_upload_path(attachment, filename: str) -> str:
    # Never the uploaded name in the path: it may carry a person's name.
    return f"assessments/{attachment.assessment.uuid}/evidence/{uuid.uuid4().hex}"


class StandardsFramework(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    version = models.CharField(_("version"), max_length=20, default="1")
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("standards framework")
        verbose_name_plural = _("standards frameworks")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)

    @property
    def description(self) -> str:
        return in_active_language(self.description_zh, self.description_en)


class Dimension(models.Model):
    framework = models.ForeignKey(
        StandardsFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="dimensions",
    )
    code = models.SlugField(_("code"), max_length=50)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    civil_affairs = models.CharField(
        _("civil-affairs evaluation dimension"),
        max_length=20,
        choices=CivilAffairsDimension.choices,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["framework", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="dimension_code_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=100), name="dimension_weight_range"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)


class Indicator(models.Model):
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=50)
    text_zh = models.CharField(_("indicator (Chinese)"), max_length=300)
    text_en = models.CharField(_("indicator (English)"), max_length=300)
    guidance_zh = models.TextField(_("what to look for (Chinese)"), blank=True)
    guidance_en = models.TextField(_("what to look for (English)"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight within the dimension"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="indicator_weight_min"),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return in_active_language(self.text_zh, self.text_en)

    @property
    def guidance(self) -> str:
        return in_active_language(self.guidance_zh, self.guidance_en)


class Assessment(models.Model):
    """One third-party assessment of a provider, or of a provider's contract."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", pgettext_lazy("assessment status", "Assigned")
        IN_PROGRESS = "in_progress", pgettext_lazy("assessment status", "Draft in progress")
        SUBMITTED = "submitted", pgettext_lazy("assessment status", "Submitted for acceptance")
        RETURNED = "returned", pgettext_lazy("assessment status", "Returned to the assessor")
        ACCEPTED = "accepted", pgettext_lazy("assessment status", "Accepted")
        CANCELLED = "cancelled", pgettext_lazy("assessment status", "Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    framework = models.ForeignKey(
        StandardsFramework,
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider assessed"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract assessed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("commissioned by"),
        on_delete=models.PROTECT,
        related_name="assessments_commissioned",
    )
    assessor = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("assessor organization"),
        on_delete=models.PROTECT,
        related_name="assessments_assigned",
    )
    scope = models.TextField(_("what to assess"), blank=True)
    due_date = models.DateField(_("due by"))
    may_award_grade = models.BooleanField(
        _("may award an evaluation grade"),
        default=False,
        help_text=_("Whether the assessor may recommend a 1A–5A grade for the provider."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ASSIGNED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    commissioned_by = person_field(_("commissioned by"))
    commissioned_at = models.DateTimeField(_("commissioned at"), default=timezone.now)
    summary_zh = models.TextField(_("summary for the public (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary for the public (English)"), blank=True)
    recommended_grade = models.PositiveSmallIntegerField(
        _("recommended grade"), null=True, blank=True
    )
    overall_score = models.DecimalField(
        _("overall score (1–4)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    submitted_by = person_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    return_reason = models.TextField(_("why it was returned"), blank=True)
    accepted_by = person_field(_("accepted by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, db_index=True)
    awarded_grade = models.PositiveSmallIntegerField(_("grade awarded"), null=True, blank=True)
    # Private until served by the public report view, which checks acceptance.
    report = models.FileField(
        _("report (PDF)"),
        storage=private_storage,
        upload_to=report_upload_path,
        max_length=255,
        blank=True,
    )

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-commissioned_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recommended_grade__isnull=True)
                | models.Q(recommended_grade__gte=1, recommended_grade__lte=5),
                name="assessment_recommended_grade_range",
            ),
            models.CheckConstraint(
                condition=models.Q(awarded_grade__isnull=True)
                | models.Q(awarded_grade__gte=1, awarded_grade__lte=5, status="accepted"),
                name="assessment_grade_only_when_accepted",
            ),
            models.CheckConstraint(
                condition=models.Q(overall_score__isnull=True)
                | models.Q(overall_score__gte=1, overall_score__lte=4),
                name="assessment_overall_score_range",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def summary(self) -> str:
        return in_active_language(self.summary_zh, self.summary_en)

    @property
    def overall_in_words(self) -> str:
        return score_in_words(self.overall_score)


ASSESSMENT_TRANSITIONS: dict[str, set[str]] = {
    Assessment.Status.ASSIGNED: {Assessment.Status.IN_PROGRESS, Assessment.Status.CANCELLED},
    Assessment.Status.IN_PROGRESS: {Assessment.Status.SUBMITTED, Assessment.Status.CANCELLED},
    Assessment.Status.SUBMITTED: {Assessment.Status.ACCEPTED, Assessment.Status.RETURNED},
    Assessment.Status.RETURNED: {Assessment.Status.SUBMITTED, Assessment.Status.CANCELLED},
    Assessment.Status.ACCEPTED: set(),
    Assessment.Status.CANCELLED: set(),
}

ASSESSMENT_LIFECYCLE = Lifecycle(
    name="assessment",
    states=Assessment.Status,
    transitions=ASSESSMENT_TRANSITIONS,
    refusal=_("An assessment that is “%(current)s” cannot become “%(target)s”."),
    organization=lambda assessment: assessment.agency_id,
    label=lambda assessment: assessment.reference,
    changed_at="status_changed_at",
)


class IndicatorScore(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(_("score"), choices=Score.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    scored_by = person_field(_("scored by"))
    scored_at = models.DateTimeField(_("scored at"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["assessment", "indicator__dimension__order", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="indicator_score_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=4), name="indicator_score_1_to_4"
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code}: {self.score}"


class AssessmentAttachment(models.Model):
    """Evidence the assessor attaches: a document, a photo of a record, a spreadsheet."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Evidence may show people's records: never public, served by a checked view only.
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=evidence_upload_path, max_length=255
    )
    name = models.CharField(pgettext_lazy("file", "name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    uploaded_by = person_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment attachment")
        verbose_name_plural = _("assessment attachments")
        ordering = ["assessment", "uploaded_at", "pk"]

    def __str__(self):
        return self.name


class ConflictDeclaration(models.Model):
    """An assessor organization declares it has a conflict with a provider."""

    assessor = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("assessor organization"),
        on_delete=models.CASCADE,
        related_name="conflicts_declared",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("provider"),
        on_delete=models.CASCADE,
        related_name="assessor_conflicts",
    )
    reason = models.TextField(_("nature of the conflict"))
    declared_by = person_field(_("declared by"))
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessor", "provider"], name="conflict_one_per_assessor_provider"
            )
        ]

    def __str__(self):
        return f"{self.assessor} × {self.provider}"
