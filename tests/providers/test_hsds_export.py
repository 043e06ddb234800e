"""HSDS 3.0 export: every file validates against the standard's schemas, holds only public
data, and is the same every time for the same data."""

import csv
import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from providers.hsds import vocabulary
from tests.providers._hsds_factories import (
    DOCUMENT_TITLE,
    FILES,
    STAFF_EMAIL,
    STAFF_USERNAME,
    STANDARD_DIR,
    assert_valid,
    public_directory,
    validator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    return public_directory(providers=2, services_per_provider=2)


def export(tmp_path, output_format="json"):
    call_command("export_hsds", out=str(tmp_path), output_format=output_format, stdout=None)
    return {
        entity: json.loads((tmp_path / filename).read_text(encoding="utf-8"))
        for entity, filename in FILES.items()
        if (tmp_path / filename).exists()
    }


def test_every_exported_record_validates_against_the_hsds_schemas(directory, tmp_path):
    exported = export(tmp_path)

    assert len(exported["organization"]) == 2
    assert len(exported["service"]) == 4
    assert len(exported["location"]) == 2
    assert len(exported["service_at_location"]) == 4
    assert exported["taxonomy_term"]
    for entity, records in exported.items():
        for record in records:
            assert_valid(entity, record)


def test_assured_date_is_the_day_in_shanghai_not_in_utc(directory, tmp_path):
    """17:00 UTC on the 23rd is already the 24th in Shanghai."""
    service = directory.services[0]
    late_evening_utc = datetime.datetime(2026, 11, 23, 17, 0, tzinfo=datetime.UTC)
    type(service).objects.filter(pk=service.pk).update(last_confirmed_at=late_evening_utc)

    services = {s["id"]: s for s in export(tmp_path)["service"]}

    assert services[str(service.uuid)]["assured_date"] == "2026-11-24"


def test_the_schema_check_rejects_what_the_standard_rejects():
    """Otherwise the test above would prove nothing."""
    errors = list(validator("organization").iter_errors({"id": "not-a-uuid", "description": ""}))
    messages = " ".join(error.message for error in errors)
    assert "'name' is a required property" in messages
    assert "is not a 'uuid'" in messages
    assert list(validator("location").iter_errors({"id": "5f0c7b0e-2f55-4a43-9d3a-6f1f7f1b9c11"}))
    bad_address = {
        "id": "5f0c7b0e-2f55-4a43-9d3a-6f1f7f1b9c11",
        "location_type": "physical",
        "addresses": [{"id": "5f0c7b0e-2f55-4a43-9d3a-6f1f7f1b9c12", "address_1": "x"}],
    }
    assert list(validator("location").iter_errors(bad_address)), "references must resolve"


def test_export_prints_counts_and_is_reproducible(directory, tmp_path, capsys):
    call_command("export_hsds", out=str(tmp_path / "a"), output_format="json")
    output = capsys.readouterr().out
    assert "organizations.json: 2 records" in output
    assert "services.json: 4 records" in output
    call_command("export_hsds", out=str(tmp_path / "b"), output_format="json")
    for filename in FILES.values():
        first = (tmp_path / "a" / filename).read_bytes()
        assert first == (tmp_path / "b" / filename).read_bytes(), filename


def test_only_public_data_is_exported(directory, tmp_path):
    call_command("export_hsds", out=str(tmp_path), output_format="both")
    text = "".join(path.read_text(encoding="utf-8") for path in tmp_path.rglob("*.*"))

    for name in ("draft_provider", "suspended_provider"):
        assert str(directory.hidden[name].uuid) not in text
    for name in ("draft_site", "draft_service", "unconfirmed_service", "withdrawn_service"):
        assert str(directory.hidden[name].uuid) not in text
    assert DOCUMENT_TITLE not in text
    assert STAFF_USERNAME not in text
    assert STAFF_EMAIL not in text
    assert str(directory.hidden["document"].uuid) not in text


def test_organization_carries_the_credit_code_as_an_identifier(directory, tmp_path):
    organizations = {o["id"]: o for o in export(tmp_path)["organization"]}
    provider = directory.provider
    organization = organizations[str(provider.uuid)]

    assert organization["name"] == provider.organization.name_zh
    assert organization["alternate_name"] == provider.organization.name_en
    assert organization["organization_identifiers"] == [
        {
            "id": vocabulary.stable_id("organization-identifier", provider.uuid, "CN-USCC"),
            "organization_id": str(provider.uuid),
            "identifier_scheme": "CN-USCC",
            "identifier_type": "Unified Social Credit Code",
            "identifier": provider.organization.credit_code,
        }
    ]
    assert organization["email"] == provider.public_email


def test_service_maps_eligibility_fees_languages_areas_and_categories(directory, tmp_path):
    services = {s["id"]: s for s in export(tmp_path)["service"]}
    service = services[str(directory.services[0].uuid)]

    assert service["organization_id"] == str(directory.provider.uuid)
    assert service["status"] == "active"
    assert (service["minimum_age"], service["maximum_age"]) == (18, 80)
    assert "Ages 18 to 80" in service["eligibility_description"]
    assert "Women and girls" in service["eligibility_description"]
    assert "Dibao" in service["eligibility_description"]
    assert service["cost_options"][0]["currency"] == "CNY"
    assert service["cost_options"][0]["amount"] == 30.0
    assert [language["code"] for language in service["languages"]] == ["zh", "wuu"]
    assert service["service_areas"][0]["extent"] == "310115000000"
    assert service["service_areas"][0]["name"] == "浦东新区"
    # Dates are the date in Shanghai, not in UTC (the CI machine runs on UTC).
    expected = timezone.localdate(directory.services[0].last_confirmed_at)
    assert service["assured_date"] == expected.isoformat()
    terms = {
        (a["link_type"], a["taxonomy_term"]["code"])
        for a in service["attributes"]
        if "taxonomy_term" in a
    }
    assert ("need_category", "basic-living.dibao") in terms
    assert ("need_category", "social-services.legal-aid") in terms
    assert ("service_tier", "development") in terms
    # The Open Eligibility crosswalk: dibao → 1107 Money, legal aid → 1375.
    assert ("open_eligibility", "1107") in terms
    assert ("open_eligibility", "1375") in terms
    modes = {a["value"] for a in service["attributes"] if a["link_type"] == "delivery_mode"}
    assert modes == {"at_site", "home_visit"}
    dibao_attribute = next(
        a
        for a in service["attributes"]
        if a.get("taxonomy_term", {}).get("code") == "basic-living.dibao"
    )
    assert dibao_attribute["taxonomy_term_id"] == vocabulary.stable_id(
        vocabulary.NEED_CATEGORY_TAXONOMY, "basic-living.dibao"
    )


def test_location_has_a_chinese_address_hours_and_accessibility(directory, tmp_path):
    locations = {loc["id"]: loc for loc in export(tmp_path)["location"]}
    site = directory.sites[0]
    location = locations[str(site.uuid)]

    assert location["location_type"] == "physical"
    assert location["organization_id"] == str(site.provider.uuid)
    assert location["latitude"] == float(site.latitude)
    (address,) = location["addresses"]
    assert address["address_1"] == site.address
    assert (address["city"], address["region"], address["state_province"]) == (
        "上海市",
        "浦东新区",
        "上海市",
    )
    assert address["country"] == "CN"
    assert address["postal_code"] == ""  # required by HSDS, unknown to us: not invented
    assert location["schedules"][0]["description"] == "周一至周五 9:00-17:00"
    assert "wheelchair" in location["accessibility"][0]["description"]
    assert location["accessibility"][0]["details"] == "入口有坡道"


def test_taxonomy_terms_have_stable_ids_and_the_tree(directory, tmp_path):
    terms = {term["code"]: term for term in export(tmp_path)["taxonomy_term"]}

    dibao, group = terms["basic-living.dibao"], terms["basic-living"]
    assert dibao["id"] == vocabulary.stable_id(
        vocabulary.NEED_CATEGORY_TAXONOMY, "basic-living.dibao"
    )
    assert dibao["parent_id"] == group["id"]
    assert "parent_id" not in group
    assert dibao["taxonomy"] == "socialcommissioning-need-category"
    assert terms["1107"]["taxonomy"] == "Open Eligibility"
    assert terms["survival"]["taxonomy"] == "socialcommissioning-service-tier"


def test_tabular_package_follows_the_standard_data_package(directory, tmp_path):
    call_command("export_hsds", out=str(tmp_path), output_format="tabular")
    standard = json.loads((STANDARD_DIR / "datapackage.json").read_text(encoding="utf-8"))
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == [r["name"] for r in standard["resources"]]

    tables = {}
    for resource in standard["resources"]:
        with (tmp_path / resource["path"]).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == [f["name"] for f in resource["schema"]["fields"]]
            tables[resource["name"]] = list(reader)

    assert len(tables["organization"]) == 2
    assert len(tables["service"]) == 4
    assert len(tables["location"]) == 2
    assert len(tables["service_at_location"]) == 4
    assert {row["organization_id"] for row in tables["service"]} == {
        row["id"] for row in tables["organization"]
    }
    assert len(tables["address"]) == 2
    assert all(row["location_id"] for row in tables["address"])
    identifiers = {row["identifier"] for row in tables["organization_identifier"]}
    assert directory.provider.organization.credit_code in identifiers
    assert all(row["link_id"] for row in tables["attribute"])
    assert {row["code"] for row in tables["taxonomy_term"]} >= {"basic-living.dibao", "1107"}
    # Each row is unique by id, whatever nesting it was found in.
    for name, rows in tables.items():
        assert len({row["id"] for row in rows}) == len(rows), name
