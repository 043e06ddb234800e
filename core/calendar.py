"""Working days in China: Monday to Friday, except public holidays, plus make-up days.

The exceptions are ``core.models.CalendarDay`` rows, entered from the State
Council's yearly notice. They are few (about thirty a year) and read on every
working-day computation, so they are kept in the cache for a few minutes and
dropped from it whenever one is saved or deleted (``core.services``).
"""

import datetime

from django.core.cache import cache

from core.models import CalendarDay

CACHE_KEY = "core:calendar-days"
CACHE_SECONDS = 300


def calendar_days() -> dict[datetime.date, str]:
    """``{date: CalendarDay.Kind}`` for every day off its weekday pattern."""
    days = cache.get(CACHE_KEY)
    if days is None:
        days = dict(CalendarDay.objects.values_list("date", "kind"))
        cache.set(CACHE_KEY, days, CACHE_SECONDS)
    return days


def forget_calendar() -> None:
    cache.delete(CACHE_KEY)


def is_working_date(day: datetime.date, days: dict | None = None) -> bool:
    """Whether ``day`` is a working day: a weekday that is not a holiday, or a make-up day."""
    kind = (calendar_days() if days is None else days).get(day)
    if kind == CalendarDay.Kind.HOLIDAY:
        return False
    if kind == CalendarDay.Kind.WORKDAY:
        return True
    return day.weekday() < 5
