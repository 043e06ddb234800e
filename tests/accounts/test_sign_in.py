"""Signing in and out, lockout after repeated failures, password rules, session expiry."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent
from tests.factories.accounts import TEST_PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker():
    return user_with_role("caseworker", username="caseworker")


def test_login_page_is_bilingual(client):
    zh = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in zh.content.decode()
    assert "Sign in" in en.content.decode()


def test_caseworker_signs_in_and_lands_on_workspace(client, caseworker):
    response = client.post(
        reverse("accounts:login"), {"username": "caseworker", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:workspace")
    assert AuditEvent.objects.filter(action="user.signed_in", actor=caseworker).exists()


def test_wrong_password_shows_a_clear_message(client, caseworker):
    response = client.post(
        reverse("accounts:login"),
        {"username": "caseworker", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The username or password is not right" in response.content.decode()


def test_repeated_bad_passwords_lock_the_account_even_with_the_right_one(client, caseworker):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "caseworker", "password": "nope"})
    locked = client.post(
        reverse("accounts:login"),
        {"username": "caseworker", "password": TEST_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_user_does_not_lock_another(client, caseworker):
    user_with_role("caseworker", username="other")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "caseworker", "password": "nope"})
    response = client.post(
        reverse("accounts:login"), {"username": "other", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_sign_out_ends_the_session(client, caseworker):
    client.force_login(caseworker)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code in (200, 302)
    assert client.get(reverse("accounts:workspace")).status_code == 302


@pytest.mark.parametrize("password", ["short1", "12345678901", "password123", "caseworker1"])
def test_weak_passwords_are_refused(password, caseworker):
    with pytest.raises(ValidationError):
        validate_password(password, user=caseworker)


def test_sessions_expire_after_inactivity_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_session_cookie_has_no_persistent_expiry(client, caseworker):
    response = client.post(
        reverse("accounts:login"), {"username": "caseworker", "password": TEST_PASSWORD}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["httponly"]
