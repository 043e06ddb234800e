"""Contract pages of the workspace: the list, the contract made from an award, the
contract page with its next steps, correcting a draft, and the moves of its lifecycle
(send for signature, back to draft, suspend, resume, terminate, complete, amend).

Every object comes from a scoped selector (outside the person's scope: 404);
every write is a service call, which checks who may act (a refusal is 404 too,
as the object is not the person's to touch) and answers with messages a person
can act on.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import rules
from contracts.forms.contracts import (
    AmendmentForm,
    ContractDraftForm,
    KPIFormSet,
    MilestoneFormSet,
    OutcomeTargetFormSet,
    ReasonForm,
    rows,
)
from contracts.forms.reports import AttachmentForm
from contracts.models.contracts import CONTRACT_LIFECYCLE, Contract, ContractVersion
from contracts.models.notices import PerformanceNotice
from contracts.models.payments import Claim
from contracts.selectors import contracts as contract_selectors
from contracts.selectors import funding as funding_selectors
from contracts.selectors import records
from contracts.selectors.measures import measures_for_contract_period
from contracts.selectors.next_steps import next_steps
from contracts.services import amendments
from contracts.services import contracts as contract_services
from contracts.services.notices import next_notice_due
from contracts.services.payments import claim_terms
from contracts.services.signing import signing_party
from contracts.views.common import contract_trail, fail, workspace_trail
from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required
from marketplace.selectors import awards as award_selectors

PAGE_SIZE = 25


def contract_or_404(user, uuid) -> Contract:
    contract = contract_selectors.contract_for(user, uuid)
    if contract is None:
        raise Http404
    return contract


@login_required
def contract_list(request):
    contracts = contract_selectors.contracts_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Contract.Status.values:
        contracts = contracts.filter(status=status)
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/app/contract_list.html",
        {
            "page": page,
            "contracts": page.object_list,
            "status": status,
            "statuses": Contract.Status.choices,
            "breadcrumbs": workspace_trail((_("Contracts"), "")),
        },
    )


@login_required
def funding(request):
    """A funder's view: every contract its money backs, committed, paid and left per year."""
    rows_, years, totals = funding_selectors.funding_for(request.user)
    return render(
        request,
        "contracts/app/funding.html",
        {
            "rows": rows_,
            "years": years,
            "totals": totals,
            "breadcrumbs": workspace_trail(
                (_("Contracts"), reverse("contracts:list")), (_("Money you fund"), "")
            ),
        },
    )


def _terms_formsets(data=None, contract=None):
    initial = {"kpis": [], "outcome_targets": [], "milestones": []}
    if contract is not None:
        initial["kpis"] = [
            {f: getattr(k, f) for f in KPIFormSet.form.Meta.fields} for k in contract.kpis.all()
        ]
        initial["outcome_targets"] = [
            {f: getattr(t, f) for f in OutcomeTargetFormSet.form.Meta.fields}
            for t in contract.outcome_targets.all()
        ]
        initial["milestones"] = [
            {f: getattr(m, f) for f in MilestoneFormSet.form.Meta.fields}
            for m in contract.milestones.all()
        ]
    return (
        KPIFormSet(data, prefix="kpis", initial=initial["kpis"]),
        OutcomeTargetFormSet(data, prefix="outcome_targets", initial=initial["outcome_targets"]),
        MilestoneFormSet(data, prefix="milestones", initial=initial["milestones"]),
    )


def _place_errors(error: ApplicationError, form, formsets) -> list[str]:
    """Field errors next to their fields (``kpis-0-target`` on its row); the rest in a list."""
    by_prefix = {formset.prefix: formset for formset in formsets}
    general = []
    own = {}
    for name, problems in error.field_errors.items():
        problems = [
            str(p) for p in (problems if isinstance(problems, list | tuple) else [problems])
        ]
        prefix, _sep, rest = name.partition("-")
        formset = by_prefix.get(prefix)
        if formset is not None and rest:
            index, _sep, field = rest.partition("-")
            if index.isdigit() and int(index) < len(formset.forms) and field:
                target = formset.forms[int(index)]
                target.add_error(field if field in target.fields else None, problems)
                continue
        if name in form.fields:
            own[name] = problems
        else:
            general += problems
    if own or not general:
        attach_errors(form, ApplicationError(error.message, field_errors=own))
    return general


def _render_form(request, *, template, context, status=200):
    return render(request, template, context, status=status)


@login_required
def from_award(request, award_uuid):
    """Make the contract of an award (its commissioners only), or go to the one it has."""
    award = award_selectors.award_for(request.user, award_uuid)
    if award is None or not rules.is_award_commissioner(request.user, award):
        raise Http404
    existing = contract_selectors.contracts_visible_to(request.user).filter(award=award).first()
    if existing is not None:
        return redirect("contracts:detail", uuid=existing.uuid)
    tender = award.tender
    form = ContractDraftForm(
        request.POST or None,
        initial={
            "title_zh": award.lot.title_zh or tender.title_zh,
            "title_en": award.lot.title_en or tender.title_en,
            "scope_zh": award.lot.description_zh or tender.description_zh,
            "scope_en": award.lot.description_en or tender.description_en,
            "start_date": tender.contract_start,
            "end_date": tender.contract_end,
            "report_every_months": 3,
        },
    )
    formsets = _terms_formsets(request.POST or None)
    general = []
    status = 200
    if request.method == "POST":
        if form.is_valid() and all(f.is_valid() for f in formsets):
            kpis, targets, milestones = (rows(f) for f in formsets)
            try:
                contract = contract_services.create_contract_from_award(
                    award=award,
                    actor=request.user,
                    kpis=kpis,
                    outcome_targets=targets,
                    milestones=milestones,
                    **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")},
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ApplicationError as error:
                general = _place_errors(error, form, formsets)
                status = 400
            else:
                messages.success(
                    request,
                    _(
                        "Contract %(reference)s is drafted. Check it, then send it to both "
                        "parties for signature."
                    )
                    % {"reference": contract.reference},
                )
                return redirect("contracts:detail", uuid=contract.uuid)
        else:
            status = 400
    return _render_form(
        request,
        template="contracts/app/contract_form.html",
        context={
            "form": form,
            "formsets": formsets,
            "general_errors": general,
            "award": award,
            "contract": None,
            "breadcrumbs": workspace_trail(
                (_("Contracts"), reverse("contracts:list")), (_("New contract"), "")
            ),
        },
        status=status,
    )


@login_required
def edit(request, uuid):
    contract = contract_or_404(request.user, uuid)
    if not rules.is_contract_commissioner(request.user, contract):
        raise Http404
    if contract.status != Contract.Status.DRAFT:
        messages.error(request, _("Only a draft can be corrected; a contract in force is amended."))
        return redirect("contracts:detail", uuid=contract.uuid)
    form = ContractDraftForm(request.POST or None, instance=contract)
    formsets = _terms_formsets(request.POST or None, contract)
    general, status = [], 200
    if request.method == "POST":
        if form.is_valid() and all(f.is_valid() for f in formsets):
            try:
                contract_services.update_contract_draft(
                    contract=contract,
                    actor=request.user,
                    **{k: form.cleaned_data[k] for k in form.changed_data},
                )
                kpis, targets, milestones = (rows(f) for f in formsets)
                contract_services.save_terms(
                    contract=contract,
                    actor=request.user,
                    kpis=kpis,
                    outcome_targets=targets,
                    milestones=milestones,
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ApplicationError as error:
                general = _place_errors(error, form, formsets)
                status = 400
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("contracts:detail", uuid=contract.uuid)
        else:
            status = 400
    return _render_form(
        request,
        template="contracts/app/contract_form.html",
        context={
            "form": form,
            "formsets": formsets,
            "general_errors": general,
            "award": contract.award,
            "contract": contract,
            "breadcrumbs": contract_trail(contract, (_("Correct the draft"), "")),
        },
        status=status,
    )


def _document_refresh(versions) -> bool:
    return any(
        getattr(version, "document", None) is not None and version.document.status == "preparing"
        for version in versions
        if version.status == ContractVersion.Status.AWAITING_SIGNATURES
    )


@login_required
def detail(request, uuid):
    user = request.user
    contract = contract_or_404(user, uuid)
    versions = list(records.versions_visible_to(user).filter(contract=contract))
    claims = list(records.claims_visible_to(user).filter(contract=contract))
    payments = {
        p.milestone_id: p for p in records.payments_visible_to(user).filter(contract=contract)
    }
    sees_reports = rules.is_contract_agency_staff(
        user, contract
    ) or rules.works_for_contract_provider(user, contract)
    reports = (
        list(records.reports_visible_to(user).filter(contract=contract)) if sees_reports else []
    )
    notices = list(records.notices_visible_to(user).filter(contract=contract))
    notice_due = next_notice_due(contract)
    is_commissioner = rules.is_contract_commissioner(user, contract)
    is_provider_admin = rules.is_contract_provider_admin(user, contract)
    is_finance = rules.is_contract_finance(user, contract)
    milestones = list(contract.milestones.all())
    open_claims = {c.milestone_id: c for c in claims if c.status in ("submitted", "confirmed")}
    measures = (
        measures_for_contract_period(contract)
        if contract.status == Contract.Status.ACTIVE
        and any(m.kind == "output" and m.status == "pending" for m in milestones)
        else None
    )
    milestone_rows = []
    for milestone in milestones:
        terms = claim_terms(milestone, measures=measures) if milestone.status == "pending" else None
        milestone_rows.append(
            {
                "milestone": milestone,
                "terms": terms,
                "payment": payments.get(milestone.pk),
                "open_claim": open_claims.get(milestone.pk),
                "may_claim": is_provider_admin
                and contract.status == Contract.Status.ACTIVE
                and terms is not None
                and terms.claimable
                and milestone.pk not in open_claims,
            }
        )
    party = signing_party(user, contract)
    moves = {
        target: is_commissioner and CONTRACT_LIFECYCLE.allows(contract.status, target)
        for target in Contract.Status.values
    }
    return render(
        request,
        "contracts/app/contract_detail.html",
        {
            "contract": contract,
            "versions": versions,
            "claims": claims,
            "milestone_rows": milestone_rows,
            "reports": reports,
            "sees_reports": sees_reports,
            "notices": notices,
            "notice_due": notice_due,
            "events": contract.events.select_related("actor").order_by("at", "pk"),
            "steps": next_steps(
                contract, versions=versions, claims=claims, reports=reports, notice_due=notice_due
            ),
            "refresh": _document_refresh(versions),
            "is_commissioner": is_commissioner,
            "is_provider_admin": is_provider_admin,
            "is_finance": is_finance,
            "party": party,
            "moves": moves,
            "may_amend": is_commissioner
            and contract.status == Contract.Status.ACTIVE
            and not any(v.status == ContractVersion.Status.AWAITING_SIGNATURES for v in versions),
            "notice_kind": _notice_kind(contract, notices) if is_commissioner else "",
            "reason_form": ReasonForm(),
            "attachment_form": AttachmentForm(),
            "claim_statuses": Claim.Status,
            "breadcrumbs": contract_trail(contract),
        },
    )


def _notice_kind(contract: Contract, notices) -> str:
    """The kind of performance notice the commissioner may open now ("" for none)."""
    if any(notice.status == PerformanceNotice.Status.DRAFT for notice in notices):
        return ""
    if contract.status in (Contract.Status.ACTIVE, Contract.Status.SUSPENDED):
        return PerformanceNotice.Kind.PERIODIC
    ended = (Contract.Status.COMPLETED, Contract.Status.TERMINATED)
    final_written = any(notice.kind == PerformanceNotice.Kind.FINAL for notice in notices)
    if contract.status in ended and contract.activated_at is not None and not final_written:
        return PerformanceNotice.Kind.FINAL
    return ""


def _commissioner_contract(request, uuid) -> Contract:
    contract = contract_or_404(request.user, uuid)
    if not rules.is_contract_commissioner(request.user, contract):
        raise Http404
    return contract


def _act(request, uuid, action, success: str, *, with_reason=False):
    contract = _commissioner_contract(request, uuid)
    kwargs = {"contract": contract, "actor": request.user}
    if with_reason:
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        action(**kwargs)
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        fail(request, error)
    else:
        messages.success(request, success)
    return redirect("contracts:detail", uuid=contract.uuid)


@login_required
@require_POST
def send(request, uuid):
    return _act(
        request,
        uuid,
        contract_services.send_for_signature,
        _("Sent for signature: the PDF is being prepared for both parties to sign."),
    )


@login_required
@require_POST
def back_to_draft(request, uuid):
    return _act(
        request,
        uuid,
        contract_services.return_to_draft,
        _("Back to draft: correct it and send it again. The version sent is withdrawn."),
        with_reason=True,
    )


@login_required
@require_POST
def suspend(request, uuid):
    return _act(
        request,
        uuid,
        contract_services.suspend_contract,
        _("The contract is suspended; both parties see the reason."),
        with_reason=True,
    )


@login_required
@require_POST
def resume(request, uuid):
    return _act(
        request, uuid, contract_services.resume_contract, _("The contract is in force again.")
    )


@login_required
@require_POST
def terminate(request, uuid):
    return _act(
        request,
        uuid,
        contract_services.terminate_contract,
        _("The contract is terminated. What was committed and not paid is back in the budget."),
        with_reason=True,
    )


@login_required
@require_POST
def complete(request, uuid):
    return _act(
        request,
        uuid,
        contract_services.complete_contract,
        _("The contract is complete. Publish its performance notice at the end."),
    )


@login_required
def amend(request, uuid):
    contract = _commissioner_contract(request, uuid)
    form = AmendmentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                version = amendments.propose_amendment(
                    contract=contract, actor=request.user, **form.cleaned_data
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(number)d is proposed: both parties sign it to put it in force.")
                    % {"number": version.number},
                )
                return redirect("contracts:detail", uuid=contract.uuid)
    return render(
        request,
        "contracts/app/amend.html",
        {
            "contract": contract,
            "form": form,
            "breadcrumbs": contract_trail(contract, (_("Amend"), "")),
        },
        status=status,
    )


@login_required
@require_POST
def withdraw_amendment(request, uuid, number):
    contract = _commissioner_contract(request, uuid)
    version = records.version_for(request.user, contract.uuid, number)
    if version is None:
        raise Http404
    try:
        amendments.withdraw_amendment(
            version=version, actor=request.user, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as error:
        raise Http404 from error
    except ApplicationError as error:
        fail(request, error)
    else:
        messages.success(request, _("The amendment is withdrawn; the contract stays as it was."))
    return redirect("contracts:detail", uuid=contract.uuid)


urlpatterns = [
    path("app/contracts/", contract_list, name="list"),
    path("app/contracts/funding/", funding, name="funding"),
    path("app/contracts/from-award/<uuid:award_uuid>/", from_award, name="from_award"),
    path("app/contracts/<uuid:uuid>/", detail, name="detail"),
    path("app/contracts/<uuid:uuid>/edit/", edit, name="edit"),
    path("app/contracts/<uuid:uuid>/send/", send, name="send"),
    path("app/contracts/<uuid:uuid>/back-to-draft/", back_to_draft, name="back_to_draft"),
    path("app/contracts/<uuid:uuid>/suspend/", suspend, name="suspend"),
    path("app/contracts/<uuid:uuid>/resume/", resume, name="resume"),
    path("app/contracts/<uuid:uuid>/terminate/", terminate, name="terminate"),
    path("app/contracts/<uuid:uuid>/complete/", complete, name="complete"),
    path("app/contracts/<uuid:uuid>/amend/", amend, name="amend"),
    path(
        "app/contracts/<uuid:uuid>/versions/<int:number>/withdraw/",
        withdraw_amendment,
        name="withdraw_amendment",
    ),
]
