"""What a platform administrator does in the Django admin is audited and goes through the
services: roles granted and revoked there are seen by the agency concerned, a role
cannot be given where its organization's kind does not allow it, and API tokens have no
admin page from which they could be copied."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts.models import Membership, Role, User
from accounts.rules import roles_of
from core.models import AuditEvent
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.providers import VerifiedProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return UserFactory(is_staff=True, is_superuser=True, username="platform_admin")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


class _FormFields(HTMLParser):
    """The values a browser would submit with the admin's change form, as it was shown."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            checkable = attrs.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if checkable else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def change_form(admin_client, user) -> dict:
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    data = {
        name: values if len(values) > 1 else values[0]
        for name, values in parser.data.items()
        if values
    }
    data.pop("csrfmiddlewaretoken", None)
    return data


def add_membership_row(data: dict, organization, role: str) -> dict:
    index = int(data["memberships-TOTAL_FORMS"])
    data[f"memberships-{index}-organization"] = str(organization.pk)
    data[f"memberships-{index}-role"] = role
    data[f"memberships-{index}-is_active"] = "on"
    data[f"memberships-{index}-user"] = ""
    data["memberships-TOTAL_FORMS"] = str(index + 1)
    return data


def save(admin_client, user, data):
    return admin_client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)


def test_a_role_granted_in_the_admin_is_audited_under_the_agency_and_works_at_once(
    admin_client, administrator
):
    agency = AgencyFactory()
    person = UserFactory()

    response = save(
        admin_client,
        person,
        add_membership_row(change_form(admin_client, person), agency, Role.CASEWORKER),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="membership.granted")
    assert event.actor == administrator
    assert event.organization_id == agency.pk
    assert event.details == {"role": Role.CASEWORKER}
    assert Role.CASEWORKER in roles_of(User.objects.get(pk=person.pk))


def test_an_administrator_granting_themselves_a_role_is_on_record(admin_client, administrator):
    agency = AgencyFactory()

    save(
        admin_client,
        administrator,
        add_membership_row(change_form(admin_client, administrator), agency, Role.CASEWORKER),
    )

    event = AuditEvent.objects.get(action="membership.granted")
    assert event.actor == administrator
    assert event.object_type == "accounts.user"
    assert event.object_id == str(administrator.uuid)


def test_a_role_the_organization_cannot_grant_is_refused_with_nothing_saved(admin_client):
    provider = VerifiedProviderFactory()
    person = UserFactory()

    response = save(
        admin_client,
        person,
        add_membership_row(
            change_form(admin_client, person), provider.organization, Role.CASEWORKER
        ),
    )

    assert response.status_code == 200  # the form again, with the error
    assert "cannot grant the role" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()
    assert not AuditEvent.objects.filter(action="membership.granted").exists()


def test_unticking_active_revokes_the_role_and_keeps_the_row(admin_client):
    agency = AgencyFactory()
    person = user_with_role(Role.CASEWORKER, agency)
    assert Role.CASEWORKER in roles_of(person)
    data = change_form(admin_client, person)
    data.pop("memberships-0-is_active")

    response = save(admin_client, person, data)

    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    assert membership.is_active is False
    event = AuditEvent.objects.get(action="membership.revoked")
    assert event.organization_id == agency.pk
    assert roles_of(User.objects.get(pk=person.pk)) == set()


def test_a_role_cannot_be_moved_to_another_agency(admin_client):
    agency, other = AgencyFactory(), AgencyFactory()
    person = user_with_role(Role.CASEWORKER, agency)
    data = change_form(admin_client, person)
    data["memberships-0-organization"] = str(other.pk)

    response = save(admin_client, person, data)

    assert response.status_code == 200
    assert "untick" in response.content.decode()
    assert list(Membership.objects.filter(user=person).values_list("organization", flat=True)) == [
        agency.pk
    ]


def test_roles_cannot_be_deleted_in_the_admin(admin_client):
    person = user_with_role(Role.CASEWORKER, AgencyFactory())

    data = change_form(admin_client, person)

    assert "memberships-0-DELETE" not in data


def test_changing_a_user_records_the_fields_never_the_values(admin_client, administrator):
    person = UserFactory(email="old@example.org")
    data = change_form(admin_client, person)
    data["email"] = "new-address@example.org"

    assert save(admin_client, person, data).status_code == 302

    event = AuditEvent.objects.get(action="user.changed_in_admin")
    assert event.actor == administrator
    assert event.details == {"fields": ["email"]}
    assert "new-address" not in str(event.details) + event.object_label


def test_setting_a_password_in_the_admin_is_audited_without_it(admin_client):
    person = UserFactory()

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {
            "password1": "Another-pass-2026!",
            "password2": "Another-pass-2026!",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.changed_in_admin")
    assert event.details == {"fields": ["password"]}
    assert "Another-pass" not in str(event.details)


def test_organizations_changed_in_the_admin_are_audited_under_themselves(admin_client):
    agency = AgencyFactory(name_en="Old name")
    page = admin_client.get(reverse("admin:accounts_organization_change", args=[agency.pk]))
    parser = _FormFields()
    parser.feed(page.content.decode())
    data = {name: values[0] for name, values in parser.data.items() if values}
    data.pop("csrfmiddlewaretoken", None)
    data["name_en"] = "Xuhui Civil Affairs Bureau"

    response = admin_client.post(
        reverse("admin:accounts_organization_change", args=[agency.pk]), data
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="organization.changed_in_admin")
    assert event.organization_id == agency.pk
    assert event.details == {"fields": ["name_en"]}


def test_api_tokens_have_no_admin_page(admin_client):
    assert admin_client.get("/django-admin/authtoken/tokenproxy/").status_code == 404
    assert admin_client.get("/django-admin/authtoken/").status_code == 404
    assert admin_client.get("/django-admin/knox/authtoken/").status_code == 404
    assert admin_client.get("/django-admin/accounts/apitoken/").status_code == 404
