"""Contract performance notices (UK Procurement Act 2023 s.71 as the model): at least
once every 12 months of a contract in force and at its end, the commissioner rates
the provider against each KPI — good, approaching target, requires improvement,
inadequate, other (explained) — with the actual figures beside the targets, and
publishes the notice. Published notices are public and are evidence for the
provider's ratings.

A draft is made with one rating row per KPI, its target and its actual: from the
platform's own referral data for KPIs measured so, from the provider's latest
accepted progress report in the period for KPIs measured by report.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import LIVE_STATES, Contract
from contracts.models.kpis import KPI
from contracts.models.notices import (
    NOTICE_EVERY_MONTHS,
    NOTICE_LIFECYCLE,
    PerformanceNotice,
    PerformanceRating,
)
from contracts.models.reports import KPIActual, ProgressReport
from contracts.selectors.measures import platform_measures
from contracts.services.common import lock_contract, raise_if
from contracts.services.reports import add_months
from core.audit import record_change
from core.errors import ApplicationError
from core.lifecycle import move
from evaluation.services import ratings as rating_services

ONLY_COMMISSIONER = gettext_lazy(
    "Only a commissioner of the lead agency can write a performance notice."
)
NOT_LIVE = gettext_lazy("A yearly assessment is written while the contract is in force.")
NOT_ENDED = gettext_lazy("The assessment at the end is written once the contract has ended.")
FINAL_EXISTS = gettext_lazy("This contract already has its assessment at the end.")
DRAFT_EXISTS = gettext_lazy("A draft notice is already open for this contract: finish it first.")
NOT_DRAFT = gettext_lazy("A published notice is final and cannot be changed.")
CHOOSE_RATING = gettext_lazy("Choose a rating.")
EXPLAIN_OTHER = gettext_lazy("Explain the rating “Other”.")
SUMMARY_NEEDED = gettext_lazy("Write the summary the public reads (in Chinese at least).")


def _ended_on(contract: Contract) -> date:
    if contract.status in (Contract.Status.COMPLETED, Contract.Status.TERMINATED):
        return min(timezone.localdate(contract.status_changed_at), contract.end_date)
    return contract.end_date


def next_notice_due(contract: Contract) -> tuple[str, date] | None:
    """(kind, date) of the next performance notice the contract needs; None when none is.

    A yearly notice is due 12 months after activation or after the last one's
    period; the notice at the end is due once the contract has ended.
    """
    notices = [
        notice
        for notice in contract.performance_notices.all()  # prefetched by beat's loop
        if notice.status == PerformanceNotice.Status.PUBLISHED
    ]
    if contract.activated_at is None:
        return None  # never in force (ended as a draft or unsigned): nothing to assess
    if contract.status in (Contract.Status.COMPLETED, Contract.Status.TERMINATED):
        if any(notice.kind == PerformanceNotice.Kind.FINAL for notice in notices):
            return None
        return PerformanceNotice.Kind.FINAL, _ended_on(contract)
    if contract.status not in LIVE_STATES:
        return None
    last = max((notice.period_end for notice in notices), default=None)
    since = last + timedelta(days=1) if last else timezone.localdate(contract.activated_at)
    return PerformanceNotice.Kind.PERIODIC, add_months(since, NOTICE_EVERY_MONTHS)


def _period(contract: Contract, kind: str, today: date) -> tuple[date, date]:
    if kind == PerformanceNotice.Kind.FINAL:
        # Ended before its period began: the assessment covers the first day.
        return contract.start_date, max(contract.start_date, _ended_on(contract))
    last = (
        contract.performance_notices.filter(status=PerformanceNotice.Status.PUBLISHED)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    start = last + timedelta(days=1) if last else contract.start_date
    end = max(start, min(today, contract.end_date))
    return start, end


def _reported_actuals(contract: Contract, start: date, end: date) -> dict[int, object]:
    """The latest accepted report's figure of each KPI measured by report, in the period."""
    rows = (
        KPIActual.objects.filter(
            report__contract=contract,
            report__status=ProgressReport.Status.ACCEPTED,
            report__period_end__gte=start,
            report__period_start__lte=end,
            from_platform=False,
            value__isnull=False,
        )
        .order_by("report__period_end")
        .values_list("kpi_id", "value")
    )
    return dict(rows)


@transaction.atomic
def draft_notice(
    *, contract: Contract, actor: User, kind: str = PerformanceNotice.Kind.PERIODIC, now=None
) -> PerformanceNotice:
    """Open a notice for the period since the last one, each KPI's figures filled in."""
    now = now or timezone.now()
    contract = lock_contract(contract)
    if not rules.is_contract_commissioner(actor, contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    if kind == PerformanceNotice.Kind.FINAL:
        if contract.status not in (Contract.Status.COMPLETED, Contract.Status.TERMINATED):
            raise ApplicationError(str(NOT_ENDED), code="not_ended")
        if contract.performance_notices.filter(kind=PerformanceNotice.Kind.FINAL).exists():
            raise ApplicationError(str(FINAL_EXISTS), code="final_exists")
    elif contract.status not in LIVE_STATES:
        raise ApplicationError(str(NOT_LIVE), code="not_live")
    if contract.performance_notices.filter(status=PerformanceNotice.Status.DRAFT).exists():
        raise ApplicationError(str(DRAFT_EXISTS), code="draft_exists")
    start, end = _period(contract, kind, timezone.localdate(now))
    notice = PerformanceNotice.objects.create(
        contract=contract,
        kind=kind,
        period_start=start,
        period_end=end,
        created_by=actor,
        created_at=now,
        status_changed_at=now,
    )
    kpis = list(contract.kpis.order_by("number"))
    measures = platform_measures(contract, start=start, end=end)
    reported = _reported_actuals(contract, start, end)
    PerformanceRating.objects.bulk_create(
        [
            PerformanceRating(
                notice=notice,
                kpi=kpi,
                target=kpi.target,
                actual=(
                    measures.value(kpi.measure)
                    if kpi.measured_by == KPI.MeasuredBy.PLATFORM
                    else reported.get(kpi.pk)
                ),
                rating="",
            )
            for kpi in kpis
        ]
    )
    record_change(
        action="performance notice.drafted",
        actor=actor,
        organization=contract.lead_agency_id,
        target=notice,
        details={"kind": kind, "period": [start.isoformat(), end.isoformat()]},
        label=f"{contract.reference} · {end}",
    )
    return notice


def _locked_notice(notice: PerformanceNotice, actor) -> PerformanceNotice:
    contract = lock_contract(notice.contract)
    notice = PerformanceNotice.objects.select_for_update().get(pk=notice.pk)
    notice.contract = contract
    if not rules.is_contract_commissioner(actor, contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    if notice.status != PerformanceNotice.Status.DRAFT:
        raise ApplicationError(str(NOT_DRAFT), code="published")
    return notice


def _apply(notice, *, summary_zh, summary_en, ratings, complete: bool) -> None:
    errors: dict[str, list[str]] = {}
    # None keeps the summary written before.
    if summary_zh is not None:
        notice.summary_zh = summary_zh.strip()
    if summary_en is not None:
        notice.summary_en = summary_en.strip()
    valid = set(PerformanceRating.Rating.values)
    rows = list(notice.ratings.select_related("kpi"))
    for row in rows:
        given = (ratings or {}).get(row.kpi.number) or (ratings or {}).get(str(row.kpi.number))
        if given is not None:
            rating, explanation = given
            row.rating = rating if rating in valid else ""
            row.explanation = (explanation or "").strip()
            if rating and rating not in valid:
                errors[f"rating_{row.kpi.number}"] = [str(CHOOSE_RATING)]
        if row.rating == PerformanceRating.Rating.OTHER and not row.explanation:
            errors[f"explanation_{row.kpi.number}"] = [str(EXPLAIN_OTHER)]
        if complete and not row.rating:
            errors.setdefault(f"rating_{row.kpi.number}", [str(CHOOSE_RATING)])
    if complete and not notice.summary_zh:
        errors["summary_zh"] = [str(SUMMARY_NEEDED)]
    raise_if(errors)
    for row in rows:
        row.save(update_fields=["rating", "explanation"])
    notice.save(update_fields=["summary_zh", "summary_en"])


@transaction.atomic
def rate_notice(
    *, notice: PerformanceNotice, actor: User, summary_zh=None, summary_en=None, ratings=None
) -> PerformanceNotice:
    """Keep the ratings and summary of a draft (``ratings``: {KPI number: (rating, why)})."""
    notice = _locked_notice(notice, actor)
    _apply(notice, summary_zh=summary_zh, summary_en=summary_en, ratings=ratings, complete=False)
    return notice


@transaction.atomic
def publish_notice(
    *,
    notice: PerformanceNotice,
    actor: User,
    summary_zh=None,
    summary_en=None,
    ratings=None,
    now=None,
) -> PerformanceNotice:
    """Publish the notice: every KPI rated, a summary written. It is public from now on."""
    now = now or timezone.now()
    notice = _locked_notice(notice, actor)
    _apply(notice, summary_zh=summary_zh, summary_en=summary_en, ratings=ratings, complete=True)
    move(
        notice,
        PerformanceNotice.Status.PUBLISHED,
        lifecycle=NOTICE_LIFECYCLE,
        actor=actor,
        now=now,
        values={"published_by": actor, "published_at": now},
        details={"kind": notice.kind},
    )
    # A published notice is evidence of the provider's performance: its ratings follow.
    rating_services.schedule_rating_update(provider_id=notice.contract.provider_id)
    return notice
