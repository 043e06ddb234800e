"""Public tender notices: the list at /tenders/, each tender's page, and feeds of new tenders.

Anyone may read them. They show tenders once published (``PUBLIC_STATES``)
whatever became of them since; a draft answers 404 to everyone but its own
agency. Questions are shown with their answers and never with who asked;
how many bids came in is told only once the deadline for bids has passed,
and prices never before then. A signed-in provider also finds here the way
to ask a question or bid while the tender allows it.
"""

import rules
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import public
from marketplace.filters import TenderFilter
from marketplace.forms.clarifications import QuestionForm
from marketplace.selectors import awards as award_selectors
from marketplace.selectors import bids as bid_selectors
from marketplace.selectors import clarifications as clarification_selectors
from marketplace.selectors import tenders as tender_selectors
from marketplace.views.common import provider_context

TENDERS_PER_PAGE = 20


@public
def tender_list(request):
    tenders = tender_selectors.public_tenders().order_by("-publish_at", "-pk")
    tender_filter = TenderFilter(request.GET or None, queryset=tenders)
    page = Paginator(tender_filter.qs, TENDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/tender_list.html",
        {
            "filter": tender_filter,
            "page_obj": page,
            "tenders": page.object_list,
            "now": timezone.now(),
        },
    )


@public
def tender_detail(request, uuid):
    return _render_detail(request, _visible_tender(request.user, uuid=uuid))


@public
def tender_by_reference(request, reference):
    """The same page at the reference bidders quote (``/tenders/310101-2026-0007/``)."""
    return _render_detail(request, _visible_tender(request.user, reference=reference))


def _visible_tender(user, **lookup):
    tender = (
        tender_selectors.tenders_visible_to(user)
        .prefetch_related("criteria", "documents", "amendments", "lots__categories", "lots__areas")
        .filter(**lookup)
        .first()
    )
    if tender is None:
        raise Http404
    return tender


def render_detail(request, tender, *, question_form=None, status=200):
    """The tender's page; ``question_form`` is a bound form that did not validate."""
    return _render_detail(request, tender, question_form=question_form, status=status)


def _render_detail(request, tender, *, question_form=None, status=200):
    now = timezone.now()
    user = request.user
    sealed = tender.bids_are_sealed(now)
    provider = provider_context(user, tender, now=now)
    # Even how many bids there are stays sealed until the deadline (None).
    lot_counts = bid_selectors.bid_counts(tender, now=now)
    if provider.may_ask and question_form is None:
        question_form = QuestionForm()
    # A form sent back with a problem is shown even when asking is no longer
    # possible (the deadline passed meanwhile): the problem says so.
    return render(
        request,
        "marketplace/tender_detail.html",
        {
            "tender": tender,
            "now": now,
            "sealed": sealed,
            "is_draft": tender.status == tender.Status.DRAFT,
            "clarifications": clarification_selectors.clarifications_for(user, tender),
            "bid_count": bid_selectors.submitted_bid_count(tender, now=now),
            "award_notices": award_selectors.award_notices(tender),
            "provider": provider,
            "lot_rows": [
                (lot, provider.bids.get(lot.pk), (lot_counts or {}).get(lot.number))
                for lot in tender.lots.all()
            ],
            "question_form": question_form,
            "manages": rules.has_perm("marketplace.manage_tender", user, tender),
            "breadcrumbs": [
                (_("Home"), "/"),
                (_("Tenders"), reverse("marketplace:tender_list")),
                (tender.reference, ""),
            ],
        },
        status=status,
    )
