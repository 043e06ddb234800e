"""Progress reports of a contract in force: the schedule of reporting periods, made
when the contract becomes active (one ``ProgressReport`` per period, due
``REPORT_DUE_AFTER_DAYS`` after the period ends); the provider's administrator
writes and submits each (outputs, narrative, attachments checked by content and
size, KPI figures pre-filled from the platform's own referral data and editable
only for KPIs measured by report); the commissioner accepts or returns it with
comments."""

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import Contract
from contracts.models.kpis import KPI
from contracts.models.reports import (
    OUTSTANDING_REPORT_STATES,
    REPORT_DUE_AFTER_DAYS,
    REPORT_LIFECYCLE,
    KPIActual,
    ProgressReport,
    ReportAttachment,
)
from contracts.selectors.measures import platform_measures
from contracts.services.common import lock_contract, raise_if
from core.audit import record_change
from core.errors import ApplicationError
from core.lifecycle import move
from core.uploads import sniff_uploaded_file


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


# --- the provider writes, the agency reviews ------------------------------------

ONLY_PROVIDER_ADMIN = gettext_lazy("Only an administrator of the provider can write its reports.")
ONLY_COMMISSIONER = gettext_lazy(
    "Only a commissioner of the lead agency can accept or return a report."
)
NOT_EDITABLE = gettext_lazy(
    "This report has been submitted: it can be changed again only if the agency returns it."
)
NOT_REPORTING = gettext_lazy("Reports are written only for a contract that is or was in force.")
PERIOD_NOT_OVER = gettext_lazy(
    "The period ends on %(date)s: the report can be submitted from then."
)
PLATFORM_KPI = gettext_lazy(
    "This figure comes from the platform's own referral data and cannot be typed in."
)
NUMBER_NEEDED = gettext_lazy("Enter a number of 0 or more.")
REQUIRED = gettext_lazy("This is needed before the report is submitted.")
COMMENTS_NEEDED = gettext_lazy("Say what must change: the provider reads it with the report.")
FILE_TOO_BIG = gettext_lazy("The file is %(size).1f MB; files may be at most %(limit)d MB.")
FILE_TYPE = gettext_lazy("Only PDF, PNG or JPEG files are accepted.")
TOO_MANY_FILES = gettext_lazy("A report has at most %(count)d attachments: remove one first.")

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Contracts whose reports may still be written: in force, paused, or ended (the last period).
REPORTING_STATES = frozenset(
    {
        Contract.Status.ACTIVE,
        Contract.Status.SUSPENDED,
        Contract.Status.COMPLETED,
        Contract.Status.TERMINATED,
    }
)


def _locked_report(report: ProgressReport) -> ProgressReport:
    contract = lock_contract(report.contract)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    report.contract = contract
    return report


def _require_provider_admin(actor, report: ProgressReport) -> None:
    if not rules.is_contract_provider_admin(actor, report.contract):
        raise PermissionDenied(str(ONLY_PROVIDER_ADMIN))
    if report.contract.status not in REPORTING_STATES:
        raise ApplicationError(str(NOT_REPORTING), code="not_reporting")
    if report.status not in OUTSTANDING_REPORT_STATES:
        raise ApplicationError(str(NOT_EDITABLE), code="not_editable")


def refresh_platform_actuals(report: ProgressReport) -> list[KPIActual]:
    """Make one ``KPIActual`` per KPI, the platform's figures filled in for its period.

    Figures measured from platform data are recomputed while the report is
    outstanding and fixed once it is submitted; those measured by report keep
    what the provider typed.
    """
    if report.status not in OUTSTANDING_REPORT_STATES:
        # What the agency reviews (or accepted) is what was submitted, whoever calls.
        return list(report.actuals.select_related("kpi").order_by("kpi__number"))
    contract = report.contract
    kpis = list(contract.kpis.order_by("number"))
    actuals = {actual.kpi_id: actual for actual in report.actuals.all()}
    measures = None
    if any(kpi.measured_by == KPI.MeasuredBy.PLATFORM for kpi in kpis):
        measures = platform_measures(contract, start=report.period_start, end=report.period_end)
    rows = []
    for kpi in kpis:
        actual = actuals.get(kpi.pk) or KPIActual(report=report, kpi=kpi)
        if kpi.measured_by == KPI.MeasuredBy.PLATFORM:
            actual.value = measures.value(kpi.measure)
            actual.from_platform = True
        actual.save()
        rows.append(actual)
    return rows


def _number(value, *, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number >= Decimal("1e10"):
        errors[field] = [str(NUMBER_NEEDED)]
        return None
    return number.quantize(Decimal("0.01"))


def _write(report, *, outputs, narrative, actuals) -> None:
    errors: dict[str, list[str]] = {}
    # None keeps what was written before (a caller sending only some of the fields).
    if outputs is not None:
        report.outputs = outputs.strip()
    if narrative is not None:
        report.narrative = narrative.strip()
    rows = {row.kpi.number: row for row in refresh_platform_actuals(report)}
    for number, value in (actuals or {}).items():
        field = f"kpi_{number}"
        row = rows.get(int(number)) if str(number).isdigit() else None
        if row is None:
            errors[field] = [_("This contract has no KPI %(number)s.") % {"number": number}]
            continue
        if row.from_platform:
            if value not in (None, "") and _number(value, field=field, errors={}) != row.value:
                errors[field] = [str(PLATFORM_KPI)]
            continue
        row.value = _number(value, field=field, errors=errors)
    raise_if(errors)
    for row in rows.values():
        if not row.from_platform:
            row.save(update_fields=["value"])
    report.save(update_fields=["outputs", "narrative"])


@transaction.atomic
def save_report(
    *, report: ProgressReport, actor: User, outputs=None, narrative=None, actuals=None
) -> ProgressReport:
    """Keep what the provider has written so far (the report stays outstanding)."""
    report = _locked_report(report)
    _require_provider_admin(actor, report)
    _write(report, outputs=outputs, narrative=narrative, actuals=actuals)
    return report


@transaction.atomic
def submit_report(
    *, report: ProgressReport, actor: User, outputs=None, narrative=None, actuals=None, now=None
) -> ProgressReport:
    """Send the report to the agency: its period is over and every figure is given."""
    now = now or timezone.now()
    report = _locked_report(report)
    _require_provider_admin(actor, report)
    if report.period_end > timezone.localdate(now):
        raise ApplicationError(
            PERIOD_NOT_OVER % {"date": report.period_end.isoformat()}, code="period_not_over"
        )
    _write(report, outputs=outputs, narrative=narrative, actuals=actuals)
    errors: dict[str, list[str]] = {}
    if not report.outputs:
        errors["outputs"] = [str(REQUIRED)]
    if not report.narrative:
        errors["narrative"] = [str(REQUIRED)]
    for row in report.actuals.select_related("kpi"):
        if not row.from_platform and row.value is None:
            errors[f"kpi_{row.kpi.number}"] = [str(REQUIRED)]
    raise_if(errors)
    return move(
        report,
        ProgressReport.Status.SUBMITTED,
        lifecycle=REPORT_LIFECYCLE,
        actor=actor,
        now=now,
        values={"submitted_by": actor, "submitted_at": now},
    )


@transaction.atomic
def add_attachment(*, report: ProgressReport, actor: User, uploaded_file) -> ReportAttachment:
    """Attach a PDF or image (judged by its content, at most 10 MB) to an outstanding report."""
    report = _locked_report(report)
    _require_provider_admin(actor, report)
    errors: dict[str, list[str]] = {}
    if report.attachments.count() >= MAX_ATTACHMENTS:
        errors["file"] = [TOO_MANY_FILES % {"count": MAX_ATTACHMENTS}]
    elif uploaded_file.size > ATTACHMENT_MAX_BYTES:
        errors["file"] = [
            FILE_TOO_BIG
            % {
                "size": uploaded_file.size / 1_048_576,
                "limit": ATTACHMENT_MAX_BYTES // 1_048_576,
            }
        ]
    else:
        content_type = sniff_uploaded_file(uploaded_file)
        if content_type is None:
            errors["file"] = [str(FILE_TYPE)]
    raise_if(errors)
    attachment = ReportAttachment(
        report=report,
        name=(uploaded_file.name or "attachment")[-200:],
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    record_change(
        action="progress report.attachment_added",
        actor=actor,
        organization=report.contract.lead_agency_id,
        target=report,
        details={"attachment": str(attachment.uuid), "size": attachment.size},
        label=f"{report.contract.reference} · {report.number}",
    )
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: ReportAttachment, actor: User) -> None:
    report = _locked_report(attachment.report)
    _require_provider_admin(actor, report)
    record_change(
        action="progress report.attachment_removed",
        actor=actor,
        organization=report.contract.lead_agency_id,
        target=report,
        details={"attachment": str(attachment.uuid)},
        label=f"{report.contract.reference} · {report.number}",
    )
    attachment.file.delete(save=False)
    attachment.delete()


def _review(report, actor, target, comments, now):
    report = _locked_report(report)
    if not rules.is_contract_commissioner(actor, report.contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    REPORT_LIFECYCLE.check(report.status, target)
    comments = (comments or "").strip()
    if target == ProgressReport.Status.RETURNED and not comments:
        raise ApplicationError(
            str(COMMENTS_NEEDED), field_errors={"comments": [str(COMMENTS_NEEDED)]}
        )
    now = now or timezone.now()
    return move(
        report,
        target,
        lifecycle=REPORT_LIFECYCLE,
        actor=actor,
        now=now,
        note=comments,
        values={"reviewed_by": actor, "reviewed_at": now, "review_comments": comments},
    )


@transaction.atomic
def accept_report(*, report: ProgressReport, actor: User, comments="", now=None):
    """The commissioner accepts a submitted report (comments optional)."""
    return _review(report, actor, ProgressReport.Status.ACCEPTED, comments, now)


@transaction.atomic
def return_report(*, report: ProgressReport, actor: User, comments: str, now=None):
    """The commissioner sends a report back, saying what must change."""
    return _review(report, actor, ProgressReport.Status.RETURNED, comments, now)
