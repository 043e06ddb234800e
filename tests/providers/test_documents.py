"""Provider documents: PDF or image only (by content), a size limit, private storage,
and downloads only for the provider's own staff and for verifiers."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from accounts.models import Role
from core.models import AuditEvent
from providers.models import ProviderDocument
from providers.views.documents import download_filename
from tests.factories.accounts import user_with_role
from tests.factories.providers import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    ProviderDocumentFactory,
    ProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.providers._registration_factories import private_files  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]

DOCUMENTS = reverse("providers:documents")
# The first bytes of a Windows program.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def upload(client, name, content, **fields):
    data = {
        "kind": ProviderDocument.Kind.REGISTRATION_CERTIFICATE,
        "title": "登记证书",
        "expires_on": "",
        "file": SimpleUploadedFile(name, content),
    }
    data.update(fields)
    return client.post(DOCUMENTS, data, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def provider():
    return ProviderFactory()


@pytest.fixture
def admin_client(client, provider):
    client.force_login(provider_admin_of(provider))
    return client


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("certificate.pdf", PDF_BYTES, "application/pdf"),
        ("scan.png", PNG_BYTES, "image/png"),
        ("photo.jpg", JPEG_BYTES, "image/jpeg"),
        # the name does not matter either way: a PDF called .jpg is a PDF
        ("misnamed.jpg", PDF_BYTES, "application/pdf"),
    ],
)
def test_pdf_and_images_are_accepted_by_content(
    admin_client, provider, name, content, content_type
):
    response = upload(admin_client, name, content, expires_on="2030-06-30")
    assert response.status_code == 302
    document = ProviderDocument.objects.get(provider=provider)
    assert document.content_type == content_type
    assert document.size == len(content)
    assert str(document.expires_on) == "2030-06-30"
    assert AuditEvent.objects.filter(
        action="provider.document_uploaded", object_id=str(document.uuid)
    ).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("certificate.pdf", b"This is plain text pretending to be a PDF.\n"),
        ("scan.png", EXE_BYTES),
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_other_content_is_refused_whatever_the_name(admin_client, provider, name, content):
    response = upload(admin_client, name, content)
    assert response.status_code == 200
    assert "not a PDF or an image" in " ".join(response.context["form"].errors["file"])
    assert "whatever the file name says" in response.content.decode()
    assert not ProviderDocument.objects.exists()


@override_settings(PROVIDER_DOCUMENT_MAX_BYTES=32)
def test_files_over_the_size_limit_are_refused(admin_client):
    response = upload(admin_client, "big.pdf", PDF_BYTES + b"0" * 64)
    assert response.status_code == 200
    assert "smaller file" in " ".join(response.context["form"].errors["file"])
    assert not ProviderDocument.objects.exists()


@override_settings(PROVIDER_DOCUMENT_MAX_BYTES=1024)
def test_files_within_the_limit_are_accepted(admin_client):
    assert upload(admin_client, "small.pdf", PDF_BYTES).status_code == 302


def test_missing_file_and_title_are_field_errors(admin_client):
    response = admin_client.post(DOCUMENTS, {"kind": "annual_report", "title": ""})
    assert response.status_code == 200
    assert {"file", "title"} <= set(response.context["form"].errors)


def test_files_are_stored_under_the_private_root_not_the_public_media(admin_client, provider):
    upload(admin_client, "secret-名字.pdf", PDF_BYTES)
    document = ProviderDocument.objects.get()
    path = Path(document.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert path.read_bytes() == PDF_BYTES
    # the uploader's file name is not kept: it may name a person
    assert "secret" not in document.file.name
    with pytest.raises(ValueError, match="no public URL"):
        document.file.url  # noqa: B018


def test_staff_see_documents_but_cannot_upload_or_delete(client, provider):
    document = ProviderDocumentFactory(provider=provider)
    client.force_login(provider_staff_of(provider))
    page = client.get(DOCUMENTS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert document.title in page
    assert 'type="file"' not in page
    assert upload(client, "certificate.pdf", PDF_BYTES).status_code == 404
    delete = reverse("providers:delete_document", args=[document.uuid])
    assert client.post(delete).status_code == 404
    assert ProviderDocument.objects.filter(pk=document.pk).exists()


def test_admin_deletes_a_document_and_its_file(
    admin_client, provider, django_capture_on_commit_callbacks
):
    document = ProviderDocumentFactory(provider=provider)
    path = Path(document.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("providers:delete_document", args=[document.uuid]))
    assert response.status_code == 302
    assert not ProviderDocument.objects.filter(pk=document.pk).exists()
    assert not path.exists()
    assert AuditEvent.objects.filter(action="provider.document_deleted").exists()


def test_admin_cannot_delete_another_providers_document(admin_client):
    other = ProviderDocumentFactory()
    response = admin_client.post(reverse("providers:delete_document", args=[other.uuid]))
    assert response.status_code == 404
    assert ProviderDocument.objects.filter(pk=other.pk).exists()


def test_delete_only_by_post(admin_client, provider):
    document = ProviderDocumentFactory(provider=provider)
    response = admin_client.get(reverse("providers:delete_document", args=[document.uuid]))
    assert response.status_code == 405


# --- downloads ---------------------------------------------------------------


def download(client, document):
    return client.get(reverse("providers:download_document", args=[document.uuid]))


def test_provider_staff_download_their_document_without_caching(client, provider):
    document = ProviderDocumentFactory(provider=provider, title="登记证书 2024")
    client.force_login(provider_staff_of(provider))
    response = download(client, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in response["Content-Disposition"]


def test_platform_admin_downloads_documents_to_verify(client):
    document = ProviderDocumentFactory()
    client.force_login(user_with_role(Role.PLATFORM_ADMIN))
    response = download(client, document)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_supervisors_download_only_where_they_verify(client, settings):
    document = ProviderDocumentFactory()
    client.force_login(user_with_role(Role.SUPERVISOR))
    settings.AGENCY_SUPERVISORS_VERIFY_PROVIDERS = False
    assert download(client, document).status_code == 404
    settings.AGENCY_SUPERVISORS_VERIFY_PROVIDERS = True
    assert download(client, document).status_code == 200


def test_another_providers_staff_get_404(client):
    document = ProviderDocumentFactory()
    client.force_login(provider_admin_of(ProviderFactory()))
    assert download(client, document).status_code == 404


def test_caseworker_gets_404(client):
    document = ProviderDocumentFactory()
    client.force_login(user_with_role(Role.CASEWORKER))
    assert download(client, document).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client):
    document = ProviderDocumentFactory()
    response = download(client, document)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_unknown_document_is_404(client, provider):
    import uuid

    client.force_login(provider_admin_of(provider))
    response = client.get(reverse("providers:download_document", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_documents_page_answers_404_to_people_without_a_provider(client):
    client.force_login(user_with_role(Role.CASEWORKER))
    assert client.get(DOCUMENTS).status_code == 404


@pytest.mark.parametrize(
    ("title", "content_type", "expected"),
    [
        ("登记证书", "application/pdf", "登记证书.pdf"),
        ("../../etc/passwd", "image/png", "etc_passwd.png"),
        ('a"b;c\r\nSet-Cookie: x', "image/jpeg", "a_b_c_Set-Cookie_ x.jpg"),
        ("...", "application/pdf", "document.pdf"),
    ],
)
def test_download_file_names_cannot_name_a_path_or_break_the_header(title, content_type, expected):
    document = ProviderDocument(title=title, content_type=content_type)
    assert download_filename(document) == expected
