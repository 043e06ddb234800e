"""The workspace landing at /app/: the person's roles, duties and next actions."""

from django.shortcuts import render

from accounts.models import Role
from accounts.rules import roles_of
from accounts.selectors.organizations import memberships_of
from accounts.workspace import ROLE_DUTIES, actions_for
from core.permissions import login_required


@login_required
def workspace(request):
    memberships = list(memberships_of(request.user))
    held = roles_of(request.user)
    duties = [(Role(role).label, ROLE_DUTIES[Role(role)]) for role in Role.values if role in held]
    return render(
        request,
        "accounts/workspace.html",
        {
            "memberships": memberships,
            "duties": duties,
            "actions": actions_for(request.user),
        },
    )
