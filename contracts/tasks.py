"""Celery tasks of contracts: the PDF of each contract version, and the reminders of
progress reports and performance notices (beat).

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


@shared_task
def send_contract_reminders() -> int:
    """Beat: the progress-report and performance-notice reminders due today (idempotent)."""
    from contracts.services.reminders import send_due_reminders

    return send_due_reminders()


@shared_task
def send_contract_reminder(kind: str, contract_id: int, key: str, user_id: int) -> int:
    """Mail one reminder that ``send_due_reminders`` recorded."""
    from contracts.notifications import send_reminder

    return send_reminder(kind=kind, contract_id=contract_id, key=key, user_id=user_id)
