"""Health checks for /healthz: database, cache, broker, a CJK font for PDFs, and the
contract-signing certificate and key."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "engine": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return {"ok": False, "error": type(exc).__name__}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
        return {"ok": ok, "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER and not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "redis"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "redis", "error": type(exc).__name__}


def check_cjk_font() -> dict:
    from core.integrations.pdf import find_cjk_font

    font = find_cjk_font()
    if font:
        return {"ok": True, "font": font}
    return {
        "ok": False,
        "error": "No CJK font found; install it with: apt-get install fonts-noto-cjk",
    }


def check_contract_signing() -> dict:
    from core.integrations.signing import SigningUnavailable, signing_credentials

    try:
        credentials = signing_credentials()
    except SigningUnavailable as exc:
        return {"ok": False, "error": exc.message}
    return {"ok": True, "expires": credentials.not_valid_after.date().isoformat()}


def run_checks() -> dict:
    return {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
        "cjk_font": check_cjk_font(),
        "contract_signing": check_contract_signing(),
    }
