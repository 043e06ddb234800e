"""Alerts and the e-mails that go with them: new tenders matching a provider's services,
answers, reminders before each deadline, award notices.

An alert is created once per person and subject (the ``Alert`` unique
constraint), so beat runs, retries and catching up after downtime never alert
or e-mail anyone twice. E-mails are queued with ``transaction.on_commit``
and sent by ``marketplace.tasks``.
"""

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.formatting import in_languages, moment_text
from marketplace import tasks
from marketplace.models.alerts import Alert
from marketplace.models.bids import Bid
from marketplace.models.tenders import BIDDING_STATES, Tender
from marketplace.selectors.alerts import bidders_with_bids_in, providers_to_alert
from marketplace.selectors.common import agency_users, provider_users

# Providers holding an unfinished bid are reminded this long before each deadline.
REMINDER_BEFORE = timedelta(hours=48)


def tender_url(tender: Tender) -> str:
    """The public page of a tender (under /tenders/, SPEC §6)."""
    try:
        return reverse("marketplace:tender_detail", kwargs={"uuid": tender.uuid})
    except NoReverseMatch:
        return f"/tenders/{tender.uuid}/"


def alert_users(
    *,
    users: Iterable[User],
    tender: Tender,
    kind: str,
    render: Callable[[], str],
    key: str = "",
    url: str = "",
) -> list[User]:
    """Create the alert for each user who does not have it yet; return those newly alerted.

    The unique constraint makes a second run a no-op even when two runs race;
    callers that also e-mail hold the tender's row lock, so they e-mail once.
    The alert links to ``url``, or to the tender's public page.
    """
    users = {user.pk: user for user in users}
    if not users:
        return []
    already = set(
        Alert.objects.filter(
            tender=tender, kind=kind, key=key, recipient_id__in=list(users)
        ).values_list("recipient_id", flat=True)
    )
    new = [user for pk, user in users.items() if pk not in already]
    message_zh, message_en = in_languages(render)
    Alert.objects.bulk_create(
        [
            Alert(
                recipient=user,
                tender=tender,
                kind=kind,
                key=key,
                message_zh=message_zh,
                message_en=message_en,
                url=url or tender_url(tender),
            )
            for user in new
        ],
        ignore_conflicts=True,
    )
    return new


def mark_alerts_read(*, user: User, alert_ids: Iterable[int] | None = None, now=None) -> int:
    """Mark the user's unread alerts read: those of ``alert_ids``, or all of them.

    Returns how many were marked. Only the user's own alerts are touched, and one
    already read keeps the moment it was first read.
    """
    alerts = Alert.objects.filter(recipient=user, read_at=None)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=list(alert_ids))
    return alerts.update(read_at=now or timezone.now())


@transaction.atomic
def alert_matching_providers(*, tender: Tender, now=None) -> int:
    """Alert the people of every provider whose services match a newly published tender.

    In-app alerts now; one e-mail per newly alerted provider after commit.
    Returns how many people were alerted. Idempotent: a provider alerted
    before is neither alerted nor e-mailed again.
    """
    tender = Tender.objects.select_for_update().filter(pk=tender.pk).first()
    if tender is None or tender.status not in BIDDING_STATES:
        return 0
    organizations = [provider.organization_id for provider in providers_to_alert(tender, now)]
    people = provider_users(organizations)
    new = alert_users(
        users=[user for _org, user in people],
        tender=tender,
        kind=Alert.Kind.TENDER_PUBLISHED,
        render=lambda: (
            _(
                "New tender %(reference)s matches your services: %(title)s. Bids close on "
                "%(deadline)s."
            )
            % {
                "reference": tender.reference,
                "title": tender.title,
                "deadline": moment_text(tender.submission_deadline),
            }
        ),
    )
    email_after_commit(tender, people, new, Alert.Kind.TENDER_PUBLISHED)
    return len(new)


def email_after_commit(tender: Tender, people, new_users, kind: str) -> None:
    """Queue one e-mail per organization that has newly alerted people, after commit."""
    new_ids = {user.pk for user in new_users}
    organizations = sorted({org for org, user in people if user.pk in new_ids})
    tender_id = tender.pk
    for organization_id in organizations:
        transaction.on_commit(
            lambda org=organization_id: tasks.send_tender_email.delay(tender_id, org, kind)
        )


def remind_draft_bidders(*, now=None) -> int:
    """Remind providers holding an unfinished bid that a deadline is 48 hours away or less.

    Before the deadline for questions: providers with a draft bid. Before the
    deadline for bids: providers with a draft bid or one awaiting
    reconfirmation. Each person is reminded once per deadline (the alert's
    unique constraint), however often beat runs. Returns how many were alerted.
    """
    now = now or timezone.now()
    soon = now + REMINDER_BEFORE
    enquiry_soon = Tender.objects.filter(
        status=Tender.Status.PUBLISHED, enquiry_deadline__gt=now, enquiry_deadline__lte=soon
    ).values_list("pk", flat=True)
    submission_soon = Tender.objects.filter(
        status__in=BIDDING_STATES,
        submission_deadline__gt=now,
        submission_deadline__lte=soon,
    ).values_list("pk", flat=True)
    alerted = 0
    for tender_id in list(enquiry_soon):
        alerted += _remind(tender_id, kind=Alert.Kind.ENQUIRY_DEADLINE_SOON)
    for tender_id in list(submission_soon):
        alerted += _remind(tender_id, kind=Alert.Kind.SUBMISSION_DEADLINE_SOON)
    return alerted


@transaction.atomic
def _remind(tender_id: int, *, kind: str) -> int:
    tender = Tender.objects.select_for_update().get(pk=tender_id)
    if kind == Alert.Kind.ENQUIRY_DEADLINE_SOON:
        deadline = tender.enquiry_deadline
        statuses = (Bid.Status.DRAFT,)

        def render():
            return _(
                "Questions about tender %(reference)s close on %(deadline)s. Your bid is "
                "still a draft."
            ) % {"reference": tender.reference, "deadline": moment_text(deadline)}

    else:
        deadline = tender.submission_deadline
        statuses = (Bid.Status.DRAFT, Bid.Status.NEEDS_RECONFIRMATION)

        def render():
            return _(
                "Bids for tender %(reference)s close on %(deadline)s. Your bid is not "
                "submitted yet, and late bids are refused."
            ) % {"reference": tender.reference, "deadline": moment_text(deadline)}

    people = provider_users(bidders_with_bids_in(tender, statuses))
    # The deadline is part of the key: when an amendment moves it, a new reminder is due.
    new = alert_users(
        users=[user for _org, user in people],
        tender=tender,
        kind=kind,
        key=timezone.localtime(deadline).strftime("%Y%m%dT%H%M"),
        render=render,
    )
    email_after_commit(tender, people, new, kind)
    return len(new)


def commissioners_of(tender: Tender) -> list[User]:
    """The lead agency's active commissioners: who answers questions and decides awards."""
    return list(agency_users(tender.lead_agency_id, Role.COMMISSIONER))
