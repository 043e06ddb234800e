"""Field helpers every evaluation table shares."""

from django.conf import settings
from django.db import models


def person_field(verbose_name, *, related_name="+"):
    """A reference to the person who did something; the record outlives their account."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )
