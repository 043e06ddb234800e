"""Demo service guides and news, in Chinese with English translations.

The guides describe how to apply for each main kind of help in Shanghai in
general terms — where to go, what to bring, the steps — as set out in the
Interim Measures on Social Assistance (国务院令第649号) and the national rules
that followed. They state time limits only where the national rules fix them,
and tell readers to confirm details with the street office, because amounts and
local procedures change from year to year.

Every function is idempotent: run again, it adds what is missing (including
links to policies seeded since) and leaves existing pages as editors left them.
``seed_public_content()`` is what ``seed_demo`` calls.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps as live_apps
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page
from wagtail.rich_text import RichText

from cms.models import (
    NewsIndexPage,
    NewsPage,
    PolicyPage,
    ServiceGuideIndexPage,
    ServiceGuidePage,
)
from cms.search import normalize
from cms.sections import create_sections, section_pages, set_up_moderation
from taxonomy.models import NeedCategory

WHERE_ZH = (
    "<p>户籍所在地的街道办事处或乡镇人民政府，一般在<b>社区事务受理服务中心</b>的窗口办理。</p>"
    "<p>行动不便或者不方便前往的，可以请居委会、村委会代为提出申请。"
    "不清楚到哪里办理的，可以拨打 12345 政务服务便民热线咨询。</p>"
)
WHERE_EN = (
    "<p>The street office or township government where your household is registered, "
    "usually at the counters of its <b>community affairs service centre</b> "
    "(社区事务受理服务中心).</p>"
    "<p>If you cannot easily go there yourself, your residents' or villagers' committee can "
    "apply for you. If you are not sure where to go, call the 12345 government service "
    "hotline.</p>"
)
CHECK_LOCALLY_ZH = "<p>各项标准每年可能调整，具体以街道（乡镇）工作人员的说明为准。</p>"
CHECK_LOCALLY_EN = (
    "<p>Amounts and thresholds may change every year: the staff of the street office will "
    "tell you what applies now.</p>"
)


@dataclass(frozen=True)
class Guide:
    slug: str
    category: str
    policies: tuple[str, ...]
    zh: dict
    en: dict


def _ul(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _ol(*items: str) -> str:
    return "<ol>" + "".join(f"<li>{item}</li>" for item in items) + "</ol>"


GUIDES = (
    Guide(
        slug="dibao",
        category="basic-living.dibao",
        policies=("国务院令第649号", "民发〔2021〕57号"),
        zh={
            "title": "申请最低生活保障（低保）",
            "summary": "家庭人均收入低于本市低保标准、家庭财产符合规定的，可以申请低保，"
            "按月领取低保金，并可同时申请医疗、教育、住房等专项救助。",
            "eligibility": "<p>本市户籍居民家庭，共同生活的家庭成员人均收入"
            "低于本市最低生活保障标准，"
            "并且家庭财产状况符合规定的，可以申请。</p>" + CHECK_LOCALLY_ZH,
            "materials": _ul(
                "申请人和共同生活家庭成员的居民身份证",
                "户口簿",
                "家庭成员的收入情况，例如工资收入证明、养老金或失业保险金领取凭证",
                "家庭财产情况的申报（存款、房产、车辆等）",
                "家庭经济状况核对授权书（在窗口填写并由家庭成员签字）",
                "有残疾、重病的，带上残疾人证或病历等证明",
            ),
            "steps": _ol(
                "到街道（乡镇）社区事务受理服务中心提出书面申请，也可以请居委会、村委会代为申请。",
                "工作人员受理后，会入户调查，并经您授权核对家庭收入和财产情况。",
                "调查结果在您所在的社区公示。",
                "街道（乡镇）审核确认，并书面告知结果；不符合条件的，会说明理由。",
                "符合条件的，从批准之月起按月发放低保金。",
            ),
            "time_limits": "<p>审核确认一般在30个工作日内完成；情况特殊的，可以适当延长。</p>"
            "<p>享受低保期间，家庭人口、收入或财产发生变化的，应当及时告知街道（乡镇）。</p>",
        },
        en={
            "title": "Applying for minimum living assistance (dibao)",
            "summary": "A household whose income per person is below Shanghai's dibao line and "
            "whose assets are within the limits can apply for a monthly allowance, and for "
            "medical, education and housing assistance as well.",
            "eligibility": "<p>Households registered in Shanghai whose income per member living "
            "together is below the city's minimum living standard, and whose assets are "
            "within the set limits.</p>" + CHECK_LOCALLY_EN,
            "materials": _ul(
                "ID cards of the applicant and of the family members living together",
                "The household registration booklet (户口簿)",
                "Proof of each member's income, e.g. a pay statement, pension or unemployment "
                "benefit record",
                "A statement of the household's assets (savings, housing, vehicles)",
                "The authorisation to check the household's finances (filled in and signed by "
                "the family members at the counter)",
                "If anyone has a disability or a serious illness: the disability certificate "
                "or medical records",
            ),
            "steps": _ol(
                "Apply in writing at the community affairs service centre of the street office "
                "or township; your residents' or villagers' committee can apply for you.",
                "Staff visit your home and, with your authorisation, check the household's "
                "income and assets.",
                "The result of the check is posted in your community.",
                "The street office or township decides and tells you in writing; if you do "
                "not qualify, it gives the reasons.",
                "If you qualify, the allowance is paid every month from the month it is approved.",
            ),
            "time_limits": "<p>A decision is usually made within 30 working days; in special "
            "cases it can take longer.</p><p>While you receive dibao, tell the street office "
            "when the household, its income or its assets change.</p>",
        },
    ),
    Guide(
        slug="extreme-poverty-support",
        category="basic-living.extreme-poverty",
        policies=("国务院令第649号", "国发〔2016〕14号", "民发〔2021〕43号"),
        zh={
            "title": "申请特困人员救助供养",
            "summary": "无劳动能力、无生活来源、又没有能够履行义务的赡养抚养扶养人的老年人、"
            "残疾人和未成年人，可以申请特困人员救助供养。",
            "eligibility": "<p>老年人、残疾人以及未满16周岁的未成年人，同时具备以下条件的：</p>"
            + _ul(
                "无劳动能力",
                "无生活来源",
                "无法定赡养、抚养、扶养义务人，或者其法定义务人无履行义务能力",
            ),
            "materials": _ul(
                "申请人的居民身份证、户口簿",
                "残疾人带上残疾人证",
                "收入和财产情况的说明",
                "有赡养、抚养、扶养义务人的，带上其无履行义务能力的相关情况说明",
            ),
            "steps": _ol(
                "本人向街道（乡镇）提出书面申请；本人申请有困难的，可以委托居委会、村委会或他人代为申请。",
                "街道（乡镇）调查核实申请人的情况，并在社区公示。",
                "区民政部门审核确认，书面告知结果。",
                "确认后，按照本人意愿选择在家分散供养，或者到养老机构等供养服务机构集中供养。",
            ),
            "time_limits": "<p>受理后，街道（乡镇）和区民政部门在规定时限内审核确认并告知结果。"
            "生活不能自理的，会同时评估照料需要。</p>",
        },
        en={
            "title": "Applying for support for people in extreme poverty",
            "summary": "Older people, people with disabilities and children who cannot work, "
            "have no income and have no one able to support them can apply to be supported "
            "by the government.",
            "eligibility": "<p>Older people, people with disabilities and children under 16 "
            "who meet all of these conditions:</p>"
            + _ul(
                "unable to work",
                "no source of income",
                "no one legally obliged to support them, or those obliged are unable to",
            ),
            "materials": _ul(
                "The applicant's ID card and household registration booklet",
                "The disability certificate, if any",
                "A statement of income and assets",
                "If someone is legally obliged to support the applicant: an explanation of why "
                "they cannot",
            ),
            "steps": _ol(
                "Apply in writing to the street office or township; if this is hard, your "
                "residents' or villagers' committee or another person can apply for you.",
                "The street office checks your situation and posts the result in your community.",
                "The district civil affairs bureau decides and tells you in writing.",
                "Once approved, you choose to be supported at home or to live in a care home "
                "or other care institution.",
            ),
            "time_limits": "<p>After your application is accepted, the street office and the "
            "district bureau decide within the time the rules set and tell you. If you cannot "
            "look after yourself, your care needs are assessed at the same time.</p>",
        },
    ),
    Guide(
        slug="temporary-assistance",
        category="emergency.temporary",
        policies=("国务院令第649号", "国发〔2014〕47号"),
        zh={
            "title": "申请临时救助",
            "summary": "因火灾、交通事故、突发重病等原因，家庭基本生活一时陷入严重困难的，"
            "可以申请临时救助；情况紧急的，可以先救助、后补手续。",
            "eligibility": _ul(
                "因火灾、交通事故等意外事件，或家庭成员突发重大疾病等原因，基本生活暂时出现严重困难的家庭",
                "因生活必需支出突然增加，超出家庭承受能力，基本生活暂时出现严重困难的低保家庭",
                "遭遇其他特殊困难的家庭或个人",
            ),
            "materials": _ul(
                "居民身份证、户口簿（非本市户籍的，带上居住证或其他身份证明）",
                "说明困难原因的材料，例如医疗费用单据、事故或火灾证明",
                "家庭收入和财产情况的说明",
            ),
            "steps": _ol(
                "向户籍所在地或居住地的街道（乡镇）提出申请；遭遇急难、情况紧急的，可以直接向所在地的街道（乡镇）或民政部门求助。",
                "工作人员了解困难情况，必要时入户调查。",
                "审核后给予救助，一般是发放临时救助金，也可以提供实物或转介给其他帮助。",
            ),
            "time_limits": "<p>情况紧急的，先行给予救助，事后再补充说明情况和手续。</p>",
        },
        en={
            "title": "Applying for temporary assistance",
            "summary": "If a fire, an accident, a sudden serious illness or a similar event "
            "leaves your household unable to meet basic needs, you can apply for temporary "
            "assistance; in an emergency, help comes first and the paperwork later.",
            "eligibility": _ul(
                "Households in serious difficulty for a while because of an accident such as a "
                "fire or a traffic accident, or a family member's sudden serious illness",
                "Dibao households whose essential spending has suddenly risen beyond what they "
                "can bear",
                "Other households or people facing special hardship",
            ),
            "materials": _ul(
                "ID card and household registration booklet (if not registered in Shanghai: "
                "residence permit or other identity document)",
                "Evidence of the cause of the hardship, e.g. medical bills, an accident or fire "
                "report",
                "A statement of the household's income and assets",
            ),
            "steps": _ol(
                "Apply to the street office or township where you are registered or where you "
                "live; in an emergency, go straight to the local street office or civil "
                "affairs bureau.",
                "Staff look at your situation and may visit your home.",
                "After checking, you receive help: usually money, sometimes goods or a "
                "referral to other help.",
            ),
            "time_limits": "<p>In an emergency, help is given first and the explanation and "
            "paperwork follow.</p>",
        },
    ),
    Guide(
        slug="medical-assistance",
        category="special-assistance.medical",
        policies=("国务院令第649号", "国办发〔2015〕30号", "国办发〔2021〕42号"),
        zh={
            "title": "申请医疗救助",
            "summary": "低保家庭成员、特困人员等困难群众看病，可以获得参加医疗保险的缴费资助，"
            "以及医保报销后个人负担部分的补助。",
            "eligibility": _ul(
                "最低生活保障家庭成员",
                "特困供养人员",
                "政府规定的其他特殊困难人员，例如低收入家庭中的重病患者",
            ),
            "materials": _ul(
                "居民身份证、医保卡（社保卡）",
                "医院的费用清单、发票和出院小结等病历材料",
                "医保报销后的结算单",
            ),
            "steps": _ol(
                "在定点医疗机构看病时出示身份证件和医保卡：很多情况下，医疗救助在结算时直接减免，不需要另外申请。",
                "不能在医院直接结算的，持费用单据向街道（乡镇）社区事务受理服务中心申请。",
                "审核后，补助按规定发放到您的账户。",
            ),
            "time_limits": "<p>请在出院或结算后尽早申请，并保存好所有费用单据。</p>",
        },
        en={
            "title": "Applying for medical assistance",
            "summary": "People on dibao, people in extreme poverty and others in hardship can "
            "have their health insurance contributions paid and part of what they still owe "
            "after insurance covered.",
            "eligibility": _ul(
                "Members of dibao households",
                "People supported as in extreme poverty",
                "Others the government names, e.g. seriously ill people in low-income households",
            ),
            "materials": _ul(
                "ID card and medical insurance (social security) card",
                "The hospital's itemised bill, receipts and discharge summary",
                "The statement of what medical insurance paid",
            ),
            "steps": _ol(
                "Show your ID and insurance card when you are treated at a designated "
                "hospital: often the assistance is deducted from your bill there and then, with "
                "no separate application.",
                "If it cannot be settled at the hospital, apply with your bills at the "
                "community affairs service centre.",
                "After checking, the assistance is paid into your account.",
            ),
            "time_limits": "<p>Apply soon after you leave hospital or pay, and keep every "
            "bill.</p>",
        },
    ),
    Guide(
        slug="education-assistance",
        category="special-assistance.education",
        policies=("国务院令第649号",),
        zh={
            "title": "申请教育救助",
            "summary": "低保家庭、特困供养的学生上学，可以获得学费等费用减免、助学金或生活补助。",
            "eligibility": _ul(
                "在义务教育阶段就学的低保家庭成员、特困供养人员",
                "在高中阶段教育（含中等职业教育）、普通高等教育就学的低保家庭成员、特困供养人员，按规定给予救助",
            ),
            "materials": _ul(
                "学生的居民身份证或户口簿",
                "低保或特困供养的证明（可在街道、乡镇开具或由学校核实）",
                "学校要求填写的申请表",
            ),
            "steps": _ol(
                "向就读的学校提出申请。",
                "学校按规定程序审核、确认。",
                "学校减免相关费用，或发放助学金、生活补助，也可以安排勤工助学。",
            ),
            "time_limits": "<p>一般在每学期开学前后申请，具体时间请咨询学校。</p>",
        },
        en={
            "title": "Applying for education assistance",
            "summary": "Students from dibao households and those supported as in extreme "
            "poverty can have fees waived and receive grants or a living allowance.",
            "eligibility": _ul(
                "Members of dibao households and people in extreme poverty in compulsory education",
                "The same students in senior secondary education (including vocational "
                "schools) and higher education, as the rules provide",
            ),
            "materials": _ul(
                "The student's ID card or household registration booklet",
                "Proof of dibao or extreme-poverty support (from the street office, or checked "
                "by the school)",
                "The school's application form",
            ),
            "steps": _ol(
                "Apply to the school you attend.",
                "The school checks and confirms your application.",
                "The school waives fees or pays a grant or living allowance, or offers work "
                "while studying.",
            ),
            "time_limits": "<p>Usually around the start of each term; ask the school for the "
            "dates.</p>",
        },
    ),
    Guide(
        slug="housing-assistance",
        category="special-assistance.housing",
        policies=("国务院令第649号",),
        zh={
            "title": "申请住房救助",
            "summary": "住房困难的低保家庭和分散供养的特困人员，可以申请廉租住房、"
            "住房租赁补贴等住房救助。",
            "eligibility": _ul(
                "住房困难、符合本市规定标准的低保家庭",
                "分散供养的特困人员",
            ),
            "materials": _ul(
                "家庭成员的居民身份证、户口簿",
                "现住房情况的证明，例如租赁合同或房屋产权证明",
                "低保或特困供养的证明",
            ),
            "steps": _ol(
                "向户籍所在地街道（乡镇）社区事务受理服务中心提出申请。",
                "街道（乡镇）和区住房保障部门审核家庭的住房和经济状况，并公示。",
                "符合条件的，按规定配租住房或发放住房租赁补贴。",
            ),
            "time_limits": "<p>审核需要一定时间，请留意工作人员告知的公示和办理进度。</p>",
        },
        en={
            "title": "Applying for housing assistance",
            "summary": "Dibao households with housing difficulties and people in extreme "
            "poverty supported at home can apply for low-rent housing or a rent allowance.",
            "eligibility": _ul(
                "Dibao households whose housing falls below the city's standard",
                "People in extreme poverty who are supported at home",
            ),
            "materials": _ul(
                "ID cards and household registration booklet of the family",
                "Proof of your current housing, e.g. a tenancy agreement or title deed",
                "Proof of dibao or extreme-poverty support",
            ),
            "steps": _ol(
                "Apply at the community affairs service centre of the street office or "
                "township where you are registered.",
                "The street office and the district housing authority check the household's "
                "housing and finances, and post the result.",
                "If you qualify, you are offered a low-rent home or a rent allowance.",
            ),
            "time_limits": "<p>The checks take some time; staff will tell you when the result "
            "is posted and how your application is going.</p>",
        },
    ),
    Guide(
        slug="employment-assistance",
        category="special-assistance.employment",
        policies=("国务院令第649号",),
        zh={
            "title": "申请就业救助",
            "summary": "低保家庭中有劳动能力、处于失业状态的成员，可以获得职业介绍、培训补贴、"
            "社会保险补贴和公益性岗位等就业帮助。",
            "eligibility": "<p>最低生活保障家庭中有劳动能力并处于失业状态的成员。</p>",
            "materials": _ul(
                "居民身份证、户口簿",
                "失业登记的证明（可在社区就业服务窗口办理）",
                "低保的证明",
            ),
            "steps": _ol(
                "到街道（乡镇）的社区公共就业服务窗口登记失业并提出就业帮助的申请。",
                "工作人员了解您的情况，介绍合适的工作或培训。",
                "符合条件的，按规定享受培训补贴、社会保险补贴、岗位补贴或公益性岗位安置。",
            ),
            "time_limits": "<p>请注意：有劳动能力的低保家庭成员，无正当理由连续三次拒绝接受介绍的"
            "与其健康状况、劳动能力等相适应的工作，低保金可能被减发或停发。</p>",
        },
        en={
            "title": "Applying for employment assistance",
            "summary": "Members of dibao households who can work and are unemployed can get "
            "job referrals, training grants, social insurance subsidies and public-benefit "
            "jobs.",
            "eligibility": "<p>Members of dibao households who are able to work and are "
            "unemployed.</p>",
            "materials": _ul(
                "ID card and household registration booklet",
                "Proof of registration as unemployed (available at the community employment "
                "counter)",
                "Proof of dibao",
            ),
            "steps": _ol(
                "Register as unemployed and ask for help finding work at the community "
                "employment service counter of your street office or township.",
                "Staff look at your situation and suggest suitable jobs or training.",
                "If you qualify, you receive training grants, social insurance or wage "
                "subsidies, or a public-benefit job.",
            ),
            "time_limits": "<p>Please note: if a dibao household member who can work turns "
            "down three suitable jobs in a row without good reason, the allowance may be "
            "reduced or stopped.</p>",
        },
    ),
    Guide(
        slug="elderly-care",
        category="social-services.elderly-care",
        policies=(),
        zh={
            "title": "申请养老服务",
            "summary": "60周岁及以上的老年人需要照护的，可以申请老年照护统一需求评估，"
            "根据评估结果获得居家、社区或机构养老服务；经济困难的可以申请补贴。",
            "eligibility": _ul(
                "60周岁及以上、需要生活照料或护理的本市老年人",
                "经济困难的老年人，可以按规定申请养老服务补贴",
            ),
            "materials": _ul(
                "老人的居民身份证、户口簿、医保卡（社保卡）",
                "近期的病历或出院小结（如有）",
                "委托他人办理的，带上代办人的身份证",
            ),
            "steps": _ol(
                "到街道（乡镇）社区事务受理服务中心申请老年照护统一需求评估。",
                "评估人员上门或在约定地点评估老人的照护需要，确定照护等级。",
                "根据评估结果，选择居家照护、社区日间照料或养老机构等服务。",
                "可以在本网站的服务目录中查找附近提供养老服务的机构。",
            ),
            "time_limits": "<p>评估人员会与您约定评估时间；"
            "评估结果有有效期，情况变化时可以申请重新评估。</p>",
        },
        en={
            "title": "Applying for elderly care services",
            "summary": "People aged 60 or over who need care can apply for the city's care "
            "needs assessment and, depending on the result, receive care at home, in the "
            "community or in a care home; those on low incomes can apply for a subsidy.",
            "eligibility": _ul(
                "Older people aged 60 or over in Shanghai who need help with daily living or "
                "nursing care",
                "Older people with financial difficulties can apply for a care subsidy as the "
                "rules provide",
            ),
            "materials": _ul(
                "The older person's ID card, household registration booklet and medical "
                "insurance card",
                "Recent medical records or a discharge summary, if any",
                "If someone applies on their behalf: that person's ID card",
            ),
            "steps": _ol(
                "Apply for the care needs assessment (老年照护统一需求评估) at the community "
                "affairs service centre.",
                "An assessor visits or meets the older person and sets a care level.",
                "Depending on the level, choose care at home, day care in the community or a "
                "care home.",
                "Use this site's service directory to find providers of elderly care nearby.",
            ),
            "time_limits": "<p>The assessor agrees a time with you. An assessment is valid for "
            "a limited period; ask for a new one when the person's needs change.</p>",
        },
    ),
    Guide(
        slug="disability-services",
        category="social-services.disability",
        policies=("国发〔2015〕52号",),
        zh={
            "title": "申请困难残疾人生活补贴和重度残疾人护理补贴",
            "summary": "持有残疾人证的困难残疾人可以申请生活补贴，重度残疾人可以申请护理补贴，"
            "还可以在服务目录中查找康复、托养等服务。",
            "eligibility": _ul(
                "生活补贴：低保家庭中的残疾人，以及按规定纳入的其他困难残疾人",
                "护理补贴：残疾等级被评定为一级、二级且需要长期照护的重度残疾人，以及按规定纳入的其他残疾人",
            ),
            "materials": _ul(
                "居民身份证、户口簿",
                "《中华人民共和国残疾人证》",
                "低保等困难情况的证明（申请生活补贴时）",
            ),
            "steps": _ol(
                "本人或监护人、代办人向户籍所在地街道（乡镇）提出申请。",
                "街道（乡镇）受理并初审，区残联、民政部门审核。",
                "审核通过后，补贴按月发放。",
            ),
            "time_limits": "<p>补贴一般从审核通过的次月起发放；"
            "残疾等级或家庭经济状况发生变化的，应当及时告知。</p>",
        },
        en={
            "title": "Applying for the disability living and nursing care allowances",
            "summary": "People with a disability certificate who are in financial hardship "
            "can apply for a living allowance, and people with severe disabilities for a "
            "nursing care allowance; the directory lists rehabilitation and day care "
            "services.",
            "eligibility": _ul(
                "Living allowance: people with disabilities in dibao households, and others in "
                "hardship as the rules provide",
                "Nursing care allowance: people with grade 1 or 2 disabilities who need "
                "long-term care, and others as the rules provide",
            ),
            "materials": _ul(
                "ID card and household registration booklet",
                "The disability certificate (中华人民共和国残疾人证)",
                "Proof of hardship such as dibao (for the living allowance)",
            ),
            "steps": _ol(
                "The person, their guardian or someone on their behalf applies to the street "
                "office or township where they are registered.",
                "The street office accepts and checks the application; the district disabled "
                "persons' federation and civil affairs bureau review it.",
                "Once approved, the allowance is paid every month.",
            ),
            "time_limits": "<p>Payment usually starts the month after approval. Tell the "
            "street office when the disability grade or the household's finances change.</p>",
        },
    ),
    Guide(
        slug="child-welfare",
        category="social-services.child-welfare",
        policies=("民发〔2019〕62号",),
        zh={
            "title": "申请孤儿和事实无人抚养儿童基本生活保障",
            "summary": "孤儿，以及父母双方都因重残、重病、服刑、失联等原因无法履行抚养责任的儿童，"
            "可以申请按月发放的基本生活保障金。",
            "eligibility": _ul(
                "孤儿",
                "事实无人抚养儿童：父母双方均符合重残、重病、服刑在押、强制隔离戒毒、被执行其他限制人身自由的措施、失联等情形之一，或者一方符合上述情形、另一方死亡的儿童",
            ),
            "materials": _ul(
                "儿童的居民身份证或户口簿",
                "监护人的居民身份证",
                "证明父母情况的材料，例如死亡证明、残疾人证、病历、服刑证明或失联的报案回执",
            ),
            "steps": _ol(
                "儿童的监护人向儿童户籍所在地的街道（乡镇）提出申请，居委会、村委会可以协助。",
                "街道（乡镇）调查核实，区民政部门审核确认。",
                "确认后，按月发放基本生活保障金，并可以获得医疗、教育等方面的帮助。",
            ),
            "time_limits": "<p>儿童的情况发生变化"
            "（例如父母恢复抚养能力、儿童年满18周岁）时，应当及时告知。</p>",
        },
        en={
            "title": "Applying for basic living support for orphans and children without care",
            "summary": "Orphans, and children whose parents both cannot care for them because "
            "of severe disability, serious illness, imprisonment, being missing or similar "
            "reasons, can receive a monthly allowance.",
            "eligibility": _ul(
                "Orphans",
                "Children without care in fact: both parents are severely disabled, seriously "
                "ill, in prison or compulsory drug rehabilitation, otherwise deprived of "
                "liberty, or missing — or one parent is and the other has died",
            ),
            "materials": _ul(
                "The child's ID card or household registration booklet",
                "The guardian's ID card",
                "Evidence of the parents' situation, e.g. a death certificate, disability "
                "certificate, medical records, proof of imprisonment or a police report of a "
                "missing person",
            ),
            "steps": _ol(
                "The child's guardian applies to the street office or township where the "
                "child is registered; the residents' or villagers' committee can help.",
                "The street office checks the situation; the district civil affairs bureau "
                "decides.",
                "Once approved, the allowance is paid every month, with help for health care "
                "and schooling as well.",
            ),
            "time_limits": "<p>Tell the street office when the child's situation changes, "
            "e.g. a parent can care for the child again, or the child turns 18.</p>",
        },
    ),
)

NEWS = (
    (
        "platform-trial",
        1,
        {
            "title": "社会服务联合购买与转介平台开始试运行",
            "summary": "平台今天开始试运行：政府部门可以联合购买社会服务，社会组织可以承接服务，"
            "社区工作人员可以为困难群众转介合适的帮助。",
            "body": "<p>试运行期间，我们欢迎各方通过意见反馈页面提出建议。"
            "受助人的个人信息加密保存，公开页面和统计数据中不会出现任何受助人的个人信息。</p>",
        },
        {
            "title": "The social services commissioning and referral platform opens for a trial",
            "summary": "From today, agencies can commission social services together, social "
            "organizations can deliver them and caseworkers can refer people in difficulty "
            "to the right help.",
            "body": "<p>During the trial we welcome suggestions through the feedback page. "
            "The personal information of the people we help is stored encrypted and never "
            "appears on public pages or in statistics.</p>",
        },
    ),
    (
        "service-guides-published",
        5,
        {
            "title": "十类救助和服务的办事指南上线",
            "summary": "低保、特困供养、临时救助、医疗救助等十类帮助的办事指南已经上线，"
            "写明谁可以申请、带什么材料、到哪里办理。",
            "body": "<p>每份指南都可以打印，并链接到服务目录中提供相应服务的机构和相关政策文件。"
            "如有疑问，可以拨打 12345 政务服务便民热线。</p>",
        },
        {
            "title": "Service guides for ten kinds of help published",
            "summary": "Guides to dibao, extreme-poverty support, temporary assistance, "
            "medical assistance and six other kinds of help are online: who can apply, what "
            "to bring and where to go.",
            "body": "<p>Every guide can be printed and links to the providers in the service "
            "directory and to the policies behind it. For questions, call the 12345 "
            "government service hotline.</p>",
        },
    ),
    (
        "providers-confirm-services",
        12,
        {
            "title": "请服务机构定期确认服务信息和空余名额",
            "summary": "为了让群众找到真正能提供帮助的服务，"
            "服务目录中的空余名额超过7天未更新会标注为过期，"
            "服务信息超过180天未确认的将暂时不在目录中显示。",
            "body": "<p>请各服务机构登录工作台，每周更新空余名额，并定期确认服务信息。</p>",
        },
        {
            "title": "Providers: please confirm your services and free places regularly",
            "summary": "So that people find help that is really available, free places not "
            "updated for 7 days are marked as out of date, and services not confirmed for 180 "
            "days leave the directory until they are confirmed.",
            "body": "<p>Providers, please sign in to your workspace to update free places every "
            "week and confirm your services regularly.</p>",
        },
    ),
    (
        "feedback-open",
        20,
        {
            "title": "意见和投诉可以在线提交并查询办理进度",
            "summary": "群众可以在线提交意见和投诉，提交后获得查询编号，凭编号随时查询办理进度。",
            "body": "<p>意见会转给负责的部门办理。提交时可以不留联系方式；"
            "如需回复，请留下电话或电子邮箱。</p>",
        },
        {
            "title": "Send feedback and complaints online and follow their progress",
            "summary": "Anyone can send feedback or a complaint online and receive a tracking "
            "number to check its progress at any time.",
            "body": "<p>Feedback is passed to the agency responsible. You do not have to leave "
            "contact details; if you would like a reply, leave a phone number or e-mail "
            "address.</p>",
        },
    ),
)


def policies_by_document_number() -> dict[str, PolicyPage]:
    """The Chinese policy pages by document number (brackets written any way)."""
    default = Locale.get_default()
    return {
        normalize(policy.document_number): policy
        for policy in PolicyPage.objects.filter(locale=default).exclude(document_number="")
    }


def _translation_in(page: Page, locale: Locale) -> Page | None:
    translated = page.get_translation_or_none(locale)
    return translated.specific if translated is not None else None


def _child_by_slug(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


def _guide_policies(guide: Guide, policies: Mapping[str, PolicyPage], locale: Locale) -> list:
    linked = []
    for number in guide.policies:
        policy = policies.get(normalize(number))
        if policy is None:
            continue  # not seeded (yet): the link is added when seed_guides runs again
        if policy.locale_id != locale.pk:
            policy = _translation_in(policy, locale) or policy
        linked.append(policy)
    return linked


def seed_guides(
    index_zh: ServiceGuideIndexPage,
    index_en: ServiceGuideIndexPage | None,
    policies: Mapping[str, PolicyPage] | None = None,
) -> list[ServiceGuidePage]:
    """A guide for each main kind of help, in Chinese and (as translations) English.

    ``policies`` maps document numbers to policy pages (default: every Chinese
    policy with a number); numbers that are missing are skipped.
    """
    policies = {
        normalize(number): page
        for number, page in (
            policies if policies is not None else policies_by_document_number()
        ).items()
    }
    categories = {
        category.code: category
        for category in NeedCategory.objects.filter(code__in=[g.category for g in GUIDES])
    }
    created = []
    for guide in GUIDES:
        category = categories.get(guide.category)
        if category is None:
            continue
        zh_page = _seed_guide_page(index_zh, guide, guide.zh, category, policies)
        created.append(zh_page)
        if index_en is not None:
            created.append(
                _seed_guide_page(index_en, guide, guide.en, category, policies, original=zh_page)
            )
    return created


def _seed_guide_page(index, guide, content, category, policies, original=None):
    locale = index.locale
    linked = _guide_policies(guide, policies, locale)
    page = _child_by_slug(index, ServiceGuidePage, guide.slug)
    if page is None:
        page = ServiceGuidePage(
            slug=guide.slug,
            category=category,
            locale=locale,
            where_to_apply=WHERE_ZH if locale.language_code.startswith("zh") else WHERE_EN,
            **content,
        )
        if original is not None:
            page.translation_key = original.translation_key
        page.policies = linked
        index.add_child(instance=page)
        page.save_revision().publish()
        return page
    missing = [policy for policy in linked if policy not in page.policies.all()]
    if missing:
        page.policies.add(*missing)
        page.save(update_fields=["policies"])
    return page


def seed_news(index_zh: NewsIndexPage, index_en: NewsIndexPage | None) -> list[NewsPage]:
    """A few news items, dated in the last weeks, in Chinese and English."""
    today = timezone.localdate()
    created = []
    for slug, days_ago, zh, en in NEWS:
        date = today - timedelta(days=days_ago)
        zh_page = _seed_news_page(index_zh, slug, date, zh)
        created.append(zh_page)
        if index_en is not None:
            created.append(_seed_news_page(index_en, slug, date, en, original=zh_page))
    return created


def _seed_news_page(index, slug, date, content, original=None):
    page = _child_by_slug(index, NewsPage, slug)
    if page is not None:
        return page
    page = NewsPage(
        slug=slug,
        date=date,
        locale=index.locale,
        title=content["title"],
        summary=content["summary"],
        body=[("paragraph", RichText(content["body"]))],
    )
    if original is not None:
        page.translation_key = original.translation_key
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def seed_public_content(policies: Mapping[str, PolicyPage] | None = None) -> dict:
    """Sections, moderation, guides and news; returns how many guide and news pages exist.

    Run it after the policies are seeded so that the guides link to them.
    """
    create_sections(live_apps)
    set_up_moderation(live_apps)
    sections = section_pages()
    guides = seed_guides(sections["guides"]["zh-hans"], sections["guides"].get("en"), policies)
    news = seed_news(sections["news"]["zh-hans"], sections["news"].get("en"))
    return {"guides": len(guides), "news": len(news)}
