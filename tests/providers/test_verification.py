"""The verification queue and decisions: who may verify, which decisions each status
allows, reasons, audit history, and a fixed number of queries for the queue."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.models import AuditEvent
from providers.models import Provider
from providers.services import verification
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.providers import (
    ProviderDocumentFactory,
    ProviderFactory,
    VerifiedProviderFactory,
    provider_admin_of,
)
from tests.providers._registration_factories import private_files  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

QUEUE = reverse("providers:verification_queue")


@pytest.fixture
def verifier():
    return user_with_role(Role.PLATFORM_ADMIN)


@pytest.fixture
def verifier_client(client, verifier):
    client.force_login(verifier)
    return client


def submitted(**kwargs):
    kwargs.setdefault("submitted_at", timezone.now())
    return ProviderFactory(status=Provider.Status.SUBMITTED, **kwargs)


def change(client, provider, action, reason=None, **extra):
    data = {} if reason is None else {f"{action}-reason": reason}
    return client.post(
        reverse("providers:change_status", args=[provider.uuid, action]),
        data,
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


# --- who may verify ------------------------------------------------------------


def test_platform_admin_sees_the_queue(verifier_client):
    assert verifier_client.get(QUEUE).status_code == 200


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COMMISSIONER, Role.SUPERVISOR])
def test_agency_users_get_404_by_default(client, role):
    provider = submitted()
    client.force_login(user_with_role(role))
    assert client.get(QUEUE).status_code == 404
    assert (
        client.get(reverse("providers:verification_detail", args=[provider.uuid])).status_code
        == 404
    )
    assert change(client, provider, "verify").status_code == 404
    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUBMITTED


def test_provider_staff_get_404(client):
    provider = submitted()
    client.force_login(provider_admin_of(provider))
    assert client.get(QUEUE).status_code == 404
    assert change(client, provider, "verify").status_code == 404


def test_a_superuser_without_the_verifiers_role_gets_404(client):
    provider = submitted()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(QUEUE).status_code == 404
    assert (
        client.get(reverse("providers:verification_detail", args=[provider.uuid])).status_code
        == 404
    )
    assert change(client, provider, "verify").status_code == 404
    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUBMITTED


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_supervisors_verify_where_configured(client, settings, django_capture_on_commit_callbacks):
    settings.AGENCY_SUPERVISORS_VERIFY_PROVIDERS = True
    provider = submitted()
    client.force_login(user_with_role(Role.SUPERVISOR))
    assert client.get(QUEUE).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = change(client, provider, "verify")
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.status == Provider.Status.VERIFIED


# --- the queue -------------------------------------------------------------------


def test_queue_lists_submitted_providers_oldest_first(verifier_client):
    now = timezone.now()
    newer = submitted(submitted_at=now - timedelta(days=1))
    older = submitted(submitted_at=now - timedelta(days=5))
    verified = VerifiedProviderFactory()
    draft = ProviderFactory()
    response = verifier_client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en")
    assert list(response.context["providers"]) == [older, newer]
    page = response.content.decode()
    assert "Awaiting verification" in page
    assert verified.organization.name_en not in page
    assert draft.organization.name_en not in page


def test_all_tab_puts_submitted_providers_first(verifier_client):
    now = timezone.now()
    verified = VerifiedProviderFactory(submitted_at=now - timedelta(days=30))
    waiting = submitted(submitted_at=now)
    response = verifier_client.get(QUEUE, {"status": "all"})
    assert list(response.context["providers"]) == [waiting, verified]


def test_status_tabs_filter_and_count(verifier_client):
    suspended = VerifiedProviderFactory(status=Provider.Status.SUSPENDED)
    submitted()
    submitted()
    response = verifier_client.get(QUEUE, {"status": "suspended"}, HTTP_ACCEPT_LANGUAGE="en")
    assert list(response.context["providers"]) == [suspended]
    tabs = {value: count for value, _label, count in response.context["tabs"]}
    assert tabs["submitted"] == 2
    assert tabs["suspended"] == 1
    assert 'aria-current="page"' in response.content.decode()


def test_unknown_status_filter_falls_back_to_the_waiting_list(verifier_client):
    provider = submitted()
    response = verifier_client.get(QUEUE, {"status": "nonsense"})
    assert list(response.context["providers"]) == [provider]


def test_queue_runs_a_fixed_number_of_queries(verifier_client):
    def queries_for_queue():
        with CaptureQueriesContext(connection) as queries:
            assert verifier_client.get(QUEUE, {"status": "all"}).status_code == 200
        return len(queries)

    for _ in range(2):
        submitted()
    few = queries_for_queue()
    for _ in range(18):
        submitted()
    VerifiedProviderFactory()
    assert queries_for_queue() == few


# --- the detail page ---------------------------------------------------------------


def test_detail_shows_profile_documents_history_and_allowed_actions(verifier_client, verifier):
    provider = ProviderFactory()
    document = ProviderDocumentFactory(provider=provider, title="登记证书扫描件")
    verification.submit_provider(provider=provider, actor=provider_admin_of(provider))
    response = verifier_client.get(
        reverse("providers:verification_detail", args=[provider.uuid]), HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert provider.organization.credit_code in page
    assert provider.registration_authority in page
    assert reverse("providers:download_document", args=[document.uuid]) in page
    assert "provider.submitted" in page
    assert "Draft → Awaiting verification" in page
    actions = [action.name for action, _form in response.context["actions"]]
    assert actions == ["verify", "reject"]


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Provider.Status.SUBMITTED, ["verify", "reject"]),
        (Provider.Status.VERIFIED, ["suspend", "debar"]),
        (Provider.Status.SUSPENDED, ["reinstate", "debar"]),
        (Provider.Status.REJECTED, []),
        (Provider.Status.DEBARRED, []),
    ],
)
def test_actions_offered_follow_the_transition_table(verifier_client, status, allowed):
    provider = ProviderFactory(status=status, submitted_at=timezone.now())
    response = verifier_client.get(reverse("providers:verification_detail", args=[provider.uuid]))
    assert [action.name for action, _form in response.context["actions"]] == allowed


def test_draft_providers_are_not_shown_to_verifiers(verifier_client):
    provider = ProviderFactory()
    url = reverse("providers:verification_detail", args=[provider.uuid])
    assert verifier_client.get(url).status_code == 404


# --- decisions ------------------------------------------------------------------------


def test_verify_changes_status_and_is_audited(
    verifier_client, verifier, django_capture_on_commit_callbacks
):
    provider = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        response = change(verifier_client, provider, "verify")
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.status == Provider.Status.VERIFIED
    assert provider.verified_at is not None
    event = AuditEvent.objects.get(action="provider.verified")
    assert event.actor == verifier
    assert event.object_id == str(provider.uuid)
    assert event.details == {"from": "submitted", "to": "verified"}


def test_reject_without_reason_is_a_field_error(verifier_client):
    provider = submitted()
    response = change(verifier_client, provider, "reject", reason="  ")
    assert response.status_code == 200
    forms = {action.name: form for action, form in response.context["actions"]}
    assert forms["reject"].errors["reason"]
    assert "This field is required" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUBMITTED


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (Provider.Status.SUBMITTED, "reject", Provider.Status.REJECTED),
        (Provider.Status.VERIFIED, "suspend", Provider.Status.SUSPENDED),
        (Provider.Status.VERIFIED, "debar", Provider.Status.DEBARRED),
        (Provider.Status.SUSPENDED, "debar", Provider.Status.DEBARRED),
    ],
)
def test_decisions_with_a_reason(
    verifier_client, django_capture_on_commit_callbacks, start, action, end
):
    provider = ProviderFactory(status=start, submitted_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = change(verifier_client, provider, action, reason="证书与名称不符")
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.status == end
    assert provider.status_reason == "证书与名称不符"
    assert AuditEvent.objects.filter(
        action=f"provider.{end}", object_id=str(provider.uuid)
    ).exists()


def test_suspend_then_reinstate(verifier_client, django_capture_on_commit_callbacks):
    provider = VerifiedProviderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        change(verifier_client, provider, "suspend", reason="投诉调查中")
        change(verifier_client, provider, "reinstate", reason="")
    provider.refresh_from_db()
    assert provider.status == Provider.Status.VERIFIED
    assert list(
        AuditEvent.objects.filter(object_id=str(provider.uuid))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["provider.suspended", "provider.verified"]


def test_disallowed_transition_shows_a_message_not_an_error(verifier_client):
    provider = ProviderFactory(status=Provider.Status.DEBARRED, submitted_at=timezone.now())
    response = change(verifier_client, provider, "suspend", reason="x", follow=True)
    assert response.status_code == 200
    assert "cannot become" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == Provider.Status.DEBARRED


def test_reinstate_is_only_for_suspended_providers(verifier_client):
    provider = submitted()
    response = change(verifier_client, provider, "reinstate", follow=True)
    assert "cannot become" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUBMITTED


def test_verifying_twice_shows_a_message(verifier_client, django_capture_on_commit_callbacks):
    provider = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        change(verifier_client, provider, "verify")
    response = change(verifier_client, provider, "verify", follow=True)
    assert response.status_code == 200
    assert "cannot become" in response.content.decode()


def test_unknown_action_is_404(verifier_client):
    provider = submitted()
    assert change(verifier_client, provider, "approve").status_code == 404
    assert change(verifier_client, provider, "delete").status_code == 404


def test_change_status_only_by_post(verifier_client):
    provider = submitted()
    url = reverse("providers:change_status", args=[provider.uuid, "verify"])
    assert verifier_client.get(url).status_code == 405
