"""Demo content of the public site: real policies, service guides and news, in Chinese and English.

Policies are real national and Shanghai documents on social assistance and the
purchase of social services — titles, numbers, authorities and dates are the
real ones, summaries and main points are our own words (never quotes), and each
page says only the official text has legal force; several have an English
translation, the others fall back to the Chinese tree. Guides describe in
general terms how to apply for each main kind of help in Shanghai, as set out
in the Interim Measures on Social Assistance (国务院令第649号) and the national
rules that followed, and tell readers to confirm amounts and local steps with
the street office. Pages are made as editors make them, through Wagtail's page
tree and a published revision, under the sections ``cms.sections`` sets up.
Every function is idempotent: it adds what is missing (links to policies seeded
since included) and leaves existing pages as editors left them; ``seed_cms`` is
what ``seed_demo`` calls.
"""

import datetime
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
    PolicyIndexPage,
    PolicyPage,
    ServiceGuideIndexPage,
    ServiceGuidePage,
)
from cms.search import normalize
from cms.sections import create_sections, section_pages, set_up_moderation
from places import selectors as place_selectors
from taxonomy.models import NeedCategory

# --- the policy library -----------------------------------------------------------------

NATIONAL = PolicyPage.Level.NATIONAL
PROVINCIAL = PolicyPage.Level.PROVINCIAL
IN_FORCE = PolicyPage.Status.IN_FORCE
AMENDED = PolicyPage.Status.AMENDED
REPEALED = PolicyPage.Status.REPEALED
SHANGHAI_CODE = "310000000000"


@dataclass(frozen=True)
class English:
    title: str
    authority: str
    summary: str
    interpretation: str


@dataclass(frozen=True)
class DemoPolicy:
    slug: str
    title: str
    document_number: str
    authority: str
    level: str
    issued: datetime.date
    summary: str
    interpretation: str
    points: tuple[str, ...] = ()
    effective: datetime.date | None = None
    status: str = IN_FORCE
    categories: tuple[str, ...] = ()
    shanghai: bool = False
    supersedes: str = ""
    english: English | None = None


D = datetime.date

POLICIES: tuple[DemoPolicy, ...] = (
    DemoPolicy(
        slug="interim-measures-on-social-assistance",
        title="社会救助暂行办法",
        document_number="国务院令第649号",
        authority="国务院",
        level=NATIONAL,
        issued=D(2014, 2, 21),
        effective=D(2014, 5, 1),
        categories=(
            "basic-living.dibao",
            "basic-living.extreme-poverty",
            "special-assistance.medical",
            "emergency.temporary",
        ),
        summary=(
            "我国第一部统筹各项社会救助制度的行政法规。它把最低生活保障、特困人员供养、"
            "受灾人员救助、医疗、教育、住房、就业救助和临时救助放在一个框架里，"
            "规定了各项救助的对象、申请和审核程序。"
        ),
        interpretation=(
            "<p>家里生活有困难，可以向户籍所在地的乡镇人民政府或街道办事处申请帮助。"
            "不同的困难对应不同的救助：收入太低申请低保，没有劳动能力又没人赡养申请特困供养，"
            "看病负担重申请医疗救助，突然遇到急事难事申请临时救助。</p>"
            "<p>自己申请有困难的，可以请村（居）民委员会或者亲友代为提出。</p>"
        ),
        points=(
            "规定了八类社会救助和社会力量参与。",
            "申请一般向乡镇人民政府、街道办事处提出，由县级民政部门审批。",
            "对申请人的家庭收入、财产进行核查，救助情况要公示。",
        ),
        english=English(
            title="Interim Measures on Social Assistance",
            authority="State Council",
            summary=(
                "The first national regulation bringing all forms of social assistance into "
                "one framework: minimum living allowance, support for persons in extreme "
                "poverty, disaster relief, medical, education, housing and employment "
                "assistance, and temporary assistance."
            ),
            interpretation=(
                "<p>If your family is in difficulty, you can ask the township government or "
                "street office where your household is registered for help. Each kind of "
                "difficulty has its own help: a low income, no one to support you, high "
                "medical bills, or a sudden emergency.</p><p>If you cannot apply yourself, "
                "your village or residents' committee or a relative can apply for you.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="shanghai-social-assistance-regulations",
        title="上海市社会救助条例",
        document_number="",
        authority="上海市人民代表大会常务委员会",
        level=PROVINCIAL,
        issued=D(2018, 11, 22),
        effective=D(2019, 3, 1),
        shanghai=True,
        categories=(
            "basic-living.dibao",
            "basic-living.extreme-poverty",
            "basic-living.low-income",
            "emergency.temporary",
        ),
        summary=(
            "上海市关于社会救助的地方性法规，在国家规定的基础上细化了本市各项救助的对象、"
            "标准和办理程序，并对支出型贫困家庭、社会力量参与等作出规定。"
        ),
        interpretation=(
            "<p>住在上海、生活有困难的家庭，可以到居住地的街道（乡镇）社区事务受理服务中心申请救助。"
            "除了收入低的家庭，因为看病、上学等开支太大而生活困难的家庭，也可以申请帮助。</p>"
        ),
        points=(
            "明确了本市各类社会救助的适用对象。",
            "申请统一在街道（乡镇）受理。",
            "鼓励社会组织、志愿者参与救助服务。",
        ),
        english=English(
            title="Shanghai Municipal Regulations on Social Assistance",
            authority="Standing Committee of the Shanghai Municipal People's Congress",
            summary=(
                "Shanghai's local regulations on social assistance: who qualifies for each "
                "kind of help in the city, the standards, and how applications are handled, "
                "including families impoverished by high essential expenses."
            ),
            interpretation=(
                "<p>Families living in Shanghai who are in difficulty can apply at the "
                "community affairs service centre of their street or town. Families whose "
                "income is adequate but who are in hardship because of large medical or "
                "school costs can apply too.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="temporary-assistance-system",
        title="国务院关于全面建立临时救助制度的通知",
        document_number="国发〔2014〕47号",
        authority="国务院",
        level=NATIONAL,
        issued=D(2014, 10, 3),
        categories=("emergency.temporary",),
        summary=(
            "要求在全国建立临时救助制度，对因突发事件、意外事故、重大疾病等原因导致基本生活"
            "暂时出现严重困难的家庭或个人，给予应急性、过渡性的救助。"
        ),
        interpretation=(
            "<p>家里突然遇到火灾、车祸、重病等急事，一时生活过不下去，可以申请临时救助。"
            "情况紧急的，可以先救助、后补办手续。不是本地户籍的人遇到急难，也可以向当地求助。</p>"
        ),
        points=(
            "临时救助分为急难型和支出型。",
            "可以发放现金或实物，也可以提供转介服务。",
            "紧急情况下先行救助，事后补齐材料。",
        ),
        english=English(
            title="State Council Notice on Establishing Temporary Assistance Nationwide",
            authority="State Council",
            summary=(
                "Sets up temporary assistance in every part of the country for families and "
                "people who suddenly cannot meet basic needs because of an emergency, an "
                "accident or a serious illness."
            ),
            interpretation=(
                "<p>If a fire, an accident or a serious illness suddenly leaves your family "
                "unable to get by, you can apply for temporary assistance. In an emergency, "
                "help can be given first and the paperwork done afterwards. People without "
                "local household registration can ask for help where they are.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="extreme-poverty-support-system",
        title="国务院关于进一步健全特困人员救助供养制度的意见",
        document_number="国发〔2016〕14号",
        authority="国务院",
        level=NATIONAL,
        issued=D(2016, 2, 10),
        categories=("basic-living.extreme-poverty",),
        summary=(
            "把城乡“三无”人员和农村五保供养对象统一为特困人员，明确了救助供养的对象范围、"
            "内容和标准，以及分散供养和集中供养两种方式。"
        ),
        interpretation=(
            "<p>没有劳动能力、没有生活来源、也没有人能赡养或抚养的老人、残疾人和未满16周岁的孩子，"
            "可以申请特困供养。政府保障基本生活，提供生活照料、看病和住房方面的帮助，"
            "本人可以选择在家生活或住进供养服务机构。</p>"
        ),
        english=English(
            title="State Council Opinions on Improving Support for Persons in Extreme Poverty",
            authority="State Council",
            summary=(
                "Brings the urban 'three-nos' and the rural 'five guarantees' schemes together "
                "as support for persons in extreme poverty, and sets who qualifies, what they "
                "receive, and how support is given at home or in an institution."
            ),
            interpretation=(
                "<p>Older people, people with disabilities and children under 16 who cannot "
                "work, have no income and have no one obliged and able to support them can "
                "apply. The government covers basic living, personal care, medical care and "
                "housing, at home or in a care institution of their choice.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="extreme-poverty-identification-2016",
        title="民政部关于印发《特困人员认定办法》的通知",
        document_number="民发〔2016〕178号",
        authority="民政部",
        level=NATIONAL,
        issued=D(2016, 10, 10),
        status=REPEALED,
        categories=("basic-living.extreme-poverty",),
        summary=(
            "2016年版的特困人员认定办法，规定了特困人员的认定条件和申请、审核、审批程序。"
            "已被2021年的《特困人员认定办法》取代。"
        ),
        interpretation=(
            "<p>这份文件已经废止，现在认定特困人员按2021年的新办法执行。"
            "保留在这里是为了方便查阅过去的规定。</p>"
        ),
    ),
    DemoPolicy(
        slug="extreme-poverty-identification",
        title="特困人员认定办法",
        document_number="民发〔2021〕43号",
        authority="民政部",
        level=NATIONAL,
        issued=D(2021, 4, 26),
        effective=D(2021, 7, 1),
        supersedes="extreme-poverty-identification-2016",
        categories=("basic-living.extreme-poverty",),
        summary=(
            "现行的特困人员认定办法，细化了“无劳动能力”“无生活来源”“无法定赡养、抚养、扶养义务人"
            "或者其法定义务人无履行义务能力”的判断标准，以及申请、审核、确认和终止的程序。"
        ),
        interpretation=(
            "<p>想知道自己或家人能不能申请特困供养，看三条：能不能劳动、有没有收入来源、"
            "有没有能照顾和供养自己的子女等亲属。三条都符合，就可以向街道或乡镇申请。"
            "重度残疾人、年满60岁的老人等，一般会被认定为没有劳动能力。</p>"
        ),
        english=English(
            title="Measures for Identifying Persons in Extreme Poverty",
            authority="Ministry of Civil Affairs",
            summary=(
                "The current rules for deciding who counts as a person in extreme poverty: "
                "what 'unable to work', 'no means of living' and 'no one able to support "
                "them' mean, and how applications are made, checked, confirmed and ended."
            ),
            interpretation=(
                "<p>Three questions decide: can the person work, do they have any income, "
                "and is there a relative obliged and able to support them? If the answers "
                "are no, no and no, apply at the street office or township. People with "
                "severe disabilities and people aged 60 or over are usually treated as "
                "unable to work.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="dibao-review-and-approval-2012",
        title="最低生活保障审核审批办法（试行）",
        document_number="民发〔2012〕220号",
        authority="民政部",
        level=NATIONAL,
        issued=D(2012, 12, 12),
        status=REPEALED,
        categories=("basic-living.dibao",),
        summary=(
            "规定了申请低保的受理、家庭经济状况调查、审核审批和公示等程序的试行办法。"
            "已被2021年的《最低生活保障审核确认办法》取代。"
        ),
        interpretation=("<p>这份文件已经废止，现在办理低保按2021年的审核确认办法执行。</p>"),
    ),
    DemoPolicy(
        slug="dibao-review-and-confirmation",
        title="最低生活保障审核确认办法",
        document_number="民发〔2021〕57号",
        authority="民政部",
        level=NATIONAL,
        issued=D(2021, 6, 11),
        effective=D(2021, 7, 1),
        supersedes="dibao-review-and-approval-2012",
        categories=("basic-living.dibao",),
        summary=(
            "规定了最低生活保障（低保）从申请、受理、家庭经济状况核查到审核确认、公示和动态管理的"
            "全过程，并允许在经常居住地申请。"
        ),
        interpretation=(
            "<p>家庭人均收入低于当地低保标准、家庭财产也符合规定的，可以申请低保。"
            "申请时要如实说明家里的收入和财产，并同意民政部门核查。"
            "批准后每月领取低保金，家里情况变化要及时告诉街道。</p>"
        ),
        points=(
            "可以在户籍地申请，也可以按规定在经常居住地申请。",
            "以家庭为单位申请，核查家庭收入和财产。",
            "审核确认结果要公示，接受监督。",
        ),
        english=English(
            title="Measures for Reviewing and Confirming the Minimum Living Allowance",
            authority="Ministry of Civil Affairs",
            summary=(
                "How the minimum living allowance (dibao) is applied for, how a family's income "
                "and assets are checked, and how the allowance is confirmed, published and "
                "reviewed; applications may be made where the family usually lives."
            ),
            interpretation=(
                "<p>If your household's income per person is below the local dibao line and "
                "your assets are within the limits, you can apply. Tell the truth about your "
                "income and assets and agree to the checks. Once approved you receive the "
                "allowance every month; tell the street office when your situation changes.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="rural-dibao-system",
        title="国务院关于在全国建立农村最低生活保障制度的通知",
        document_number="国发〔2007〕19号",
        authority="国务院",
        level=NATIONAL,
        issued=D(2007, 7, 11),
        categories=("basic-living.dibao",),
        summary=(
            "要求在全国农村建立最低生活保障制度，把家庭年人均纯收入低于当地标准的农村居民"
            "纳入保障范围。"
        ),
        interpretation=("<p>从这份文件开始，农村的困难家庭也和城市一样可以申请低保。</p>"),
    ),
    DemoPolicy(
        slug="improving-dibao-2012",
        title="国务院关于进一步加强和改进最低生活保障工作的意见",
        document_number="国发〔2012〕45号",
        authority="国务院",
        level=NATIONAL,
        issued=D(2012, 9, 1),
        categories=("basic-living.dibao",),
        summary=(
            "针对低保工作中的突出问题，要求完善低保对象认定条件、规范审核审批程序、"
            "建立家庭经济状况核对机制，做到应保尽保、公平公正。"
        ),
        interpretation=(
            "<p>这份文件让低保审批更规范：申请人的收入和财产要经过核对，结果要公示，"
            "符合条件的家庭都应该得到保障，不符合的要退出。</p>"
        ),
    ),
    DemoPolicy(
        slug="urban-dibao-regulations",
        title="城市居民最低生活保障条例",
        document_number="国务院令第271号",
        authority="国务院",
        level=NATIONAL,
        issued=D(1999, 9, 28),
        effective=D(1999, 10, 1),
        categories=("basic-living.dibao",),
        summary=(
            "确立城市居民最低生活保障制度的行政法规，规定持有非农业户口、家庭人均收入低于"
            "当地标准的城市居民可以获得基本生活物质帮助。"
        ),
        interpretation=(
            "<p>这是城市低保最早的全国性法规。现在办理低保的具体程序，"
            "请看《社会救助暂行办法》和《最低生活保障审核确认办法》。</p>"
        ),
    ),
    DemoPolicy(
        slug="assistance-for-homeless-people",
        title="城市生活无着的流浪乞讨人员救助管理办法",
        document_number="国务院令第381号",
        authority="国务院",
        level=NATIONAL,
        issued=D(2003, 6, 20),
        effective=D(2003, 8, 1),
        categories=("emergency.homeless",),
        summary=(
            "规定由救助站对在城市生活无着的流浪、乞讨人员提供临时食宿、疾病救治、"
            "与亲属联系和返回住所地等帮助，救助以自愿为原则。"
        ),
        interpretation=(
            "<p>在城市里没有地方住、没有饭吃，可以到当地救助管理站求助，"
            "也可以打110或请路人帮忙联系。救助站提供吃住、看病，并帮助联系家人、买票回家。"
            "是否接受救助由本人决定。</p>"
        ),
        english=English(
            title="Measures for Assisting Homeless People and Beggars without Means in Cities",
            authority="State Council",
            summary=(
                "Assistance stations give homeless people and beggars without means temporary "
                "food and shelter, medical care, help contacting their families and travel "
                "home. Accepting help is voluntary."
            ),
            interpretation=(
                "<p>If you have nowhere to sleep and nothing to eat in a city, go to the local "
                "assistance station, or call 110 or ask a passer-by to contact it. The station "
                "gives food, a bed and medical care and helps you contact your family and get "
                "home. You decide whether to accept help.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="purchase-of-services-from-social-forces",
        title="国务院办公厅关于政府向社会力量购买服务的指导意见",
        document_number="国办发〔2013〕96号",
        authority="国务院办公厅",
        level=NATIONAL,
        issued=D(2013, 9, 26),
        categories=("social-services.social-work", "social-services.elderly-care"),
        summary=(
            "提出政府把适合由社会力量承担的公共服务，通过合同、委托等方式交给社会组织、"
            "企业等承担，并按照服务数量和质量付费。"
        ),
        interpretation=(
            "<p>很多养老、助残、社工服务不是由政府部门直接提供，而是政府出钱，"
            "通过公开程序选择社会组织来做。这份文件是这种做法的全国性依据。</p>"
        ),
    ),
    DemoPolicy(
        slug="government-procurement-of-services-measures",
        title="政府购买服务管理办法",
        document_number="财政部令第102号",
        authority="财政部",
        level=NATIONAL,
        issued=D(2020, 1, 3),
        effective=D(2020, 3, 1),
        categories=("social-services.social-work",),
        summary=(
            "规定了政府购买服务的购买主体、承接主体、购买内容、预算管理、合同和绩效管理，"
            "是政府购买服务的基本管理规章。"
        ),
        interpretation=(
            "<p>这份规章规定政府花钱买服务时谁来买、向谁买、买什么，"
            "以及怎样签合同、怎样检查服务效果。居民可以据此了解身边的社区服务是怎么来的。</p>"
        ),
        english=English(
            title="Measures for the Administration of Government Purchase of Services",
            authority="Ministry of Finance",
            summary=(
                "The basic rules for government purchase of services: who may buy and who may "
                "deliver, what may be bought, budgets, contracts and performance management."
            ),
            interpretation=(
                "<p>These rules say who may buy services with public money, from whom, what "
                "may be bought, and how contracts and results are checked. They explain where "
                "many community services come from.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="purchasing-social-assistance-services",
        title="关于积极推行政府购买服务 加强基层社会救助经办服务能力的意见",
        document_number="民发〔2017〕153号",
        authority="民政部 中央编办 财政部 人力资源社会保障部",
        level=NATIONAL,
        issued=D(2017, 9, 28),
        categories=(
            "basic-living.dibao",
            "emergency.temporary",
            "social-services.social-work",
        ),
        summary=(
            "提出通过政府购买服务，让社会组织、社会工作者参与社会救助的核查、走访、照料和"
            "个案服务，增强街道、乡镇办理社会救助的能力。"
        ),
        interpretation=(
            "<p>来家里了解情况、帮忙办手续、照顾老人的社工，可能来自政府购买服务的社会组织。"
            "他们协助政府工作，但是否给予救助，仍由民政部门决定。</p>"
        ),
        english=English(
            title=(
                "Opinions on Purchasing Services to Strengthen Local Social Assistance Capacity"
            ),
            authority=(
                "Ministry of Civil Affairs, Central Institutional Organization Commission "
                "Office, Ministry of Finance, Ministry of Human Resources and Social Security"
            ),
            summary=(
                "Local governments buy services from social organizations and social workers "
                "to help with home visits, checks, care and casework in social assistance, so "
                "that street offices and townships can handle it better."
            ),
            interpretation=(
                "<p>The social worker who visits you, helps with forms or looks after an older "
                "relative may work for an organization paid by the government. They help, but "
                "the civil affairs bureau still decides whether you receive assistance.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="charity-law",
        title="中华人民共和国慈善法",
        document_number="中华人民共和国主席令第43号",
        authority="全国人民代表大会",
        level=NATIONAL,
        issued=D(2016, 3, 16),
        effective=D(2016, 9, 1),
        status=AMENDED,
        categories=("social-services.social-work",),
        summary=(
            "规范慈善组织、慈善募捐、慈善捐赠、慈善信托和慈善服务的法律。"
            "2023年12月29日全国人大常委会作出修改决定。"
        ),
        interpretation=(
            "<p>向慈善组织捐款、参加志愿服务、接受慈善帮助，都受这部法律保护。"
            "公开募捐要由有资格的慈善组织进行，捐款的使用情况要公开。</p>"
        ),
    ),
    DemoPolicy(
        slug="reforming-social-assistance",
        title="关于改革完善社会救助制度的意见",
        document_number="",
        authority="中共中央办公厅 国务院办公厅",
        level=NATIONAL,
        issued=D(2020, 8, 25),
        categories=(
            "basic-living.dibao",
            "basic-living.low-income",
            "emergency.temporary",
            "social-services.social-work",
        ),
        summary=(
            "提出建立分层分类的社会救助体系，发展服务类社会救助，"
            "推行“物质+服务”的救助方式，并加强主动发现和“一门受理、协同办理”。"
        ),
        interpretation=(
            "<p>今后求助只要去一个窗口，由工作人员帮你对接各类救助。"
            "除了发钱发物，还会提供照料、康复、心理疏导等服务。"
            "社区工作人员也会主动发现需要帮助的家庭。</p>"
        ),
    ),
    DemoPolicy(
        slug="medical-assistance-for-serious-illness-2015",
        title=(
            "国务院办公厅转发民政部等部门关于进一步完善医疗救助制度"
            "全面开展重特大疾病医疗救助工作意见的通知"
        ),
        document_number="国办发〔2015〕30号",
        authority="国务院办公厅",
        level=NATIONAL,
        issued=D(2015, 4, 21),
        categories=("special-assistance.medical",),
        summary=(
            "要求整合城乡医疗救助制度，全面开展重特大疾病医疗救助，"
            "并做好医疗救助与基本医疗保险、大病保险的衔接。"
        ),
        interpretation=(
            "<p>低保、特困等困难群众看病，医保报销以后自己还要付的钱，可以再申请医疗救助。"
            "得了大病、自付费用特别高的家庭，也可以申请。</p>"
        ),
    ),
    DemoPolicy(
        slug="medical-insurance-and-assistance-for-serious-illness",
        title="国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见",
        document_number="国办发〔2021〕42号",
        authority="国务院办公厅",
        level=NATIONAL,
        issued=D(2021, 10, 28),
        categories=("special-assistance.medical",),
        summary=(
            "明确医疗救助的对象范围和保障水平，把基本医保、大病保险和医疗救助三重制度"
            "衔接起来，防止因病返贫致贫。"
        ),
        interpretation=(
            "<p>看病先由基本医保报销，再由大病保险报销，剩下的部分困难群众可以申请医疗救助。"
            "三道保障一起减轻看病负担。</p>"
        ),
        english=English(
            title=(
                "General Office of the State Council Opinions on Improving Insurance and "
                "Assistance for Serious Illness"
            ),
            authority="General Office of the State Council",
            summary=(
                "Sets who receives medical assistance and how much, and links basic medical "
                "insurance, critical illness insurance and medical assistance so that illness "
                "does not push families into poverty."
            ),
            interpretation=(
                "<p>Medical bills are paid first by basic medical insurance, then by critical "
                "illness insurance; people in difficulty can apply for medical assistance with "
                "what is left.</p>"
            ),
        ),
    ),
    DemoPolicy(
        slug="purchase-of-social-work-services",
        title="民政部 财政部关于政府购买社会工作服务的指导意见",
        document_number="民发〔2012〕196号",
        authority="民政部 财政部",
        level=NATIONAL,
        issued=D(2012, 11, 14),
        categories=("social-services.social-work", "social-services.family-support"),
        summary=(
            "提出政府购买社会工作服务的原则、范围、主体和程序，重点面向困难群众、"
            "老年人、残疾人、青少年等群体的个性化服务。"
        ),
        interpretation=(
            "<p>社区里的社工服务，例如探访独居老人、陪伴困境儿童、帮助家庭解决矛盾，"
            "很多是政府按这份文件出钱购买的。</p>"
        ),
    ),
    DemoPolicy(
        slug="shanghai-elderly-care-regulations",
        title="上海市养老服务条例",
        document_number="",
        authority="上海市人民代表大会常务委员会",
        level=PROVINCIAL,
        issued=D(2020, 12, 30),
        effective=D(2021, 3, 1),
        shanghai=True,
        categories=("social-services.elderly-care",),
        summary=(
            "上海市关于养老服务的地方性法规，规定了居家、社区和机构养老服务的发展、"
            "老年人照护需求评估、服务质量和政府扶持等内容。"
        ),
        interpretation=(
            "<p>家里老人需要照顾，可以先申请照护需求评估，根据评估结果获得居家上门、"
            "社区日间照料或者入住养老机构等服务。经济困难的老人可以获得补贴。</p>"
        ),
    ),
)


def seed_policies(index_zh: PolicyIndexPage, index_en: PolicyIndexPage | None) -> list[PolicyPage]:
    """Create the demo policies under the Chinese index and, where written, their
    English translations under the English index. Returns the Chinese pages."""
    tags = _Tags(
        categories={category.code: category for category in NeedCategory.objects.all()},
        shanghai=place_selectors.area_by_code(SHANGHAI_CODE),
    )
    pages: dict[str, PolicyPage] = {}
    with transaction.atomic():
        for record in POLICIES:
            older = pages.get(record.supersedes)
            page = _existing(index_zh, record.slug)
            if page is None:
                page = _create(index_zh, record, _chinese(record), tags, supersedes=older)
            elif older is not None and page.supersedes_id is None:
                _link(page, older)
            pages[record.slug] = page
        if index_en is not None:
            for record in POLICIES:
                if record.english is not None:
                    _translate(index_en, pages[record.slug], record, tags)
    return list(pages.values())


@dataclass(frozen=True)
class _Tags:
    categories: dict
    shanghai: object


def _chinese(record: DemoPolicy) -> dict:
    return {
        "title": record.title,
        "issuing_authority": record.authority,
        "summary": record.summary,
        "interpretation": record.interpretation,
        "body": _body("主要内容", record.points),
    }


def _english(record: DemoPolicy) -> dict:
    english = record.english
    return {
        "title": english.title,
        "issuing_authority": english.authority,
        "summary": english.summary,
        "interpretation": english.interpretation,
        "body": [],
    }


def _body(heading: str, points: tuple[str, ...]) -> list:
    if not points:
        return []
    items = "".join(f"<li>{point}</li>" for point in points)
    return [("heading", heading), ("paragraph", f"<ul>{items}</ul>")]


def _existing(index: Page, slug: str) -> PolicyPage | None:
    return PolicyPage.objects.child_of(index).filter(slug=slug).first()


def _create(index: Page, record: DemoPolicy, text: dict, tags: _Tags, **extra) -> PolicyPage:
    page = PolicyPage(
        slug=record.slug,
        document_number=record.document_number,
        level=record.level,
        issue_date=record.issued,
        effective_date=record.effective,
        status=record.status,
        **text,
        **extra,
    )
    page.categories = [tags.categories[c] for c in record.categories if c in tags.categories]
    if record.shanghai and tags.shanghai is not None:
        page.areas = [tags.shanghai]
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def _link(page: PolicyPage, older: PolicyPage) -> None:
    """Add a missing "supersedes" link, unless an editor has unpublished changes."""
    if page.has_unpublished_changes:
        return
    page.supersedes = older
    page.save_revision().publish()


def _translate(index_en: Page, page_zh: PolicyPage, record: DemoPolicy, tags: _Tags) -> None:
    locale_id = index_en.locale_id
    older = None
    if page_zh.supersedes_id is not None:
        older = PolicyPage.objects.filter(
            translation_key=page_zh.supersedes.translation_key, locale_id=locale_id
        ).first()
    page_en = PolicyPage.objects.filter(
        translation_key=page_zh.translation_key, locale_id=locale_id
    ).first()
    if page_en is None:
        _create(
            index_en,
            record,
            _english(record),
            tags,
            supersedes=older,
            locale_id=locale_id,
            translation_key=page_zh.translation_key,
        )
    elif older is not None and page_en.supersedes_id is None:
        _link(page_en, older)


# --- service guides and news ----------------------------------------------------------

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
    # As an editor would: a new published revision, unless an editor has a draft pending.
    if missing and not page.has_unpublished_changes:
        page.policies.add(*missing)
        page.save_revision().publish()
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


def seed_cms() -> dict:
    """Sections, guides and news, then the policy library, then the guides again so
    that they link to the policies; returns how many guide and news pages exist."""
    seed_public_content()
    sections = section_pages()
    seed_policies(sections["policies"]["zh-hans"], sections["policies"].get("en"))
    return seed_public_content()  # again, so guides link to the policies
