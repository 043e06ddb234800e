"""The names HSDS 3.0 and we agree on: the version, our taxonomies, link types and
identifier scheme, the entity files, and the stable identifiers of objects that
have no uuid of their own.

Objects without a uuid of their own (addresses, phones, terms…) get a uuid5
of a stable name (``stable_id``), so exporting the same data twice gives
identical files and an import of our own export finds the same ids.
"""

import uuid

HSDS_VERSION = "3.0"
HSDS_PROFILE_URL = "https://docs.openreferral.org/en/v3.0/"
# Fixed forever: every derived identifier depends on it.
ID_NAMESPACE = uuid.UUID("0b6f3c9e-5d1a-5f0e-9a57-3c2e8d7b4f61")

NEED_CATEGORY_TAXONOMY = "socialcommissioning-need-category"
SERVICE_TIER_TAXONOMY = "socialcommissioning-service-tier"
OPEN_ELIGIBILITY_TAXONOMY = "Open Eligibility"
CREDIT_CODE_SCHEME = "CN-USCC"
CREDIT_CODE_TYPE = "Unified Social Credit Code"
COUNTRY = "CN"
CURRENCY = "CNY"

# Attribute link types (HSDS leaves the code list open).
LINK_NEED_CATEGORY = "need_category"
LINK_SERVICE_TIER = "service_tier"
LINK_OPEN_ELIGIBILITY = "open_eligibility"
LINK_DELIVERY_MODE = "delivery_mode"
DELIVERY_MODES = ("at_site", "home_visit", "remote")

# The entities we export and import, each in its own file of compiled objects.
ENTITY_FILES = {
    "organization": "organizations.json",
    "service": "services.json",
    "location": "locations.json",
    "service_at_location": "service_at_locations.json",
    "taxonomy_term": "taxonomy_terms.json",
}

# Names of the Open Eligibility concepts our categories cross-walk to
# (taxonomy/migrations/0002); a code missing here is shown as itself.
OPEN_ELIGIBILITY_NAMES = {
    "1101": "Emergency",
    "1107": "Money",
    "1108": "Care",
    "1112": "Disaster Response",
    "1113": "Emergency Payments",
    "1121": "Emergency Shelter",
    "1137": "Help Pay for Housing",
    "1199": "Help Pay for Healthcare",
    "1304": "Counseling",
    "1318": "Help Pay for School",
    "1357": "Help Find Work",
    "1375": "Advocacy & Legal Aid",
}

# City-level rows that are groupings, not cities (municipalities such as Shanghai).


def stable_id(*parts) -> str:
    """A uuid5 that depends only on ``parts``: the same object gets the same id in every export."""
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(str(part) for part in parts)))
