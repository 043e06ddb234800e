"""Evaluation grades are evidence, not claims (issue #13 point 4).

A provider cannot type its grade into its profile; it declares it with the
certificate, and the grade shows as “declared, not verified” and counts
nowhere — not in the directory's grade filter, not for tender eligibility —
until a platform administrator who does not work for the provider verifies
it. An accepted assessment that awards a grade makes it count at once.
Grades typed in before this change were turned into declared ones.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.errors import ApplicationError, InvalidTransition
from core.lifecycle import move
from core.models import AuditEvent
from marketplace import eligibility
from providers.models import GRADE_LIFECYCLE, Provider, ProviderDocument
from providers.services import grades
from tests.factories.accounts import MembershipFactory, user_with_role
from tests.factories.marketplace import BidFactory, TenderingTenderFactory, complete_bid
from tests.factories.providers import (
    PDF_BYTES,
    ProviderDocumentFactory,
    ServiceFactory,
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.providers._registration_factories import private_files  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

Standing = Provider.GradeStatus
AWARDED = date(2024, 6, 30)
EN = {"accept-language": "en"}
DIRECTORY = reverse("providers:directory")
DECLARE = reverse("providers:declare_grade")


@pytest.fixture
def provider():
    provider = VerifiedProviderFactory(organization__name_en="Sunshine Social Work")
    ServiceFactory(provider=provider, name_zh="阳光居家养老")
    return provider


@pytest.fixture
def platform_admin():
    return user_with_role(Role.PLATFORM_ADMIN)


def certificate_file(name="certificate.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def public_profile(client, provider) -> str:
    response = client.get(reverse("providers:profile", args=[provider.uuid]), headers=EN)
    assert response.status_code == 200
    return response.content.decode()


def listed_with_grade(client, grade: int) -> list[str]:
    response = client.get(DIRECTORY, {"grade": str(grade)}, headers=EN)
    assert response.status_code == 200
    return [service.name_zh for service in response.context["services"]]


def grade_problems(provider, min_grade=Provider.Grade.A5) -> list[dict]:
    bid = complete_bid(
        BidFactory(tender=TenderingTenderFactory(min_grade=min_grade), provider=provider)
    )
    return [
        problem for problem in eligibility.eligibility_report(bid) if problem["code"] == "grade"
    ]


def declare(provider, grade=Provider.Grade.A5, **kwargs) -> Provider:
    """Declare through the service, as the provider's administrator; ``provider`` is refreshed."""
    kwargs.setdefault("uploaded_file", certificate_file())
    declared = grades.declare_grade(
        provider=provider,
        actor=provider_admin_of(provider),
        grade=grade,
        awarded_on=kwargs.pop("awarded_on", AWARDED),
        certificate_number=kwargs.pop("certificate_number", "沪民评字〔2024〕第0031号"),
        **kwargs,
    )
    provider.refresh_from_db()
    return declared


def decide(client, provider, decision, note=""):
    return client.post(
        reverse("providers:decide_grade", args=[provider.uuid]),
        {"decision": decision, "note": note},
        headers=EN,
    )


# --- the bug: a typed grade counted at once ---------------------------------------


def test_a_grade_posted_with_the_profile_form_is_ignored_and_counts_nowhere(client, provider):
    client.force_login(provider_admin_of(provider))
    edit = reverse("providers:edit_profile")
    page = client.get(edit).content.decode()
    assert 'name="grade"' not in page and 'name="grade_date"' not in page

    response = client.post(
        edit,
        {
            "name_zh": provider.organization.name_zh,
            "name_en": provider.organization.name_en,
            "district": "",
            "legal_form": provider.legal_form,
            "nature": provider.nature,
            "registration_authority": provider.registration_authority,
            "registration_date": "2015-03-02",
            "grade": "5",
            "grade_date": "2024-06-30",
            "certified_social_workers": "7",
            "staff_count": "20",
            "description_zh": "社区服务",
            "description_en": "",
            "website": "",
            "public_email": "",
            "public_phone": "",
        },
    )

    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.grade, provider.grade_status, provider.grade_date) == (0, Standing.NONE, None)
    assert provider.certified_social_workers == 7  # the rest of the form was saved
    client.logout()
    profile = public_profile(client, provider)
    assert "5A" not in profile
    assert "Not graded" in profile
    assert listed_with_grade(client, 5) == []
    [problem] = grade_problems(provider)
    assert "yours is “Not graded”" in problem["message_en"]


def test_the_profile_service_refuses_a_grade(provider):
    from providers.services.registration import update_provider_profile

    with pytest.raises(TypeError):
        update_provider_profile(
            provider=provider, actor=provider_admin_of(provider), grade=5, grade_date=AWARDED
        )


# --- declaring ----------------------------------------------------------------------


def test_a_declared_grade_shows_declared_not_verified_and_counts_nowhere(client, provider):
    client.force_login(provider_admin_of(provider))
    assert client.get(DECLARE).status_code == 200

    response = client.post(
        DECLARE,
        {
            "grade": "5",
            "awarded_on": "2024-06-30",
            "certificate_number": "沪民评字〔2024〕第0031号",
            "file": certificate_file(),
        },
        headers=EN,
    )

    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.grade == Provider.Grade.A5
    assert provider.grade_status == Standing.DECLARED
    assert provider.grade_source == Provider.GradeSource.CERTIFICATE
    assert provider.grade_reference == "沪民评字〔2024〕第0031号"
    assert provider.grade_document.kind == ProviderDocument.Kind.GRADE_CERTIFICATE
    assert provider.verified_grade == Provider.Grade.NONE
    own = client.get(reverse("providers:my_profile"), headers=EN).content.decode()
    assert "5A (declared, not verified)" in own
    assert AuditEvent.objects.filter(action="provider.grade_declared").count() == 1

    client.logout()
    profile = public_profile(client, provider)
    assert "5A (declared, not verified)" in profile
    assert "verified (certificate)" not in profile
    assert listed_with_grade(client, 5) == []
    assert listed_with_grade(client, 1) == []
    [problem] = grade_problems(provider)
    assert "your grade 5A is declared but not verified" in problem["message_en"]
    api = client.get(reverse("api-providers-detail", args=[provider.uuid])).json()
    assert (api["grade"], api["grade_status"], api["grade_source"]) == (
        5,
        "declared",
        "certificate",
    )


def test_a_declared_grade_below_the_minimum_is_named_with_its_standing(provider):
    declare(provider, grade=Provider.Grade.A2)
    [problem] = grade_problems(provider, min_grade=Provider.Grade.A3)
    assert "yours is “2A (declared, not verified)”" in problem["message_en"]


def test_a_grade_is_declared_with_a_certificate_already_uploaded(provider):
    certificate = ProviderDocumentFactory(
        provider=provider, kind=ProviderDocument.Kind.GRADE_CERTIFICATE, title="评估等级证书"
    )
    declared = declare(provider, certificate=certificate, uploaded_file=None)
    assert declared.grade_document == certificate
    assert provider.documents.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"awarded_on": None}, "awarded_on"),
        ({"awarded_on": timezone.localdate() + timedelta(days=1)}, "awarded_on"),
        ({"grade": 0}, "grade"),
        ({"grade": 6}, "grade"),
        ({"certificate_number": "  "}, "certificate_number"),
        ({"uploaded_file": None}, "file"),
    ],
)
def test_a_declaration_without_its_evidence_is_a_field_error(provider, overrides, field):
    arguments = {"grade": Provider.Grade.A4, **overrides}
    with pytest.raises(ApplicationError) as refused:
        declare(provider, **arguments)
    assert field in refused.value.field_errors
    provider.refresh_from_db()
    assert (provider.grade, provider.grade_status) == (0, Standing.NONE)


def test_a_grade_date_left_empty_on_the_page_is_a_field_error(client, provider):
    client.force_login(provider_admin_of(provider))
    response = client.post(
        DECLARE,
        {"grade": "3", "awarded_on": "", "certificate_number": "X1", "file": certificate_file()},
    )
    assert response.status_code == 200
    assert "awarded_on" in response.context["form"].errors
    provider.refresh_from_db()
    assert provider.grade == Provider.Grade.NONE


def test_another_providers_document_or_one_of_another_kind_is_no_certificate(provider):
    for document in (
        ProviderDocumentFactory(kind=ProviderDocument.Kind.GRADE_CERTIFICATE),
        ProviderDocumentFactory(provider=provider, kind=ProviderDocument.Kind.ANNUAL_REPORT),
    ):
        with pytest.raises(ApplicationError) as refused:
            declare(provider, certificate=document, uploaded_file=None)
        assert "certificate" in refused.value.field_errors


def test_only_the_providers_administrators_declare_its_grade(client, provider):
    staff = provider_staff_of(provider)
    client.force_login(staff)
    assert client.get(DECLARE).status_code == 404
    with pytest.raises(PermissionDenied):
        grades.declare_grade(
            provider=provider,
            actor=staff,
            grade=5,
            awarded_on=AWARDED,
            certificate_number="X1",
            uploaded_file=certificate_file(),
        )
    other = VerifiedProviderFactory()
    with pytest.raises(PermissionDenied):
        grades.declare_grade(
            provider=provider,
            actor=provider_admin_of(other),
            grade=5,
            awarded_on=AWARDED,
            certificate_number="X1",
            uploaded_file=certificate_file(),
        )


# --- verifying -----------------------------------------------------------------------


def test_a_platform_admin_verifying_the_declared_grade_makes_it_count(
    client, provider, platform_admin
):
    declare(provider)
    client.force_login(platform_admin)
    page = client.get(
        reverse("providers:verification_detail", args=[provider.uuid]), headers=EN
    ).content.decode()
    assert "5A (declared, not verified)" in page
    assert reverse("providers:download_document", args=[provider.grade_document.uuid]) in page
    assert reverse("providers:decide_grade", args=[provider.uuid]) in page

    response = decide(client, provider, "accept")

    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.grade_status == Standing.VERIFIED
    assert provider.grade_verified_by == platform_admin
    assert provider.grade_verified_at is not None
    assert provider.verified_grade == Provider.Grade.A5
    event = AuditEvent.objects.get(action="provider.grade_verified")
    assert event.details["from"] == "declared" and event.details["to"] == "verified"
    client.logout()
    profile = public_profile(client, provider)
    assert "5A — verified (certificate)" in profile
    assert "declared, not verified" not in profile
    assert listed_with_grade(client, 5) == ["阳光居家养老"]
    assert grade_problems(provider) == []


def test_refusing_a_declared_grade_clears_it_and_the_provider_reads_why(
    client, provider, platform_admin
):
    declare(provider)
    client.force_login(platform_admin)

    without_note = decide(client, provider, "refuse")
    assert without_note.status_code == 200
    assert "note" in without_note.context["grade_form"].errors
    provider.refresh_from_db()
    assert provider.grade_status == Standing.DECLARED

    response = decide(client, provider, "refuse", note="证书上的机构名称与登记名称不符。")

    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.grade, provider.grade_status, provider.grade_date) == (0, Standing.NONE, None)
    assert provider.grade_document is None
    assert AuditEvent.objects.filter(action="provider.grade_refused").count() == 1
    client.force_login(provider_admin_of(provider))
    own = client.get(reverse("providers:my_profile"), headers=EN).content.decode()
    assert "证书上的机构名称与登记名称不符。" in own


def test_a_provider_cannot_verify_its_own_grade(client, provider):
    declare(provider)
    administrator = provider_admin_of(provider)
    client.force_login(administrator)
    assert decide(client, provider, "accept").status_code == 404
    with pytest.raises(PermissionDenied):
        grades.verify_declared_grade(provider=provider, user=administrator, accept=True)

    # Not even a platform administrator who also works for the provider.
    insider = user_with_role(Role.PLATFORM_ADMIN)
    MembershipFactory(user=insider, organization=provider.organization, role=Role.PROVIDER_STAFF)
    client.force_login(insider)
    page = client.get(reverse("providers:verification_detail", args=[provider.uuid])).content
    assert reverse("providers:decide_grade", args=[provider.uuid]).encode() not in page
    assert decide(client, provider, "accept").status_code == 403
    with pytest.raises(PermissionDenied):
        grades.verify_declared_grade(provider=provider, user=insider, accept=True)
    provider.refresh_from_db()
    assert provider.grade_status == Standing.DECLARED


def test_supervisors_who_verify_registrations_do_not_verify_grades(client, settings, provider):
    settings.AGENCY_SUPERVISORS_VERIFY_PROVIDERS = True
    declare(provider)
    supervisor = user_with_role(Role.SUPERVISOR)
    client.force_login(supervisor)
    assert decide(client, provider, "accept").status_code == 403
    with pytest.raises(PermissionDenied):
        grades.verify_declared_grade(provider=provider, user=supervisor, accept=True)


def test_a_superuser_without_the_role_does_not_verify_grades(provider):
    declare(provider)
    superuser = user_with_role(Role.CASEWORKER, is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        grades.verify_declared_grade(provider=provider, user=superuser, accept=True)


def test_a_grade_without_its_certificate_cannot_be_verified(provider, platform_admin):
    declared = declare(provider)
    declared.grade_document.delete()
    with pytest.raises(ApplicationError):
        grades.verify_declared_grade(provider=provider, user=platform_admin, accept=True)
    provider.refresh_from_db()
    assert provider.grade_status == Standing.DECLARED


def test_only_a_declared_grade_is_decided_on(provider, platform_admin):
    with pytest.raises(InvalidTransition):
        grades.verify_declared_grade(provider=provider, user=platform_admin, accept=True)
    declare(provider)
    grades.verify_declared_grade(provider=provider, user=platform_admin, accept=True)
    with pytest.raises(InvalidTransition):
        grades.verify_declared_grade(provider=provider, user=platform_admin, accept=True)


def test_a_new_declaration_replaces_a_verified_grade_until_it_is_verified(provider, platform_admin):
    declare(provider, grade=Provider.Grade.A3)
    grades.verify_declared_grade(provider=provider, user=platform_admin, accept=True)
    declare(provider, grade=Provider.Grade.A4, awarded_on=date(2025, 1, 10))
    provider.refresh_from_db()
    assert (provider.grade, provider.grade_status) == (4, Standing.DECLARED)
    assert provider.grade_verified_by is None
    assert provider.verified_grade == Provider.Grade.NONE


# --- third-party assessments ------------------------------------------------------------


def test_an_accepted_assessment_records_a_grade_that_counts(client, provider):
    commissioner = user_with_role(Role.COMMISSIONER)
    declare(provider, grade=Provider.Grade.A2)

    grades.record_assessed_grade(
        provider=provider,
        grade=Provider.Grade.A5,
        awarded_on=AWARDED,
        reference="ASM-2025-0007",
        actor=commissioner,
    )

    provider.refresh_from_db()
    assert provider.grade == Provider.Grade.A5
    assert provider.grade_status == Standing.VERIFIED
    assert provider.grade_source == Provider.GradeSource.ASSESSMENT
    assert provider.grade_reference == "ASM-2025-0007"
    assert provider.grade_document is None
    assert provider.grade_verified_by == commissioner
    event = AuditEvent.objects.get(action="provider.grade_assessed")
    assert event.details["reference"] == "ASM-2025-0007"
    profile = public_profile(client, provider)
    assert "5A — verified (assessment ASM-2025-0007)" in profile
    assert listed_with_grade(client, 5) == ["阳光居家养老"]
    assert grade_problems(provider) == []
    api = client.get(reverse("api-providers-detail", args=[provider.uuid])).json()
    assert (api["grade_status"], api["grade_source"]) == ("verified", "assessment")


def test_an_assessed_grade_needs_the_person_who_accepted_it(provider):
    from django.contrib.auth.models import AnonymousUser

    for actor in (None, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            grades.record_assessed_grade(
                provider=provider, grade=5, awarded_on=AWARDED, reference="ASM-1", actor=actor
            )
    with pytest.raises(ApplicationError) as refused:
        grades.record_assessed_grade(
            provider=provider,
            grade=5,
            awarded_on=AWARDED,
            reference="",
            actor=user_with_role(Role.COMMISSIONER),
        )
    assert "reference" in refused.value.field_errors


# --- the table, walked through the services ---------------------------------------------


def _verify(provider):
    return grades.verify_declared_grade(
        provider=provider, user=user_with_role(Role.PLATFORM_ADMIN), accept=True
    )


def _refuse(provider):
    return grades.verify_declared_grade(
        provider=provider, user=user_with_role(Role.PLATFORM_ADMIN), accept=False, note="不符"
    )


def _assess(provider):
    return grades.record_assessed_grade(
        provider=provider,
        grade=4,
        awarded_on=AWARDED,
        reference="ASM-9",
        actor=user_with_role(Role.COMMISSIONER),
    )


SERVICE_OF_MOVE = {
    (Standing.NONE, Standing.DECLARED): declare,
    (Standing.NONE, Standing.VERIFIED): _assess,
    (Standing.DECLARED, Standing.DECLARED): declare,
    (Standing.DECLARED, Standing.VERIFIED): _verify,
    (Standing.DECLARED, Standing.NONE): _refuse,
    (Standing.VERIFIED, Standing.DECLARED): declare,
    (Standing.VERIFIED, Standing.VERIFIED): _assess,
}
REACH = {Standing.NONE: None, Standing.DECLARED: declare, Standing.VERIFIED: _assess}


def test_every_move_of_the_grade_table_has_its_service():
    assert set(GRADE_LIFECYCLE.moves()) == set(SERVICE_OF_MOVE)


@pytest.mark.parametrize(("current", "target"), sorted(SERVICE_OF_MOVE))
def test_each_allowed_grade_move_is_made_by_its_service(provider, current, target):
    if REACH[current]:
        REACH[current](provider)
    provider.refresh_from_db()
    assert provider.grade_status == current
    moved = SERVICE_OF_MOVE[(current, target)](provider)
    moved.refresh_from_db()
    assert moved.grade_status == target


@pytest.mark.parametrize(("current", "target"), list(GRADE_LIFECYCLE.refusals()))
def test_every_other_grade_move_is_refused(provider, current, target):
    if REACH[current]:
        REACH[current](provider)
    provider.refresh_from_db()
    with pytest.raises(InvalidTransition):
        move(provider, target, lifecycle=GRADE_LIFECYCLE, actor=None)


# --- grades typed in before: the data migration -----------------------------------------


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_turns_a_typed_grade_into_a_declared_one(client):
    typed, ungraded = VerifiedProviderFactory(), VerifiedProviderFactory()
    ServiceFactory(provider=typed, name_zh="旧评级服务")
    try:
        _migrate([("providers", "0005_grade_evidence")])
        with connection.cursor() as cursor:
            # As the profile form wrote it before issue #13: the number and its date only.
            cursor.execute(
                "UPDATE providers_provider SET grade = 4, grade_date = %s WHERE id = %s",
                [AWARDED, typed.pk],
            )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    typed.refresh_from_db()
    ungraded.refresh_from_db()
    assert (typed.grade, typed.grade_date, typed.grade_status) == (4, AWARDED, Standing.DECLARED)
    assert (typed.grade_source, typed.grade_document, typed.grade_verified_by) == ("", None, None)
    assert (ungraded.grade, ungraded.grade_status) == (0, Standing.NONE)
    assert "4A (declared, not verified)" in public_profile(client, typed)
    assert listed_with_grade(client, 4) == []
    assert grade_problems(typed, min_grade=Provider.Grade.A4)
