"""Reminders about contracts, sent by beat (``contracts.tasks.send_contract_reminders``):
a progress report due within 7 days and one that is late go to the provider's
administrators; a performance notice due within 14 days (or overdue) goes to the
lead agency's commissioners.

Each reminder is a ``Reminder`` row, unique per kind, occasion and person, made
before the mail is queued: beat may run as often as it likes, two workers may run
it at once, and each person still gets each reminder once. When a due date moves
the occasion is a new one.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Role
from contracts.models.contracts import LIVE_STATES, Contract
from contracts.models.reminders import Reminder
from contracts.models.reports import OUTSTANDING_REPORT_STATES, ProgressReport
from contracts.services.notices import next_notice_due

REPORT_SOON_DAYS = 7
NOTICE_SOON_DAYS = 14


def _people(organization_id: int, role: str):
    return [
        membership.user
        for membership in Membership.objects.filter(
            organization_id=organization_id, role=role, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]


def _remind(contract, kind, key, users, queue) -> int:
    sent = 0
    for user in users:
        try:
            with transaction.atomic():
                Reminder.objects.create(contract=contract, kind=kind, key=key, recipient=user)
        except IntegrityError:
            continue  # this person was reminded of this already
        queue.append((kind, contract.pk, key, user.pk))
        sent += 1
    return sent


def send_due_reminders(*, today: date | None = None) -> int:
    """Make the reminders due today and queue their mails; returns how many were new."""
    from contracts.tasks import send_contract_reminder

    today = today or timezone.localdate()
    queue: list[tuple] = []
    made = 0
    reports = (
        ProgressReport.objects.filter(
            status__in=OUTSTANDING_REPORT_STATES,
            contract__status__in=LIVE_STATES,
            due_date__lte=today + timedelta(days=REPORT_SOON_DAYS),
        )
        .select_related("contract__provider")
        .order_by("due_date", "pk")
    )
    for report in reports:
        kind = (
            Reminder.Kind.REPORT_LATE if report.due_date < today else Reminder.Kind.REPORT_DUE_SOON
        )
        admins = _people(report.contract.provider.organization_id, Role.PROVIDER_ADMIN)
        key = f"{report.uuid}:{report.due_date.isoformat()}"
        made += _remind(report.contract, kind, key, admins, queue)
    contracts = Contract.objects.filter(
        status__in=[*LIVE_STATES, Contract.Status.COMPLETED, Contract.Status.TERMINATED],
        activated_at__isnull=False,
    ).prefetch_related("performance_notices")
    for contract in contracts:
        due = next_notice_due(contract)
        if due is None or due[1] > today + timedelta(days=NOTICE_SOON_DAYS):
            continue
        kind, day = due
        commissioners = _people(contract.lead_agency_id, Role.COMMISSIONER)
        made += _remind(
            contract, Reminder.Kind.NOTICE_DUE, f"{kind}:{day.isoformat()}", commissioners, queue
        )
    for args in queue:
        transaction.on_commit(lambda args=args: send_contract_reminder.delay(*args))
    return made
