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
