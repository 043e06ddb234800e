"""OCDS 1.1 releases of a tender: one per stage, valid against the standard with the bids, lots,
enquiries and budget_breakdown extensions, and never a sealed bid, a price before the envelope
opens, or the name of whoever asked a question."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from marketplace.models import Award, Tender, TenderEvent
from marketplace.ocds import packages
from marketplace.ocds import releases as ocds
from tests.factories.accounts import AgencyFactory
from tests.factories.marketplace import (
    AwardFactory,
    ClarificationFactory,
    ContributionFactory,
    PanelFactory,
    PublishedTenderFactory,
    SubmittedBidFactory,
    TenderFactory,
)
from tests.factories.providers import VerifiedProviderFactory
from tests.marketplace._ocds import assert_valid, problems

pytestmark = pytest.mark.django_db

PRICE = Decimal("432109.87")
OTHER_PRICE = Decimal("398765.43")


def package_of(*tenders, now=None):
    processes = ocds.load(
        ocds.public_processes().filter(pk__in=[tender.pk for tender in tenders]),
        base_url="https://example.org",
        now=now,
    )
    return packages.release_package(processes, uri="https://example.org/api/v1/ocds/releases/")


def record_package_of(*tenders, now=None):
    processes = ocds.load(
        ocds.public_processes().filter(pk__in=[tender.pk for tender in tenders]),
        base_url="https://example.org",
        now=now,
    )
    return packages.record_package(processes, uri="https://example.org/api/v1/ocds/records/")


def latest(package):
    return package["releases"][-1]


def roles_of(release, organization):
    for party in release["parties"]:
        if party["id"] == str(organization.uuid):
            return party["roles"]
    return []


@pytest.fixture
def tender():
    """Open for bids: published 10 days ago, bids close in 10 days, funded before publication."""
    tender = PublishedTenderFactory(
        publish_at=timezone.now() - timedelta(days=10),
        enquiry_deadline=timezone.now() + timedelta(days=5),
    )
    tender.budget.contributions.update(approved_at=timezone.now() - timedelta(days=11))
    return tender


@pytest.fixture
def bidders(tender):
    first = SubmittedBidFactory(tender=tender, price=PRICE)
    second = SubmittedBidFactory(tender=tender, price=OTHER_PRICE)
    return first, second


def after_deadline(tender, hours=1):
    return time_machine.travel(tender.submission_deadline + timedelta(hours=hours), tick=False)


def lock_moderation(tender, at):
    return PanelFactory(tender=tender, quality_locked_at=at)


# --- validity -------------------------------------------------------------------------


def test_a_published_tender_is_a_valid_release_package(tender):
    package = package_of(tender)

    assert_valid("release", package)
    assert [release["tag"] for release in package["releases"]] == [["planning"], ["tender"]]
    release = latest(package)
    assert release["ocid"] == f"ocds-xxxxxx-sc-{tender.uuid}"
    assert release["tender"]["id"] == tender.reference
    assert release["tender"]["status"] == "active"
    assert release["tender"]["value"] == {"amount": 500000.0, "currency": "CNY"}
    assert [lot["id"] for lot in release["tender"]["lots"]] == [str(tender.lots.get().uuid)]
    assert release["tender"]["tenderPeriod"]["endDate"].endswith("+08:00")


def test_every_stage_is_a_release_of_its_own_with_its_own_id_and_date(tender, bidders):
    reviewer = bidders[0].tender.lead_agency
    with after_deadline(tender, hours=48):
        TenderEvent.objects.create(
            tender=tender,
            from_status=Tender.Status.TENDERING,
            to_status=Tender.Status.EVALUATION,
            at=tender.submission_deadline + timedelta(minutes=1),
        )
        lock_moderation(tender, at=timezone.now() - timedelta(hours=24))
        AwardFactory(
            bid=bidders[1],
            status=Award.Status.APPROVED,
            approved_at=timezone.now() - timedelta(hours=2),
            notice_published_at=timezone.now() - timedelta(hours=2),
        )
        package = package_of(tender)

    assert_valid("release", package)
    releases = package["releases"]
    assert [release["tag"] for release in releases] == [
        ["planning"],
        ["tender"],
        ["tenderUpdate"],  # bids closed: the tender moved to evaluation
        ["tenderUpdate"],  # prices opened
        ["award"],
    ]
    ids = [release["id"] for release in releases]
    assert len(set(ids)) == len(ids)
    dates = [release["date"] for release in releases]
    assert dates == sorted(dates)
    assert releases[0]["buyer"]["id"] == str(reviewer.uuid)


def test_the_schema_check_rejects_what_the_standard_rejects(tender):
    """Otherwise the validity tests prove nothing."""
    package = package_of(tender)
    release = latest(package)
    release.pop("ocid")
    release["date"] = "2026-03-01 17:00"  # no T, no offset
    release["tender"]["lots"][0]["status"] = "open"
    release["tender"]["enquiries"] = [{"id": "1", "date": "yesterday"}]
    release["planning"]["budget"]["budgetBreakdown"] = [{"description": "no id"}]
    release["bids"] = {"details": [{"value": {"amount": "much", "currency": "CNY"}}]}

    found = " ".join(problems("release", package))

    assert "'ocid' is a required property" in found
    assert "is not a 'date-time'" in found
    assert "'open' is not one of" in found
    assert "'id' is a required property" in found
    assert "'much' is not of type 'number'" in found


# --- sealed bids --------------------------------------------------------------------


def test_a_sealed_tender_publishes_no_bids_no_prices_and_no_bidders(tender, bidders):
    text = json.dumps(package_of(tender), ensure_ascii=False)
    record_text = json.dumps(record_package_of(tender), ensure_ascii=False)

    for published in (text, record_text):
        assert '"bids"' not in published
        assert "432109.87" not in published and "398765.43" not in published
        assert '"tenderer"' not in published
        for bid in bidders:
            assert str(bid.uuid) not in published
            assert bid.provider.organization.name_zh not in published
            assert str(bid.provider.organization.uuid) not in published


def test_after_the_deadline_the_number_of_bids_per_lot_appears_but_no_price(tender, bidders):
    with after_deadline(tender):
        package = package_of(tender)

    assert_valid("release", package)
    release = latest(package)
    assert release["tag"] == ["tenderUpdate"]
    assert release["bids"]["statistics"] == [
        {
            "id": "1-bids",
            "measure": "bids",
            "date": timezone.localtime(tender.submission_deadline).isoformat(timespec="seconds"),
            "value": 2,
            "relatedLot": str(tender.lots.get().uuid),
        }
    ]
    assert "details" not in release["bids"]
    text = json.dumps(package, ensure_ascii=False)
    assert "432109.87" not in text
    assert bidders[0].provider.organization.name_zh not in text


def test_once_the_chair_locks_moderation_each_bid_appears_with_its_tenderer_and_price(
    tender, bidders
):
    with after_deadline(tender, hours=30):
        lock_moderation(tender, at=timezone.now() - timedelta(hours=2))
        package = package_of(tender)

    assert_valid("release", package)
    release = latest(package)
    details = {bid["id"]: bid for bid in release["bids"]["details"]}
    first = details[str(bidders[0].uuid)]
    assert first["value"] == {"amount": 432109.87, "currency": "CNY"}
    assert first["tenderers"] == [
        {
            "id": str(bidders[0].provider.organization.uuid),
            "name": bidders[0].provider.organization.name_zh,
        }
    ]
    assert first["relatedLots"] == [str(tender.lots.get().uuid)]
    assert release["tender"]["numberOfTenderers"] == 2
    for bid in bidders:
        assert roles_of(release, bid.provider.organization) == ["tenderer"]
    # The release that closed the bids still shows no price: it is dated before the lock.
    closed = package["releases"][-2]
    assert "details" not in closed["bids"]


def test_bid_responses_never_leave_through_ocds(tender, bidders):
    from marketplace.models import BidResponse

    BidResponse.objects.create(
        bid=bidders[0], criterion=tender.criteria.get(kind="quality"), text="我们的秘密服务方案"
    )
    with after_deadline(tender, hours=30):
        lock_moderation(tender, at=timezone.now() - timedelta(hours=2))
        text = json.dumps(record_package_of(tender), ensure_ascii=False)

    assert "我们的秘密服务方案" not in text


def test_draft_and_withdrawn_bids_are_never_published(tender):
    from tests.factories.marketplace import BidFactory

    draft = BidFactory(tender=tender, price=Decimal("111111.11"))
    with after_deadline(tender, hours=30):
        lock_moderation(tender, at=timezone.now() - timedelta(hours=2))
        text = json.dumps(package_of(tender), ensure_ascii=False)

    assert "111111.11" not in text
    assert str(draft.uuid) not in text


# --- parties, budget, enquiries, awards ----------------------------------------------------


def test_funders_are_parties_with_the_funder_role_and_a_budget_breakdown_each(tender):
    partner = AgencyFactory(name_zh="区残联")
    charity = AgencyFactory(name_zh="市慈善基金会")
    ContributionFactory(budget=tender.budget, funder=partner, amount=Decimal("300000.00"))
    ContributionFactory(
        budget=tender.budget,
        funder=charity,
        amount=Decimal("200000.00"),
        source="charity_donation",
    )

    package = package_of(tender)
    release = latest(package)

    assert_valid("release", package)
    # Pledged after publication: each is a planning update of its own.
    assert [r["tag"] for r in package["releases"]][-2:] == [["planningUpdate"]] * 2
    assert "funder" not in roles_of(package["releases"][1], partner)
    assert roles_of(release, tender.lead_agency) == [
        "buyer",
        "procuringEntity",
        "funder",
        "sourceParty",
    ]
    assert roles_of(release, partner) == ["funder", "sourceParty"]
    assert roles_of(release, charity) == ["funder", "sourceParty"]
    breakdown = release["planning"]["budget"]["budgetBreakdown"]
    assert {line["sourceParty"]["id"]: line["amount"]["amount"] for line in breakdown} == {
        str(tender.lead_agency.uuid): 500000.0,
        str(partner.uuid): 300000.0,
        str(charity.uuid): 200000.0,
    }
    assert release["planning"]["budget"]["amount"] == {"amount": 1000000.0, "currency": "CNY"}


def test_money_earmarked_for_other_services_does_not_fund_the_tender(tender):
    from tests.factories.taxonomy import need_category

    earmarked = AgencyFactory()
    ContributionFactory(
        budget=tender.budget,
        funder=earmarked,
        earmarked_categories=[need_category("basic-living.dibao")],
    )

    release = latest(package_of(tender))

    assert roles_of(release, earmarked) == []


def test_enquiries_carry_question_and_answer_but_never_the_asker(tender):
    asker = VerifiedProviderFactory()
    ClarificationFactory(
        tender=tender,
        asked_by_organization=asker.organization,
        question="是否接受联合体投标？",
        answer="不接受。",
        answered_at=timezone.now(),
        published=True,
    )
    ClarificationFactory(tender=tender, asked_by_organization=asker.organization, question="未答复")

    package = package_of(tender)
    release = latest(package)

    assert_valid("release", package)
    enquiries = release["tender"]["enquiries"]
    assert [(e["description"], e["answer"]) for e in enquiries] == [
        ("是否接受联合体投标？", "不接受。")
    ]
    assert "author" not in enquiries[0]
    assert release["tender"]["hasEnquiries"] is True
    text = json.dumps(package, ensure_ascii=False)
    assert "未答复" not in text
    assert asker.organization.name_zh not in text
    assert str(asker.organization.uuid) not in text
    assert "enquirer" not in text


def test_an_award_release_names_the_supplier_and_the_value(tender, bidders):
    winner = bidders[1]
    with after_deadline(tender, hours=72):
        lock_moderation(tender, at=timezone.now() - timedelta(hours=48))
        AwardFactory(
            bid=winner,
            value=OTHER_PRICE,
            status=Award.Status.APPROVED,
            approved_at=timezone.now() - timedelta(hours=1),
            notice_published_at=timezone.now() - timedelta(hours=1),
        )
        package = package_of(tender)

    assert_valid("release", package)
    release = latest(package)
    assert release["tag"] == ["award"]
    (award,) = release["awards"]
    assert award["status"] == "pending"  # standstill
    assert award["value"] == {"amount": 398765.43, "currency": "CNY"}
    assert award["suppliers"] == [
        {"id": str(winner.provider.organization.uuid), "name": winner.provider.organization.name_zh}
    ]
    assert award["relatedLots"] == [str(tender.lots.get().uuid)]
    assert award["relatedBid"] == str(winner.uuid)
    assert roles_of(release, winner.provider.organization) == ["tenderer", "supplier"]


def test_a_recommended_award_is_not_published_before_approval(tender, bidders):
    with after_deadline(tender, hours=72):
        lock_moderation(tender, at=timezone.now() - timedelta(hours=48))
        AwardFactory(bid=bidders[1])
        package = package_of(tender)

    assert all("awards" not in release for release in package["releases"])


def test_a_confirmed_award_is_an_award_update_with_status_active(tender, bidders):
    with after_deadline(tender, hours=24 * 20):
        lock_moderation(tender, at=timezone.now() - timedelta(days=15))
        AwardFactory(
            bid=bidders[0],
            status=Award.Status.CONFIRMED,
            approved_at=timezone.now() - timedelta(days=12),
            notice_published_at=timezone.now() - timedelta(days=12),
            confirmed_at=timezone.now() - timedelta(days=1),
        )
        package = package_of(tender)

    assert_valid("release", package)
    assert [release["tag"] for release in package["releases"]][-2:] == [["award"], ["awardUpdate"]]
    assert latest(package)["awards"][0]["status"] == "active"
    assert package["releases"][-2]["awards"][0]["status"] == "pending"


# --- amendments and cancellation -------------------------------------------------------


def test_an_amendment_is_a_release_and_earlier_releases_keep_the_earlier_deadline(tender):
    from marketplace import services
    from tests.factories.marketplace import commissioner_of

    before = tender.submission_deadline
    services.amend_tender(
        tender=tender,
        summary="延长投标截止时间",
        summary_en="Bids close later",
        is_material=False,
        new_values={"submission_deadline": before + timedelta(days=7)},
        actor=commissioner_of(tender.lead_agency),
    )

    package = package_of(tender)

    assert_valid("release", package)
    tender_release, amendment_release = package["releases"][1:]
    assert amendment_release["tag"] == ["tenderAmendment"]
    assert amendment_release["tender"]["amendments"][0]["rationale_en"] == "Bids close later"
    assert amendment_release["tender"]["tenderPeriod"]["endDate"] == timezone.localtime(
        before + timedelta(days=7)
    ).isoformat(timespec="seconds")
    assert tender_release["tender"]["tenderPeriod"]["endDate"] == timezone.localtime(
        before
    ).isoformat(timespec="seconds")
    assert "amendments" not in tender_release["tender"]


def test_a_cancellation_is_a_tender_cancellation_release(tender):
    from marketplace import services
    from tests.factories.marketplace import commissioner_of

    services.cancel_tender(
        tender=tender, reason="需求变更", actor=commissioner_of(tender.lead_agency)
    )

    package = package_of(tender)

    assert_valid("release", package)
    assert latest(package)["tag"] == ["tenderCancellation"]
    assert latest(package)["tender"]["status"] == "cancelled"


# --- what is published at all ---------------------------------------------------------


def test_drafts_are_never_published():
    draft = TenderFactory()

    assert package_of(draft)["releases"] == []


@override_settings(OCDS_OCID_PREFIX="ocds-abc123")
def test_the_ocid_uses_the_configured_prefix(tender):
    assert latest(package_of(tender))["ocid"] == f"ocds-abc123-{tender.uuid}"


def test_texts_are_chinese_with_english_variants(tender):
    release = latest(package_of(tender))

    assert release["language"] == "zh"
    assert release["tender"]["title"] == tender.title_zh
    assert release["tender"]["title_en"] == tender.title_en


# --- records -----------------------------------------------------------------------


def test_a_record_holds_every_release_and_the_compiled_release(tender, bidders):
    with after_deadline(tender, hours=30):
        lock_moderation(tender, at=timezone.now() - timedelta(hours=2))
        AwardFactory(
            bid=bidders[0],
            status=Award.Status.APPROVED,
            approved_at=timezone.now() - timedelta(hours=1),
            notice_published_at=timezone.now() - timedelta(hours=1),
        )
        package = record_package_of(tender)

    assert_valid("record", package)
    (record,) = package["records"]
    assert record["ocid"] == ocds.ocid(tender)
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["date"] == record["releases"][-1]["date"]
    assert [award["id"] for award in compiled["awards"]] == [str(bidders[0].awards.get().uuid)]
    assert {bid["id"] for bid in compiled["bids"]["details"]} == {str(b.uuid) for b in bidders}
    party_ids = [party["id"] for party in compiled["parties"]]
    assert len(party_ids) == len(set(party_ids))
