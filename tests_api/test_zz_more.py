from tests_api.conftest import ROLES
from tests_api.test_schemathesis import _checked_as

EXTRA = ["finance", "caseworker2", "supervisor", "ngo_staff", "ngo2_admin", "assessor"]
ROLES.update({name: name for name in EXTRA})
for name in EXTRA:
    globals()[f"test_as_{name}"] = _checked_as(name)
