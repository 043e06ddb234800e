"""Celery tasks of the marketplace: the timed tender transitions (publication, deadlines,
end of the standstill), tender alerts, reminders and award e-mails with assessment summaries.

Tasks only load objects and call services; every one is idempotent, so a
retry, a second beat run or two workers running the same task change or send
nothing twice. Beat runs ``advance_tenders`` every minute and
``remind_draft_bidders`` every quarter of an hour (``CELERY_BEAT_SCHEDULE``).
Services queue these tasks after commit, so the tasks import the services
when they run.
"""

from celery import shared_task


@shared_task
def advance_tenders() -> int:
    """Publish scheduled tenders, move tenders past their deadlines; catches up after downtime."""
    from marketplace.services import timetable

    return timetable.advance_tenders()


@shared_task
def send_tender_published_alerts(tender_id: int) -> int:
    """Alert providers whose services match a newly published tender (in-app, then e-mail)."""
    from marketplace.models.tenders import Tender
    from marketplace.services import alerts

    tender = Tender.objects.filter(pk=tender_id).first()
    if tender is None:
        return 0
    return alerts.alert_matching_providers(tender=tender)


@shared_task
def remind_draft_bidders() -> int:
    """Remind providers with unfinished bids 48 hours before the question and bid deadlines."""
    from marketplace.services import alerts

    return alerts.remind_draft_bidders()


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_tender_email(self, tender_id: int, organization_id: int, kind: str) -> int:
    """The e-mail that goes with a provider's new alerts; queued only when alerts were created."""
    from marketplace import notifications

    try:
        return notifications.send_tender_email(
            tender_id=tender_id, organization_id=organization_id, kind=kind
        )
    except OSError as error:  # mail server unreachable: try again later
        raise self.retry(exc=error) from error


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_assessment_summary(self, award_id: int, bid_id: int) -> int:
    """E-mail a bidder its assessment summary (PDF) once an award of its lot is approved."""
    from marketplace import notifications

    try:
        return notifications.send_assessment_summary_email(award_id=award_id, bid_id=bid_id)
    except OSError as error:  # mail server unreachable: try again later
        raise self.retry(exc=error) from error
