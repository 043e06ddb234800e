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
