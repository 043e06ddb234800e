"""Registration of a provider, its profile page, editing and submission for verification."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Organization, Role, User
from core.models import AuditEvent
from providers.models import Provider, ProviderDocument
from tests.factories.accounts import user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import (
    ProviderDocumentFactory,
    ProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.providers._registration_factories import (
    ENTERPRISE_FIRST17,
    LETTER_FIRST17,
    full_width,
    private_files,  # noqa: F401 (fixture)
    valid_code,
    wrong_check_character,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

REGISTER = reverse("providers:register")
MY_PROFILE = reverse("providers:my_profile")


def registration_data(**overrides):
    data = {
        "username": "sunshine-admin",
        "display_name": "王小明",
        "email": "admin@sunshine.example.org",
        "password": "a-long-enough-passphrase",
        "password_again": "a-long-enough-passphrase",
        "name_zh": "上海市浦东新区阳光社会工作服务社",
        "name_en": "Sunshine Social Work Agency",
        "credit_code": valid_code(),
        "district": "",
        "legal_form": Provider.LegalForm.SOCIAL_SERVICE_AGENCY,
        "nature": Provider.Nature.NON_PROFIT,
        "registration_authority": "上海市浦东新区民政局",
        "registration_date": "2016-05-04",
    }
    data.update(overrides)
    return data


def post_registration(client, language="en", **overrides):
    return client.post(REGISTER, registration_data(**overrides), HTTP_ACCEPT_LANGUAGE=language)


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


# --- the registration form ---------------------------------------------------


def test_registration_page_is_public_and_labels_every_field(client):
    response = client.get(REGISTER, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    for field in registration_data():
        assert f'for="id_{field}"' in page


def test_district_choices_are_the_shanghai_districts(client):
    pudong = shanghai_district()
    response = client.get(REGISTER, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f'<option value="{pudong.pk}">浦东新区</option>' in response.content.decode()


def test_registration_creates_user_organization_and_draft_provider_and_signs_in(client):
    pudong = shanghai_district()
    response = post_registration(client, district=pudong.pk)

    assert response.status_code == 302
    assert response["Location"] == MY_PROFILE
    provider = Provider.objects.select_related("organization").get()
    assert provider.status == Provider.Status.DRAFT
    assert provider.organization.kind == Organization.Kind.PROVIDER
    assert provider.organization.credit_code == valid_code()
    assert provider.organization.area == pudong
    assert provider.registration_authority == "上海市浦东新区民政局"
    assert str(provider.registration_date) == "2016-05-04"
    user = User.objects.get(username="sunshine-admin")
    assert user.check_password("a-long-enough-passphrase")
    assert Membership.objects.filter(
        user=user, organization=provider.organization, role=Role.PROVIDER_ADMIN
    ).exists()
    assert AuditEvent.objects.filter(
        action="provider.registered", object_id=str(provider.uuid)
    ).exists()
    # signed in: the profile page answers
    page = client.get(MY_PROFILE, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Your organization is registered" in page.content.decode()


def test_code_starting_with_a_letter_registers(client):
    response = post_registration(client, credit_code=valid_code(LETTER_FIRST17))
    assert response.status_code == 302
    assert Organization.objects.get().credit_code == valid_code(LETTER_FIRST17)


def test_lowercase_full_width_code_is_stored_normalized(client):
    response = post_registration(client, credit_code=full_width(valid_code().lower()))
    assert response.status_code == 302
    assert Organization.objects.get().credit_code == valid_code()


def test_wrong_check_character_is_a_field_error_in_english_and_chinese(client):
    response = post_registration(client, credit_code=wrong_check_character(valid_code()))
    assert response.status_code == 200
    assert "check character" in " ".join(field_errors(response, "credit_code"))
    assert not Provider.objects.exists()

    response = post_registration(
        client, language="zh-hans", credit_code=wrong_check_character(valid_code())
    )
    assert "校验码" in response.content.decode()


def test_duplicate_credit_code_is_a_field_error(client):
    ProviderFactory(organization__credit_code=valid_code())
    response = post_registration(client)
    assert response.status_code == 200
    assert "already registered" in " ".join(field_errors(response, "credit_code"))
    assert not User.objects.filter(username="sunshine-admin").exists()


def test_duplicate_code_typed_differently_is_still_a_duplicate(client):
    ProviderFactory(organization__credit_code=valid_code())
    response = post_registration(client, credit_code=full_width(valid_code().lower()))
    assert "already registered" in " ".join(field_errors(response, "credit_code"))


def test_taken_username_is_a_field_error(client):
    user_with_role(Role.CASEWORKER, username="sunshine-admin")
    response = post_registration(client)
    assert "username is taken" in " ".join(field_errors(response, "username"))


def test_weak_password_is_a_field_error(client):
    response = post_registration(client, password="12345678", password_again="12345678")
    assert field_errors(response, "password")
    assert not Provider.objects.exists()


def test_passwords_that_differ_are_a_field_error(client):
    response = post_registration(client, password_again="another-long-passphrase")
    assert "not the same" in " ".join(field_errors(response, "password_again"))


def test_missing_fields_are_marked_required(client):
    response = post_registration(client, name_zh="", registration_authority="", email="nope")
    assert field_errors(response, "name_zh")
    assert field_errors(response, "registration_authority")
    assert field_errors(response, "email")
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert "Please correct the following" in page


def test_code_outside_civil_affairs_is_accepted_with_a_visible_note(client):
    code = valid_code(ENTERPRISE_FIRST17)
    # shown on the form while other fields still need attention…
    response = post_registration(client, credit_code=code, name_zh="")
    assert not field_errors(response, "credit_code")
    assert "51, 52 or 53" in response.content.decode()
    # …and after registering, on the profile page
    response = post_registration(client, credit_code=code)
    assert response.status_code == 302
    assert "51, 52 or 53" in client.get(MY_PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_civil_affairs_code_gets_no_note(client):
    post_registration(client)
    assert "51, 52 or 53" not in client.get(MY_PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()


# --- my profile --------------------------------------------------------------


def test_profile_requires_sign_in(client):
    response = client.get(MY_PROFILE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PLATFORM_ADMIN])
def test_profile_answers_404_to_people_without_a_provider(client, role):
    client.force_login(user_with_role(role))
    assert client.get(MY_PROFILE).status_code == 404
    assert client.get(reverse("providers:edit_profile")).status_code == 404
    assert client.post(reverse("providers:submit")).status_code == 404


def test_profile_shows_status_in_words_and_the_checklist(client):
    provider = ProviderFactory(description_zh="")
    client.force_login(provider_admin_of(provider))
    page = client.get(MY_PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Draft" in page
    assert "a description in Chinese" in page
    assert "a registration certificate (PDF or image)" in page
    assert reverse("providers:edit_profile") in page
    assert reverse("providers:submit") in page


def test_profile_in_chinese_shows_the_status_in_chinese(client):
    provider = ProviderFactory(status=Provider.Status.SUBMITTED)
    client.force_login(provider_admin_of(provider))
    page = client.get(MY_PROFILE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "待审核" in page


def test_rejected_provider_sees_the_reason(client):
    provider = ProviderFactory(
        status=Provider.Status.REJECTED, status_reason="登记证书已过期，请上传新证书。"
    )
    client.force_login(provider_admin_of(provider))
    page = client.get(MY_PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rejected" in page
    assert "登记证书已过期" in page


def test_staff_see_the_profile_but_no_edit_or_submit_buttons(client):
    provider = ProviderFactory()
    client.force_login(provider_staff_of(provider))
    page = client.get(MY_PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert provider.organization.name_en in page
    assert reverse("providers:edit_profile") not in page
    assert reverse("providers:submit") not in page
    assert client.get(reverse("providers:edit_profile")).status_code == 404
    assert client.post(reverse("providers:submit")).status_code == 404


# --- editing ----------------------------------------------------------------


def profile_data(provider, **overrides):
    data = {
        "name_zh": provider.organization.name_zh,
        "name_en": provider.organization.name_en,
        "district": "",
        "legal_form": provider.legal_form,
        "nature": provider.nature,
        "registration_authority": provider.registration_authority,
        "registration_date": "2015-03-02",
        "certified_social_workers": "7",
        "staff_count": "20",
        "description_zh": "社区服务",
        "description_en": "Community services",
        "website": "https://sunshine.example.org",
        "public_email": "hello@sunshine.example.org",
        "public_phone": "021-12345678",
    }
    data.update(overrides)
    return data


def test_admin_edits_the_profile_and_the_change_is_audited(client):
    provider = ProviderFactory()
    pudong = shanghai_district()
    client.force_login(provider_admin_of(provider))
    edit = reverse("providers:edit_profile")
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, profile_data(provider, name_en="New name", district=pudong.pk, staff_count="33")
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    provider.organization.refresh_from_db()
    assert provider.staff_count == 33
    assert provider.organization.name_en == "New name"
    assert provider.organization.area == pudong
    event = AuditEvent.objects.get(action="provider.profile_updated")
    assert "staff_count" in event.details["fields"]


def test_the_profile_form_does_not_take_the_grade(client):
    # A grade is declared with its certificate (tests/providers/test_grades.py).
    provider = ProviderFactory()
    client.force_login(provider_admin_of(provider))
    response = client.post(
        reverse("providers:edit_profile"),
        profile_data(provider, grade="3", grade_date="2024-01-01", staff_count="21"),
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.grade, provider.grade_date) == (Provider.Grade.NONE, None)
    assert provider.grade_status == Provider.GradeStatus.NONE
    assert provider.staff_count == 21
    event = AuditEvent.objects.get(action="provider.profile_updated")
    assert "grade" not in event.details["fields"]


def test_bad_values_are_field_errors_not_server_errors(client):
    provider = ProviderFactory()
    client.force_login(provider_admin_of(provider))
    response = client.post(
        reverse("providers:edit_profile"),
        profile_data(
            provider, staff_count="-1", website="not a url", registration_date="2015-13-40"
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"staff_count", "website", "registration_date"} <= set(errors)


# --- submission --------------------------------------------------------------


def test_incomplete_provider_cannot_submit_and_is_told_what_is_missing(client):
    provider = ProviderFactory()
    client.force_login(provider_admin_of(provider))
    response = client.post(reverse("providers:submit"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    page = response.content.decode()
    assert "Before submitting, add" in page
    assert "a registration certificate (PDF or image)" in page
    provider.refresh_from_db()
    assert provider.status == Provider.Status.DRAFT


def test_complete_provider_submits_and_the_change_is_audited(client):
    provider = ProviderFactory()
    ProviderDocumentFactory(provider=provider)
    client.force_login(provider_admin_of(provider))
    response = client.post(reverse("providers:submit"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Submitted" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUBMITTED
    assert provider.submitted_at is not None
    assert AuditEvent.objects.filter(
        action="provider.submitted", object_id=str(provider.uuid)
    ).exists()


def test_rejected_provider_can_submit_again(client):
    provider = ProviderFactory(status=Provider.Status.REJECTED, status_reason="缺少证书")
    ProviderDocumentFactory(provider=provider)
    client.force_login(provider_admin_of(provider))
    client.post(reverse("providers:submit"))
    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUBMITTED


def test_submitting_twice_shows_a_message_not_an_error_page(client):
    provider = ProviderFactory(status=Provider.Status.SUBMITTED)
    ProviderDocumentFactory(provider=provider)
    client.force_login(provider_admin_of(provider))
    response = client.post(reverse("providers:submit"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200
    assert "cannot become" in response.content.decode()


def test_submit_only_by_post(client):
    provider = ProviderFactory()
    client.force_login(provider_admin_of(provider))
    assert client.get(reverse("providers:submit")).status_code == 405


def test_expired_certificate_blocks_submission(client):
    provider = ProviderFactory()
    ProviderDocumentFactory(
        provider=provider,
        kind=ProviderDocument.Kind.REGISTRATION_CERTIFICATE,
        expires_on="2020-01-01",
    )
    client.force_login(provider_admin_of(provider))
    page = client.post(
        reverse("providers:submit"), HTTP_ACCEPT_LANGUAGE="en", follow=True
    ).content.decode()
    assert "a registration certificate that has not expired" in page
    provider.refresh_from_db()
    assert provider.status == Provider.Status.DRAFT


# --- workspace ---------------------------------------------------------------


def test_workspace_offers_provider_admins_their_profile(client):
    provider = ProviderFactory()
    client.force_login(provider_admin_of(provider))
    page = client.get(reverse("accounts:workspace"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert MY_PROFILE in page
    assert reverse("providers:verification_queue") not in page


def test_workspace_offers_platform_admins_the_verification_queue(client):
    client.force_login(user_with_role(Role.PLATFORM_ADMIN))
    page = client.get(reverse("accounts:workspace"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("providers:verification_queue") in page
    assert "Verify providers" in page
