"""The assessment pages of the workspace: the assessor's tabs, the scoring form, evidence
files, the commission page, the agency's decision, conflicts of interest, the workspace
cards — 404 for everybody outside — and the public report."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from evaluation.models import Assessment, ConflictDeclaration
from evaluation.services import assessments as services
from tests.evaluation.test_assessments import (
    CODES,
    SUMMARY,
    commissioned,
    full_scores,
    in_progress,
    submitted,
)
from tests.factories.accounts import AgencyFactory, MembershipFactory, user_with_role
from tests.factories.evaluation import AssessorOrganizationFactory, StandardsFrameworkFactory
from tests.factories.marketplace import commissioner_of
from tests.factories.providers import PDF_BYTES, VerifiedProviderFactory, provider_staff_of

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def _detail(assessment):
    return reverse("evaluation:assessment", args=[assessment.uuid])


LIST = reverse("evaluation:assessments")
NEW = reverse("evaluation:commission_assessment")
CONFLICTS = reverse("evaluation:conflicts")


def test_the_workspace_pages_answer_assessors_and_404_everybody_else():
    case = in_progress()
    assessment = case.assessment
    assessor = _client(case.assessor)
    for url in (LIST, f"{LIST}?tab=in_progress", _detail(assessment), CONFLICTS):
        assert assessor.get(url).status_code == 200, url
    outsiders = (
        user_with_role(Role.ASSESSOR),  # another assessor organization
        commissioner_of(AgencyFactory()),  # another agency
        provider_staff_of(assessment.provider),  # the provider itself, before acceptance
        user_with_role(Role.CASEWORKER, assessment.agency),
        user_with_role(Role.PLATFORM_ADMIN),
    )
    for outsider in outsiders:
        client = _client(outsider)
        assert client.get(_detail(assessment)).status_code == 404
        assert client.post(_detail(assessment), {"save": "1"}).status_code == 404
    for outsider in outsiders[2:]:
        client = _client(outsider)
        for url in (LIST, NEW, CONFLICTS):
            assert client.get(url).status_code == 404, (outsider, url)
    assert _client(case.commissioner).get(CONFLICTS).status_code == 404
    assert assessor.get(NEW).status_code == 404
    assert _client().get(LIST).status_code == 302  # to the sign-in page


def test_the_assessors_tabs_hold_assignments_drafts_submitted_returned_and_history():
    case = commissioned()
    draft = in_progress()
    # The same assessor organization holds both.
    Assessment.objects.filter(pk=draft.assessment.pk).update(assessor=case.assessment.assessor)
    client = _client(case.assessor)
    assigned = client.get(LIST).content.decode()
    assert case.assessment.reference in assigned and draft.assessment.reference not in assigned
    drafts = client.get(f"{LIST}?tab=in_progress").content.decode()
    assert draft.assessment.reference in drafts and case.assessment.reference not in drafts
    assert 'Assignments <span class="status-tabs__count">(1)</span>' in assigned
    assert case.assessment.reference not in client.get(f"{LIST}?tab=history").content.decode()


def test_the_assessor_saves_a_draft_then_submits_it_on_the_scoring_form(
    django_capture_on_commit_callbacks, mailoutbox
):
    case = commissioned(may_award_grade=True)
    client = _client(case.assessor)
    page = client.get(_detail(case.assessment)).content.decode()
    assert 'type="radio"' in page and "3 Good" in page and "Recommended grade" in page
    draft = {"score_d1-i1": "4", "evidence_d1-i1": "个案档案齐全。", "save": "1"}
    response = client.post(_detail(case.assessment), draft)
    assert response.status_code == 302
    assert case.reload().status == Assessment.Status.IN_PROGRESS
    incomplete = client.post(_detail(case.assessment), {**draft, "submit": "1"})
    assert incomplete.status_code == 400
    assert "Score this indicator before you submit." in incomplete.content.decode()
    complete = {"summary_zh": SUMMARY, "recommended_grade": "4", "submit": "1"}
    for code in CODES:
        complete |= {f"score_{code}": "3", f"evidence_{code}": "访谈了服务对象。"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_detail(case.assessment), complete).status_code == 302
    assessment = case.reload()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.recommended_grade == 4
    assert mailoutbox[-1].to == [case.commissioner.email]
    # Submitted, the form is gone and a post is refused.
    assert 'type="radio"' not in client.get(_detail(assessment)).content.decode()
    assert client.post(_detail(assessment), complete).status_code == 404


def test_evidence_files_are_checked_uploaded_read_by_the_parties_only_and_removed():
    case = commissioned()
    client = _client(case.assessor)
    attach = reverse("evaluation:assessment_attach", args=[case.assessment.uuid])
    fake = SimpleUploadedFile("档案.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    page = client.post(attach, {"file": fake}, follow=True).content.decode()
    assert "Only PDF, PNG or JPEG files are accepted." in page
    real = SimpleUploadedFile("督导记录.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(attach, {"file": real, "indicator": "d2-i1"})
    attachment = case.assessment.attachments.get()
    url = reverse("evaluation:assessment_attachment", args=[attachment.uuid])
    download = _client(case.commissioner).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert download["Cache-Control"] == "private, no-store"
    assert _client(commissioner_of(AgencyFactory())).get(url).status_code == 404
    remove = reverse("evaluation:remove_assessment_attachment", args=[attachment.uuid])
    assert _client(case.commissioner).post(remove).status_code == 404
    client.post(remove)
    assert not case.assessment.attachments.exists()


def test_the_commissioner_commissions_on_the_new_page_and_a_conflict_is_shown_at_the_assessor():
    agency = AgencyFactory()
    commissioner = commissioner_of(agency)
    client = _client(commissioner)
    provider = VerifiedProviderFactory()
    framework = StandardsFrameworkFactory()
    conflicted = AssessorOrganizationFactory()
    person = user_with_role(Role.ASSESSOR, conflicted, display_name="李双重")
    MembershipFactory(user=person, organization=provider.organization, role=Role.PROVIDER_ADMIN)
    page = client.get(NEW)
    assert page.status_code == 200
    assert provider.organization.name_en in page.content.decode()
    data = {
        "agency": agency.pk,
        "provider": provider.pk,
        "assessor": conflicted.pk,
        "framework": framework.pk,
        "due_date": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        "scope": "2026 年居家养老服务",
        "may_award_grade": "on",
    }
    refused = client.post(NEW, data)
    assert refused.status_code == 400
    assert "李双重" in refused.content.decode()
    free = AssessorOrganizationFactory()
    response = client.post(NEW, {**data, "assessor": free.pk})
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response.url == _detail(assessment)
    assert (assessment.assessor, assessment.agency, assessment.may_award_grade) == (
        free,
        agency,
        True,
    )


def test_the_commissioner_accepts_with_the_grade_or_returns_with_a_reason_on_the_page():
    case = submitted(grade=4)
    decide = reverse("evaluation:decide_assessment", args=[case.assessment.uuid])
    page = _client(case.commissioner).get(_detail(case.assessment)).content.decode()
    assert "Accept the assessment" in page and "Grade awarded" in page
    # The assessor is offered no decision, and cannot post one.
    assessor_page = _client(case.assessor).get(_detail(case.assessment)).content.decode()
    assert "Accept the assessment" not in assessor_page
    assert _client(case.assessor).post(decide, {"decision": "accept"}).status_code == 404
    no_reason = _client(case.commissioner).post(decide, {"decision": "return"}, follow=True)
    assert "Say what must change" in no_reason.content.decode()
    assert case.reload().status == Assessment.Status.SUBMITTED
    _client(case.commissioner).post(decide, {"decision": "accept", "awarded_grade": "3"})
    assessment = case.reload()
    assert (assessment.status, assessment.awarded_grade) == (Assessment.Status.ACCEPTED, 3)
    other = submitted()
    _client(other.commissioner).post(
        reverse("evaluation:decide_assessment", args=[other.assessment.uuid]),
        {"decision": "return", "reason": "请补充依据。"},
    )
    assert other.reload().status == Assessment.Status.RETURNED
    returned_page = _client(other.assessor).get(_detail(other.assessment)).content.decode()
    assert "请补充依据。" in returned_page and 'type="radio"' in returned_page


def test_the_commissioner_cancels_an_assessment_not_yet_submitted():
    case = in_progress()
    cancel = reverse("evaluation:cancel_assessment", args=[case.assessment.uuid])
    assert _client(case.assessor).post(cancel).status_code == 404
    _client(case.commissioner).post(cancel)
    assert case.reload().status == Assessment.Status.CANCELLED
    assert (
        "Cancel the assessment"
        not in _client(case.commissioner).get(_detail(case.assessment)).content.decode()
    )


def test_supervisors_and_finance_read_their_agencys_assessments_without_acting():
    case = submitted()
    agency = case.assessment.agency
    for role in (Role.SUPERVISOR, Role.FINANCE):
        client = _client(user_with_role(role, agency))
        page = client.get(_detail(case.assessment))
        assert page.status_code == 200
        assert "Accept the assessment" not in page.content.decode()
        assert "查阅了d1-i1相关档案。" in page.content.decode()  # the evidence, read-only
        assert case.assessment.reference in client.get(f"{LIST}?tab=submitted").content.decode()


def test_an_assessor_declares_a_conflict_on_its_page():
    assessor_org = AssessorOrganizationFactory()
    assessor = user_with_role(Role.ASSESSOR, assessor_org)
    provider = VerifiedProviderFactory()
    client = _client(assessor)
    refused = client.post(CONFLICTS, {"assessor": assessor_org.pk, "provider": provider.pk})
    assert refused.status_code == 400
    response = client.post(
        CONFLICTS,
        {
            "assessor": assessor_org.pk,
            "provider": provider.pk,
            "reason": "本机构理事在该机构任职。",
        },
    )
    assert response.status_code == 302
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.assessor, declaration.provider, declaration.declared_by) == (
        assessor_org,
        provider,
        assessor,
    )
    assert "本机构理事在该机构任职。" in client.get(CONFLICTS).content.decode()
    # Another organization's assessor cannot declare for this one.
    other = _client(user_with_role(Role.ASSESSOR))
    assert (
        other.post(
            CONFLICTS, {"assessor": assessor_org.pk, "provider": provider.pk, "reason": "x"}
        ).status_code
        == 400
    )
    assert ConflictDeclaration.objects.count() == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["assessor", "commissioner"])
def test_the_list_reads_in_fixed_queries(who):
    agency = AgencyFactory()
    commissioner = commissioner_of(agency)
    assessor_org = AssessorOrganizationFactory()
    assessor = user_with_role(Role.ASSESSOR, assessor_org)
    framework = StandardsFrameworkFactory()

    def make(count):
        for _i in range(count):
            services.commission_assessment(
                agency=agency,
                actor=commissioner,
                provider=VerifiedProviderFactory(),
                assessor=assessor_org,
                framework=framework,
                due_date=timezone.localdate() + datetime.timedelta(days=5),
            )

    client = _client(assessor if who == "assessor" else commissioner)
    url = f"{LIST}?tab=assigned"
    make(2)
    client.get(url)
    few = _queries(client, url)
    make(4)
    assert _queries(client, url) == few
    assert client.get(url).content.decode().count("ASM-") == 6


def test_the_detail_page_reads_in_fixed_queries_whatever_the_number_of_scores():
    case = commissioned()
    client = _client(case.assessor)
    client.get(_detail(case.assessment))
    empty = _queries(client, _detail(case.assessment))
    services.save_assessment(assessment=case.assessment, actor=case.assessor, scores=full_scores())
    services.add_attachment(
        assessment=case.assessment,
        actor=case.assessor,
        uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
    )
    assert _queries(client, _detail(case.assessment)) == empty


def test_the_workspace_card_counts_what_waits_for_assessors_and_commissioners():
    case = submitted()
    waiting = commissioned()
    Assessment.objects.filter(pk=waiting.assessment.pk).update(
        assessor=case.assessment.assessor, agency=case.assessment.agency
    )
    workspace = reverse("accounts:workspace")
    assessor_page = _client(case.assessor).get(workspace).content.decode()
    assert LIST in assessor_page and "1 waits for you" in assessor_page
    commissioner_page = _client(case.commissioner).get(workspace).content.decode()
    assert LIST in commissioner_page and "1 waits for you" in commissioner_page
    caseworker = user_with_role(Role.CASEWORKER, case.assessment.agency)
    assert LIST not in _client(caseworker).get(workspace).content.decode()


def test_the_report_is_public_once_accepted_and_not_before(django_capture_on_commit_callbacks):
    case = submitted()
    url = reverse("evaluation:assessment_report", args=[case.assessment.uuid])
    assert _client().get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_assessment(assessment=case.assessment, actor=case.commissioner)
    response = _client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
