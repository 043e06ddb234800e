"""E-mails to providers: a change of their verification status, a document about to expire.

We do not know which language the people reading a provider's mailbox
prefer, so each mail carries the Chinese text first and the English text
after it. Mails go to the organization's address and to its active
provider administrators. Called from ``providers.tasks``, never from a request.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Role
from providers.models import Provider, ProviderDocument

# Chinese first: it is the platform's language and that of most recipients.
MAIL_LANGUAGES = ("zh-hans", "en")
LANGUAGE_SEPARATOR = "\n\n----------------------------------------\n\n"


def provider_recipients(provider: Provider) -> list[str]:
    """The organization's e-mail and those of its active administrators, each once."""
    addresses = [provider.organization.email]
    addresses += (
        Membership.objects.filter(
            organization_id=provider.organization_id,
            role=Role.PROVIDER_ADMIN,
            is_active=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
    )
    seen, recipients = set(), []
    for address in addresses:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(address)
    return recipients


def absolute_url(url_name: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(url_name)


def _render_bilingual(template_name: str, context: dict) -> list[str]:
    texts = []
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            texts.append(render_to_string(template_name, context).strip())
    return texts


def _send(*, recipients: list[str], template: str, context: dict) -> int:
    if not recipients:
        return 0
    subjects = _render_bilingual(f"providers/email/{template}_subject.txt", context)
    # Mail headers hold one line; keep each language's subject once.
    subject = " / ".join(dict.fromkeys(" ".join(text.split()) for text in subjects))
    body = LANGUAGE_SEPARATOR.join(_render_bilingual(f"providers/email/{template}.txt", context))
    return send_mail(subject, body + "\n", None, recipients)


def send_status_email(*, provider_id: int, status: str) -> int:
    """Tell the provider its status changed, with the reason and a link to its profile."""
    provider = Provider.objects.select_related("organization").filter(pk=provider_id).first()
    if provider is None:
        return 0
    # The reason belongs to the change being announced; if the status has moved
    # on since, the next mail carries the newer reason.
    reason = provider.status_reason if provider.status == status else ""
    return _send(
        recipients=provider_recipients(provider),
        template="status_changed",
        context={
            "provider": provider,
            "status": status,
            "status_label": Provider.Status(status).label,
            "reason": reason,
            "link": absolute_url("providers:my_profile"),
        },
    )


def send_document_expiry_email(*, document: ProviderDocument) -> int:
    """Remind the provider that one of its documents expires soon."""
    provider = document.provider
    return _send(
        recipients=provider_recipients(provider),
        template="document_expiring",
        context={
            "provider": provider,
            "document": document,
            "kind_label": ProviderDocument.Kind(document.kind).label,
            "link": absolute_url("providers:documents"),
        },
    )
