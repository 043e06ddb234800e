"""Search of the public site: Chinese without spaces, abbreviations, ranking, English.

Runs on SQLite and on PostgreSQL (DATABASE_URL=postgres://…): Wagtail's database
search backend tokenizes differently on each, and both must find a two-character
query inside a Chinese sentence.
"""

import datetime

import pytest
from django.apps import apps
from django.test import Client
from wagtail.models import Locale

from cms.models import PolicyIndexPage, PolicyPage
from cms.search import parse_query, search_pages, searchable_terms
from cms.sections import create_sections
from tests.cms.markup import find_all, read

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def add_policy(index, title, *, slug, summary="政策摘要。", interpretation="", body=None, **fields):
    values = {
        "issuing_authority": "民政部",
        "level": PolicyPage.Level.NATIONAL,
        "issue_date": datetime.date(2020, 1, 1),
    } | fields
    policy = PolicyPage(
        title=title,
        slug=slug,
        summary=summary,
        interpretation=interpretation,
        body=body or [],
        **values,
    )
    index.add_child(instance=policy)
    return policy


def paragraph(text):
    return [("paragraph", f"<p>{text}</p>")]


@pytest.fixture
def zh_index(home_pages):
    create_sections(apps)
    return PolicyIndexPage.objects.child_of(home_pages[0]).get(slug="policies")


@pytest.fixture
def en_index(home_pages, zh_index):
    return PolicyIndexPage.objects.child_of(home_pages[1]).get(slug="policies")


def titles(hits):
    return [hit.page.title for hit in hits]


def zh_search(query):
    return titles(search_pages(query, locale=Locale.objects.get(language_code="zh-hans")))


# --- the index terms -------------------------------------------------------------------


def test_search_terms_hold_overlapping_character_pairs_and_lower_case_words():
    terms = searchable_terms("临时救助 Temporary", "<p>救助站</p>").split()

    assert terms == ["临时", "时救", "救助", "temporary", "助站"]


def test_query_names_the_full_form_of_an_abbreviation():
    phrases = {phrase.text: phrase.weight for phrase in parse_query("低保").phrases}

    assert phrases["低保"] == 1.0
    assert phrases["最低生活保障"] < 1.0


def test_saving_a_policy_fills_its_search_terms(zh_index):
    policy = add_policy(zh_index, "临时救助办法", slug="a", document_number="民发〔2018〕23号")

    assert "救助" in policy.search_terms.split()
    assert "2018" in policy.search_terms.split()


# --- finding -----------------------------------------------------------------------------


def test_two_characters_find_every_page_containing_them_in_any_field(zh_index):
    add_policy(zh_index, "社会救助暂行办法", slug="title")
    add_policy(zh_index, "关于困难群众的通知", slug="summary", summary="加强对困难群众的救助工作。")
    add_policy(
        zh_index, "关于基层经办的意见", slug="interp", interpretation="<p>可以向街道申请救助。</p>"
    )
    add_policy(
        zh_index, "关于服务的意见", slug="body", body=paragraph("各地要做好流浪人员救助管理。")
    )
    add_policy(zh_index, "养老服务条例", slug="none", summary="发展居家养老服务。")

    found = zh_search("救助")

    assert sorted(found) == sorted(
        ["社会救助暂行办法", "关于困难群众的通知", "关于基层经办的意见", "关于服务的意见"]
    )


def test_wagtail_index_itself_matches_a_character_pair_inside_a_sentence(zh_index):
    """The admin's page search goes through the same index: it must find the pair too."""
    add_policy(
        zh_index, "关于服务的意见", slug="body", body=paragraph("各地要做好流浪人员救助管理。")
    )
    add_policy(zh_index, "养老服务条例", slug="none", summary="发展居家养老服务。")

    found = [page.title for page in PolicyPage.objects.live().search("救助")]

    assert found == ["关于服务的意见"]


def test_abbreviation_finds_the_full_form_and_the_full_form_finds_the_abbreviation(zh_index):
    add_policy(zh_index, "最低生活保障审核确认办法", slug="full")
    add_policy(zh_index, "关于低保标准的通知", slug="short")
    add_policy(zh_index, "关于生活垃圾的通知", slug="unrelated", summary="保障城市环境。")

    assert sorted(zh_search("低保")) == ["关于低保标准的通知", "最低生活保障审核确认办法"]
    assert sorted(zh_search("最低生活保障")) == ["关于低保标准的通知", "最低生活保障审核确认办法"]


def test_te_kun_finds_support_for_persons_in_extreme_poverty_and_back(zh_index):
    add_policy(zh_index, "关于进一步健全特困人员救助供养制度的意见", slug="full")
    add_policy(zh_index, "特困人员认定办法", slug="short")
    add_policy(zh_index, "社会救助暂行办法", slug="other")

    assert sorted(zh_search("特困")) == [
        "关于进一步健全特困人员救助供养制度的意见",
        "特困人员认定办法",
    ]
    assert "特困人员认定办法" in zh_search("特困人员救助供养")


def test_the_exact_phrase_ranks_the_temporary_assistance_policy_first(zh_index):
    add_policy(
        zh_index, "医疗救助工作的意见", slug="medical", summary="对临时生活困难的家庭给予救助。"
    )
    add_policy(
        zh_index, "社会救助暂行办法", slug="interim", body=paragraph("临时救助的对象和标准。")
    )
    add_policy(zh_index, "国务院关于全面建立临时救助制度的通知", slug="temporary")
    add_policy(zh_index, "关于救助站的通知", slug="station", summary="救助站的管理。")

    found = zh_search("临时救助")

    assert found[0] == "国务院关于全面建立临时救助制度的通知"
    assert found.index("社会救助暂行办法") < found.index("医疗救助工作的意见")
    # 救助 alone is a third of the pairs of 临时救助: not enough to be a result.
    assert "关于救助站的通知" not in found


def test_a_document_number_finds_its_policy_whatever_the_brackets(zh_index):
    add_policy(zh_index, "特困人员认定办法", slug="a", document_number="民发〔2021〕43号")
    add_policy(zh_index, "最低生活保障审核确认办法", slug="b", document_number="民发〔2021〕57号")

    assert zh_search("民发[2021]43号")[0] == "特困人员认定办法"


def test_english_query_finds_the_english_page(en_index):
    add_policy(
        en_index,
        "Notice on establishing temporary assistance nationwide",
        slug="temporary",
        summary="Every county sets up temporary assistance for families in sudden hardship.",
        issuing_authority="State Council",
    )
    add_policy(
        en_index, "Measures on persons in extreme poverty", slug="poverty", summary="Who qualifies."
    )

    response = Client(**EN).get("/search/", {"query": "temporary assistance"})

    results = [" ".join(e.text.split()) for e in find_all(read(response.content), "h3")]
    assert results == ["Notice on establishing temporary assistance nationwide"]


def test_english_query_with_no_english_page_shows_the_chinese_pages(zh_index, en_index):
    add_policy(zh_index, "最低生活保障审核确认办法", slug="dibao")

    response = Client(**EN).get("/search/", {"query": "dibao"})

    content = response.content.decode()
    assert "No English page matches these words" in content
    assert "最低生活保障审核确认办法" in content


def test_results_show_the_page_type_document_number_and_status_in_words(zh_index):
    add_policy(
        zh_index,
        "特困人员认定办法（2016年）",
        slug="old",
        document_number="民发〔2016〕178号",
        status=PolicyPage.Status.REPEALED,
        summary="特困人员的认定条件和程序。",
    )

    response = Client(**EN).get("/search/", {"query": "特困"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "民发〔2016〕178号" in content
    assert "Repealed" in content
    assert "Policy" in content
    assert "特困人员的认定条件和程序。" in content


def test_only_live_pages_of_the_readers_language_are_found(zh_index, en_index):
    draft = add_policy(zh_index, "临时救助草稿", slug="draft")
    draft.unpublish()
    add_policy(en_index, "临时救助 in English tree", slug="en")

    assert zh_search("临时救助") == []


def test_empty_query_shows_the_form_with_suggestions(client, zh_index):
    response = client.get("/search/", **ZH)

    links = [e.attrs.get("href") for e in find_all(read(response.content), "a")]
    assert response.status_code == 200
    assert "?query=%E4%BD%8E%E4%BF%9D" in links  # 低保
    assert "?query=%E4%B8%B4%E6%97%B6%E6%95%91%E5%8A%A9" in links  # 临时救助


def test_a_query_over_100_characters_gets_a_message_not_an_error(client, zh_index):
    response = Client(**EN).get("/search/", {"query": "救助" * 100})

    assert response.status_code == 200
    assert "Please use at most 100 characters" in response.content.decode()


def test_search_results_are_paginated_and_cacheable_for_anonymous_visitors(zh_index):
    for number in range(25):
        add_policy(zh_index, f"救助文件{number}", slug=f"p{number}")

    client = Client(**ZH)
    first = client.get("/search/", {"query": "救助"})
    second = client.get("/search/", {"query": "救助", "page": 2})

    assert len(find_all(read(first.content), "h3")) == 20
    assert len(find_all(read(second.content), "h3")) == 5
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]


def test_in_the_demo_library_temporary_assistance_finds_its_own_notice_first(zh_index, en_index):
    from demo.cms import seed_policies

    seed_policies(zh_index, en_index)

    assert zh_search("临时救助")[0] == "国务院关于全面建立临时救助制度的通知"
    assert zh_search("低保")[0] == "最低生活保障审核确认办法"
    assert len(zh_search("救助")) >= 10
    english = search_pages("temporary assistance", locale=Locale.objects.get(language_code="en"))
    assert (
        english[0].page.title
        == "State Council Notice on Establishing Temporary Assistance Nationwide"
    )
