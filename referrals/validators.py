"""Citizen ID numbers (GB 11643-1999): validation with messages a caseworker can act on.

An ID number has 18 characters: a 6-digit area code, the birth date
(YYYYMMDD), a 3-digit sequence whose last digit is odd for men and even for
women, and a check character computed with ISO 7064 MOD 11-2 (``X`` stands
for 10). The 15-digit numbers of the first-generation cards were replaced
between 2004 and 2013 and are refused: they carry no check character, so a
typo in them cannot be caught, and they would give the same person two blind
indexes.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.blind_index import normalize_id_number

ID_NUMBER_LENGTH = 18
LEGACY_ID_NUMBER_LENGTH = 15
# ISO 7064 MOD 11-2: weight of each of the first 17 digits, and the check
# character for each remainder of the weighted sum modulo 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# Birth dates before this are surely typing errors (the oldest person recorded was born in 1875).
EARLIEST_BIRTH_DATE = datetime.date(1875, 1, 1)

_SHAPE = re.compile(r"^\d{17}[\dX]$")

MALE = "male"
FEMALE = "female"

ID_NUMBER_REQUIRED = _("Enter the ID number.")
LEGACY_ID_NUMBER = _(
    "15-digit ID numbers were replaced in 2004–2013; enter the 18-digit number on the current card."
)
WRONG_LENGTH = _(
    "An ID number has 18 characters; this one has %(length)d. Check it against the card."
)
BAD_CHARACTERS = _(
    "An ID number has 17 digits followed by a digit or the letter X; check it against the card."
)
IMPOSSIBLE_BIRTH_DATE = _(
    "Characters 7–14 of an ID number are the birth date (YYYYMMDD), and %(digits)s is not a "
    "possible birth date. Check it against the card."
)
WRONG_CHECK_CHARACTER = _(
    "This ID number's last character does not match the others: one of them was probably "
    "mistyped. Check it against the card."
)


@dataclass(frozen=True)
class IdNumber:
    """A valid ID number in canonical form and what it says about its holder."""

    number: str
    birth_date: datetime.date
    gender: str  # MALE or FEMALE, the values of ``referrals.models.Gender``


def check_character(first_17_digits: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse_id_number(value: str, *, today: datetime.date | None = None) -> IdNumber:
    """Validate ``value`` as typed (spaces, full-width digits, lower-case x allowed).

    Raises ``ValidationError`` with one message saying what is wrong.
    """
    number = normalize_id_number(value or "")
    if not number:
        raise ValidationError(ID_NUMBER_REQUIRED, code="required")
    if len(number) == LEGACY_ID_NUMBER_LENGTH and number.isdigit():
        raise ValidationError(LEGACY_ID_NUMBER, code="legacy")
    if len(number) != ID_NUMBER_LENGTH:
        raise ValidationError(WRONG_LENGTH, code="length", params={"length": len(number)})
    if not _SHAPE.match(number):
        raise ValidationError(BAD_CHARACTERS, code="characters")
    birth_date = _birth_date(number[6:14], today=today or timezone.localdate())
    if check_character(number[:17]) != number[17]:
        raise ValidationError(WRONG_CHECK_CHARACTER, code="check_character")
    gender = MALE if int(number[16]) % 2 else FEMALE
    return IdNumber(number=number, birth_date=birth_date, gender=gender)


def _birth_date(digits: str, *, today: datetime.date) -> datetime.date:
    try:
        birth_date = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        birth_date = None
    if birth_date is None or not EARLIEST_BIRTH_DATE <= birth_date <= today:
        raise ValidationError(IMPOSSIBLE_BIRTH_DATE, code="birth_date", params={"digits": digits})
    return birth_date


def validate_id_number(value: str) -> None:
    """Django validator form of :func:`parse_id_number`."""
    parse_id_number(value)
