"""How long a provider has to answer a referral (SPEC §5: SLA per urgency and category).

Urgent referrals: 4 hours. Temporary (emergency) assistance: 24 hours. Both
run on the calendar, weekends included: an emergency does not wait for Monday.
Everything else: 2 working days, and that clock only runs on working days — a
referral sent on Friday at 16:00 is due on Tuesday at 16:00, one sent on a
Saturday starts its clock on Monday morning.

Reminders go out at half and at full time (half time counted on the same
clock, so a routine referral sent on Friday afternoon is chased on Monday
afternoon, not on Sunday); the referral returns to the caseworker half an SLA
after it fell due, so a late answer still has a short window while the
caseworker is told.

Days are the platform's local days (``TIME_ZONE``, Asia/Shanghai), not UTC:
at 02:00 on a Saturday in Shanghai it is still Friday in UTC.

Working days are China's: Monday to Friday, except the public holidays of the
official calendar, plus its make-up working days on weekends (``core.calendar``:
an administrator enters each year's State Council notice). A routine referral
sent the day before the National Day week is due after it, not during it.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from core import calendar

URGENT_SLA = datetime.timedelta(hours=4)
TEMPORARY_ASSISTANCE_SLA = datetime.timedelta(hours=24)
ROUTINE_WORKING_DAYS = 2
# Category codes whose referrals are answered within 24 hours: temporary /
# emergency assistance (临时救助) and anything under that group.
TEMPORARY_ASSISTANCE_PREFIX = "emergency"
# Someone left on a waiting list for this long comes back to the caseworker.
WAITLIST_EXPIRES_AFTER = datetime.timedelta(days=30)

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Clock:
    """When a referral sent at ``start`` should be chased, is due, and comes back."""

    start: datetime.datetime
    half_at: datetime.datetime
    due_at: datetime.datetime
    expires_at: datetime.datetime


def is_working_day(moment: datetime.datetime) -> bool:
    return calendar.is_working_date(timezone.localtime(moment).date())


def _next_midnight(moment: datetime.datetime) -> datetime.datetime:
    return (moment + DAY).replace(hour=0, minute=0, second=0, microsecond=0)


def add_working_time(start: datetime.datetime, duration: datetime.timedelta) -> datetime.datetime:
    """``start`` plus ``duration`` counted on working days only (the clock stops at
    weekends and public holidays, and runs on make-up working days)."""
    moment = timezone.localtime(start)
    remaining = duration
    days = calendar.calendar_days()
    while True:
        end_of_day = _next_midnight(moment)
        if calendar.is_working_date(moment.date(), days):
            if remaining <= end_of_day - moment:
                return moment + remaining
            remaining -= end_of_day - moment
        moment = end_of_day


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` plus ``days`` working days: from a working day, the same time of day;
    from a day off, the clock starts at 00:00 on the next working day."""
    return add_working_time(start, days * DAY)


def is_temporary_assistance(category) -> bool:
    code = category.code
    return code == TEMPORARY_ASSISTANCE_PREFIX or code.startswith(TEMPORARY_ASSISTANCE_PREFIX + ".")


def clock_for(*, urgency: str, category, start: datetime.datetime) -> Clock:
    """The SLA clock of a referral of ``category`` with ``urgency`` sent at ``start``."""
    if urgency == "urgent" or is_temporary_assistance(category):
        sla = URGENT_SLA if urgency == "urgent" else TEMPORARY_ASSISTANCE_SLA
        return Clock(
            start=start,
            half_at=start + sla / 2,
            due_at=start + sla,
            expires_at=start + sla + sla / 2,
        )
    sla = ROUTINE_WORKING_DAYS * DAY
    due = add_working_time(start, sla)
    return Clock(
        start=start,
        half_at=add_working_time(start, sla / 2),
        due_at=due,
        expires_at=add_working_time(due, sla / 2),
    )
