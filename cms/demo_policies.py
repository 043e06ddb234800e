"""Demo content of the policy library: real national and Shanghai policies on social
assistance and the purchase of social services.

Titles, document numbers, issuing authorities and dates are those of the real
documents. The summaries, explanations and main points are written for this site
in our own words; they never quote the documents, and each page says that only
the official text has legal force. Several policies also get an English page
(a translation with the same ``translation_key``); the others are read in Chinese
by English readers too, because untranslated pages fall back to the Chinese tree.

``seed_policies`` is idempotent: a policy whose slug already exists under the
index is left as an editor may have changed it; only missing pages, missing
translations and missing "supersedes" links are added.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from wagtail.models import Page

from cms.models import PolicyIndexPage, PolicyPage
from places import selectors as place_selectors
from taxonomy.models import NeedCategory

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
