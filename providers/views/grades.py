"""The provider's page for declaring its evaluation grade with the certificate.

For the provider's administrators only (anyone else gets 404). The grade
shows as “declared, not verified” until a platform administrator has checked
the certificate on the verification page (``providers.views.verification``).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.forms import attach_errors
from core.permissions import login_required
from providers.forms.grades import GradeDeclarationForm
from providers.services import grades as grade_services
from providers.views.access import administered_provider
from providers.views.registration import breadcrumbs


@login_required
def declare_grade(request):
    provider = administered_provider(request)
    form = GradeDeclarationForm(request.POST or None, request.FILES or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            grade_services.declare_grade(
                provider=provider, actor=request.user, **form.service_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The grade is declared. It shows as “declared, not verified” and counts for "
                    "tenders and the directory once a platform administrator has checked the "
                    "certificate."
                ),
            )
            return redirect("providers:my_profile")
    return render(
        request,
        "providers/registration/declare_grade.html",
        {
            "provider": provider,
            "form": form,
            "breadcrumbs": breadcrumbs(_("Declare the evaluation grade")),
        },
    )
