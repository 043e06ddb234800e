"""Complaints about awards: the commissioners see all, a provider its own."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.rules import organizations_where
from marketplace import rules
from marketplace.models.awards import Award
from marketplace.models.complaints import Complaint
from marketplace.models.tenders import Tender


def complaints_visible_to(user, tender: Tender) -> QuerySet[Complaint]:
    """All complaints about the tender's awards for its commissioners; a provider its own."""
    complaints = Complaint.objects.filter(award__tender=tender).select_related(
        "award__lot", "provider__organization", "lodged_by", "resolved_by"
    )
    if rules.is_tender_commissioner(user, tender):
        return complaints.order_by("lodged_at", "pk")
    own = organizations_where(user, *rules.PROVIDER_ROLES)
    return complaints.filter(provider__organization_id__in=own).order_by("lodged_at", "pk")


def complaint_for(user, uuid) -> Complaint | None:
    try:
        complaint = Complaint.objects.select_related("award__tender").filter(uuid=uuid).first()
    except (ValueError, TypeError, ValidationError):
        return None
    if complaint is None:
        return None
    return complaints_visible_to(user, complaint.award.tender).filter(pk=complaint.pk).first()


def open_complaints(tender: Tender) -> QuerySet[Complaint]:
    """Open complaints against the tender's approved awards: they block completion."""
    return Complaint.objects.filter(
        award__tender=tender,
        award__status=Award.Status.APPROVED,
        status=Complaint.Status.OPEN,
    )
