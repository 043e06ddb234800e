"""/healthz: 200 with every check when the platform can work, 503 naming what is broken."""

import pytest
from django.test import override_settings

from core.integrations import pdf

pytestmark = pytest.mark.django_db

CHECKS = {"database", "cache", "broker", "cjk_font", "contract_signing"}
FIND_CJK_FONT = pdf.find_cjk_font  # the cached lookup, even while a test replaces it


@pytest.fixture
def cjk_font_lookup():
    """Forget the cached font lookup before and after, so each test sees its own system."""
    FIND_CJK_FONT.cache_clear()
    yield
    FIND_CJK_FONT.cache_clear()


@pytest.fixture
def cjk_font_installed(monkeypatch, cjk_font_lookup):
    # The test machine's fonts are not what is under test here.
    monkeypatch.setattr(pdf, "find_cjk_font", lambda: "/usr/share/fonts/NotoSansCJK-Regular.ttc")


def test_healthy_platform_answers_200_with_every_check(client, cjk_font_installed):
    # An anonymous client: monitors and load balancers do not sign in.
    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body["status"] == "ok"
    assert set(body["checks"]) == CHECKS
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_cache_that_cannot_store_answers_503(client, cjk_font_installed):
    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unhealthy"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_missing_cjk_font_answers_503_and_says_how_to_install_one(
    client, monkeypatch, cjk_font_lookup
):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)  # no fontconfig at all

    response = client.get("/healthz")

    font = response.json()["checks"]["cjk_font"]
    assert response.status_code == 503
    assert font["ok"] is False
    assert "fonts-noto-cjk" in font["error"]


def test_missing_signing_certificate_answers_503_naming_the_settings(
    client, cjk_font_installed, settings
):
    settings.CONTRACT_SIGNING_CERT = settings.CONTRACT_SIGNING_KEY = None
    settings.CONTRACT_SIGNING_SELF_SIGNED_DIR = None  # as in production

    response = client.get("/healthz")

    signing = response.json()["checks"]["contract_signing"]
    assert response.status_code == 503
    assert signing["ok"] is False
    assert "CONTRACT_SIGNING_CERT" in signing["error"]
