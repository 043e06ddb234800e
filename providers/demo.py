"""Demo providers, sites and services across Shanghai (issue: directory demo data).

Builds on the provider organizations of ``accounts.demo``: 44 verified
providers with a site and three services each, across every district and every
top-level need category; some services full, some with stale capacity, one
listing left unconfirmed for 200 days; one provider suspended and one awaiting
verification with its registration certificate. Idempotent: objects are found
by provider and Chinese name before anything is created.
"""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.demo import DISTRICTS, DemoParties
from core.integrations.pdf import render_pdf
from providers import services
from providers.models import Provider, ProviderDocument, Service, Site
from taxonomy.models import NeedCategory, ServiceTier

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


def _form_of(organization) -> str:
    return next(form for form in SERVICE_TEMPLATES if organization.name_zh.endswith(form))


def _district_name(organization) -> str:
    code = organization.area.code[:6] if organization.area else "310101"
    return DISTRICTS.get(code, ("黄浦区", "Huangpu"))[0]


def certificate_pdf(provider: Provider) -> bytes:
    """A registration certificate rendered as a real PDF with Chinese text."""
    html = render_to_string("providers/demo/certificate.html", {"provider": provider})
    return render_pdf(html)


def _provider(organization, *, status: str, index: int) -> Provider:
    provider = Provider.objects.filter(organization=organization).first()
    if provider:
        return provider
    now = timezone.now()
    # Demo seeding sets the end state directly: the history of how these
    # providers were verified is not part of the demo.
    return Provider.objects.create(
        organization=organization,
        status=status,
        legal_form=(
            Provider.LegalForm.SOCIAL_GROUP
            if organization.credit_code and organization.credit_code[1] == "1"
            else Provider.LegalForm.SOCIAL_SERVICE_AGENCY
        ),
        nature=Provider.Nature.NON_PROFIT,
        registration_authority=f"上海市{_district_name(organization)}民政局",
        registration_date=date(2010 + index % 12, 1 + index % 12, 1 + index % 27),
        grade=index % 6,
        grade_date=date(2024, 6, 30) if index % 6 else None,
        certified_social_workers=3 + index % 15,
        staff_count=8 + index % 40,
        description_zh=f"{organization.name_zh}扎根社区，为困难群众提供专业服务。",
        description_en=f"{organization.name_en} serves people in need in its community.",
        public_email=f"contact{index}@demo-ngo.example.cn",
        public_phone=f"021-6{index:03d}{index:04d}"[:13],
        submitted_at=now if status != Provider.Status.DRAFT else None,
        verified_at=now
        if status in (Provider.Status.VERIFIED, Provider.Status.SUSPENDED)
        else None,
        status_reason=(
            "年度检查未通过，整改期间暂停。 / Suspended pending the annual inspection."
            if status == Provider.Status.SUSPENDED
            else ""
        ),
    )


def _site(provider: Provider, admin, index: int) -> Site:
    site = Site.objects.filter(provider=provider).first()
    if site:
        return site
    district = _district_name(provider.organization)
    return services.save_site(
        provider=provider,
        actor=admin,
        name_zh=f"{provider.organization.name_zh}服务点",
        name_en=f"{provider.organization.name_en} service point",
        address=f"上海市{district}{STREET_ADDRESSES[index % len(STREET_ADDRESSES)]}",
        opening_hours_zh=OPENING_HOURS[0],
        opening_hours_en=OPENING_HOURS[1],
        wheelchair_accessible=index % 2 == 0,
        accessible_toilet=index % 3 == 0,
        hearing_support=index % 5 == 0,
        phone=provider.public_phone,
    )


def _services(provider: Provider, site: Site, admin, index: int) -> list[Service]:
    created = []
    categories = {c.code: c for c in NeedCategory.objects.all()}
    tiers = {t.code: t for t in ServiceTier.objects.all()}
    district = provider.organization.area
    for position, (name_zh, name_en, code, tier, extra) in enumerate(
        SERVICE_TEMPLATES[_form_of(provider.organization)]
    ):
        existing = Service.objects.filter(provider=provider, name_zh=name_zh).first()
        if existing:
            created.append(existing)
            continue
        fields = {"at_site": True, "home_visit": False, "remote": False, **extra}
        paid = (index + position) % 7 == 0
        service = services.save_service(
            provider=provider,
            actor=admin,
            name_zh=name_zh,
            name_en=name_en,
            description_zh=f"{name_zh}：由{provider.organization.name_zh}的持证社工提供。",
            description_en=f"{name_en}, delivered by certified social workers.",
            tier=tiers[tier],
            fee_kind=Service.FeeKind.SUBSIDISED if paid else Service.FeeKind.FREE,
            fee_amount=30 if paid else None,
            languages=["zh", "wuu"] if position == 0 else ["zh"],
            categories=[categories[code]],
            areas_covered=[district] if district else [],
            sites=[site] if fields["at_site"] else [],
            **fields,
        )
        # Capacity: every 5th service full with a waiting list, every 4th not
        # updated for 10 days (shown as stale).
        full = (index + position) % 5 == 0
        services.update_capacity(
            service=service,
            actor=admin,
            free_slots=0 if full else 2 + (index + position) % 9,
            waitlist_length=3 + position if full else 0,
        )
        if (index + position) % 4 == 0:
            ten_days_ago = timezone.now() - timedelta(days=10)
            Service.objects.filter(pk=service.pk).update(capacity_updated_at=ten_days_ago)
        created.append(service)
    return created


def seed_providers(parties: DemoParties) -> dict:
    """Create the providers' profiles, sites and services; returns counts."""
    from accounts.models import Role

    organizations = parties.providers
    counts = {"verified": 0, "services": 0}
    last = len(organizations) - 1
    for index, organization in enumerate(organizations):
        if index == last:
            status = Provider.Status.SUBMITTED
        elif index == last - 1:
            status = Provider.Status.SUSPENDED
        else:
            status = Provider.Status.VERIFIED
        provider = _provider(organization, status=status, index=index)
        admin = (
            organization.memberships.filter(role=Role.PROVIDER_ADMIN).select_related("user").first()
        )
        actor = admin.user if admin else parties.users.get("admin")
        needs_certificate = status == Provider.Status.SUBMITTED or index == 0
        if needs_certificate and not provider.documents.exists():
            services.upload_document(
                provider=provider,
                actor=actor,
                kind=ProviderDocument.Kind.REGISTRATION_CERTIFICATE,
                title="民办非企业单位登记证书",
                uploaded_file=SimpleUploadedFile(
                    "certificate.pdf", certificate_pdf(provider), "application/pdf"
                ),
                expires_on=date(2029, 12, 31),
            )
        if status == Provider.Status.SUBMITTED:
            continue
        site = _site(provider, actor, index)
        counts["services"] += len(_services(provider, site, actor, index))
        if status == Provider.Status.VERIFIED:
            counts["verified"] += 1

    # One listing left unconfirmed for 200 days: hidden from the directory.
    hidden = Service.objects.filter(provider__organization=organizations[5]).order_by("pk").first()
    if hidden:
        Service.objects.filter(pk=hidden.pk).update(
            last_confirmed_at=timezone.now() - timedelta(days=200)
        )
    return counts
