"""Journey: an NGO registers, describes itself, uploads its certificate, adds a site and a
service and submits; a platform administrator verifies it; a visitor then finds the service
in the public directory by its kind of help and its district.

The journey runs in English (the visitor switches language first), so it reads the same
whatever Chinese translations are compiled; the data people type stays Chinese.
"""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from demo.accounts import credit_code
from tests.factories.accounts import TEST_PASSWORD, user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import PDF_BYTES, ServiceFactory
from tests.factories.taxonomy import need_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAXONOMY_MIGRATION = importlib.import_module("taxonomy.migrations.0002_need_categories_and_tiers")

NGO_PASSWORD = "Journey-2024-secure"
NGO_NAME_ZH = "浦东长者关爱社工服务社"
NGO_NAME_EN = "Pudong Elder Care Social Work Agency"
SITE_NAME_EN = "Pudong South Road centre"
SERVICE_NAME_EN = "Day care for older people"
OTHER_SERVICE_NAME_EN = "Xuhui home care"
CHILD_SERVICE_NAME_EN = "Pudong after-school club"


@pytest.fixture
def places_and_taxonomy(transactional_db):
    """What migrations and ``load_areas`` would give: flushed by earlier transactional tests."""
    TAXONOMY_MIGRATION.load(apps, schema_editor=None)
    pudong = shanghai_district()  # 310115 under 310100 under 310000: the address resolves
    xuhui = shanghai_district("310104", name_zh="徐汇区", name_en="Xuhui District")
    # Two other verified services, so that each filter has something to leave out:
    # elderly care in Xuhui, and child welfare in Pudong.
    ServiceFactory(
        name_zh="徐汇居家养老",
        name_en=OTHER_SERVICE_NAME_EN,
        categories=[need_category("social-services.elderly-care")],
        areas_covered=[xuhui],
    )
    ServiceFactory(
        name_zh="浦东儿童托管",
        name_en=CHILD_SERVICE_NAME_EN,
        categories=[need_category("social-services.child-welfare")],
        areas_covered=[pudong],
    )
    return pudong, xuhui


def test_ngo_is_verified_and_its_service_is_found_by_category_and_district(
    page, places_and_taxonomy, tmp_path
):
    user_with_role("platform_admin", username="admin", display_name="平台管理员")
    certificate = tmp_path / "registration-certificate.pdf"
    certificate.write_bytes(PDF_BYTES)

    page.goto("/providers/register/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register your organization")

    _register(page)
    _complete_the_profile(page, certificate)
    _add_a_site_and_a_service(page)
    _submit_for_verification(page)
    _sign_out(page)

    _sign_in(page, "admin", TEST_PASSWORD)
    _verify_the_provider(page)
    _sign_out(page)

    _find_the_service_in_the_directory(page)
    assert page.outside_requests == []


def _register(page):
    page.fill('input[name="display_name"]', "李敏")
    page.fill('input[name="email"]', "limin@example.org")
    page.fill('input[name="username"]', "pudong-eldercare")
    page.fill('input[name="password"]', NGO_PASSWORD)
    page.fill('input[name="password_again"]', NGO_PASSWORD)
    page.fill('input[name="name_zh"]', NGO_NAME_ZH)
    page.fill('input[name="name_en"]', NGO_NAME_EN)
    page.fill(
        'input[name="credit_code"]',
        credit_code(authority="5", category="2", area_code="310115", seed="journey"),
    )
    page.select_option('select[name="district"]', label="Pudong New Area")
    page.select_option('select[name="legal_form"]', value="social_service_agency")
    page.fill('input[name="registration_authority"]', "上海市浦东新区民政局")
    page.fill('input[name="registration_date"]', "2015-06-01")
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page).to_have_url(re.compile(r"/app/provider/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NGO_NAME_EN)
    expect(page.locator("main")).to_contain_text("Draft")


def _complete_the_profile(page, certificate):
    page.get_by_role("link", name="Edit the profile").click()
    page.fill(
        'textarea[name="description_zh"]', "为浦东新区的高龄、独居老人提供日间照料和上门探访。"
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/app/provider/$"))
    expect(_messages(page)).to_contain_text("The profile is saved.")

    page.get_by_role("link", name="Upload or delete documents").click()
    page.select_option('select[name="kind"]', value="registration_certificate")
    page.fill('input[name="title"]', "登记证书")
    page.set_input_files('input[name="file"]', certificate)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(_messages(page)).to_contain_text("The document is uploaded.")
    expect(page.get_by_role("link", name="登记证书")).to_be_visible()


def _add_a_site_and_a_service(page):
    # From the workspace, as a provider's administrator finds the services.
    page.get_by_role("banner").get_by_role("link", name="My workspace").click()
    page.get_by_role("link", name="Services and capacity").click()
    nav = page.get_by_role("navigation", name="Your organization")
    nav.get_by_role("link", name="Sites").click()
    page.get_by_role("link", name="Add a site").click()
    page.fill('input[name="name_zh"]', "浦东南路服务点")
    page.fill('input[name="name_en"]', SITE_NAME_EN)
    page.fill('input[name="address"]', "上海市浦东新区浦东南路1000号")
    page.get_by_role("button", name="Save the site").click()
    # Geocoded offline from the address: the site is in Pudong.
    expect(_messages(page)).to_contain_text("located in Pudong New Area")

    nav.get_by_role("link", name="Services and capacity").click()
    page.get_by_role("link", name="Add a service").click()
    page.fill('input[name="name_zh"]', "长者日间照料")
    page.fill('input[name="name_en"]', SERVICE_NAME_EN)
    page.get_by_label("Elderly care", exact=True).check()
    page.get_by_label("Survival", exact=True).check()
    expect(page.get_by_label("At a site", exact=True)).to_be_checked()
    page.get_by_label("Home visits", exact=True).check()
    page.get_by_label("Pudong New Area", exact=True).check()
    page.get_by_label(SITE_NAME_EN, exact=True).check()
    page.get_by_role("button", name="Save the service").click()
    expect(_messages(page)).to_contain_text(f"Service “{SERVICE_NAME_EN}” saved.")
    expect(page.get_by_role("heading", name=SERVICE_NAME_EN)).to_be_visible()


def _submit_for_verification(page):
    page.get_by_role("navigation", name="Your organization").get_by_role(
        "link", name="Profile and documents"
    ).click()
    expect(page.locator("main")).to_contain_text("Everything needed is there")
    page.get_by_role("button", name="Submit for verification").click()
    expect(_messages(page)).to_contain_text("Submitted.")
    expect(page.locator("main")).to_contain_text("Awaiting verification")


def _sign_out(page):
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()


def _sign_in(page, username, password):
    page.get_by_role("banner").get_by_role("link", name="Sign in").click()
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/app/$"))


def _verify_the_provider(page):
    page.get_by_role("link", name="Verify providers").click()
    expect(page).to_have_url(re.compile(r"/app/verification/$"))
    page.get_by_role("link", name=NGO_NAME_EN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NGO_NAME_EN)
    expect(page.get_by_role("link", name="登记证书")).to_be_visible()
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(_messages(page)).to_contain_text(
        "The provider is verified and appears in the public directory."
    )
    expect(page.locator("main .status-badge").first).to_have_text("Verified")


def _find_the_service_in_the_directory(page):
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Service directory"
    ).click()
    expect(page).to_have_url(re.compile(r"/providers/$"))
    results = page.locator(".directory-results")
    expect(results.get_by_role("heading", name=SERVICE_NAME_EN)).to_be_visible()
    expect(results.get_by_role("heading", name=OTHER_SERVICE_NAME_EN)).to_be_visible()
    expect(results.get_by_role("heading", name=CHILD_SERVICE_NAME_EN)).to_be_visible()

    _filter_directory(page, district="Pudong New Area")
    expect(page).to_have_url(re.compile(r"category=social-services\.elderly-care"))
    expect(page).to_have_url(re.compile(r"district=310115"))
    expect(results.get_by_role("heading", level=2)).to_have_text("1 service found")
    expect(results.get_by_role("heading", name=SERVICE_NAME_EN)).to_be_visible()
    expect(results).to_contain_text(NGO_NAME_EN)

    _filter_directory(page, district="Xuhui District")
    expect(page).to_have_url(re.compile(r"district=310104"))
    expect(results.get_by_role("heading", level=2)).to_have_text("1 service found")
    expect(results.get_by_role("heading", name=OTHER_SERVICE_NAME_EN)).to_be_visible()
    expect(results.get_by_role("heading", name=SERVICE_NAME_EN)).to_have_count(0)


def _filter_directory(page, *, district):
    filters = page.locator("details.directory-filters")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()
    page.get_by_label("Kind of help").select_option(label="Elderly care")
    page.get_by_label("District", exact=True).select_option(label=district)
    page.get_by_role("button", name="Apply filters").click()


def _messages(page):
    """The confirmations and errors the site shows at the top of the page."""
    return page.locator("main .messages")
