"""The lead agency's tenders: drafting with lots and criteria, documents, publishing,
amending and cancelling (its bidders' questions are in ``views.clarifications``).

The agency's commissioners manage its tenders; its finance officers and
supervisors follow them read-only. A tender of another agency answers 404.
Every change goes through ``marketplace.services``, whose messages come back
next to the fields they are about.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.rules import organizations_where
from core.errors import ApplicationError
from core.formatting import moment_text
from core.forms import attach_errors
from core.permissions import rule_required
from marketplace.forms.common import ReasonForm
from marketplace.forms.tenders import (
    AmendmentForm,
    DocumentForm,
    TenderForm,
    criterion_formset,
    formset_rows,
    lot_formset,
)
from marketplace.models.awards import Award
from marketplace.models.tenders import DOCUMENT_STATES, TENDER_LIFECYCLE, Tender, TenderDocument
from marketplace.selectors import awards as award_selectors
from marketplace.selectors import bids as bid_selectors
from marketplace.selectors import budgets as budget_selectors
from marketplace.selectors import clarifications as clarification_selectors
from marketplace.selectors import panels as panel_selectors
from marketplace.selectors import tenders as tender_selectors
from marketplace.services import tenders as tender_services
from marketplace.views.common import allowed, tender_trail, workspace_trail

TENDERS_PER_PAGE = 50
FOLLOW = "marketplace.follow_tenders"
MANAGE = "marketplace.manage_tender"


def managed_tender_or_404(user, uuid, *, manage=False) -> Tender:
    """A tender of the user's agency; with ``manage``, only for its commissioners."""
    tender = get_object_or_404(
        tender_selectors.tenders_managed_by(user).prefetch_related(
            "criteria", "documents", "amendments"
        ),
        uuid=uuid,
    )
    if manage and not allowed(user, MANAGE, tender):
        raise Http404
    return tender


def _commissioned_budgets(user):
    agencies = organizations_where(user, Role.COMMISSIONER)
    return list(
        budget_selectors.budgets_visible_to(user)
        .filter(lead_agency_id__in=agencies)
        .order_by("-first_year", "name_zh", "pk")
    )


# --- lists and overview -------------------------------------------------------


@rule_required(FOLLOW)
def tender_list(request):
    status = request.GET.get("status", "")
    if status not in Tender.Status.values:
        status = ""
    tenders = tender_selectors.tenders_managed_by(request.user).order_by("-created_at", "-pk")
    if status:
        tenders = tenders.filter(status=status)
    page = Paginator(tenders, TENDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/manage/tender_list.html",
        {
            "page_obj": page,
            "tenders": page.object_list,
            "status": status,
            "statuses": Tender.Status.choices,
            "may_create": allowed(request.user, "marketplace.create_tender"),
            "now": timezone.now(),
            "breadcrumbs": workspace_trail((_("Tenders"), "")),
        },
    )


@rule_required(FOLLOW)
def tender_overview(request, uuid):
    tender = managed_tender_or_404(request.user, uuid)
    now = timezone.now()
    manages = allowed(request.user, MANAGE, tender)
    clarifications = clarification_selectors.clarifications_for(request.user, tender)
    panel = panel_selectors.panel_of(tender) if tender.status != Tender.Status.DRAFT else None
    # Who did what (four eyes): who named the panel, chaired it, recommended and approved
    # each award — and, while one awaits approval, who may approve it.
    awards = [
        (
            award,
            award_selectors.award_approvers(award)
            if award.status == Award.Status.RECOMMENDED
            else None,
        )
        for award in (
            award_selectors.awards_visible_to(request.user, tender) if panel is not None else []
        )
    ]
    return render(
        request,
        "marketplace/manage/tender.html",
        {
            "tender": tender,
            "now": now,
            "manages": manages,
            "panel": panel,
            "awards": awards,
            "sealed": tender.bids_are_sealed(now),
            "unanswered": sum(1 for c in clarifications if not c.is_answered),
            "questions": len(clarifications),
            # Only a draft is edited; a published tender is changed by an amendment.
            "may_edit": manages and tender.status == Tender.Status.DRAFT,
            "may_publish": manages
            and TENDER_LIFECYCLE.allows(tender.status, Tender.Status.PUBLISHED)
            and not tender.publish_scheduled,
            "may_amend": manages and tender.accepts_bids(now),
            "may_cancel": manages
            and TENDER_LIFECYCLE.allows(tender.status, Tender.Status.CANCELLED),
            "may_close_unsuccessful": manages
            and TENDER_LIFECYCLE.allows(tender.status, Tender.Status.UNSUCCESSFUL),
            "may_add_documents": manages and tender.status in DOCUMENT_STATES,
            "breadcrumbs": tender_trail(tender)[:-1] + [(tender.reference, "")],
        },
    )


# --- drafting -------------------------------------------------------------------


def _render_tender_form(request, form, lots, criteria, relation_errors, *, tender=None):
    title = _("Edit the draft") if tender else _("New tender")
    trail = (
        tender_trail(tender, (title, ""))
        if tender
        else workspace_trail((_("Tenders"), reverse("marketplace:manage_tenders")), (title, ""))
    )
    return render(
        request,
        "marketplace/manage/tender_form.html",
        {
            "form": form,
            "lots": lots,
            "criteria": criteria,
            "relation_errors": relation_errors,
            "tender": tender,
            "title": title,
            "breadcrumbs": trail,
        },
        status=400 if (form.errors or relation_errors or lots.errors or criteria.errors) else 200,
    )


def _tender_form(request, *, tender=None):
    budgets = _commissioned_budgets(request.user)
    data = request.POST if request.method == "POST" else None
    form = TenderForm(data, budgets=budgets, tender=tender)
    lots = lot_formset(data, tender=tender)
    criteria = criterion_formset(data, tender=tender)
    relation_errors = {}
    if data is not None:
        valid = form.is_valid() & lots.is_valid() & criteria.is_valid()
        if valid:
            arguments = form.tender_arguments()
            arguments["lots"] = formset_rows(lots)
            arguments["criteria"] = formset_rows(criteria)
            try:
                if tender is None:
                    budget = arguments["budget"]
                    saved = tender_services.create_tender(
                        lead_agency=budget.lead_agency, actor=request.user, **arguments
                    )
                else:
                    arguments.pop("budget")
                    saved = tender_services.update_tender(
                        tender=tender, actor=request.user, **arguments
                    )
            except ApplicationError as error:
                relation_errors = attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Draft tender %(reference)s saved. Nothing is public until you publish it.")
                    % {"reference": saved.reference},
                )
                return redirect("marketplace:manage_tender", uuid=saved.uuid)
    return _render_tender_form(request, form, lots, criteria, relation_errors, tender=tender)


@rule_required("marketplace.create_tender")
def tender_create(request):
    if not _commissioned_budgets(request.user):
        messages.warning(request, _("Create a pooled budget first: every tender is paid from one."))
        return redirect("marketplace:budget_list")
    return _tender_form(request)


@rule_required(FOLLOW)
def tender_edit(request, uuid):
    tender = managed_tender_or_404(request.user, uuid, manage=True)
    if tender.status != Tender.Status.DRAFT:
        messages.warning(
            request,
            _(
                "A published tender is changed by an amendment, so that every bidder sees "
                "what changed."
            ),
        )
        return redirect("marketplace:amend_tender", uuid=tender.uuid)
    return _tender_form(request, tender=tender)


@rule_required(FOLLOW)
@require_POST
def tender_publish(request, uuid):
    tender = managed_tender_or_404(request.user, uuid, manage=True)
    try:
        tender = tender_services.publish_tender(tender=tender, actor=request.user)
    except ApplicationError as error:
        for messages_of_field in error.field_errors.values():
            for message in messages_of_field:
                messages.error(request, message)
        if not error.field_errors:
            messages.error(request, error.message)
    else:
        if tender.status == Tender.Status.DRAFT:
            messages.success(
                request,
                _("Tender %(reference)s will be published at the time you set.")
                % {"reference": tender.reference},
            )
        else:
            messages.success(
                request,
                _("Tender %(reference)s is published. Matching providers are being alerted.")
                % {"reference": tender.reference},
            )
    return redirect("marketplace:manage_tender", uuid=tender.uuid)


# --- documents ------------------------------------------------------------------


@rule_required(FOLLOW)
def tender_documents(request, uuid):
    tender = managed_tender_or_404(request.user, uuid)
    manages = allowed(request.user, MANAGE, tender)
    form = None
    if manages and tender.status in DOCUMENT_STATES:
        form = DocumentForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = tender_services.add_tender_document(
                    tender=tender,
                    title=form.cleaned_data["title"],
                    uploaded_file=form.cleaned_data["file"],
                    actor=request.user,
                )
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request, _("Document “%(title)s” added.") % {"title": document.title}
                )
                return redirect("marketplace:tender_documents", uuid=tender.uuid)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "marketplace/manage/documents.html",
        {
            "tender": tender,
            "documents": tender.documents.all(),
            "form": form,
            "may_remove": manages and tender.status == Tender.Status.DRAFT,
            "breadcrumbs": tender_trail(tender, (_("Documents"), "")),
        },
        status=400 if form is not None and form.errors else 200,
    )


@rule_required(FOLLOW)
@require_POST
def document_remove(request, uuid, document_uuid):
    tender = managed_tender_or_404(request.user, uuid, manage=True)
    document = get_object_or_404(TenderDocument, tender=tender, uuid=document_uuid)
    try:
        tender_services.remove_tender_document(document=document, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Document “%(title)s” removed.") % {"title": document.title})
    return redirect("marketplace:tender_documents", uuid=tender.uuid)


# --- amending and cancelling ------------------------------------------------------


@rule_required(FOLLOW)
def tender_amend(request, uuid):
    tender = managed_tender_or_404(request.user, uuid, manage=True)
    form = AmendmentForm(request.POST or None, tender=tender)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = tender_services.amend_tender(
                tender=tender,
                summary=form.cleaned_data["summary"],
                summary_en=form.cleaned_data["summary_en"],
                is_material=form.cleaned_data["is_material"],
                new_values=form.new_values(),
                actor=request.user,
            )
        except ApplicationError as error:
            attach_errors(form, error, field_map={"new_values": None})
        else:
            text = _("Amendment %(number)d published.") % {"number": amendment.number}
            if amendment.extended_deadline:
                text += " " + _("The deadline for bids moved to %(deadline)s.") % {
                    "deadline": moment_text(amendment.new_submission_deadline)
                }
            messages.success(request, text)
            return redirect("marketplace:manage_tender", uuid=tender.uuid)
    return render(
        request,
        "marketplace/manage/amend.html",
        {
            "tender": tender,
            "form": form,
            "breadcrumbs": tender_trail(tender, (_("Amend"), "")),
        },
        status=400 if form.errors else 200,
    )


def _close_tender(request, uuid, *, unsuccessful: bool):
    """Cancel a tender, or close it without an award; the reason is published either way."""
    tender = managed_tender_or_404(request.user, uuid, manage=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        close = tender_services.mark_unsuccessful if unsuccessful else tender_services.cancel_tender
        try:
            close(tender=tender, reason=form.cleaned_data["reason"], actor=request.user)
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            done = (
                _("Tender %(reference)s is closed without an award; the reason is published.")
                if unsuccessful
                else _(
                    "Tender %(reference)s is cancelled; the reason is published with the notice."
                )
            )
            messages.success(request, done % {"reference": tender.reference})
            return redirect("marketplace:manage_tender", uuid=tender.uuid)
    title = _("Close without an award") if unsuccessful else _("Cancel")
    return render(
        request,
        "marketplace/manage/cancel.html",
        {
            "tender": tender,
            "form": form,
            "unsuccessful": unsuccessful,
            "breadcrumbs": tender_trail(tender, (title, "")),
        },
        status=400 if form.errors else 200,
    )


@rule_required(FOLLOW)
def tender_cancel(request, uuid):
    return _close_tender(request, uuid, unsuccessful=False)


@rule_required(FOLLOW)
def tender_unsuccessful(request, uuid):
    return _close_tender(request, uuid, unsuccessful=True)


# --- bids -------------------------------------------------------------------------


@rule_required(FOLLOW)
def tender_bids(request, uuid):
    """The tender's bids as the person may see them: nothing at all before the deadline.

    ``visible_bids`` masks what the rule hides (sealed bids are not even
    listed; prices stay hidden until the chair locks the quality scores), so
    this page cannot show a price by mistake.
    """
    tender = managed_tender_or_404(request.user, uuid)
    now = timezone.now()
    sealed = tender.bids_are_sealed(now)
    return render(
        request,
        "marketplace/manage/bids.html",
        {
            "tender": tender,
            "now": now,
            "sealed": sealed,
            "bids": [] if sealed else bid_selectors.visible_bids(request.user, tender, now=now),
            "bid_count": bid_selectors.submitted_bid_count(tender, now=now),
            "prices_revealed": bid_selectors.prices_revealed(tender),
            "breadcrumbs": tender_trail(tender, (_("Bids"), "")),
        },
    )
