"""Discovery: the sitemap lists every section and page in both languages, and every page
has a title and a meta description of its own."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.apps import apps
from django.test import Client

from cms.models import NewsPage, PolicyPage, ServiceGuidePage
from cms.sections import SECTIONS, create_sections, section_pages
from tests.cms.markup import find_all, read, text_of
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def site_pages(home_pages):
    create_sections(apps)
    sections = section_pages()
    policy = PolicyPage(
        slug="interim",
        title="社会救助暂行办法",
        issuing_authority="国务院",
        level=PolicyPage.Level.NATIONAL,
        issue_date=datetime.date(2014, 2, 21),
        summary="社会救助的基本制度。",
    )
    sections["policies"]["zh-hans"].add_child(instance=policy)
    guide = ServiceGuidePage(
        slug="dibao",
        title="申请低保",
        category=need_category("basic-living.dibao"),
        summary="怎样申请最低生活保障。",
        eligibility="<p>困难家庭。</p>",
        materials="<ul><li>身份证</li></ul>",
        steps="<ol><li>申请</li></ol>",
        where_to_apply="<p>社区事务受理服务中心。</p>",
    )
    sections["guides"]["zh-hans"].add_child(instance=guide)
    # The English translation was given a slug of its own by its editor.
    guide_en = ServiceGuidePage(
        slug="minimum-living-allowance",
        title="Applying for dibao",
        category=guide.category,
        summary="How to apply for minimum living assistance.",
        eligibility="<p>Households in hardship.</p>",
        materials="<ul><li>ID card</li></ul>",
        steps="<ol><li>Apply</li></ol>",
        where_to_apply="<p>Community affairs service centre.</p>",
        locale=sections["guides"]["en"].locale,
        translation_key=guide.translation_key,
    )
    sections["guides"]["en"].add_child(instance=guide_en)
    news = NewsPage(
        slug="launch", title="平台上线", date=datetime.date(2024, 3, 1), summary="上线。"
    )
    sections["news"]["zh-hans"].add_child(instance=news)
    for page in (policy, guide, guide_en, news):
        page.save_revision().publish()  # as an editor would: dated, with a revision
    return {"policy": policy, "guide": guide, "guide_en": guide_en, "news": news, **sections}


def sitemap_locations(response):
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    return [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]


def test_sitemap_lists_sections_policies_guides_and_news(client, site_pages):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    paths = {location.removeprefix("http://localhost") for location in sitemap_locations(response)}
    for slug in SECTIONS:
        assert f"/{slug}/" in paths
    assert {"/", "/policies/interim/", "/guides/dibao/", "/news/launch/"} <= paths


def test_sitemap_lists_each_address_once_and_english_pages_with_their_own_address(
    client, site_pages
):
    locations = sitemap_locations(client.get("/sitemap.xml"))

    assert len(locations) == len(set(locations))
    # Translations sharing a slug share the address; one with its own slug is listed too.
    assert "http://localhost/guides/minimum-living-allowance/" in locations


def test_sitemap_can_be_cached_by_its_last_modification(client, site_pages):
    assert "Last-Modified" in client.get("/sitemap.xml")


@pytest.mark.parametrize(
    ("path", "title", "description"),
    [
        ("/guides/", "办事指南", "怎样申请低保"),
        ("/guides/dibao/", "申请低保", "怎样申请最低生活保障。"),
        ("/news/", "新闻动态", "民政部门和本平台的新闻与通知。"),
        ("/news/launch/", "平台上线", "上线。"),
    ],
)
def test_every_page_has_its_own_title_and_description(site_pages, path, title, description):
    elements = read(Client().get(path).content)

    assert text_of(elements, "title").startswith(f"{title} – ")
    meta = next(e for e in find_all(elements, "meta") if e.attrs.get("name") == "description")
    assert meta.attrs["content"].startswith(description)


def test_english_pages_have_english_titles_and_descriptions(site_pages):
    elements = read(Client(**ENGLISH).get("/guides/minimum-living-allowance/").content)

    assert text_of(elements, "title").startswith("Applying for dibao – ")
    meta = next(e for e in find_all(elements, "meta") if e.attrs.get("name") == "description")
    assert meta.attrs["content"] == "How to apply for minimum living assistance."
