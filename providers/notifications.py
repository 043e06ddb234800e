"""E-mails to providers: a change of their verification status, a document about to
expire, listings to confirm.

Mails go to the organization's address and to its active provider
administrators, in Chinese and then in English (``core.mail``). Called from
``providers.tasks``, never from a request.
"""

from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.mail import (
    LANGUAGE_SEPARATOR,
    MAIL_LANGUAGES,
    absolute,
    join_bodies,
    join_subjects,
    send_bilingual,
)
from providers import selectors
from providers.models import Provider, ProviderDocument

# LANGUAGE_SEPARATOR and MAIL_LANGUAGES are ``core.mail``'s, still imported from
# here by code written before it existed.
__all__ = [
    "LANGUAGE_SEPARATOR",
    "MAIL_LANGUAGES",
    "provider_recipients",
    "send_confirmation_reminder",
    "send_document_expiry_email",
    "send_status_email",
]


def provider_recipients(provider: Provider) -> list[str]:
    """The organization's e-mail and those of its active administrators, each once."""
    return selectors.provider_mail_recipients(provider)


def _send(*, provider: Provider, template: str, context: dict) -> int:
    return send_bilingual(
        recipients=provider_recipients(provider),
        subject_template=f"providers/email/{template}_subject.txt",
        body_template=f"providers/email/{template}.txt",
        context=context,
    )


def send_status_email(*, provider_id: int, status: str) -> int:
    """Tell the provider its status changed, with the reason and a link to its profile."""
    provider = Provider.objects.select_related("organization").filter(pk=provider_id).first()
    if provider is None:
        return 0
    # The reason belongs to the change being announced; if the status has moved
    # on since, the next mail carries the newer reason.
    reason = provider.status_reason if provider.status == status else ""
    return _send(
        provider=provider,
        template="status_changed",
        context={
            "provider": provider,
            "status": status,
            "status_label": Provider.Status(status).label,
            "reason": reason,
            "link": absolute(reverse("providers:my_profile")),
        },
    )


def send_document_expiry_email(*, document: ProviderDocument) -> int:
    """Remind the provider that one of its documents expires soon."""
    provider = document.provider
    return _send(
        provider=provider,
        template="document_expiring",
        context={
            "provider": provider,
            "document": document,
            "kind_label": ProviderDocument.Kind(document.kind).label,
            "link": absolute(reverse("providers:documents")),
        },
    )


def send_confirmation_reminder(*, provider: Provider, services) -> int:
    """One mail listing the services unconfirmed for 90 days, with a link to confirm them."""
    recipients = provider_recipients(provider)
    if not recipients:
        return 0
    link = absolute(reverse("providers:service_list"))
    subjects, bodies = [], []
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            subjects.append(gettext("Please confirm your service listings are still correct"))
            lines = [
                provider.name,
                "",
                gettext(
                    "These services have not been confirmed for 90 days. Please check that "
                    "each listing is still correct and confirm it, or update it. A service "
                    "not confirmed for 180 days leaves the public directory until it is "
                    "confirmed."
                ),
                "",
            ]
            lines += [
                "- "
                + gettext("%(service)s (last confirmed on %(date)s)")
                % {
                    "service": service.name,
                    "date": timezone.localdate(service.last_confirmed_at).isoformat(),
                }
                for service in services
            ]
            lines += ["", gettext("Confirm or update them here: %(link)s") % {"link": link}]
            bodies.append("\n".join(lines))
    return send_mail(join_subjects(subjects), join_bodies(bodies), None, recipients)
