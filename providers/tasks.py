"""Celery tasks of the providers app: e-mails and the reminders beat runs every day.

Tasks only load objects and call services or send mail; they are idempotent,
so a retry or a second beat run sends nothing twice.
"""

from celery import shared_task


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_provider_status_email(self, provider_id: int, status: str):
    from providers import notifications

    try:
        notifications.send_status_email(provider_id=provider_id, status=status)
    except OSError as error:  # mail server unreachable: try again later
        raise self.retry(exc=error) from error


@shared_task
def send_document_expiry_reminders() -> int:
    """Remind providers of documents expiring within 30 days (beat runs it several times a day).

    Each reminder is recorded and sent in one transaction: a second run, even a
    concurrent one, finds the document already reminded and sends nothing; a
    mail that fails leaves the document unmarked for the next run.
    """
    import logging

    from django.db import transaction
    from django.utils import timezone

    from providers import notifications
    from providers.services import documents

    today = timezone.localdate()
    sent = 0
    for document in documents.documents_needing_expiry_reminder(today):
        try:
            with transaction.atomic():
                if documents.mark_document_reminded(document=document, today=today):
                    notifications.send_document_expiry_email(document=document)
                    sent += 1
        except OSError:  # mail server unreachable: the next run tries again
            logging.getLogger(__name__).exception(
                "Expiry reminder for document %s not sent", document.uuid
            )
    return sent


@shared_task
def send_confirmation_reminders() -> int:
    """Ask providers to confirm services unconfirmed for 90 days (beat runs it several times a day).

    One e-mail per provider lists all its services due. The services are
    marked reminded and the mail sent in one transaction per provider: a
    second run, even a concurrent one, finds them already reminded and sends
    nothing, and a mail that fails leaves them unmarked for the next run. A
    service is reminded once per confirmation: confirming it starts the next
    90 days.
    """
    import logging
    from collections import defaultdict

    from django.db import transaction
    from django.utils import timezone

    from providers import notifications
    from providers.services import listings

    now = timezone.now()
    due_by_provider = defaultdict(list)
    for service in listings.services_needing_confirmation_reminder(now):
        due_by_provider[service.provider_id].append(service)
    sent = 0
    for due in due_by_provider.values():
        provider = due[0].provider
        try:
            with transaction.atomic():
                reminded = [
                    service
                    for service in due
                    if listings.mark_confirmation_reminded(service=service, now=now)
                ]
                if reminded:
                    sent += notifications.send_confirmation_reminder(
                        provider=provider, services=reminded
                    )
        except OSError:  # mail server unreachable: the next run tries again
            logging.getLogger(__name__).exception(
                "Confirmation reminder for provider %s not sent", provider.uuid
            )
    return sent
