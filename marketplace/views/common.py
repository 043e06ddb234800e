"""What the marketplace views share: permission checks that hold for superusers too,
breadcrumbs, the public tender a provider acts on, and what a provider may do on a
tender's page."""

from dataclasses import dataclass, field

import rules
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.models.tenders import Tender
from marketplace.selectors import bids as bid_selectors
from marketplace.selectors import tenders as tender_selectors
from providers.selectors import provider_of


def allowed(user, perm: str, obj=None) -> bool:
    """Whether the ``rules`` permission holds for ``user`` (on ``obj``).

    Asked of the rules themselves, not through ``user.has_perm``: Django lets an
    active superuser pass every ``has_perm``, but a superuser is not a
    commissioner of every agency nor a bidder, and sees no sealed bid (SPEC §4).
    """
    return rules.has_perm(perm, user, obj)


def workspace_trail(*items) -> list[tuple[str, str]]:
    """Breadcrumbs from the workspace: ``(label, url)`` pairs, the last one the current page."""
    return [(_("Workspace"), reverse("accounts:workspace")), *items]


def tender_trail(tender: Tender, *items) -> list[tuple[str, str]]:
    """Breadcrumbs of a page about one of the agency's tenders."""
    return workspace_trail(
        (_("Tenders"), reverse("marketplace:manage_tenders")),
        (tender.reference, reverse("marketplace:manage_tender", args=[tender.uuid])),
        *items,
    )


def public_tender_or_404(uuid) -> Tender:
    """A published tender with what its page shows, or 404 (drafts included)."""
    tender = (
        tender_selectors.public_tenders()
        .prefetch_related("criteria", "documents", "amendments", "lots__categories", "lots__areas")
        .filter(uuid=uuid)
        .first()
    )
    if tender is None:
        raise Http404
    return tender


@dataclass(frozen=True)
class ProviderView:
    """What the signed-in person's provider may do on a tender's page, and its own bids."""

    provider: object = None
    may_ask: bool = False
    may_bid: bool = False
    bids: dict = field(default_factory=dict)  # lot id → the provider's own bid

    @property
    def is_provider(self) -> bool:
        return self.provider is not None


def provider_context(user, tender: Tender, *, now=None) -> ProviderView:
    if not user.is_authenticated or tender.status == Tender.Status.DRAFT:
        return ProviderView()
    provider = provider_of(user)
    if provider is None:
        return ProviderView()
    now = now or timezone.now()
    own_bids = bid_selectors.bids_of(user).filter(tender=tender, provider=provider)
    return ProviderView(
        provider=provider,
        may_ask=tender.enquiries_open(now) and allowed(user, "marketplace.ask_question"),
        may_bid=allowed(user, "marketplace.bid_on_tender", tender),
        bids={bid.lot_id: bid for bid in own_bids},
    )
