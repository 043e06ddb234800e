"""Survey pages: the beneficiary's satisfaction survey under /survey/<token>/, answered
without login and without JavaScript, and the slip with its link and QR code that the
provider or the caseworker prints and hands over (HTML and PDF).

The survey's link is its only key, so its pages are kept out of search engines,
out of every cache and out of the ``Referer`` of any link followed from them. A
link nobody made answers 404, a used or expired one 410, too many answers from one
connection 429, each in plain words. The slip names the provider and the service,
never the person.
"""

from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.errors import ApplicationError
from core.forms import attach_errors
from core.integrations.pdf import CJK_FONT_FAMILY, MissingCJKFont, render_pdf, require_cjk_font
from core.permissions import login_required, public
from evaluation.forms.surveys import SurveyForm
from evaluation.models.surveys import SurveyInvitation
from evaluation.selectors import surveys as selectors
from evaluation.services import surveys as services

# What the survey answers when it cannot take the answers: status and heading.
CLOSED = {
    "unknown": (404, services.UNKNOWN),
    "used": (410, services.USED),
    "expired": (410, services.EXPIRED),
    "rate_limited": (429, services.TOO_MANY),
}


def _private(view):
    """The survey link is its own key: no search engine, cache or Referer may keep it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "strict-origin"
        return response

    return never_cache(wrapped)


def _closed(request, code: str, message=None):
    status, standard = CLOSED[code]
    return render(
        request,
        "evaluation/surveys/closed.html",
        {"code": code, "message": message or standard},
        status=status,
    )


def _invitation_state(invitation: SurveyInvitation | None) -> str:
    """Why a link cannot be answered now ("unknown", "used", "expired"), or "" when it can."""
    if invitation is None:
        return "unknown"
    if invitation.used_at is not None:
        return "used"
    if not invitation.is_open():
        return "expired"
    return ""


@public
@_private
def survey(request, token):
    if request.method != "POST":
        invitation = selectors.invitation_by_token(token)
        state = _invitation_state(invitation)
        if state:
            return _closed(request, state)
        return _render_survey(request, invitation, SurveyForm())
    form = SurveyForm(request.POST)
    try:
        # The service decides everything, in order: rate limit, link, then the answers;
        # the form is only there to show the answers back with their problems.
        services.submit_survey(
            token=token,
            answers=form.answers(),
            comment=form.comment(),
            language=request.LANGUAGE_CODE,
            client_ip=request.META.get("REMOTE_ADDR"),
        )
    except ApplicationError as error:
        if error.code in CLOSED:
            return _closed(request, error.code, error.message)
        if form.is_valid():
            # The form saw nothing wrong, the service did: show its messages.
            attach_errors(form, error)
        invitation = selectors.invitation_by_token(token)
        return _render_survey(request, invitation, form, status=400)
    return render(request, "evaluation/surveys/thanks.html")


def _render_survey(request, invitation, form, *, status=200):
    return render(
        request,
        "evaluation/surveys/survey.html",
        {
            "form": form,
            "provider_name": invitation.provider.name if invitation else "",
            "expires_on": timezone.localdate(invitation.expires_at) if invitation else None,
        },
        status=status,
    )


# --- the slip -------------------------------------------------------------------------------


def _slip_context(request, uuid) -> dict:
    invitation = selectors.invitation_for_slip(request.user, uuid)
    if invitation is None:
        raise Http404
    link = request.build_absolute_uri(reverse("evaluation:survey", args=[invitation.token]))
    qr = segno.make(link, error="m")
    return {
        "invitation": invitation,
        "provider": invitation.provider,
        "service": invitation.referral.service,
        "link": link,
        "qr_svg": qr.svg_inline(scale=4, title=_("QR code of the survey link"), svgclass="slip-qr"),
        "expires_on": timezone.localdate(invitation.expires_at),
        # Each side of the slip in one of the platform's languages.
        "languages": [code for code, _name in settings.LANGUAGES],
        "referral_uuid": uuid,
    }


@login_required
def survey_slip(request, uuid):
    """The printable slip: the link written out, its QR code, and how to answer."""
    response = render(request, "evaluation/surveys/slip.html", _slip_context(request, uuid))
    response["Referrer-Policy"] = "strict-origin"
    return response


@login_required
def survey_slip_pdf(request, uuid):
    """The same slip as a PDF, for printers that do better with one."""
    context = _slip_context(request, uuid)
    try:
        # Without a CJK font WeasyPrint draws empty boxes instead of failing.
        require_cjk_font()
    except MissingCJKFont as error:
        messages.error(request, error.message)
        return redirect("evaluation:survey_slip", uuid=uuid)
    html = render_to_string(
        "evaluation/surveys/slip_pdf.html",
        {**context, "font_family": CJK_FONT_FAMILY},
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="survey-slip.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("survey/<str:token>/", survey, name="survey"),
    path("app/evaluation/referrals/<uuid:uuid>/survey-slip/", survey_slip, name="survey_slip"),
    path(
        "app/evaluation/referrals/<uuid:uuid>/survey-slip.pdf",
        survey_slip_pdf,
        name="survey_slip_pdf",
    ),
]
