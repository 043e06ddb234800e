"""The funder's view: for each agency whose finance officers the person is, every
contract its money backs, with what is committed to it, paid from it and still to
pay, per contract and per year of payment. Three queries whatever the number of
contracts."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from accounts.rules import organizations_where
from contracts.models.funding import FundingShare
from contracts.models.payments import PaymentShare

ZERO = Decimal("0.00")


@dataclass
class FundedContract:
    share: FundingShare
    paid: Decimal = ZERO
    by_year: dict = field(default_factory=dict)

    @property
    def contract(self):
        return self.share.contract

    @property
    def to_pay(self) -> Decimal:
        # Nothing more will be paid from a contract that has ended.
        if self.contract.status in ("completed", "terminated"):
            return ZERO
        return self.share.amount - self.paid


def funding_for(user):
    """(rows, years, totals): one row per funding share of the user's agencies."""
    funders = organizations_where(user, Role.FINANCE)
    shares = list(
        FundingShare.objects.filter(funder_id__in=funders)
        .select_related("funder", "contract__provider", "contract__lead_agency")
        .order_by("funder__name_zh", "-contract__start_date", "pk")
    )
    paid = defaultdict(lambda: defaultdict(lambda: ZERO))
    for share_id, amount, paid_at in PaymentShare.objects.filter(
        funding_share__in=[s.pk for s in shares]
    ).values_list("funding_share_id", "amount", "payment__paid_at"):
        paid[share_id][timezone.localtime(paid_at).year] += amount
    rows = []
    years = set()
    for share in shares:
        by_year = dict(paid.get(share.pk, {}))
        years |= set(by_year)
        rows.append(FundedContract(share, sum(by_year.values(), ZERO), by_year))
    years = sorted(years)
    totals = {
        "committed": sum((r.share.amount for r in rows), ZERO),
        "paid": sum((r.paid for r in rows), ZERO),
        "to_pay": sum((r.to_pay for r in rows), ZERO),
        "by_year": {year: sum((r.by_year.get(year, ZERO) for r in rows), ZERO) for year in years},
    }
    for row in rows:
        row.year_cells = [row.by_year.get(year, ZERO) for year in years]
    return rows, years, totals
