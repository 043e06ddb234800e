"""Roles of SPEC §4: which organization grants which role, and the role predicates."""

import pytest

from accounts import rules as account_rules
from accounts import services
from accounts.models import Organization, Role
from core.errors import ApplicationError
from core.models import AuditEvent
from tests.factories.accounts import (
    AgencyFactory,
    ProviderOrganizationFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def test_agency_grants_caseworker_and_it_is_audited():
    agency = AgencyFactory()
    user = UserFactory()
    services.grant_role(user=user, organization=agency, role=Role.CASEWORKER)
    assert account_rules.is_caseworker(user)
    assert not account_rules.is_provider_staff(user)
    event = AuditEvent.objects.get(action="membership.granted")
    assert event.organization == agency
    assert event.details == {"role": "caseworker"}


def test_provider_cannot_grant_caseworker():
    provider = ProviderOrganizationFactory()
    with pytest.raises(ApplicationError) as error:
        services.grant_role(user=UserFactory(), organization=provider, role=Role.CASEWORKER)
    assert "role" in error.value.field_errors


def test_granting_twice_keeps_one_membership():
    agency = AgencyFactory()
    user = UserFactory()
    services.grant_role(user=user, organization=agency, role=Role.SUPERVISOR)
    services.grant_role(user=user, organization=agency, role=Role.SUPERVISOR)
    assert user.memberships.count() == 1
    assert AuditEvent.objects.filter(action="membership.granted").count() == 1


def test_revoked_role_no_longer_counts():
    user = user_with_role(Role.SUPERVISOR)
    membership = user.memberships.get()
    services.revoke_role(membership=membership)
    assert not account_rules.is_supervisor(user)


def test_provider_admin_counts_as_provider_staff():
    assert account_rules.is_provider_staff(user_with_role(Role.PROVIDER_ADMIN))
    assert account_rules.is_provider_staff(user_with_role(Role.PROVIDER_STAFF))
    assert not account_rules.is_provider_admin(user_with_role(Role.PROVIDER_STAFF))


def test_audit_log_permission_for_supervisors_and_platform_admins_only():
    assert user_with_role(Role.SUPERVISOR).has_perm("accounts.view_audit_log")
    assert user_with_role(Role.PLATFORM_ADMIN).has_perm("accounts.view_audit_log")
    assert not user_with_role(Role.CASEWORKER).has_perm("accounts.view_audit_log")
    assert not user_with_role(Role.PROVIDER_ADMIN).has_perm("accounts.view_audit_log")


def test_role_lookup_is_one_query(django_assert_num_queries):
    user = user_with_role(Role.CASEWORKER)
    account_rules.forget_roles(user)
    with django_assert_num_queries(1):
        account_rules.is_caseworker(user)
        account_rules.is_supervisor(user)
        account_rules.is_agency_user(user)


def test_parent_must_be_an_agency():
    provider = ProviderOrganizationFactory()
    with pytest.raises(ApplicationError):
        services.create_organization(kind=Organization.Kind.AGENCY, name_zh="某局", parent=provider)


def test_invalid_credit_code_is_refused_with_a_field_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.create_organization(
            kind=Organization.Kind.PROVIDER, name_zh="某服务社", credit_code="91110000600037341X"
        )
    assert "credit_code" in error.value.message_dict
