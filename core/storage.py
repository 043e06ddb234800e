"""Storage for files that must never be public (registration certificates, attachments).

Files live under ``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``, and have no
URL: they are served only by views that check permission and send
``Cache-Control: no-store``.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        super().__init__(location=settings.PRIVATE_MEDIA_ROOT, base_url=None, **kwargs)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a checked view.")


def private_storage() -> PrivateStorage:
    """Callable for ``FileField(storage=...)`` so migrations reference it, not a path."""
    return PrivateStorage()
