"""Third-party assessments: commissioning, scoring, submitting, accepting or returning,
cancelling, the report PDF, and the conflicts of interest assessors declare.

A commissioner of an agency commissions an assessment of a verified provider (or
of one of its contracts the agency leads) and assigns an assessor organization
with no conflict of interest: no person belongs to both organizations, and the
assessor has declared no conflict with the provider. The assessor's people score
every indicator 1–4 with evidence and attachments; the first save starts the
work (assigned → in progress). Submitting needs every indicator scored and the
public summary; it fixes the overall score (``selectors.assessments`` says how).
A commissioner of the agency — never the assessor — accepts it (confirming the
grade when the assessment may award one, which providers records) or returns it
with a reason; a returned assessment is corrected and submitted again. Accepted,
its report PDF is rendered by a task and its summary is public; the provider's
ratings are updated after commit.
"""

import logging
from collections.abc import Mapping
from datetime import date

import rules
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from core.audit import record_change
from core.errors import ApplicationError
from core.integrations.pdf import MissingCJKFont, require_cjk_font
from core.lifecycle import move
from core.uploads import sniff_uploaded_file
from evaluation import rules as evaluation_rules
from evaluation.models.assessments import (
    ASSESSMENT_LIFECYCLE,
    Assessment,
    AssessmentAttachment,
    ConflictDeclaration,
    IndicatorScore,
    Score,
)
from evaluation.selectors import assessments as selectors
from evaluation.services.ratings import schedule_rating_update
from providers.services import grades

logger = logging.getLogger(__name__)

ONLY_COMMISSIONER = gettext_lazy("Only a commissioner of the agency can commission assessments.")
ONLY_ASSESSOR = gettext_lazy(
    "Only an assessor of the organization the assessment is assigned to can do this."
)
ONLY_DECIDER = gettext_lazy(
    "Only a commissioner of the agency that commissioned the assessment can do this."
)
OWN_ASSESSMENT = gettext_lazy(
    "An assessor cannot accept or return an assessment of their own organization: a "
    "commissioner of the agency decides."
)
ONLY_DECLARER = gettext_lazy(
    "Only an assessor of the organization can declare its conflicts of interest."
)
SOME_FIELDS = gettext_lazy("Some fields need attention.")
REQUIRED = gettext_lazy("This field is required.")
NOT_EDITABLE = gettext_lazy(
    "This assessment is “%(status)s”: it can be changed only while assigned, in progress "
    "or returned."
)
NOT_VERIFIED = gettext_lazy("Choose a verified provider.")
NOT_ASSESSOR = gettext_lazy("Choose an assessor organization.")
FRAMEWORK_UNUSED = gettext_lazy("Choose a standards framework in use.")
DUE_PASSED = gettext_lazy("The due date must be today or later.")
CONTRACT_OF_OTHER = gettext_lazy("This contract is not the chosen provider's.")
CONTRACT_OUTSIDE = gettext_lazy("Choose a contract your agency leads.")
SHARED_MEMBER = gettext_lazy(
    "Conflict of interest: %(person)s belongs to both %(assessor)s and %(provider)s. "
    "Choose another assessor organization."
)
DECLARED = gettext_lazy(
    "Conflict of interest: %(assessor)s has declared a conflict with %(provider)s "
    "(“%(reason)s”). Choose another assessor organization."
)
SCORE_RANGE = gettext_lazy("Choose a score from 1 to 4.")
EVIDENCE_WITHOUT_SCORE = gettext_lazy("Choose a score to keep this evidence.")
UNKNOWN_INDICATOR = gettext_lazy("The framework has no indicator %(code)s.")
NOT_SCORED = gettext_lazy("Score this indicator before you submit.")
GRADE_RANGE = gettext_lazy("Choose a grade from 1A to 5A.")
NO_GRADE = gettext_lazy("This assessment does not award a grade.")
GRADE_NEEDED = gettext_lazy("Confirm the grade to award (1A–5A).")
RECOMMEND_NEEDED = gettext_lazy("Recommend a grade (1A–5A): this assessment may award one.")
REASON_NEEDED = gettext_lazy("Say what must change: the assessor reads it with the assessment.")
FILE_TOO_BIG = gettext_lazy("The file is %(size).1f MB; files may be at most %(limit)d MB.")
FILE_TYPE = gettext_lazy("Only PDF, PNG or JPEG files are accepted.")
TOO_MANY_FILES = gettext_lazy("An assessment has at most %(count)d attachments: remove one first.")
ALREADY_DECLARED = gettext_lazy("Your organization has already declared a conflict with it.")

EDITABLE_STATES = frozenset(
    {Assessment.Status.ASSIGNED, Assessment.Status.IN_PROGRESS, Assessment.Status.RETURNED}
)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 30
GRADES = range(1, 6)


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(str(SOME_FIELDS), field_errors=errors)


def _notify(assessment: Assessment, event: str) -> None:
    from evaluation import tasks

    assessment_id = assessment.pk
    transaction.on_commit(lambda: tasks.send_assessment_notification.delay(assessment_id, event))


def _locked(assessment: Assessment) -> Assessment:
    """The assessment's row as it is now, locked for the rest of the transaction."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("framework", "provider__organization", "agency", "assessor")
        .prefetch_related("framework__dimensions__indicators")
        .get(pk=assessment.pk)
    )


def _require(perm: str, actor, assessment: Assessment, message) -> None:
    # The rules themselves, never user.has_perm: a superuser holds no role by being one.
    if not rules.has_perm(perm, actor, assessment):
        raise PermissionDenied(str(message))


def _require_editable(assessment: Assessment) -> None:
    if assessment.status not in EDITABLE_STATES:
        raise ApplicationError(
            NOT_EDITABLE % {"status": assessment.get_status_display()}, code="not_editable"
        )


def _label(assessment: Assessment) -> str:
    return assessment.reference


# --- commissioning ----------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    """The next free reference of the year, e.g. ``ASM-2026-0007``."""
    stem = f"ASM-{year}-"
    # Numbers are zero-padded, so the largest reference is the last one: one row read.
    last = (
        Assessment.objects.filter(reference__regex=rf"^{stem}[0-9]{{4}}$")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(stem) :]) if last else 0
    return f"{stem}{number + 1:04d}"


def _save_numbered(assessment: Assessment, *, now) -> None:
    """Save a new assessment under the next free reference, numbering again on a collision."""
    for _attempt in range(5):
        assessment.reference = _next_reference(timezone.localdate(now).year)
        try:
            with transaction.atomic():
                assessment.save()
            return
        except IntegrityError:
            continue  # another assessment took the reference meanwhile
    raise ApplicationError(_("No free assessment reference was found; try again."))


def conflict_messages(*, assessor: Organization, provider) -> list[str]:
    """Why ``assessor`` may not assess ``provider``, one sentence per conflict (none: [])."""
    names = {"assessor": assessor.name, "provider": provider.name}
    messages = []
    for conflict in selectors.conflicts_between(assessor=assessor, provider=provider):
        if conflict.kind == "member":
            messages.append(SHARED_MEMBER % {**names, "person": conflict.person})
        else:
            messages.append(DECLARED % {**names, "reason": conflict.reason})
    return messages


@transaction.atomic
def commission_assessment(
    *,
    agency: Organization,
    actor: User,
    provider,
    assessor: Organization | None,
    framework,
    due_date: date | None,
    contract=None,
    scope: str = "",
    may_award_grade: bool = False,
    now=None,
) -> Assessment:
    """A commissioner of ``agency`` commissions an assessment and assigns the assessor.

    Refused with a field error on ``assessor`` naming the conflict when the
    assessor organization and the provider share a member or the assessor has
    declared a conflict with the provider.
    """
    now = now or timezone.now()
    if not rules.has_perm("evaluation.commission_assessment", actor, agency):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    errors: dict[str, list[str]] = {}
    if provider is None or not selectors.assessable_providers().filter(pk=provider.pk).exists():
        errors["provider"] = [str(NOT_VERIFIED)]
        provider = None
    if assessor is None or assessor.kind != Organization.Kind.ASSESSOR or not assessor.is_active:
        errors["assessor"] = [str(NOT_ASSESSOR)]
    elif provider is not None:
        conflicts = conflict_messages(assessor=assessor, provider=provider)
        if conflicts:
            errors["assessor"] = conflicts
    if framework is None or not framework.is_active:
        errors["framework"] = [str(FRAMEWORK_UNUSED)]
    if due_date is None:
        errors["due_date"] = [str(REQUIRED)]
    elif due_date < timezone.localdate(now):
        errors["due_date"] = [str(DUE_PASSED)]
    if contract is not None:
        if provider is not None and contract.provider_id != provider.pk:
            errors["contract"] = [str(CONTRACT_OF_OTHER)]
        elif (
            contract.lead_agency_id != agency.pk
            or not selectors.assessable_contracts(actor).filter(pk=contract.pk).exists()
        ):
            errors["contract"] = [str(CONTRACT_OUTSIDE)]
    _raise_if(errors)
    assessment = Assessment(
        framework=framework,
        provider=provider,
        contract=contract,
        agency=agency,
        assessor=assessor,
        scope=(scope or "").strip(),
        due_date=due_date,
        may_award_grade=bool(may_award_grade),
        status_changed_at=now,
        commissioned_by=actor,
        commissioned_at=now,
    )
    _save_numbered(assessment, now=now)
    record_change(
        action="assessment.commissioned",
        actor=actor,
        organization=agency.pk,
        target=assessment,
        details={
            "provider": str(provider.uuid),
            "assessor": str(assessor.uuid),
            "framework": framework.code,
            "contract": contract.reference if contract else None,
            "may_award_grade": assessment.may_award_grade,
        },
        label=_label(assessment),
    )
    _notify(assessment, "assigned")
    return assessment


# --- the assessor's work ----------------------------------------------------------------------


def _start(assessment: Assessment, actor, now) -> None:
    """The first save of any kind starts the work."""
    if assessment.status == Assessment.Status.ASSIGNED:
        move(
            assessment,
            Assessment.Status.IN_PROGRESS,
            lifecycle=ASSESSMENT_LIFECYCLE,
            actor=actor,
            now=now,
        )


def _score_value(value, *, field: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number not in Score.values:
        errors[field] = [str(SCORE_RANGE)]
        return None
    return number


def _grade_value(value, *, field: str, errors: dict, message=GRADE_RANGE) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number not in GRADES:
        errors[field] = [str(message)]
        return None
    return number


def _write(assessment, *, actor, scores, summary_zh, summary_en, recommended_grade, now) -> None:
    """Keep what the assessor wrote; what is left out (None, a missing key) stays as it was."""
    errors: dict[str, list[str]] = {}
    indicators = {
        indicator.code: indicator
        for dimension in assessment.framework.dimensions.all()
        for indicator in dimension.indicators.all()
    }
    existing = {row.indicator_id: row for row in assessment.scores.all()}
    changes: list[tuple] = []
    for code, entry in (scores or {}).items():
        indicator = indicators.get(str(code))
        if indicator is None:
            errors[f"score_{code}"] = [UNKNOWN_INDICATOR % {"code": code}]
            continue
        row = existing.get(indicator.pk)
        entry = entry if isinstance(entry, Mapping) else {"score": entry}
        field = f"score_{indicator.code}"
        score = (
            _score_value(entry["score"], field=field, errors=errors)
            if "score" in entry
            else (row.score if row else None)
        )
        evidence = (
            (entry.get("evidence") or "").strip()
            if "evidence" in entry
            else (row.evidence if row else "")
        )
        if field in errors:
            continue
        if score is None and evidence:
            errors[field] = [str(EVIDENCE_WITHOUT_SCORE)]
            continue
        changes.append((indicator, row, score, evidence))
    if recommended_grade is not None:
        if not assessment.may_award_grade:
            errors["recommended_grade"] = [str(NO_GRADE)]
        else:
            recommended_grade = _grade_value(
                recommended_grade, field="recommended_grade", errors=errors
            )
    _raise_if(errors)
    _start(assessment, actor, now)
    for indicator, row, score, evidence in changes:
        if score is None:
            if row is not None:
                row.delete()
        elif row is None:
            IndicatorScore.objects.create(
                assessment=assessment,
                indicator=indicator,
                score=score,
                evidence=evidence,
                scored_by=actor,
                scored_at=now,
            )
        elif (row.score, row.evidence) != (score, evidence):
            row.score, row.evidence, row.scored_by, row.scored_at = score, evidence, actor, now
            row.save(update_fields=["score", "evidence", "scored_by", "scored_at"])
    if summary_zh is not None:
        assessment.summary_zh = summary_zh.strip()
    if summary_en is not None:
        assessment.summary_en = summary_en.strip()
    if recommended_grade is not None:
        assessment.recommended_grade = recommended_grade
    assessment.save(update_fields=["summary_zh", "summary_en", "recommended_grade"])
    record_change(
        action="assessment.saved",
        actor=actor,
        organization=assessment.agency_id,
        target=assessment,
        details={"indicators": sorted(indicator.code for indicator, *_rest in changes)},
        label=_label(assessment),
    )


def _for_scoring(assessment: Assessment, actor, *, target: str | None = None) -> Assessment:
    assessment = _locked(assessment)
    _require("evaluation.score_assessment", actor, assessment, ONLY_ASSESSOR)
    if target is not None and assessment.status not in EDITABLE_STATES:
        # A move the table refuses says so in the table's words.
        ASSESSMENT_LIFECYCLE.check(assessment.status, target)
    _require_editable(assessment)
    return assessment


@transaction.atomic
def save_assessment(
    *,
    assessment: Assessment,
    actor: User,
    scores: Mapping | None = None,
    summary_zh: str | None = None,
    summary_en: str | None = None,
    recommended_grade=None,
    now=None,
) -> Assessment:
    """Keep the assessor's draft: scores by indicator code (``{"sq-needs": {"score": 3,
    "evidence": "…"}}``; an empty score removes it), the summaries, the recommended grade.
    """
    now = now or timezone.now()
    assessment = _for_scoring(assessment, actor)
    _write(
        assessment,
        actor=actor,
        scores=scores,
        summary_zh=summary_zh,
        summary_en=summary_en,
        recommended_grade=recommended_grade,
        now=now,
    )
    return assessment


@transaction.atomic
def submit_assessment(
    *,
    assessment: Assessment,
    actor: User,
    scores: Mapping | None = None,
    summary_zh: str | None = None,
    summary_en: str | None = None,
    recommended_grade=None,
    now=None,
) -> Assessment:
    """Send the assessment to the agency: every indicator scored, the summary written.

    Saves what is given first (as ``save_assessment``); a refusal keeps nothing of it.
    """
    now = now or timezone.now()
    assessment = _for_scoring(assessment, actor, target=Assessment.Status.SUBMITTED)
    writes = (scores, summary_zh, summary_en, recommended_grade)
    if any(value is not None for value in writes):
        _write(
            assessment,
            actor=actor,
            scores=scores,
            summary_zh=summary_zh,
            summary_en=summary_en,
            recommended_grade=recommended_grade,
            now=now,
        )
    ASSESSMENT_LIFECYCLE.check(assessment.status, Assessment.Status.SUBMITTED)
    score_of = dict(assessment.scores.values_list("indicator_id", "score"))
    errors: dict[str, list[str]] = {}
    dimensions = list(assessment.framework.dimensions.all())
    for dimension in dimensions:
        for indicator in dimension.indicators.all():
            if indicator.pk not in score_of:
                errors[f"score_{indicator.code}"] = [str(NOT_SCORED)]
    if not assessment.summary_zh:
        errors["summary_zh"] = [str(REQUIRED)]
    if assessment.may_award_grade and assessment.recommended_grade is None:
        errors["recommended_grade"] = [str(RECOMMEND_NEEDED)]
    _raise_if(errors)
    overall = selectors.overall_score(selectors.dimension_results(dimensions, score_of))
    move(
        assessment,
        Assessment.Status.SUBMITTED,
        lifecycle=ASSESSMENT_LIFECYCLE,
        actor=actor,
        now=now,
        values={"submitted_by": actor, "submitted_at": now, "overall_score": overall},
        details={"overall_score": str(overall)},
    )
    _notify(assessment, "submitted")
    return assessment


@transaction.atomic
def add_attachment(
    *, assessment: Assessment, actor: User, uploaded_file, indicator_code: str = ""
) -> AssessmentAttachment:
    """Attach evidence (a PDF or an image, judged by its content, at most 10 MB)."""
    now = timezone.now()
    assessment = _for_scoring(assessment, actor)
    errors: dict[str, list[str]] = {}
    indicator = None
    if indicator_code:
        indicator = next(
            (
                i
                for d in assessment.framework.dimensions.all()
                for i in d.indicators.all()
                if i.code == indicator_code
            ),
            None,
        )
        if indicator is None:
            errors["indicator"] = [UNKNOWN_INDICATOR % {"code": indicator_code}]
    content_type = None
    if assessment.attachments.count() >= MAX_ATTACHMENTS:
        errors["file"] = [TOO_MANY_FILES % {"count": MAX_ATTACHMENTS}]
    elif uploaded_file.size > ATTACHMENT_MAX_BYTES:
        errors["file"] = [
            FILE_TOO_BIG
            % {
                "size": uploaded_file.size / 1_048_576,
                "limit": ATTACHMENT_MAX_BYTES // 1_048_576,
            }
        ]
    else:
        # By its first bytes, never by its name or the browser's content type.
        content_type = sniff_uploaded_file(uploaded_file)
        if content_type is None:
            errors["file"] = [str(FILE_TYPE)]
    _raise_if(errors)
    _start(assessment, actor, now)
    attachment = AssessmentAttachment(
        assessment=assessment,
        indicator=indicator,
        name=(uploaded_file.name or "attachment")[-200:],
        content_type=content_type,
        uploaded_by=actor,
        uploaded_at=now,
    )
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    record_change(
        action="assessment.attachment_added",
        actor=actor,
        organization=assessment.agency_id,
        target=assessment,
        details={"attachment": str(attachment.uuid), "size": uploaded_file.size},
        label=_label(assessment),
    )
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: AssessmentAttachment, actor: User) -> None:
    assessment = _for_scoring(attachment.assessment, actor)
    record_change(
        action="assessment.attachment_removed",
        actor=actor,
        organization=assessment.agency_id,
        target=assessment,
        details={"attachment": str(attachment.uuid)},
        label=_label(assessment),
    )
    attachment.file.delete(save=False)
    attachment.delete()


# --- the agency decides -----------------------------------------------------------------------


def _for_deciding(assessment: Assessment, actor, target: str) -> Assessment:
    assessment = _locked(assessment)
    # Whoever works for the assessor never judges its own work, whatever else they are.
    if evaluation_rules.is_assigned_assessor(actor, assessment):
        raise PermissionDenied(str(OWN_ASSESSMENT))
    _require("evaluation.decide_assessment", actor, assessment, ONLY_DECIDER)
    ASSESSMENT_LIFECYCLE.check(assessment.status, target)
    return assessment


@transaction.atomic
def accept_assessment(
    *, assessment: Assessment, actor: User, awarded_grade=None, now=None
) -> Assessment:
    """A commissioner of the agency accepts a submitted assessment.

    When it may award a grade, the commissioner confirms the grade (1A–5A; it may
    differ from the one recommended) and providers records it as the provider's.
    """
    now = now or timezone.now()
    assessment = _for_deciding(assessment, actor, Assessment.Status.ACCEPTED)
    errors: dict[str, list[str]] = {}
    grade = None
    if not assessment.may_award_grade:
        if awarded_grade not in (None, ""):
            errors["awarded_grade"] = [str(NO_GRADE)]
    else:
        grade = _grade_value(awarded_grade, field="awarded_grade", errors=errors)
        if grade is None and "awarded_grade" not in errors:
            errors["awarded_grade"] = [str(GRADE_NEEDED)]
    _raise_if(errors)
    move(
        assessment,
        Assessment.Status.ACCEPTED,
        lifecycle=ASSESSMENT_LIFECYCLE,
        actor=actor,
        now=now,
        values={"accepted_by": actor, "accepted_at": now, "awarded_grade": grade},
        details={"awarded_grade": grade},
    )
    if grade is not None:
        grades.record_assessed_grade(
            provider=assessment.provider,
            grade=grade,
            awarded_on=timezone.localdate(now),
            reference=assessment.reference,
            actor=actor,
        )
    assessment_id = assessment.pk
    transaction.on_commit(lambda: _queue_report(assessment_id))
    schedule_rating_update(provider_id=assessment.provider_id)
    _notify(assessment, "accepted")
    return assessment


@transaction.atomic
def return_assessment(*, assessment: Assessment, actor: User, reason: str, now=None):
    """A commissioner of the agency sends it back to the assessor, saying what must change."""
    now = now or timezone.now()
    assessment = _for_deciding(assessment, actor, Assessment.Status.RETURNED)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(str(REASON_NEEDED), field_errors={"reason": [str(REASON_NEEDED)]})
    move(
        assessment,
        Assessment.Status.RETURNED,
        lifecycle=ASSESSMENT_LIFECYCLE,
        actor=actor,
        now=now,
        values={"return_reason": reason},
    )
    _notify(assessment, "returned")
    return assessment


@transaction.atomic
def cancel_assessment(*, assessment: Assessment, actor: User, now=None) -> Assessment:
    """A commissioner of the agency calls off an assessment not yet submitted."""
    assessment = _for_deciding(assessment, actor, Assessment.Status.CANCELLED)
    move(
        assessment,
        Assessment.Status.CANCELLED,
        lifecycle=ASSESSMENT_LIFECYCLE,
        actor=actor,
        now=now or timezone.now(),
    )
    _notify(assessment, "cancelled")
    return assessment


# --- the report -------------------------------------------------------------------------------


def _queue_report(assessment_id: int) -> None:
    from evaluation import tasks

    tasks.render_assessment_report.delay(assessment_id)


@transaction.atomic
def render_report(*, assessment_id: int) -> str:
    """Render and keep the report PDF of an accepted assessment (once: idempotent).

    Returns "ready", "missing" (no such accepted assessment) or "missing_font": without
    a Chinese font WeasyPrint would draw empty boxes, so nothing is stored and the
    task can be run again once the font is installed.
    """
    from evaluation.pdf import render_assessment_pdf

    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .filter(pk=assessment_id, status=Assessment.Status.ACCEPTED)
        .first()
    )
    if assessment is None:
        return "missing"
    if assessment.report:
        return "ready"
    try:
        require_cjk_font()
    except MissingCJKFont as error:
        logger.error("Assessment report %s not rendered: %s", assessment.reference, error.message)
        return "missing_font"
    pdf = render_assessment_pdf(assessment)
    assessment.report.save(f"{assessment.reference}.pdf", ContentFile(pdf), save=False)
    assessment.save(update_fields=["report"])
    record_change(
        action="assessment.report_rendered",
        actor=None,
        organization=assessment.agency_id,
        target=assessment,
        details={"bytes": len(pdf)},
        label=_label(assessment),
    )
    return "ready"


# --- conflicts of interest --------------------------------------------------------------------


@transaction.atomic
def declare_conflict(
    *, assessor: Organization, provider, reason: str, actor: User, now=None
) -> ConflictDeclaration:
    """An assessor declares its organization's conflict with a provider; from then on it
    cannot be assigned to assess that provider."""
    if not rules.has_perm("evaluation.declare_conflict", actor, assessor):
        raise PermissionDenied(str(ONLY_DECLARER))
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if provider is None:
        errors["provider"] = [str(REQUIRED)]
    elif ConflictDeclaration.objects.filter(assessor=assessor, provider=provider).exists():
        errors["provider"] = [str(ALREADY_DECLARED)]
    if not reason:
        errors["reason"] = [str(REQUIRED)]
    _raise_if(errors)
    try:
        with transaction.atomic():
            declaration = ConflictDeclaration.objects.create(
                assessor=assessor,
                provider=provider,
                reason=reason,
                declared_by=actor,
                declared_at=now or timezone.now(),
            )
    except IntegrityError:
        # Declared at the same moment by a colleague: the constraint is the last word.
        raise ApplicationError(
            str(SOME_FIELDS), field_errors={"provider": [str(ALREADY_DECLARED)]}
        ) from None
    record_change(
        action="assessment conflict.declared",
        actor=actor,
        organization=assessor.pk,
        target=declaration,
        details={"provider": str(provider.uuid)},
        label=str(provider),
    )
    return declaration
