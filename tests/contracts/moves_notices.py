"""The moves of performance notices, each made through the service a person uses, for
test_lifecycles.py to walk: {lifecycle name: (lifecycle, {(from, to): maker})}."""

from datetime import timedelta

import time_machine

from contracts.models import PerformanceNotice, PerformanceRating
from contracts.models.notices import NOTICE_LIFECYCLE
from contracts.services import notices
from tests.factories.contracts import active_contract
from tests.factories.marketplace import commissioner_of

SUMMARY_ZH = "服务机构总体按合同要求提供服务。"


def draft_notice():
    contract = active_contract()
    with time_machine.travel(contract.start_date + timedelta(days=30), tick=False):
        return notices.draft_notice(contract=contract, actor=commissioner_of(contract.lead_agency))


def _published():
    notice = draft_notice()
    return notices.publish_notice(
        notice=notice,
        actor=commissioner_of(notice.contract.lead_agency),
        summary_zh=SUMMARY_ZH,
        ratings={
            kpi.number: (PerformanceRating.Rating.GOOD, "") for kpi in notice.contract.kpis.all()
        },
    )


NOTICE_MOVES = {
    (PerformanceNotice.Status.DRAFT, PerformanceNotice.Status.PUBLISHED): _published,
}

MOVES = {NOTICE_LIFECYCLE.name: (NOTICE_LIFECYCLE, NOTICE_MOVES)}
