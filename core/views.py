"""Views with no domain: the health check."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core import health
from core.permissions import public


@public
@never_cache
def healthz(request):
    """Report database, cache, broker and CJK font; 200 when all are healthy, 503 otherwise."""
    checks = health.run_checks()
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
