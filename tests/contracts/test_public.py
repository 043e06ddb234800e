import pytest
from contracts.models import ContractDocument
from core.integrations.signing import validate_pdf
from tests.factories.contracts import active_contract

pytestmark = pytest.mark.django_db


def test_probe():
    contract = active_contract()
    document = ContractDocument.objects.get(version__contract=contract)
    pdf = document.file.open("rb").read()
    print("LEN", len(pdf), contract.reference)
    print(pdf[:1500])
    import re
    for m in re.finditer(rb"stream\r?\n", pdf):
        print("STREAM at", m.start(), pdf[max(0, m.start()-200):m.start()])
    print(pdf[-3000:])
    for c in validate_pdf(pdf):
        print(c)
    assert 0
