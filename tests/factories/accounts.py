"""Factories for users, organizations and memberships."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Membership, Organization, Role, User

TEST_PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.LazyAttribute(lambda o: o.username.title())

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.AGENCY
    name_zh = factory.Sequence(lambda n: f"测试机构{n}")
    name_en = factory.Sequence(lambda n: f"Test organization {n}")


class AgencyFactory(OrganizationFactory):
    kind = Organization.Kind.AGENCY


class ProviderOrganizationFactory(OrganizationFactory):
    kind = Organization.Kind.PROVIDER
    name_zh = factory.Sequence(lambda n: f"测试社工服务社{n}")
    name_en = factory.Sequence(lambda n: f"Test social work agency {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(AgencyFactory)
    role = Role.CASEWORKER


def user_with_role(role: str, organization=None, **user_kwargs) -> User:
    """A user holding ``role`` in ``organization`` (a new one of the right kind when omitted)."""
    from accounts.models import ROLES_BY_KIND

    if organization is None:
        kind = next(k for k, roles in ROLES_BY_KIND.items() if role in roles)
        organization = OrganizationFactory(kind=kind)
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


def api_token_for(user: User, name: str = "") -> str:
    """The key of a new API token of ``user``, issued as the token page or API would."""
    from accounts.services.tokens import issue_api_token

    return issue_api_token(user=user, name=name)[1]
