"""The standards framework third-party assessments use: 社会服务机构服务质量评估标准.

Five dimensions weighted to 100, each with three or four indicators scored 1–4,
and each mapped to the dimension of the civil-affairs evaluation of social
organizations (《社会组织评估管理办法》: 基础条件, 内部治理, 工作绩效, 社会评价) that
covers the same ground, so that an assessment here can be read beside a
civil-affairs grading. Idempotent: running it again updates the texts in place.
"""

from django.db import migrations

CODE = "social-service-quality"

FRAMEWORK = {
    "name_zh": "社会服务机构服务质量评估标准",
    "name_en": "Social service provider quality standards",
    "version": "2026",
    "description_zh": (
        "用于政府购买社会服务的第三方评估：从服务质量、专业人才、内部治理、财务与信息公开、"
        "服务对象参与五个维度评估服务机构。每项指标按 1–4 分评分（1 不达标，2 需改进，3 良好，"
        "4 优秀），维度得分为指标得分的加权平均，总分为维度得分按权重的加权平均。"
    ),
    "description_en": (
        "For third-party assessment of providers of publicly purchased social services: "
        "service quality, professional staff, governance, finance and transparency, and "
        "beneficiary participation. Each indicator is scored 1–4 (1 inadequate, 2 requires "
        "improvement, 3 good, 4 outstanding); a dimension's score is the weighted mean of its "
        "indicators, the overall score the weighted mean of the dimensions."
    ),
}

# (code, name_zh, name_en, weight, civil-affairs dimension, indicators)
# indicator: (code, weight, text_zh, text_en, guidance_zh, guidance_en)
DIMENSIONS = [
    (
        "service-quality",
        "服务质量",
        "Service quality",
        30,
        "work_performance",
        [
            (
                "sq-needs",
                1,
                "开展需求评估并与服务对象共同制定服务计划",
                "Needs are assessed and a service plan is agreed with each person served",
                "抽查个案档案：是否有入案评估、服务目标和服务计划，计划是否经服务对象确认并按期回顾。",
                "Sample case files: an intake assessment, goals and a service plan the person "
                "agreed to, reviewed on schedule.",
            ),
            (
                "sq-delivery",
                1,
                "服务按合同和计划提供，记录完整及时",
                "Services are delivered as contracted and planned, and recorded fully and on time",
                "核对服务记录与合同约定的服务量、频次和时长；记录是否在服务后及时填写并有签名。",
                "Check service records against the volumes, frequency and duration in the "
                "contract; records are written promptly after each session and signed.",
            ),
            (
                "sq-outcomes",
                2,
                "服务成效得到测量并达到预期目标",
                "Outcomes are measured and the expected goals are reached",
                "查看目标达成量表（GAS）或前后测结果、结案评估；与合同成果目标比较。",
                "Look at goal attainment scaling or before-and-after measures and closing "
                "reviews; compare with the contract's outcome targets.",
            ),
            (
                "sq-safety",
                1,
                "建立安全与风险管理机制，保护服务对象",
                "Safeguarding and risk management protect the people served",
                "是否有风险评估、突发事件处置预案、危机个案转介流程，员工是否知晓并演练。",
                "Risk assessments, an incident plan and a crisis referral procedure exist, and "
                "staff know and have practised them.",
            ),
        ],
    ),
    (
        "professional-staff",
        "专业人才",
        "Professional staff",
        20,
        "basic_conditions",
        [
            (
                "ps-qualified",
                1,
                "持证社会工作者等专业人员数量和比例符合要求",
                "Enough certified social workers and other qualified staff",
                "核对社会工作者职业资格证书、劳动合同和社保记录，与合同和投标承诺的配置比较。",
                "Check social-work certificates, employment contracts and social insurance "
                "records against the staffing the contract and the bid promised.",
            ),
            (
                "ps-supervision",
                1,
                "开展定期专业督导",
                "Staff receive regular professional supervision",
                "查看督导计划和记录：频次、督导者资质、个案讨论是否落实到服务改进。",
                "Supervision plans and notes: how often, by whom, and whether case discussions "
                "lead to changes in the service.",
            ),
            (
                "ps-training",
                1,
                "员工培训和继续教育有计划并落实",
                "Staff training and continuing education are planned and carried out",
                "年度培训计划、培训记录和学时，新员工入职培训，员工流失率。",
                "The yearly training plan, attendance and hours, induction of new staff, and "
                "staff turnover.",
            ),
        ],
    ),
    (
        "governance",
        "内部治理",
        "Governance",
        20,
        "internal_governance",
        [
            (
                "gov-board",
                1,
                "理事会等决策机构按章程运作",
                "The board and other governing bodies work as the charter provides",
                "章程、理事会会议记录、换届和重大事项决策程序，负责人是否按规定备案。",
                "The charter, board minutes, elections and how major decisions are taken; "
                "the responsible persons are filed with the registration authority.",
            ),
            (
                "gov-policies",
                1,
                "内部管理制度健全并执行",
                "Internal policies are complete and followed",
                "人事、财务、项目管理、利益冲突、信息保密与个人信息保护等制度及其执行记录。",
                "Policies on staff, finance, project management, conflicts of interest, "
                "confidentiality and personal data, and evidence they are applied.",
            ),
            (
                "gov-complaints",
                1,
                "投诉和意见得到登记、处理和反馈",
                "Complaints are logged, handled and answered",
                "投诉渠道是否公开，投诉登记簿、处理时限和结果反馈，是否据此改进服务。",
                "A published way to complain, the complaints log, response times, answers "
                "given, and changes made as a result.",
            ),
        ],
    ),
    (
        "finance-transparency",
        "财务与信息公开",
        "Finance and transparency",
        15,
        "internal_governance",
        [
            (
                "fin-accounts",
                1,
                "按《民间非营利组织会计制度》规范核算",
                "Accounts are kept under the accounting system for non-profit organizations",
                "会计账簿、凭证和财务报表，会计与出纳分设，票据管理规范。",
                "Ledgers, vouchers and financial statements; separate accounting and cashier "
                "duties; invoices and receipts properly kept.",
            ),
            (
                "fin-project-funds",
                1,
                "项目资金专款专用，支出与预算相符",
                "Project funds are used only for the contract and spent as budgeted",
                "项目资金单独核算，支出明细与合同预算比较，是否有挪用或超范围支出。",
                "Project money is accounted for separately; spending is compared with the "
                "contract budget; no diversion or spending outside its scope.",
            ),
            (
                "fin-audit",
                1,
                "接受年度审计和项目审计，问题已整改",
                "Annual and project audits are done and their findings acted on",
                "审计报告、管理建议书及整改记录。",
                "Audit reports, management letters and the follow-up of each finding.",
            ),
            (
                "fin-disclosure",
                1,
                "按规定公开年度报告、财务和服务信息",
                "Annual reports, finances and service information are published as required",
                "年度工作报告是否按时报送和公开，公开内容是否真实完整并便于公众获取。",
                "The annual report is filed and published on time; what is published is "
                "accurate, complete and easy for the public to find.",
            ),
        ],
    ),
    (
        "beneficiary-participation",
        "服务对象参与",
        "Beneficiary participation",
        15,
        "social_evaluation",
        [
            (
                "bp-feedback",
                1,
                "收集服务对象满意度和意见并据此改进",
                "Satisfaction and views of the people served are gathered and acted upon",
                "满意度调查的方法、回收率和结果，意见的分析和改进措施；可结合平台满意度数据。",
                "How satisfaction is surveyed, response rates and results, and what changed "
                "because of them; the platform's own survey results may be used.",
            ),
            (
                "bp-involvement",
                1,
                "服务对象参与服务设计、实施和评估",
                "People served take part in designing, delivering and reviewing the service",
                "服务对象代表、议事会或焦点小组等参与机制的记录，意见被采纳的实例。",
                "Records of user representatives, forums or focus groups, and examples of "
                "their views being taken up.",
            ),
            (
                "bp-rights",
                1,
                "告知服务对象权利，尊重知情同意和隐私",
                "People are told their rights; consent and privacy are respected",
                "服务须知、知情同意书、个人信息使用和保密措施，访谈服务对象核实。",
                "Service information leaflets, consent forms, how personal data is used and "
                "kept confidential; confirm by talking to people served.",
            ),
        ],
    ),
]


def seed(apps, schema_editor):
    StandardsFramework = apps.get_model("evaluation", "StandardsFramework")
    Dimension = apps.get_model("evaluation", "Dimension")
    Indicator = apps.get_model("evaluation", "Indicator")
    framework, _created = StandardsFramework.objects.update_or_create(
        code=CODE, defaults={**FRAMEWORK, "is_active": True}
    )
    for order, (code, name_zh, name_en, weight, civil_affairs, indicators) in enumerate(
        DIMENSIONS, start=1
    ):
        # By ids: a test that migrates back and forth renders the models again between
        # the two, and a model instance of one rendering is refused by the other's query.
        dimension, _created = Dimension.objects.update_or_create(
            framework_id=framework.pk,
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "weight": weight,
                "civil_affairs": civil_affairs,
                "order": order,
            },
        )
        for number, (ind_code, ind_weight, text_zh, text_en, guide_zh, guide_en) in enumerate(
            indicators, start=1
        ):
            Indicator.objects.update_or_create(
                dimension_id=dimension.pk,
                code=ind_code,
                defaults={
                    "weight": ind_weight,
                    "text_zh": text_zh,
                    "text_en": text_en,
                    "guidance_zh": guide_zh,
                    "guidance_en": guide_en,
                    "order": number,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    # Going back leaves the rows: unapplying 0001 drops their tables. (A delete here would
    # collect cascades across models rendered for another state, which Django refuses.)
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
