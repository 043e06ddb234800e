"""The person's API tokens at /app/tokens/: see them, issue one, revoke one or all.

A new key is shown once, in the answer to the form that made it, and never
stored anywhere it could be read again (not in the session, not in a message):
only its digest is kept. Somebody else's token answers 404.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.forms import APITokenForm
from accounts.selectors.tokens import api_token_of, api_tokens_of
from accounts.services import tokens as token_services
from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required


@login_required
def api_tokens(request):
    form = APITokenForm(request.POST or None)
    issued, key, status = None, None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                issued, key = token_services.issue_api_token(
                    user=request.user, name=form.cleaned_data["name"]
                )
            except ApplicationError as error:
                attach_errors(form, error)
            else:
                form, status = APITokenForm(), 200
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": api_tokens_of(request.user),
            "issued": issued,
            "key": key,
            "ttl_days": settings.API_TOKEN_TTL_DAYS,
        },
        status=status,
    )


@login_required
@require_POST
def revoke_api_token(request, uuid):
    token = api_token_of(request.user, uuid)
    if token is None:
        raise Http404
    try:
        token_services.revoke_api_token(token=token, actor=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(
        request,
        _("The token “%(token)s” is revoked: programs that send it are refused from now on.")
        % {"token": token},
    )
    return redirect("accounts:api_tokens")


@login_required
@require_POST
def revoke_all_api_tokens(request):
    count = token_services.revoke_all_api_tokens(user=request.user, actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d token is revoked: programs that send it are refused from now on.",
                "%(count)d tokens are revoked: programs that send them are refused from now on.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("You had no tokens to revoke."))
    return redirect("accounts:api_tokens")
