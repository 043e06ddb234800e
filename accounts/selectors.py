"""Reads of users, organizations and the audit log, scoped to what the user may see."""

from django.db.models import QuerySet

from accounts import rules as account_rules
from accounts.models import Membership, Organization, Role
from core.models import AuditEvent


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, organization__is_active=True)
        .select_related("organization", "organization__area")
        .order_by("organization__name_zh", "role")
    )


def organizations_visible_to(user) -> QuerySet[Organization]:
    """Organizations are public parties (as in OCDS); only active ones are listed."""
    return Organization.objects.filter(is_active=True).select_related("area", "parent")


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization, is_active=True)
        .select_related("user")
        .order_by("user__username", "role")
    )


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Platform administrators see every event; supervisors those of their agencies."""
    events = AuditEvent.objects.select_related("actor", "organization")
    if account_rules.is_platform_admin(user):
        return events
    agencies = account_rules.organizations_where(user, Role.SUPERVISOR)
    if not agencies:
        return events.none()
    return events.filter(organization_id__in=agencies)
