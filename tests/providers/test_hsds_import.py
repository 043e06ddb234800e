"""import_hsds: another directory's HSDS files load idempotently; re-imports update and never
duplicate; bad records are reported with their id and reason while the good ones load."""

import json
import shutil
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core.models import AuditEvent
from providers.models import ExternalRecord, Provider, Service, Site
from taxonomy.models import NeedCategory
from tests.factories.places import shanghai_district
from tests.providers._hsds_factories import FILES, FIXTURES, public_directory

pytestmark = pytest.mark.django_db

PARTNER = FIXTURES / "partner"
ORG_A = "fec67702-7420-4b58-bde9-2c861d9a5040"
SERVICE_A = "32eb1839-49da-4865-941c-a1527cf5d1e6"
SERVICE_B = "3cce37fd-bc15-4c6f-96e4-d0575261d783"


@pytest.fixture(autouse=True)
def areas():
    """Pudong and its parents, so that the offline geocoder can place Shanghai addresses."""
    return shanghai_district()


def run_import(path, capsys, **options) -> tuple[str, str]:
    call_command("import_hsds", str(path), **{"source": "partner", **options})
    captured = capsys.readouterr()
    return captured.out, captured.err


def imported(entity, external_id, model, source="partner"):
    record = ExternalRecord.objects.get(source=source, entity=entity, external_id=external_id)
    return model.objects.get(uuid=record.object_uuid)


def test_good_records_load_and_bad_ones_are_reported_with_id_and_reason(capsys):
    out, err = run_import(PARTNER, capsys)

    assert (
        "services[2] id=d615fe2f-c3c6-4fb7-8d2c-b083e549bcb5: 'name' is a required property" in err
    )
    assert "organizations[2] id=2e7eaf92-127f-45d5-ae6a-a478e20c5588: credit_code:" in err
    assert "check character" in err
    assert "organizations[3] id=not-a-uuid: id: 'not-a-uuid' is not a 'uuid'" in err
    assert "locations[1] id=716a586f-6463-4b46-af08-40e09b430c65: address: Address not found" in err
    assert (
        "services[3] id=bd42e444-00c9-448f-8f71-75f60a2807f7: categories: "
        "Choose at least one need category." in err
    )
    assert "service_at_locations[1] id=a0b1c2d3-e4f5-4a6b-9c8d-9e0f1a2b3c4d" in err
    assert "organization: 2 created, 0 updated, 0 skipped, 2 errors" in out
    assert "location: 1 created, 0 updated, 0 skipped, 1 errors" in out
    assert "service: 2 created, 0 updated, 0 skipped, 2 errors" in out

    assert Provider.objects.count() == 2
    assert Site.objects.count() == 1
    assert Service.objects.count() == 2
    # Nothing of a failed record is half-saved.
    assert not Provider.objects.filter(organization__name_zh="错误代码协会").exists()
    assert not Service.objects.filter(name_zh="宠物美容").exists()


def test_imported_records_keep_what_the_source_says(capsys):
    run_import(PARTNER, capsys)

    provider = imported("organization", ORG_A, Provider)
    assert provider.organization.name_en == "Pudong Sunshine Social Work Agency"
    assert provider.organization.credit_code == "523101151538625417"
    # legal status not one of ours: the credit code (52…) says social service agency
    assert provider.legal_form == Provider.LegalForm.SOCIAL_SERVICE_AGENCY
    assert provider.public_phone == "021-50001234"
    visits = imported("service", SERVICE_A, Service)
    assert visits.provider == provider
    assert [c.code for c in visits.categories.all()] == ["basic-living.dibao"]
    assert visits.min_age == 18
    assert visits.languages == ["zh", "wuu"]
    assert (visits.fee_kind, visits.fee_amount) == (Service.FeeKind.PAID, 20)
    assert [a.code for a in visits.areas_covered.all()] == ["310115000000"]
    (site,) = visits.sites.all()
    assert site.district.code == "310115000000"  # geocoded through the offline geocoder
    assert site.opening_hours_zh == "周一至周五 9:00-17:00"
    # Open Eligibility 1375 maps to our legal-aid category.
    legal = imported("service", SERVICE_B, Service)
    assert [c.code for c in legal.categories.all()] == ["social-services.legal-aid"]


def test_new_providers_await_verification_unless_the_source_is_trusted(capsys):
    run_import(PARTNER, capsys)
    assert set(Provider.objects.values_list("status", flat=True)) == {Provider.Status.SUBMITTED}

    run_import(FIXTURES / "nested", capsys, source="trusted", verify=True)
    nested = Provider.objects.get(organization__name_zh="静安长者关爱中心")
    assert nested.status == Provider.Status.VERIFIED
    assert nested.verified_at is not None


def test_a_second_run_creates_nothing_and_writes_nothing(capsys):
    run_import(PARTNER, capsys)
    counts = (Provider.objects.count(), Site.objects.count(), Service.objects.count())
    records = ExternalRecord.objects.count()
    audit_events = AuditEvent.objects.count()

    out, _err = run_import(PARTNER, capsys)

    assert (Provider.objects.count(), Site.objects.count(), Service.objects.count()) == counts
    assert ExternalRecord.objects.count() == records == 5
    assert AuditEvent.objects.count() == audit_events
    # 2 organizations, 1 location, 2 services, 1 link and 3 terms; the bad records again fail.
    assert "Total: 0 created, 0 updated, 9 skipped, 6 errors" in out


def test_a_re_import_updates_changed_names(tmp_path, capsys):
    run_import(PARTNER, capsys)
    changed = tmp_path / "partner"
    shutil.copytree(PARTNER, changed)
    for filename, record_id, name in (
        ("organizations.json", ORG_A, "浦东阳光社会工作服务中心"),
        ("services.json", SERVICE_A, "低保家庭定期探访"),
    ):
        records = json.loads((changed / filename).read_text(encoding="utf-8"))
        next(r for r in records if r["id"] == record_id)["name"] = name
        (changed / filename).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")

    out, _err = run_import(changed, capsys)

    assert "organization: 0 created, 1 updated, 1 skipped" in out
    assert "service: 0 created, 1 updated, 1 skipped" in out
    assert (
        imported("organization", ORG_A, Provider).organization.name_zh == "浦东阳光社会工作服务中心"
    )
    assert imported("service", SERVICE_A, Service).name_zh == "低保家庭定期探访"
    assert Provider.objects.count() == 2
    assert Service.objects.count() == 2


def test_another_source_with_the_same_ids_is_another_directory(capsys):
    run_import(PARTNER, capsys)
    _out, err = run_import(PARTNER, capsys, source="someone-else")

    # Same credit codes: the organizations are already registered, so they are refused.
    assert "organizations[0] id=fec67702-7420-4b58-bde9-2c861d9a5040: credit_code:" in err
    assert Provider.objects.count() == 2


@time_machine.travel(datetime(2025, 2, 1, 12, 0, tzinfo=UTC), tick=False)
def test_services_carry_the_sources_confirmation_date(capsys):
    run_import(PARTNER, capsys)
    run_import(FIXTURES / "nested", capsys, source="trusted")

    visits = imported("service", SERVICE_A, Service)
    assert visits.last_confirmed_at == datetime(2025, 1, 15, 8, 30, tzinfo=UTC)
    undated = imported("service", SERVICE_B, Service)
    assert undated.last_confirmed_at == timezone.now()  # no date in the record: now
    # assured_date (the day the listing was checked) wins over last_modified; a date
    # from the future is not believed.
    day_care = Service.objects.get(name_zh="长者日间照料")
    assert day_care.last_confirmed_at == timezone.now()


def test_unknown_taxonomy_terms_are_reported_not_created(capsys):
    before = NeedCategory.objects.count()

    _out, err = run_import(PARTNER, capsys)

    assert "taxonomy_terms[2] id=5f0c7b0e-2f55-4a43-9d3a-6f1f7f1b9c11: unknown taxonomy term" in err
    assert "'PET-42'" in err
    assert NeedCategory.objects.count() == before


def test_organizations_may_nest_their_services_and_locations(capsys):
    out, err = run_import(FIXTURES / "nested", capsys, source="trusted")

    assert err == ""
    service = Service.objects.get(name_zh="长者日间照料")
    assert service.provider.organization.name_zh == "静安长者关爱中心"
    assert [site.name_zh for site in service.sites.all()] == ["长者日间照料点"]
    assert [c.code for c in service.categories.all()] == ["social-services.elderly-care"]
    assert service.min_age == 60
    assert "Total: 4 created" in out  # organization, location, service and their link


def _load(directory):
    return {
        entity: json.loads((directory / filename).read_text(encoding="utf-8"))
        for entity, filename in FILES.items()
    }


def _summary(exported):
    def terms(service):
        return sorted(
            a["taxonomy_term"]["code"] for a in service["attributes"] if "taxonomy_term" in a
        )

    return {
        "organizations": sorted(
            (o["name"], o["organization_identifiers"][0]["identifier"])
            for o in exported["organization"]
        ),
        "services": sorted((s["name"], tuple(terms(s))) for s in exported["service"]),
        "locations": sorted(
            (loc["name"], loc["addresses"][0]["address_1"]) for loc in exported["location"]
        ),
        "links": len(exported["service_at_location"]),
        "terms": len(exported["taxonomy_term"]),
    }


def test_round_trip_into_a_clean_database(tmp_path, capsys):
    with transaction.atomic():
        public_directory(providers=2, services_per_provider=2)
        call_command("export_hsds", out=str(tmp_path / "ours"), output_format="json")
        transaction.set_rollback(True)  # back to a database without any provider
    assert not Provider.objects.exists()
    exported = _load(tmp_path / "ours")

    out, err = run_import(tmp_path / "ours", capsys, source="old-platform", verify=True)
    call_command("export_hsds", out=str(tmp_path / "again"), output_format="json")

    assert err == ""
    # 2 organizations, 2 locations, 4 services and their 4 links
    assert "Total: 12 created, 0 updated" in out
    again = _load(tmp_path / "again")
    assert {entity: len(records) for entity, records in again.items()} == {
        entity: len(records) for entity, records in exported.items()
    }
    assert _summary(again) == _summary(exported)
