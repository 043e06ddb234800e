"""Service guides: how to apply for a kind of help, linked to the directory and the policies."""

import datetime

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.models import PolicyPage, ServiceGuidePage
from cms.sections import create_sections, section_pages
from demo.cms import GUIDES, NEWS, seed_guides
from tests.cms.markup import find_all, read
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def sections(home_pages):
    create_sections(apps)
    return section_pages()


def add_guide(index, slug, title, category_code="basic-living.dibao", *, translation_of=None):
    page = ServiceGuidePage(
        slug=slug,
        title=title,
        category=need_category(category_code),
        summary=f"{title}：谁可以申请、带什么材料、到哪里办。",
        eligibility="<p>本市户籍的困难家庭。</p>",
        materials="<ul><li>居民身份证</li><li>户口簿</li></ul>",
        steps="<ol><li>提出申请</li><li>调查核实</li><li>审核确认</li></ol>",
        time_limits="<p>一般在30个工作日内。</p>",
        where_to_apply="<p>街道社区事务受理服务中心。</p>",
        locale=index.locale,
    )
    if translation_of is not None:
        page.translation_key = translation_of.translation_key
    index.add_child(instance=page)
    return page


def add_policy(index, slug, title, number, *, translation_of=None):
    page = PolicyPage(
        slug=slug,
        title=title,
        document_number=number,
        issuing_authority="国务院",
        level=PolicyPage.Level.NATIONAL,
        issue_date=datetime.date(2014, 2, 21),
        summary=f"{title}的摘要。",
        locale=index.locale,
    )
    if translation_of is not None:
        page.translation_key = translation_of.translation_key
    index.add_child(instance=page)
    return page


def test_guide_links_prominently_to_the_directory_filtered_by_its_category(sections):
    add_guide(sections["guides"]["zh-hans"], "dibao", "申请低保")

    elements = read(Client().get("/guides/dibao/").content)

    buttons = [e for e in find_all(elements, "a") if "button" in e.attrs.get("class", "").split()]
    assert buttons[0].attrs["href"] == "/providers/?category=basic-living.dibao"


def test_guide_shows_each_part_of_applying_with_numbered_steps_and_a_checklist(sections):
    add_guide(sections["guides"]["zh-hans"], "dibao", "申请低保")

    response = Client(**ENGLISH).get("/guides/dibao/")

    elements = read(response.content)
    headings = [" ".join(e.text.split()) for e in find_all(elements, "h2")]
    for heading in ("Who can apply", "What to bring", "Steps", "How long it takes"):
        assert heading in headings
    assert "Where to apply" in headings
    assert [
        " ".join(e.text.split())
        for e in find_all(elements, "li")
        if e.text.strip() in {"提出申请", "调查核实", "审核确认"}
    ] == ["提出申请", "调查核实", "审核确认"]
    checklist = next(
        e for e in find_all(elements, "div") if "checklist" in e.attrs.get("class", "")
    )
    assert "居民身份证" in checklist.text


def test_guide_lists_its_policies_in_the_readers_language(sections):
    policy_zh = add_policy(
        sections["policies"]["zh-hans"], "interim", "社会救助暂行办法", "国务院令第649号"
    )
    policy_en = add_policy(
        sections["policies"]["en"],
        "interim",
        "Interim Measures on Social Assistance",
        "国务院令第649号",
        translation_of=policy_zh,
    )
    guide = add_guide(sections["guides"]["zh-hans"], "dibao", "申请低保")
    guide.policies.add(policy_zh)
    guide.save()

    chinese = Client().get("/guides/dibao/").content.decode()
    english = Client(**ENGLISH).get("/guides/dibao/").content.decode()

    assert "社会救助暂行办法" in chinese and "国务院令第649号" in chinese
    assert policy_en.title in english
    assert "/policies/interim/" in english


def group_headings(response):
    return [
        " ".join(e.text.split())
        for e in find_all(read(response.content), "h2")
        if e.attrs.get("id", "").startswith("guide-group-")
    ]


def test_guide_index_groups_guides_by_kind_of_help_in_a_fixed_number_of_queries(sections):
    index = sections["guides"]["zh-hans"]
    add_guide(index, "temporary", "申请临时救助", "emergency.temporary")
    add_guide(index, "dibao", "申请低保", "basic-living.dibao")
    client = Client()
    client.get("/guides/")
    with CaptureQueriesContext(connection) as few:
        response = client.get("/guides/")
    basic_living = need_category("basic-living.dibao").parent.name_zh
    emergency = need_category("emergency.temporary").parent.name_zh
    # Groups in the order of the category tree, whatever order the guides were written in.
    assert group_headings(response) == [basic_living, emergency]

    for n, code in enumerate(["special-assistance.medical", "social-services.disability"] * 3):
        add_guide(index, f"more-{n}", f"更多指南{n}", code)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/guides/")

    assert len(many) == len(few)
    assert len(group_headings(response)) == 4


def test_guide_keeps_its_search_terms_up_to_date(sections):
    guide = add_guide(sections["guides"]["zh-hans"], "dibao", "申请最低生活保障")

    assert "低保" not in guide.search_terms.split()
    assert "生活" in guide.search_terms.split()
    guide.summary = "临时救助"
    guide.save(update_fields=["summary"])
    guide.refresh_from_db()
    assert "救助" in guide.search_terms.split()


def test_guide_pages_are_cacheable_for_anonymous_visitors_only(sections, django_user_model):
    add_guide(sections["guides"]["zh-hans"], "dibao", "申请低保")
    client = Client()
    assert "max-age=300" in client.get("/guides/dibao/")["Cache-Control"]

    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    assert "private" in client.get("/guides/dibao/")["Cache-Control"]


def test_demo_guides_cover_each_main_kind_of_help_in_both_languages_and_link_policies(
    sections,
):
    policy = add_policy(
        sections["policies"]["zh-hans"], "interim", "社会救助暂行办法", "国务院令第649号"
    )
    guides_zh, guides_en = sections["guides"]["zh-hans"], sections["guides"]["en"]

    seed_guides(guides_zh, guides_en, {"国务院令第649号": policy})
    seed_guides(guides_zh, guides_en, {"国务院令第649号": policy})  # idempotent

    chinese = ServiceGuidePage.objects.child_of(guides_zh)
    english = ServiceGuidePage.objects.child_of(guides_en)
    assert chinese.count() == english.count() == len(GUIDES) >= 8
    assert {page.translation_key for page in chinese} == {page.translation_key for page in english}
    dibao = chinese.get(slug="dibao")
    assert dibao.category.code == "basic-living.dibao"
    # The policy exists only in Chinese: both languages link to it; other numbers are skipped.
    assert list(dibao.policies.all()) == [policy]
    assert list(english.get(slug="dibao").policies.all()) == [policy]
    assert "社区事务受理服务中心" in dibao.where_to_apply
    assert Client(**ENGLISH).get("/guides/dibao/").status_code == 200


def test_every_demo_guide_and_news_item_renders_in_both_languages(home_pages):
    from demo.cms import seed_public_content

    counts = seed_public_content()
    assert seed_public_content() == counts  # idempotent

    paths = [f"/guides/{guide.slug}/" for guide in GUIDES]
    paths += [f"/news/{slug}/" for slug, *_rest in NEWS]
    for headers in ({"HTTP_ACCEPT_LANGUAGE": "zh-CN"}, ENGLISH):
        client = Client(**headers)
        for path in ["/", "/guides/", "/news/", "/news/feed/", *paths]:
            assert client.get(path).status_code == 200, path
    english = Client(**ENGLISH).get("/guides/temporary-assistance/").content.decode()
    assert "Applying for temporary assistance" in english
