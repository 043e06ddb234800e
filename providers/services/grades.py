"""Evaluation grades (社会组织评估等级, 1A–5A) as evidence, not claims (issue #13).

A grade decides who may bid on a tender and where a provider appears in the
directory, so the provider cannot simply type one. It comes from one of two
pieces of evidence:

- a **certificate**: the provider declares the grade with its certificate
  (``declare_grade``); it shows as “declared, not verified” and counts nowhere
  until a platform administrator has checked the certificate and verifies it,
  or refuses it (``verify_declared_grade``);
- an accepted **third-party assessment** that awards a grade: the evaluation
  app records it here (``record_assessed_grade``).

The grade's standing moves along ``providers.models.GRADE_LIFECYCLE`` through
``core.lifecycle.move``, which writes the audit entry. Only a verified grade
counts (``Provider.verified_grade``).
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import ApplicationError, InvalidTransition
from core.lifecycle import move
from providers.models import GRADE_LIFECYCLE, Provider, ProviderDocument
from providers.rules import can_edit_provider, can_verify_grade
from providers.services.common import NOT_PROVIDER_ADMINISTRATOR, check_permission
from providers.services.documents import upload_document

NOT_GRADE_VERIFIER = gettext_lazy(
    "Only a platform administrator who does not work for this provider can verify its grade."
)
NOTHING_DECLARED = gettext_lazy(
    "There is no declared grade to decide on: it has been verified, refused or replaced meanwhile."
)
NO_CERTIFICATE = gettext_lazy(
    "There is no certificate to check for this grade: refuse it, and the provider can "
    "declare it again with its certificate."
)
GRADES = range(Provider.Grade.A1, Provider.Grade.A5 + 1)

Standing = Provider.GradeStatus


def _locked(provider: Provider) -> Provider:
    return Provider.objects.select_for_update().select_related("organization").get(pk=provider.pk)


def _check_grade(grade, awarded_on, today) -> dict[str, list[str]]:
    errors = {}
    if grade not in GRADES:
        errors["grade"] = [_("Choose a grade from 1A to 5A.")]
    if awarded_on is None:
        errors["awarded_on"] = [_("Enter the date the grade was awarded.")]
    elif awarded_on > today:
        errors["awarded_on"] = [_("A grade cannot be awarded in the future.")]
    return errors


@transaction.atomic
def declare_grade(
    *,
    provider: Provider,
    actor: User,
    grade: int,
    awarded_on: date,
    certificate_number: str,
    certificate: ProviderDocument | None = None,
    uploaded_file=None,
    title: str = "",
) -> Provider:
    """An administrator of the provider declares its grade with the certificate.

    The certificate is a document of the provider of kind grade certificate
    (``certificate``), or a file uploaded with the declaration
    (``uploaded_file``, stored like any document). The grade then stands as
    declared, replacing any grade held before, and counts nowhere until a
    platform administrator verifies it.
    """
    check_permission(can_edit_provider, actor, provider, message=NOT_PROVIDER_ADMINISTRATOR)
    if provider.status == Provider.Status.DEBARRED:
        raise ApplicationError(_("A debarred provider's profile can no longer be changed."))
    certificate_number = (certificate_number or "").strip()
    errors = _check_grade(grade, awarded_on, timezone.localdate())
    if not certificate_number:
        errors["certificate_number"] = [_("Enter the number printed on the certificate.")]
    if certificate is None and uploaded_file is None:
        errors["file"] = [_("Add the certificate: verifiers check the grade against it.")]
    elif certificate is not None and (
        certificate.provider_id != provider.pk
        or certificate.kind != ProviderDocument.Kind.GRADE_CERTIFICATE
    ):
        errors["certificate"] = [_("Choose one of your evaluation grade certificates.")]
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)

    provider = _locked(provider)
    if certificate is None:
        certificate = upload_document(
            provider=provider,
            actor=actor,
            kind=ProviderDocument.Kind.GRADE_CERTIFICATE,
            title=(title or "").strip()
            or f"{ProviderDocument.Kind.GRADE_CERTIFICATE.label} {Provider.Grade(grade).label}",
            uploaded_file=uploaded_file,
        )
    return move(
        provider,
        Standing.DECLARED,
        lifecycle=GRADE_LIFECYCLE,
        actor=actor,
        values={
            "grade": grade,
            "grade_date": awarded_on,
            "grade_source": Provider.GradeSource.CERTIFICATE,
            "grade_reference": certificate_number,
            "grade_document": certificate,
            "grade_verified_by": None,
            "grade_verified_at": None,
            "grade_note": "",
        },
        details={"grade": grade, "document": str(certificate.uuid)},
        action="provider.grade_declared",
    )


@transaction.atomic
def verify_declared_grade(
    *, provider: Provider, user: User, accept: bool, note: str = ""
) -> Provider:
    """A platform administrator decides on a declared grade, having checked its certificate.

    Accepted, the grade is verified and counts; refused, it is cleared and the
    provider reads ``note`` (required then) on its profile. Nobody who works for
    the provider may decide (``providers.rules.can_verify_grade``).
    """
    check_permission(can_verify_grade, user, provider, message=NOT_GRADE_VERIFIER)
    provider = _locked(provider)
    if provider.grade_status != Standing.DECLARED:
        # Verified → verified is a move of the table (a newer assessment), not a decision.
        raise InvalidTransition(NOTHING_DECLARED)
    note = (note or "").strip()
    if accept:
        if provider.grade_document_id is None:
            raise ApplicationError(NO_CERTIFICATE)
        target = Standing.VERIFIED
        values = {"grade_verified_by": user, "grade_verified_at": timezone.now()}
        action = "provider.grade_verified"
    else:
        if not note:
            raise ApplicationError(
                _("Give the reason: the provider will read it."),
                field_errors={"note": [_("This field is required.")]},
            )
        target = Standing.NONE
        values = {
            "grade": Provider.Grade.NONE,
            "grade_date": None,
            "grade_source": "",
            "grade_reference": "",
            "grade_document": None,
            "grade_verified_by": None,
            "grade_verified_at": None,
        }
        action = "provider.grade_refused"
    values["grade_note"] = note
    return move(
        provider,
        target,
        lifecycle=GRADE_LIFECYCLE,
        actor=user,
        note=note,
        values=values,
        details={"grade": provider.grade},
        action=action,
    )


@transaction.atomic
def record_assessed_grade(
    *, provider: Provider, grade: int, awarded_on: date, reference: str, actor: User
) -> Provider:
    """Record the grade an accepted third-party assessment awarded: verified at once.

    Called by the evaluation app when an assessment that may award a grade is
    accepted. It checks no permission of its own beyond requiring the person
    acting: who may accept an assessment (its commissioner, on an assessor
    allowed to award grades) is the evaluation app's knowledge, and this app
    may not reach into it; ``evaluation.services`` checks that before calling,
    in the same transaction. So nothing in this app — page, form, API or admin
    — calls this function: it has no way of checking the commissioner itself.
    The assessment's ``reference`` is kept and shown beside the grade; a newer
    assessment or certificate replaces the grade.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("An assessed grade is recorded for the person who accepted it."))
    reference = (reference or "").strip()
    errors = _check_grade(grade, awarded_on, timezone.localdate())
    if not reference:
        errors["reference"] = [_("Give the assessment's reference.")]
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)
    provider = _locked(provider)
    return move(
        provider,
        Standing.VERIFIED,
        lifecycle=GRADE_LIFECYCLE,
        actor=actor,
        values={
            "grade": grade,
            "grade_date": awarded_on,
            "grade_source": Provider.GradeSource.ASSESSMENT,
            "grade_reference": reference,
            "grade_document": None,
            "grade_verified_by": actor,
            "grade_verified_at": timezone.now(),
            "grade_note": "",
        },
        details={"grade": grade, "reference": reference},
        action="provider.grade_assessed",
    )
