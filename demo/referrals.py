"""Demo people, needs, consents, referrals and unmet needs, told through the referral services.

Builds on ``demo.accounts`` and ``demo.providers``: 320 fictional people —
deterministic, from name lists, valid GB 11643 ID numbers with Shanghai area
codes, 139 phone numbers and one fixed random seed — recorded by the Xujiahui
street office (``caseworker``, ``supervisor``) and the Pudong civil affairs
bureau (``caseworker2``), one of them known to both; each assessed with one to
three needs, with some 680 referrals between them in every state (some waiting
for ``ngo_staff``'s answer with the deadline ahead, some overdue for the
supervisor, some returned, closed or reopened), unmet needs, and the districts'
reports of unmet needs that a clerk of the city bureau records for the public
statistics. Each story is planned first, then told step by step at its moment
(``demo.history.as_of``) by the people in it, through ``referrals.services``:
the caseworker records, assesses, drafts, records consent, sends, recalls,
confirms the provider's outcome (which closes the referral; two outcomes are
disputed, one of them upheld by the supervisor, the other waiting for her) and
reopens; the provider's staff open, accept and agree goals
(``evaluation.services.outcomes``, planned by ``demo.evaluation``), waitlist,
decline, start, complete scoring the goals, or fail; beat
(``process_referral_deadlines``) reminds and returns what nobody answered. So
events, SLA clocks, places taken, waiting-list positions, consents, goals,
outcomes, survey invitations and audit entries are what the services make. Idempotent:
a person is recognised by the blind index of their ID number in their agency,
and only people not yet recorded are told, each with their whole story.
"""

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.models import Membership, Role, User
from core.blind_index import blind_index
from demo import evaluation as demo_evaluation
from demo import history
from demo.accounts import DISTRICTS, DemoParties, history_person
from evaluation.models.outcomes import Outcome
from evaluation.selectors import outcomes as outcome_selectors
from evaluation.services import outcomes as outcome_services
from places.models import Area
from providers import selectors as provider_selectors
from providers.models import Provider, Service
from referrals import services as referral_services
from referrals import sla
from referrals.models import (
    ACCEPTED_STATUSES,
    AWAITING_ANSWER,
    REFERRAL_TRANSITIONS,
    Beneficiary,
    Consent,
    Priority,
    Referral,
    ShareableField,
    UnmetNeed,
)
from referrals.validators import FEMALE, MALE, check_character
from taxonomy.models import NeedCategory

Status = Referral.Status

SEED = 20260505
# Birth dates are drawn back from this fixed day, so a person's ID number is the
# same whenever the seed runs (ages are then counted from today, as everywhere).
BIRTH_REFERENCE = datetime.date(2025, 1, 1)
PEOPLE_PER_AGENCY = {"xujiahui": 170, "pudong": 150}
CASEWORKER_OF = {"xujiahui": "caseworker", "pudong": "caseworker2"}
# The provider of ngo_admin and ngo_staff (provider:0 in demo.providers).
INBOX_PROVIDER_INDEX = 0
INBOX_WAITING = 8  # referrals waiting for its answer, deadline ahead
SUPERVISOR_OVERDUE = 3  # Xujiahui referrals past their deadline, not yet expired
# A referral that takes a place leaves at least this many free, so a demo
# caseworker can still refer someone and have them accepted.
PLACES_KEPT_FREE = 2

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严武戴莫孔汤殷施倪"
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN_NAMES = {
    FEMALE: _words(
        "秀兰 桂英 玉梅 美华 淑珍 丽娟 晓燕 雅琴 佳怡 梦洁 思雨 欣怡 子涵 雨桐 慧敏 雪梅 春燕 "
        "海燕 玉兰 凤英 翠华 静怡 诗涵 若曦 月琴 金凤 彩霞 素芬 宝珠 巧云 文婷 晓红 嘉欣 婉清 "
        "小芸 依琳 梓萱 可馨 亚萍 惠珍"
    ),
    MALE: _words(
        "建华 国强 志明 德福 永康 海波 文斌 俊杰 浩然 宇航 子轩 明辉 振东 金龙 立新 伟民 家豪 "
        "博文 天佑 宏伟 长生 根宝 阿毛 福生 荣发 卫东 向阳 国庆 晨阳 一鸣 思远 嘉树 亦凡 承泽 "
        "铭轩 志刚 建平 少华 永福 国栋"
    ),
}
RELATIONS = _words("配偶 儿子 女儿 母亲 父亲 孙子 孙女 兄弟 姐妹")
ROADS = {
    "xujiahui": _words(
        "漕溪北路 虹桥路 华山路 天钥桥路 宜山路 裕德路 南丹东路 文定路 广元西路 番禺路 零陵路 "
        "中山西路 乐山路 辛耕路 恭城路"
    ),
    "pudong": _words(
        "浦东南路 张杨路 东方路 崂山路 源深路 锦绣路 杨高中路 灵岩南路 成山路 德州路 博山路 "
        "商城路 峨山路 临沂路 浦建路 云台路 上南路 羽山路 海阳路"
    ),
}
AGENCY_DISTRICT = {"xujiahui": "310104", "pudong": "310115"}
PEOPLES_SQUARE = (31.23, 121.47)  # where a district without a centroid is put
# Xujiahui street office: the people of its own street. Pudong: the whole district.
AGENCY_STREET = {"xujiahui": "310104014000", "pudong": None}


@dataclass(frozen=True)
class Persona:
    """A kind of situation: ages, the assistance statuses that go with it, and its needs."""

    ages: tuple[int, int]
    statuses: tuple[tuple[str, ...], ...]
    # (category code, status the need goes with or None); the first ones come up most.
    needs: tuple[tuple[str, str | None], ...]
    household: tuple[int, int]
    notes: tuple[str, ...]
    local_household_registration: float = 0.95


PERSONAS = (
    Persona(
        ages=(70, 93),
        statuses=((), ("low_income",), ("extreme_poverty",), ("dibao",)),
        needs=(
            ("social-services.elderly-care", None),
            ("special-assistance.medical", None),
            ("basic-living.extreme-poverty", "extreme_poverty"),
            ("social-services.social-work", None),
            ("social-services.legal-aid", None),
            ("special-assistance.housing", None),
        ),
        household=(1, 2),
        notes=(
            "独居，行动不便，子女在外地工作。",
            "高龄，患有高血压和糖尿病，需要定期照护。",
            "老伴去世后情绪低落，很少出门。",
        ),
    ),
    Persona(
        ages=(30, 58),
        statuses=(("dibao",), ("low_income",), ("dibao",)),
        needs=(
            ("basic-living.dibao", "dibao"),
            ("basic-living.low-income", "low_income"),
            ("social-services.family-support", None),
            ("special-assistance.housing", None),
            ("emergency.temporary", None),
            ("social-services.legal-aid", None),
        ),
        household=(2, 5),
        notes=(
            "家庭主要劳动力失业，收入不稳定。",
            "配偶患重病，医疗支出较大。",
            "住房老旧，存在安全隐患。",
        ),
    ),
    Persona(
        ages=(6, 15),
        statuses=(("dibao",), ("low_income",), ("orphan",)),
        needs=(
            ("social-services.child-welfare", None),
            ("special-assistance.education", "dibao"),
            ("social-services.family-support", None),
            ("social-services.social-work", None),
        ),
        household=(2, 4),
        notes=(
            "父母一方长期在外，由祖父母照看。",
            "学习跟不上，需要课业辅导。",
            "家庭关系紧张，孩子情绪不稳定。",
        ),
    ),
    Persona(
        ages=(18, 55),
        statuses=(("disability",), ("disability", "dibao"), ("disability", "low_income")),
        needs=(
            ("social-services.disability", "disability"),
            ("special-assistance.employment", "disability"),
            ("social-services.social-integration", None),
            ("social-services.social-work", None),
        ),
        household=(1, 4),
        notes=(
            "肢体残疾，需要康复训练。",
            "有就业意愿，希望参加辅助性就业。",
            "长期在家，社会交往少。",
        ),
    ),
    Persona(
        ages=(22, 45),
        statuses=((),),
        needs=(
            ("social-services.social-integration", None),
            ("social-services.legal-aid", None),
            ("emergency.temporary", None),
            ("emergency.homeless", None),
            ("social-services.family-support", None),
        ),
        household=(1, 4),
        notes=(
            "来沪务工，被拖欠工资。",
            "随迁子女入学遇到困难。",
            "暂无固定住所。",
        ),
        local_household_registration=0.1,
    ),
    Persona(
        ages=(25, 65),
        statuses=((), ("low_income",)),
        needs=(
            ("emergency.temporary", None),
            ("social-services.social-work", None),
            ("special-assistance.disaster", None),
            ("special-assistance.housing", None),
            ("social-services.legal-aid", None),
        ),
        household=(1, 5),
        notes=(
            "家中突发火灾，基本生活用品受损。",
            "突发疾病住院，家庭陷入困境。",
            "遭遇意外事故，暂时失去收入。",
        ),
    ),
)
# How often each persona comes up (same order as PERSONAS).
PERSONA_WEIGHTS = (30, 20, 12, 14, 10, 14)

REASONS = (
    "经入户评估，本人有{category}需求，申请转介相关服务。",
    "本人及家属同意转介，希望尽快安排{category}服务。",
    "社区网格员反映情况后评估确认，需要{category}支持。",
)
PURPOSES = (
    "联系本人并评估、安排服务",
    "上门评估并提供服务",
    "核实情况并安排服务",
)
OUTCOME_NOTES = {
    Referral.Outcome.ACHIEVED: "已按服务计划完成，本人反馈满意。",
    Referral.Outcome.PARTLY: "服务部分完成，后续由社区继续跟进。",
    Referral.Outcome.NOT_ACHIEVED: "本人情况变化，服务目标未能实现。",
}
RECALL_NOTES = ("家属已自行安排照护。", "本人情况好转，暂不需要服务。", "改为转介距离更近的机构。")
REVOCATION_NOTE = "本人要求撤回对个人信息共享的同意。"
REOPEN_NOTE = "服务结束后情况反复，需要继续跟进。"
DISPUTE_REASON = "服务记录显示只上门两次，与约定的每周探访不符，目标达成评分偏高。"
UPHOLD_NOTE = "核对服务记录并电话回访本人后，认可机构的评分。"
# The one outcome left disputed for the demo supervisor, and one she upheld.
DISPUTE_WAITING, DISPUTE_UPHELD = "waiting", "upheld"
UPHELD_AFTER = timedelta(days=2, hours=3)
OVERRIDE_REASON = "本人突发疾病无法表达意见，家属联系不上，需立即安排上门照护。"
DECLINE_OTHER_NOTE = "机构近期人员调整，暂不能接收新个案。"
UNMET_NOTES = {
    UnmetNeed.Reason.NO_SERVICE: "本区暂无此类服务。",
    UnmetNeed.Reason.NO_CAPACITY: "符合条件的服务均已满员。",
    UnmetNeed.Reason.NOT_ELIGIBLE: "不符合现有服务的条件。",
    UnmetNeed.Reason.TOO_FAR: "最近的服务点距离太远，本人行动不便。",
    UnmetNeed.Reason.DECLINED: "已转介的机构均未能接收。",
    UnmetNeed.Reason.OTHER: "需要夜间照护，现有服务不提供。",
}
DISTRICT_REPORT_NOTE = "区民政部门汇总报送。"
# Unmet needs the city bureau's district reports add, per district (in
# demo.accounts.DISTRICTS order): some none, some few (shown as "<5"), some many.
DISTRICT_REPORT_COUNTS = (6, 3, 9, 0, 12, 2, 7, 14, 5, 1, 11, 0, 8, 4, 10, 6)

# The status a need's last referral ends in, as a cycle: each state of the
# lifecycle comes up, closed and in-service ones most (the loop mostly closes).
FINAL_STATUSES = (
    [Status.CLOSED] * 11
    + [Status.IN_SERVICE] * 7
    + [Status.COMPLETED] * 4
    + [Status.ACCEPTED] * 4
    + [Status.SENT] * 3
    + [Status.VIEWED] * 3
    + [Status.WAITLISTED] * 3
    + [Status.FAILED] * 2
    + [Status.DRAFT] * 3
    + [Status.DECLINED] * 3
    + [Status.EXPIRED] * 3
    + [Status.RECALLED] * 2
    + [Status.REOPENED] * 2
)
RETURNED = (Status.DECLINED, Status.EXPIRED, Status.RECALLED)
HOLDS_PLACE = frozenset({Status.ACCEPTED, Status.IN_SERVICE})


# --- the plan: who the people are and what happened to their needs -------------------


@dataclass
class NeedPlan:
    category: str
    severity: int
    # Statuses of the need's referrals, oldest first; only the last may be open.
    referrals: list[str] = field(default_factory=list)
    unmet_reason: str = ""
    inbox: bool = False  # waiting at ngo_staff's provider
    overdue: bool = False  # past its deadline, for the supervisor


@dataclass
class PersonPlan:
    agency: str
    name: str
    id_number: str
    gender: str
    birth_date: datetime.date
    phone: str
    address: str
    street_code: str | None
    household_members: list[dict]
    statuses: list[str]
    disability_grade: int | None
    local_household_registration: bool
    priority: str
    notes: str
    needs: list[NeedPlan]


def _id_number(rng: random.Random, area_code: str, birth_date: datetime.date, gender: str) -> str:
    order = rng.randrange(0, 500) * 2 + (1 if gender == MALE else 0)
    first_17 = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
    return first_17 + check_character(first_17)


class _Names:
    """Unique fictional names and phone numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.phones: set[str] = set()

    def name(self, gender: str) -> str:
        while True:
            candidate = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES[gender])
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate

    def phone(self) -> str:
        while True:
            candidate = f"139{self.rng.randrange(10**7, 10**8)}"
            if candidate not in self.phones:
                self.phones.add(candidate)
                return candidate


def _plan_person(
    rng: random.Random, names: _Names, agency: str, persona: Persona, streets: list[Area]
) -> PersonPlan:
    low, high = persona.ages
    birth_date = BIRTH_REFERENCE - timedelta(days=rng.randrange(low * 365, high * 365 + 300))
    gender = rng.choice((FEMALE, MALE))
    home_district = AGENCY_DISTRICT[agency]
    area_code = home_district if rng.random() < 0.7 else rng.choice(list(DISTRICTS))
    statuses = list(rng.choice(persona.statuses))
    household_size = rng.randint(*persona.household)
    members = [
        {"name": names.name(rng.choice((FEMALE, MALE))), "relation": rng.choice(RELATIONS)}
        for _ in range(household_size - 1)
    ]
    # Always draw, so the plan (and the ID numbers) do not depend on whether streets are loaded.
    draw = rng.random()
    street = streets[int(draw * len(streets))] if streets else None
    street_name = street.name_zh if street else ""
    district_name = DISTRICTS[home_district][0]
    road = rng.choice(ROADS[agency])
    address = (
        f"上海市{district_name}{street_name}{road}{rng.randint(1, 999)}弄"
        f"{rng.randint(1, 60)}号{rng.randint(1, 20)}{rng.randint(1, 4):02d}室"
    )
    available = [code for code, status in persona.needs if status is None or status in statuses]
    count = min(len(available), rng.choices((1, 2, 3), weights=(30, 50, 20))[0])
    # The persona's first needs are the commonest; each comes once per assessment.
    chosen = []
    for code in available:
        if len(chosen) < count and rng.random() < 0.65:
            chosen.append(code)
    for code in available:
        if len(chosen) < count and code not in chosen:
            chosen.append(code)
    needs = [NeedPlan(category=code, severity=rng.choice((1, 2, 2, 3, 3, 4))) for code in chosen]
    top = max(need.severity for need in needs)
    priority = (
        Priority.URGENT
        if top == 4 and rng.random() < 0.3
        else Priority.HIGH
        if top >= 3
        else Priority.ROUTINE
    )
    return PersonPlan(
        agency=agency,
        name=names.name(gender),
        id_number=_id_number(rng, area_code, birth_date, gender),
        gender=gender,
        birth_date=birth_date,
        phone=names.phone() if rng.random() < 0.93 else "",
        address=address,
        street_code=street.code if street else None,
        household_members=members,
        statuses=statuses,
        disability_grade=rng.randint(1, 4) if "disability" in statuses else None,
        local_household_registration=rng.random() < persona.local_household_registration,
        priority=priority,
        notes=rng.choice(persona.notes),
        needs=needs,
    )


def plan_people(streets: dict[str, list[Area]]) -> list[PersonPlan]:
    """Everybody of the demo and the story of each need, the same on every run.

    The plan does not look at the database beyond the street list, so a second
    run plans the same people and finds them already recorded.
    """
    rng = random.Random(SEED)
    names = _Names(rng)
    people = []
    ids = set()
    for agency, count in PEOPLE_PER_AGENCY.items():
        for _index in range(count):
            persona = rng.choices(PERSONAS, weights=PERSONA_WEIGHTS)[0]
            person = _plan_person(rng, names, agency, persona, streets[agency])
            while person.id_number in ids:  # same area, birthday and sequence: draw again
                person.id_number = _id_number(
                    rng, person.id_number[:6], person.birth_date, person.gender
                )
            ids.add(person.id_number)
            people.append(person)
    finals = list(FINAL_STATUSES)
    rng.shuffle(finals)
    turn = 0
    for person in people:
        for need in person.needs:
            turn += 1
            if turn % 11 == 0:
                # Not referred: nothing suitable had room, or it was too far.
                need.unmet_reason = rng.choice(
                    (
                        UnmetNeed.Reason.NO_CAPACITY,
                        UnmetNeed.Reason.TOO_FAR,
                        UnmetNeed.Reason.NO_SERVICE,
                        UnmetNeed.Reason.OTHER,
                    )
                )
                continue
            final = finals[turn % len(finals)]
            roll = rng.random()
            earlier = 2 if roll < 0.03 else 1 if roll < 0.18 else 0
            need.referrals = [rng.choice(RETURNED) for _ in range(earlier)] + [final]
            if final == Status.DECLINED and earlier and rng.random() < 0.5:
                need.unmet_reason = UnmetNeed.Reason.DECLINED
    _pin_waiting_referrals(people)
    return people


def _pin_waiting_referrals(people: list[PersonPlan]) -> None:
    """Some referrals wait at ngo_staff's provider, some are overdue for the supervisor."""
    inbox_categories = {"basic-living.dibao", "emergency.temporary", "social-services.social-work"}
    pinned = 0
    for person in people:
        for need in person.needs:
            if pinned < INBOX_WAITING and need.category in inbox_categories and need.referrals:
                need.referrals[-1] = Status.SENT if pinned % 2 else Status.VIEWED
                need.inbox = True
                need.unmet_reason = ""
                pinned += 1
    overdue = 0
    for person in people:
        if person.agency != "xujiahui" or person.priority == Priority.URGENT:
            continue
        for need in person.needs:
            if overdue < SUPERVISOR_OVERDUE and need.referrals and not need.inbox:
                need.referrals[-1] = Status.SENT if overdue % 2 else Status.VIEWED
                need.overdue = True
                need.unmet_reason = ""
                overdue += 1


# --- paths and times ------------------------------------------------------------------


def _path(final: str, rng: random.Random) -> list[str]:
    """The statuses a referral went through to reach ``final``, from draft."""
    answered = [Status.DRAFT, Status.SENT] + ([Status.VIEWED] if rng.random() < 0.8 else [])
    accepted = (
        answered + [Status.WAITLISTED, Status.ACCEPTED]
        if rng.random() < 0.12
        else answered + [Status.ACCEPTED]
    )
    completed = accepted + [Status.IN_SERVICE, Status.COMPLETED]
    failed = accepted + ([Status.IN_SERVICE] if rng.random() < 0.5 else []) + [Status.FAILED]
    paths = {
        Status.DRAFT: [Status.DRAFT],
        Status.SENT: [Status.DRAFT, Status.SENT],
        Status.VIEWED: [Status.DRAFT, Status.SENT, Status.VIEWED],
        Status.WAITLISTED: answered + [Status.WAITLISTED],
        Status.ACCEPTED: accepted,
        Status.IN_SERVICE: accepted + [Status.IN_SERVICE],
        Status.COMPLETED: completed,
        Status.FAILED: failed,
        Status.DECLINED: (
            answered + [Status.WAITLISTED, Status.DECLINED]
            if rng.random() < 0.1
            else answered + [Status.DECLINED]
        ),
        Status.RECALLED: rng.choice(([Status.DRAFT], answered, [*answered, Status.ACCEPTED]))
        + [Status.RECALLED],
        Status.EXPIRED: answered + [Status.EXPIRED],
        Status.CLOSED: (completed if rng.random() < 0.85 else failed) + [Status.CLOSED],
        Status.REOPENED: completed + [Status.CLOSED, Status.REOPENED],
    }
    path = paths[final]
    for before, after in zip(path, path[1:], strict=False):
        assert after in REFERRAL_TRANSITIONS[before], (before, after)
    return path


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _step(before: str, after: str, span: timedelta, rng: random.Random) -> timedelta:
    """How long after ``before`` the referral became ``after`` (``span``: its SLA)."""
    if after == Status.SENT:
        return timedelta(minutes=rng.randint(15, 90))
    if after == Status.VIEWED:
        return span * rng.uniform(0.05, 0.15)
    if before in AWAITING_ANSWER and after in (
        Status.ACCEPTED,
        Status.DECLINED,
        Status.WAITLISTED,
        Status.RECALLED,
    ):
        return span * rng.uniform(0.2, 0.4)
    if after == Status.EXPIRED:
        return timedelta(0)  # placed at the SLA's expiry by _timeline
    if before == Status.WAITLISTED:
        return _hours(rng, 3 * 24, 15 * 24)
    if before == Status.DRAFT:  # a draft withdrawn
        return _hours(rng, 4, 48)
    if after == Status.IN_SERVICE:
        return _hours(rng, 24, 96)
    if after == Status.COMPLETED:
        return _hours(rng, 10 * 24, 40 * 24)
    if after == Status.FAILED:
        return _hours(rng, 2 * 24, 12 * 24)
    if after == Status.RECALLED:
        return _hours(rng, 24, 72)
    if after == Status.CLOSED:
        return _hours(rng, 24, 96)
    if after == Status.REOPENED:
        return _hours(rng, 7 * 24, 30 * 24)
    return _hours(rng, 1, 24)


def _quiet(final: str, rng: random.Random) -> timedelta:
    """How long ago the referral reached its last status."""
    days = {
        Status.DRAFT: (0.05, 5),
        Status.WAITLISTED: (1, 20),
        Status.ACCEPTED: (0.2, 5),
        Status.IN_SERVICE: (1, 25),
        Status.REOPENED: (1, 10),
        Status.CLOSED: (1, 150),
        Status.DECLINED: (0.5, 12),
        Status.EXPIRED: (0.5, 12),
        Status.RECALLED: (0.5, 12),
    }.get(final, (1, 5))
    if final in (Status.COMPLETED, Status.FAILED):
        # Most wait a day or two for the caseworker to confirm; a quarter have
        # waited past the 5 days after which the supervisor sees them.
        days = (6, 12) if rng.random() < 0.25 else (0.25, 4)
    return timedelta(days=rng.uniform(*days))


@dataclass
class Timeline:
    moments: list[tuple[str, datetime.datetime]]
    clock: sla.Clock | None

    @property
    def start(self) -> datetime.datetime:
        return self.moments[0][1]

    @property
    def end(self) -> datetime.datetime:
        return self.moments[-1][1]

    def at(self, status: str) -> datetime.datetime | None:
        return next((moment for name, moment in self.moments if name == status), None)


def _timeline(
    path: list[str], *, urgency: str, category, end: datetime.datetime, rng: random.Random
) -> Timeline:
    """Moments for each status of ``path``, the last one at ``end``."""
    if path[-1] == Status.EXPIRED:
        return _expired_timeline(path, urgency=urgency, category=category, end=end, rng=rng)
    # The SLA depends on when the referral was sent; a clock started on a weekday
    # gives the answer times, the real clock is computed once the moments are placed.
    monday_morning = timezone.make_aware(datetime.datetime(2025, 1, 6, 9, 0))
    provisional = sla.clock_for(urgency=urgency, category=category, start=monday_morning)
    span = provisional.due_at - provisional.start
    offsets = [timedelta(0)]
    for before, after in zip(path, path[1:], strict=False):
        offsets.append(offsets[-1] + _step(before, after, span, rng))
    start = end - offsets[-1]
    timeline = Timeline(
        moments=[(status, start + offset) for status, offset in zip(path, offsets, strict=True)],
        clock=None,
    )
    sent = timeline.at(Status.SENT)
    if sent is not None:
        timeline.clock = sla.clock_for(urgency=urgency, category=category, start=sent)
    return timeline


def _expired_timeline(
    path: list[str], *, urgency: str, category, end: datetime.datetime, rng: random.Random
) -> Timeline:
    """Sent (perhaps viewed), never answered, expired by the system at the clock's expiry."""
    sent = end
    clock = sla.clock_for(urgency=urgency, category=category, start=sent)
    sent -= clock.expires_at - clock.start
    clock = sla.clock_for(urgency=urgency, category=category, start=sent)
    while clock.expires_at > end:  # a weekend lengthened the clock
        sent -= timedelta(hours=1)
        clock = sla.clock_for(urgency=urgency, category=category, start=sent)
    moments = [
        (Status.DRAFT, sent - timedelta(minutes=rng.randint(15, 90))),
        (Status.SENT, sent),
    ]
    if Status.VIEWED in path:
        moments.append((Status.VIEWED, sent + (clock.due_at - sent) * rng.uniform(0.05, 0.15)))
    moments.append((Status.EXPIRED, clock.expires_at))
    return Timeline(moments=moments, clock=clock)


def _waiting_timeline(
    final: str, *, urgency: str, category, now: datetime.datetime, overdue: bool, rng
) -> Timeline:
    """A referral still waiting for its answer: due ahead, or (``overdue``) just past due."""
    sent = None
    if overdue:
        for hours in range(2, 24 * 8):
            candidate = now - timedelta(hours=hours)
            clock = sla.clock_for(urgency=urgency, category=category, start=candidate)
            if clock.due_at <= now - timedelta(hours=1):
                if clock.expires_at >= now + timedelta(hours=3):
                    sent = candidate
                break
    if sent is None:
        span = sla.clock_for(urgency=urgency, category=category, start=now).due_at - now
        sent = now - span * rng.uniform(0.05, 0.7)
        while sla.clock_for(urgency=urgency, category=category, start=sent).due_at <= now:
            sent += span * 0.1  # a weekend shortened the clock: send it later
    moments = [
        (Status.DRAFT, sent - timedelta(minutes=rng.randint(15, 90))),
        (Status.SENT, sent),
    ]
    if final == Status.VIEWED:
        moments.append((Status.VIEWED, sent + (now - sent) * rng.uniform(0.1, 0.6)))
    return Timeline(
        moments=moments, clock=sla.clock_for(urgency=urgency, category=category, start=sent)
    )


# --- services to refer to --------------------------------------------------------------


@dataclass
class _Place:
    service: Service
    district_code: str
    categories: set[str]
    free: int
    taken: int = 0  # by the demo's referrals that still hold a place

    @property
    def room(self) -> int:
        return self.free - self.taken


def _age(birth_date: datetime.date, today: datetime.date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _eligible(service: Service, person: PersonPlan, today: datetime.date) -> bool:
    age = _age(person.birth_date, today)
    if service.min_age is not None and age < service.min_age:
        return False
    if service.max_age is not None and age > service.max_age:
        return False
    if service.required_statuses and not set(service.required_statuses) & set(person.statuses):
        return False
    if (
        service.household_registration == Service.HouseholdRegistration.LOCAL
        and not person.local_household_registration
    ):
        return False
    return service.gender in (Service.Gender.ANY, person.gender)


class _Directory:
    """The referable services, nearest first, with the places the demo takes from them.

    Only services of providers with someone to answer: the demo's answers are
    given by the provider's own staff, as the services require.
    """

    def __init__(self, centroids: dict[str, tuple[float, float]], inbox_provider_id, answerers):
        self.centroids = centroids
        self.inbox_provider_id = inbox_provider_id
        services_ = (
            provider_selectors.referable_services()
            .filter(provider__organization__in=list(answerers))
            .select_related("provider__organization__area")
            .prefetch_related("categories", "areas_covered")
            .order_by("pk")
        )
        self.places = []
        for service in services_:
            covered = [area.code[:6] for area in service.areas_covered.all()]
            home = service.provider.organization.area
            district = covered[0] if covered else (home.code[:6] if home else "310101")
            self.places.append(
                _Place(
                    service=service,
                    district_code=district,
                    categories={category.code for category in service.categories.all()},
                    free=service.free_slots,
                )
            )

    def _distance(self, district_a: str, district_b: str) -> float:
        lat_a, lon_a = self.centroids.get(district_a, PEOPLES_SQUARE)
        lat_b, lon_b = self.centroids.get(district_b, PEOPLES_SQUARE)
        return math.hypot(lat_a - lat_b, (lon_a - lon_b) * math.cos(math.radians(lat_a)))

    def choose(
        self,
        *,
        person: PersonPlan,
        category: str,
        final: str,
        rng: random.Random,
        today: datetime.date,
        avoid=(),
        inbox: bool = False,
        takes_place: bool = False,
    ) -> _Place | None:
        """A service for the need. ``takes_place``: the story passes through
        acceptance, which takes a free place (given back later unless ``final``
        holds it)."""
        candidates = [
            place
            for place in self.places
            if category in place.categories and _eligible(place.service, person, today)
        ]
        if not candidates:
            return None
        home = AGENCY_DISTRICT[person.agency]
        candidates.sort(key=lambda p: (self._distance(home, p.district_code), p.service.pk))
        # A need referred again goes somewhere else.
        candidates = [p for p in candidates if p.service.pk not in avoid] or candidates
        if final in HOLDS_PLACE:
            with_room = [p for p in candidates if p.room > PLACES_KEPT_FREE]
            candidates = with_room or candidates
        elif takes_place:
            candidates = [p for p in candidates if p.room > 0] or candidates
        if final == Status.WAITLISTED:
            full = [p for p in candidates if p.room <= 0]
            candidates = full or candidates
        at_inbox = [p for p in candidates if p.service.provider_id == self.inbox_provider_id]
        if at_inbox and (inbox or rng.random() < 0.45):
            return at_inbox[0]
        return rng.choice(candidates[:3])


# --- the story of each person, planned before it is told ---------------------------------

# The steps a provider's staff take (the others are the caseworker's, or beat's).
ANSWERED_BY_PROVIDER = frozenset(
    {
        Status.VIEWED,
        Status.ACCEPTED,
        Status.DECLINED,
        Status.WAITLISTED,
        Status.IN_SERVICE,
        Status.COMPLETED,
        Status.FAILED,
    }
)
# The city bureau's clerk who records the districts' reports (acts in the history only).
CITY_CLERK = ("city_clerk", "何静")


@dataclass
class ConsentPlan:
    """The consent a referral went under; ``override``: the supervisor's, without it."""

    given_at: datetime.datetime
    fields: list[str]
    purpose: str
    method: str
    expires_at: datetime.datetime | None = None
    revoked_at: datetime.datetime | None = None
    override: bool = False


@dataclass
class ReferralStory:
    """One referral, from its draft to its last status, each step at its moment."""

    place: _Place
    timeline: Timeline
    urgency: str
    reason: str
    answered_by: dict[str, User] = field(default_factory=dict)  # who took each provider step
    decline_reason: str = ""
    failure_reason: str = ""
    outcome: str = ""
    recall_note: str = ""
    consent: ConsentPlan | None = None
    # Agreed at acceptance ({description, expected, weight}) and scored at completion.
    goals: list[dict] = field(default_factory=list)
    attainments: dict[int, int] = field(default_factory=dict)
    dispute: str = ""  # DISPUTE_WAITING or DISPUTE_UPHELD: the caseworker disputes it

    @property
    def final(self) -> str:
        return self.timeline.moments[-1][0]


@dataclass
class NeedStory:
    plan: NeedPlan
    referrals: list[ReferralStory] = field(default_factory=list)  # oldest first
    unmet_reason: str = ""
    unmet_at: datetime.datetime | None = None


@dataclass
class PersonStory:
    person: PersonPlan
    recorded_at: datetime.datetime
    assessed_at: datetime.datetime
    assessed_on: datetime.date
    needs: list[NeedStory]


class _Planner:
    """Plans every step of the new people's stories; writes nothing."""

    def __init__(self, *, now, categories, directory: _Directory, answerers):
        self.now = now
        self.today = timezone.localdate(now)
        self.rng = random.Random(SEED + 1)
        # Goals draw from their own stream, so the stories' moments stay as they were.
        self.goal_rng = random.Random(SEED + 4)
        self.categories = categories
        self.directory = directory
        self.answerers = answerers

    def person(self, person: PersonPlan) -> PersonStory:
        rng = self.rng
        urgency = (
            Referral.Urgency.URGENT
            if person.priority == Priority.URGENT
            else Referral.Urgency.ROUTINE
        )
        needs = [self._need(person, plan, urgency) for plan in person.needs]
        # The assessment came first, then the referrals it led to.
        starts = [referral.timeline.start for need in needs for referral in need.referrals]
        first = min(starts, default=self.now - timedelta(days=rng.uniform(1, 20)))
        assessed_on = timezone.localdate(first - _hours(rng, 12, 120))
        assessed_at = first - _hours(rng, 1, 6)
        recorded_at = assessed_at - _hours(rng, 0, 24 * 30)
        for need in needs:
            if need.unmet_reason and need.unmet_at is None:
                # Recorded soon after the assessment found nothing to refer to.
                need.unmet_at = min(assessed_at + _hours(rng, 1, 48), self.now)
        return PersonStory(
            person=person,
            recorded_at=recorded_at,
            assessed_at=assessed_at,
            assessed_on=assessed_on,
            needs=needs,
        )

    def _need(self, person: PersonPlan, plan: NeedPlan, urgency: str) -> NeedStory:
        """The referrals of one need, newest last, ending before now."""
        story = NeedStory(plan=plan)
        if not plan.referrals:
            story.unmet_reason = plan.unmet_reason
            return story
        rng = self.rng
        final = plan.referrals[-1]
        path = None if final in AWAITING_ANSWER else _path(final, rng)
        place = self.directory.choose(
            person=person,
            category=plan.category,
            final=final,
            rng=rng,
            today=self.today,
            inbox=plan.inbox,
            takes_place=path is not None and Status.ACCEPTED in path,
        )
        if place is None:
            # Nothing eligible offers this: the caseworker records the unmet need.
            story.unmet_reason = UnmetNeed.Reason.NOT_ELIGIBLE
            return story
        room_needed = PLACES_KEPT_FREE if final in HOLDS_PLACE else 0
        if path is not None and Status.ACCEPTED in path and place.room <= room_needed:
            # No room left there: the person waits.
            final, path = Status.WAITLISTED, _path(Status.WAITLISTED, rng)
        category = self.categories[plan.category]
        if final in AWAITING_ANSWER:
            timeline = _waiting_timeline(
                final,
                urgency=urgency,
                category=category,
                now=self.now,
                overdue=plan.overdue,
                rng=rng,
            )
        else:
            timeline = _timeline(
                path, urgency=urgency, category=category, end=self.now - _quiet(final, rng), rng=rng
            )
        if final in HOLDS_PLACE:
            place.taken += 1
        story.referrals = [self._referral(person, place, timeline, urgency, category)]
        before = timeline.start
        used = {place.service.pk}
        for earlier in reversed(plan.referrals[:-1]):
            earlier_path = _path(earlier, rng)
            takes_place = Status.ACCEPTED in earlier_path
            earlier_place = self.directory.choose(
                person=person,
                category=plan.category,
                final=earlier,
                rng=rng,
                today=self.today,
                avoid=used,
                takes_place=takes_place,
            )
            if takes_place and earlier_place.room <= 0:
                # Recalled before the provider could take the person in.
                earlier_path = [status for status in earlier_path if status != Status.ACCEPTED]
            used.add(earlier_place.service.pk)
            earlier_timeline = _timeline(
                earlier_path,
                urgency=urgency,
                category=category,
                end=before - _hours(rng, 2, 48),
                rng=rng,
            )
            story.referrals.insert(
                0, self._referral(person, earlier_place, earlier_timeline, urgency, category)
            )
            before = earlier_timeline.start
        if plan.unmet_reason:
            # Every provider declined: recorded after the last answer came back.
            story.unmet_reason = plan.unmet_reason
            story.unmet_at = min(timeline.end + _hours(rng, 1, 12), self.now)
        return story

    def _referral(self, person, place: _Place, timeline: Timeline, urgency, category):
        rng = self.rng
        path = [status for status, _moment in timeline.moments]
        story = ReferralStory(
            place=place,
            timeline=timeline,
            urgency=urgency,
            reason=rng.choice(REASONS).format(category=category.name_zh),
        )
        if story.final == Status.DECLINED:
            story.decline_reason = rng.choices(
                Referral.DeclineReason.values, weights=(40, 15, 20, 15, 10)
            )[0]
        if Status.FAILED in path:
            story.failure_reason = rng.choice(Referral.FailureReason.values)
        if Status.COMPLETED in path:
            story.outcome = rng.choices(Referral.Outcome.values, weights=(65, 25, 10))[0]
        answerers = self.answerers[place.service.provider.organization_id]
        for status in path:
            if status in ANSWERED_BY_PROVIDER:
                story.answered_by[status] = rng.choice(answerers)
        if Status.RECALLED in path:
            story.recall_note = rng.choice(RECALL_NOTES)
        story.consent = self._consent(person, story)
        if Status.ACCEPTED in path:
            story.goals = demo_evaluation.plan_goals(category.code, self.goal_rng)
        if Status.COMPLETED in path:
            story.attainments = demo_evaluation.plan_attainments(
                story.goals,
                story.outcome,
                demo_evaluation.provider_tilt(place.service.provider),
                self.goal_rng,
            )
        return story

    def _consent(self, person: PersonPlan, story: ReferralStory) -> ConsentPlan | None:
        """The consent under which the referral went (a draft has one half the time)."""
        rng, timeline = self.rng, story.timeline
        sent = timeline.at(Status.SENT)
        if sent is None and rng.random() < 0.5:
            return None
        given = (sent or timeline.start + timedelta(minutes=10)) - timedelta(
            minutes=rng.randint(2, 10)
        )
        given = max(given, timeline.start)
        adult = _age(person.birth_date, self.today) >= 18
        fields = [ShareableField.NAME, ShareableField.PHONE, ShareableField.ADDRESS]
        if rng.random() < 0.5:
            fields.append(ShareableField.SITUATION)
        if rng.random() < 0.2:
            fields.append(ShareableField.HOUSEHOLD_MEMBERS)
        if rng.random() < 0.05:
            fields.append(ShareableField.ID_NUMBER)
        method = (
            rng.choices(
                (
                    Consent.Method.SIGNED_FORM,
                    Consent.Method.VERBAL_WITNESSED,
                    Consent.Method.ELECTRONIC,
                ),
                weights=(60, 25, 15),
            )[0]
            if adult
            else Consent.Method.GUARDIAN
        )
        consent = ConsentPlan(
            given_at=given,
            fields=fields,
            purpose=rng.choice(PURPOSES),
            method=method,
            # Open referrals keep a consent in force; some old ones had a term.
            expires_at=given + timedelta(days=365) if rng.random() < 0.3 else None,
        )
        if (
            consent.expires_at
            and story.final in ACCEPTED_STATUSES
            and consent.expires_at <= self.now
        ):
            consent.expires_at = None
        accepted = timeline.at(Status.ACCEPTED)
        if accepted is not None and rng.random() < 0.05:
            # The person withdrew consent after the provider took them in.
            consent.revoked_at = accepted + (timeline.end - accepted) * rng.uniform(0.2, 0.9)
        return consent


def _override_one(stories: list[PersonStory]) -> None:
    """One urgent Xujiahui referral goes without consent, on the supervisor's word."""
    candidates = [
        referral
        for story in stories
        if story.person.agency == "xujiahui"
        for need in story.needs
        for referral in need.referrals
        if referral.consent is not None and referral.timeline.clock is not None
    ]
    if not candidates:
        return
    candidates.sort(
        key=lambda referral: (
            referral.urgency != Referral.Urgency.URGENT,
            referral.final not in ACCEPTED_STATUSES,
        )
    )
    chosen = candidates[0]
    chosen.consent = ConsentPlan(
        given_at=chosen.consent.given_at,
        fields=[
            ShareableField.NAME,
            ShareableField.PHONE,
            ShareableField.ADDRESS,
            ShareableField.SITUATION,
        ],
        purpose=chosen.consent.purpose,
        method=Consent.Method.SUPERVISOR_OVERRIDE,
        override=True,
    )


def _dispute_two(stories: list[PersonStory], now: datetime.datetime) -> None:
    """The Xujiahui caseworker disputes two outcomes: the latest one closed waits for the
    supervisor; an older one she upheld two days after the dispute."""
    closed = sorted(
        (
            referral
            for story in stories
            if story.person.agency == "xujiahui"
            for need in story.needs
            for referral in need.referrals
            if referral.final == Status.CLOSED and referral.timeline.at(Status.COMPLETED)
        ),
        key=lambda referral: referral.timeline.end,
        reverse=True,
    )
    if not closed:
        return
    closed[0].dispute = DISPUTE_WAITING
    older = [r for r in closed[1:] if r.timeline.end + UPHELD_AFTER < now - timedelta(days=1)]
    if older:
        older[len(older) // 2].dispute = DISPUTE_UPHELD


# --- telling: every step through the services, at its moment ---------------------------

CONSENT, REVOCATION, BEAT, RESOLUTION = "consent", "revocation", "beat", "resolution"


class _Teller:
    """Tells the planned stories through ``referrals.services``, as the people in them."""

    def __init__(self, *, users: dict[str, User], agencies, categories):
        self.users = users
        self.agencies = agencies
        self.categories = categories
        # What was told, for the steps that come after: (story, referral, consent).
        self.told: list[tuple[ReferralStory, Referral, Consent | None]] = []

    def person(self, story: PersonStory) -> None:
        person = story.person
        caseworker = self.users[CASEWORKER_OF[person.agency]]
        with history.as_of(story.recorded_at):
            beneficiary = referral_services.record_beneficiary(
                agency=self.agencies[person.agency],
                user=caseworker,
                name=person.name,
                id_number=person.id_number,
                phone=person.phone,
                address=person.address,
                household_members=person.household_members,
                assistance_statuses=person.statuses,
                disability_grade=person.disability_grade,
                local_household_registration=person.local_household_registration,
            ).beneficiary
        with history.as_of(story.assessed_at):
            assessment = referral_services.record_assessment(
                beneficiary=beneficiary,
                user=caseworker,
                needs=[
                    {
                        "category": self.categories[need.plan.category],
                        "severity": need.plan.severity,
                    }
                    for need in story.needs
                ],
                assessed_on=story.assessed_on,
                priority=person.priority,
                notes=person.notes,
            )
        for need, need_story in zip(assessment.needs.order_by("pk"), story.needs, strict=True):
            for referral in need_story.referrals:
                self._referral(need, referral, caseworker)
            if need_story.unmet_reason:
                with history.as_of(need_story.unmet_at):
                    referral_services.record_unmet_need(
                        user=caseworker,
                        agency=beneficiary.agency,
                        category=None,
                        need=need,
                        reason=need_story.unmet_reason,
                        note=UNMET_NOTES[need_story.unmet_reason],
                    )

    def _referral(self, need, story: ReferralStory, caseworker: User) -> None:
        """Each step at its moment: the moves in their order, the consent before the
        sending, a revocation while in service, beat's reminders before an expiry."""
        moves = story.timeline.moments
        steps = [(moment, 2 * order, status) for order, (status, moment) in enumerate(moves)]
        if story.consent is not None:
            steps.append((story.consent.given_at, 1, CONSENT))
            if story.consent.revoked_at is not None:
                steps.append((story.consent.revoked_at, 2 * len(moves), REVOCATION))
        if story.final == Status.EXPIRED:
            clock = story.timeline.clock
            steps += [(clock.half_at, 1, BEAT), (clock.due_at, 1, BEAT)]
        if story.dispute == DISPUTE_UPHELD:
            steps.append((story.timeline.end + UPHELD_AFTER, 2 * len(moves) + 1, RESOLUTION))
        steps.sort(key=lambda step: step[:2])
        referral = consent = None
        for moment, _order, step in steps:
            with history.as_of(moment):
                if step == CONSENT:
                    consent = self._consent(referral, story.consent, caseworker)
                elif step == REVOCATION:
                    referral_services.revoke_consent(
                        consent=consent, user=caseworker, note=REVOCATION_NOTE
                    )
                elif step == BEAT:
                    referral_services.process_referral_deadlines(now=moment)
                elif step == RESOLUTION:
                    outcome_services.resolve_dispute(
                        outcome=outcome_selectors.outcome_of(referral),
                        user=self.users["supervisor"],
                        uphold=True,
                        note=UPHOLD_NOTE,
                    )
                else:
                    referral = self._move(referral, step, story, need, caseworker, moment)
        self.told.append((story, referral, consent))

    def _consent(self, referral: Referral, plan: ConsentPlan, caseworker: User) -> Consent:
        if plan.override:
            return referral_services.override_consent(
                referral=referral,
                user=self.users["supervisor"],
                fields=plan.fields,
                purpose=plan.purpose,
                reason=OVERRIDE_REASON,
            )
        return referral_services.record_consent(
            referral=referral,
            user=caseworker,
            fields=plan.fields,
            purpose=plan.purpose,
            method=plan.method,
            expires_at=plan.expires_at,
        )

    @staticmethod
    def _move(referral, status, story: ReferralStory, need, caseworker, moment) -> Referral:
        """The service call that takes the referral to ``status``, by whoever takes that step."""
        staff = story.answered_by.get(status)
        if status == Status.DRAFT:
            return referral_services.create_referral(
                need=need,
                service=story.place.service,
                user=caseworker,
                urgency=story.urgency,
                reason=story.reason,
            )
        if status == Status.SENT:
            return referral_services.send_referral(referral=referral, user=caseworker)
        if status == Status.VIEWED:
            return referral_services.mark_viewed(referral=referral, user=staff)
        if status == Status.ACCEPTED:
            # The staff agree the goals with the caseworker as they take the person in.
            referral = referral_services.accept_referral(referral=referral, user=staff)
            outcome_services.set_goals(referral=referral, user=staff, goals=story.goals)
            return referral
        if status == Status.WAITLISTED:
            return referral_services.waitlist_referral(referral=referral, user=staff)
        if status == Status.DECLINED:
            return referral_services.decline_referral(
                referral=referral,
                user=staff,
                reason_code=story.decline_reason,
                note=DECLINE_OTHER_NOTE
                if story.decline_reason == Referral.DeclineReason.OTHER
                else "",
            )
        if status == Status.IN_SERVICE:
            return referral_services.start_service(referral=referral, user=staff)
        if status == Status.COMPLETED:
            outcome_services.complete_with_goals(
                referral=referral,
                user=staff,
                attainments=story.attainments,
                note=OUTCOME_NOTES[story.outcome],
            )
            referral.refresh_from_db()
            return referral
        if status == Status.FAILED:
            outcome_services.record_failure(
                referral=referral, user=staff, reason_code=story.failure_reason
            )
            referral.refresh_from_db()
            return referral
        if status == Status.RECALLED:
            return referral_services.recall_referral(
                referral=referral, user=caseworker, note=story.recall_note
            )
        if status == Status.CLOSED:
            # The caseworker's word on the provider's outcome closes the referral.
            outcome = outcome_selectors.outcome_of(referral)
            if outcome is None or outcome.status != Outcome.Status.RECORDED:
                return referral_services.close_referral(referral=referral, user=caseworker)
            if story.dispute:
                outcome_services.dispute_outcome(
                    outcome=outcome, user=caseworker, reason=DISPUTE_REASON
                )
            else:
                outcome_services.confirm_outcome(outcome=outcome, user=caseworker)
            referral.refresh_from_db()
            return referral
        if status == Status.REOPENED:
            return referral_services.reopen_referral(
                referral=referral, user=caseworker, note=REOPEN_NOTE
            )
        if status == Status.EXPIRED:
            # Nobody answered: beat returns it to the caseworker at the clock's expiry.
            referral_services.process_referral_deadlines(now=moment)
            referral.refresh_from_db()
            return referral
        raise ValueError(f"No step of the demo moves a referral to {status!r}.")

    def revoke_one(self) -> None:
        """A person withdraws consent while in service: the provider stops seeing the fields."""
        for _story, referral, consent in self.told:
            if (
                referral.status == Status.IN_SERVICE
                and consent is not None
                and consent.revoked_at is None
                and consent.method != Consent.Method.SUPERVISOR_OVERRIDE
            ):
                referral_services.revoke_consent(
                    consent=consent, user=referral.caseworker, note=REVOCATION_NOTE
                )
                return


# --- seeding ------------------------------------------------------------------------------


class _Seeder:
    """What the plan and the telling share: the people, places and categories of the demo."""

    def __init__(self, parties: DemoParties, now: datetime.datetime):
        self.now = now
        self.today = timezone.localdate(now)
        self.users = parties.users
        self.agencies = {key: parties.agencies[key] for key in PEOPLE_PER_AGENCY}
        self.city_bureau = parties.agencies["civil_affairs"]
        self.categories = {c.code: c for c in NeedCategory.objects.select_related("parent")}
        self.districts = {
            area.code[:6]: area
            for area in Area.objects.filter(level=Area.Level.DISTRICT, code__startswith="31")
        }
        centroids = {
            code: (float(area.latitude), float(area.longitude))
            for code, area in self.districts.items()
            if area.latitude is not None and area.longitude is not None
        }
        inbox_provider = Provider.objects.filter(
            organization=parties.providers[INBOX_PROVIDER_INDEX]
        ).first()
        self.answerers = self._answerers()
        self.directory = _Directory(
            centroids, inbox_provider.pk if inbox_provider else None, self.answerers
        )
        self.shared_id_number = ""

    @staticmethod
    def _answerers() -> dict[int, list[User]]:
        """Who answers referrals at each provider: its staff and administrators."""
        answerers = defaultdict(list)
        memberships = Membership.objects.filter(
            organization__provider__isnull=False,
            role__in=(Role.PROVIDER_STAFF, Role.PROVIDER_ADMIN),
            is_active=True,
        ).select_related("user")
        for membership in memberships.order_by("role", "user__username"):
            answerers[membership.organization_id].append(membership.user)
        return answerers

    def new_people(self, people: list[PersonPlan]) -> list[PersonPlan]:
        """The planned people not yet recorded by their agency."""
        existing = set(
            Beneficiary.objects.filter(agency__in=self.agencies.values()).values_list(
                "agency_id", "id_number_index"
            )
        )
        return [
            person
            for person in people
            if (self.agencies[person.agency].pk, blind_index(person.id_number)) not in existing
        ]

    def stories(self, people: list[PersonPlan]) -> int:
        """Plan the new people's stories, then tell them; returns how many were told."""
        planner = _Planner(
            now=self.now,
            categories=self.categories,
            directory=self.directory,
            answerers=self.answerers,
        )
        stories = [planner.person(person) for person in people]
        _override_one(stories)
        _dispute_two(stories, self.now)
        teller = _Teller(users=self.users, agencies=self.agencies, categories=self.categories)
        for story in stories:
            teller.person(story)
        if stories:
            teller.revoke_one()
            # What beat does now: remind the referrals still waiting for an answer.
            with history.as_of(self.now):
                referral_services.process_referral_deadlines(now=self.now)
        return len(stories)

    def known_to_both(self) -> Beneficiary | None:
        """One person recorded by both agencies, through the services each caseworker uses.

        The person moved from Pudong to Xujiahui: the Pudong bureau knows them from before
        (dibao), the street office records them now and is told that the bureau knows them.
        """
        rng = random.Random(SEED + 2)
        person = _plan_person(rng, _Names(rng), "xujiahui", PERSONAS[3], [])
        person.statuses = ["dibao", "disability"]
        person.disability_grade = 2
        self.shared_id_number = person.id_number
        index = blind_index(person.id_number)
        recorded = None
        for agency_key, statuses, grade, address in (
            ("pudong", ["dibao"], None, "上海市浦东新区塘桥街道浦建路86弄12号302室"),
            ("xujiahui", person.statuses, 2, "上海市徐汇区徐家汇街道宜山路455弄3号1101室"),
        ):
            agency = self.agencies[agency_key]
            if Beneficiary.objects.filter(agency=agency, id_number_index=index).exists():
                continue
            caseworker = self.users[CASEWORKER_OF[agency_key]]
            beneficiary = referral_services.record_beneficiary(
                agency=agency,
                user=caseworker,
                name=person.name,
                id_number=person.id_number,
                phone=person.phone,
                address=address,
                household_members=person.household_members,
                assistance_statuses=statuses,
                disability_grade=grade,
            ).beneficiary
            need_code = (
                "social-services.disability" if agency_key == "xujiahui" else "basic-living.dibao"
            )
            assessment = referral_services.record_assessment(
                beneficiary=beneficiary,
                user=caseworker,
                needs=[{"category": self.categories[need_code], "severity": 3}],
                priority=Priority.HIGH,
                notes=person.notes,
            )
            need = assessment.needs.get()
            if agency_key == "pudong":
                referral_services.record_unmet_need(
                    user=caseworker,
                    agency=agency,
                    category=None,
                    need=need,
                    reason=UnmetNeed.Reason.NO_CAPACITY,
                    note=UNMET_NOTES[UnmetNeed.Reason.NO_CAPACITY],
                )
                continue
            place = self.directory.choose(
                person=person,
                category=need_code,
                final=Status.SENT,
                rng=rng,
                today=self.today,
            )
            if place is not None:
                # A draft with the person's consent: ready for the caseworker to send.
                referral = referral_services.create_referral(
                    need=need,
                    service=place.service,
                    user=caseworker,
                    reason=REASONS[0].format(category=need.category.name_zh),
                )
                referral_services.record_consent(
                    referral=referral,
                    user=caseworker,
                    fields=[ShareableField.NAME, ShareableField.PHONE, ShareableField.ADDRESS],
                    purpose=PURPOSES[0],
                    method=Consent.Method.SIGNED_FORM,
                )
            recorded = beneficiary
        return recorded

    def district_reports(self) -> int:
        """Unmet needs the districts report to the city bureau, recorded by its clerk:
        no person behind them here."""
        if UnmetNeed.objects.filter(agency=self.city_bureau, note=DISTRICT_REPORT_NOTE).exists():
            return 0
        username, display_name = CITY_CLERK
        clerk = history_person(
            username, display_name, organization=self.city_bureau, role=Role.CASEWORKER
        )
        rng = random.Random(SEED + 3)
        codes = [code for code in self.categories if "." in code]
        reasons = (
            UnmetNeed.Reason.NO_SERVICE,
            UnmetNeed.Reason.NO_CAPACITY,
            UnmetNeed.Reason.TOO_FAR,
        )
        reported = 0
        for district_code, count in zip(DISTRICTS, DISTRICT_REPORT_COUNTS, strict=True):
            district = self.districts.get(district_code)
            if district is None:
                continue
            for _report in range(count):
                category = self.categories[rng.choice(codes)]
                reason = rng.choice(reasons)
                with history.as_of(self.now - timedelta(days=rng.uniform(1, 90))):
                    referral_services.record_unmet_need(
                        user=clerk,
                        agency=self.city_bureau,
                        category=category,
                        area=district,
                        reason=reason,
                        note=DISTRICT_REPORT_NOTE,
                    )
                reported += 1
        return reported


def _streets() -> dict[str, list[Area]]:
    streets = {}
    for agency, district in AGENCY_DISTRICT.items():
        only = AGENCY_STREET[agency]
        found = Area.objects.filter(parent__code=district.ljust(12, "0"), level=Area.Level.STREET)
        if only:
            found = found.filter(code=only)
        streets[agency] = list(found.order_by("code"))
    return streets


def seed_referrals(parties: DemoParties, now: datetime.datetime | None = None) -> dict:
    """Record the demo people and tell their stories (only those not there yet);
    returns counts."""
    seeder = _Seeder(parties, now or timezone.now())
    seeder.stories(seeder.new_people(plan_people(_streets())))
    seeder.known_to_both()
    seeder.district_reports()
    agencies = list(seeder.agencies.values())
    return {
        "beneficiaries": Beneficiary.objects.filter(agency__in=agencies).count(),
        "referrals": Referral.objects.filter(agency__in=agencies).count(),
        "unmet_needs": UnmetNeed.objects.count(),
        "known_to_both": seeder.shared_id_number,
    }
