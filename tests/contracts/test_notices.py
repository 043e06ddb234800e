"""Contract performance notices: a yearly one due 12 months after activation (then a
year after the last one's period) and a final one once the contract has ended; the
commissioner's draft has one rating row per KPI with its target and its actual
(platform data, or the provider's latest accepted report); publishing needs every
KPI rated, "other" explained and the Chinese summary, and a published notice is
final."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from contracts import services
from contracts.models import PerformanceNotice, PerformanceRating
from contracts.services import notices, reports
from core.errors import ApplicationError
from core.models import AuditEvent
from referrals.models.lifecycle import Referral, ReferralEvent
from tests.factories.accounts import AgencyFactory
from tests.factories.contracts import active_contract, contract_from_award, kpi_input
from tests.factories.marketplace import bidder_of, commissioner_of, finance_of
from tests.factories.providers import ServiceFactory
from tests.factories.referrals import ReferralFactory

pytestmark = pytest.mark.django_db

REASON = "服务机构连续两个季度未达标，经协商终止合同。"
SUMMARY_ZH = "服务机构总体按合同要求提供服务，转介受理量低于目标。"
SUMMARY_EN = "The provider delivered the service as contracted; fewer referrals than targeted."
Rating = PerformanceRating.Rating


def _at(day, hour=10):
    zone = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(day, time(hour)), zone)


def _on(day):
    return time_machine.travel(_at(day), tick=False)


def _rated_contract():
    """KPI 1 counts accepted referrals on the platform (target 10); KPI 2 is reported (90)."""
    return active_contract(
        kpis=[
            kpi_input(measure="referrals_accepted", target=Decimal("10")),
            kpi_input(
                name_zh="服务对象满意度",
                name_en="Satisfaction of the people served",
                unit="%",
                target=Decimal("90"),
                measured_by="reported",
                measure="",
            ),
        ]
    )


def _commissioner(contract):
    return commissioner_of(contract.lead_agency)


def _accepted_referral(contract, at):
    """A referral the provider accepted at ``at``, for the contract's category and area."""
    referral = ReferralFactory(
        service=ServiceFactory(provider=contract.provider),
        need__category=contract.categories.first(),
        district=contract.areas.first(),
        status=Referral.Status.ACCEPTED,
        sent_at=at - timedelta(days=1),
    )
    ReferralEvent.objects.create(
        referral=referral,
        from_status=Referral.Status.SENT,
        to_status=Referral.Status.ACCEPTED,
        at=at,
    )
    return referral


def _report_satisfaction(contract, number, value, *, accept=True):
    report = contract.reports.get(number=number)
    with _on(report.period_end + timedelta(days=1)):
        report = reports.submit_report(
            report=report,
            actor=bidder_of(contract.provider, role="provider_admin"),
            outputs="上门照护",
            narrative="按计划开展",
            actuals={2: value},
        )
        if accept:
            reports.accept_report(report=report, actor=_commissioner(contract))


def _rows(notice):
    return [
        (row.kpi.number, row.target, row.actual, row.rating)
        for row in notice.ratings.select_related("kpi").order_by("kpi__number")
    ]


def _published(contract, day, **values):
    commissioner = _commissioner(contract)
    with _on(day):
        notice = notices.draft_notice(contract=contract, actor=commissioner, **values)
        return notices.publish_notice(
            notice=notice,
            actor=commissioner,
            summary_zh=SUMMARY_ZH,
            summary_en=SUMMARY_EN,
            ratings={1: (Rating.APPROACHING, ""), 2: (Rating.GOOD, "")},
        )


# --- the draft ------------------------------------------------------------------


def test_a_draft_rates_each_kpi_beside_its_target_and_its_actual_for_the_period():
    contract = _rated_contract()
    _accepted_referral(contract, _at(contract.start_date + timedelta(days=10)))
    _accepted_referral(contract, _at(contract.start_date + timedelta(days=200)))
    _accepted_referral(
        contract, _at(contract.start_date - timedelta(days=2))
    )  # before: not counted
    _report_satisfaction(contract, 1, "80")
    _report_satisfaction(contract, 2, "95")
    _report_satisfaction(contract, 3, "99", accept=False)  # not accepted yet: not evidence
    today = contract.reports.get(number=3).period_end + timedelta(days=2)
    commissioner = _commissioner(contract)
    with _on(today):
        notice = notices.draft_notice(contract=contract, actor=commissioner)
    assert (notice.kind, notice.status) == (
        PerformanceNotice.Kind.PERIODIC,
        PerformanceNotice.Status.DRAFT,
    )
    assert (notice.period_start, notice.period_end) == (contract.start_date, today)
    assert _rows(notice) == [
        (1, Decimal("10.00"), Decimal("2.00"), ""),
        (2, Decimal("90.00"), Decimal("95.00"), ""),  # the latest accepted report's figure
    ]
    assert AuditEvent.objects.filter(
        action="performance notice.drafted", object_id=str(notice.uuid)
    ).exists()


def test_one_draft_at_a_time_and_the_final_notice_only_once_the_contract_has_ended():
    contract = _rated_contract()
    commissioner = _commissioner(contract)
    with _on(contract.start_date + timedelta(days=30)):
        notices.draft_notice(contract=contract, actor=commissioner)
        with pytest.raises(ApplicationError) as refused:
            notices.draft_notice(contract=contract, actor=commissioner)
        assert refused.value.code == "draft_exists"
        with pytest.raises(ApplicationError) as refused:
            notices.draft_notice(
                contract=contract, actor=commissioner, kind=PerformanceNotice.Kind.FINAL
            )
        assert refused.value.code == "not_ended"
    assert contract.performance_notices.count() == 1


# --- publishing -----------------------------------------------------------------


def test_publishing_needs_every_kpi_rated_other_explained_and_the_chinese_summary():
    contract = _rated_contract()
    commissioner = _commissioner(contract)
    with _on(contract.start_date + timedelta(days=30)):
        notice = notices.draft_notice(contract=contract, actor=commissioner)
        with pytest.raises(ApplicationError) as refused:
            notices.publish_notice(notice=notice, actor=commissioner, summary_en=SUMMARY_EN)
        assert set(refused.value.field_errors) == {"rating_1", "rating_2", "summary_zh"}

        # A draft keeps what is rated so far, summary or not.
        notices.rate_notice(notice=notice, actor=commissioner, ratings={1: (Rating.GOOD, "")})
        assert _rows(notice)[0][3] == Rating.GOOD

        with pytest.raises(ApplicationError) as refused:
            notices.rate_notice(
                notice=notice, actor=commissioner, ratings={1: ("excellent", ""), 2: ("other", " ")}
            )
        assert set(refused.value.field_errors) == {"rating_1", "explanation_2"}
        with pytest.raises(ApplicationError) as refused:
            notices.publish_notice(
                notice=notice,
                actor=commissioner,
                summary_zh=SUMMARY_ZH,
                ratings={2: (Rating.OTHER, "")},
            )
        assert list(refused.value.field_errors) == ["explanation_2"]
        notice.refresh_from_db()
        assert notice.status == PerformanceNotice.Status.DRAFT

        notice = notices.publish_notice(
            notice=notice,
            actor=commissioner,
            summary_zh=SUMMARY_ZH,
            ratings={2: (Rating.OTHER, "满意度调查因疫情推迟，下季度补做。")},
        )
    notice.refresh_from_db()
    assert notice.status == PerformanceNotice.Status.PUBLISHED
    assert (notice.published_by, notice.published_at) == (
        commissioner,
        _at(contract.start_date + timedelta(days=30)),
    )
    assert (notice.summary_zh, notice.summary_en) == (SUMMARY_ZH, "")
    assert [row[3] for row in _rows(notice)] == [Rating.GOOD, Rating.OTHER]


def test_a_published_notice_is_final_and_the_next_one_starts_the_day_after():
    contract = _rated_contract()
    commissioner = _commissioner(contract)
    day = contract.start_date + timedelta(days=300)
    notice = _published(contract, day)
    for change in (notices.rate_notice, notices.publish_notice):
        with pytest.raises(ApplicationError) as refused:
            change(notice=notice, actor=commissioner, ratings={1: (Rating.INADEQUATE, "")})
        assert refused.value.code == "published"
    assert [row[3] for row in _rows(notice)] == [Rating.APPROACHING, Rating.GOOD]
    with _on(day + timedelta(days=20)):
        following = notices.draft_notice(contract=contract, actor=commissioner)
    assert (following.period_start, following.period_end) == (
        day + timedelta(days=1),
        day + timedelta(days=20),
    )


@pytest.mark.parametrize("who", ["provider admin", "finance officer", "other commissioner"])
def test_only_the_lead_agencys_commissioner_writes_a_notice(who):
    contract = _rated_contract()
    actor = {
        "provider admin": lambda: bidder_of(contract.provider, role="provider_admin"),
        "finance officer": lambda: finance_of(contract.lead_agency),
        "other commissioner": lambda: commissioner_of(AgencyFactory()),
    }[who]()
    with _on(contract.start_date + timedelta(days=30)):
        with pytest.raises(PermissionDenied):
            notices.draft_notice(contract=contract, actor=actor)
        notice = notices.draft_notice(contract=contract, actor=_commissioner(contract))
        ratings = {1: (Rating.GOOD, ""), 2: (Rating.GOOD, "")}
        with pytest.raises(PermissionDenied):
            notices.rate_notice(notice=notice, actor=actor, ratings=ratings)
        with pytest.raises(PermissionDenied):
            notices.publish_notice(
                notice=notice, actor=actor, summary_zh=SUMMARY_ZH, ratings=ratings
            )
    notice.refresh_from_db()
    assert notice.status == PerformanceNotice.Status.DRAFT
    assert [row[3] for row in _rows(notice)] == ["", ""]


# --- when a notice is due ---------------------------------------------------------


def test_a_yearly_notice_is_due_twelve_months_after_activation_then_after_the_last_one():
    contract = _rated_contract()
    activated = timezone.localdate(contract.activated_at)
    assert notices.next_notice_due(contract) == (
        PerformanceNotice.Kind.PERIODIC,
        activated + relativedelta(months=12),
    )
    notice = _published(contract, contract.start_date + timedelta(days=200))
    assert notices.next_notice_due(contract) == (
        PerformanceNotice.Kind.PERIODIC,
        notice.period_end + timedelta(days=1) + relativedelta(months=12),
    )


def test_the_final_notice_is_due_once_the_contract_has_ended_and_only_once():
    contract = _rated_contract()
    commissioner = _commissioner(contract)
    ended = contract.start_date + timedelta(days=40)
    with _on(ended):
        contract = services.terminate_contract(contract=contract, actor=commissioner, reason=REASON)
        assert notices.next_notice_due(contract) == (PerformanceNotice.Kind.FINAL, ended)
        with pytest.raises(ApplicationError) as refused:
            notices.draft_notice(contract=contract, actor=commissioner)
        assert refused.value.code == "not_live"
    final = _published(contract, ended + timedelta(days=3), kind=PerformanceNotice.Kind.FINAL)
    assert (final.kind, final.period_start, final.period_end) == (
        PerformanceNotice.Kind.FINAL,
        contract.start_date,
        ended,
    )
    assert notices.next_notice_due(contract) is None
    with _on(ended + timedelta(days=4)), pytest.raises(ApplicationError) as refused:
        notices.draft_notice(
            contract=contract, actor=commissioner, kind=PerformanceNotice.Kind.FINAL
        )
    assert refused.value.code == "final_exists"


def test_a_contract_ended_before_its_period_began_has_a_final_notice_of_its_first_day():
    contract = _rated_contract()
    commissioner = _commissioner(contract)
    assert timezone.localdate() < contract.start_date  # signed ahead of the service starting
    contract = services.terminate_contract(contract=contract, actor=commissioner, reason=REASON)
    notice = notices.draft_notice(
        contract=contract, actor=commissioner, kind=PerformanceNotice.Kind.FINAL
    )
    assert (notice.period_start, notice.period_end) == (contract.start_date, contract.start_date)
    assert [row[2] for row in _rows(notice)] == [Decimal("0.00"), None]


def test_a_contract_ended_before_it_was_ever_in_force_needs_no_notice():
    contract = contract_from_award()
    contract = services.terminate_contract(
        contract=contract, actor=_commissioner(contract), reason=REASON
    )
    assert notices.next_notice_due(contract) is None
