"""Every write of the providers app, one module per topic. Views, the API, the admin,
tasks and imports call these; so do other apps (``referrals`` takes and gives
back places through ``capacity``).

Each function checks that the person acting may do it (``providers.rules``),
validates, runs in a transaction, writes an audit entry and queues e-mails
with ``transaction.on_commit``, so nothing is sent for a change that was
rolled back.

=================  =====================================================
``registration``   sign-up, the profile, what is missing before submission
``verification``   submitted, verified, rejected, suspended, reinstated, debarred
``grades``         the evaluation grade: declared with its certificate, verified or
                   refused by a platform administrator, or awarded by an assessment
``documents``      certificates and reports, and their expiry reminders
``sites``          where services are delivered (geocoded)
``listings``       services as the directory shows them, and their freshness
``capacity``       free places and waiting lists
``service_points`` the matching index derived from services and sites
``imports``        records of other directories (HSDS)
=================  =====================================================

This package re-exports every public name so that callers written before the
split (``from providers import services; services.verify_provider``) keep
working while they move; new code imports the topic module.
"""

from providers.services.capacity import (
    join_waiting_list,
    leave_waiting_list,
    lock_service,
    release_place,
    take_place,
    update_capacity,
)
from providers.services.documents import (
    DOCUMENT_EXPIRY_NOTICE,
    delete_document,
    documents_needing_expiry_reminder,
    mark_document_reminded,
    upload_document,
)
from providers.services.grades import (
    declare_grade,
    record_assessed_grade,
    verify_declared_grade,
)
from providers.services.imports import (
    IMPORT_CREATED,
    IMPORT_UNCHANGED,
    IMPORT_UPDATED,
    IMPORTED_PROFILE_FIELDS,
    import_provider,
    import_service,
    import_site,
)
from providers.services.listings import (
    SERVICE_FIELDS,
    confirm_service,
    mark_confirmation_reminded,
    save_service,
    services_needing_confirmation_reminder,
)
from providers.services.registration import (
    CIVIL_AFFAIRS_PREFIXES,
    NOT_CIVIL_AFFAIRS_NOTE,
    PROFILE_FIELDS,
    credit_code_note,
    missing_for_submission,
    register_provider,
    update_provider_profile,
)
from providers.services.service_points import refresh_all_service_points, refresh_service_points
from providers.services.sites import SITE_FIELDS, save_site
from providers.services.verification import (
    REASON_REQUIRED,
    STATUS_ACTIONS,
    debar_provider,
    reinstate_provider,
    reject_provider,
    submit_provider,
    suspend_provider,
    verify_provider,
)

__all__ = [
    "CIVIL_AFFAIRS_PREFIXES",
    "DOCUMENT_EXPIRY_NOTICE",
    "IMPORTED_PROFILE_FIELDS",
    "IMPORT_CREATED",
    "IMPORT_UNCHANGED",
    "IMPORT_UPDATED",
    "NOT_CIVIL_AFFAIRS_NOTE",
    "PROFILE_FIELDS",
    "REASON_REQUIRED",
    "SERVICE_FIELDS",
    "SITE_FIELDS",
    "STATUS_ACTIONS",
    "confirm_service",
    "credit_code_note",
    "debar_provider",
    "declare_grade",
    "delete_document",
    "documents_needing_expiry_reminder",
    "import_provider",
    "import_service",
    "import_site",
    "join_waiting_list",
    "leave_waiting_list",
    "mark_confirmation_reminded",
    "mark_document_reminded",
    "missing_for_submission",
    "refresh_all_service_points",
    "refresh_service_points",
    "register_provider",
    "record_assessed_grade",
    "reinstate_provider",
    "reject_provider",
    "release_place",
    "save_service",
    "save_site",
    "services_needing_confirmation_reminder",
    "submit_provider",
    "suspend_provider",
    "take_place",
    "lock_service",
    "update_capacity",
    "update_provider_profile",
    "upload_document",
    "verify_declared_grade",
    "verify_provider",
]
