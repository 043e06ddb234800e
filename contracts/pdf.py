"""The contract PDF: one version of a contract, rendered with WeasyPrint through
``core.integrations.pdf`` from the record.

Bilingual as Chinese contracts with foreign-language readers are drawn up: every
heading and label in Chinese with the English below it, the parties' own Chinese
text first. A4, the CJK font embedded, "第 1 页 / 共 N 页" at the foot of each page,
the reference and version at the head. An amendment's PDF is the whole contract as
amended (value, period, milestones added, funding split), with the reason and the
summary of the changes at the top. View- and request-independent: the documents
service stores the bytes, pages serve them to the parties only.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation

from contracts.models.contracts import ContractVersion
from contracts.models.kpis import Measure, OutcomeKind
from contracts.models.milestones import Milestone
from core.formatting import in_languages, yuan
from core.integrations.pdf import CJK_FONT_FAMILY, PAGE_NUMBERS_CSS, render_pdf
from marketplace.selectors.budgets import commitment_by_contribution


@dataclass(frozen=True)
class MilestoneRow:
    number: int
    title_zh: str
    title_en: str
    condition_zh: str
    condition_en: str
    amount: str
    added: bool  # added by this version's amendment


@dataclass(frozen=True)
class FunderRow:
    name_zh: str
    name_en: str
    amount: str


def _label(choices, value) -> tuple[str, str]:
    """A choice's label in Chinese and in English."""
    if not value:
        return "", ""
    return in_languages(lambda: str(choices(value).label))


def _condition(kind, due_date, output_measure, output_target, outcome_kind, outcome_price, amount):
    """The condition that earns a milestone, in Chinese and in English."""
    if kind == Milestone.Kind.FIXED:
        return f"于 {due_date} 支付", f"Paid on {due_date}"
    if kind == Milestone.Kind.OUTPUT:
        zh, en = _label(Measure, output_measure)
        return f"达到 {output_target}（{zh}）", f"On reaching {output_target} ({en})"
    zh, en = _label(OutcomeKind, outcome_kind)
    return (
        f"每项确认成果（{zh}）{yuan(outcome_price)}，封顶 {yuan(amount)}",
        f"{yuan(outcome_price)} per confirmed outcome ({en}), capped at {yuan(amount)}",
    )


def milestone_rows(version: ContractVersion, milestones: list[Milestone]) -> list[MilestoneRow]:
    """The contract's milestones, then those this version's amendment adds."""
    rows = []
    for m in milestones:
        zh, en = _condition(
            m.kind,
            m.due_date,
            m.output_measure,
            m.output_target,
            m.outcome_kind,
            m.outcome_price,
            m.amount,
        )
        rows.append(
            MilestoneRow(
                number=m.number,
                title_zh=m.title_zh,
                title_en=m.title_en,
                condition_zh=zh,
                condition_en=en,
                amount=yuan(m.amount),
                added=False,
            )
        )
    next_number = max((m.number for m in milestones), default=0) + 1
    for offset, added in enumerate(version.changes.get("milestones_added", [])):
        zh, en = _condition(
            added.get("kind"),
            date.fromisoformat(added["due_date"]) if added.get("due_date") else None,
            added.get("output_measure"),
            added.get("output_target"),
            added.get("outcome_kind"),
            added.get("outcome_price"),
            added.get("amount"),
        )
        rows.append(
            MilestoneRow(
                number=next_number + offset,
                title_zh=added.get("title_zh", ""),
                title_en=added.get("title_en", ""),
                condition_zh=zh,
                condition_en=en,
                amount=yuan(added.get("amount")),
                added=True,
            )
        )
    return rows


def funder_rows(version: ContractVersion) -> list[FunderRow]:
    """Each funder's share of the value under this version, to the fen.

    The contract's funding split; for an amendment that raises the value, the
    award's commitment with the raise already drawn from the pooled budget.
    """
    contract = version.contract
    totals: dict[int, list] = {}
    if version.changes.get("committed") and version.status != ContractVersion.Status.SIGNED:
        lines = [
            (line.funder, line.committed) for line in commitment_by_contribution(contract.award)
        ]
    else:
        lines = [(share.funder, share.amount) for share in contract.funding_shares.all()]
    for funder, amount in lines:
        totals.setdefault(funder.pk, [funder, Decimal("0.00")])[1] += amount
    rows = sorted(totals.values(), key=lambda row: (-row[1], row[0].name_zh))
    return [
        FunderRow(name_zh=funder.name_zh, name_en=funder.name_en, amount=yuan(amount))
        for funder, amount in rows
        if amount > 0
    ]


def contract_context(version: ContractVersion) -> dict:
    contract = version.contract
    value = version.value if version.value is not None else contract.value
    returned = contract.value - value if value < contract.value and version.changes else None
    return {
        "contract": contract,
        "version": version,
        "agency": contract.lead_agency,
        "provider": contract.provider.organization,
        "value": yuan(value),
        "end_date": version.end_date or contract.end_date,
        "categories": list(contract.categories.all()),
        "areas": list(contract.areas.all()),
        "kpis": list(contract.kpis.all()),
        "outcome_targets": list(contract.outcome_targets.all()),
        "milestones": milestone_rows(version, list(contract.milestones.all())),
        "funders": funder_rows(version),
        # A cut goes back to the pooled budget when both parties have signed it.
        "returned": yuan(returned) if returned else "",
        "font_family": CJK_FONT_FAMILY,
        "page_numbers_css": PAGE_NUMBERS_CSS,
        "generated_at": timezone.localtime(),
    }


def render_contract_pdf(version: ContractVersion) -> bytes:
    """The PDF bytes of ``version``; the caller checks for a CJK font first."""
    # The labels the template writes itself are in both languages already.
    with translation.override("zh-hans"):
        html = render_to_string("contracts/pdf/contract.html", contract_context(version))
    return render_pdf(html)
