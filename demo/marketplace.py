"""Demo pooled budgets and tenders in every state, told through the marketplace services.

The Shanghai Municipal Civil Affairs Bureau (``commissioner``, ``finance``)
leads two pooled budgets funded by four funders — its own general budget and a
central subsidy, the welfare lottery fund, the Disabled Persons' Federation
(earmarked for disability services) and a charity foundation — with one pledge
still waiting for ``finance``; its tenders are in every state: a draft; one
published with an answered and an unanswered question; one open for bids with
sealed bids from ``ngo_admin``'s and ``ngo2_admin``'s providers; one under
evaluation, where the chair has started and the two other members (a partner
agency's caseworker and ``supervisor``) have scored; one awarded in its
standstill with the money committed; three complete (the awards
``demo.contracts`` makes its contracts from); one cancelled; one closed
unsuccessful when nobody bid. Every panel has three members; ``commissioner``
chairs it and recommends the award, and the bureau's supervisor approves it
(four eyes: never the recommender or the chair). Every step goes through
``marketplace.services`` at the moment it happened (``demo.history.as_of``, and
``now`` where a service takes it), so the ledger, tender history, alerts and
sealed bids are what they would be in use; finance officers of the partner
funds and the bureau's supervisor act in that history without signing in.
Idempotent: budgets are found by lead agency and name, contributions by budget,
funder, year and source, tenders by lead agency and Chinese title; a tender
that exists is left as it is (beat may have moved it on since).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, Role, User
from demo import history
from demo.accounts import SHANGHAI, DemoParties, credit_code, history_person, organization
from marketplace import selectors as marketplace_selectors
from marketplace import services as marketplace_services
from marketplace.models import (
    Alert,
    Bid,
    Contribution,
    Criterion,
    Panel,
    PooledBudget,
    Tender,
)
from places.models import Area
from providers import selectors as provider_selectors
from providers.models import Provider
from taxonomy.models import NeedCategory

Kind = Criterion.Kind
State = Tender.Status

# --- people who act in the history ---------------------------------------------

CHARITY = ("上海市慈善基金会", "Shanghai Charity Foundation")
# username: (display name, agency — as in demo.accounts.DEMO_USERS, or "charity" — role)
HISTORY_PEOPLE = {
    "lottery_finance": ("钱海燕", "welfare_lottery", Role.FINANCE),
    "cdpf_finance": ("冯志刚", "disabled_federation", Role.FINANCE),
    "charity_finance": ("沈佳怡", "charity", Role.FINANCE),
    # approves the awards the commissioner recommends (four eyes)
    "bureau_supervisor": ("黄志明", "civil_affairs", Role.SUPERVISOR),
}
# The provider each bidding username acts for (index into DemoParties.providers; each
# registered its NGO in demo.providers).
BIDDERS = {0: "ngo_admin", 1: "ngo2_admin", 2: "ngo3_admin", 3: "ngo4_admin"}

# --- pooled budgets ----------------------------------------------------------------


@dataclass(frozen=True)
class ContributionPlan:
    funder: str  # key of DemoParties.agencies, or "charity"
    source: str
    amount: Decimal
    year_offset: int = 0  # from the budget's first year
    earmarked: tuple[str, ...] = ()  # need category codes
    approver: str = ""  # username of the funder's finance officer; empty: still pending
    note: str = ""


@dataclass(frozen=True)
class BudgetPlan:
    key: str
    name_zh: str
    name_en: str
    description: str
    years: int  # how many fiscal years from this one
    contributions: tuple[ContributionPlan, ...]


Source = Contribution.Source
BUDGETS = (
    BudgetPlan(
        key="joint",
        name_zh="上海市困难群众社会服务联合资金池",
        name_en="Shanghai joint fund for social services to people in need",
        description=(
            "市民政局牵头，会同市福彩中心、市残联和市慈善基金会共同出资，"
            "统一购买面向困难群众的社会服务。"
        ),
        years=2,
        contributions=(
            ContributionPlan(
                "civil_affairs",
                Source.GENERAL_BUDGET,
                Decimal("6000000.00"),
                approver="finance",
                note="市级一般公共预算社会救助服务经费",
            ),
            ContributionPlan(
                "welfare_lottery",
                Source.WELFARE_LOTTERY,
                Decimal("3000000.00"),
                approver="lottery_finance",
                note="市级福利彩票公益金",
            ),
            ContributionPlan(
                "disabled_federation",
                Source.GENERAL_BUDGET,
                Decimal("1500000.00"),
                earmarked=("social-services.disability",),
                approver="cdpf_finance",
                note="残疾人就业保障金安排的康复服务经费，仅用于助残服务",
            ),
            ContributionPlan(
                "charity",
                Source.CHARITY_DONATION,
                Decimal("800000.00"),
                approver="charity_finance",
                note="“蓝天下的至爱”慈善募捐定向资助",
            ),
            # Next year's share, pledged but waiting for ``finance`` to approve it.
            ContributionPlan(
                "civil_affairs",
                Source.GENERAL_BUDGET,
                Decimal("5000000.00"),
                year_offset=1,
                note="下一年度预算，待财务审核",
            ),
        ),
    ),
    BudgetPlan(
        key="elderly",
        name_zh="上海市居家养老服务补助资金",
        name_en="Shanghai home-based elderly care subsidy fund",
        description="中央财政养老服务补助与市级福彩公益金配套，用于居家社区养老服务。",
        years=1,
        contributions=(
            ContributionPlan(
                "civil_affairs",
                Source.CENTRAL_SUBSIDY,
                Decimal("2000000.00"),
                approver="finance",
                note="中央财政居家和社区养老服务补助",
            ),
            ContributionPlan(
                "welfare_lottery",
                Source.WELFARE_LOTTERY,
                Decimal("1000000.00"),
                approver="lottery_finance",
                note="福彩公益金养老服务配套",
            ),
        ),
    ),
)
# Day offsets (from today) at which the budgets were opened and funded.
BUDGET_OPENED, PLEDGED, APPROVED, PENDING_PLEDGED = -175, -172, -170, -6

# --- tenders -------------------------------------------------------------------

# (kind, name_zh, name_en, weight, what the panel looks for)
CRITERIA_STANDARD = (
    (Kind.PRICE, "价格", "Price", 30, ""),
    (
        Kind.QUALITY,
        "服务方案与实施计划",
        "Service plan and delivery",
        30,
        "需求分析是否准确，服务内容、频次和流程是否具体可行。",
    ),
    (
        Kind.QUALITY,
        "团队与专业能力",
        "Team and professional capacity",
        15,
        "持证社工配备、督导机制和相关服务经验。",
    ),
    (Kind.PAST_PERFORMANCE, "过往业绩", "Past performance", 10, ""),
    (
        Kind.SOCIAL_VALUE,
        "社会价值与社区参与",
        "Social value and community involvement",
        15,
        "志愿者和社区资源的动员，本地就业，服务对象的参与。",
    ),
)
CRITERIA_PRICE_LED = (
    (Kind.PRICE, "价格", "Price", 40, ""),
    (
        Kind.QUALITY,
        "服务方案",
        "Service plan",
        35,
        "服务流程、响应时限和转介衔接是否清楚。",
    ),
    (Kind.PAST_PERFORMANCE, "过往业绩", "Past performance", 10, ""),
    (
        Kind.SOCIAL_VALUE,
        "社会价值",
        "Social value",
        15,
        "与社区、街镇和其他部门的协同。",
    ),
)
# A bidder's proposal for a criterion the panel scores, by kind (the
# organization's name goes in front; the variant follows the provider).
RESPONSES = {
    Kind.QUALITY: (
        "将组建由持证社工带领的项目团队，入户评估后为每位服务对象制定个别化服务计划，"
        "每月至少两次上门或电话跟进，并建立季度评估和督导制度。",
        "以“一人一档”管理服务对象，设立24小时应急响应电话，常规需求3个工作日内响应，"
        "紧急需求当日响应；与街镇、居委会和医疗机构建立转介机制。",
        "项目设项目主管1名、持证社工4名、专职护理员6名，聘请高校督导每月开展专业督导，"
        "全部人员上岗前完成40学时培训。",
    ),
    Kind.SOCIAL_VALUE: (
        "动员社区志愿者不少于60名开展结对陪伴，优先吸纳本地就业困难人员担任护理员，"
        "每季度召开服务对象议事会听取意见。",
        "联合辖区商户和企业开展公益服务，链接慈善资源补充服务内容，定期向社区公开服务成效。",
    ),
}


@dataclass(frozen=True)
class BidPlan:
    provider: int  # index into DemoParties.providers
    price: Decimal
    strength: Decimal  # the panel's typical score of its proposal, 0–10


@dataclass(frozen=True)
class TenderPlan:
    """One demo tender and the state its story ends in. Day offsets count from today."""

    state: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    budget: str
    categories: tuple[str, ...]
    districts: tuple[str, ...]  # 6-digit GB/T 2260 district codes
    max_value: Decimal
    criteria: tuple
    publish: int
    enquiry: int
    submission: int
    contract_start: int
    contract_years: int = 1
    lots: tuple[tuple[str, str, Decimal, str], ...] = ()  # title_zh, title_en, max, district
    questions: tuple[tuple[int, str, str], ...] = ()  # provider, question, answer ("": none yet)
    bids: tuple[BidPlan, ...] = ()
    # members besides the chair (``commissioner``): a panel has at least three people
    panel: tuple[str, ...] = ()
    # (bid index, criterion order, the score of the first member named in ``panel``): a wide
    # disagreement the chair settles
    disagreement: tuple[int, int, Decimal] | None = None
    approve: int | None = None  # the day the award is approved (standstill: 10 days)
    reason: str = ""  # of a cancellation
    eligibility: dict = field(default_factory=dict)


TENDERS = (
    TenderPlan(
        state=State.COMPLETE,
        title_zh="黄浦区低保家庭社会工作个案服务项目",
        title_en="Casework for dibao households in Huangpu",
        description_zh=(
            "为黄浦区约300户低保家庭提供入户评估、个案管理、资源链接和就业支持，"
            "帮助有劳动能力的成员稳定就业。"
        ),
        description_en=(
            "Home assessments, case management, links to resources and employment support "
            "for about 300 dibao households in Huangpu, so that members able to work find "
            "stable jobs."
        ),
        budget="joint",
        categories=("basic-living.dibao",),
        districts=("310101",),
        max_value=Decimal("800000.00"),
        criteria=CRITERIA_STANDARD,
        publish=-158,
        enquiry=-144,
        submission=-130,
        contract_start=-100,
        questions=(
            (
                1,
                "服务对象约300户是否包含新纳入低保的家庭？",
                "包含。项目期内新纳入的低保家庭由街道转介给中标机构。",
            ),
        ),
        bids=(
            BidPlan(0, Decimal("742000.00"), Decimal("8.5")),
            BidPlan(1, Decimal("768000.00"), Decimal("7.0")),
        ),
        panel=("supervisor", "caseworker2"),
        approve=-122,
        eligibility={"min_certified_social_workers": 3},
    ),
    TenderPlan(
        state=State.UNSUCCESSFUL,
        title_zh="崇明区困难家庭住房安全改造服务",
        title_en="Safe-housing repairs for poor households in Chongming",
        description_zh="为崇明区困难家庭开展住房安全评估和适老化、防滑、防火改造。",
        description_en=(
            "Safety surveys and repairs — grab rails, non-slip floors, fire safety — in the "
            "homes of poor households in Chongming."
        ),
        budget="joint",
        categories=("special-assistance.housing",),
        districts=("310151",),
        max_value=Decimal("600000.00"),
        criteria=CRITERIA_PRICE_LED,
        publish=-80,
        enquiry=-66,
        submission=-52,
        contract_start=-20,
        eligibility={"require_area_presence": True},
    ),
    TenderPlan(
        state=State.AWARDED,
        title_zh="徐汇区居家养老服务项目",
        title_en="Home-based elderly care in Xuhui",
        description_zh=(
            "为徐汇区高龄、独居和失能老人提供上门照护、助餐助浴、健康监测和精神慰藉服务，"
            "服务对象不少于500人。"
        ),
        description_en=(
            "Home care, help with meals and bathing, health checks and companionship for at "
            "least 500 older people in Xuhui who are very old, live alone or need care."
        ),
        budget="elderly",
        categories=("social-services.elderly-care",),
        districts=("310104",),
        max_value=Decimal("1500000.00"),
        criteria=CRITERIA_STANDARD,
        contract_years=2,
        publish=-62,
        enquiry=-48,
        submission=-34,
        contract_start=20,
        questions=(
            (
                0,
                "失能老人的照护是否需要具备护理员资格证书的人员提供？",
                "是的。生活照料须由持有养老护理员证书的人员提供，投标时请列明人员配备。",
            ),
        ),
        bids=(
            BidPlan(1, Decimal("1380000.00"), Decimal("8.5")),
            BidPlan(0, Decimal("1320000.00"), Decimal("7.0")),
            BidPlan(3, Decimal("1450000.00"), Decimal("6.5")),
        ),
        panel=("supervisor", "caseworker2"),
        # the supervisor scores the second bid's service plan far below the chair
        disagreement=(1, 2, Decimal("3.0")),
        approve=-3,
        eligibility={"min_certified_social_workers": 3},
    ),
    TenderPlan(
        state=State.EVALUATION,
        title_zh="残疾人社区康复服务项目",
        title_en="Community rehabilitation for disabled people",
        description_zh=(
            "在长宁区、静安区为持证残疾人提供社区康复训练、辅具适配指导和家庭照护者支持。"
        ),
        description_en=(
            "Community rehabilitation, advice on assistive devices and support for family "
            "carers of registered disabled people in Changning and Jing'an."
        ),
        budget="joint",
        categories=("social-services.disability",),
        districts=("310105", "310106"),
        max_value=Decimal("1000000.00"),
        criteria=CRITERIA_STANDARD,
        publish=-40,
        enquiry=-26,
        submission=-5,
        contract_start=30,
        bids=(
            BidPlan(2, Decimal("930000.00"), Decimal("8.0")),
            BidPlan(0, Decimal("895000.00"), Decimal("7.5")),
        ),
        panel=("caseworker2", "supervisor"),
    ),
    TenderPlan(
        state=State.CANCELLED,
        title_zh="社区长者食堂运营服务",
        title_en="Running community canteens for older people",
        description_zh="委托运营5个社区长者食堂，提供午餐、晚餐和送餐上门服务。",
        description_en="Running five community canteens: lunch, dinner and meals delivered home.",
        budget="elderly",
        categories=("social-services.elderly-care",),
        districts=("310107",),
        max_value=Decimal("800000.00"),
        criteria=CRITERIA_PRICE_LED,
        publish=-30,
        enquiry=-12,
        submission=5,
        contract_start=40,
        reason=(
            "普陀区已将长者食堂纳入区级财政直接保障，本项目取消。 / Putuo District now funds "
            "its community canteens directly, so this tender is cancelled."
        ),
    ),
    TenderPlan(
        state=State.TENDERING,
        title_zh="临时救助“一门受理”协同服务",
        title_en="One-door intake for temporary assistance",
        description_zh=(
            "在黄浦区、徐汇区街道社区事务受理服务中心设立临时救助受理窗口，"
            "协助困难群众申请、开展急难情况评估并转介相关部门。"
        ),
        description_en=(
            "Intake desks for temporary assistance in the community service centres of "
            "Huangpu and Xuhui: helping people in sudden hardship apply, assessing urgent "
            "cases and referring them to the right departments."
        ),
        budget="joint",
        categories=("emergency.temporary",),
        districts=("310101", "310104"),
        max_value=Decimal("900000.00"),
        criteria=CRITERIA_PRICE_LED,
        publish=-20,
        enquiry=-8,
        submission=10,
        contract_start=40,
        questions=(
            (
                1,
                "受理窗口的工作时间是否需要覆盖周末？",
                "工作日全天受理；周末由24小时求助热线转介，不要求窗口值守。",
            ),
        ),
        bids=(
            BidPlan(0, Decimal("856000.00"), Decimal("8.0")),
            BidPlan(1, Decimal("872000.00"), Decimal("7.5")),
        ),
        eligibility={"require_area_presence": True, "min_certified_social_workers": 2},
    ),
    TenderPlan(
        state=State.PUBLISHED,
        title_zh="困境儿童关爱服务",
        title_en="Care and protection for children in difficulty",
        description_zh=(
            "为浦东新区、徐汇区的困境儿童和留守儿童提供家庭走访、个案辅导、课业支持和监护指导。"
        ),
        description_en=(
            "Home visits, casework, homework support and guidance for guardians of "
            "children in difficulty and children left behind in Pudong and Xuhui."
        ),
        budget="joint",
        categories=("social-services.child-welfare",),
        districts=("310115", "310104"),
        max_value=Decimal("1200000.00"),
        criteria=CRITERIA_STANDARD,
        contract_years=2,
        publish=-4,
        enquiry=8,
        submission=22,
        contract_start=60,
        lots=(
            ("浦东新区困境儿童关爱服务", "Pudong", Decimal("700000.00"), "310115"),
            ("徐汇区困境儿童关爱服务", "Xuhui", Decimal("500000.00"), "310104"),
        ),
        questions=(
            (
                0,
                "两个标包可以同时投标吗？是否允许联合体投标？",
                "可以同时投标两个标包，每个标包单独评审；本项目不接受联合体投标。",
            ),
            (1, "服务对象名单何时提供？入户走访是否需要街道工作人员陪同？", ""),
        ),
    ),
    TenderPlan(
        state=State.DRAFT,
        title_zh="社区心理健康支持服务",
        title_en="Community mental-health support",
        description_zh=(
            "在静安区为困难群众和独居老人提供心理健康筛查、团体辅导和危机干预转介服务。"
        ),
        description_en=(
            "Mental-health screening, group counselling and referral in a crisis for people "
            "in need and older people living alone in Jing'an."
        ),
        budget="joint",
        categories=("social-services.social-work",),
        districts=("310106",),
        max_value=Decimal("600000.00"),
        criteria=CRITERIA_STANDARD,
        publish=0,  # not yet: the commissioner publishes it
        enquiry=28,
        submission=42,
        contract_start=75,
        eligibility={"min_grade": 3},
    ),
    # Two more tenders that ended complete, so that ``demo.contracts`` has an
    # award for each state a contract is shown in: this one's contract is in
    # force, paid partly on the referrals the provider accepted (the demo's
    # counselling referrals come from Xuhui and Pudong, to ngo_admin's provider).
    TenderPlan(
        state=State.COMPLETE,
        title_zh="徐汇区、浦东新区困难群众心理疏导服务项目",
        title_en="Counselling and emotional support for people in need in Xuhui and Pudong",
        description_zh=(
            "为徐汇区、浦东新区街镇和民政部门转介的低保、低收入等困难群众提供心理评估、"
            "个案辅导和电话、线上情绪支持，必要时转介专业医疗机构。"
        ),
        description_en=(
            "Psychological assessment, counselling and emotional support by phone and online "
            "for people on dibao or low incomes whom the street offices and civil affairs "
            "bureaus of Xuhui and Pudong refer, with referral to medical care when needed."
        ),
        budget="joint",
        categories=("social-services.social-work",),
        districts=("310104", "310115"),
        max_value=Decimal("520000.00"),
        criteria=CRITERIA_STANDARD,
        publish=-166,
        enquiry=-152,
        submission=-138,
        contract_start=-112,
        questions=(
            (
                3,
                "服务对象是否包含未成年人？心理危机个案如何衔接医疗机构？",
                "以成年人为主，未成年人由监护人陪同；危机个案须当日报告转介街镇并联系精神卫生中心。",
            ),
        ),
        bids=(
            BidPlan(0, Decimal("486000.00"), Decimal("8.5")),
            BidPlan(3, Decimal("505000.00"), Decimal("7.0")),
        ),
        panel=("supervisor", "caseworker2"),
        approve=-128,
        eligibility={"min_certified_social_workers": 3},
    ),
    # ... and this one's contract the agency has signed; it waits for the provider's.
    TenderPlan(
        state=State.COMPLETE,
        title_zh="长宁区高龄独居老人探访关爱服务",
        title_en="Visits and care for very old people living alone in Changning",
        description_zh=(
            "为长宁区80周岁以上独居老人提供每周上门或电话探访、健康和居家安全检查、"
            "紧急情况处置和社区活动陪伴，服务对象不少于400人。"
        ),
        description_en=(
            "Weekly home or phone visits, health and home-safety checks, help in an emergency "
            "and company to community activities for at least 400 people over 80 who live "
            "alone in Changning."
        ),
        budget="elderly",
        categories=("social-services.elderly-care",),
        districts=("310105",),
        max_value=Decimal("600000.00"),
        criteria=CRITERIA_PRICE_LED,
        publish=-74,
        enquiry=-60,
        submission=-46,
        contract_start=12,
        bids=(
            BidPlan(1, Decimal("558000.00"), Decimal("8.0")),
            BidPlan(2, Decimal("575000.00"), Decimal("7.0")),
        ),
        panel=("supervisor", "caseworker2"),
        approve=-36,
    ),
)

# The time of day of each kind of step (Shanghai time): deadlines at five in
# the afternoon, bids in the afternoon before, the panel's work in the morning.
DEADLINE_HOUR, WORK_HOUR, BID_HOUR = 17, 10, 15


# --- seeding ------------------------------------------------------------------------


@dataclass
class _Demo:
    parties: DemoParties
    users: dict[str, User]
    agencies: dict[str, Organization]
    today: datetime.date
    budgets: dict[str, PooledBudget] = field(default_factory=dict)

    def moment(self, days: int, hour: int = WORK_HOUR, minute: int = 0) -> datetime.datetime:
        """``days`` from today (negative: in the past) at ``hour`` o'clock, Shanghai time."""
        return history.moment(self.today, days, hour, minute)

    @property
    def commissioner(self) -> User:
        return self.users["commissioner"]

    @property
    def award_approver(self) -> User:
        """Neither the recommender nor the chair (``commissioner``): the bureau's supervisor."""
        return self.users["bureau_supervisor"]

    @property
    def lead_agency(self) -> Organization:
        return self.agencies["civil_affairs"]

    def provider(self, index: int) -> Provider:
        return provider_selectors.provider_of(self.bidder(index))

    def bidder(self, index: int) -> User:
        return self.users[BIDDERS[index]]


def _charity() -> Organization:
    # A fund that pools money is an agency-kind party: it has finance officers
    # who approve its own contributions (see Contribution.funder).
    return organization(
        kind=Organization.Kind.AGENCY,
        name_zh=CHARITY[0],
        name_en=CHARITY[1],
        area_code=SHANGHAI,
        code=credit_code(authority="5", category="3", area_code=SHANGHAI, seed=CHARITY[0]),
    )


def _history_people(agencies: dict[str, Organization]) -> dict[str, User]:
    return {
        username: history_person(username, display_name, organization=agencies[where], role=role)
        for username, (display_name, where, role) in HISTORY_PEOPLE.items()
    }


def _seed_budget(demo: _Demo, plan: BudgetPlan) -> PooledBudget:
    budget = PooledBudget.objects.filter(lead_agency=demo.lead_agency, name_zh=plan.name_zh).first()
    first_year = demo.today.year
    if budget is None:
        with history.as_of(demo.moment(BUDGET_OPENED)):
            budget = marketplace_services.create_budget(
                lead_agency=demo.lead_agency,
                name_zh=plan.name_zh,
                name_en=plan.name_en,
                description=plan.description,
                first_year=first_year,
                last_year=first_year + plan.years - 1,
                actor=demo.commissioner,
            )
    categories = {c.code: c for c in NeedCategory.objects.all()}
    for item in plan.contributions:
        funder = demo.agencies[item.funder]
        year = budget.first_year + item.year_offset
        if budget.contributions.filter(funder=funder, year=year, source=item.source).exists():
            continue
        pledged = demo.moment(PLEDGED if item.approver else PENDING_PLEDGED)
        with history.as_of(pledged):
            contribution = marketplace_services.add_contribution(
                budget=budget,
                funder=funder,
                amount=item.amount,
                year=year,
                source=item.source,
                actor=demo.commissioner,
                earmarked_categories=[categories[code] for code in item.earmarked],
                note=item.note,
            )
        if item.approver:
            with history.as_of(demo.moment(APPROVED)):
                marketplace_services.approve_contribution(
                    contribution=contribution, actor=demo.users[item.approver]
                )
    return budget


def _lots(plan: TenderPlan, areas: dict[str, Area]) -> list[dict] | None:
    if not plan.lots:
        return None
    return [
        {
            "title_zh": title_zh,
            "title_en": f"{plan.title_en}: {title_en}",
            "max_value": max_value,
            "areas": [areas[district]],
        }
        for title_zh, title_en, max_value, district in plan.lots
    ]


def _create(demo: _Demo, plan: TenderPlan) -> Tender:
    areas = {code: Area.objects.get(code=code.ljust(12, "0")) for code in {*plan.districts}}
    drafted = demo.moment(plan.publish - 3)
    submission = demo.moment(plan.submission, DEADLINE_HOUR)
    contract_start = demo.today + timedelta(days=plan.contract_start)
    award_planned = timezone.localdate(submission) + timedelta(days=10)
    with history.as_of(drafted):
        return marketplace_services.create_tender(
            lead_agency=demo.lead_agency,
            budget=demo.budgets[plan.budget],
            categories=list(NeedCategory.objects.filter(code__in=plan.categories)),
            areas=[areas[code] for code in plan.districts],
            criteria=[
                {
                    "kind": kind,
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "weight": weight,
                    "description": description,
                }
                for kind, name_zh, name_en, weight, description in plan.criteria
            ],
            lots=_lots(plan, areas),
            actor=demo.commissioner,
            now=drafted,
            title_zh=plan.title_zh,
            title_en=plan.title_en,
            description_zh=plan.description_zh,
            description_en=plan.description_en,
            max_value=plan.max_value,
            enquiry_deadline=demo.moment(plan.enquiry, DEADLINE_HOUR),
            submission_deadline=submission,
            award_date_planned=award_planned if award_planned <= contract_start else None,
            contract_start=contract_start,
            contract_end=contract_start.replace(year=contract_start.year + plan.contract_years)
            - timedelta(days=1),
            **plan.eligibility,
        )


def _publish(demo: _Demo, tender: Tender, plan: TenderPlan) -> Tender:
    published = demo.moment(plan.publish, 9)
    with history.as_of(published):
        tender = marketplace_services.publish_tender(
            tender=tender, actor=demo.commissioner, now=published
        )
        # What the publication task would do after the commit (its e-mails are dropped).
        marketplace_services.alert_matching_providers(tender=tender, now=published)
    for number, (provider, question, answer) in enumerate(plan.questions, start=1):
        asked = demo.moment(plan.publish + number, 11)
        with history.as_of(asked):
            clarification = marketplace_services.ask_question(
                tender=tender, question=question, actor=demo.bidder(provider), now=asked
            )
        if answer:
            answered = demo.moment(plan.publish + number + 1, 16)
            with history.as_of(answered):
                marketplace_services.answer_question(
                    clarification=clarification,
                    answer=answer,
                    actor=demo.commissioner,
                    now=answered,
                )
    return tender


def _advance(moment: datetime.datetime) -> None:
    """What beat does at ``moment``: every timed step due then."""
    with history.as_of(moment):
        marketplace_services.advance_tenders(now=moment)


def _response(criterion: Criterion, provider: Provider, index: int) -> str:
    variants = RESPONSES[criterion.kind]
    return provider.organization.name_zh + variants[(index + criterion.order) % len(variants)]


def _bid(demo: _Demo, tender: Tender, plan: TenderPlan) -> list[Bid]:
    lot = tender.lots.get(number=1)
    scored = [c for c in tender.criteria.all() if c.is_scored_by_panel]
    latest = min(plan.submission, 0)
    bids = []
    for index, item in enumerate(plan.bids):
        provider, user = demo.provider(item.provider), demo.bidder(item.provider)
        submitted = demo.moment(latest - len(plan.bids) + index, BID_HOUR)
        with history.as_of(submitted):
            bid = marketplace_services.save_bid_draft(
                lot=lot,
                provider=provider,
                user=user,
                price=item.price,
                responses={c.pk: _response(c, provider, item.provider) for c in scored},
                now=submitted,
            )
            bids.append(marketplace_services.submit_bid(bid=bid, user=user, now=submitted))
    return bids


def _score(strength: Decimal, member: int, criterion: Criterion) -> Decimal:
    """A member's score: the proposal's strength, a little apart per member and criterion."""
    nudge = Decimal("0.5") * ((member + criterion.order) % 3 - 1)
    return min(max(strength + nudge, Decimal("0")), Decimal("10"))


def _evaluate(demo: _Demo, tender: Tender, plan: TenderPlan, bids: list[Bid]) -> Panel:
    """The panel's work after the deadline: all of it, or (under evaluation) part of it."""
    closed = plan.submission
    chair = demo.commissioner
    with history.as_of(demo.moment(closed, DEADLINE_HOUR, 30)):
        panel = marketplace_services.set_panel(
            tender=tender,
            chair=chair,
            members=[demo.users[name] for name in plan.panel],
            actor=chair,
        )
    members = list(panel.members.select_related("user").order_by("pk"))
    declared = demo.moment(closed + 1, 9)
    for member in members:
        with history.as_of(declared):
            marketplace_services.declare_conflict(
                member=member, has_conflict=False, user=member.user, now=declared
            )
    scored = [c for c in tender.criteria.order_by("order") if c.is_scored_by_panel]
    # Members other than the chair score first; the chair last.
    ordered = sorted(members, key=lambda m: m.user_id == chair.pk)
    finished = plan.state != State.EVALUATION
    for number, member in enumerate(ordered):
        day = demo.moment(closed + 2 + number, WORK_HOUR + number)
        is_chair = member.user_id == chair.pk
        # Under evaluation the chair has scored the first bid and not yet submitted.
        to_score = bids if finished or not is_chair else bids[:1]
        with history.as_of(day):
            for position, (bid, item) in enumerate(zip(to_score, plan.bids, strict=False)):
                scores = {c.pk: _score(item.strength, number, c) for c in scored}
                if plan.disagreement and member.user.username == plan.panel[0]:
                    bid_index, order, value = plan.disagreement
                    if bid_index == position:
                        scores[next(c.pk for c in scored if c.order == order)] = value
                marketplace_services.save_scores(member=member, bid=bid, scores=scores, now=day)
            if finished or not is_chair:
                marketplace_services.submit_scores(member=member, now=day)
    if not finished:
        return panel
    moderated = demo.moment(closed + 2 + len(ordered), 14)
    with history.as_of(moderated):
        for line in marketplace_selectors.moderation_lines(tender):
            if line.flagged:
                marketplace_services.moderate(
                    panel=panel,
                    bid=line.bid,
                    criterion=line.criterion,
                    score=line.mean,
                    note="评审小组复核投标文件后认为方案总体可行，但服务频次偏低，按讨论结果取平均分。",
                    chair=chair,
                    now=moderated,
                )
        marketplace_services.lock_moderation(panel=panel, chair=chair, now=moderated)
    return panel


def _award(demo: _Demo, tender: Tender, plan: TenderPlan) -> None:
    recommended = demo.moment(plan.submission + 7, WORK_HOUR)
    lot = tender.lots.get(number=1)
    with history.as_of(recommended):
        award = marketplace_services.recommend_award(
            lot=lot, actor=demo.commissioner, now=recommended
        )
    approved = demo.moment(plan.approve, WORK_HOUR)
    with history.as_of(approved):
        marketplace_services.approve_award(award=award, actor=demo.award_approver, now=approved)


def _cancel(demo: _Demo, tender: Tender, plan: TenderPlan) -> None:
    cancelled = demo.moment(plan.enquiry + 2, 16)
    with history.as_of(cancelled):
        marketplace_services.cancel_tender(
            tender=tender, reason=plan.reason, actor=demo.commissioner
        )


def _tell(demo: _Demo, plan: TenderPlan) -> Tender | None:
    """Create the tender and take it, step by step at its own moments, to ``plan.state``."""
    if Tender.objects.filter(lead_agency=demo.lead_agency, title_zh=plan.title_zh).exists():
        return None
    tender = _create(demo, plan)
    if plan.state == State.DRAFT:
        return tender
    tender = _publish(demo, tender, plan)
    if plan.state == State.PUBLISHED:
        return tender
    _advance(demo.moment(plan.enquiry, DEADLINE_HOUR, 1))  # questions closed: open for bids
    if plan.state == State.CANCELLED:
        _cancel(demo, tender, plan)
        return tender
    bids = _bid(demo, tender, plan)
    if plan.state == State.TENDERING:
        return tender
    # Bids closed: under evaluation, or unsuccessful when nobody bid.
    _advance(demo.moment(plan.submission, DEADLINE_HOUR, 1))
    if plan.state == State.UNSUCCESSFUL:
        return tender
    _evaluate(demo, tender, plan, bids)
    if plan.state == State.EVALUATION:
        return tender
    _award(demo, tender, plan)
    if plan.state == State.COMPLETE:
        tender.refresh_from_db()
        _advance(tender.standstill_ends_at + timedelta(minutes=1))
    return tender


def _read_old_alerts(demo: _Demo, tenders: list[Tender]) -> None:
    """Alerts about what happened over a week ago have been read, two hours after they came."""
    old = Alert.objects.filter(tender__in=tenders, read_at=None, created_at__lt=demo.moment(-7))
    by_moment: dict[tuple[int, datetime.datetime], list[int]] = {}
    for alert in old.order_by("pk"):
        by_moment.setdefault((alert.recipient_id, alert.created_at), []).append(alert.pk)
    recipients = {user.pk: user for user in User.objects.filter(pk__in={r for r, _ in by_moment})}
    for (recipient, created_at), alert_ids in by_moment.items():
        read = created_at + timedelta(hours=2)
        with history.as_of(read):
            marketplace_services.mark_alerts_read(
                user=recipients[recipient], alert_ids=alert_ids, now=read
            )


def seed_marketplace(parties: DemoParties) -> dict:
    """Create the demo budgets and tenders (once); returns counts of what the demo holds."""
    with history.without_mail():
        agencies = {**parties.agencies, "charity": _charity()}
        demo = _Demo(
            parties=parties,
            users={**parties.users, **_history_people(agencies)},
            agencies=agencies,
            today=timezone.localdate(),
        )
        for plan in BUDGETS:
            demo.budgets[plan.key] = _seed_budget(demo, plan)
        told = [tender for plan in TENDERS if (tender := _tell(demo, plan)) is not None]
        _read_old_alerts(demo, told)

    tenders = Tender.objects.filter(lead_agency=demo.lead_agency)
    return {
        "budgets": PooledBudget.objects.filter(lead_agency=demo.lead_agency).count(),
        "contributions": Contribution.objects.filter(budget__lead_agency=demo.lead_agency).count(),
        "tenders": tenders.count(),
        "states": Counter(tenders.values_list("status", flat=True)),
        "bids": Bid.objects.filter(tender__in=tenders, status=Bid.Status.SUBMITTED).count(),
    }
