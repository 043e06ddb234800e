"""The terms of a draft — KPIs, outcome targets, milestones — and what a contract needs
before it is sent for signature."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from contracts import services
from contracts.models import Contract
from core.errors import ApplicationError
from tests.factories.contracts import (
    awaiting_contract,
    contract_from_award,
    kpi_input,
    milestone_input,
)
from tests.factories.marketplace import commissioner_of, finance_of

pytestmark = pytest.mark.django_db


def _commissioner(contract):
    return commissioner_of(contract.lead_agency)


def _terms(contract, **overrides):
    start = contract.start_date
    return {
        "kpis": [kpi_input(), kpi_input(measured_by="reported", measure="", name_zh="满意度")],
        "outcome_targets": [
            {
                "description_zh": "150名老人继续居家生活",
                "outcome_kind": "goal_attained",
                "target": "150",
                "unit": "人",
            }
        ],
        "milestones": [
            milestone_input(start),
            milestone_input(
                None,
                kind="output",
                title_zh="完成200例转介服务",
                output_measure="referrals_completed",
                output_target=200,
                amount="200000.00",
            ),
            milestone_input(
                None,
                kind="outcome",
                title_zh="按成果付费",
                outcome_kind="goal_attained",
                outcome_price="1000.00",
                amount="150000.00",
            ),
        ],
        **overrides,
    }


def test_saving_terms_replaces_the_lists_and_numbers_them_in_order():
    contract = contract_from_award()
    services.save_terms(contract=contract, actor=_commissioner(contract), **_terms(contract))
    assert list(contract.kpis.values_list("number", "measured_by")) == [
        (1, "platform"),
        (2, "reported"),
    ]
    assert list(contract.milestones.values_list("number", "kind", "amount")) == [
        (1, "fixed", Decimal("100000.00")),
        (2, "output", Decimal("200000.00")),
        (3, "outcome", Decimal("150000.00")),
    ]
    assert contract.outcome_targets.get().target == Decimal("150")


def test_invalid_terms_change_nothing():
    contract = contract_from_award()
    terms = _terms(contract, kpis=[kpi_input(measured_by="reported")])
    with pytest.raises(ApplicationError) as refused:
        services.save_terms(contract=contract, actor=_commissioner(contract), **terms)
    assert list(refused.value.field_errors) == ["kpis-0-measure"]
    assert contract.kpis.count() == 1 and contract.milestones.count() == 1


def test_the_terms_of_a_contract_sent_for_signature_are_fixed():
    contract = awaiting_contract()
    with pytest.raises(ApplicationError) as refused:
        services.save_terms(contract=contract, actor=_commissioner(contract), **_terms(contract))
    assert refused.value.code == "not_draft"
    with pytest.raises(ApplicationError):
        services.update_contract_draft(
            contract=contract, actor=_commissioner(contract), title_zh="新标题"
        )


def test_only_a_commissioner_of_the_lead_agency_changes_the_terms():
    contract = contract_from_award()
    with pytest.raises(PermissionDenied):
        services.save_terms(
            contract=contract, actor=finance_of(contract.lead_agency), **_terms(contract)
        )


def test_a_draft_is_corrected_and_its_categories_kept_unless_given():
    contract = contract_from_award()
    categories = set(contract.categories.all())
    contract = services.update_contract_draft(
        contract=contract, actor=_commissioner(contract), title_en="  Home care  "
    )
    assert contract.title_en == "Home care"
    assert set(contract.categories.all()) == categories


def test_a_new_period_must_still_hold_the_fixed_milestones():
    contract = contract_from_award()  # its milestone is due on the first day
    with pytest.raises(ApplicationError) as refused:
        services.update_contract_draft(
            contract=contract,
            actor=_commissioner(contract),
            start_date=contract.start_date + timedelta(days=1),
        )
    assert list(refused.value.field_errors) == ["milestones-0-due_date"]


def test_a_contract_goes_for_signature_with_a_kpi_and_a_milestone():
    contract = contract_from_award(kpis=[], milestones=[])
    with pytest.raises(ApplicationError) as refused:
        services.send_for_signature(contract=contract, actor=_commissioner(contract))
    assert refused.value.code == "not_ready"
    assert set(refused.value.field_errors) == {"kpis", "milestones"}
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_sent_back_to_draft_with_a_reason_and_corrected():
    contract = awaiting_contract()
    actor = _commissioner(contract)
    with pytest.raises(ApplicationError):
        services.return_to_draft(contract=contract, actor=actor, reason="")
    contract = services.return_to_draft(contract=contract, actor=actor, reason="服务范围需调整")
    services.save_terms(contract=contract, actor=actor, **_terms(contract))
    assert contract.milestones.count() == 3
