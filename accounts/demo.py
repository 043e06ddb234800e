"""Demo parties and users for Shanghai (SPEC §6), created idempotently by ``seed_demo``.

Organizations are looked up by their unified social credit code or name, and
users by username, so running the seed again changes nothing and never
duplicates. Later apps add their own demo data in their ``demo.py``.
"""

import hashlib
from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from accounts import services
from accounts.models import Organization, Role, User
from accounts.validators import credit_code_check_character
from places.models import Area

# GB 11714 organization code: 8 characters then a check character.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organization_code(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    body = "".join(str(int(digest[i : i + 2], 16) % 10) for i in range(0, 16, 2))
    total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(*, authority: str, category: str, area_code: str, seed: str) -> str:
    """A valid GB 32100 code: registration authority, category, area, organization code, check."""
    first17 = f"{authority}{category}{area_code[:6]}{organization_code(seed)}"
    return first17 + credit_code_check_character(first17)


SHANGHAI = "310000000000"
DISTRICTS = {
    "310101": ("黄浦区", "Huangpu"),
    "310104": ("徐汇区", "Xuhui"),
    "310105": ("长宁区", "Changning"),
    "310106": ("静安区", "Jing'an"),
    "310107": ("普陀区", "Putuo"),
    "310109": ("虹口区", "Hongkou"),
    "310110": ("杨浦区", "Yangpu"),
    "310112": ("闵行区", "Minhang"),
    "310113": ("宝山区", "Baoshan"),
    "310114": ("嘉定区", "Jiading"),
    "310115": ("浦东新区", "Pudong"),
    "310116": ("金山区", "Jinshan"),
    "310117": ("松江区", "Songjiang"),
    "310118": ("青浦区", "Qingpu"),
    "310120": ("奉贤区", "Fengxian"),
    "310151": ("崇明区", "Chongming"),
}

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
# Verified providers plus one suspended and one awaiting verification (see providers.demo).
PROVIDER_COUNT = 46

PROVIDER_FORMS = [
    ("社会工作服务社", "Social Work Agency", "2"),
    ("养老服务中心", "Elderly Care Centre", "2"),
    ("助残服务中心", "Disability Services Centre", "2"),
    ("儿童服务中心", "Children's Services Centre", "2"),
    ("公益发展中心", "Community Development Centre", "2"),
    ("社会工作者协会", "Social Workers' Association", "1"),
]


@dataclass
class DemoParties:
    """What the accounts seed created, for the seeds of later apps."""

    agencies: dict[str, Organization] = field(default_factory=dict)
    providers: list[Organization] = field(default_factory=list)
    assessor: Organization | None = None
    platform: Organization | None = None
    users: dict[str, User] = field(default_factory=dict)


def _area(code: str) -> Area | None:
    return Area.objects.filter(code=code.ljust(12, "0")).first()


def _organization(*, kind, name_zh, name_en, area_code, parent=None, code=None) -> Organization:
    lookup = {"credit_code": code} if code else {"name_zh": name_zh, "kind": kind}
    existing = Organization.objects.filter(**lookup).first()
    if existing:
        return existing
    return services.create_organization(
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        area=_area(area_code),
        parent=parent,
        credit_code=code,
    )


def _agency(name_zh, name_en, area_code, parent=None, seed=None) -> Organization:
    # Government bodies carry codes with registration authority 1 (organizational
    # establishment) and category 1 (organ).
    code = credit_code(authority="1", category="1", area_code=area_code, seed=seed or name_zh)
    return _organization(
        kind=Organization.Kind.AGENCY,
        name_zh=name_zh,
        name_en=name_en,
        area_code=area_code,
        parent=parent,
        code=code,
    )


def seed_parties() -> DemoParties:
    parties = DemoParties()
    city = _agency("上海市民政局", "Shanghai Municipal Civil Affairs Bureau", SHANGHAI)
    parties.agencies["civil_affairs"] = city
    parties.agencies["pudong"] = _agency(
        "上海市浦东新区民政局", "Pudong New Area Civil Affairs Bureau", "310115", parent=city
    )
    parties.agencies["xujiahui"] = _agency(
        "上海市徐汇区人民政府徐家汇街道办事处",
        "Xujiahui Subdistrict Office, Xuhui District",
        "310104014000" if _area("310104014000") else "310104",
        parent=city,
    )
    parties.agencies["human_resources"] = _agency(
        "上海市人力资源和社会保障局",
        "Shanghai Municipal Human Resources and Social Security Bureau",
        SHANGHAI,
    )
    parties.agencies["health"] = _agency(
        "上海市卫生健康委员会", "Shanghai Municipal Health Commission", SHANGHAI
    )
    parties.agencies["disabled_federation"] = _agency(
        "上海市残疾人联合会", "Shanghai Disabled Persons' Federation", SHANGHAI
    )
    parties.agencies["welfare_lottery"] = _agency(
        "上海市福利彩票发行中心",
        "Shanghai Welfare Lottery Issuance Centre",
        SHANGHAI,
        parent=city,
    )

    district_codes = list(DISTRICTS)
    for index in range(PROVIDER_COUNT):
        district_code = district_codes[index % len(district_codes)]
        district_zh, district_en = DISTRICTS[district_code]
        stem_zh, stem_en = PROVIDER_STEMS[index % len(PROVIDER_STEMS)]
        form_zh, form_en, category = PROVIDER_FORMS[index % len(PROVIDER_FORMS)]
        name_zh = f"上海市{district_zh}{stem_zh}{form_zh}"
        name_en = f"Shanghai {district_en} {stem_en} {form_en}"
        code = credit_code(authority="5", category=category, area_code=district_code, seed=name_zh)
        parties.providers.append(
            _organization(
                kind=Organization.Kind.PROVIDER,
                name_zh=name_zh,
                name_en=name_en,
                area_code=district_code,
                code=code,
            )
        )

    parties.assessor = _organization(
        kind=Organization.Kind.ASSESSOR,
        name_zh="上海华鉴社会组织评估中心",
        name_en="Shanghai Huajian Social Organization Assessment Centre",
        area_code="310106",
        code=credit_code(authority="5", category="2", area_code="310106", seed="assessor"),
    )
    parties.platform = _organization(
        kind=Organization.Kind.PLATFORM,
        name_zh="社会服务平台运营中心",
        name_en="Platform operations centre",
        area_code=SHANGHAI,
    )
    return parties


# username: (display name, where, roles, staff flags)
DEMO_USERS = {
    "commissioner": ("王建国", "civil_affairs", [Role.COMMISSIONER]),
    "finance": ("李秀英", "civil_affairs", [Role.FINANCE]),
    "caseworker": ("张丽", "xujiahui", [Role.CASEWORKER]),
    "caseworker2": ("陈伟", "pudong", [Role.CASEWORKER]),
    "supervisor": ("刘芳", "xujiahui", [Role.SUPERVISOR]),
    "ngo_admin": ("赵敏", "provider:0", [Role.PROVIDER_ADMIN]),
    "ngo_staff": ("孙磊", "provider:0", [Role.PROVIDER_STAFF]),
    "ngo2_admin": ("周婷", "provider:1", [Role.PROVIDER_ADMIN]),
    "assessor": ("吴强", "assessor", [Role.ASSESSOR]),
    "editor": ("郑洁", "platform", [Role.EDITOR]),
    "admin": ("平台管理员", "platform", [Role.PLATFORM_ADMIN, Role.MODERATOR]),
}

# Wagtail's own groups give editors and moderators access to the CMS admin.
WAGTAIL_GROUPS = {Role.EDITOR: "Editors", Role.MODERATOR: "Moderators"}


def organization_for(parties: DemoParties, where: str) -> Organization:
    if where.startswith("provider:"):
        return parties.providers[int(where.split(":")[1])]
    if where == "assessor":
        return parties.assessor
    if where == "platform":
        return parties.platform
    return parties.agencies[where]


def seed_users(parties: DemoParties, *, password: str) -> DemoParties:
    for username, (display_name, where, roles) in DEMO_USERS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display_name, "email": f"{username}@demo.example.cn"},
        )
        if created:
            user.set_password(password)
        if username == "admin":
            # The platform administrator also runs Django admin; it still sees no
            # sealed bid early (the sealing rule does not depend on these flags).
            user.is_staff = True
            user.is_superuser = True
        user.save()
        organization = organization_for(parties, where)
        for role in roles:
            services.grant_role(user=user, organization=organization, role=role)
            group_name = WAGTAIL_GROUPS.get(role)
            if group_name:
                group = Group.objects.filter(name=group_name).first()
                if group:
                    user.groups.add(group)
        parties.users[username] = user
    return parties
