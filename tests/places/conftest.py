"""Fixtures for the places tests.

Loading all of China's areas takes a second or two, so it happens once for
the whole package and is undone at the end, leaving the test database as
other apps' tests expect it (no areas, no audit entries).
"""

from unittest import mock

import pytest

from places import services
from places.models import Area


@pytest.fixture(scope="package")
def loaded_areas(django_db_setup, django_db_blocker):
    """Every province, city and district of China plus the Shanghai streets, committed."""
    # The audit log is append-only, so this shared set-up must not write to it;
    # tests of the audit entry load inside their own transaction.
    with django_db_blocker.unblock(), mock.patch.object(services, "record_change"):
        summary = services.load_areas()
    yield summary
    with django_db_blocker.unblock():
        # Finest level first: a parent is protected while its children exist.
        for level in sorted(Area.Level, reverse=True):
            Area.objects.filter(level=level).delete()
