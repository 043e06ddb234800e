"""Celery tasks of the referrals app: notifications, and the SLA clock beat runs.

Tasks only load objects and call services or send mail; they are idempotent.
"""

from celery import shared_task


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_referral_notification(self, referral_id: int, event: str):
    from referrals import notifications

    try:
        notifications.send_referral_notification(referral_id=referral_id, event=event)
    except OSError as error:  # mail server unreachable: try again later
        raise self.retry(exc=error) from error


@shared_task
def process_referral_deadlines() -> dict:
    """Half-time and full-time reminders and expiry of unanswered referrals (every 5 minutes)."""
    from referrals.services import deadlines

    return deadlines.process_referral_deadlines()
