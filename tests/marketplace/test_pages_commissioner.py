"""The lead agency's pages: pooled budgets and their ledger, contributions and the funder's
approval, drafting tenders with lots and criteria, documents, publishing, amending,
cancelling and answering questions. Other agencies, providers and caseworkers get 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from marketplace import services
from marketplace.models import (
    Amendment,
    Commitment,
    Contribution,
    PooledBudget,
    Tender,
)
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    ClarificationFactory,
    ContributionFactory,
    PendingContributionFactory,
    PooledBudgetFactory,
    PublishedTenderFactory,
    TenderFactory,
    commissioner_of,
    finance_of,
)
from tests.factories.places import shanghai_district
from tests.factories.providers import PDF_BYTES, VerifiedProviderFactory, provider_admin_of

pytestmark = pytest.mark.django_db

MOMENT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def agency():
    return AgencyFactory(name_en="Municipal Civil Affairs Bureau")


@pytest.fixture
def commissioner(agency):
    return commissioner_of(agency, username="commissioner")


@pytest.fixture
def budget(agency):
    budget = PooledBudgetFactory(lead_agency=agency, name_en="Joint elderly care fund")
    ContributionFactory(budget=budget, amount=Decimal("2000000.00"))
    return budget


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- who may open the pages ------------------------------------------------------------


def test_people_without_an_agency_money_role_get_404_on_budget_pages(client_en, budget):
    pages = [
        reverse("marketplace:budget_list"),
        reverse("marketplace:budget_detail", args=[budget.uuid]),
        reverse("marketplace:approvals"),
        reverse("marketplace:manage_tenders"),
    ]
    for person in (
        user_with_role(Role.CASEWORKER, budget.lead_agency),
        provider_admin_of(VerifiedProviderFactory()),
    ):
        signed_in(client_en, person)
        for url in pages:
            assert client_en.get(url).status_code == 404, (person, url)


def test_anonymous_visitors_are_sent_to_sign_in(client_en, budget):
    response = client_en.get(reverse("marketplace:budget_detail", args=[budget.uuid]))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_another_agency_gets_404_on_a_budget_and_a_tender(client_en, budget):
    tender = TenderFactory(lead_agency=budget.lead_agency, budget=budget)
    signed_in(client_en, commissioner_of(AgencyFactory()))

    for url in (
        reverse("marketplace:budget_detail", args=[budget.uuid]),
        reverse("marketplace:manage_tender", args=[tender.uuid]),
        reverse("marketplace:tender_edit", args=[tender.uuid]),
        reverse("marketplace:tender_documents", args=[tender.uuid]),
        reverse("marketplace:tender_questions", args=[tender.uuid]),
        reverse("marketplace:tender_bids", args=[tender.uuid]),
        reverse("marketplace:panel_setup", args=[tender.uuid]),
        reverse("marketplace:tender_awards", args=[tender.uuid]),
    ):
        assert client_en.get(url).status_code == 404, url
    assert (
        client_en.post(reverse("marketplace:tender_publish", args=[tender.uuid])).status_code == 404
    )
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.DRAFT


def test_finance_officers_follow_the_agency_tenders_but_cannot_change_them(client_en, budget):
    tender = TenderFactory(lead_agency=budget.lead_agency, budget=budget)
    signed_in(client_en, finance_of(budget.lead_agency))

    assert (
        client_en.get(reverse("marketplace:manage_tender", args=[tender.uuid])).status_code == 200
    )
    assert client_en.get(reverse("marketplace:tender_edit", args=[tender.uuid])).status_code == 404
    assert (
        client_en.post(reverse("marketplace:tender_publish", args=[tender.uuid])).status_code == 404
    )


# --- budgets -------------------------------------------------------------------------


def test_a_commissioner_creates_a_pooled_budget(client_en, agency, commissioner):
    signed_in(client_en, commissioner)
    year = timezone.localdate().year

    response = client_en.post(
        reverse("marketplace:budget_create"),
        {
            "lead_agency": agency.pk,
            "name_zh": "养老服务联合资金池",
            "name_en": "Elderly care pool",
            "first_year": year,
            "last_year": year + 1,
        },
    )

    budget = PooledBudget.objects.get(name_zh="养老服务联合资金池")
    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:budget_detail", args=[budget.uuid])
    assert budget.lead_agency == agency


def test_a_budget_whose_years_are_backwards_comes_back_with_the_message(
    client_en, agency, commissioner
):
    signed_in(client_en, commissioner)

    response = client_en.post(
        reverse("marketplace:budget_create"),
        {"lead_agency": agency.pk, "name_zh": "资金池", "first_year": 2030, "last_year": 2028},
    )

    assert response.status_code == 400
    assert "The last fiscal year cannot be before the first." in text(response)
    assert not PooledBudget.objects.exists()


def test_the_ledger_shows_where_each_funder_share_went(client_en, agency, commissioner):
    budget = PooledBudgetFactory(lead_agency=agency)
    health = AgencyFactory(name_en="Health Commission")
    charity = AgencyFactory(name_en="Charity Federation")
    own = ContributionFactory(budget=budget, amount=Decimal("600000.00"))
    ContributionFactory(budget=budget, funder=health, amount=Decimal("300000.00"))
    PendingContributionFactory(budget=budget, funder=charity, amount=Decimal("100000.00"))
    Commitment.objects.create(
        budget=budget, contribution=own, amount=Decimal("150000.00"), kind="committed"
    )
    Commitment.objects.create(
        budget=budget, contribution=own, amount=Decimal("40000.00"), kind="spent"
    )
    signed_in(client_en, commissioner)

    page = text(client_en.get(reverse("marketplace:budget_detail", args=[budget.uuid])))

    assert "Health Commission" in page and "Charity Federation" in page
    for amount in ("¥600,000.00", "¥150,000.00", "¥40,000.00", "¥450,000.00", "¥300,000.00"):
        assert amount in page, amount
    assert "¥100,000.00" in page  # awaiting approval: shown, not counted
    assert "¥750,000.00" in page  # available in total


def test_a_partner_funder_sees_the_budget_it_contributes_to(client_en, budget):
    partner = AgencyFactory()
    ContributionFactory(budget=budget, funder=partner, amount=Decimal("1000.00"))
    signed_in(client_en, finance_of(partner))

    assert (
        client_en.get(reverse("marketplace:budget_detail", args=[budget.uuid])).status_code == 200
    )
    assert budget.name_en in text(client_en.get(reverse("marketplace:budget_list")))


def test_the_lead_commissioner_records_a_partner_pledge_awaiting_its_approval(
    client_en, budget, commissioner
):
    partner = AgencyFactory(name_en="District Disabled Persons' Federation")
    signed_in(client_en, commissioner)

    response = client_en.post(
        reverse("marketplace:contribution_add", args=[budget.uuid]),
        {
            "contribution-funder": partner.pk,
            "contribution-amount": "250000",
            "contribution-year": budget.first_year,
            "contribution-source": Contribution.Source.WELFARE_LOTTERY,
            "contribution-earmarked_categories": ["social-services.elderly-care"],
        },
    )

    assert response.status_code == 302
    contribution = Contribution.objects.get(funder=partner)
    assert contribution.status == Contribution.Status.PENDING
    assert contribution.amount == Decimal("250000.00")
    assert [c.code for c in contribution.earmarked_categories.all()] == [
        "social-services.elderly-care"
    ]
    page = text(client_en.get(response["Location"]))
    assert "Awaiting the funder&#x27;s approval" in page or "Awaiting the funder's approval" in page


def test_a_contribution_for_a_year_outside_the_budget_is_refused_next_to_the_field(
    client_en, budget, commissioner
):
    signed_in(client_en, commissioner)

    response = client_en.post(
        reverse("marketplace:contribution_add", args=[budget.uuid]),
        {
            "contribution-funder": budget.lead_agency.pk,
            "contribution-amount": "-5",
            "contribution-year": budget.first_year,
            "contribution-source": Contribution.Source.GENERAL_BUDGET,
        },
    )

    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0.01." in text(response)


def test_the_funder_finance_officer_approves_its_contribution_from_the_queue(client_en, budget):
    partner = AgencyFactory()
    pledge = PendingContributionFactory(budget=budget, funder=partner, amount=Decimal("8800.00"))
    finance = finance_of(partner)
    signed_in(client_en, finance)

    queue = text(client_en.get(reverse("marketplace:approvals")))
    assert "¥8,800.00" in queue

    response = client_en.post(
        reverse("marketplace:contribution_approve", args=[pledge.uuid]), {"next": "approvals"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:approvals")
    pledge.refresh_from_db()
    assert pledge.status == Contribution.Status.APPROVED
    assert pledge.approved_by == finance


def test_nobody_but_the_funder_finance_officer_approves_a_contribution(client_en, budget):
    partner = AgencyFactory()
    pledge = PendingContributionFactory(budget=budget, funder=partner)
    url = reverse("marketplace:contribution_approve", args=[pledge.uuid])

    for person in (
        commissioner_of(budget.lead_agency),  # the lead agency cannot pledge others' money
        finance_of(budget.lead_agency),
        finance_of(AgencyFactory()),
    ):
        signed_in(client_en, person)
        assert client_en.post(url).status_code == 404
    pledge.refresh_from_db()
    assert pledge.status == Contribution.Status.PENDING


# --- drafting a tender -------------------------------------------------------------------


def tender_form_data(budget, *, weights=(40, 40, 10, 10), **overrides):
    now = timezone.localtime()
    enquiry = now + timedelta(days=10)
    submission = now + timedelta(days=20)
    start = (submission + timedelta(days=30)).date()
    district = shanghai_district()
    data = {
        "budget": budget.pk,
        "title_zh": "高龄独居老人居家照护",
        "title_en": "Home care for older people living alone",
        "description_zh": "上门照护、助餐与精神慰藉。",
        "description_en": "Home visits, meals and companionship.",
        "categories": ["social-services.elderly-care"],
        "areas": [district.code],
        "max_value": "500000",
        "procurement_method": "open",
        "require_verified": "on",
        "min_certified_social_workers": "2",
        "require_valid_documents": "on",
        "enquiry_deadline": enquiry.strftime(MOMENT),
        "submission_deadline": submission.strftime(MOMENT),
        "contract_start": start.isoformat(),
        "contract_end": start.replace(year=start.year + 1).isoformat(),
        "standstill_days": "10",
        "lots-TOTAL_FORMS": "2",
        "lots-INITIAL_FORMS": "0",
        "lots-MIN_NUM_FORMS": "1",
        "lots-MAX_NUM_FORMS": "1000",
        "lots-0-title_zh": "浦东片区",
        "lots-0-title_en": "Pudong",
        "lots-0-max_value": "300000",
        "lots-1-title_zh": "徐汇片区",
        "lots-1-max_value": "200000",
        "criteria-TOTAL_FORMS": "4",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    kinds = ("price", "quality", "past_performance", "social_value")
    for index, (kind, weight) in enumerate(zip(kinds, weights, strict=True)):
        data[f"criteria-{index}-kind"] = kind
        data[f"criteria-{index}-name_zh"] = f"标准{index}"
        data[f"criteria-{index}-weight"] = str(weight)
    data.update(overrides)
    return data


def test_a_commissioner_drafts_a_tender_with_lots_and_criteria(client_en, budget, commissioner):
    signed_in(client_en, commissioner)
    assert client_en.get(reverse("marketplace:tender_create")).status_code == 200

    response = client_en.post(reverse("marketplace:tender_create"), tender_form_data(budget))

    tender = Tender.objects.get()
    assert response.status_code == 302, text(response)
    assert response["Location"] == reverse("marketplace:manage_tender", args=[tender.uuid])
    assert tender.status == Tender.Status.DRAFT
    assert [lot.title_zh for lot in tender.lots.all()] == ["浦东片区", "徐汇片区"]
    assert sorted(c.weight for c in tender.criteria.all()) == [10, 10, 40, 40]
    assert tender.min_certified_social_workers == 2
    assert tender.lead_agency == budget.lead_agency


def test_weights_that_do_not_add_up_to_100_are_refused_with_the_message(
    client_en, budget, commissioner
):
    signed_in(client_en, commissioner)

    response = client_en.post(
        reverse("marketplace:tender_create"), tender_form_data(budget, weights=(40, 30, 10, 10))
    )

    page = text(response)
    assert response.status_code == 400
    assert "The weights add up to 90; they must add up to 100." in page
    assert 'id="criteria-errors"' in page  # next to the criteria, not only at the top
    assert not Tender.objects.exists()


def test_a_deadline_in_the_past_is_refused_next_to_its_field(client_en, budget, commissioner):
    signed_in(client_en, commissioner)
    past = (timezone.localtime() - timedelta(days=1)).strftime(MOMENT)

    response = client_en.post(
        reverse("marketplace:tender_create"),
        tender_form_data(budget, enquiry_deadline=past),
    )

    page = text(response)
    assert response.status_code == 400
    assert "This deadline for questions has already passed." in page
    assert 'id="id_enquiry_deadline_error"' in page


def test_a_maximum_value_above_the_money_available_is_refused(client_en, budget, commissioner):
    signed_in(client_en, commissioner)

    response = client_en.post(
        reverse("marketplace:tender_create"),
        tender_form_data(budget, max_value="9000000", **{"lots-0-max_value": "100"}),
    )

    assert response.status_code == 400
    assert "still available in the pooled budget" in text(response)


def test_a_commissioner_without_a_budget_is_sent_to_create_one(client_en, commissioner):
    signed_in(client_en, commissioner)

    response = client_en.get(reverse("marketplace:tender_create"))

    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:budget_list")


def test_a_draft_is_edited_and_a_published_tender_is_sent_to_amendment(
    client_en, budget, commissioner
):
    signed_in(client_en, commissioner)
    client_en.post(reverse("marketplace:tender_create"), tender_form_data(budget))
    tender = Tender.objects.get()
    edit_url = reverse("marketplace:tender_edit", args=[tender.uuid])
    assert "Home care for older people living alone" in text(client_en.get(edit_url))
    data = tender_form_data(budget, title_en="Renamed tender")
    # As the browser sends it back: the saved rows are initial forms; one lot is deleted.
    data.update(
        {
            "lots-INITIAL_FORMS": "2",
            "lots-0-max_value": "500000",
            "lots-1-DELETE": "on",
            "criteria-INITIAL_FORMS": "4",
        }
    )

    response = client_en.post(edit_url, data)

    tender.refresh_from_db()
    assert response.status_code == 302, text(response)
    assert tender.title_en == "Renamed tender"
    assert tender.lots.count() == 1

    services.publish_tender(tender=tender, actor=commissioner)
    redirected = client_en.get(edit_url)
    assert redirected.status_code == 302
    assert redirected["Location"] == reverse("marketplace:amend_tender", args=[tender.uuid])


def test_publishing_from_the_overview(client_en, budget, commissioner):
    tender = TenderFactory(lead_agency=budget.lead_agency, budget=budget)
    signed_in(client_en, commissioner)
    overview = text(client_en.get(reverse("marketplace:manage_tender", args=[tender.uuid])))
    assert "Publish now" in overview

    response = client_en.post(reverse("marketplace:tender_publish", args=[tender.uuid]))

    tender.refresh_from_db()
    assert response.status_code == 302
    assert tender.status == Tender.Status.PUBLISHED
    assert "is published" in text(client_en.get(response["Location"]))


def test_a_tender_that_cannot_be_published_says_why(client_en, budget, commissioner):
    tender = TenderFactory(
        lead_agency=budget.lead_agency,
        budget=budget,
        enquiry_deadline=timezone.now() - timedelta(days=1),
        submission_deadline=timezone.now() + timedelta(days=5),
    )
    signed_in(client_en, commissioner)

    response = client_en.post(
        reverse("marketplace:tender_publish", args=[tender.uuid]), follow=True
    )

    assert "This deadline for questions has already passed." in text(response)
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.DRAFT


# --- documents ---------------------------------------------------------------------


def test_documents_are_uploaded_and_checked_by_their_content(client_en, budget, commissioner):
    tender = TenderFactory(lead_agency=budget.lead_agency, budget=budget)
    signed_in(client_en, commissioner)
    url = reverse("marketplace:tender_documents", args=[tender.uuid])

    good = client_en.post(
        url, {"title": "Specification", "file": SimpleUploadedFile("spec.pdf", PDF_BYTES)}
    )
    bad = client_en.post(
        url, {"title": "Not a PDF", "file": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00")}
    )

    assert good.status_code == 302
    assert bad.status_code == 400
    assert "Only PDF, PNG or JPEG files are accepted." in text(bad)
    assert [d.title for d in tender.documents.all()] == ["Specification"]


def test_documents_of_a_draft_can_be_removed_not_those_of_a_published_tender(
    client_en, budget, commissioner
):
    tender = TenderFactory(lead_agency=budget.lead_agency, budget=budget)
    document = services.add_tender_document(
        tender=tender,
        title="Old spec",
        uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        actor=commissioner,
    )
    signed_in(client_en, commissioner)

    client_en.post(reverse("marketplace:document_remove", args=[tender.uuid, document.uuid]))

    assert not tender.documents.exists()
    published = PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget)
    kept = services.add_tender_document(
        tender=published,
        title="Published spec",
        uploaded_file=SimpleUploadedFile("b.pdf", PDF_BYTES),
        actor=commissioner,
    )
    response = client_en.post(
        reverse("marketplace:document_remove", args=[published.uuid, kept.uuid]), follow=True
    )
    assert "stay on record" in text(response)
    assert published.documents.count() == 1


# --- amending and cancelling ------------------------------------------------------------


def amendment_data(tender, **changes):
    data = {
        "summary": "延长投标截止时间",
        "summary_en": "The deadline for bids is extended.",
        "title_zh": tender.title_zh,
        "title_en": tender.title_en,
        "description_zh": tender.description_zh,
        "description_en": tender.description_en,
        "max_value": str(tender.max_value),
        "enquiry_deadline": timezone.localtime(tender.enquiry_deadline).strftime(MOMENT),
        "submission_deadline": timezone.localtime(tender.submission_deadline).strftime(MOMENT),
        "contract_start": tender.contract_start.isoformat(),
        "contract_end": tender.contract_end.isoformat(),
    }
    data.update(changes)
    return data


def test_an_amendment_publishes_only_what_changed(client_en, budget, commissioner):
    tender = PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget)
    later = timezone.localtime(tender.submission_deadline + timedelta(days=7))
    signed_in(client_en, commissioner)

    response = client_en.post(
        reverse("marketplace:amend_tender", args=[tender.uuid]),
        amendment_data(tender, submission_deadline=later.strftime(MOMENT), is_material="on"),
    )

    assert response.status_code == 302, text(response)
    amendment = Amendment.objects.get(tender=tender)
    assert list(amendment.changes) == ["submission_deadline"]
    assert amendment.is_material
    public = text(client_en.get(reverse("marketplace:tender_detail", args=[tender.uuid])))
    assert "The deadline for bids is extended." in public


def test_an_amendment_that_changes_nothing_or_shortens_the_deadline_is_refused(
    client_en, budget, commissioner
):
    tender = PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget)
    signed_in(client_en, commissioner)
    url = reverse("marketplace:amend_tender", args=[tender.uuid])
    earlier = timezone.localtime(tender.submission_deadline - timedelta(days=1))

    nothing = client_en.post(url, amendment_data(tender))
    shorter = client_en.post(
        url, amendment_data(tender, submission_deadline=earlier.strftime(MOMENT))
    )

    assert nothing.status_code == 400
    assert "Nothing changes: give at least one new value." in text(nothing)
    assert shorter.status_code == 400
    assert "The deadline for bids can be extended but not brought forward." in text(shorter)
    assert not Amendment.objects.exists()


def test_cancelling_needs_a_reason_which_is_published(client_en, budget, commissioner):
    tender = PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget)
    signed_in(client_en, commissioner)
    url = reverse("marketplace:cancel_tender", args=[tender.uuid])

    empty = client_en.post(url, {"reason": ""})
    done = client_en.post(url, {"reason": "The service is now provided by the district."})

    assert empty.status_code == 400
    assert done.status_code == 302
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CANCELLED
    public = text(client_en.get(reverse("marketplace:tender_detail", args=[tender.uuid])))
    assert "The service is now provided by the district." in public


# --- questions -----------------------------------------------------------------------


def test_the_agency_sees_who_asked_and_answers_in_public(client_en, budget, commissioner):
    tender = PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget)
    asker = VerifiedProviderFactory(organization__name_en="Curious Social Work Agency")
    question = ClarificationFactory(
        tender=tender,
        asked_by_organization=asker.organization,
        question="Are weekend visits required?",
    )
    signed_in(client_en, commissioner)
    queue = text(client_en.get(reverse("marketplace:tender_questions", args=[tender.uuid])))
    assert "Curious Social Work Agency" in queue and "Awaiting an answer" in queue

    response = client_en.post(
        reverse("marketplace:answer_question", args=[tender.uuid, question.uuid]),
        {f"answer-{question.uuid}-answer": "Yes, on Saturdays."},
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.published and question.answer == "Yes, on Saturdays."
    public = text(client_en.get(reverse("marketplace:tender_detail", args=[tender.uuid])))
    assert "Yes, on Saturdays." in public
    assert "Curious Social Work Agency" not in public


def test_an_empty_answer_comes_back_next_to_the_question(client_en, budget, commissioner):
    tender = PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget)
    question = ClarificationFactory(tender=tender)
    signed_in(client_en, commissioner)

    response = client_en.post(
        reverse("marketplace:answer_question", args=[tender.uuid, question.uuid]),
        {f"answer-{question.uuid}-answer": ""},
    )

    assert response.status_code == 400
    assert "This field is required." in text(response)
    question.refresh_from_db()
    assert not question.published


def test_the_agency_list_and_overview_pages_render_for_every_stage(client_en, budget, commissioner):
    tenders = [
        TenderFactory(lead_agency=budget.lead_agency, budget=budget),
        PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget),
        PublishedTenderFactory(
            lead_agency=budget.lead_agency, budget=budget, status=Tender.Status.CANCELLED
        ),
    ]
    signed_in(client_en, commissioner)

    listing = text(client_en.get(reverse("marketplace:manage_tenders")))
    for tender in tenders:
        assert tender.reference in listing
        response = client_en.get(reverse("marketplace:manage_tender", args=[tender.uuid]))
        assert response.status_code == 200
        assert "(Asia/Shanghai)" in text(response)
    drafts = text(client_en.get(reverse("marketplace:manage_tenders"), {"status": "draft"}))
    assert tenders[0].reference in drafts and tenders[1].reference not in drafts


def test_an_open_tender_is_closed_without_an_award_with_a_published_reason(
    client_en, budget, commissioner
):
    tender = PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget)
    signed_in(client_en, commissioner)
    overview = text(client_en.get(reverse("marketplace:manage_tender", args=[tender.uuid])))
    assert "Close without an award" in overview

    response = client_en.post(
        reverse("marketplace:close_unsuccessful", args=[tender.uuid]),
        {"reason": "No bid met the service standard."},
    )

    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == Tender.Status.UNSUCCESSFUL
    public = text(client_en.get(reverse("marketplace:tender_detail", args=[tender.uuid])))
    assert "This tender closed without an award" in public
    assert "No bid met the service standard." in public


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_agency_lists_cost_the_same_number_of_queries_however_long(
    client_en, budget, commissioner
):
    signed_in(client_en, commissioner)
    lists = [reverse("marketplace:manage_tenders"), reverse("marketplace:budget_list")]

    def add(count):
        for _number in range(count):
            PublishedTenderFactory(lead_agency=budget.lead_agency, budget=budget)
            PooledBudgetFactory(lead_agency=budget.lead_agency)

    add(1)
    few = [_queries(client_en, url) for url in lists]
    add(8)
    many = [_queries(client_en, url) for url in lists]

    assert few == many


def test_the_budget_page_costs_the_same_number_of_queries_however_many_funders(
    client_en, budget, commissioner
):
    signed_in(client_en, commissioner)
    url = reverse("marketplace:budget_detail", args=[budget.uuid])
    ContributionFactory(budget=budget, funder=AgencyFactory(), amount=Decimal("1000.00"))
    TenderFactory(lead_agency=budget.lead_agency, budget=budget)
    few = _queries(client_en, url)
    for _number in range(6):
        PendingContributionFactory(budget=budget, funder=AgencyFactory(), amount=Decimal("10.00"))
        TenderFactory(lead_agency=budget.lead_agency, budget=budget)

    assert _queries(client_en, url) == few
