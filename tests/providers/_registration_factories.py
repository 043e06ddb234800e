"""Helpers for the registration, document and verification tests.

``valid_code`` builds unified social credit codes with a correct check
character; ``private_files`` removes the files a test stored under
``PRIVATE_MEDIA_ROOT`` (documents are real files, the database is rolled back).
"""

import contextlib
from pathlib import Path

import pytest
from django.conf import settings

from accounts.validators import credit_code_check_character
from providers.models import ProviderDocument

# A plausible Shanghai social service agency code (52 = civil affairs, social service agency).
SOCIAL_SERVICE_AGENCY_FIRST17 = "52310115MJ4912345"
# An enterprise (91…): accepted, with a note.
ENTERPRISE_FIRST17 = "91310115MA1K40012"
# A code starting with a letter, which python-stdnum refuses although it is valid.
LETTER_FIRST17 = "N1310115MA1K30001"


def valid_code(first17: str = SOCIAL_SERVICE_AGENCY_FIRST17) -> str:
    return first17 + credit_code_check_character(first17)


def wrong_check_character(code: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return code[:17] + alphabet[(alphabet.index(code[17]) + 1) % len(alphabet)]


def full_width(text: str) -> str:
    """The same text typed with a Chinese input method in full-width mode."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@pytest.fixture
def private_files(db):
    """The private media root; the documents a test stored there are removed afterwards.

    Only the files of this test's documents are touched: other test runs may be
    writing to the same folder at the same time.
    """
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    yield root
    folders = set()
    for document in ProviderDocument.objects.all():
        path = root / document.file.name
        path.unlink(missing_ok=True)
        folders.add(path.parent)
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty, or already gone
            folder.rmdir()
