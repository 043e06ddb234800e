"""What an uploaded file really is, judged by its first bytes, never by its name.

Documents (registration certificates, tender documents, bid attachments,
signed contracts) are PDFs or images; a file whose content is anything else is
refused whatever its name or the browser's content type says.
"""

DOCUMENT_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
HEAD_BYTES = 16


def sniff_document_type(head: bytes) -> str | None:
    """The content type of a PDF, PNG or JPEG from its first bytes; None for anything else."""
    for signature, content_type in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def sniff_uploaded_file(uploaded_file) -> str | None:
    """``sniff_document_type`` of an uploaded file, leaving it rewound for saving."""
    uploaded_file.seek(0)
    content_type = sniff_document_type(uploaded_file.read(HEAD_BYTES))
    uploaded_file.seek(0)
    return content_type
