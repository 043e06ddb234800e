"""Ratings rebuilt from the evidence (being written)."""

from django.db import transaction


def schedule_rating_update(*, provider_id: int) -> None:
    """Queue the update of one provider's ratings once the evidence is committed."""
    from evaluation import tasks

    transaction.on_commit(lambda: tasks.update_provider_ratings.delay(provider_id))


def update_ratings_of(*, provider_id: int) -> int:
    return 0


def recompute_ratings() -> int:
    return 0
