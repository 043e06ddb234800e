"""Every answer carries the Content-Security-Policy and the Permissions-Policy.

The site's policy allows nothing inline and nothing from elsewhere; the pages of
libraries that need inline code (the CMS, the Django admin, the API docs) get a looser
one, and only there. CSP_REPORT_ONLY switches the header to its report-only name.
The templates served to browsers hold no inline script, style or event handler, so
that the policy breaks nothing (tests/browser/test_content_security_policy.py loads
the pages in a browser).
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from rest_framework.test import APIClient

from accounts.models import Role
from tests.cms.pages import ensure_home_pages
from tests.factories.accounts import user_with_role
from tests.test_settings import clean_environment, run_python

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"


def _explode(request):
    raise RuntimeError("a bug")


def _plain(request):
    return HttpResponse("plain")


# For the error page: a URL whose view fails, next to the real ones.
urlpatterns = [path("explode/", _explode), path("plain/", _plain)]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_site_policy(response):
    policy = directives(response[CSP])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["font-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def assert_permissions_policy(response):
    features = dict(item.strip().split("=") for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


@pytest.fixture
def home_pages(db):
    return ensure_home_pages()


@pytest.fixture
def caseworker_client(client):
    client.force_login(user_with_role(Role.CASEWORKER))
    return client


def test_a_public_page_carries_both_policies(client, home_pages):
    response = client.get("/")

    assert response.status_code == 200
    assert_site_policy(response)
    assert_permissions_policy(response)
    assert CSP_REPORT_ONLY not in response


@pytest.mark.parametrize(
    "url", ["/providers/", "/tenders/", "/feedback/", "/accounts/login/", "/django-admin/login/"]
)
def test_app_pages_carry_both_policies(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert_site_policy(response)
    assert_permissions_policy(response)


def test_a_workspace_page_carries_both_policies(caseworker_client):
    response = caseworker_client.get("/app/")

    assert response.status_code == 200
    assert_site_policy(response)
    assert_permissions_policy(response)


def test_an_api_answer_carries_both_policies():
    api = APIClient()
    api.force_authenticate(user_with_role(Role.CASEWORKER))

    response = api.get("/api/v1/beneficiaries/")

    assert response.status_code == 200
    assert_site_policy(response)
    assert_permissions_policy(response)


def test_the_not_found_page_carries_both_policies(client, home_pages):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_site_policy(response)
    assert_permissions_policy(response)


def test_the_forbidden_page_carries_both_policies(caseworker_client):
    # A caseworker is not a commissioner: the tender workspace refuses them.
    response = caseworker_client.get("/app/budgets/new/")

    assert response.status_code in (403, 404)
    assert_site_policy(response)
    assert_permissions_policy(response)


@override_settings(ROOT_URLCONF=__name__)
def test_the_server_error_page_carries_both_policies():
    response = Client(raise_request_exception=False).get("/explode/")

    assert response.status_code == 500
    assert_site_policy(response)
    assert_permissions_policy(response)


@pytest.mark.parametrize(
    ("url", "relaxed"),
    [
        (
            "/cms-admin/login/",
            {
                "script-src": ["'self'", "'unsafe-inline'"],
                "style-src": ["'self'", "'unsafe-inline'"],
                "img-src": ["'self'", "data:", "blob:"],
                "frame-ancestors": ["'self'"],
            },
        ),
        ("/api/docs/", {"style-src": ["'self'", "'unsafe-inline'"]}),
    ],
)
def test_library_pages_get_a_looser_policy_only_where_named(client, url, relaxed):
    response = client.get(url)

    assert response.status_code == 200
    policy = directives(response[CSP])
    for name, values in relaxed.items():
        assert policy[name] == values, name
    # What is not named stays as on the site.
    strict = directives(client.get("/tenders/")[CSP])
    for name, values in strict.items():
        if name not in relaxed:
            assert policy[name] == values, name
    assert_permissions_policy(response)


def test_the_api_docs_start_up_script_is_a_file_of_its_own(client):
    page = client.get("/api/docs/").content.decode()

    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", page, re.S)
    assert scripts
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts)
    start_up = client.get("/api/docs/?script=")
    assert start_up.status_code == 200
    assert "SwaggerUIBundle" in start_up.content.decode()


def test_report_only_mode_sends_the_same_policy_under_the_report_only_name(client):
    enforced = client.get("/tenders/")[CSP]

    with override_settings(
        CONTENT_SECURITY_POLICY=None,
        CONTENT_SECURITY_POLICY_REPORT_ONLY=settings.CONTENT_SECURITY_POLICY,
    ):
        response = client.get("/tenders/")
        admin = client.get("/cms-admin/login/")

    assert CSP not in response
    assert response[CSP_REPORT_ONLY] == enforced
    # The library pages' looser policy applies in report-only mode too.
    assert CSP not in admin
    assert "'unsafe-inline'" in directives(admin[CSP_REPORT_ONLY])["script-src"]


PRINT_POLICIES = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.CONTENT_SECURITY_POLICY, "
    "settings.CONTENT_SECURITY_POLICY_REPORT_ONLY]))"
)


def policies_in(**variables) -> tuple[dict | None, dict | None]:
    """The enforced and the report-only policy of a process started with ``variables``."""
    result = run_python(
        PRINT_POLICIES,
        clean_environment(DJANGO_SETTINGS_MODULE="config.settings.test", **variables),
    )
    assert result.returncode == 0, result.stderr
    enforced, reported = json.loads(result.stdout.strip().splitlines()[-1])
    return enforced, reported


@pytest.mark.parametrize(("value", "report_only"), [("true", True), ("", False), ("0", False)])
def test_the_csp_report_only_variable_switches_the_mode(value, report_only):
    enforced, reported = policies_in(CSP_REPORT_ONLY=value)

    assert (enforced if not report_only else reported) == settings.CONTENT_SECURITY_POLICY
    assert (reported if not report_only else enforced) is None


def test_the_map_tile_server_is_the_one_outside_origin_images_may_come_from():
    enforced, _ = policies_in(MAP_TILE_URL="https://{s}.tiles.example.gov.cn/osm/{z}/{x}/{y}.png")

    assert enforced["DIRECTIVES"]["img-src"] == [
        "'self'",
        "data:",
        "https://*.tiles.example.gov.cn",
    ]
    # Nothing else may come from the tile server.
    assert enforced["DIRECTIVES"]["script-src"] == ["'self'"]


# --- the templates browsers get hold nothing inline ------------------------------------------

# Rendered by WeasyPrint into PDF files, never served as pages: inline styles are fine.
PDF_TEMPLATES = {
    "contracts/templates/contracts/pdf/contract.html",
    "demo/templates/demo/certificate.html",
    "evaluation/templates/evaluation/pdf/assessment_report.html",
    "evaluation/templates/evaluation/surveys/slip_pdf.html",
    "marketplace/templates/marketplace/pdf/assessment_summary.html",
}
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
}


def _page_templates():
    for folder in [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]:
        if ".venv" in folder.parts:
            continue
        for template in folder.rglob("*.html"):
            relative = template.relative_to(BASE_DIR).as_posix()
            if relative not in PDF_TEMPLATES:
                yield relative


def test_the_pdf_templates_listed_exist():
    assert all((BASE_DIR / template).is_file() for template in PDF_TEMPLATES)


def test_no_template_served_to_browsers_holds_inline_script_or_style():
    found = [
        f"{template}: {what}"
        for template in _page_templates()
        for what, pattern in INLINE.items()
        if pattern.search((BASE_DIR / template).read_text())
    ]

    assert len(list(_page_templates())) > 50
    assert found == []
