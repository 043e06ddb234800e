"""Demo evidence for evaluation (issue #13): goals, survey answers, assessments, ratings.

The goals and outcomes of the demo referrals are told with the referrals
(``demo.referrals``): when a provider's staff accept a referral they agree one to
three goals for the need (``plan_goals``), and at completion they score them
(``plan_attainments``) as the story's outcome says — met, partly met or not met —
a provider that does its work well scoring a little higher within the band.

``seed_evaluation`` then tells what came after, each step at its moment
(``demo.history.as_of``) and through ``evaluation.services``: three in four people
answer the satisfaction survey of their completed referral within two
weeks (answers differ by provider, a few leave a comment, one with a phone number
that is masked before it is stored); the city bureau's commissioner commissions
three assessments from the demo assessor organization, two scored, submitted and
accepted (one awarding a grade), one still in progress; a provider registered
twelve days ago lists its first service and has no evidence at all; and the
ratings are rebuilt from all of it (``recompute_ratings``), history included.
Idempotent: an answered survey, an assessment of the same scope or a provider
already registered is left as it is.
"""

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from demo import history
from demo.accounts import DemoParties, area, credit_code, unguessable_password
from demo.providers import certificate_pdf
from evaluation import gas
from evaluation.models.assessments import Assessment
from evaluation.models.outcomes import Outcome
from evaluation.models.ratings import ProviderRating, RatingHistory
from evaluation.models.surveys import QUESTIONS, SurveyInvitation, SurveyResponse
from evaluation.selectors import assessments as assessment_selectors
from evaluation.services import assessments as assessment_services
from evaluation.services import ratings as rating_services
from evaluation.services import surveys as survey_services
from providers import services as provider_services
from providers.models import Provider, ProviderDocument, Service
from taxonomy.models import NeedCategory, ServiceTier

SEED = 20260513
FRAMEWORK = "social-service-quality"

# --- goals and their attainment, for demo.referrals ----------------------------------------

# Per need category: (the goal, what the person will have achieved at the expected level).
GOALS = {
    "basic-living.dibao": (
        ("按时办理低保年审并足额领取救助金", "材料齐全，年审一次通过，救助金每月按时到账"),
        ("制定家庭收支计划，减少非必要开支", "每月记账，连续三个月收支基本平衡"),
        ("有劳动能力的家庭成员参加就业培训", "参加一期技能培训并取得结业证明"),
    ),
    "basic-living.low-income": (
        ("申请并获得低收入家庭专项救助", "材料齐全，获得至少一项专项救助"),
        ("梳理家庭债务，缓解还款压力", "列清全部债务，与主要债权人商定还款计划"),
        ("子女教育费用有着落", "申请到学费减免或助学金"),
    ),
    "basic-living.extreme-poverty": (
        ("落实特困供养，日常生活有人照料", "每日有人照料起居，三餐规律"),
        ("定期体检，慢性病得到管理", "每季度体检一次，按医嘱服药"),
        ("参加集体活动，减少孤独感", "每周参加至少一次集体活动"),
    ),
    "special-assistance.medical": (
        ("办理医疗救助，减轻自付医疗费用", "住院费用按政策报销，自付部分降到家庭可承受的范围"),
        ("按医嘱规律服药和复诊", "连续三个月按时复诊，不漏服药"),
        ("血压、血糖控制在稳定范围", "每周自测并记录，指标基本稳定"),
    ),
    "special-assistance.housing": (
        ("消除住房安全隐患", "完成电线、燃气等隐患整改并通过检查"),
        ("申请住房救助或公共租赁住房", "递交申请并进入轮候名单"),
        ("改善居家无障碍条件", "安装扶手、防滑垫等适老化设施"),
    ),
    "special-assistance.education": (
        ("学习成绩稳步提高", "主要科目成绩提高一个等级"),
        ("按时完成作业，养成学习习惯", "每周辅导三次，作业按时完成"),
        ("获得教育救助，学习用品有保障", "办妥教育救助，学费和学习用品有着落"),
    ),
    "special-assistance.employment": (
        ("参加辅助性就业或职业培训", "完成一期培训并进入辅助性就业岗位"),
        ("稳定就业三个月以上", "在岗满三个月，按时出勤"),
        ("提升求职和沟通能力", "能独立写好简历并完成模拟面试"),
    ),
    "special-assistance.disaster": (
        ("受灾后基本生活得到恢复", "生活用品补齐，住所恢复可居住"),
        ("缓解灾后心理压力", "参加心理疏导，焦虑情绪明显减轻"),
    ),
    "emergency.temporary": (
        ("渡过临时困难，基本生活有保障", "获得临时救助金，一个月内生活恢复稳定"),
        ("链接长期救助资源", "申请或转介至少一项长期救助"),
        ("家庭制定应急预案", "与家人商定突发情况下的联系人和应对办法"),
    ),
    "emergency.homeless": (
        ("获得临时住所和基本生活保障", "入住救助站或临时住所，吃住有着落"),
        ("联系家人，安全返乡", "与家人取得联系并安排返乡"),
    ),
    "social-services.elderly-care": (
        ("居家生活得到定期照护", "每周上门照护两次，居家环境整洁安全"),
        ("增加社会交往，减少孤独感", "每月参加两次社区活动或与志愿者交流"),
        ("建立紧急呼叫和探访机制", "安装紧急呼叫设备，每周至少一次电话问候"),
    ),
    "social-services.social-work": (
        ("情绪状况得到改善", "焦虑、低落情绪减轻，作息恢复正常"),
        ("建立稳定的社会支持网络", "至少有两位可以求助的亲友或邻居"),
        ("掌握应对压力的方法", "能说出并使用两种以上减压方法"),
    ),
    "social-services.legal-aid": (
        ("获得法律咨询，明确维权途径", "了解自身权利和可以选择的解决途径"),
        ("纠纷得到调解或依法处理", "进入调解或诉讼程序，并有律师协助"),
    ),
    "social-services.family-support": (
        ("改善亲子沟通", "每周有固定的亲子交流时间，家庭冲突减少"),
        ("家庭成员分担照顾责任", "家庭会议商定分工并坚持执行一个月"),
        ("家长掌握正面管教方法", "参加家庭教育课程并在家中运用"),
    ),
    "social-services.child-welfare": (
        ("儿童得到稳定的照料和监护", "监护人明确，日常照料安排到位"),
        ("按时上学，出勤正常", "一学期内没有无故缺课"),
        ("儿童情绪和行为问题有所改善", "老师和家长反馈情绪稳定、冲突减少"),
    ),
    "social-services.disability": (
        ("坚持康复训练，功能有所改善", "每周参加两次康复训练，复评有进步"),
        ("提高生活自理能力", "能独立完成穿衣、洗漱等日常活动"),
        ("办理残疾人补贴并适配辅具", "补贴到位，配上合适的辅具"),
    ),
    "social-services.social-integration": (
        ("参与社区活动，融入社区生活", "每月参加两次社区活动"),
        ("子女顺利入学", "办妥入学手续，按时入学"),
        ("建立本地的支持网络", "结识至少两位可以求助的邻居或同乡"),
    ),
}
GENERAL_GOALS = (
    ("需求得到回应，生活状况有所改善", "按服务计划完成服务，本人反馈情况好转"),
    ("了解并用上可以申请的救助政策", "申请至少一项符合条件的救助"),
)
# The levels each outcome in words allows (evaluation.gas: met from T = 50, partly from 40).
LEVELS = {
    "achieved": (0, 1, 2),
    "partly": (-1, 0),
    "not_achieved": (-2, -1),
}


def provider_tilt(provider) -> float:
    """How well the provider does its work, from −1 to +1: the same on every run."""
    digest = hashlib.sha256(provider.organization.credit_code.encode()).hexdigest()
    return (int(digest[:8], 16) % 5 - 2) / 2


def plan_goals(category_code: str, rng: random.Random) -> list[dict]:
    """One to three goals for a need of ``category_code``, with their weights."""
    options = GOALS.get(category_code, GENERAL_GOALS)
    count = min(len(options), rng.choices((1, 2, 3), weights=(20, 45, 35))[0])
    return [
        {"description": description, "expected": expected, "weight": rng.choice((1, 1, 2, 2, 3))}
        for description, expected in rng.sample(options, count)
    ]


def plan_attainments(
    goals: list[dict], outcome: str, tilt: float, rng: random.Random
) -> dict[int, int]:
    """Each goal's attainment (−2 … +2) so that the T-score says ``outcome``.

    Within the outcome's levels a provider with a higher ``tilt`` scores higher.
    When the draw gives another outcome (one goal "somewhat less" is only partly
    not met), the plain pattern of the outcome is used: all at the expected level,
    one goal somewhat less, or all much less.
    """
    levels = LEVELS[outcome]
    # From −1 for the lowest level to +1 for the highest: the tilt moves weight up or down.
    steps = [2 * position / (len(levels) - 1) - 1 for position in range(len(levels))]
    weights = [1 + 0.7 * tilt * step for step in steps]
    drawn = [rng.choices(levels, weights=weights)[0] for _goal in goals]
    score = gas.t_score(zip(drawn, (goal["weight"] for goal in goals), strict=True))
    if gas.outcome_in_words(score) != outcome:
        drawn = {
            "achieved": [0] * len(goals),
            "partly": [-1] + [0] * (len(goals) - 1),
            "not_achieved": [-2] * len(goals),
        }[outcome]
    return dict(enumerate(drawn, start=1))


# --- survey answers -------------------------------------------------------------------------

ANSWERED_SHARE = 0.75
COMMENTS = {
    # Position among the answered surveys: the comment left with the answers.
    1: "社工很耐心，每周都来看我，谢谢你们！",
    4: "服务很好，希望能继续。有事请打我手机 139 1234 5678，白天家里没人。",
    10: "第一次上门等了快两个星期，后来安排得还可以。",
    17: "工作人员讲得很清楚，申请材料也是他们帮忙准备的。",
}


def _answers(rng: random.Random, *, tilt: float, outcome: str) -> dict[str, int]:
    """Five answers around the provider's level, lower when the need was not met."""
    mean = (
        3.7 + 0.9 * tilt + {"achieved": 0.3, "partly": -0.3, "not_achieved": -0.9}.get(outcome, 0)
    )
    return {name: min(5, max(1, round(rng.gauss(mean, 0.6)))) for name, _question in QUESTIONS}


def _answer_surveys(agencies, now: datetime.datetime) -> int:
    """Three in four people answer within two weeks of the service's end.

    Every invitation draws its plan in the same order on every run, so a second run
    plans the same answers and finds them given.
    """
    rng = random.Random(SEED)
    invitations = (
        SurveyInvitation.objects.filter(referral__agency__in=agencies)
        .select_related("provider__organization", "referral")
        .order_by("pk")
    )
    answered = position = 0
    for invitation in invitations:
        answers = rng.random() < ANSWERED_SHARE
        moment = invitation.created_at + datetime.timedelta(days=rng.uniform(0.3, 14))
        values = _answers(
            rng, tilt=provider_tilt(invitation.provider), outcome=invitation.referral.outcome
        )
        language = "en" if rng.random() < 0.1 else "zh-hans"
        if not answers:
            continue
        comment = COMMENTS.get(position, "")
        position += 1
        if invitation.used_at is not None or moment >= min(now, invitation.expires_at):
            continue
        with history.as_of(moment):
            survey_services.submit_survey(
                token=invitation.token, answers=values, comment=comment, language=language
            )
        answered += 1
    return answered


# --- third-party assessments ----------------------------------------------------------------

EVIDENCE = {
    4: "抽查档案并访谈员工和服务对象，做法规范、成效突出，可供同行借鉴。",
    3: "抽查档案记录完整，做法符合标准，个别细节可进一步完善。",
    2: "部分档案缺少记录或未按期回顾，需在三个月内整改。",
    1: "未能提供相关制度或记录，不符合标准要求。",
}


@dataclass(frozen=True)
class AssessmentPlan:
    """One assessment of a demo provider: days from today of each step (None: not yet)."""

    provider_index: int  # in parties.providers
    scope: str
    level: float  # the scores drawn around it, 1–4
    commissioned: int
    saved: int
    submitted: int | None = None
    accepted: int | None = None
    scored_share: float = 1.0  # of the indicators scored by the last save
    grade: int | None = None
    summary_zh: str = ""
    summary_en: str = ""


ASSESSMENTS = (
    AssessmentPlan(
        provider_index=0,
        scope="2025年度社会服务机构服务质量第三方评估（含等级评定）",
        level=3.5,
        commissioned=-130,
        saved=-110,
        submitted=-96,
        accepted=-90,
        grade=4,
        summary_zh=(
            "该机构个案管理规范，需求评估和服务计划完整，服务对象参与程度高；"
            "财务管理制度健全。建议进一步加强督导记录。评定等级：4A。"
        ),
        summary_en=(
            "Casework is well run, with complete needs assessments and service plans, and "
            "the people served take part; financial controls are sound. Supervision records "
            "should be strengthened. Grade awarded: 4A."
        ),
    ),
    AssessmentPlan(
        provider_index=1,
        scope="2025年度政府购买养老服务项目第三方评估",
        level=2.4,
        commissioned=-220,
        saved=-200,
        submitted=-185,
        accepted=-178,
        summary_zh=(
            "服务基本按合同提供，但部分个案缺少服务计划回顾，投诉处理记录不完整，"
            "项目资金使用说明不够清晰。要求六个月内完成整改并报送整改报告。"
        ),
        summary_en=(
            "Services are mostly delivered as contracted, but some cases lack reviews of "
            "their service plans, complaint records are incomplete and the use of project "
            "funds is not clearly explained. Improvements are due within six months."
        ),
    ),
    AssessmentPlan(
        provider_index=2,
        scope="2026年度社会服务机构服务质量第三方评估",
        level=3.0,
        commissioned=-12,
        saved=-4,
        scored_share=0.4,
    ),
)


def _assess(plan: AssessmentPlan, parties: DemoParties, framework, today) -> Assessment | None:
    commissioner, assessor = parties.users["commissioner"], parties.users["assessor"]
    agency = parties.agencies["civil_affairs"]
    provider = Provider.objects.get(organization=parties.providers[plan.provider_index])
    visible = assessment_selectors.assessments_visible_to(commissioner)
    if visible.filter(provider=provider, scope=plan.scope).exists():
        return None
    rng = random.Random(f"{SEED}:{plan.provider_index}")
    indicators = [i for d in framework.dimensions.all() for i in d.indicators.all()]
    scores = {}
    for indicator in indicators[: max(1, round(len(indicators) * plan.scored_share))]:
        score = min(4, max(1, round(rng.gauss(plan.level, 0.6))))
        scores[indicator.code] = {"score": score, "evidence": EVIDENCE[score]}
    at = history.moment
    with history.as_of(at(today, plan.commissioned, 9, 30)):
        assessment = assessment_services.commission_assessment(
            agency=agency,
            actor=commissioner,
            provider=provider,
            assessor=parties.assessor,
            framework=framework,
            due_date=today + datetime.timedelta(days=plan.commissioned + 60),
            scope=plan.scope,
            may_award_grade=plan.grade is not None,
        )
    # The assessor's first visit: the service-quality dimension, then the rest.
    first = dict(list(scores.items())[:4])
    with history.as_of(at(today, plan.saved, 16)):
        assessment = assessment_services.save_assessment(
            assessment=assessment, actor=assessor, scores=first
        )
    if plan.submitted is None:
        with history.as_of(at(today, plan.saved, 17)):
            return assessment_services.save_assessment(
                assessment=assessment, actor=assessor, scores=scores
            )
    with history.as_of(at(today, plan.submitted, 15)):
        assessment = assessment_services.submit_assessment(
            assessment=assessment,
            actor=assessor,
            scores=scores,
            summary_zh=plan.summary_zh,
            summary_en=plan.summary_en,
            recommended_grade=plan.grade,
        )
    with history.as_of(at(today, plan.accepted, 11)):
        assessment = assessment_services.accept_assessment(
            assessment=assessment, actor=commissioner, awarded_grade=plan.grade
        )
    # The report the task renders after the commit (the demo's tasks are not queued).
    assessment_services.render_report(assessment_id=assessment.pk)
    return assessment


# --- a provider too new to have any evidence ------------------------------------------------

NEWCOMER = {
    "username": "ngo_newcomer_admin",
    "display_name": "冯晓雯",
    "name_zh": "上海市嘉定区新苗社会工作服务社",
    "name_en": "Shanghai Jiading Xinmiao Social Work Agency",
    "district": "310114",
}
NEWCOMER_REGISTERED = -12


def _newcomer(parties: DemoParties, today) -> Provider:
    """Registered twelve days ago, verified, one service listed: no evidence yet."""
    code = credit_code(
        authority="5", category="2", area_code=NEWCOMER["district"], seed=NEWCOMER["name_zh"]
    )
    existing = Provider.objects.filter(organization__credit_code=code).first()
    if existing is not None:
        return existing
    at, day = history.moment, NEWCOMER_REGISTERED
    username = NEWCOMER["username"]
    with history.as_of(at(today, day, 15)):
        provider = provider_services.register_provider(
            username=username,
            password=unguessable_password(),
            email=f"{username}@demo.example.cn",
            display_name=NEWCOMER["display_name"],
            name_zh=NEWCOMER["name_zh"],
            name_en=NEWCOMER["name_en"],
            credit_code=code,
            area=area(NEWCOMER["district"]),
            legal_form=Provider.LegalForm.SOCIAL_SERVICE_AGENCY,
            nature=Provider.Nature.NON_PROFIT,
            registration_authority="上海市嘉定区民政局",
            registration_date=today - datetime.timedelta(days=75),
            certified_social_workers=3,
            staff_count=6,
            description_zh="新成立的社会工作服务社，为嘉定区困难家庭提供个案和小组服务。",
            description_en="A new social work agency serving families in need in Jiading.",
            public_email="contact@xinmiao-sw.example.cn",
            public_phone="021-59120000",
        )
    admin = User.objects.get(username=username)
    with history.as_of(at(today, day, 15, 20)):
        provider_services.upload_document(
            provider=provider,
            actor=admin,
            kind=ProviderDocument.Kind.REGISTRATION_CERTIFICATE,
            title="民办非企业单位登记证书",
            uploaded_file=SimpleUploadedFile(
                "certificate.pdf", certificate_pdf(provider), "application/pdf"
            ),
            expires_on=datetime.date(today.year + 4, 12, 31),
        )
        provider = provider_services.submit_provider(provider=provider, actor=admin)
    with history.as_of(at(today, day + 3, 11)):
        provider = provider_services.verify_provider(
            provider=provider, actor=parties.users["admin"]
        )
    with history.as_of(at(today, day + 5, 10)):
        site = provider_services.save_site(
            provider=provider,
            actor=admin,
            name_zh="新苗社工服务点",
            name_en="Xinmiao service point",
            address="上海市嘉定区博乐路70号",
            opening_hours_zh="周一至周五 9:00–17:00",
            opening_hours_en="Mon–Fri 9:00–17:00",
            wheelchair_accessible=True,
            accessible_toilet=False,
            hearing_support=False,
            phone=provider.public_phone,
        )
        service = provider_services.save_service(
            provider=provider,
            actor=admin,
            name_zh="困难家庭个案社会工作",
            name_en="Casework for families in hardship",
            description_zh="由持证社工上门评估，制定服务计划并链接救助资源。",
            description_en="Certified social workers visit, agree a plan and link people to help.",
            tier=ServiceTier.objects.get(code="development"),
            fee_kind=Service.FeeKind.FREE,
            fee_amount=None,
            languages=["zh"],
            categories=[NeedCategory.objects.get(code="social-services.social-work")],
            areas_covered=[provider.organization.area] if provider.organization.area else [],
            sites=[site],
            at_site=True,
            home_visit=True,
            remote=False,
        )
    with history.as_of(at(today, -2, 17)):
        provider_services.update_capacity(
            service=service, actor=admin, free_slots=8, waitlist_length=0
        )
    return provider


# --- seeding ------------------------------------------------------------------------------


def seed_evaluation(parties: DemoParties, now: datetime.datetime | None = None) -> dict:
    """Survey answers, assessments, the newcomer and the ratings; returns counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    agencies = [parties.agencies["xujiahui"], parties.agencies["pudong"]]
    answered = _answer_surveys(agencies, now)
    framework = assessment_selectors.framework_by_code(FRAMEWORK)
    for plan in ASSESSMENTS:
        _assess(plan, parties, framework, today)
    newcomer = _newcomer(parties, today)
    rating_services.recompute_ratings(now=now)
    outcomes = dict(
        Outcome.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
    )
    assessments = dict(
        Assessment.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
    )
    return {
        "outcomes": outcomes,
        "survey_answers": SurveyResponse.objects.count(),
        "answered_now": answered,
        "assessments": assessments,
        "ratings": ProviderRating.objects.count(),
        "rated_providers": ProviderRating.objects.values("provider").distinct().count(),
        "history": RatingHistory.objects.count(),
        "newcomer": newcomer.organization.name_en,
    }
