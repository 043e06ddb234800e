"""Load the need categories and service tiers every other app refers to.

The data lives here, not in a fixture, so that every database has it right
after ``migrate`` and the codes are the same everywhere. Running it again
(after a rollback) updates rows by code instead of duplicating them.

Groups and categories follow the Interim Measures on Social Assistance
(社会救助暂行办法, 2014) and the social services agencies purchase.
``open_eligibility_code`` is the nearest concept in the Open Eligibility
human services taxonomy as published in the HL7 code system
``http://terminology.hl7.org/CodeSystem/OpenEligibilityTaxonomy`` (1101
Emergency, 1107 Money, 1108 Care…); it is left blank where that taxonomy has
no matching concept (it has none for elderly care, child welfare or
disability services as such).
"""

from django.db import migrations

# (code, name_zh, name_en, description_zh, description_en, open_eligibility_code, children)
CATEGORIES = [
    (
        "basic-living",
        "基本生活救助",
        "Basic living assistance",
        "保障困难群众基本生活的救助，包括最低生活保障、特困人员救助供养和低收入家庭救助。",
        "Assistance that secures the basic living of people in hardship: the minimum living "
        "allowance, support for persons in extreme poverty and help for low-income families.",
        "1107",  # Money
        [
            (
                "basic-living.dibao",
                "最低生活保障",
                "Minimum living allowance (dibao)",
                "对共同生活的家庭成员人均收入低于当地最低生活保障标准、且财产状况符合规定的家庭，"
                "给予最低生活保障。",
                "A monthly allowance for households whose income per member is below the local "
                "dibao line and whose assets meet the local rules.",
                "1107",  # Money (no narrower concept for a means-tested income floor)
            ),
            (
                "basic-living.extreme-poverty",
                "特困人员救助供养",
                "Support for persons in extreme poverty",
                "对无劳动能力、无生活来源、无法定赡养抚养扶养义务人或者其法定义务人无履行义务能力的"
                "老年人、残疾人以及未成年人，给予基本生活条件、照料、疾病治疗和丧葬等供养。",
                "Basic living, care, medical treatment and funeral arrangements for older people, "
                "people with disabilities and minors who cannot work, have no income and no one "
                "able to support them.",
                "1107",  # Money
            ),
            (
                "basic-living.low-income",
                "低收入家庭救助",
                "Assistance for low-income families",
                "对收入略高于最低生活保障标准的低收入家庭，根据困难情况给予专项救助或其他帮扶。",
                "Special assistance and other help, according to need, for households whose "
                "income is slightly above the dibao line.",
                "1107",  # Money
            ),
        ],
    ),
    (
        "special-assistance",
        "专项救助",
        "Special assistance",
        "针对医疗、教育、住房、就业和自然灾害等特定困难的救助。",
        "Assistance for specific hardships: medical costs, education, housing, employment and "
        "natural disasters.",
        "",
        [
            (
                "special-assistance.medical",
                "医疗救助",
                "Medical assistance",
                "资助困难群众参加基本医疗保险，并对医疗保险支付后个人负担的合规医疗费用给予补助。",
                "Subsidised basic medical insurance, and help with eligible medical costs left "
                "after insurance has paid.",
                "1199",  # Health > Help Pay for Healthcare
            ),
            (
                "special-assistance.education",
                "教育救助",
                "Education assistance",
                "对在校学习的困难家庭学生，采取减免相关费用、发放助学金、给予生活补助等方式给予救助。",
                "Fee waivers, grants and living allowances for students from families in hardship.",
                "1318",  # Education > Help Pay for School
            ),
            (
                "special-assistance.housing",
                "住房救助",
                "Housing assistance",
                "对住房困难家庭，通过配租公共租赁住房、发放住房租赁补贴、农村危房改造等方式给予救助。",
                "Public rental housing, rent subsidies or the renovation of unsafe rural homes for "
                "families in housing hardship.",
                "1137",  # Housing > Help Pay for Housing
            ),
            (
                "special-assistance.employment",
                "就业救助",
                "Employment assistance",
                "对有劳动能力但处于失业状态的困难家庭成员，通过补贴、培训、费用减免、公益性岗位安置"
                "等方式帮助就业。",
                "Help into work for unemployed members of families in hardship who are able to "
                "work: subsidies, training, fee waivers and public-interest jobs.",
                "1357",  # Work > Help Find Work
            ),
            (
                "special-assistance.disaster",
                "受灾人员救助",
                "Assistance for disaster victims",
                "对基本生活受到自然灾害严重影响的人员提供生活救助。",
                "Living assistance for people whose basic living has been seriously affected by a "
                "natural disaster.",
                "1112",  # Emergency > Disaster Response
            ),
        ],
    ),
    (
        "emergency",
        "急难救助",
        "Emergency assistance",
        "对遭遇突发性、紧迫性、临时性困难的家庭或个人给予的救助。",
        "Help for households or people hit by sudden, urgent or temporary hardship.",
        "1101",  # Emergency
        [
            (
                "emergency.temporary",
                "临时救助",
                "Temporary assistance",
                "对因意外事件、家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭或个人"
                "给予临时救助。",
                "One-off help for households or people whose basic living is temporarily in serious "
                "difficulty after an accident, a sudden serious illness or a similar event.",
                "1113",  # Emergency > Emergency Payments
            ),
            (
                "emergency.homeless",
                "流浪乞讨人员救助",
                "Assistance for homeless people and beggars",
                "对生活无着的流浪、乞讨人员提供临时食宿、急病救治、协助返回等救助。",
                "Temporary food and shelter, emergency medical care and help returning home for "
                "homeless people and beggars with no means of living.",
                "1121",  # Emergency > Emergency Shelter
            ),
        ],
    ),
    (
        "social-services",
        "社会服务",
        "Social services",
        "政府向社会力量购买、与物质救助相结合的专业社会服务。",
        "Professional social services that government purchases from social organizations, "
        "alongside material assistance.",
        "1108",  # Care
        [
            (
                "social-services.elderly-care",
                "养老服务",
                "Elderly care",
                "居家、社区和机构养老服务，包括生活照料、助餐、助浴、探访和护理。",
                "Home, community and residential care for older people: daily care, meals, "
                "bathing, visits and nursing.",
                "",
            ),
            (
                "social-services.child-welfare",
                "儿童福利",
                "Child welfare",
                "面向孤儿、事实无人抚养儿童、留守儿童和困境儿童的关爱保护服务。",
                "Care and protection for orphans, children without de facto carers, left-behind "
                "children and children in difficulty.",
                "",
            ),
            (
                "social-services.disability",
                "残疾人服务",
                "Disability services",
                "康复、托养、辅助器具、无障碍和支持性就业等残疾人服务。",
                "Rehabilitation, day and residential care, assistive devices, accessibility and "
                "supported employment for people with disabilities.",
                "",
            ),
            (
                "social-services.social-work",
                "社会工作与心理支持",
                "Social work and psychological support",
                "个案管理、心理疏导、危机干预和社会支持网络建设。",
                "Case management, counselling, crisis intervention and building networks of "
                "support.",
                "1304",  # Care > Counseling
            ),
            (
                "social-services.family-support",
                "家庭支持",
                "Family support",
                "家庭教育指导、家庭关系调适和照护者支持。",
                "Parenting guidance, help with family relationships and support for carers.",
                "",
            ),
            (
                "social-services.social-integration",
                "社会融入",
                "Social integration",
                "帮助困难群众参与社区生活、重建社会关系、增强自我发展能力。",
                "Helping people in hardship take part in community life, rebuild social ties and "
                "grow their own capacities.",
                "",
            ),
            (
                "social-services.legal-aid",
                "法律援助",
                "Legal aid",
                "为经济困难公民和特殊案件当事人提供法律咨询、代理和刑事辩护等无偿法律服务。",
                "Free legal advice, representation and defence for people with financial "
                "difficulties and parties in special cases.",
                "1375",  # Legal > Advocacy & Legal Aid
            ),
        ],
    ),
]

# (code, name_zh, name_en, description_zh, description_en)
TIERS = [
    (
        "survival",
        "生存型",
        "Survival",
        "满足衣食住行、医疗和安全等基本生存需要。",
        "Meets basic needs for food, clothing, shelter, medical care and safety.",
    ),
    (
        "development",
        "发展型",
        "Development",
        "提升个人和家庭的能力，如教育、技能、健康管理和家庭功能。",
        "Builds the capacities of people and families: education, skills, health and family "
        "functioning.",
    ),
    (
        "opportunity",
        "机会型",
        "Opportunity",
        "拓展就业、社会参与和社会融入的机会，促进自立。",
        "Opens opportunities for work, participation and social integration, towards "
        "self-reliance.",
    ),
]


def _category_defaults(entry, *, parent, sort_order):
    _code, name_zh, name_en, description_zh, description_en, open_eligibility_code = entry[:6]
    return {
        "name_zh": name_zh,
        "name_en": name_en,
        "description_zh": description_zh,
        "description_en": description_en,
        "open_eligibility_code": open_eligibility_code,
        "parent": parent,
        "sort_order": sort_order,
        "is_active": True,
    }


def load(apps, schema_editor):
    NeedCategory = apps.get_model("taxonomy", "NeedCategory")
    ServiceTier = apps.get_model("taxonomy", "ServiceTier")
    for group_order, group in enumerate(CATEGORIES, start=1):
        parent, _created = NeedCategory.objects.update_or_create(
            code=group[0],
            defaults=_category_defaults(group, parent=None, sort_order=group_order * 10),
        )
        for order, child in enumerate(group[6], start=1):
            NeedCategory.objects.update_or_create(
                code=child[0],
                defaults=_category_defaults(child, parent=parent, sort_order=order * 10),
            )
    for order, (code, name_zh, name_en, description_zh, description_en) in enumerate(
        TIERS, start=1
    ):
        ServiceTier.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "description_zh": description_zh,
                "description_en": description_en,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the rows: other apps' data may already point at them.
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
