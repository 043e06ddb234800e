"""Contract pages: the workspace under /app/contracts/, public notices under /contracts/.

Each topic module of ``contracts.views`` lists its own ``urlpatterns``; API routes
are in ``contracts/api_urls.py``.
"""

from contracts.views import contracts, documents, notices, payments, public, reports

app_name = "contracts"

urlpatterns = [
    *contracts.urlpatterns,
    *documents.urlpatterns,
    *payments.urlpatterns,
    *reports.urlpatterns,
    *notices.urlpatterns,
    *public.urlpatterns,
]
