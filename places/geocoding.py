"""Geocoding: a Chinese address in, an area of ours and a point out.

It lives in ``places`` because every answer is one of our ``Area`` rows; it
is still the one place that talks to a geocoder, so there is one place to
configure it and, in tests of other code, to replace it.

``geocode(address)`` never raises for what a person or the outside world can
do: whatever the input (empty, garbage, far too long) and whatever happens
around it (``cpca`` failing, areas not loaded, a geocoding server down), it
returns a ``GeocodeResult`` whose ``message`` tells the person what to do
next. Only a misconfigured ``settings.GEOCODER`` raises
``ImproperlyConfigured``, because that is for the operator to fix.

Two backends, chosen by ``settings.GEOCODER``:

- ``"offline"`` (the default): ``cpca`` finds the province, city and district
  named in the address; we look the district up in our ``Area`` table and, if
  the address also names one of the district's streets, narrow down to the
  street. The point is the area's centroid. ``settings.GEOCODER_HOME_CITY``
  (a city code such as ``310100``) settles district names that several cities
  share when the address names no city.
- ``"nominatim"``: a self-hosted Nominatim (``settings.NOMINATIM_URL``) asked
  through geopy gives a street-precise point; the area still comes from the
  offline step, so both backends agree on which district an address is in.
  When Nominatim cannot be reached or knows nothing, the offline result is used.

Tests of other code replace this module's ``geocode`` rather than a backend
(the ``fake_geocoder`` fixture of ``tests/conftest.py``).
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy
from geopy.distance import geodesic
from geopy.exc import GeopyError
from geopy.geocoders import Nominatim

from places import selectors
from places.models import Area

logger = logging.getLogger(__name__)

# Long enough for any real address with building and room; longer input is
# pasted text, and cpca's cost grows with it.
MAX_ADDRESS_LENGTH = 200
NOMINATIM_TIMEOUT_SECONDS = 5
# Decimal places kept of a point found by Nominatim: 0.001° is about 100 m.
STORED_POINT_DECIMALS = 3
USER_AGENT = "socialcommissioning-geocoder/1.0"

# Street names are matched with and without these endings ("塘桥街道" and "塘桥").
_STREET_SUFFIXES = re.compile(r"(街道办事处|街道|新镇|镇|乡)$")


class Precision(StrEnum):
    STREET = "street"
    DISTRICT = "district"
    CITY = "city"
    PROVINCE = "province"
    NONE = "none"


PRECISION_BY_LEVEL = {
    Area.Level.PROVINCE: Precision.PROVINCE,
    Area.Level.CITY: Precision.CITY,
    Area.Level.DISTRICT: Precision.DISTRICT,
    Area.Level.STREET: Precision.STREET,
    Area.Level.COMMUNITY: Precision.STREET,
}


ADDRESS_NOT_FOUND = gettext_lazy(
    "Address not found: please include the district, e.g. 上海市浦东新区…"
)
ADDRESS_EMPTY = gettext_lazy(
    "Please enter an address, including the district, e.g. 上海市浦东新区…"
)
ADDRESS_TOO_LONG = gettext_lazy(
    "This address is too long (at most %(max)d characters). Enter only the address, "
    "e.g. 上海市浦东新区…"
)
AREAS_NOT_LOADED = gettext_lazy(
    "Addresses cannot be located yet because the list of administrative areas is not loaded. "
    "Please ask an administrator to run “manage.py load_areas”."
)
ONLY_PROVINCE_FOUND = gettext_lazy(
    "Only the province was recognised; add the city and district to be more precise."
)
ONLY_CITY_FOUND = gettext_lazy("Only the city was recognised; add the district to be more precise.")
COARSE_MESSAGES = {Precision.PROVINCE: ONLY_PROVINCE_FOUND, Precision.CITY: ONLY_CITY_FOUND}


@dataclass(frozen=True)
class GeocodeResult:
    """Where an address is: the smallest area recognised and a point inside it.

    ``found`` is False only when no area at all was recognised; ``precision``
    says how fine the result is, and ``message`` (in the active language)
    explains a missing or coarse result.
    """

    found: bool
    area: Area | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    precision: Precision = Precision.NONE
    message: str = ""

    @property
    def point(self) -> tuple[Decimal, Decimal] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


def not_found(message) -> GeocodeResult:
    """A result for an address we could not place, its message in the active language."""
    return GeocodeResult(found=False, message=str(message))


def geocode(address) -> GeocodeResult:
    """Locate ``address`` with the configured backend; never raises for bad input."""
    return get_geocoder().geocode(address)


def get_geocoder():
    """The backend named by ``settings.GEOCODER`` ("offline" or "nominatim")."""
    name = (getattr(settings, "GEOCODER", "") or "offline").strip().lower()
    if name == "offline":
        return OfflineGeocoder()
    if name == "nominatim":
        url = getattr(settings, "NOMINATIM_URL", "")
        if not url:
            raise ImproperlyConfigured(
                "GEOCODER is 'nominatim' but NOMINATIM_URL is not set: give the address of "
                "your Nominatim server, e.g. NOMINATIM_URL=https://nominatim.example.org"
            )
        return NominatimGeocoder(url)
    raise ImproperlyConfigured(f"Unknown GEOCODER {name!r}: use 'offline' or 'nominatim'.")


def distance_km(point_a, point_b) -> float:
    """Geodesic distance in kilometres between two points.

    A point is a ``(latitude, longitude)`` pair or anything with a ``point``
    attribute holding one (an ``Area``, a ``GeocodeResult``).
    """
    return geodesic(_as_point(point_a), _as_point(point_b)).km


def _as_point(value) -> tuple[float, float]:
    point = getattr(value, "point", value)
    if point is None:
        raise ValueError(f"{value!r} has no coordinates.")
    latitude, longitude = point
    return (float(latitude), float(longitude))


def clean_address(address) -> str | GeocodeResult:
    """The address ready for parsing, or a not-found result saying what is wrong with it."""
    if not isinstance(address, str):
        return not_found(ADDRESS_EMPTY)
    # NFKC turns full-width digits and letters (１２３号) into ordinary ones.
    text = " ".join(unicodedata.normalize("NFKC", address).split())
    if not text:
        return not_found(ADDRESS_EMPTY)
    if len(text) > MAX_ADDRESS_LENGTH:
        return not_found(str(ADDRESS_TOO_LONG) % {"max": MAX_ADDRESS_LENGTH})
    return text


class OfflineGeocoder:
    """District (and, where we have them, street) from the address text; no network."""

    def geocode(self, address) -> GeocodeResult:
        text = clean_address(address)
        if isinstance(text, GeocodeResult):
            return text
        adcode, rest = _parse_with_cpca(text, preferred=_home_districts())
        if not adcode:
            return not_found(ADDRESS_NOT_FOUND)
        area = selectors.area_by_code(adcode)
        if area is None:
            if not selectors.areas_loaded():
                return not_found(AREAS_NOT_LOADED)
            return not_found(ADDRESS_NOT_FOUND)
        if area.level == Area.Level.DISTRICT:
            area = _street_named_in(rest or text, district=area) or area
        return _result_for(area)


class NominatimGeocoder:
    """Street-precise points from a self-hosted Nominatim, areas from the offline geocoder."""

    def __init__(self, url: str, *, timeout: float = NOMINATIM_TIMEOUT_SECONDS):
        parts = urlsplit(url if "://" in url else f"https://{url}")
        self.client = Nominatim(
            domain=(parts.netloc + parts.path).rstrip("/"),
            scheme=parts.scheme,
            user_agent=USER_AGENT,
            timeout=timeout,
        )
        self.offline = OfflineGeocoder()

    def geocode(self, address) -> GeocodeResult:
        offline = self.offline.geocode(address)
        text = clean_address(address)
        if isinstance(text, GeocodeResult):
            return offline
        try:
            location = self.client.geocode(text, exactly_one=True, country_codes="cn")
        except (GeopyError, OSError, ValueError) as error:
            # The server is down or answered nonsense: the district is still worth having.
            # Only the kind of error is logged: geopy's messages quote the request URL,
            # which holds the person's address.
            logger.warning(
                "Nominatim geocoding failed (%s); using the offline result", type(error).__name__
            )
            return offline
        if location is None:
            return offline
        # The point is stored in plain columns (distances are computed on it): rounded
        # to about 100 m, it places the person in their block, not at their door.
        return GeocodeResult(
            found=True,
            area=offline.area,
            latitude=_decimal(location.latitude, places=STORED_POINT_DECIMALS),
            longitude=_decimal(location.longitude, places=STORED_POINT_DECIMALS),
            precision=Precision.STREET,
        )


def _home_districts() -> dict[str, str]:
    """District names of ``settings.GEOCODER_HOME_CITY`` mapped to their 6-digit codes.

    Several district names exist in more than one city (普陀区 is in Shanghai
    and in Zhoushan, 宝山区 in Shanghai and in Shuangyashan). When an address
    names only the district, people mean the one in the city the platform
    serves; an address that names its city still gets that city's district.
    """
    home = getattr(settings, "GEOCODER_HOME_CITY", "")
    if not home:
        return {}
    return {
        area.name_zh: area.district_code
        for area in selectors.areas_under(home, level=Area.Level.DISTRICT)
    }


def _parse_with_cpca(text: str, *, preferred: dict[str, str]) -> tuple[str | None, str]:
    """cpca's 6-digit adcode for ``text`` and the part of the text after the area names."""
    try:
        # Imported here: cpca loads pandas and its word lists, which only
        # geocoding needs, so web processes that never geocode start faster.
        import cpca

        # One address per call; cpca builds a pandas frame for the batch.
        row = cpca.transform([text], umap=preferred).iloc[0]
        adcode = row["adcode"]
        rest = row["地址"]
    except Exception as error:
        # cpca is third-party code fed with user input: a failure there is a
        # "not found" for the person, and a log entry for us — the kind of error
        # only, since its message may quote the address.
        logger.error("cpca could not parse an address (%s)", type(error).__name__)
        return None, ""
    if not isinstance(adcode, str) or not adcode.isdigit():
        return None, ""
    return adcode, rest if isinstance(rest, str) else ""


def _street_named_in(text: str, *, district: Area) -> Area | None:
    """The street of ``district`` whose name appears in ``text``; the longest match wins."""
    best, best_length = None, 0
    for street in selectors.streets_of(district):
        for key in _street_keys(street.name_zh):
            if len(key) > best_length and key in text:
                best, best_length = street, len(key)
    if best is not None:
        best.parent = district
    return best


def _street_keys(name: str) -> list[str]:
    keys = [name]
    stem = _STREET_SUFFIXES.sub("", name)
    # A one-character stem (唐镇 → 唐) would match far too many addresses.
    if stem != name and len(stem) >= 2:
        keys.append(stem)
    return keys


def _result_for(area: Area) -> GeocodeResult:
    precision = PRECISION_BY_LEVEL[area.level]
    point = _centroid(area)
    return GeocodeResult(
        found=True,
        area=area,
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        precision=precision,
        message=str(COARSE_MESSAGES.get(precision, "")),
    )


def _centroid(area: Area) -> tuple[Decimal, Decimal] | None:
    # Some grouping rows (市辖区) have no centroid of their own: use the nearest ancestor's.
    current, hops = area, 0
    while current is not None and hops < 5:
        if current.point is not None:
            return current.point
        current, hops = current.parent, hops + 1
    return None


def _decimal(value: float, places: int = 6) -> Decimal:
    return Decimal(str(round(value, places)))
