"""API tokens have a life: each expires (API_TOKEN_TTL_DAYS), is kept only as a digest,
is listed and revoked by its owner alone (at /app/tokens/ and through the API), and a
password change revokes them all. An expired or revoked token gets 401."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import APIToken, Role
from accounts.services.tokens import revoke_api_token
from core.models import AuditEvent
from tests.factories.accounts import TEST_PASSWORD, UserFactory, api_token_for, user_with_role

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
TOKENS = "/api/v1/auth/tokens/"


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    status = token_client(key).get(ME).status_code
    assert status in {200, 401}
    return status == 200


@pytest.fixture
def caseworker():
    return user_with_role(Role.CASEWORKER, username="cw")


# --- issuing ------------------------------------------------------------------------


def test_the_token_exchange_answers_a_key_that_expires_in_30_days(caseworker):
    before = timezone.now()
    response = APIClient().post(
        reverse("api-token"), {"username": "cw", "password": TEST_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    assert "no-store" in response["Cache-Control"]
    token = APIToken.objects.get(user=caseworker)
    assert token.expiry - before >= timedelta(days=30)
    assert token.expiry - timezone.now() <= timedelta(days=30)
    assert body["expiry"].startswith(timezone.localtime(token.expiry).strftime("%Y-%m-%dT%H:%M"))
    assert works(body["token"])


def test_the_token_exchange_names_the_token_when_asked(caseworker):
    response = APIClient().post(
        reverse("api-token"),
        {"username": "cw", "password": TEST_PASSWORD, "name": "monthly report"},
        format="json",
    )

    assert response.status_code == 200
    assert APIToken.objects.get(user=caseworker).name == "monthly report"


def test_a_name_too_long_is_a_field_error_not_a_500(caseworker):
    response = APIClient().post(
        reverse("api-token"),
        {"username": "cw", "password": TEST_PASSWORD, "name": "x" * 101},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["name"]
    assert not APIToken.objects.exists()


@override_settings(API_TOKEN_TTL_DAYS=7)
def test_the_lifetime_is_a_setting(caseworker):
    api_token_for(caseworker)

    token = APIToken.objects.get(user=caseworker)
    assert timedelta(days=6, hours=23) < token.expiry - timezone.now() <= timedelta(days=7)


def test_only_a_digest_of_the_key_is_stored(caseworker):
    key = api_token_for(caseworker)

    token = APIToken.objects.get(user=caseworker)
    assert key not in (token.digest, token.token_key, token.name, str(token.uuid))
    assert len(token.digest) == 128  # SHA-512, hex


def test_each_exchange_issues_another_token_and_both_work(caseworker):
    first, second = api_token_for(caseworker), api_token_for(caseworker)

    assert first != second
    assert works(first) and works(second)


def test_issuing_a_token_is_audited_without_its_key(caseworker):
    key = api_token_for(caseworker)

    event = AuditEvent.objects.get(action="api_token.issued")
    assert event.actor_id == caseworker.pk
    assert event.details == {"token": str(APIToken.objects.get().uuid)}
    assert key not in str(event.details)


# --- expiry -------------------------------------------------------------------------


def test_a_token_works_until_it_expires_then_gets_401(caseworker, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    key = api_token_for(caseworker)

    time_machine.shift(timedelta(days=29, hours=23))
    assert works(key)

    time_machine.shift(timedelta(hours=1, seconds=1))
    response = token_client(key).get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not APIToken.objects.filter(user=caseworker).exists()  # knox deletes it


def test_an_expired_token_is_not_listed(caseworker, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    api_token_for(caseworker, name="old")
    time_machine.shift(timedelta(days=31))
    current = api_token_for(caseworker, name="current")

    body = token_client(current).get(TOKENS).json()

    assert [row["name"] for row in body["results"]] == ["current"]


# --- listing and revoking through the API ------------------------------------------


def test_the_owner_lists_their_tokens_without_the_keys(caseworker):
    first = api_token_for(caseworker, name="first")
    second = api_token_for(caseworker, name="second")
    api_token_for(user_with_role(Role.CASEWORKER), name="someone else's")

    response = token_client(second).get(TOKENS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["second", "first"]
    assert [row["current"] for row in rows] == [True, False]
    assert rows[0]["key_start"] == second[:8] + "…"
    assert set(rows[0]) == {"uuid", "name", "key_start", "created", "expiry", "current"}
    assert first not in response.content.decode()
    assert second not in response.content.decode()


def test_the_token_list_runs_a_fixed_number_of_queries(caseworker, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key = api_token_for(caseworker)
    api = token_client(key)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get(TOKENS).status_code == 200
        return len(captured)

    few = queries()
    for _index in range(5):
        api_token_for(caseworker)
    assert queries() == few


def test_the_owner_revokes_a_token_and_it_gets_401(caseworker):
    keep, revoke = api_token_for(caseworker, name="keep"), api_token_for(caseworker, name="go")
    uuid = APIToken.objects.get(name="go").uuid

    response = token_client(keep).delete(f"{TOKENS}{uuid}/")

    assert response.status_code == 204
    assert token_client(revoke).get(ME).status_code == 401
    assert works(keep)
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=caseworker).exists()


def test_a_token_can_revoke_itself(caseworker):
    key = api_token_for(caseworker)
    uuid = APIToken.objects.get().uuid

    assert token_client(key).delete(f"{TOKENS}{uuid}/").status_code == 204
    assert token_client(key).get(ME).status_code == 401


def test_nobody_sees_or_revokes_another_person_s_token(caseworker):
    theirs = api_token_for(caseworker)
    their_uuid = APIToken.objects.get(user=caseworker).uuid
    other = token_client(api_token_for(user_with_role(Role.CASEWORKER)))

    listed = other.get(TOKENS).json()["results"]
    assert str(their_uuid) not in {row["uuid"] for row in listed}
    assert other.delete(f"{TOKENS}{their_uuid}/").status_code == 404
    assert works(theirs)


def test_a_platform_administrator_cannot_revoke_another_person_s_token(caseworker):
    theirs = api_token_for(caseworker)
    admin = UserFactory(is_staff=True, is_superuser=True)
    api = APIClient()
    api.force_authenticate(admin)

    assert api.delete(f"{TOKENS}{APIToken.objects.get().uuid}/").status_code == 404
    with pytest.raises(PermissionDenied):
        revoke_api_token(token=APIToken.objects.get(), actor=admin)
    assert works(theirs)


def test_a_malformed_token_id_is_404_not_500(caseworker):
    api = token_client(api_token_for(caseworker))

    assert api.delete(f"{TOKENS}not-a-uuid/").status_code == 404


def test_anonymous_callers_get_401_from_the_token_list():
    assert APIClient().get(TOKENS).status_code == 401


def test_a_key_that_was_never_issued_gets_401():
    assert token_client("0" * 64).get(ME).status_code == 401


# --- a password change revokes every token -----------------------------------------


def test_a_password_change_revokes_every_token(caseworker):
    keys = [api_token_for(caseworker), api_token_for(caseworker)]
    someone_else = api_token_for(user_with_role(Role.CASEWORKER))

    caseworker.set_password("A-new-password-2026")
    caseworker.save()

    assert not any(works(key) for key in keys)
    assert works(someone_else)
    event = AuditEvent.objects.get(action="api_token.revoked_on_password_change")
    assert event.details == {"user": str(caseworker.uuid), "count": 2}


def test_a_password_set_in_the_django_admin_revokes_the_person_s_tokens(client, caseworker):
    key = api_token_for(caseworker)
    administrator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(administrator)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[caseworker.pk]),
        {
            "password1": "Another-pass-2026!",
            "password2": "Another-pass-2026!",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    assert not works(key)
    event = AuditEvent.objects.get(action="api_token.revoked_on_password_change")
    assert event.actor_id == administrator.pk


def test_a_password_rehashed_at_sign_in_is_no_change_and_revokes_nothing(caseworker):
    key = api_token_for(caseworker)
    stored = caseworker.password

    # A stronger hasher is now preferred: the next sign-in rehashes the same password.
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
    ):
        assert caseworker.check_password(TEST_PASSWORD)
    caseworker.refresh_from_db()

    assert caseworker.password != stored
    assert works(key)


def test_password_forms_say_that_a_change_revokes_the_tokens(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    user = UserFactory()

    page = client.get(
        reverse("admin:auth_user_password_change", args=[user.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Changing your password revokes all your API tokens." in page.content.decode()


# --- the page at /app/tokens/ ------------------------------------------------------


@pytest.fixture
def signed_in(client, caseworker):
    client.force_login(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_page_requires_sign_in(client):
    response = client.get(reverse("accounts:api_tokens"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_workspace_links_to_the_page(signed_in):
    page = signed_in.get(reverse("accounts:workspace")).content.decode()

    assert reverse("accounts:api_tokens") in page


def test_the_page_lists_the_owner_s_tokens_only_and_never_a_key(signed_in, caseworker):
    mine = api_token_for(caseworker, name="case system")
    api_token_for(user_with_role(Role.CASEWORKER), name="someone else's script")

    page = signed_in.get(reverse("accounts:api_tokens")).content.decode()

    assert "case system" in page
    assert mine[:8] in page
    assert mine not in page
    assert "someone else" not in page
    assert "expires 30 days after it is made" in page


def test_a_token_made_on_the_page_is_shown_once_and_works(signed_in, caseworker):
    response = signed_in.post(reverse("accounts:api_tokens"), {"name": "report script"})

    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode()
    assert "it is not shown again" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert APIToken.objects.get(user=caseworker).name == "report script"
    assert works(key)
    assert key not in signed_in.get(reverse("accounts:api_tokens")).content.decode()


def test_a_token_needs_a_name_on_the_page(signed_in):
    response = signed_in.post(reverse("accounts:api_tokens"), {"name": ""})

    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert response.context["key"] is None
    assert not APIToken.objects.exists()


def test_the_owner_revokes_a_token_on_the_page(signed_in, caseworker):
    key = api_token_for(caseworker, name="old script")
    token = APIToken.objects.get()

    response = signed_in.post(reverse("accounts:revoke_api_token", args=[token.uuid]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:api_tokens")
    assert "“old script” is revoked" in response.content.decode()
    assert not works(key)


def test_revoking_needs_a_post(signed_in, caseworker):
    key = api_token_for(caseworker)
    url = reverse("accounts:revoke_api_token", args=[APIToken.objects.get().uuid])

    assert signed_in.get(url).status_code == 405
    assert works(key)


def test_revoking_on_the_page_is_protected_against_forged_requests(caseworker):
    key = api_token_for(caseworker)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(caseworker)

    response = browser.post(
        reverse("accounts:revoke_api_token", args=[APIToken.objects.get().uuid])
    )

    assert response.status_code == 403
    assert works(key)


def test_another_person_s_token_is_404_on_the_page(signed_in):
    theirs = api_token_for(user_with_role(Role.CASEWORKER))

    response = signed_in.post(
        reverse("accounts:revoke_api_token", args=[APIToken.objects.get().uuid])
    )

    assert response.status_code == 404
    assert works(theirs)


def test_the_owner_revokes_all_their_tokens_on_the_page(signed_in, caseworker):
    keys = [api_token_for(caseworker), api_token_for(caseworker)]
    someone_else = api_token_for(user_with_role(Role.CASEWORKER))

    response = signed_in.post(reverse("accounts:revoke_all_api_tokens"), follow=True)

    assert "2 tokens are revoked" in response.content.decode()
    assert not any(works(key) for key in keys)
    assert works(someone_else)
    assert AuditEvent.objects.get(action="api_token.revoked_all").details["count"] == 2
