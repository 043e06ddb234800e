"""Contracts made from awards: the agreement, its versions and history (``contracts``),
its KPIs and outcome targets (``kpis``), its milestones (``milestones``), the funding
split per contributor (``funding``), the PDF of each version and its signatures
(``documents``), claims and payments (``payments``), progress reports (``reports``),
performance notices (``notices``) and the reminders sent (``reminders``).

The modules declare fields, invariants and each state machine's table
(``core.lifecycle.Lifecycle``) only. Every write goes through
``contracts.services`` and every read a person sees through
``contracts.selectors``.

Code inside the app imports the topic module
(``from contracts.models.milestones import Milestone``); this package
re-exports every name for migrations, other apps' foreign keys and the
Django machinery.
"""

from contracts.models.contracts import (
    CONTRACT_LIFECYCLE,
    CONTRACT_TRANSITIONS,
    EDITABLE_STATES,
    LIVE_STATES,
    MAX_CONTRACT_YEARS,
    REPORTING_PERIODS,
    VERSION_LIFECYCLE,
    VERSION_TRANSITIONS,
    Contract,
    ContractEvent,
    ContractVersion,
)
from contracts.models.documents import (
    DOCUMENT_LIFECYCLE,
    DOCUMENT_TRANSITIONS,
    ContractDocument,
    Signature,
)
from contracts.models.funding import FundingShare
from contracts.models.kpis import COUNT_MEASURES, KPI, Measure, OutcomeKind, OutcomeTarget
from contracts.models.milestones import (
    MILESTONE_LIFECYCLE,
    MILESTONE_TRANSITIONS,
    SETTLED_STATES,
    Milestone,
)
from contracts.models.notices import (
    NOTICE_EVERY_MONTHS,
    NOTICE_LIFECYCLE,
    NOTICE_TRANSITIONS,
    PerformanceNotice,
    PerformanceRating,
)
from contracts.models.payments import (
    CLAIM_LIFECYCLE,
    CLAIM_TRANSITIONS,
    OPEN_CLAIM_STATES,
    Claim,
    Payment,
    PaymentShare,
)
from contracts.models.reminders import Reminder
from contracts.models.reports import (
    OUTSTANDING_REPORT_STATES,
    REPORT_DUE_AFTER_DAYS,
    REPORT_LIFECYCLE,
    REPORT_TRANSITIONS,
    KPIActual,
    ProgressReport,
    ReportAttachment,
)

__all__ = [
    "CLAIM_LIFECYCLE",
    "CLAIM_TRANSITIONS",
    "CONTRACT_LIFECYCLE",
    "CONTRACT_TRANSITIONS",
    "COUNT_MEASURES",
    "DOCUMENT_LIFECYCLE",
    "DOCUMENT_TRANSITIONS",
    "EDITABLE_STATES",
    "KPI",
    "LIVE_STATES",
    "MAX_CONTRACT_YEARS",
    "MILESTONE_LIFECYCLE",
    "MILESTONE_TRANSITIONS",
    "NOTICE_EVERY_MONTHS",
    "NOTICE_LIFECYCLE",
    "NOTICE_TRANSITIONS",
    "OPEN_CLAIM_STATES",
    "OUTSTANDING_REPORT_STATES",
    "REPORTING_PERIODS",
    "REPORT_DUE_AFTER_DAYS",
    "REPORT_LIFECYCLE",
    "REPORT_TRANSITIONS",
    "SETTLED_STATES",
    "VERSION_LIFECYCLE",
    "VERSION_TRANSITIONS",
    "Claim",
    "Contract",
    "ContractDocument",
    "ContractEvent",
    "ContractVersion",
    "FundingShare",
    "KPIActual",
    "Measure",
    "Milestone",
    "OutcomeKind",
    "OutcomeTarget",
    "Payment",
    "PaymentShare",
    "PerformanceNotice",
    "PerformanceRating",
    "ProgressReport",
    "Reminder",
    "ReportAttachment",
    "Signature",
]
