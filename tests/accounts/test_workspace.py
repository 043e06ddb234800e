"""The /app/ workspace shows each role what it can do next; the audit log page is scoped."""

import pytest
from django.urls import reverse

from accounts.models import Role
from core.audit import record_change
from tests.factories.accounts import AgencyFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_workspace_requires_sign_in(client):
    response = client.get(reverse("accounts:workspace"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_supervisor_is_offered_the_audit_log(client):
    client.force_login(user_with_role(Role.SUPERVISOR))
    page = client.get(reverse("accounts:workspace"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("accounts:audit_log") in page
    assert "Supervisor" in page


def test_caseworker_is_not_offered_the_audit_log(client):
    client.force_login(user_with_role(Role.CASEWORKER))
    page = client.get(reverse("accounts:workspace"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("accounts:audit_log") not in page
    assert "refer them to the right provider" in page


def test_user_without_role_is_told_what_to_do(client):
    from tests.factories.accounts import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("accounts:workspace"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "not yet linked to an organization" in page


def test_audit_log_answers_404_to_caseworkers(client):
    client.force_login(user_with_role(Role.CASEWORKER))
    assert client.get(reverse("accounts:audit_log")).status_code == 404


def test_supervisor_sees_only_their_agencys_events(client, django_assert_max_num_queries):
    mine, other = AgencyFactory(), AgencyFactory()
    supervisor = user_with_role(Role.SUPERVISOR, organization=mine)
    for index in range(3):
        record_change(action=f"mine.{index}", organization=mine)
    record_change(action="theirs.secret", organization=other)
    client.force_login(supervisor)
    page = client.get(reverse("accounts:audit_log"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "mine.2" in page
    assert "theirs.secret" not in page


def test_audit_log_query_count_does_not_grow(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agency = AgencyFactory()
    supervisor = user_with_role(Role.SUPERVISOR, organization=agency)
    client.force_login(supervisor)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:audit_log")).status_code == 200
        return len(queries)

    record_change(action="a", organization=agency, actor=supervisor)
    few = count_queries()
    for index in range(30):
        record_change(action=f"b{index}", organization=agency, actor=supervisor)
    assert count_queries() == few


def test_bad_date_range_gets_a_field_error(client):
    client.force_login(user_with_role(Role.SUPERVISOR))
    page = client.get(
        reverse("accounts:audit_log"),
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "The end date must be on or after the start date." in page


# --- what waits for each person, counted on the cards -------------------------------------


def _referral(agency, provider, **values):
    from tests.factories.providers import ServiceFactory
    from tests.factories.referrals import BeneficiaryFactory, NeedFactory, ReferralFactory

    return ReferralFactory(
        need=NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency)),
        service=ServiceFactory(provider=provider),
        **values,
    )


def _badges(client, user) -> list[str]:
    """The counts on the user's workspace cards, as shown."""
    import re

    client.force_login(user)
    page = client.get(reverse("accounts:workspace"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return re.findall(r'<span class="status-badge[^"]*">([^<]+)</span>', page)


def test_the_cards_count_what_waits_for_each_person(client):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.models import Referral
    from tests.factories.providers import VerifiedProviderFactory, provider_staff_of

    agency, provider = AgencyFactory(), VerifiedProviderFactory()
    now = timezone.now()
    for _ in range(2):  # sent, not yet answered, one of them overdue below
        _referral(agency, provider, status=Referral.Status.SENT, due_at=now + timedelta(hours=4))
    _referral(agency, provider, status=Referral.Status.SENT, due_at=now - timedelta(hours=1))
    _referral(agency, provider, status=Referral.Status.DECLINED, status_changed_at=now)
    _referral(agency, provider, status=Referral.Status.ACCEPTED)
    _referral(AgencyFactory(), VerifiedProviderFactory(), status=Referral.Status.DECLINED)

    staff = _badges(client, provider_staff_of(provider))
    caseworker = _badges(client, user_with_role(Role.CASEWORKER, agency))
    supervisor = _badges(client, user_with_role(Role.SUPERVISOR, agency))

    assert staff == ["3 to answer"]
    assert caseworker == ["1 came back to you"]
    assert supervisor == ["1 came back to you", "1 overdue"]


def test_a_card_shows_no_count_when_nothing_waits(client):
    assert _badges(client, user_with_role(Role.CASEWORKER)) == []


# --- each app registers its own cards ------------------------------------------------------


def test_every_app_s_cards_are_registered_in_the_order_of_the_page():
    from accounts.workspace import registered_actions

    assert [action.url_name for action in registered_actions()] == [
        "accounts:audit_log",
        "wagtailadmin_home",
        "admin:accounts_organization_changelist",
        "api-docs",
        "accounts:api_tokens",
        "providers:my_profile",
        "providers:verification_queue",
        "providers:service_list",
        "referrals:people",
        "referrals:referral_list",
        "referrals:overdue",
        "referrals:inbox",
        "marketplace:manage_tenders",
        "marketplace:budget_list",
        "marketplace:approvals",
        "marketplace:manage_tenders",
        "marketplace:my_panels",
        "marketplace:my_tenders",
        "marketplace:alerts",
        "contracts:list",
        "contracts:funding",
        "evaluation:assessments",
        "evaluation:disputes",
        "cms:feedback_inbox",
    ]


def test_a_card_registered_with_a_lower_order_comes_first(monkeypatch):
    from accounts import workspace

    monkeypatch.setattr(workspace, "_registered", [])
    late = workspace.WorkspaceAction(roles=frozenset(), title="late", text="", url="/late/")
    early = workspace.WorkspaceAction(roles=frozenset(), title="early", text="", url="/early/")
    also_early = workspace.WorkspaceAction(roles=frozenset(), title="also", text="", url="/a/")

    workspace.register(late, order=20)
    workspace.register(early, also_early, order=10)

    assert workspace.registered_actions() == [early, also_early, late]


def test_a_card_with_a_count_needs_the_words_for_it(monkeypatch):
    from accounts import workspace

    monkeypatch.setattr(workspace, "_registered", [])
    card = workspace.WorkspaceAction(
        roles=frozenset(), title="counted", text="", url="/c/", count=lambda user: 1
    )
    with pytest.raises(ValueError, match="count_label"):
        workspace.register(card, order=0)
    assert workspace.registered_actions() == []
