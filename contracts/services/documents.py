"""The PDF of each contract version: asked for when a version goes to the parties,
rendered by a Celery task (``contracts.tasks.render_contract_document``), and asked for
again by a commissioner once a failure's cause (no CJK font) is fixed.

The document moves along ``DOCUMENT_LIFECYCLE`` (preparing → ready | failed →
preparing). Without a Chinese font the task fails the document with a message that
says what to install — never a PDF of empty boxes.
"""

import logging
from datetime import timedelta
from io import BytesIO

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from contracts import rules
from contracts.models.contracts import ContractVersion
from contracts.models.documents import DOCUMENT_LIFECYCLE, ContractDocument
from contracts.pdf import render_contract_pdf
from core.audit import record_change
from core.errors import ApplicationError
from core.integrations.pdf import MissingCJKFont, require_cjk_font
from core.integrations.signing import sha256_hex
from core.lifecycle import move

logger = logging.getLogger(__name__)

ONLY_COMMISSIONER = gettext_lazy("Only a commissioner of the lead agency can do this.")
NOT_STUCK = gettext_lazy(
    "The PDF is being prepared: this page shows it as soon as it is ready. Ask again only if "
    "it is still not ready in %(minutes)d minutes."
)
RENDERING_FAILED = gettext_lazy(
    "The PDF could not be made because of an error on the server. Try again; if it fails "
    "again, tell the platform's administrators."
)
STORED_FILE_CHANGED = gettext_lazy("The stored contract file does not match its record.")

# A document still "being prepared" after this long lost its task (a worker
# restarted, the broker was down): a commissioner may ask for it again.
STUCK_AFTER = timedelta(minutes=10)


def _queue(document: ContractDocument) -> None:
    from contracts.tasks import render_contract_document

    transaction.on_commit(lambda: render_contract_document.delay(document.pk))


@transaction.atomic
def request_document(*, version: ContractVersion, now=None) -> ContractDocument:
    """The version's document, being prepared: made now, or asked for again after a failure.

    A document already ready (or being prepared) is returned as it is: the PDF of
    a version is rendered once, and what the parties sign is never re-rendered.
    """
    now = now or timezone.now()
    document = ContractDocument.objects.select_for_update().filter(version_id=version.pk).first()
    if document is None:
        document = ContractDocument.objects.create(
            version=version, requested_at=now, status_changed_at=now
        )
        record_change(
            action="contract document.requested",
            actor=None,
            organization=version.contract.lead_agency_id,
            target=document,
            details={"version": version.number},
            label=str(version),
        )
    elif document.status == ContractDocument.Status.FAILED:
        document = move(
            document,
            ContractDocument.Status.PREPARING,
            lifecycle=DOCUMENT_LIFECYCLE,
            actor=None,
            now=now,
            values={"error": "", "requested_at": now},
        )
    else:
        return document
    _queue(document)
    return document


@transaction.atomic
def retry_document(*, document: ContractDocument, actor: User, now=None) -> ContractDocument:
    """A commissioner asks again for a document that could not be made, or that is stuck."""
    now = now or timezone.now()
    document = (
        ContractDocument.objects.select_for_update()
        .select_related("version__contract")
        .get(pk=document.pk)
    )
    if not rules.is_contract_commissioner(actor, document.version.contract):
        raise PermissionDenied(str(ONLY_COMMISSIONER))
    if document.status == ContractDocument.Status.PREPARING:
        if document.requested_at > now - STUCK_AFTER:
            raise ApplicationError(
                NOT_STUCK % {"minutes": int(STUCK_AFTER.total_seconds() // 60)}, code="preparing"
            )
        # Its task was lost: queue it again (the task renders a document only once).
        document.requested_at = now
        document.save(update_fields=["requested_at"])
        record_change(
            action="contract document.requested_again",
            actor=actor,
            organization=document.version.contract.lead_agency_id,
            target=document,
            details={"version": document.version.number},
            label=str(document.version),
        )
        _queue(document)
        return document
    DOCUMENT_LIFECYCLE.check(document.status, ContractDocument.Status.PREPARING)
    document = move(
        document,
        ContractDocument.Status.PREPARING,
        lifecycle=DOCUMENT_LIFECYCLE,
        actor=actor,
        now=now,
        values={"error": "", "requested_at": now},
    )
    _queue(document)
    return document


def page_count(pdf: bytes) -> int | None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 - a count we cannot read is simply not shown
        return None


def _rendered(version: ContractVersion) -> tuple[bytes | None, str]:
    """The PDF bytes of ``version``, or None and the sentence that says why not."""
    try:
        # Without a CJK font WeasyPrint draws empty boxes instead of failing.
        require_cjk_font()
        return render_contract_pdf(version), ""
    except MissingCJKFont as exc:
        return None, exc.message
    except ApplicationError as exc:
        return None, exc.message
    except Exception:  # noqa: BLE001 - a rendering bug fails the document, never hangs it
        logger.exception("Contract PDF of %s could not be rendered", version)
        return None, str(RENDERING_FAILED)


def render_document(*, document: ContractDocument, now=None) -> ContractDocument:
    """Render a document that is being prepared; any other is returned unchanged.

    Safe to run twice (a retried task): the rendering runs outside the row lock
    (it takes a second or more), and its result is stored only if the document
    is still being prepared then.
    """
    document = ContractDocument.objects.select_related(
        "version__contract__lead_agency",
        "version__contract__provider__organization",
        "version__contract__award__tender",
        "version__contract__lot",
    ).get(pk=document.pk)
    if document.status != ContractDocument.Status.PREPARING:
        return document
    pdf, error = _rendered(document.version)
    with transaction.atomic():
        document = (
            ContractDocument.objects.select_for_update()
            .select_related("version__contract")
            .get(pk=document.pk)
        )
        if document.status != ContractDocument.Status.PREPARING:
            return document
        if pdf is None:
            return move(
                document,
                ContractDocument.Status.FAILED,
                lifecycle=DOCUMENT_LIFECYCLE,
                actor=None,
                now=now,
                note=error,
                values={"error": error},
            )
        digest = sha256_hex(pdf)
        document.file.save(f"v{document.version.number}.pdf", ContentFile(pdf), save=False)
        return move(
            document,
            ContractDocument.Status.READY,
            lifecycle=DOCUMENT_LIFECYCLE,
            actor=None,
            now=now,
            values={
                "file": document.file.name,
                "sha256": digest,
                "unsigned_sha256": digest,
                "page_count": page_count(pdf),
                "rendered_at": now or timezone.now(),
            },
            details={"sha256": digest},
        )


def document_bytes(document: ContractDocument) -> bytes:
    """The stored file, checked against the hash the record keeps.

    Raises ``ApplicationError`` (code ``tampered``) when the file on disk is not
    the one recorded: nobody is served, or signs, a file the record does not vouch for.
    """
    with document.file.open("rb") as handle:
        data = handle.read()
    if sha256_hex(data) != document.sha256:
        logger.error("Contract file %s does not match its recorded SHA-256", document.file.name)
        raise ApplicationError(str(STORED_FILE_CHANGED), code="tampered")
    return data
