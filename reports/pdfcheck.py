"""Checks an uploaded appendix is a PDF we can join into a pack, by its content, not its name."""

import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

log = logging.getLogger(__name__)

MAX_PAGES = 1000


class PdfProblem(Exception):
    """The upload is not a PDF we accept; the message says why in plain words."""


def inspect_pdf(fileobj):
    """Return the page count of a readable, unencrypted PDF, or raise PdfProblem."""
    fileobj.seek(0)
    head = fileobj.read(1024)
    fileobj.seek(0)
    if b"%PDF-" not in head:
        raise PdfProblem("This file is not a PDF. Appendices must be PDF files; save or export it as PDF first.")
    try:
        reader = PdfReader(fileobj, strict=False)
        if reader.is_encrypted:
            raise PdfProblem("This PDF is password-protected. Upload a copy without a password.")
        pages = len(reader.pages)
        if pages:
            reader.pages[0].mediabox  # noqa: B018 - touching the first page proves the page tree is sound
    except PdfProblem:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        log.info("Refused an appendix that pypdf could not read: %r", exc)
        raise PdfProblem("This PDF is damaged or incomplete and cannot be read. Try saving it as PDF again.") from None
    finally:
        fileobj.seek(0)
    if pages == 0:
        raise PdfProblem("This PDF has no pages.")
    if pages > MAX_PAGES:
        raise PdfProblem(f"This PDF has {pages:,} pages; appendices can have at most {MAX_PAGES:,}.")
    return pages
