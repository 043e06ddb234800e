"""Demo contracts, one for each award of a complete demo tender, told through the contracts
services.

Builds on ``demo.marketplace``: the Shanghai Municipal Civil Affairs Bureau's
``commissioner`` makes each contract from its award once the standstill is
over, sends it, and the parties' signatories sign the PDF rendered from it
(``commissioner`` for the bureau, the provider's administrator with the demo
password). Three stories:

* counselling in Xuhui and Pudong (``ngo_admin``'s provider): in force for
  about four months; the first instalment and an output milestone paid — met
  by the referrals the Xujiahui and Pudong caseworkers sent to the provider's
  counselling service and it accepted, counted by the platform — each claimed
  by ``ngo_admin``, its evidence confirmed by ``commissioner`` and approved by
  ``finance`` (four eyes); the first quarter's instalment waits for
  ``finance``; the rest is pending, the rate-card milestone with no outcome
  data yet; progress reports accepted and one waiting for review; a
  performance notice published;
* home visits in Changning (``ngo2_admin``'s provider): signed by the bureau,
  waiting for the provider's signature (``ngo2_admin`` can sign it in the demo);
* casework for dibao households in Huangpu (``ngo_admin``'s provider): in
  force, its first instalment paid, then terminated by agreement when the
  district took the service over, the money still committed going back to the
  pooled budget.

Every step runs at its moment (``demo.history.as_of``), with mail dropped
(``demo.history.without_mail``) and the PDF rendered when the task would
render it after the commit. One step cannot go back in time: pyHanko signs
only with a certificate valid at the moment of signing, and the platform's
signing certificate is made when first needed, so the signatures in the PDFs
carry the time the demo was seeded while the records (who signed, and when in
the story) carry the story's moments. Idempotent: a contract is found by its
award, and an award that has one is left as it is (beat may have moved it on).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone

from accounts.models import User
from contracts.models import Contract, ContractDocument, ContractVersion, Milestone, Payment
from contracts.services import (
    create_contract_from_award,
    notices,
    payments,
    reports,
    send_for_signature,
    terminate_contract,
)
from contracts.services.documents import render_document
from contracts.services.reports import add_months
from contracts.services.signing import sign_version
from demo import history
from demo.accounts import DemoParties
from marketplace.models import Award, Tender

Kind = Milestone.Kind
CENT = Decimal("0.01")
# Shanghai time of day of the parties' steps.
WORK_HOUR, AFTERNOON = 10, 15


@dataclass(frozen=True)
class MilestonePlan:
    """One milestone: a share of the contract's value (the last takes what is left)."""

    kind: str
    title_zh: str
    title_en: str
    share: Decimal
    due_months: int | None = None  # after the contract's start (fixed milestones)
    output_measure: str = ""
    output_target: int | None = None
    outcome_kind: str = ""
    outcome_price: Decimal | None = None


@dataclass(frozen=True)
class ClaimPlan:
    """A payment claim of milestone ``number``: claimed, confirmed, approved (days from today)."""

    milestone: int
    claimed: int
    confirmed: int | None = None
    approved: int | None = None
    note: str = ""


@dataclass(frozen=True)
class ReportPlan:
    """A progress report: submitted, and accepted (days from today; None: not yet)."""

    number: int
    submitted: int
    accepted: int | None
    outputs: str
    narrative: str
    comments: str = ""


@dataclass(frozen=True)
class NoticePlan:
    """A performance notice on the contract so far, published on a day (from today)."""

    published: int
    summary_zh: str
    summary_en: str
    ratings: dict = field(default_factory=dict)  # KPI number: (rating, comment)


@dataclass(frozen=True)
class ContractPlan:
    """One demo contract and how far its story goes. Day offsets count from today."""

    tender_zh: str  # the complete tender whose award it comes from
    provider_signatory: str  # username of the provider's administrator
    created: int
    sent: int
    agency_signed: int
    provider_signed: int | None  # None: still waiting for the provider
    kpis: tuple[dict, ...]
    milestones: tuple[MilestonePlan, ...]
    outcome_targets: tuple[dict, ...] = ()
    report_every_months: int = 3
    claims: tuple[ClaimPlan, ...] = ()
    reports: tuple[ReportPlan, ...] = ()
    notice: NoticePlan | None = None
    terminated: int | None = None
    termination_reason: str = ""


def _kpi(name_zh, name_en, unit, target, *, measure="", baseline=None) -> dict:
    return {
        "name_zh": name_zh,
        "name_en": name_en,
        "unit": unit,
        "baseline": baseline,
        "target": Decimal(str(target)),
        "measured_by": "platform" if measure else "reported",
        "measure": measure,
    }


COUNSELLING = ContractPlan(
    tender_zh="徐汇区、浦东新区困难群众心理疏导服务项目",
    provider_signatory="ngo_admin",
    created=-117,
    sent=-116,
    agency_signed=-115,
    provider_signed=-114,
    kpis=(
        _kpi("接收转介人次", "Referrals received", "人次", 80, measure="referrals_received"),
        _kpi("接案人数", "People taken on", "人", 60, measure="referrals_accepted"),
        _kpi(
            "接案所需天数（中位数）",
            "Median days to accept a referral",
            "天",
            3,
            measure="median_days_to_accept",
            baseline=Decimal("5"),
        ),
        _kpi(
            "服务对象满意度",
            "Satisfaction of the people served",
            "%",
            90,
            baseline=Decimal("85"),
        ),
    ),
    outcome_targets=(
        {
            "description_zh": "服务对象的心理困扰明显缓解，达成个案服务目标",
            "description_en": "People's distress eases and they reach the goals of their casework",
            "outcome_kind": "goal_attained",
            "target": Decimal("40"),
            "unit": "人",
        },
    ),
    milestones=(
        MilestonePlan(
            Kind.FIXED,
            "合同生效首期款",
            "First instalment when the contract takes effect",
            Decimal("0.25"),
            due_months=0,
        ),
        MilestonePlan(
            Kind.FIXED,
            "第一季度服务费",
            "Services of the first quarter",
            Decimal("0.15"),
            due_months=3,
        ),
        MilestonePlan(
            Kind.OUTPUT,
            "累计接案不少于12人",
            "At least 12 people taken on",
            Decimal("0.20"),
            output_measure="referrals_accepted",
            output_target=12,
        ),
        MilestonePlan(
            Kind.FIXED,
            "第二季度服务费",
            "Services of the second quarter",
            Decimal("0.15"),
            due_months=6,
        ),
        MilestonePlan(
            Kind.OUTCOME,
            "个案目标达成奖励（按人计价）",
            "Paid per person who reaches their casework goals",
            Decimal("0.25"),
            outcome_kind="goal_attained",
            outcome_price=Decimal("1500.00"),
        ),
    ),
    report_every_months=1,
    claims=(
        ClaimPlan(1, claimed=-110, confirmed=-109, approved=-107, note="合同已生效，申请首期款。"),
        ClaimPlan(
            3,
            claimed=-8,
            confirmed=-7,
            approved=-5,
            note="平台统计的接案人数已达到里程碑要求。",
        ),
        ClaimPlan(2, claimed=-12, confirmed=-10, note="第一季度服务已按计划完成。"),
    ),
    reports=(
        ReportPlan(
            1,
            submitted=-80,
            accepted=-76,
            outputs="完成心理评估18人次，个案辅导32次，热线及线上情绪支持45人次。",
            narrative="首月以建立转介流程和服务对象评估为主，与徐汇、浦东两区街镇完成对接。",
            comments="报告完整，请继续按月报送。",
        ),
        ReportPlan(
            2,
            submitted=-50,
            accepted=-47,
            outputs="完成心理评估21人次，个案辅导40次，小组活动2场。",
            narrative="个案辅导逐步常态化；一例危机个案已当日转介精神卫生中心。",
        ),
        ReportPlan(
            3,
            submitted=-19,
            accepted=None,
            outputs="完成心理评估16人次，个案辅导38次，线上支持52人次。",
            narrative="本月服务对象满意度回访92%；浦东新区转介量上升，已增派一名社工。",
        ),
    ),
    notice=NoticePlan(
        published=-28,
        summary_zh="合同执行前三个月服务按计划推进，接案及时，转介量略低于预期。",
        summary_en=(
            "In its first three months the service ran as planned and took people on "
            "promptly; referrals were a little below what was expected."
        ),
        ratings={
            1: ("approaching", "转介量随两区宣传逐步上升。"),
            2: ("good", ""),
            3: ("good", ""),
            4: ("good", ""),
        },
    ),
)

HOME_VISITS = ContractPlan(
    tender_zh="长宁区高龄独居老人探访关爱服务",
    provider_signatory="ngo2_admin",
    created=-9,
    sent=-8,
    agency_signed=-7,
    provider_signed=None,
    kpis=(
        _kpi("接收转介人次", "Referrals received", "人次", 120, measure="referrals_received"),
        _kpi(
            "完成服务人数",
            "People whose service was completed",
            "人",
            90,
            measure="referrals_completed",
        ),
        _kpi(
            "独居老人每周探访覆盖率",
            "Older people visited every week",
            "%",
            95,
            baseline=Decimal("80"),
        ),
    ),
    milestones=(
        MilestonePlan(
            Kind.FIXED, "合同生效首期款", "First instalment", Decimal("0.30"), due_months=0
        ),
        MilestonePlan(
            Kind.FIXED, "中期服务费", "Mid-term instalment", Decimal("0.30"), due_months=6
        ),
        MilestonePlan(
            Kind.OUTPUT,
            "完成探访服务不少于90人",
            "Services completed for at least 90 people",
            Decimal("0.20"),
            output_measure="referrals_completed",
            output_target=90,
        ),
        MilestonePlan(
            Kind.FIXED,
            "尾款（绩效评估后）",
            "Final instalment after the assessment",
            Decimal("0.20"),
            due_months=11,
        ),
    ),
)

HUANGPU_CASEWORK = ContractPlan(
    tender_zh="黄浦区低保家庭社会工作个案服务项目",
    provider_signatory="ngo_admin",
    created=-111,
    sent=-110,
    agency_signed=-109,
    provider_signed=-108,
    kpis=(
        _kpi("入户评估户数", "Households assessed at home", "户", 300),
        _kpi("实现稳定就业人数", "People in stable work", "人", 45, baseline=Decimal("20")),
        _kpi("接收转介人次", "Referrals received", "人次", 150, measure="referrals_received"),
    ),
    milestones=(
        MilestonePlan(
            Kind.FIXED, "合同生效首期款", "First instalment", Decimal("0.30"), due_months=0
        ),
        MilestonePlan(
            Kind.FIXED, "中期服务费", "Mid-term instalment", Decimal("0.30"), due_months=6
        ),
        MilestonePlan(
            Kind.FIXED,
            "尾款（绩效评估后）",
            "Final instalment after the assessment",
            Decimal("0.40"),
            due_months=11,
        ),
    ),
    claims=(
        ClaimPlan(1, claimed=-98, confirmed=-97, approved=-95, note="合同已生效，申请首期款。"),
    ),
    terminated=-20,
    termination_reason=(
        "黄浦区民政局自本季度起将低保家庭个案服务纳入区级社会救助综合服务统一购买，"
        "经双方协商一致提前终止本合同；已完成的服务按首期款结算，其余资金退回资金池。"
    ),
)

CONTRACTS = (COUNSELLING, HOME_VISITS, HUANGPU_CASEWORK)


@dataclass
class _Demo:
    users: dict[str, User]
    today: datetime.date
    password: str

    def moment(self, days: int, hour: int = WORK_HOUR) -> datetime.datetime:
        return history.moment(self.today, days, hour)

    @property
    def commissioner(self) -> User:
        return self.users["commissioner"]


def _award(plan: ContractPlan, lead_agency) -> Award | None:
    tender = Tender.objects.filter(
        lead_agency=lead_agency, title_zh=plan.tender_zh, status=Tender.Status.COMPLETE
    ).first()
    if tender is None:
        return None
    return tender.awards.filter(status=Award.Status.CONFIRMED).select_related("tender").first()


def _milestones(plan: ContractPlan, value: Decimal, start: datetime.date) -> list[dict]:
    """The milestone inputs, each a share of ``value`` to the fen; the last takes the rest."""
    rows, left = [], value
    for index, item in enumerate(plan.milestones):
        last = index == len(plan.milestones) - 1
        amount = left if last else (value * item.share).quantize(CENT, rounding=ROUND_DOWN)
        left -= amount
        rows.append(
            {
                "kind": item.kind,
                "title_zh": item.title_zh,
                "title_en": item.title_en,
                "due_date": add_months(start, item.due_months)
                if item.due_months is not None
                else None,
                "amount": amount,
                "output_measure": item.output_measure,
                "output_target": item.output_target,
                "outcome_kind": item.outcome_kind,
                "outcome_price": item.outcome_price,
            }
        )
    return rows


def _create(demo: _Demo, plan: ContractPlan, award: Award) -> Contract:
    tender = award.tender
    with history.as_of(demo.moment(plan.created)):
        return create_contract_from_award(
            award=award,
            actor=demo.commissioner,
            kpis=plan.kpis,
            outcome_targets=plan.outcome_targets,
            milestones=_milestones(plan, award.value, tender.contract_start),
            report_every_months=plan.report_every_months,
            now=demo.moment(plan.created),
        )


def _send(demo: _Demo, contract: Contract, plan: ContractPlan) -> ContractDocument:
    """Send for signature; the PDF is rendered as the task would after the commit."""
    sent = demo.moment(plan.sent)
    with history.as_of(sent):
        contract = send_for_signature(contract=contract, actor=demo.commissioner)
    document = ContractDocument.objects.get(
        version__contract=contract, version__status=ContractVersion.Status.AWAITING_SIGNATURES
    )
    rendered = sent.replace(minute=1)
    with history.as_of(rendered):
        return render_document(document=document, now=rendered)


def _sign(demo: _Demo, contract: Contract, username: str, day: int) -> None:
    """``username`` signs the version awaiting signatures, the file shown and the password.

    At the present moment, with the record dated in the story (see the module's
    docstring): a certificate cannot sign before it is valid.
    """
    version = contract.versions.get(status=ContractVersion.Status.AWAITING_SIGNATURES)
    document = ContractDocument.objects.get(version=version)
    sign_version(
        version=version,
        actor=demo.users[username],
        password=demo.password,
        shown_sha256=document.sha256,
        now=demo.moment(day, AFTERNOON),
    )


def _terminate(demo: _Demo, contract: Contract, plan: ContractPlan) -> Contract:
    with history.as_of(demo.moment(plan.terminated, AFTERNOON)):
        return terminate_contract(
            contract=contract, actor=demo.commissioner, reason=plan.termination_reason
        )


def _claims(demo: _Demo, contract: Contract, plan: ContractPlan) -> None:
    """Each claim at its moments: ``ngo_admin`` claims, ``commissioner`` confirms the
    evidence, ``finance`` approves (four eyes)."""
    for item in sorted(plan.claims, key=lambda c: c.claimed):
        milestone = contract.milestones.get(number=item.milestone)
        claimed = demo.moment(item.claimed)
        with history.as_of(claimed):
            claim = payments.claim_milestone(
                milestone=milestone,
                actor=demo.users[plan.provider_signatory],
                note=item.note,
                now=claimed,
            )
        if item.confirmed is None:
            continue
        confirmed = demo.moment(item.confirmed, AFTERNOON)
        with history.as_of(confirmed):
            claim = payments.confirm_claim(claim=claim, actor=demo.commissioner, now=confirmed)
        if item.approved is None:
            continue
        approved = demo.moment(item.approved)
        with history.as_of(approved):
            payments.approve_claim(claim=claim, actor=demo.users["finance"], now=approved)


def _reports(demo: _Demo, contract: Contract, plan: ContractPlan) -> None:
    """The provider's reports, submitted and reviewed at their moments."""
    for item in plan.reports:
        report = contract.reports.get(number=item.number)
        submitted = demo.moment(item.submitted)
        actuals = {
            kpi.number: kpi.target
            for kpi in contract.kpis.all()
            if kpi.measured_by == kpi.MeasuredBy.REPORTED
        }
        with history.as_of(submitted):
            reports.submit_report(
                report=report,
                actor=demo.users[plan.provider_signatory],
                outputs=item.outputs,
                narrative=item.narrative,
                actuals=actuals,
                now=submitted,
            )
        if item.accepted is not None:
            accepted = demo.moment(item.accepted, AFTERNOON)
            with history.as_of(accepted):
                reports.accept_report(
                    report=report, actor=demo.commissioner, comments=item.comments, now=accepted
                )


def _notice(demo: _Demo, contract: Contract, plan: ContractPlan) -> None:
    """The commissioner's published performance notice on the first months."""
    if plan.notice is None:
        return
    published = demo.moment(plan.notice.published)
    with history.as_of(published):
        notice = notices.draft_notice(contract=contract, actor=demo.commissioner, now=published)
        notices.publish_notice(
            notice=notice,
            actor=demo.commissioner,
            summary_zh=plan.notice.summary_zh,
            summary_en=plan.notice.summary_en,
            ratings=plan.notice.ratings,
            now=published,
        )


def _tell(demo: _Demo, plan: ContractPlan, award: Award) -> Contract:
    contract = _create(demo, plan, award)
    document = _send(demo, contract, plan)
    if document.status != ContractDocument.Status.READY:
        # No CJK font here: the contract waits, its page says why (see /healthz).
        return contract
    _sign(demo, contract, "commissioner", plan.agency_signed)
    if plan.provider_signed is None:
        return Contract.objects.get(pk=contract.pk)
    _sign(demo, contract, plan.provider_signatory, plan.provider_signed)
    contract = Contract.objects.get(pk=contract.pk)
    _claims(demo, contract, plan)
    _reports(demo, contract, plan)
    _notice(demo, contract, plan)
    if plan.terminated is not None:
        contract = _terminate(demo, contract, plan)
    return contract


def seed_contracts(parties: DemoParties, *, password: str) -> dict:
    """Make the demo contracts (once); returns counts of what the demo holds."""
    lead_agency = parties.agencies["civil_affairs"]
    with history.without_mail():
        demo = _Demo(
            users=parties.users,
            today=timezone.localdate(),
            password=password,
        )
        for plan in CONTRACTS:
            award = _award(plan, lead_agency)
            if award is None or Contract.objects.filter(award=award).exists():
                continue
            _tell(demo, plan, award)
    contracts = Contract.objects.filter(lead_agency=lead_agency)
    failed = ContractDocument.objects.filter(
        version__contract__in=contracts, status=ContractDocument.Status.FAILED
    )
    return {
        "contracts": contracts.count(),
        "states": Counter(contracts.values_list("status", flat=True)),
        "payments": Payment.objects.filter(contract__in=contracts).count(),
        "unsigned": " ".join(sorted(set(failed.values_list("error", flat=True)))),
    }
