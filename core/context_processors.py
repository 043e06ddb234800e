"""Template context shared by every page."""

from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
    }
