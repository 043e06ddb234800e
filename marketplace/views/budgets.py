"""Pooled budgets: the lead agency's list and ledger, contributions, and the funder's approvals.

A budget is seen by the commissioners, finance officers and supervisors of
the agency leading it or funding it (and platform administrators); anyone
else gets 404. The ledger shows per funder what it contributed, what is
committed to awards, spent and still available — "where my share went".
A contribution counts only once a finance officer of the funder approves it
on their own page.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization, Role
from accounts.rules import organizations_where
from accounts.selectors import agencies_acting_for, organizations_visible_to
from core.errors import ApplicationError
from core.formatting import yuan
from core.forms import attach_errors
from core.permissions import rule_required
from marketplace import rules
from marketplace.forms.budgets import BudgetForm, ContributionForm
from marketplace.models.budgets import CONTRIBUTION_LIFECYCLE, Contribution
from marketplace.selectors import budgets as budget_selectors
from marketplace.selectors import tenders as tender_selectors
from marketplace.services import budgets as budget_services
from marketplace.views.common import allowed, workspace_trail

BUDGETS_PER_PAGE = 50
BUDGET_TENDERS_SHOWN = 20
VIEW_BUDGETS = "marketplace.view_budgets"


def _budget_or_404(user, uuid):
    return get_object_or_404(budget_selectors.budgets_visible_to(user), uuid=uuid)


@rule_required(VIEW_BUDGETS)
def budget_list(request):
    budgets = budget_selectors.budgets_visible_to(request.user).order_by(
        "-first_year", "name_zh", "pk"
    )
    page = Paginator(budgets, BUDGETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/budget_list.html",
        {
            "page_obj": page,
            "budgets": page.object_list,
            "may_create": allowed(request.user, "marketplace.create_budget"),
            "awaiting_approval": budget_selectors.contributions_to_approve(request.user).count(),
            "breadcrumbs": workspace_trail((_("Pooled budgets"), "")),
        },
    )


@rule_required("marketplace.create_budget")
def budget_create(request):
    agencies = list(agencies_acting_for(request.user, Role.COMMISSIONER))
    form = BudgetForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            budget = budget_services.create_budget(actor=request.user, **form.budget_arguments())
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Pooled budget “%(name)s” created.") % {"name": budget})
            return redirect("marketplace:budget_detail", uuid=budget.uuid)
    return render(
        request,
        "marketplace/budget_form.html",
        {
            "form": form,
            "breadcrumbs": workspace_trail(
                (_("Pooled budgets"), reverse("marketplace:budget_list")),
                (_("New pooled budget"), ""),
            ),
        },
        status=400 if form.errors else 200,
    )


def _funders_for(user, budget):
    """Who the user may record a pledge for: any agency for the lead commissioner, else its own."""
    if not rules.is_budget_commissioner(user, budget):
        return list(agencies_acting_for(user, *rules.FUNDER_ROLES))
    agencies = organizations_visible_to(user).filter(kind=Organization.Kind.AGENCY)
    return list(agencies.order_by("name_zh", "pk"))


def _render_budget(request, budget, *, form=None, status=200):
    funders = _funders_for(request.user, budget)
    may_add = bool(funders) and allowed(request.user, "marketplace.add_contribution", budget)
    if may_add and form is None:
        form = ContributionForm(budget=budget, funders=funders)
    contributions = list(budget_selectors.contributions_of(budget))
    for contribution in contributions:
        contribution.budget = budget  # the permission checks read it: no query per row
    return render(
        request,
        "marketplace/budget_detail.html",
        {
            "budget": budget,
            "ledger": budget_selectors.budget_ledger(budget),
            "contributions": [
                (
                    contribution,
                    CONTRIBUTION_LIFECYCLE.allows(contribution.status, Contribution.Status.APPROVED)
                    and allowed(request.user, "marketplace.approve_contribution", contribution),
                    CONTRIBUTION_LIFECYCLE.allows(
                        contribution.status, Contribution.Status.WITHDRAWN
                    )
                    and allowed(request.user, "marketplace.withdraw_contribution", contribution),
                )
                for contribution in contributions
            ],
            "form": form if may_add else None,
            "tenders": tender_selectors.tenders_visible_to(request.user)
            .filter(budget=budget)
            .order_by("-created_at")[:BUDGET_TENDERS_SHOWN],
            "breadcrumbs": workspace_trail(
                (_("Pooled budgets"), reverse("marketplace:budget_list")), (budget.name, "")
            ),
        },
        status=status,
    )


@rule_required(VIEW_BUDGETS)
def budget_detail(request, uuid):
    return _render_budget(request, _budget_or_404(request.user, uuid))


@rule_required(VIEW_BUDGETS)
@require_POST
def contribution_add(request, uuid):
    budget = _budget_or_404(request.user, uuid)
    funders = _funders_for(request.user, budget)
    if not funders:
        raise Http404
    form = ContributionForm(request.POST, budget=budget, funders=funders)
    if form.is_valid():
        try:
            contribution = budget_services.add_contribution(
                budget=budget, actor=request.user, **form.contribution_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Contribution of %(funder)s recorded. It counts once a finance officer of "
                    "%(funder)s approves it."
                )
                % {"funder": contribution.funder.name},
            )
            return redirect(reverse("marketplace:budget_detail", args=[budget.uuid]))
    return _render_budget(request, budget, form=form, status=400)


def _contribution_or_404(user, uuid):
    return get_object_or_404(
        Contribution.objects.select_related("budget", "funder").filter(
            budget__in=budget_selectors.budgets_visible_to(user)
        ),
        uuid=uuid,
    )


@rule_required(VIEW_BUDGETS)
def approvals(request):
    """The finance officer's queue: pledges of their agency awaiting their approval."""
    contributions = budget_selectors.contributions_to_approve(request.user)
    page = Paginator(contributions, BUDGETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/approvals.html",
        {
            "page_obj": page,
            "contributions": page.object_list,
            "is_finance": bool(organizations_where(request.user, Role.FINANCE)),
            "breadcrumbs": workspace_trail((_("Contributions to approve"), "")),
        },
    )


@rule_required(VIEW_BUDGETS)
@require_POST
def contribution_approve(request, uuid):
    contribution = _contribution_or_404(request.user, uuid)
    if not allowed(request.user, "marketplace.approve_contribution", contribution):
        raise Http404
    try:
        budget_services.approve_contribution(contribution=contribution, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Contribution of %(amount)s to “%(budget)s” approved: it now counts.")
            % {"amount": yuan(contribution.amount), "budget": contribution.budget.name},
        )
    return redirect(_back(request, contribution))


@rule_required(VIEW_BUDGETS)
@require_POST
def contribution_withdraw(request, uuid):
    contribution = _contribution_or_404(request.user, uuid)
    if not allowed(request.user, "marketplace.withdraw_contribution", contribution):
        raise Http404
    try:
        budget_services.withdraw_contribution(contribution=contribution, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Contribution withdrawn."))
    return redirect(_back(request, contribution))


def _back(request, contribution) -> str:
    if request.POST.get("next") == "approvals":
        return reverse("marketplace:approvals")
    return reverse("marketplace:budget_detail", args=[contribution.budget.uuid])
