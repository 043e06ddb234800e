"""What an app above marketplace needs to add later stages to the public OCDS releases
(``marketplace.ocds.releases``): the extension point and the small pieces every
section is written with, so that a contract's release reads like a tender's."""

from marketplace.ocds.extensions import ProcessExtension, register_extension
from marketplace.ocds.releases import (
    NEED_CATEGORY_SCHEME,
    Stage,
    date_time,
    day_time,
    party_reference,
    value_of,
    with_english,
)

__all__ = [
    "NEED_CATEGORY_SCHEME",
    "ProcessExtension",
    "Stage",
    "date_time",
    "day_time",
    "party_reference",
    "register_extension",
    "value_of",
    "with_english",
]
