"""Celery tasks of evaluation: rating updates when new evidence arrives, the monthly
snapshot of ratings (beat), and the report PDF of an accepted assessment.

Tasks only load objects and call services; every one is idempotent, so a retry or
two workers running the same task change nothing twice. Services queue them after
commit, so the tasks import the services when they run.
"""

from celery import shared_task


@shared_task
def update_provider_ratings(provider_id: int) -> int:
    """Rebuild one provider's ratings from its evidence (idempotent)."""
    from evaluation.services.ratings import update_ratings_of

    return update_ratings_of(provider_id=provider_id)


@shared_task
def recompute_all_ratings() -> int:
    """Beat: rebuild every rating and this month's history (idempotent)."""
    from evaluation.services.ratings import recompute_ratings

    return recompute_ratings()


@shared_task
def render_assessment_report(assessment_id: int) -> str:
    """Render the report PDF of an accepted assessment (once; a no-op afterwards)."""
    from evaluation.services.assessments import render_report

    return render_report(assessment_id=assessment_id)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_assessment_notification(self, assessment_id: int, event: str) -> int:
    """Mail the people an assessment's ``event`` concerns (assigned, submitted, …)."""
    from evaluation import notifications_assessments

    try:
        return notifications_assessments.send_assessment_notification(
            assessment_id=assessment_id, event=event
        )
    except OSError as error:  # mail server unreachable: try again later
        raise self.retry(exc=error) from error


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_outcome_notification(self, outcome_id: int, event: str) -> int:
    """Mail the people an outcome's ``event`` concerns (disputed, upheld, rejected)."""
    from evaluation import notifications_outcomes

    try:
        return notifications_outcomes.send_outcome_notification(outcome_id=outcome_id, event=event)
    except OSError as error:  # mail server unreachable: try again later
        raise self.retry(exc=error) from error
