"""Demo people, needs, consents, referrals and unmet needs (issue #5, point 10).

Builds on the agencies and users of ``accounts.demo`` and the services of
``providers.demo``: 320 fictional people recorded by the Xujiahui street office
(``caseworker``, ``supervisor``) and the Pudong civil affairs bureau
(``caseworker2``), one of them known to both; each has an assessment with one
to three needs, and the needs have some 680 referrals between them in every
state of the lifecycle: some waiting for an answer from ``ngo_staff``'s provider
with their deadline still ahead, some overdue for the supervisor's list, some
returned, closed or reopened. Needs nobody eligible could take are recorded as
unmet, and the city bureau's district reports add unmet needs across Shanghai,
so the public statistics have something to count (and some small numbers to hide).

Everything about the people is fictional and deterministic: names come from
surname and given-name lists, ID numbers are valid GB 11643 numbers with
Shanghai area codes and a computed check character, phones are 139 numbers, and
a fixed random seed makes every run plan the same people. Idempotent: a person
is recognised by the blind index of their ID number in their agency, and only
people not yet recorded are created, each with their whole story.

Seed data is written in bulk (encrypted fields encrypt on ``bulk_create`` as on
``save``) but keeps what the services keep: every referral's events walk
``REFERRAL_TRANSITIONS`` from ``draft``; ``sent_at``, ``due_at`` and ``expires_at``
come from ``referrals.sla``; a referral is sent only under a consent given
before it; a referral holding a place has taken it from its service's free
places (which never go below zero) and a waitlisted one has joined the waiting
list; a need has at most one open referral. A handful go through the services
themselves, with their audit entries: the person known to both agencies is
recorded and assessed by each caseworker, gets a draft referral with consent in
one and an unmet need in the other; and one consent is revoked.
"""

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts.demo import DISTRICTS, DemoParties
from accounts.models import Membership, Role
from core.audit import record_change
from core.blind_index import blind_index
from core.integrations import geocoding
from places.models import Area
from providers import selectors as provider_selectors
from providers.models import Provider, Service
from referrals import services, sla
from referrals.models import (
    ACCEPTED_STATUSES,
    AWAITING_ANSWER,
    REFERRAL_TRANSITIONS,
    Beneficiary,
    Consent,
    GeocodePrecision,
    Need,
    NeedAssessment,
    Priority,
    Referral,
    ReferralEvent,
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
# The provider of ngo_admin and ngo_staff (provider:0 in accounts.demo).
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
    local_hukou: float = 0.95


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
        local_hukou=0.1,
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
# accounts.demo.DISTRICTS order): some none, some few (shown as "<5"), some many.
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
    local_hukou: bool
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
        local_hukou=rng.random() < persona.local_hukou,
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
    waitlist: int
    taken: int = 0
    joined: int = 0


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
    if service.hukou == Service.Hukou.LOCAL and not person.local_hukou:
        return False
    return service.gender in (Service.Gender.ANY, person.gender)


class _Directory:
    """The referable services, nearest first, with the places the demo takes from them."""

    def __init__(self, centroids: dict[str, tuple[float, float]], inbox_provider_id):
        self.centroids = centroids
        self.inbox_provider_id = inbox_provider_id
        services_ = (
            provider_selectors.referable_services()
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
                    waitlist=service.waitlist_length,
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
    ) -> _Place | None:
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
            with_room = [p for p in candidates if p.free - p.taken > PLACES_KEPT_FREE]
            candidates = with_room or candidates
        if final == Status.WAITLISTED:
            full = [p for p in candidates if p.free - p.taken <= 0]
            candidates = full or candidates
        at_inbox = [p for p in candidates if p.service.provider_id == self.inbox_provider_id]
        if at_inbox and (inbox or rng.random() < 0.45):
            return at_inbox[0]
        return rng.choice(candidates[:3])


# --- writing ----------------------------------------------------------------------------


@dataclass
class _Batch:
    referrals: list[Referral] = field(default_factory=list)
    events: list[tuple[Referral, ReferralEvent]] = field(default_factory=list)
    consents: list[tuple[Referral, Consent]] = field(default_factory=list)
    # Each unmet need with when it was recorded (None: soon after the assessment).
    unmet: list[tuple[UnmetNeed, datetime.datetime | None]] = field(default_factory=list)


class _Seeder:
    def __init__(self, parties: DemoParties, now: datetime.datetime):
        self.now = now
        self.today = timezone.localdate(now)
        self.rng = random.Random(SEED + 1)
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
        self.directory = _Directory(centroids, inbox_provider.pk if inbox_provider else None)
        self.provider_actors = self._provider_actors(parties)
        self.overridden: tuple[Referral, Consent] | None = None
        self.shared_id_number = ""

    @staticmethod
    def _provider_actors(parties: DemoParties) -> dict[int, list]:
        """Who answers referrals at each provider (providers without demo users: nobody named)."""
        actors = defaultdict(list)
        memberships = Membership.objects.filter(
            organization__in=parties.providers,
            role__in=(Role.PROVIDER_STAFF, Role.PROVIDER_ADMIN),
        ).select_related("user")
        for membership in memberships.order_by("role", "user__username"):
            actors[membership.organization_id].append(membership.user)
        return actors

    # --- people -------------------------------------------------------------------

    def beneficiaries(self, people: list[PersonPlan]) -> list[tuple[PersonPlan, Beneficiary]]:
        """The planned people not yet recorded, created in bulk (their fields encrypted)."""
        existing = set(
            Beneficiary.objects.filter(agency__in=self.agencies.values()).values_list(
                "agency_id", "id_number_index"
            )
        )
        streets = {
            area.code: area for area in Area.objects.filter(code__startswith="3101", level=4)
        }
        new = []
        located_on = {}  # the geocoder places an address by district and street
        for person in people:
            agency = self.agencies[person.agency]
            index = blind_index(person.id_number)
            if (agency.pk, index) in existing:
                continue
            street = (person.agency, person.street_code)
            if street not in located_on:
                located_on[street] = geocoding.geocode(person.address)
            located = located_on[street]
            area = located.area if located.found else streets.get(person.street_code)
            beneficiary = Beneficiary(
                agency=agency,
                created_by=self.users[CASEWORKER_OF[person.agency]],
                name=person.name,
                id_number=person.id_number,
                id_number_index=index,
                phone=person.phone,
                address=person.address,
                gender=person.gender,
                birth_date=person.birth_date,
                area=area,
                latitude=located.latitude if located.found else getattr(area, "latitude", None),
                longitude=located.longitude if located.found else getattr(area, "longitude", None),
                geocode_precision=(
                    str(located.precision) if located.found else GeocodePrecision.NONE
                ),
                household_size=len(person.household_members) + 1,
                household_members=person.household_members,
                assistance_statuses=person.statuses,
                disability_grade=person.disability_grade,
                local_hukou=person.local_hukou,
            )
            new.append((person, beneficiary))
        Beneficiary.objects.bulk_create([beneficiary for _person, beneficiary in new])
        return new

    def _district_of(self, beneficiary: Beneficiary):
        area = beneficiary.area
        return self.districts.get(area.code[:6]) if area is not None else None

    # --- needs and referrals --------------------------------------------------------

    def stories(self, new: list[tuple[PersonPlan, Beneficiary]]) -> dict:
        """Assessments, needs, referrals with their events and consents, and unmet needs."""
        batch = _Batch()
        assessments, needs = [], []
        for person, beneficiary in new:
            caseworker = self.users[CASEWORKER_OF[person.agency]]
            assessment = NeedAssessment(
                beneficiary=beneficiary,
                assessed_by=caseworker,
                priority=person.priority,
                notes=person.notes,
            )
            starts, unmet_from = [], len(batch.unmet)
            for plan in person.needs:
                need = Need(
                    assessment=assessment,
                    category=self.categories[plan.category],
                    severity=plan.severity,
                )
                needs.append(need)
                starts.extend(self._referrals(person, beneficiary, plan, need, batch))
            # The assessment came first, then the referrals it led to.
            first = min(starts, default=self.now - timedelta(days=self.rng.uniform(1, 20)))
            assessment.assessed_on = timezone.localdate(first - _hours(self.rng, 12, 120))
            assessment.created_at = first - _hours(self.rng, 1, 6)
            beneficiary.created_at = assessment.created_at - _hours(self.rng, 0, 24 * 30)
            for position in range(unmet_from, len(batch.unmet)):
                unmet, moment = batch.unmet[position]
                if moment is None:
                    moment = min(assessment.created_at + _hours(self.rng, 1, 48), self.now)
                    batch.unmet[position] = (unmet, moment)
            assessments.append(assessment)
        self.override_one(batch)
        NeedAssessment.objects.bulk_create(assessments)
        Need.objects.bulk_create(needs)
        self._write(batch)
        # auto_now_add stamped the seed's time on bulk_create: put back when each was made.
        NeedAssessment.objects.bulk_update(assessments, ["created_at"])
        Beneficiary.objects.bulk_update([b for _person, b in new], ["created_at"])
        self.audit_override()
        self.revoke_one(batch)
        return {"assessments": len(assessments), "needs": len(needs)}

    def _referrals(self, person, beneficiary, plan: NeedPlan, need: Need, batch) -> list:
        """Plan the referrals of one need, newest last, ending before now. Returns their starts."""
        if not plan.referrals:
            if plan.unmet_reason:
                batch.unmet.append(
                    (self._unmet(person, beneficiary, need, plan.unmet_reason), None)
                )
            return []
        urgency = (
            Referral.Urgency.URGENT
            if person.priority == Priority.URGENT
            else Referral.Urgency.ROUTINE
        )
        final = plan.referrals[-1]
        place = self.directory.choose(
            person=person,
            category=plan.category,
            final=final,
            rng=self.rng,
            today=self.today,
            inbox=plan.inbox,
        )
        if place is None:
            # Nothing eligible offers this: the caseworker records the unmet need.
            unmet = self._unmet(person, beneficiary, need, UnmetNeed.Reason.NOT_ELIGIBLE)
            batch.unmet.append((unmet, None))
            return []
        if final in HOLDS_PLACE and place.free - place.taken <= PLACES_KEPT_FREE:
            final = Status.WAITLISTED  # no room left there: the person waits
        category = self.categories[plan.category]
        if final in AWAITING_ANSWER:
            timeline = _waiting_timeline(
                final,
                urgency=urgency,
                category=category,
                now=self.now,
                overdue=plan.overdue,
                rng=self.rng,
            )
        else:
            timeline = _timeline(
                _path(final, self.rng),
                urgency=urgency,
                category=category,
                end=self.now - _quiet(final, self.rng),
                rng=self.rng,
            )
        chain = [(place, timeline)]
        before = timeline.start
        used = {place.service.pk}
        for earlier in reversed(plan.referrals[:-1]):
            earlier_place = self.directory.choose(
                person=person,
                category=plan.category,
                final=earlier,
                rng=self.rng,
                today=self.today,
                avoid=used,
            )
            used.add(earlier_place.service.pk)
            earlier_timeline = _timeline(
                _path(earlier, self.rng),
                urgency=urgency,
                category=category,
                end=before - _hours(self.rng, 2, 48),
                rng=self.rng,
            )
            chain.insert(0, (earlier_place, earlier_timeline))
            before = earlier_timeline.start
        for place_, timeline_ in chain:
            self._referral(person, beneficiary, need, place_, timeline_, urgency, batch)
        if plan.unmet_reason:
            # Every provider declined: recorded after the last answer came back.
            unmet = self._unmet(person, beneficiary, need, plan.unmet_reason)
            batch.unmet.append((unmet, min(timeline.end + _hours(self.rng, 1, 12), self.now)))
        return [timeline_.start for _place, timeline_ in chain]

    def _unmet(self, person, beneficiary, need, reason) -> UnmetNeed:
        return UnmetNeed(
            agency=beneficiary.agency,
            need=need,
            category=need.category,
            area=self._district_of(beneficiary),
            reason=reason,
            note=UNMET_NOTES[reason],
            recorded_by=self.users[CASEWORKER_OF[person.agency]],
        )

    def _referral(
        self, person, beneficiary, need, place: _Place, timeline: Timeline, urgency, batch
    ):
        rng = self.rng
        service = place.service
        final = timeline.moments[-1][0]
        path = [status for status, _moment in timeline.moments]
        caseworker = self.users[CASEWORKER_OF[person.agency]]
        category_name = need.category.name_zh
        referral = Referral(
            beneficiary=beneficiary,
            need=need,
            agency=beneficiary.agency,
            service=service,
            provider=service.provider,
            category=need.category,
            district=self._district_of(beneficiary),
            caseworker=caseworker,
            urgency=urgency,
            reason=rng.choice(REASONS).format(category=category_name),
            status=final,
            status_changed_at=timeline.end,
        )
        clock = timeline.clock
        if clock is not None:
            referral.sent_at = clock.start
        if final in AWAITING_ANSWER:
            referral.due_at, referral.expires_at = clock.due_at, clock.expires_at
            if self.now >= clock.half_at:
                referral.reminded_half_at = clock.half_at
            if self.now >= clock.due_at:
                referral.reminded_full_at = clock.due_at
        elif final == Status.EXPIRED:
            referral.due_at, referral.expires_at = clock.due_at, clock.expires_at
            referral.reminded_half_at, referral.reminded_full_at = clock.half_at, clock.due_at
            referral.return_code = Referral.ReturnCode.NO_ANSWER
        elif final == Status.WAITLISTED:
            place.joined += 1
            referral.waitlist_position = place.waitlist + place.joined
            referral.expires_at = timeline.end + sla.WAITLIST_EXPIRES_AFTER
        if final == Status.DECLINED:
            reason = rng.choices(Referral.DeclineReason.values, weights=(40, 15, 20, 15, 10))[0]
            referral.decline_reason = reason
            referral.return_code = Referral.ReturnCode.DECLINED
        if final == Status.RECALLED:
            referral.return_code = Referral.ReturnCode.RECALLED
        if Status.FAILED in path:
            referral.failure_reason = rng.choice(Referral.FailureReason.values)
        if Status.COMPLETED in path:
            referral.outcome = rng.choices(Referral.Outcome.values, weights=(65, 25, 10))[0]
            referral.outcome_note = OUTCOME_NOTES[referral.outcome]
        if final in HOLDS_PLACE:
            referral.holds_place = True
            place.taken += 1
        if final == Status.CLOSED:
            referral.closed_at = timeline.end
        batch.referrals.append(referral)
        self._events(referral, timeline, caseworker, batch)
        self._consent(referral, timeline, caseworker, batch)

    def _events(self, referral: Referral, timeline: Timeline, caseworker, batch) -> None:
        rng = self.rng
        answerers = self.provider_actors.get(referral.provider.organization_id) or [None]
        previous = ""
        for status, moment in timeline.moments:
            actor, reason_code, note = caseworker, "", ""
            if status in (
                Status.VIEWED,
                Status.ACCEPTED,
                Status.DECLINED,
                Status.WAITLISTED,
                Status.IN_SERVICE,
                Status.COMPLETED,
                Status.FAILED,
            ):
                actor = rng.choice(answerers)
            if status == Status.EXPIRED:
                actor, reason_code = None, "no_answer"
            elif status == Status.DECLINED:
                reason_code = referral.decline_reason
                if reason_code == Referral.DeclineReason.OTHER:
                    note = DECLINE_OTHER_NOTE
            elif status == Status.FAILED:
                reason_code = referral.failure_reason
            elif status == Status.COMPLETED:
                note = referral.outcome_note
            elif status == Status.RECALLED:
                note = rng.choice(RECALL_NOTES)
            elif status == Status.REOPENED:
                note = REOPEN_NOTE
            batch.events.append(
                (
                    referral,
                    ReferralEvent(
                        from_status=previous,
                        to_status=status,
                        actor=actor,
                        at=moment,
                        reason_code=reason_code,
                        note=note,
                    ),
                )
            )
            previous = status

    def _consent(self, referral: Referral, timeline: Timeline, caseworker, batch) -> None:
        """The consent under which the referral went (a draft has one half the time)."""
        rng = self.rng
        sent = timeline.at(Status.SENT)
        if sent is None and rng.random() < 0.5:
            return
        given = (sent or timeline.start + timedelta(minutes=10)) - timedelta(
            minutes=rng.randint(2, 10)
        )
        given = max(given, timeline.start)
        adult = _age(referral.beneficiary.birth_date, self.today) >= 18
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
        consent = Consent(
            provider=referral.provider,
            fields=fields,
            purpose=rng.choice(PURPOSES),
            method=method,
            given_at=given,
            # Open referrals keep a consent in force; some old ones had a term.
            expires_at=given + timedelta(days=365) if rng.random() < 0.3 else None,
            recorded_by=caseworker,
        )
        if (
            consent.expires_at
            and referral.status in ACCEPTED_STATUSES
            and consent.expires_at <= self.now
        ):
            consent.expires_at = None
        accepted = timeline.at(Status.ACCEPTED)
        if accepted is not None and rng.random() < 0.05:
            # The person withdrew consent after the provider took them in.
            consent.revoked_at = accepted + (timeline.end - accepted) * rng.uniform(0.2, 0.9)
            consent.revoked_by = caseworker
            consent.revocation_note = REVOCATION_NOTE
        batch.consents.append((referral, consent))

    def _write(self, batch: _Batch) -> None:
        Referral.objects.bulk_create(batch.referrals)
        events = []
        for referral, event in batch.events:
            event.referral = referral
            events.append(event)
        ReferralEvent.objects.bulk_create(events)
        consents = []
        for referral, consent in batch.consents:
            consent.referral = referral
            consents.append(consent)
        Consent.objects.bulk_create(consents)
        unmet = [row for row, _moment in batch.unmet]
        UnmetNeed.objects.bulk_create(unmet)
        self._account_places()
        # auto_now_add stamped the seed's time: a referral was made with its draft
        # event, a consent when it was given, an unmet need after the last answer.
        drafted = ReferralEvent.objects.filter(
            referral=OuterRef("pk"), to_status=Status.DRAFT
        ).values("at")[:1]
        Referral.objects.filter(pk__in=[r.pk for r in batch.referrals]).update(
            created_at=Subquery(drafted)
        )
        Consent.objects.filter(pk__in=[c.pk for c in consents]).update(created_at=F("given_at"))
        for row, moment in batch.unmet:
            row.created_at = moment
        UnmetNeed.objects.bulk_update(unmet, ["created_at"])

    def _account_places(self) -> None:
        """Places taken and waiting lists joined, as providers.services would count them."""
        for place in self.directory.places:
            if place.taken or place.joined:
                Service.objects.filter(pk=place.service.pk).update(
                    free_slots=F("free_slots") - place.taken,
                    waitlist_length=F("waitlist_length") + place.joined,
                )
                place.free -= place.taken
                place.waitlist += place.joined
                place.taken = place.joined = 0

    # --- the supervisor's override, through the audit log ----------------------------

    def override_one(self, batch: _Batch) -> None:
        """One urgent Xujiahui referral went without consent, on the supervisor's word."""
        supervisor = self.users.get("supervisor")
        xujiahui = self.agencies["xujiahui"]
        candidates = [
            (referral, consent)
            for referral, consent in batch.consents
            if referral.agency_id == xujiahui.pk and referral.sent_at is not None
        ]
        if supervisor is None or not candidates:
            return
        candidates.sort(
            key=lambda pair: (
                pair[0].urgency != Referral.Urgency.URGENT,
                pair[0].status not in ACCEPTED_STATUSES,
            )
        )
        referral, consent = candidates[0]
        consent.method = Consent.Method.SUPERVISOR_OVERRIDE
        consent.override_reason = OVERRIDE_REASON
        consent.recorded_by = supervisor
        consent.fields = [
            ShareableField.NAME,
            ShareableField.PHONE,
            ShareableField.ADDRESS,
            ShareableField.SITUATION,
        ]
        consent.expires_at = consent.revoked_at = consent.revoked_by = None
        consent.revocation_note = ""
        self.overridden = (referral, consent)

    def audit_override(self) -> None:
        """The audit entry ``services.override_consent`` writes."""
        if self.overridden is not None:
            referral, consent = self.overridden
            record_change(
                action="referral.consent_overridden",
                actor=consent.recorded_by,
                organization=referral.agency,
                target=referral,
                details={"fields": consent.fields},
            )

    # --- a handful through the services --------------------------------------------------

    def revoke_one(self, batch: _Batch) -> None:
        """A person withdraws consent while in service: the provider stops seeing the fields."""
        for referral, consent in batch.consents:
            if (
                referral.status == Status.IN_SERVICE
                and consent.revoked_at is None
                and consent.method != Consent.Method.SUPERVISOR_OVERRIDE
            ):
                caseworker = referral.caseworker
                services.revoke_consent(consent=consent, user=caseworker, note=REVOCATION_NOTE)
                return

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
            beneficiary = services.record_beneficiary(
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
            assessment = services.record_assessment(
                beneficiary=beneficiary,
                user=caseworker,
                needs=[{"category": self.categories[need_code], "severity": 3}],
                priority=Priority.HIGH,
                notes=person.notes,
            )
            need = assessment.needs.get()
            if agency_key == "pudong":
                services.record_unmet_need(
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
                referral = services.create_referral(
                    need=need,
                    service=place.service,
                    user=caseworker,
                    reason=REASONS[0].format(category=need.category.name_zh),
                )
                services.record_consent(
                    referral=referral,
                    user=caseworker,
                    fields=[ShareableField.NAME, ShareableField.PHONE, ShareableField.ADDRESS],
                    purpose=PURPOSES[0],
                    method=Consent.Method.SIGNED_FORM,
                )
            recorded = beneficiary
        return recorded

    # --- the city bureau's district reports ----------------------------------------------

    def district_reports(self) -> int:
        """Unmet needs reported by the districts to the city bureau: no person behind them here."""
        if UnmetNeed.objects.filter(agency=self.city_bureau, note=DISTRICT_REPORT_NOTE).exists():
            return 0
        rng = random.Random(SEED + 3)
        codes = [code for code in self.categories if "." in code]
        reasons = (
            UnmetNeed.Reason.NO_SERVICE,
            UnmetNeed.Reason.NO_CAPACITY,
            UnmetNeed.Reason.TOO_FAR,
        )
        rows, created = [], []
        for district_code, count in zip(DISTRICTS, DISTRICT_REPORT_COUNTS, strict=True):
            district = self.districts.get(district_code)
            if district is None:
                continue
            for _report in range(count):
                rows.append(
                    UnmetNeed(
                        agency=self.city_bureau,
                        category=self.categories[rng.choice(codes)],
                        area=district,
                        reason=rng.choice(reasons),
                        note=DISTRICT_REPORT_NOTE,
                    )
                )
                created.append(self.now - timedelta(days=rng.uniform(1, 90)))
        UnmetNeed.objects.bulk_create(rows)
        for row, moment in zip(rows, created, strict=True):
            row.created_at = moment
        UnmetNeed.objects.bulk_update(rows, ["created_at"])
        return len(rows)


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
    """Create the demo people and their referrals (only those not there yet); returns counts."""
    seeder = _Seeder(parties, now or timezone.now())
    new = seeder.beneficiaries(plan_people(_streets()))
    seeder.stories(new)
    seeder.known_to_both()
    seeder.district_reports()
    agencies = list(seeder.agencies.values())
    return {
        "beneficiaries": Beneficiary.objects.filter(agency__in=agencies).count(),
        "referrals": Referral.objects.filter(agency__in=agencies).count(),
        "unmet_needs": UnmetNeed.objects.count(),
        "known_to_both": seeder.shared_id_number,
    }
