"""Third-party assessments (issue #13 point 3), through the services: commissioning with
no conflict of interest, scoring by the assigned assessor only, submitting once every
indicator is scored with the weighted overall score, the agency's acceptance or return,
the report PDF in Chinese, the public summary, the grade recorded by providers, and the
whole lifecycle table walked."""

import datetime
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import timezone

from accounts.models import Role
from core.errors import ApplicationError, InvalidTransition
from core.lifecycle import lifecycles, move
from core.models import AuditEvent
from evaluation.models import (
    ASSESSMENT_LIFECYCLE,
    Assessment,
    AssessmentAttachment,
    Dimension,
    Indicator,
    StandardsFramework,
)
from evaluation.services import assessments as services
from providers.models import Provider
from tests.factories.accounts import AgencyFactory, MembershipFactory, user_with_role
from tests.factories.evaluation import AssessorOrganizationFactory, StandardsFrameworkFactory
from tests.factories.marketplace import commissioner_of
from tests.factories.providers import PDF_BYTES, ProviderFactory, VerifiedProviderFactory

pytestmark = pytest.mark.django_db

SUMMARY = "机构服务规范，专业督导到位，建议加强服务对象参与。"
REASON = "请补充第二个维度的评估依据。"
# The factory's framework: two dimensions (60 and 40) of two indicators each.
CODES = ("d1-i1", "d1-i2", "d2-i1", "d2-i2")


@dataclass
class Case:
    """An assessment commissioned through the service, and the people around it."""

    assessment: Assessment
    commissioner: object
    assessor: object

    def reload(self) -> Assessment:
        self.assessment = Assessment.objects.get(pk=self.assessment.pk)
        return self.assessment


def commissioned(*, framework=None, provider=None, may_award_grade=False, **kwargs) -> Case:
    agency = AgencyFactory()
    commissioner = commissioner_of(agency)
    assessor_org = AssessorOrganizationFactory()
    assessor = user_with_role(Role.ASSESSOR, assessor_org)
    assessment = services.commission_assessment(
        agency=agency,
        actor=commissioner,
        provider=provider or VerifiedProviderFactory(),
        assessor=assessor_org,
        framework=framework or StandardsFrameworkFactory(),
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        may_award_grade=may_award_grade,
        **kwargs,
    )
    return Case(assessment, commissioner, assessor)


def full_scores(score=3) -> dict:
    return {code: {"score": score, "evidence": f"查阅了{code}相关档案。"} for code in CODES}


def in_progress(**kwargs) -> Case:
    case = commissioned(**kwargs)
    services.save_assessment(
        assessment=case.assessment, actor=case.assessor, scores={"d1-i1": {"score": 2}}
    )
    case.reload()
    return case


def submitted(*, grade=None, **kwargs) -> Case:
    case = commissioned(may_award_grade=grade is not None, **kwargs)
    services.submit_assessment(
        assessment=case.assessment,
        actor=case.assessor,
        scores=full_scores(),
        summary_zh=SUMMARY,
        summary_en="Well run; involve the people served more.",
        recommended_grade=grade,
    )
    case.reload()
    return case


def returned() -> Case:
    case = submitted()
    services.return_assessment(assessment=case.assessment, actor=case.commissioner, reason=REASON)
    case.reload()
    return case


def accepted(*, grade=None, **kwargs) -> Case:
    case = submitted(grade=grade, **kwargs)
    services.accept_assessment(
        assessment=case.assessment, actor=case.commissioner, awarded_grade=grade
    )
    case.reload()
    return case


def cancelled_from(make) -> Callable:
    def cancel():
        case = make()
        services.cancel_assessment(assessment=case.assessment, actor=case.commissioner)
        return case.reload()

    return cancel


# --- commissioning ----------------------------------------------------------------------------


def test_a_commissioner_assigns_an_assessor_under_a_yearly_reference_and_its_assessors_hear(
    django_capture_on_commit_callbacks, mailoutbox
):
    year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        first = commissioned()
    second = commissioned()
    assert first.assessment.reference == f"ASM-{year}-0001"
    assert second.assessment.reference == f"ASM-{year}-0002"
    assert first.assessment.status == Assessment.Status.ASSIGNED
    assert [mail.to for mail in mailoutbox] == [[first.assessor.email]]
    assert first.assessment.reference in mailoutbox[0].subject
    assert AuditEvent.objects.filter(
        action="assessment.commissioned", object_id=str(first.assessment.uuid)
    ).exists()


def _commission(agency, commissioner, assessor_org, provider, **kwargs):
    return services.commission_assessment(
        agency=agency,
        actor=commissioner,
        provider=provider,
        assessor=assessor_org,
        framework=kwargs.pop("framework", None) or StandardsFrameworkFactory(),
        due_date=kwargs.pop("due_date", timezone.localdate() + datetime.timedelta(days=10)),
        **kwargs,
    )


def test_an_assessor_with_a_member_of_the_provider_cannot_be_assigned_and_the_error_names_them():
    agency = AgencyFactory()
    provider = VerifiedProviderFactory()
    assessor_org = AssessorOrganizationFactory(name_en="Fair Review Centre")
    person = user_with_role(Role.ASSESSOR, assessor_org, display_name="王评估")
    MembershipFactory(user=person, organization=provider.organization, role=Role.PROVIDER_STAFF)
    with pytest.raises(ApplicationError) as refused:
        _commission(agency, commissioner_of(agency), assessor_org, provider)
    (message,) = refused.value.field_errors["assessor"]
    assert "王评估" in message and "Fair Review Centre" in message
    assert not Assessment.objects.exists()


def test_an_assessor_that_declared_a_conflict_with_the_provider_cannot_be_assigned():
    agency = AgencyFactory()
    provider = VerifiedProviderFactory()
    assessor_org = AssessorOrganizationFactory()
    declarer = user_with_role(Role.ASSESSOR, assessor_org)
    services.declare_conflict(
        assessor=assessor_org, provider=provider, reason="去年为该机构提供过咨询。", actor=declarer
    )
    with pytest.raises(ApplicationError) as refused:
        _commission(agency, commissioner_of(agency), assessor_org, provider)
    assert "去年为该机构提供过咨询。" in refused.value.field_errors["assessor"][0]
    # Another provider is not affected.
    assert _commission(agency, commissioner_of(agency), assessor_org, VerifiedProviderFactory())


def test_a_conflict_is_declared_once_by_an_assessor_of_the_organization_only():
    assessor_org = AssessorOrganizationFactory()
    provider = VerifiedProviderFactory()
    with pytest.raises(PermissionDenied):
        services.declare_conflict(
            assessor=assessor_org,
            provider=provider,
            reason="理事兼任。",
            actor=user_with_role(Role.ASSESSOR),
        )
    own = user_with_role(Role.ASSESSOR, assessor_org)
    with pytest.raises(ApplicationError) as refused:
        services.declare_conflict(assessor=assessor_org, provider=provider, reason=" ", actor=own)
    assert "reason" in refused.value.field_errors
    services.declare_conflict(
        assessor=assessor_org, provider=provider, reason="理事兼任。", actor=own
    )
    with pytest.raises(ApplicationError) as again:
        services.declare_conflict(
            assessor=assessor_org, provider=provider, reason="又一次。", actor=own
        )
    assert "provider" in again.value.field_errors


def test_only_a_commissioner_of_the_agency_commissions_a_verified_provider_by_an_assessor():
    agency = AgencyFactory()
    provider = VerifiedProviderFactory()
    assessor_org = AssessorOrganizationFactory()
    for outsider in (
        commissioner_of(AgencyFactory()),
        user_with_role(Role.CASEWORKER, agency),
        user_with_role(Role.ASSESSOR, assessor_org),
    ):
        with pytest.raises(PermissionDenied):
            _commission(agency, outsider, assessor_org, provider)
    commissioner = commissioner_of(agency)
    with pytest.raises(ApplicationError) as refused:
        _commission(
            agency,
            commissioner,
            AgencyFactory(),  # an agency is not an assessor
            ProviderFactory(),  # a draft provider is not verified
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert set(refused.value.field_errors) == {"assessor", "provider", "due_date"}


def test_a_contract_assessed_must_be_the_providers_and_led_by_the_agency():
    from tests.factories.contracts import contract_from_award

    contract = contract_from_award()
    agency = contract.lead_agency
    commissioner = commissioner_of(agency)
    assessor_org = AssessorOrganizationFactory()
    with pytest.raises(ApplicationError) as refused:
        _commission(
            agency, commissioner, assessor_org, VerifiedProviderFactory(), contract=contract
        )
    assert "contract" in refused.value.field_errors
    other_agency = AgencyFactory()
    with pytest.raises(ApplicationError) as outside:
        _commission(
            other_agency,
            commissioner_of(other_agency),
            assessor_org,
            contract.provider,
            contract=contract,
        )
    assert "contract" in outside.value.field_errors
    Provider.objects.filter(pk=contract.provider_id).update(status=Provider.Status.VERIFIED)
    contract.provider.refresh_from_db()
    assessment = _commission(
        agency, commissioner, assessor_org, contract.provider, contract=contract
    )
    assert assessment.contract == contract


# --- scoring ----------------------------------------------------------------------------------


def test_only_the_assigned_assessor_scores_and_the_first_save_starts_the_work():
    case = commissioned()
    others = (
        user_with_role(Role.ASSESSOR),  # another assessor organization's
        case.commissioner,
        user_with_role(Role.SUPERVISOR, case.assessment.agency),
    )
    for other in others:
        with pytest.raises(PermissionDenied):
            services.save_assessment(
                assessment=case.assessment, actor=other, scores={"d1-i1": {"score": 4}}
            )
    assert case.reload().status == Assessment.Status.ASSIGNED
    services.save_assessment(
        assessment=case.assessment,
        actor=case.assessor,
        scores={"d1-i1": {"score": 4, "evidence": "服务记录完整。"}},
    )
    assessment = case.reload()
    assert assessment.status == Assessment.Status.IN_PROGRESS
    row = assessment.scores.get()
    assert (row.indicator.code, row.score, row.evidence, row.scored_by) == (
        "d1-i1",
        4,
        "服务记录完整。",
        case.assessor,
    )


def test_a_later_save_keeps_what_it_leaves_out_and_an_empty_score_removes_one():
    case = in_progress()
    services.save_assessment(
        assessment=case.assessment,
        actor=case.assessor,
        scores={"d1-i2": {"score": "3"}},
        summary_zh="初稿",
    )
    assessment = case.reload()
    assert dict(assessment.scores.values_list("indicator__code", "score")) == {
        "d1-i1": 2,
        "d1-i2": 3,
    }
    services.save_assessment(
        assessment=assessment, actor=case.assessor, scores={"d1-i1": {"score": None}}
    )
    assessment = case.reload()
    assert list(assessment.scores.values_list("indicator__code", flat=True)) == ["d1-i2"]
    assert assessment.summary_zh == "初稿"


def test_scores_outside_1_to_4_unknown_indicators_and_evidence_without_a_score_are_refused():
    case = commissioned()
    with pytest.raises(ApplicationError) as refused:
        services.save_assessment(
            assessment=case.assessment,
            actor=case.assessor,
            scores={
                "d1-i1": {"score": 5},
                "d1-i2": {"score": "good"},
                "nope": {"score": 3},
                "d2-i1": {"evidence": "只有依据"},
            },
            recommended_grade=3,  # the assessment awards no grade
        )
    assert set(refused.value.field_errors) == {
        "score_d1-i1",
        "score_d1-i2",
        "score_nope",
        "score_d2-i1",
        "recommended_grade",
    }
    assert case.reload().status == Assessment.Status.ASSIGNED
    assert not case.assessment.scores.exists()


def test_submitting_is_refused_until_every_indicator_is_scored_and_the_summary_written():
    case = in_progress()
    with pytest.raises(ApplicationError) as refused:
        services.submit_assessment(
            assessment=case.assessment, actor=case.assessor, scores={"d2-i1": {"score": 3}}
        )
    assert set(refused.value.field_errors) == {"score_d1-i2", "score_d2-i2", "summary_zh"}
    assessment = case.reload()
    assert assessment.status == Assessment.Status.IN_PROGRESS
    # The refusal kept nothing of what came with it.
    assert not assessment.scores.filter(indicator__code="d2-i1").exists()
    services.submit_assessment(
        assessment=assessment, actor=case.assessor, scores=full_scores(), summary_zh=SUMMARY
    )
    assessment = case.reload()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.submitted_by == case.assessor and assessment.submitted_at
    assert assessment.overall_score == Decimal("3.00")


def test_an_assessment_that_may_award_a_grade_needs_the_recommended_grade_to_be_submitted():
    case = commissioned(may_award_grade=True)
    with pytest.raises(ApplicationError) as refused:
        services.submit_assessment(
            assessment=case.assessment,
            actor=case.assessor,
            scores=full_scores(),
            summary_zh=SUMMARY,
        )
    assert set(refused.value.field_errors) == {"recommended_grade"}
    with pytest.raises(ApplicationError) as out_of_range:
        services.submit_assessment(
            assessment=case.assessment,
            actor=case.assessor,
            scores=full_scores(),
            summary_zh=SUMMARY,
            recommended_grade=6,
        )
    assert set(out_of_range.value.field_errors) == {"recommended_grade"}


def weighted_framework() -> StandardsFramework:
    """Dimension A (70 %): indicators weighted 3 and 1; dimension B (30 %): 1, 1 and 2."""
    framework = StandardsFrameworkFactory(dimensions=False)
    for order, (code, weight, indicator_weights) in enumerate(
        [("a", 70, (3, 1)), ("b", 30, (1, 1, 2))], start=1
    ):
        dimension = Dimension.objects.create(
            framework=framework,
            code=code,
            name_zh=f"维度{code}",
            name_en=f"Dimension {code}",
            weight=weight,
            civil_affairs="work_performance",
            order=order,
        )
        for number, indicator_weight in enumerate(indicator_weights, start=1):
            Indicator.objects.create(
                dimension=dimension,
                code=f"{code}{number}",
                text_zh=f"指标{code}{number}",
                text_en=f"Indicator {code}{number}",
                weight=indicator_weight,
                order=number,
            )
    return framework


def test_the_overall_score_weighs_indicators_within_dimensions_and_dimensions_across():
    case = commissioned(framework=weighted_framework())
    services.submit_assessment(
        assessment=case.assessment,
        actor=case.assessor,
        scores={"a1": 4, "a2": 2, "b1": 1, "b2": 3, "b3": 4},
        summary_zh=SUMMARY,
    )
    # A = (3×4 + 1×2) / 4 = 3.5; B = (1×1 + 1×3 + 2×4) / 4 = 3.0;
    # overall = (70 × 3.5 + 30 × 3.0) / 100 = 3.35 (a plain mean of the five would be 2.8,
    # of the two dimensions 3.25).
    assert case.reload().overall_score == Decimal("3.35")


def test_evidence_files_are_judged_by_their_content_and_added_by_the_assessor_only():
    case = commissioned()
    fake = SimpleUploadedFile("记录.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ApplicationError) as refused:
        services.add_attachment(assessment=case.assessment, actor=case.assessor, uploaded_file=fake)
    assert "file" in refused.value.field_errors
    with pytest.raises(PermissionDenied):
        services.add_attachment(
            assessment=case.assessment,
            actor=case.commissioner,
            uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )
    attachment = services.add_attachment(
        assessment=case.assessment,
        actor=case.assessor,
        uploaded_file=SimpleUploadedFile("督导记录.pdf", PDF_BYTES),
        indicator_code="d1-i2",
    )
    assert attachment.content_type == "application/pdf"
    assert attachment.indicator.code == "d1-i2"
    assert "督导记录" not in attachment.file.name  # never the uploaded name in the path
    assert case.reload().status == Assessment.Status.IN_PROGRESS
    services.remove_attachment(attachment=attachment, actor=case.assessor)
    assert not AssessmentAttachment.objects.exists()


# --- the agency decides -----------------------------------------------------------------------


def test_only_a_commissioner_of_the_agency_accepts_or_returns_never_the_assessor():
    case = submitted()
    agency = case.assessment.agency
    # Someone who is an assessor of the assessor organization and a commissioner of the agency.
    both = user_with_role(Role.ASSESSOR, case.assessment.assessor)
    MembershipFactory(user=both, organization=agency, role=Role.COMMISSIONER)
    for refused in (
        case.assessor,
        both,
        commissioner_of(AgencyFactory()),
        user_with_role(Role.SUPERVISOR, agency),
    ):
        with pytest.raises(PermissionDenied):
            services.accept_assessment(assessment=case.assessment, actor=refused)
        with pytest.raises(PermissionDenied):
            services.return_assessment(assessment=case.assessment, actor=refused, reason=REASON)
    assert case.reload().status == Assessment.Status.SUBMITTED
    services.accept_assessment(assessment=case.assessment, actor=case.commissioner)
    assessment = case.reload()
    assert assessment.status == Assessment.Status.ACCEPTED
    assert assessment.accepted_by == case.commissioner and assessment.awarded_grade is None


def test_a_return_needs_a_reason_and_the_assessor_corrects_and_submits_again(
    django_capture_on_commit_callbacks, mailoutbox
):
    case = submitted()
    with pytest.raises(ApplicationError) as refused:
        services.return_assessment(assessment=case.assessment, actor=case.commissioner, reason=" ")
    assert "reason" in refused.value.field_errors
    with django_capture_on_commit_callbacks(execute=True):
        services.return_assessment(
            assessment=case.assessment, actor=case.commissioner, reason=REASON
        )
    assessment = case.reload()
    assert (assessment.status, assessment.return_reason) == (Assessment.Status.RETURNED, REASON)
    assert [mail.to for mail in mailoutbox] == [[case.assessor.email]]
    services.save_assessment(
        assessment=assessment, actor=case.assessor, scores={"d2-i1": {"score": 4}}
    )
    assert case.reload().status == Assessment.Status.RETURNED  # editing does not resubmit
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_assessment(assessment=case.assessment, actor=case.assessor)
    assessment = case.reload()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.overall_score == Decimal("3.20")  # d2 = (4 + 3) / 2; 0.6×3 + 0.4×3.5
    assert mailoutbox[-1].to == [case.commissioner.email]


def test_the_grade_needs_confirming_within_1_to_5_and_only_when_the_assessment_awards_one():
    plain = submitted()
    with pytest.raises(ApplicationError) as refused:
        services.accept_assessment(
            assessment=plain.assessment, actor=plain.commissioner, awarded_grade=4
        )
    assert "awarded_grade" in refused.value.field_errors
    graded = submitted(grade=4)
    for wrong in (None, 0, 6):
        with pytest.raises(ApplicationError) as refused:
            services.accept_assessment(
                assessment=graded.assessment, actor=graded.commissioner, awarded_grade=wrong
            )
        assert "awarded_grade" in refused.value.field_errors
    assert graded.reload().status == Assessment.Status.SUBMITTED


def test_awarding_a_grade_records_it_as_the_providers_verified_grade():
    case = accepted(grade=4)
    # The commissioner may confirm another grade than the one recommended.
    other = submitted(grade=5)
    services.accept_assessment(
        assessment=other.assessment, actor=other.commissioner, awarded_grade=3
    )
    assessment = case.assessment
    provider = assessment.provider
    provider.refresh_from_db()
    assert assessment.awarded_grade == 4
    assert provider.verified_grade == 4
    assert provider.grade_reference == assessment.reference
    assert provider.grade_date == timezone.localdate()
    other_provider = other.reload().provider
    assert other.assessment.awarded_grade == 3 and other_provider.verified_grade == 3


def _cjk_text_in(pdf: bytes) -> str:
    """The characters the PDF's fonts map to Unicode (WeasyPrint embeds only glyphs used)."""
    try:
        from io import BytesIO

        from pypdf import PdfReader
    except ImportError:
        chars = []
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
            try:
                data = zlib.decompress(stream)
            except zlib.error:
                continue
            if b"begincmap" not in data:
                continue
            for hex_text in re.findall(rb"<([0-9A-Fa-f]{4,})>", data):
                raw = bytes.fromhex(hex_text.decode())
                if len(raw) % 2 == 0:
                    chars.append(raw.decode("utf-16-be", errors="ignore"))
        return "".join(chars)
    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_acceptance_renders_a_real_pdf_report_with_the_chinese_text(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = accepted()
    assessment = case.reload()
    with assessment.report.open("rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF")
    text = _cjk_text_in(pdf)
    for chinese in ("第三方评估报告", assessment.provider.organization.name_zh, "维度1"):
        assert set(chinese) <= set(text), chinese
    # Rendered once: the task run again changes nothing.
    assert services.render_report(assessment_id=assessment.pk) == "ready"
    assert Assessment.objects.get(pk=assessment.pk).report.name == assessment.report.name


def _summaries(provider) -> str:
    return Template("{% load assessments %}{% assessment_summaries provider %}").render(
        Context({"provider": provider})
    )


def test_the_public_summary_shows_accepted_assessments_with_their_dimension_scores(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = accepted()
    provider = case.assessment.provider
    still_submitted = submitted(provider=provider)
    html = _summaries(provider)
    assessment = case.reload()
    assert assessment.reference in html and still_submitted.assessment.reference not in html
    assert assessment.assessor.name_en in html
    assert assessment.framework.name_en in html
    assert "Overall: <strong>Good</strong> (3.00 out of 4)" in html
    assert "Dimension 1" in html and "60%" in html and "Dimension 2" in html
    assert "Well run; involve the people served more." in html
    assert f"/assessments/{assessment.uuid}/report.pdf" in html
    assert _summaries(VerifiedProviderFactory()).strip() == ""


def test_the_public_summaries_read_in_fixed_queries(django_assert_max_num_queries):
    provider = VerifiedProviderFactory()

    accepted(provider=provider)
    with django_assert_max_num_queries(5):
        _summaries(provider)
    accepted(provider=provider)
    accepted(provider=provider)
    with django_assert_max_num_queries(5):
        assert _summaries(provider).count("Assessed by") == 3


def test_acceptance_queues_the_rating_update_of_the_provider(
    django_capture_on_commit_callbacks, monkeypatch
):
    from evaluation import tasks

    queued = []
    monkeypatch.setattr(tasks.update_provider_ratings, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        case = accepted()
    assert queued == [case.assessment.provider_id]


# --- the lifecycle table, walked through the services -----------------------------------------


def _save(case=None):
    case = case or commissioned()
    services.save_assessment(
        assessment=case.assessment, actor=case.assessor, scores={"d1-i1": {"score": 1}}
    )
    return case.reload()


def _submit(make):
    def submit():
        case = make()
        services.submit_assessment(
            assessment=case.assessment,
            actor=case.assessor,
            scores=full_scores(),
            summary_zh=SUMMARY,
        )
        return case.reload()

    return submit


MOVES = {
    ("assigned", "in_progress"): _save,
    ("assigned", "cancelled"): cancelled_from(commissioned),
    ("in_progress", "submitted"): _submit(in_progress),
    ("in_progress", "cancelled"): cancelled_from(in_progress),
    ("submitted", "accepted"): lambda: accepted().assessment,
    ("submitted", "returned"): lambda: returned().assessment,
    ("returned", "submitted"): _submit(returned),
    ("returned", "cancelled"): cancelled_from(returned),
}


def test_every_move_of_the_assessment_table_is_walked_here():
    assert ASSESSMENT_LIFECYCLE.name in lifecycles()
    assert set(ASSESSMENT_LIFECYCLE.moves()) == set(MOVES)


@pytest.mark.parametrize(("current", "target"), list(MOVES), ids=lambda v: v)
def test_each_allowed_move_is_made_by_its_service_and_audited(current, target):
    moved = MOVES[(current, target)]()
    moved.refresh_from_db()
    assert moved.status == target
    assert AuditEvent.objects.filter(
        object_type="evaluation.assessment",
        object_id=str(moved.uuid),
        details__from=current,
        details__to=target,
    ).exists()


def test_every_move_the_table_does_not_allow_is_refused():
    assessment = commissioned().assessment
    for current, target in ASSESSMENT_LIFECYCLE.refusals():
        Assessment.objects.filter(pk=assessment.pk).update(status=current)
        assessment.refresh_from_db()
        before = AuditEvent.objects.count()
        with pytest.raises(InvalidTransition):
            move(assessment, target, lifecycle=ASSESSMENT_LIFECYCLE, actor=None)
        assessment.refresh_from_db()
        assert assessment.status == current
        assert AuditEvent.objects.count() == before


STATES_MADE = {
    "assigned": commissioned,
    "in_progress": in_progress,
    "submitted": submitted,
    "returned": returned,
    "accepted": accepted,
    "cancelled": lambda: Case(cancelled_from(commissioned)(), None, None),
}


@pytest.mark.parametrize("state", list(STATES_MADE))
def test_the_services_refuse_every_move_the_table_does_not_allow_from_each_state(state):
    case = STATES_MADE[state]()
    assessment = Assessment.objects.get(pk=case.assessment.pk)
    agency, assessor_org = assessment.agency, assessment.assessor
    commissioner = case.commissioner or commissioner_of(agency)
    assessor = case.assessor or user_with_role(Role.ASSESSOR, assessor_org)
    tries = {
        "submitted": lambda: services.submit_assessment(assessment=assessment, actor=assessor),
        "accepted": lambda: services.accept_assessment(assessment=assessment, actor=commissioner),
        "returned": lambda: services.return_assessment(
            assessment=assessment, actor=commissioner, reason=REASON
        ),
        "cancelled": lambda: services.cancel_assessment(assessment=assessment, actor=commissioner),
    }
    for target, attempt in tries.items():
        if ASSESSMENT_LIFECYCLE.allows(state, target):
            continue
        with pytest.raises(InvalidTransition):
            attempt()
        assert Assessment.objects.get(pk=assessment.pk).status == state, target
    if state not in services.EDITABLE_STATES:
        with pytest.raises(ApplicationError):
            services.save_assessment(
                assessment=assessment, actor=assessor, scores={"d1-i1": {"score": 2}}
            )
