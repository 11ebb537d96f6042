"""Shared helpers for the notices tests."""

import io
import re

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """All text of a PDF, whitespace collapsed (pypdf splits lines where the layout does)."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def stored_bytes(notice) -> bytes:
    with notice.file.open("rb") as fh:
        return fh.read()


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
