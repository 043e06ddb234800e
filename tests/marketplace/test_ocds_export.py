"""``manage.py export_ocds``: a valid release or record package of the public tenders, to a
file or standard output; and the bundled copy of the standard it is checked against."""

import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from marketplace.ocds import releases as ocds
from tests.factories.marketplace import PublishedTenderFactory, TenderFactory
from tests.marketplace._ocds import STANDARD_DIR, assert_valid
from tests.standards import shared_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenders():
    return [PublishedTenderFactory(), PublishedTenderFactory()]


def test_the_release_package_goes_to_standard_output(tenders, capsys):
    TenderFactory()  # a draft: never exported

    call_command("export_ocds")

    package = json.loads(capsys.readouterr().out)
    assert_valid("release", package)
    assert {release["ocid"] for release in package["releases"]} == {
        ocds.ocid(tender) for tender in tenders
    }
    assert {release["tender"]["id"] for release in package["releases"]} == {
        tender.reference for tender in tenders
    }
    assert package["uri"] == f"{settings.WAGTAILADMIN_BASE_URL}/api/v1/ocds/releases/"


def test_the_record_package_goes_to_a_file(tenders, tmp_path, capsys):
    out = tmp_path / "ocds" / "records.json"

    call_command("export_ocds", records=True, out=str(out), base_url="https://sc.example.gov.cn/")

    package = json.loads(out.read_text(encoding="utf-8"))
    assert_valid("record", package)
    assert len(package["records"]) == 2
    assert package["uri"] == "https://sc.example.gov.cn/api/v1/ocds/records/"
    assert "2 records of 2 tenders" in capsys.readouterr().out


def test_one_tender_by_reference_or_uuid(tenders, capsys):
    first, second = tenders

    call_command("export_ocds", tenders=[first.reference, str(second.uuid)])
    both = json.loads(capsys.readouterr().out)
    call_command("export_ocds", tenders=[first.reference])
    one = json.loads(capsys.readouterr().out)

    assert {r["tender"]["id"] for r in both["releases"]} == {first.reference, second.reference}
    assert {r["tender"]["id"] for r in one["releases"]} == {first.reference}


def test_a_draft_asked_for_by_name_is_refused():
    draft = TenderFactory()

    with pytest.raises(CommandError, match="Only 0 of the 1"):
        call_command("export_ocds", tenders=[draft.reference])


def test_the_same_data_exports_the_same_bytes(tenders, tmp_path):
    call_command("export_ocds", out=str(tmp_path / "a.json"))
    call_command("export_ocds", out=str(tmp_path / "b.json"))

    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_bundled_ocds_schemas_are_the_shared_standard():
    """The copy of OCDS 1.1 shipped with the app is byte-for-byte the project's standard."""
    assert (STANDARD_DIR / "release-package-schema.json").is_file()
    for name in ("bids", "lots", "enquiries", "budget_breakdown"):
        assert (STANDARD_DIR / "extensions" / name / "release-schema.json").is_file()
    shared = shared_standard("ocds")
    for path in shared.rglob("*"):
        if path.is_file():
            bundled = STANDARD_DIR / path.relative_to(shared)
            assert bundled.read_bytes() == path.read_bytes(), path
