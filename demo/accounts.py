"""Demo parties and users for Shanghai (SPEC §6): agencies, the assessor, the platform.

Agencies and the other parties are made through ``accounts.services`` and found
again by their unified social credit code or name, users by username, so a
second run changes nothing; providers are not made here, each NGO registers
itself (``demo.providers``). Making a user account has no service (platform
administrators do it in the Django admin), so demo users are plain ``User``
rows, given their roles through ``accounts.services.grant_role``; people who
only act in the demo's history get no password.
"""

import hashlib
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.contrib.auth.models import Group
from django.test import override_settings

from accounts import services as account_services
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


@dataclass
class DemoParties:
    """What the seeds made so far, for the seeds that build on it."""

    agencies: dict[str, Organization] = field(default_factory=dict)
    providers: list[Organization] = field(default_factory=list)  # see demo.providers
    assessor: Organization | None = None
    platform: Organization | None = None
    users: dict[str, User] = field(default_factory=dict)


def area(code: str) -> Area | None:
    return Area.objects.filter(code=code.ljust(12, "0")).first()


def organization(*, kind, name_zh, name_en, area_code, parent=None, code=None) -> Organization:
    """The organization with this credit code (or kind and name), made if it is missing."""
    lookup = {"credit_code": code} if code else {"name_zh": name_zh, "kind": kind}
    existing = Organization.objects.filter(**lookup).first()
    if existing:
        return existing
    return account_services.create_organization(
        kind=kind,
        name_zh=name_zh,
        name_en=name_en,
        area=area(area_code),
        parent=parent,
        credit_code=code,
    )


def _agency(name_zh, name_en, area_code, parent=None, seed=None) -> Organization:
    # Government bodies carry codes with registration authority 1 (organizational
    # establishment) and category 1 (organ).
    code = credit_code(authority="1", category="1", area_code=area_code, seed=seed or name_zh)
    return organization(
        kind=Organization.Kind.AGENCY,
        name_zh=name_zh,
        name_en=name_en,
        area_code=area_code,
        parent=parent,
        code=code,
    )


def seed_parties() -> DemoParties:
    """The agencies, the assessor and the platform operator (providers register later)."""
    parties = DemoParties()
    city = _agency("上海市民政局", "Shanghai Municipal Civil Affairs Bureau", SHANGHAI)
    parties.agencies["civil_affairs"] = city
    parties.agencies["pudong"] = _agency(
        "上海市浦东新区民政局", "Pudong New Area Civil Affairs Bureau", "310115", parent=city
    )
    parties.agencies["xujiahui"] = _agency(
        "上海市徐汇区人民政府徐家汇街道办事处",
        "Xujiahui Subdistrict Office, Xuhui District",
        "310104014000" if area("310104014000") else "310104",
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
    parties.assessor = organization(
        kind=Organization.Kind.ASSESSOR,
        name_zh="上海华鉴社会组织评估中心",
        name_en="Shanghai Huajian Social Organization Assessment Centre",
        area_code="310106",
        code=credit_code(authority="5", category="2", area_code="310106", seed="assessor"),
    )
    parties.platform = organization(
        kind=Organization.Kind.PLATFORM,
        name_zh="社会服务平台运营中心",
        name_en="Platform operations centre",
        area_code=SHANGHAI,
    )
    return parties


# username: (display name, where, roles). "provider:N" is the N-th registered
# provider (see demo.providers, which makes those users as the NGOs register).
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


def user(username: str, display_name: str, *, password: str | None) -> User:
    """The demo user ``username``, made with ``password`` if new (None: cannot sign in)."""
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    account = User(
        username=username, display_name=display_name, email=f"{username}@demo.example.cn"
    )
    if password is None:
        account.set_unusable_password()  # acts in the demo's history; never signs in
    else:
        account.set_password(password)
    account.save()
    return account


def history_person(username: str, display_name: str, *, organization, role: str) -> User:
    """Someone who acts in the demo's history without signing in (no password)."""
    person = user(username, display_name, password=None)
    account_services.grant_role(user=person, organization=organization, role=role)
    return person


def give_roles(parties: DemoParties, username: str, *, actor: User | None = None) -> User:
    """Give ``username`` (made already) the roles of ``DEMO_USERS``, and the Wagtail groups."""
    _display_name, where, roles = DEMO_USERS[username]
    person = parties.users[username]
    for role in roles:
        account_services.grant_role(
            user=person, organization=organization_for(parties, where), role=role, actor=actor
        )
        group_name = WAGTAIL_GROUPS.get(role)
        group = Group.objects.filter(name=group_name).first() if group_name else None
        if group is not None:
            person.groups.add(group)
    return person


def seed_users(parties: DemoParties, *, password: str) -> DemoParties:
    """The demo users of the agencies, the assessor and the platform (providers' users
    come with their registration)."""
    for username, (display_name, where, _roles) in DEMO_USERS.items():
        if where.startswith("provider:"):
            continue
        parties.users[username] = user(username, display_name, password=password)
        if username == "admin" and not parties.users[username].is_superuser:
            # The platform administrator also runs Django admin; it still sees no
            # sealed bid early (the sealing rule does not depend on these flags).
            parties.users[username].is_staff = True
            parties.users[username].is_superuser = True
            parties.users[username].save(update_fields=["is_staff", "is_superuser"])
        give_roles(parties, username)
    return parties


def unguessable_password() -> str:
    """For people of the history who must have a password (a registering NGO's first user)."""
    return secrets.token_urlsafe(24)


class DemoPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 at a thousandth of the work, for seeding only.

    Every demo password is public (or random and never used), and fifty of them
    at a million iterations would take the seed a minute. Django verifies these
    hashes with its own PBKDF2 hasher (the count is stored in the hash) and
    re-hashes at full strength on the first sign-in.
    """

    iterations = 1_000


@contextmanager
def quick_password_hashing():
    """Hash the passwords set inside with ``DemoPasswordHasher``, where the configured
    hasher is PBKDF2 (and can therefore check those hashes once seeding is over)."""
    if get_hasher().algorithm != DemoPasswordHasher.algorithm:
        yield
        return
    hashers = ["demo.accounts.DemoPasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield
