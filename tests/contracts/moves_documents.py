"""The moves of contract versions and their documents, each made through the service a
person uses, for test_lifecycles.py to walk: {lifecycle name: (lifecycle, {(from, to): maker})}."""

from contracts import services
from contracts.models import ContractDocument, ContractVersion
from contracts.models.contracts import VERSION_LIFECYCLE
from contracts.models.documents import DOCUMENT_LIFECYCLE
from contracts.services import documents
from core.integrations import pdf
from tests.factories.contracts import (
    awaiting_contract,
    contract_from_award,
    render_pending_documents,
    sign,
    signatories,
)
from tests.factories.marketplace import commissioner_of

REASON = "服务期限调整，双方协商一致。"


def _by(contract):
    return commissioner_of(contract.lead_agency)


def _sent_version():
    return awaiting_contract().versions.get()


def _draft_withdrawn():
    contract = contract_from_award()
    services.terminate_contract(contract=contract, actor=_by(contract), reason=REASON)
    return contract.versions.get()


def _signed():
    contract = awaiting_contract()
    version = contract.versions.get()
    for user in signatories(contract):
        sign(version, user)
    return version


def _sent_withdrawn():
    contract = awaiting_contract()
    services.return_to_draft(contract=contract, actor=_by(contract), reason=REASON)
    return contract.versions.get(number=1)


VERSION_MOVES = {
    (ContractVersion.Status.DRAFT, ContractVersion.Status.AWAITING_SIGNATURES): _sent_version,
    (ContractVersion.Status.DRAFT, ContractVersion.Status.WITHDRAWN): _draft_withdrawn,
    (ContractVersion.Status.AWAITING_SIGNATURES, ContractVersion.Status.SIGNED): _signed,
    (ContractVersion.Status.AWAITING_SIGNATURES, ContractVersion.Status.WITHDRAWN): _sent_withdrawn,
}


def _sent_document():
    contract = contract_from_award()
    services.send_for_signature(contract=contract, actor=_by(contract))
    return contract, contract.versions.get().document


def _ready():
    contract, document = _sent_document()
    render_pending_documents(contract)
    return document


class _NoCJKFont:
    """fontconfig reading a configuration with no font folder: a machine without Chinese fonts."""

    def __init__(self, tmp_dir):
        self.conf = tmp_dir / "fonts.conf"

    def __enter__(self):
        import os

        self.conf.write_text(
            '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>'
        )
        self.previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(self.conf)
        pdf.find_cjk_font.cache_clear()

    def __exit__(self, *exc):
        import os

        if self.previous is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = self.previous
        pdf.find_cjk_font.cache_clear()


def _failed():
    import pathlib
    import tempfile

    contract, document = _sent_document()
    with tempfile.TemporaryDirectory() as tmp, _NoCJKFont(pathlib.Path(tmp)):
        render_pending_documents(contract)
    return document


def _retried():
    document = _failed()
    return documents.retry_document(document=document, actor=_by(document.version.contract))


DOCUMENT_MOVES = {
    (ContractDocument.Status.PREPARING, ContractDocument.Status.READY): _ready,
    (ContractDocument.Status.PREPARING, ContractDocument.Status.FAILED): _failed,
    (ContractDocument.Status.FAILED, ContractDocument.Status.PREPARING): _retried,
}

MOVES = {
    VERSION_LIFECYCLE.name: (VERSION_LIFECYCLE, VERSION_MOVES),
    DOCUMENT_LIFECYCLE.name: (DOCUMENT_LIFECYCLE, DOCUMENT_MOVES),
}
