"""seed_demo: demo users of SPEC §6 and directory demo data; idempotent; refused in production."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import Organization, User
from providers import selectors as provider_selectors
from providers.models import Provider, Service
from taxonomy.models import NeedCategory

pytestmark = pytest.mark.django_db

SPEC_USERS = {
    "commissioner",
    "finance",
    "caseworker",
    "caseworker2",
    "supervisor",
    "ngo_admin",
    "ngo_staff",
    "ngo2_admin",
    "assessor",
    "editor",
    "admin",
}


@pytest.fixture
def seeded():
    """Seed once per test (in the test's transaction, rolled back afterwards)."""
    call_command("load_areas", stdout=StringIO())
    first = StringIO()
    call_command("seed_demo", stdout=first)
    counts = (Organization.objects.count(), User.objects.count(), Service.objects.count())
    call_command("seed_demo", stdout=StringIO())
    return {
        "output": first.getvalue(),
        "counts_after_first": counts,
        "counts_after_second": (
            Organization.objects.count(),
            User.objects.count(),
            Service.objects.count(),
        ),
    }


def test_seed_demo_builds_the_demo_data_set_idempotently(seeded, client):
    # every demo user of SPEC §6 signs in with the printed password
    assert set(User.objects.values_list("username", flat=True)) >= SPEC_USERS
    for username in SPEC_USERS:
        response = client.post(
            "/accounts/login/", {"username": username, "password": "demo-pass-2026"}
        )
        assert response.status_code == 302, username
        client.logout()
    assert "caseworker2" in seeded["output"]
    assert "password: demo-pass-2026" in seeded["output"]
    # a second run creates nothing new
    assert seeded["counts_after_first"] == seeded["counts_after_second"]

    # directory demo data (providers issue, item 8)
    assert Provider.objects.filter(status=Provider.Status.VERIFIED).count() >= 40
    public = provider_selectors.public_services()
    assert public.count() >= 120
    groups = set(
        NeedCategory.objects.filter(services__in=public).values_list("parent__code", flat=True)
    )
    top_level = set(NeedCategory.objects.filter(parent__isnull=True).values_list("code", flat=True))
    assert top_level <= groups
    assert public.filter(free_slots=0, waitlist_length__gt=0).exists()
    assert any(service.capacity_is_stale() for service in public)
    assert Provider.objects.filter(status=Provider.Status.SUSPENDED).count() == 1
    submitted = Provider.objects.get(status=Provider.Status.SUBMITTED)
    with submitted.documents.get().file.open("rb") as certificate:
        assert certificate.read(5) == b"%PDF-"
    districts = set(
        Organization.objects.filter(provider__status="verified").values_list(
            "area__code", flat=True
        )
    )
    assert len(districts) == 16


@override_settings(ALLOW_DEMO_SEED=False)
def test_refused_under_production_settings():
    with pytest.raises(CommandError, match="refused under production settings"):
        call_command("seed_demo", stdout=StringIO())
