"""Masking of ID and phone numbers in free text that people type (survey comments).

A beneficiary may write "call me on 138 1234 5678" or their resident ID number in a
comment; the comment is read by platform staff and summarized for providers, so
such numbers are masked before the comment is stored. The rule, applied in order:

- Chinese resident ID numbers, 18 characters (17 digits and a digit or X) or the
  old 15 digits: the first 3 and the last 2 characters are kept, the rest become
  ``*`` — ``110105194912310021`` → ``110*************21``;
- mobile numbers, 11 digits starting 13–19, with an optional +86 / 86 prefix and
  spaces or dashes between the groups: the first 3 and last 2 digits are kept —
  ``138 1234 5678`` → ``138******78``;
- landlines, an area code from 0 with 2–3 more digits, a dash or space, and 7–8
  digits: the area code is kept — ``021-62345678`` → ``021-********``.

Other numbers (dates, amounts, house numbers) are left alone: they are shorter.
"""

import re

_NOT_DIGIT_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_DIGIT_AFTER = r"(?![0-9A-Za-z])"

RESIDENT_ID = re.compile(_NOT_DIGIT_BEFORE + r"(\d{17}[\dXx]|\d{15})" + _NOT_DIGIT_AFTER)
MOBILE = re.compile(
    _NOT_DIGIT_BEFORE + r"(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})" + _NOT_DIGIT_AFTER
)
LANDLINE = re.compile(_NOT_DIGIT_BEFORE + r"(0\d{2,3})[\s-](\d{7,8})" + _NOT_DIGIT_AFTER)


def _mask_id(match: re.Match) -> str:
    number = match.group(1)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def _mask_mobile(match: re.Match) -> str:
    digits = "".join(match.groups())
    return digits[:3] + "*" * 6 + digits[-2:]


def _mask_landline(match: re.Match) -> str:
    return f"{match.group(1)}-{'*' * len(match.group(2))}"


def mask_personal_numbers(text: str) -> str:
    """``text`` with resident ID, mobile and landline numbers masked (see the module)."""
    if not text:
        return text
    text = RESIDENT_ID.sub(_mask_id, text)
    text = MOBILE.sub(_mask_mobile, text)
    return LANDLINE.sub(_mask_landline, text)
