"""Writes of the core app: the official calendar (public holidays, make-up working days).

Each change is audited and drops the cached calendar, so working-day clocks
(referral SLAs) use it at once.
"""

from core.audit import record_change
from core.calendar import forget_calendar
from core.models import CalendarDay


def save_calendar_day(*, day: CalendarDay, actor) -> CalendarDay:
    """Create or change one day of the official calendar; clocks use it at once."""
    day.full_clean()
    day.save()
    forget_calendar()
    record_change(
        action="calendar.day_saved",
        actor=actor,
        target=day,
        details={"date": day.date.isoformat(), "kind": day.kind},
    )
    return day


def delete_calendar_day(*, day: CalendarDay, actor) -> None:
    details = {"date": day.date.isoformat(), "kind": day.kind}
    day.delete()
    forget_calendar()
    record_change(action="calendar.day_deleted", actor=actor, details=details)
