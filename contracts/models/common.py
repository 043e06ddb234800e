"""Field helpers every contracts table shares: money to the fen, who did something."""

from django.conf import settings
from django.db import models

# Money in CNY with fen, as the pooled budget's ledger keeps it.
MONEY = {"max_digits": 14, "decimal_places": 2}


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, **MONEY, **kwargs)


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
