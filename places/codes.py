"""Arithmetic on GB/T 2260 administrative division codes.

A full code has 12 digits: 2 for the province, 2 for the city, 2 for the
district or county, 3 for the street or township and 3 for the community or
village. Shorter forms in common use (the 6-digit "adcode" of a district, the
9-digit code of a street) are the same code without its trailing zeros, so
every function here first brings a code to its 12-digit form.
"""

from places.models import Area

FULL_LENGTH = 12

# How many leading digits identify an area at each level; the rest are zeros.
PREFIX_LENGTH = {
    Area.Level.PROVINCE: 2,
    Area.Level.CITY: 4,
    Area.Level.DISTRICT: 6,
    Area.Level.STREET: 9,
    Area.Level.COMMUNITY: 12,
}
_ACCEPTED_LENGTHS = frozenset(PREFIX_LENGTH.values())


def normalize(code) -> str | None:
    """The 12-digit form of ``code`` (2, 4, 6, 9 or 12 digits), or None if it is not a code."""
    if code is None:
        return None
    text = str(code).strip()
    if not text.isascii() or not text.isdigit() or len(text) not in _ACCEPTED_LENGTHS:
        return None
    return text.ljust(FULL_LENGTH, "0")


def level_of(code: str) -> Area.Level:
    """The level a 12-digit code denotes, read from where its trailing zeros start."""
    if code[2:] == "0" * 10:
        return Area.Level.PROVINCE
    if code[4:] == "0" * 8:
        return Area.Level.CITY
    if code[6:] == "0" * 6:
        return Area.Level.DISTRICT
    if code[9:] == "000":
        return Area.Level.STREET
    return Area.Level.COMMUNITY


def significant_prefix(code: str) -> str:
    """The leading digits that identify the area; every area under it starts with them."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_candidates(code: str) -> list[str]:
    """Codes of the areas that may hold this one, nearest first.

    A district normally sits in its city (first 4 digits), but counties
    administered directly by a province have no city row, so each coarser
    level is a fallback for the one before it.
    """
    level = level_of(code)
    return [
        code[: PREFIX_LENGTH[parent_level]].ljust(FULL_LENGTH, "0")
        for parent_level in sorted(PREFIX_LENGTH, reverse=True)
        if parent_level < level
    ]
