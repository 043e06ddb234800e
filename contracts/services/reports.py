"""Progress reports of a contract in force: the schedule of reporting periods, made
when the contract becomes active (one ``ProgressReport`` per period, due
``REPORT_DUE_AFTER_DAYS`` after the period ends)."""

import calendar
from datetime import date, timedelta

from contracts.models.contracts import Contract
from contracts.models.reports import REPORT_DUE_AFTER_DAYS, ProgressReport


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_periods(contract: Contract) -> list[tuple[date, date, date]]:
    """(start, end, due) of each reporting period, the last one cut at the contract's end."""
    periods = []
    start = contract.start_date
    number = 1
    while start <= contract.end_date:
        end = min(
            add_months(contract.start_date, contract.report_every_months * number)
            - timedelta(days=1),
            contract.end_date,
        )
        periods.append((start, end, end + timedelta(days=REPORT_DUE_AFTER_DAYS)))
        start = end + timedelta(days=1)
        number += 1
    return periods


def schedule_reports(*, contract: Contract) -> list[ProgressReport]:
    """Make the reports still missing for the contract's periods (idempotent).

    Called when a contract becomes active and when an amendment changes its
    period: periods already scheduled keep their report, new ones are added.
    """
    existing = set(contract.reports.values_list("number", flat=True))
    reports = [
        ProgressReport(
            contract=contract,
            number=number,
            period_start=start,
            period_end=end,
            due_date=due,
        )
        for number, (start, end, due) in enumerate(report_periods(contract), start=1)
        if number not in existing
    ]
    return ProgressReport.objects.bulk_create(reports)
