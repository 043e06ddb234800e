"""Reads of the audit log, scoped to what the user may see."""

from django.db.models import QuerySet

from accounts import rules as account_rules
from accounts.models import Role
from core.models import AuditEvent


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Platform administrators see every event; supervisors those of their agencies."""
    events = AuditEvent.objects.select_related("actor", "organization")
    if account_rules.is_platform_admin(user):
        return events
    agencies = account_rules.organizations_where(user, Role.SUPERVISOR)
    if not agencies:
        return events.none()
    return events.filter(organization_id__in=agencies)
