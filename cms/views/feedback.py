"""Feedback and complaints: the public form and status lookup, and the agency's inbox.

The public pages carry a CSRF token or a tracking number (a bearer token), so no
shared cache may keep them. The agency pages show what the person wrote and how
to reach them: opening one is a read of personal data and goes in the audit log.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cms import selectors, services
from cms.forms import FeedbackForm, FeedbackStatusChangeForm, FeedbackStatusLookupForm
from cms.models import Feedback
from cms.rules import handles_feedback
from core.audit import record_read
from core.errors import ApplicationError
from core.forms import attach_errors
from core.middleware import client_ip
from core.permissions import public

SESSION_KEY = "cms.feedback.sent"
INBOX_PAGE_SIZE = 50
PERSONAL_FIELDS = ("message", "contact_name", "contact")


def feedback_handler_required(view):
    """The agency's caseworkers, supervisors and commissioners only; 404 for anyone else.

    Asked of the predicate, not ``user.has_perm``: a superuser without a role
    at an agency has no business reading complaints that may name a person.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not handles_feedback.test(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.permission_policy = "rule:cms.open_feedback_inbox"
    return wrapped


def _breadcrumbs(*trail):
    return [(_("Home"), "/"), *trail]


@public
@never_cache
def submit(request):
    if request.method == "GET" and request.GET.get("sent") and request.session.get(SESSION_KEY):
        return _thanks(request, request.session[SESSION_KEY])
    form = FeedbackForm(request.POST or None)
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                feedback = services.submit_feedback(
                    category=data["category"],
                    area=data["area"],
                    message=data["message"],
                    contact_name=data["contact_name"],
                    contact=data["contact"] if data["consent"] else "",
                    # Without an address (a misconfigured proxy) all share one allowance.
                    client_ip=client_ip(request) or "unknown",
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
                if error.code == "rate_limited":
                    status_code = 429
            else:
                request.session[SESSION_KEY] = feedback.tracking_number
                return redirect(f"{reverse('cms:feedback')}?sent=1")
        form.renew_token()
    return render(
        request,
        "cms/feedback/form.html",
        {
            "form": form,
            "breadcrumbs": _breadcrumbs((_("Feedback and complaints"), "")),
        },
        status=status_code,
    )


def _thanks(request, tracking_number):
    return render(
        request,
        "cms/feedback/thanks.html",
        {
            "tracking_number": tracking_number,
            "breadcrumbs": _breadcrumbs(
                (_("Feedback and complaints"), reverse("cms:feedback")),
                (_("Thank you"), ""),
            ),
        },
    )


@public
@never_cache
def status(request):
    """Look up a tracking number, sent by POST so that it never sits in an address (access
    logs, browser history, Referer); an address with ``?number=`` only shows the form."""
    form = FeedbackStatusLookupForm(request.POST if request.method == "POST" else None)
    found = None
    looked_up = False
    status_code = 200
    if form.is_bound and form.is_valid():
        try:
            found = services.look_up_status(
                number=form.cleaned_data["number"], client_ip=client_ip(request) or "unknown"
            )
            looked_up = True
        except ApplicationError as error:
            form.add_error(None, str(error.message))
            status_code = 429
    response = render(
        request,
        "cms/feedback/status.html",
        {
            "form": form,
            "found": found,
            "looked_up": looked_up,
            "breadcrumbs": _breadcrumbs(
                (_("Feedback and complaints"), reverse("cms:feedback")),
                (_("Check the status"), ""),
            ),
        },
        status=status_code,
    )
    response["Referrer-Policy"] = "same-origin"
    return response


@feedback_handler_required
def inbox(request):
    status_filter = request.GET.get("status", "")
    if status_filter not in Feedback.Status.values:
        status_filter = ""
    counts = selectors.feedback_inbox_counts(request.user)
    tabs = [(value, label, counts.get(value, 0)) for value, label in Feedback.Status.choices]
    page = Paginator(
        selectors.feedback_inbox(request.user, status_filter or None), INBOX_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "cms/feedback/inbox.html",
        {
            "status": status_filter,
            "tabs": tabs,
            "total": sum(counts.values()),
            "page_obj": page,
            "items": page.object_list,
        },
    )


@feedback_handler_required
def handle(request, uuid):
    feedback = selectors.feedback_to_handle(request.user, uuid)
    if feedback is None:
        raise Http404
    form = FeedbackStatusChangeForm(request.POST or None, feedback=feedback, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_feedback_status(
                feedback=feedback,
                user=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                public_reply=form.cleaned_data["public_reply"],
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("The status is changed; the person sees it with their number.")
            )
            return redirect("cms:feedback_handle", uuid=feedback.uuid)
    record_read(
        action="feedback.read",
        actor=request.user,
        organization=feedback.agency,
        target=feedback,
        purpose="handle feedback",
        fields=PERSONAL_FIELDS,
    )
    return render(
        request,
        "cms/feedback/handle.html",
        {
            "feedback": feedback,
            "form": form,
            "steps": feedback.events.all(),
            "breadcrumbs": [
                (_("Workspace"), reverse("accounts:workspace")),
                (_("Feedback from the public"), reverse("cms:feedback_inbox")),
                (feedback.tracking_number, ""),
            ],
        },
    )
