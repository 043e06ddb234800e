"""Bilingual e-mail: every mail the platform sends carries the Chinese text
first and the English text after it, because we do not know which language the
people reading an organization's mailbox prefer.

Apps render their own templates through ``render_bilingual`` and send with
``send_bilingual``; recipient lists come from ``unique_addresses`` (each address
once, whatever its case). Links in mails are absolute (``absolute``). Mails are
sent from tasks, never from a request, and never carry personal data.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

# Chinese first: it is the platform's language and that of most recipients.
MAIL_LANGUAGES = ("zh-hans", "en")
LANGUAGE_SEPARATOR = "\n\n----------------------------------------\n\n"


def absolute(path: str) -> str:
    """A path of this site as a full link, for mails read outside the browser."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def unique_addresses(addresses: Iterable[str]) -> list[str]:
    """The non-empty addresses, each once (compared without case), in their order."""
    seen, recipients = set(), []
    for address in addresses:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(address)
    return recipients


def render_bilingual(template_name: str, context: dict) -> list[str]:
    """The template rendered in each mail language, Chinese first."""
    texts = []
    for language in MAIL_LANGUAGES:
        with translation.override(language):
            texts.append(render_to_string(template_name, context).strip())
    return texts


def join_subjects(subjects: Iterable[str]) -> str:
    """One header line: each language's subject once, on one line, joined by " / "."""
    return " / ".join(dict.fromkeys(" ".join(str(text).split()) for text in subjects))


def join_bodies(bodies: Iterable[str]) -> str:
    return LANGUAGE_SEPARATOR.join(bodies) + "\n"


def send_bilingual(*, recipients: list[str], subject_template: str, body_template: str, context):
    """Render subject and body in both languages and send one mail; returns the count sent."""
    if not recipients:
        return 0
    subject = join_subjects(render_bilingual(subject_template, context))
    body = join_bodies(render_bilingual(body_template, context))
    return send_mail(subject, body, None, recipients)
