"""Documents: the registration certificate, annual reports and qualifications a provider
uploads for the verifiers, and the reminders before one expires.

Documents are private files: the type is judged by the content
(``core.uploads``), never by the name, and the stored name never contains the
uploader's file name. Uploading and deleting are for the provider's
administrators (``providers.rules.can_edit_provider``).
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import record_change
from core.errors import ApplicationError
from core.uploads import sniff_uploaded_file
from providers.models import Provider, ProviderDocument
from providers.rules import can_edit_provider
from providers.services.common import NOT_PROVIDER_ADMINISTRATOR, check_permission, full_clean

DOCUMENT_EXPIRY_NOTICE = timedelta(days=30)


@transaction.atomic
def upload_document(
    *, provider: Provider, actor: User, kind: str, title: str, uploaded_file, expires_on=None
) -> ProviderDocument:
    check_permission(can_edit_provider, actor, provider, message=NOT_PROVIDER_ADMINISTRATOR)
    limit = settings.PROVIDER_DOCUMENT_MAX_BYTES
    if uploaded_file.size > limit:
        raise ApplicationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": uploaded_file.size / 1_048_576, "limit": limit / 1_048_576},
            field_errors={"file": [_("Choose a smaller file.")]},
        )
    content_type = sniff_uploaded_file(uploaded_file)
    if content_type is None:
        raise ApplicationError(
            _("Only PDF, PNG or JPEG files are accepted, whatever the file name says."),
            field_errors={"file": [_("This file is not a PDF or an image.")]},
        )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    document = ProviderDocument(
        provider=provider,
        kind=kind,
        title=title,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        expires_on=expires_on,
        uploaded_by=actor,
    )
    full_clean(document, exclude=["file"])
    document.file.save("upload", uploaded_file, save=False)
    document.save()
    record_change(
        action="provider.document_uploaded",
        actor=actor,
        organization=provider.organization,
        target=document,
        details={"kind": kind},
    )
    return document


@transaction.atomic
def delete_document(*, document: ProviderDocument, actor: User) -> None:
    provider = document.provider
    check_permission(can_edit_provider, actor, provider, message=NOT_PROVIDER_ADMINISTRATOR)
    record_change(
        action="provider.document_deleted",
        actor=actor,
        organization=provider.organization,
        target=document,
        details={"kind": document.kind},
    )
    stored_name = document.file.name
    storage = document.file.storage
    document.delete()
    # The file goes only once the deletion is committed: a rollback keeps both.
    transaction.on_commit(lambda: storage.delete(stored_name))


def documents_needing_expiry_reminder(today):
    """Documents expiring within 30 days whose provider has not been reminded yet (for beat)."""
    return ProviderDocument.objects.filter(
        expires_on__isnull=False,
        expires_on__lte=today + DOCUMENT_EXPIRY_NOTICE,
        expires_on__gte=today,
        reminder_sent_on__isnull=True,
    ).select_related("provider__organization")


@transaction.atomic
def mark_document_reminded(*, document: ProviderDocument, today) -> bool:
    """Record that the expiry reminder went out; False when another run already did."""
    updated = ProviderDocument.objects.filter(pk=document.pk, reminder_sent_on__isnull=True).update(
        reminder_sent_on=today
    )
    return bool(updated)
