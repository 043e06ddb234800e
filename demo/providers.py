"""Demo providers across Shanghai: each NGO registers, is verified and lists its services.

46 social organizations in every district, each registered by its first
administrator through ``providers.services.register_provider`` (``ngo_admin``,
``ngo2_admin``, then people of the history who never sign in), with its
registration certificate uploaded and its profile submitted; the platform
administrator (``admin``) verified 44 of them and later suspended one, and one
still waits for verification. Each verified provider has a site and three
services across every top-level need category — some full with a waiting
list, some with capacity not updated for ten days (stale), one listing
unconfirmed for 200 days (hidden from the directory) — every step at its moment
of the past year (``demo.history.as_of``). Idempotent: a provider already
registered, found by its unified social credit code, is left as it is.
"""

from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from core.integrations.pdf import render_pdf
from demo import history
from demo.accounts import (
    DEMO_USERS,
    DISTRICTS,
    DemoParties,
    area,
    credit_code,
    give_roles,
    unguessable_password,
    user,
)
from providers import services as provider_services
from providers.models import Provider, ProviderDocument, Service, Site
from taxonomy.models import NeedCategory, ServiceTier

# (Chinese stem, English stem) × (Chinese form, English form, registration category)
PROVIDER_STEMS = [
    ("阳光", "Sunshine"),
    ("乐群", "Lequn"),
    ("益心", "Yixin"),
    ("馨家园", "Xinjiayuan"),
    ("同心", "Tongxin"),
    ("启航", "Qihang"),
    ("彩虹", "Rainbow"),
    ("康乐", "Kangle"),
    ("暖心", "Warm Heart"),
    ("伙伴", "Partners"),
    ("明德", "Mingde"),
    ("安康", "Ankang"),
]
PROVIDER_FORMS = [
    ("社会工作服务社", "Social Work Agency", "2"),
    ("养老服务中心", "Elderly Care Centre", "2"),
    ("助残服务中心", "Disability Services Centre", "2"),
    ("儿童服务中心", "Children's Services Centre", "2"),
    ("公益发展中心", "Community Development Centre", "2"),
    ("社会工作者协会", "Social Workers' Association", "1"),
]
# Verified providers, then one suspended and one awaiting verification.
PROVIDER_COUNT = 46
SUSPENDED, SUBMITTED = PROVIDER_COUNT - 2, PROVIDER_COUNT - 1
# The provider whose first listing nobody has confirmed for 200 days.
UNCONFIRMED_PROVIDER = 5
# The provider whose evaluation grade is declared with its certificate but not yet
# verified by the platform administrator.
GRADE_NOT_VERIFIED = 7

# Who registered each provider: the demo users of DEMO_USERS ("provider:N") and
# people of the history (their password is never used). Others: ngo<N+1>_admin.
REGISTRANTS = {
    0: ("ngo_admin", "赵敏"),
    1: ("ngo2_admin", "周婷"),
    2: ("ngo3_admin", "韩雪"),
    3: ("ngo4_admin", "曹宇"),
}
REGISTRANT_SURNAMES = "钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
REGISTRANT_GIVEN_NAMES = ("建明", "晓琳", "海峰", "丽萍", "志强", "雅婷", "文杰", "春梅", "永刚")
SUSPENSION_REASON = "年度检查未通过，整改期间暂停。 / Suspended pending the annual inspection."

# Days from today: the first provider registered 420 days ago, the others every
# three days after; verification took three days; sites and services followed.
REGISTERED_FROM, REGISTERED_EVERY, VERIFIED_AFTER, LISTED_AFTER = -420, 3, 3, 2
SUSPENDED_ON, SUBMITTED_ON = -20, -3
STALE_CAPACITY_ON, UNCONFIRMED_ON = -10, -200

# One line per service: Chinese and English name, category code, tier, eligibility.
SERVICE_TEMPLATES = {
    "社会工作服务社": [
        (
            "低保家庭个案社会工作",
            "Casework for dibao households",
            "basic-living.dibao",
            "development",
            {"required_statuses": ["dibao", "low_income"]},
        ),
        (
            "临时困难家庭应急帮扶",
            "Emergency help for families in sudden hardship",
            "emergency.temporary",
            "survival",
            {},
        ),
        (
            "心理疏导与情绪支持",
            "Counselling and emotional support",
            "social-services.social-work",
            "development",
            {"remote": True},
        ),
    ],
    "养老服务中心": [
        (
            "高龄独居老人居家照护",
            "Home care for older people living alone",
            "social-services.elderly-care",
            "survival",
            {"min_age": 70, "home_visit": True},
        ),
        (
            "特困供养老人集中照料",
            "Residential care under extreme-poverty support",
            "basic-living.extreme-poverty",
            "survival",
            {"min_age": 60, "required_statuses": ["extreme_poverty"]},
        ),
        (
            "老年慢病健康管理",
            "Chronic illness care for older people",
            "special-assistance.medical",
            "development",
            {"min_age": 60},
        ),
    ],
    "助残服务中心": [
        (
            "残疾人日间照料与康复",
            "Day care and rehabilitation for disabled people",
            "social-services.disability",
            "survival",
            {"required_statuses": ["disability"]},
        ),
        (
            "残疾人辅助性就业",
            "Supported employment for disabled people",
            "special-assistance.employment",
            "opportunity",
            {"min_age": 16, "max_age": 59, "required_statuses": ["disability"]},
        ),
        (
            "残障青年社区融入",
            "Community inclusion for young disabled people",
            "social-services.social-integration",
            "opportunity",
            {"min_age": 14, "max_age": 35},
        ),
    ],
    "儿童服务中心": [
        (
            "困境儿童关爱保护",
            "Care and protection for children in difficulty",
            "social-services.child-welfare",
            "survival",
            {"max_age": 17},
        ),
        (
            "困难家庭学生课业辅导",
            "Homework support for pupils from poor families",
            "special-assistance.education",
            "development",
            {"min_age": 6, "max_age": 15, "required_statuses": ["dibao", "low_income"]},
        ),
        (
            "亲子关系与家庭教育指导",
            "Parenting and family support",
            "social-services.family-support",
            "development",
            {},
        ),
    ],
    "公益发展中心": [
        (
            "流浪乞讨人员救助与返乡",
            "Help and safe return for homeless people",
            "emergency.homeless",
            "survival",
            {},
        ),
        (
            "困难家庭住房安全改造",
            "Safe-housing repairs for poor households",
            "special-assistance.housing",
            "survival",
            {"home_visit": True, "at_site": False},
        ),
        (
            "低收入家庭综合帮扶",
            "Integrated support for low-income households",
            "basic-living.low-income",
            "development",
            {"required_statuses": ["low_income"]},
        ),
    ],
    "社会工作者协会": [
        (
            "困难群众法律援助咨询",
            "Legal aid advice for people in need",
            "social-services.legal-aid",
            "development",
            {"remote": True},
        ),
        (
            "受灾群众心理援助",
            "Psychological first aid after disasters",
            "special-assistance.disaster",
            "survival",
            {"remote": True},
        ),
        (
            "外来务工家庭社会融入",
            "Social integration of migrant worker families",
            "social-services.social-integration",
            "opportunity",
            {},
        ),
    ],
}
STREET_ADDRESSES = ["人民路100号", "建国中路58号", "长寿路200号", "漕溪北路88号", "民生路1199号"]
OPENING_HOURS = ("周一至周五 8:30–17:00", "Mon–Fri 8:30–17:00")


@dataclass(frozen=True)
class ProviderPlan:
    """One demo provider: its organization and how far its story goes."""

    index: int
    name_zh: str
    name_en: str
    district_code: str
    code: str
    category: str  # of the registration (1 social group, 2 social service agency)

    @property
    def status(self) -> str:
        if self.index == SUBMITTED:
            return Provider.Status.SUBMITTED
        if self.index == SUSPENDED:
            return Provider.Status.SUSPENDED
        return Provider.Status.VERIFIED

    @property
    def form(self) -> str:
        return PROVIDER_FORMS[self.index % len(PROVIDER_FORMS)][0]

    @property
    def district_zh(self) -> str:
        return DISTRICTS[self.district_code][0]

    @property
    def registrant(self) -> tuple[str, str]:
        if self.index in REGISTRANTS:
            return REGISTRANTS[self.index]
        surname = REGISTRANT_SURNAMES[self.index % len(REGISTRANT_SURNAMES)]
        given = REGISTRANT_GIVEN_NAMES[self.index % len(REGISTRANT_GIVEN_NAMES)]
        return f"ngo{self.index + 1}_admin", surname + given


def provider_plans() -> list[ProviderPlan]:
    plans = []
    district_codes = list(DISTRICTS)
    for index in range(PROVIDER_COUNT):
        district_code = district_codes[index % len(district_codes)]
        district_zh, district_en = DISTRICTS[district_code]
        stem_zh, stem_en = PROVIDER_STEMS[index % len(PROVIDER_STEMS)]
        form_zh, form_en, category = PROVIDER_FORMS[index % len(PROVIDER_FORMS)]
        name_zh = f"上海市{district_zh}{stem_zh}{form_zh}"
        plans.append(
            ProviderPlan(
                index=index,
                name_zh=name_zh,
                name_en=f"Shanghai {district_en} {stem_en} {form_en}",
                district_code=district_code,
                code=credit_code(
                    authority="5", category=category, area_code=district_code, seed=name_zh
                ),
                category=category,
            )
        )
    return plans


def certificate_pdf(provider: Provider) -> bytes:
    """A registration certificate rendered as a real PDF with Chinese text."""
    html = render_to_string("demo/certificate.html", {"provider": provider})
    return render_pdf(html)


class _Story:
    """One provider's story, step by step at its moments (days from ``today``)."""

    def __init__(
        self, plan: ProviderPlan, *, verifier: User | None, password: str, today, taxonomy
    ):
        self.plan = plan
        self.categories, self.tiers = taxonomy
        self.verifier = verifier
        self.password = password
        self.today = today
        self.index = plan.index
        self.registered = (
            SUBMITTED_ON
            if plan.index == SUBMITTED
            else REGISTERED_FROM + REGISTERED_EVERY * plan.index
        )

    def at(self, days: float, hour: int = 10, minute: int = 0):
        return history.as_of(history.moment(self.today, days, hour, minute))

    def tell(self) -> tuple[Provider, User]:
        provider, admin = self._register()
        if self.plan.status == Provider.Status.SUBMITTED or self.verifier is None:
            return provider, admin
        with self.at(self.registered + VERIFIED_AFTER, 15):
            provider = provider_services.verify_provider(provider=provider, actor=self.verifier)
        if self.index % 6:
            provider = self._grade(provider, admin)
        listed = self.registered + VERIFIED_AFTER + LISTED_AFTER
        with self.at(listed):
            site = self._site(provider, admin)
        for position, template in enumerate(SERVICE_TEMPLATES[self.plan.form]):
            with self.at(listed, 10, 30 + position):
                service = self._service(provider, site, admin, position, template)
            self._capacity(service, admin, position)
        if self.plan.status == Provider.Status.SUSPENDED:
            with self.at(SUSPENDED_ON, 11):
                provider = provider_services.suspend_provider(
                    provider=provider, actor=self.verifier, reason=SUSPENSION_REASON
                )
        return provider, admin

    def _register(self) -> tuple[Provider, User]:
        """The NGO signs up, uploads its registration certificate and submits its profile."""
        plan, index = self.plan, self.index
        username, display_name = plan.registrant
        signs_in = username in DEMO_USERS
        with self.at(self.registered, 14):
            provider = provider_services.register_provider(
                username=username,
                password=self.password if signs_in else unguessable_password(),
                email=f"{username}@demo.example.cn",
                display_name=display_name,
                name_zh=plan.name_zh,
                name_en=plan.name_en,
                credit_code=plan.code,
                area=area(plan.district_code),
                legal_form=(
                    Provider.LegalForm.SOCIAL_GROUP
                    if plan.category == "1"
                    else Provider.LegalForm.SOCIAL_SERVICE_AGENCY
                ),
                nature=Provider.Nature.NON_PROFIT,
                registration_authority=f"上海市{plan.district_zh}民政局",
                registration_date=date(2010 + index % 12, 1 + index % 12, 1 + index % 27),
                certified_social_workers=3 + index % 15,
                staff_count=8 + index % 40,
                description_zh=f"{plan.name_zh}扎根社区，为困难群众提供专业服务。",
                description_en=f"{plan.name_en} serves people in need in its community.",
                public_email=f"contact{index}@demo-ngo.example.cn",
                public_phone=f"021-6{index:03d}{index:04d}"[:13],
            )
        admin = User.objects.get(username=username)
        with self.at(self.registered, 14, 20):
            provider_services.upload_document(
                provider=provider,
                actor=admin,
                kind=ProviderDocument.Kind.REGISTRATION_CERTIFICATE,
                title="民办非企业单位登记证书",
                uploaded_file=SimpleUploadedFile(
                    "certificate.pdf", certificate_pdf(provider), "application/pdf"
                ),
                expires_on=date(2029, 12, 31),
            )
        with self.at(self.registered, 14, 30):
            provider = provider_services.submit_provider(provider=provider, actor=admin)
        return provider, admin

    def _grade(self, provider: Provider, admin: User) -> Provider:
        """The provider declares its evaluation grade with the certificate; the platform
        administrator checks it and verifies it — except for one provider, whose grade
        stays "declared, not verified" and so counts nowhere (issue #13)."""
        with self.at(self.registered + VERIFIED_AFTER, 15, 10):
            provider = provider_services.declare_grade(
                provider=provider,
                actor=admin,
                grade=self.index % 6,
                awarded_on=date(2024, 6, 30),
                certificate_number=f"沪民评{2024}{self.index:04d}",
                uploaded_file=SimpleUploadedFile(
                    "grade-certificate.pdf", certificate_pdf(provider), "application/pdf"
                ),
                title="社会组织评估等级证书",
            )
        if self.index == GRADE_NOT_VERIFIED:
            return provider
        with self.at(self.registered + VERIFIED_AFTER, 15, 20):
            return provider_services.verify_declared_grade(
                provider=provider, user=self.verifier, accept=True
            )

    def _site(self, provider: Provider, admin: User) -> Site:
        organization = provider.organization
        return provider_services.save_site(
            provider=provider,
            actor=admin,
            name_zh=f"{organization.name_zh}服务点",
            name_en=f"{organization.name_en} service point",
            address=(
                f"上海市{self.plan.district_zh}"
                f"{STREET_ADDRESSES[self.index % len(STREET_ADDRESSES)]}"
            ),
            opening_hours_zh=OPENING_HOURS[0],
            opening_hours_en=OPENING_HOURS[1],
            wheelchair_accessible=self.index % 2 == 0,
            accessible_toilet=self.index % 3 == 0,
            hearing_support=self.index % 5 == 0,
            phone=provider.public_phone,
        )

    def _service(self, provider, site, admin, position: int, template) -> Service:
        name_zh, name_en, code, tier, extra = template
        fields = {"at_site": True, "home_visit": False, "remote": False, **extra}
        paid = (self.index + position) % 7 == 0
        district = provider.organization.area
        return provider_services.save_service(
            provider=provider,
            actor=admin,
            name_zh=name_zh,
            name_en=name_en,
            description_zh=f"{name_zh}：由{provider.organization.name_zh}的持证社工提供。",
            description_en=f"{name_en}, delivered by certified social workers.",
            tier=self.tiers[tier],
            fee_kind=Service.FeeKind.SUBSIDISED if paid else Service.FeeKind.FREE,
            fee_amount=30 if paid else None,
            languages=["zh", "wuu"] if position == 0 else ["zh"],
            categories=[self.categories[code]],
            areas_covered=[district] if district else [],
            sites=[site] if fields["at_site"] else [],
            **fields,
        )

    def _capacity(self, service: Service, admin: User, position: int) -> None:
        """Every 5th service full with a waiting list; every 4th not updated for ten
        days (stale); the first of one provider not even confirmed for 200 days."""
        turn = self.index + position
        full = turn % 5 == 0
        if self.index == UNCONFIRMED_PROVIDER and position == 0:
            updated = UNCONFIRMED_ON
        elif turn % 4 == 0:
            updated = STALE_CAPACITY_ON
        else:
            updated = -1 - turn % 3
        with self.at(updated, 17):
            provider_services.update_capacity(
                service=service,
                actor=admin,
                free_slots=0 if full else 2 + turn % 9,
                waitlist_length=3 + position if full else 0,
            )


def seed_providers(parties: DemoParties, *, password: str) -> dict:
    """Register the demo providers (those not registered yet) and tell their story;
    adds their organizations and first users to ``parties``. Returns counts."""
    today = timezone.localdate()
    verifier = parties.users.get("admin")
    taxonomy = (
        {category.code: category for category in NeedCategory.objects.all()},
        {tier.code: tier for tier in ServiceTier.objects.all()},
    )
    for plan in provider_plans():
        username, _display_name = plan.registrant
        provider = Provider.objects.filter(organization__credit_code=plan.code).first()
        if provider is None:
            story = _Story(
                plan, verifier=verifier, password=password, today=today, taxonomy=taxonomy
            )
            provider, admin = story.tell()
        else:
            admin = User.objects.filter(username=username).first()
        parties.providers.append(provider.organization)
        if admin is not None:
            parties.users[username] = admin
    # The provider's staff member, added by its administrator.
    ngo_admin = parties.users.get("ngo_admin")
    parties.users["ngo_staff"] = user("ngo_staff", DEMO_USERS["ngo_staff"][0], password=password)
    give_roles(parties, "ngo_staff", actor=ngo_admin)
    organizations = parties.providers
    return {
        "verified": Provider.objects.filter(
            organization__in=organizations, status=Provider.Status.VERIFIED
        ).count(),
        "services": Service.objects.filter(provider__organization__in=organizations).count(),
    }
