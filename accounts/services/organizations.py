"""Writes for organizations and the roles people hold in them; each one is audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ROLES_BY_KIND, Membership, Organization, Role, User
from accounts.rules import forget_roles
from core.audit import record_change
from core.errors import ApplicationError


@transaction.atomic
def create_organization(
    *,
    kind: str,
    name_zh: str,
    name_en: str = "",
    area=None,
    parent: Organization | None = None,
    credit_code: str | None = None,
    actor: User | None = None,
) -> Organization:
    if parent is not None and parent.kind != Organization.Kind.AGENCY:
        raise ApplicationError(
            _("The parent of an organization must be a government agency."),
            field_errors={"parent": [_("Choose a government agency.")]},
        )
    organization = Organization(
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        area=area,
        parent=parent,
        credit_code=(credit_code or "").strip().upper() or None,
    )
    organization.full_clean()
    organization.save()
    record_change(
        action="organization.created",
        actor=actor,
        organization=organization,
        target=organization,
        details={"kind": kind},
        label=organization.name_zh,
    )
    return organization


@transaction.atomic
def grant_role(*, user: User, organization: Organization, role: str, actor: User | None = None):
    """Give ``user`` a role in ``organization``; a role the organization's kind cannot grant
    (a provider cannot make someone a caseworker) is refused."""
    if role not in ROLES_BY_KIND.get(organization.kind, set()):
        raise ApplicationError(
            _("A %(kind)s cannot grant the role “%(role)s”.")
            % {"kind": organization.get_kind_display(), "role": Role(role).label},
            field_errors={"role": [_("Choose a role this organization can grant.")]},
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, role=role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        created = True
    if created:
        record_change(
            action="membership.granted",
            actor=actor,
            organization=organization,
            target=user,
            details={"role": role},
        )
    forget_roles(user)
    return membership


@transaction.atomic
def revoke_role(*, membership: Membership, actor: User | None = None) -> None:
    if not membership.is_active:
        return
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    record_change(
        action="membership.revoked",
        actor=actor,
        organization=membership.organization,
        target=membership.user,
        details={"role": membership.role},
    )
    forget_roles(membership.user)
