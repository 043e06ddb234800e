"""The moves of progress reports, each made through the service a person uses, for
test_lifecycles.py to walk: {lifecycle name: (lifecycle, {(from, to): maker})}."""

from datetime import timedelta

import time_machine

from contracts.models import ProgressReport
from contracts.models.reports import REPORT_LIFECYCLE
from contracts.services import reports
from tests.factories.contracts import active_contract
from tests.factories.marketplace import bidder_of, commissioner_of

COMMENTS = "请补充本季度上门服务的签到表。"


def due_report():
    return active_contract().reports.get(number=1)


def _submit(report):
    with time_machine.travel(report.period_end + timedelta(days=1), tick=False):
        return reports.submit_report(
            report=report,
            actor=bidder_of(report.contract.provider, role="provider_admin"),
            outputs="上门照护 320 人次",
            narrative="本季度按计划开展服务。",
        )


def submitted_report():
    return _submit(due_report())


def _accepted():
    report = submitted_report()
    return reports.accept_report(report=report, actor=commissioner_of(report.contract.lead_agency))


def _returned():
    report = submitted_report()
    return reports.return_report(
        report=report, actor=commissioner_of(report.contract.lead_agency), comments=COMMENTS
    )


REPORT_MOVES = {
    (ProgressReport.Status.DUE, ProgressReport.Status.SUBMITTED): submitted_report,
    (ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED): _accepted,
    (ProgressReport.Status.SUBMITTED, ProgressReport.Status.RETURNED): _returned,
    (ProgressReport.Status.RETURNED, ProgressReport.Status.SUBMITTED): lambda: _submit(_returned()),
}

MOVES = {REPORT_LIFECYCLE.name: (REPORT_LIFECYCLE, REPORT_MOVES)}
