"""Case notes are personal data (SPEC §4): every page and API answer that shows an assessment's
or a need's notes, a referral's reason, outcome or event notes, or a consent's reasons leaves
a read in the audit log, one entry per person, naming the notes and never their text."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import AuditEvent
from referrals import services
from referrals.models import Consent, Referral, ShareableField
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.providers import ServiceFactory
from tests.factories.referrals import NeedFactory, ReferralFactory

pytestmark = pytest.mark.django_db

ASSESSMENT_NOTES = "独居，行动不便。"
OVERRIDE_REASON = "本人认知障碍无法签字，女儿暂时联系不上。"


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def referral(agency, caseworker):
    need = NeedFactory(assessment__beneficiary__agency=agency)
    referral = services.create_referral(
        need=need, service=ServiceFactory(), user=caseworker, reason="需要每周两次上门照护。"
    )
    services.override_consent(
        referral=referral,
        user=user_with_role(Role.SUPERVISOR, agency),
        fields=[ShareableField.NAME],
        purpose="安排服务",
        reason=OVERRIDE_REASON,
    )
    return referral


def case_note_reads():
    return list(AuditEvent.objects.filter(action="beneficiary.case_notes_read").order_by("id"))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_person_page_audits_the_assessment_and_need_notes_it_shows(
    client, caseworker, referral
):
    client.force_login(caseworker)

    response = client.get(reverse("referrals:person", args=[referral.beneficiary.uuid]))

    assert ASSESSMENT_NOTES in response.text
    (read,) = case_note_reads()
    assert read.kind == AuditEvent.Kind.READ
    assert read.actor == caseworker
    assert read.organization_id == referral.agency_id
    assert read.object_id == str(referral.beneficiary.uuid)
    assert read.details == {"fields": ["assessment_notes", "need_notes"]}
    assert read.purpose
    assert ASSESSMENT_NOTES not in str(read.details) + read.purpose


def test_the_referral_page_audits_the_reason_and_the_override_reason(client, caseworker, referral):
    client.force_login(caseworker)

    response = client.get(reverse("referrals:referral", args=[referral.uuid]))

    assert OVERRIDE_REASON in response.text
    (read,) = case_note_reads()
    assert read.details == {"fields": ["override_reason", "reason"]}
    assert OVERRIDE_REASON not in str(read.details)


def test_a_person_without_notes_leaves_no_case_note_read(client, agency, caseworker):
    need = NeedFactory(assessment__beneficiary__agency=agency, notes="", assessment__notes="")
    client.force_login(caseworker)

    client.get(reverse("referrals:person", args=[need.assessment.beneficiary.uuid]))

    assert case_note_reads() == []


def test_api_lists_audit_each_person_shown_in_one_query(agency, caseworker):
    for _ in range(3):
        ReferralFactory(need=NeedFactory(assessment__beneficiary__agency=agency))

    response = api(caseworker).get(reverse("api-assessments-list"))

    assert response.status_code == 200
    reads = case_note_reads()
    assert len(reads) == 3
    assert {read.object_id for read in reads} == {
        row["beneficiary"] for row in response.json()["results"]
    }
    assert all(read.details == {"fields": ["assessment_notes", "need_notes"]} for read in reads)


def test_the_referral_api_audits_the_agency_side_only(agency, caseworker, referral):
    api(caseworker).get(reverse("api-referrals-list"))
    api(caseworker).get(reverse("api-referrals-detail", args=[referral.uuid]))

    listed, detailed = case_note_reads()
    assert listed.details == {"fields": ["reason"]}
    assert detailed.details == {"fields": ["override_reason", "reason"]}


def test_the_consent_api_audits_the_override_reason(caseworker, referral):
    response = api(caseworker).get(reverse("api-consents-list"))

    assert response.json()["results"][0]["override_reason"] == OVERRIDE_REASON
    assert response.json()["results"][0]["method"] == Consent.Method.SUPERVISOR_OVERRIDE
    (read,) = case_note_reads()
    assert read.details == {"fields": ["override_reason"]}
    assert read.object_id == str(referral.beneficiary.uuid)


def test_the_providers_inbox_list_leaves_no_case_note_read(referral, caseworker):
    services.send_referral(referral=referral, user=caseworker)
    staff = user_with_role(Role.PROVIDER_STAFF, referral.provider.organization)

    response = api(staff).get(reverse("api-referrals-list"))

    assert response.json()["results"][0]["status"] == Referral.Status.SENT
    assert case_note_reads() == []


def test_an_assessment_read_through_the_api_is_audited_once(caseworker, referral):
    assessment = referral.need.assessment

    response = api(caseworker).get(reverse("api-assessments-detail", args=[assessment.uuid]))

    assert response.json()["notes"] == assessment.notes
    (read,) = case_note_reads()
    assert read.details == {"fields": ["assessment_notes", "need_notes"]}
