"""Field helpers and small rules every marketplace table shares: money, who did it."""

import calendar
import datetime

from django.conf import settings
from django.db import models

# Money in CNY with fen: large enough for a province's multi-year pooled budget.
MONEY = {"max_digits": 14, "decimal_places": 2}


def person_field(verbose_name, *, related_name="+", null=True):
    """A reference to the person who did something; the record outlives their account."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=null,
        blank=null,
        on_delete=models.SET_NULL if null else models.PROTECT,
        related_name=related_name,
    )


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, **MONEY, **kwargs)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later (28 February when 29 February does not exist)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))
