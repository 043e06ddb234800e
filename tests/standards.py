"""Where the project's shared copy of the open standards is (``../shared/standards``).

A developer's checkout may lack it, and then the comparison with the bundled
copy is skipped; CI (``CI`` set, as ``.ci/run`` does) must have it, so there the
test fails instead of passing without checking anything.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings


def shared_standard(*parts: str) -> Path:
    path = Path(settings.BASE_DIR).parent.joinpath("shared", "standards", *parts)
    if not path.is_dir():
        message = f"{path} is missing: the bundled standard cannot be compared with it"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must have ../shared/standards next to the checkout)")
        pytest.skip(message)
    return path
