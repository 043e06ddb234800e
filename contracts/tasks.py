"""Celery tasks of contracts: the PDF of each contract version (more tasks join this
module as their topics need them).

Tasks only load objects and call services; every one is idempotent, so a retry, a
second beat run or two workers running the same task change nothing twice.
Services queue these tasks after commit, so the tasks import the services when
they run.
"""

from celery import shared_task


@shared_task
def render_contract_document(document_id: int) -> str:
    """Render the PDF of a contract version that is being prepared (a no-op otherwise)."""
    from contracts.models.documents import ContractDocument
    from contracts.services.documents import render_document

    document = ContractDocument.objects.filter(pk=document_id).first()
    if document is None:
        return "missing"
    return render_document(document=document).status
