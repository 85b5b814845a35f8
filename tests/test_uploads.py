"""Appendix uploads that cannot be rebuilt: each is refused with a plain message by the field (400, the
typed title kept), never a 500 and never a hang; a huge upload is refused before any of it is read.
(Active content in a file that can be rebuilt is removed, not refused: tests/test_appendix_disarm.py.)"""

import io
import sys
import time
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import NameObject, NumberObject, StreamObject

from reports import pdfcheck

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def pdf_bytes(writer=None, pages=1):
    if writer is None:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_writer():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def shared_page_pdf(pages, claimed=None):
    """A page tree listing one page object `pages` times: 100,000 pages in 600 kB, made in a blink."""
    writer = blank_writer()
    tree = writer.root_object["/Pages"]
    page = writer.pages[0].indirect_reference
    tree["/Kids"].extend([page] * (pages - 1))
    tree[NameObject("/Count")] = NumberObject(claimed or pages)
    return pdf_bytes(writer)


def distinct_pages_pdf(pages):
    """A well-formed PDF of `pages` separate blank pages, written directly (pypdf takes seconds for this)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []

    def obj(number, body):
        offsets.append((number, out.tell()))
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(b"%d 0 R" % (3 + n) for n in range(pages))
    obj(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids))
    for n in range(pages):
        obj(3 + n, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (pages + 3))
    out.writelines(b"%010d 00000 n \n" % offset for _, offset in sorted(offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (pages + 3, xref))
    return out.getvalue()


def encrypted_pdf(user_password="secret"):
    writer = blank_writer()
    writer.encrypt(user_password, "owner", algorithm="RC4-128")
    return pdf_bytes(writer)


def page_tree_loop_pdf():
    writer = blank_writer()
    tree = writer.root_object["/Pages"]
    tree["/Kids"].append(writer.root_object.raw_get("/Pages"))  # the tree holds itself
    tree[NameObject("/Count")] = NumberObject(2)
    return pdf_bytes(writer)


def decompression_bomb_pdf():
    """A 100 kB page whose contents inflate to 100 MB."""
    writer = blank_writer()
    stream = StreamObject()
    stream._data = zlib.compress(b"0" * (100 * MB), 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    return pdf_bytes(writer)


def zip_file():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("report.docx", "x" * 1000)
    return out.getvalue()


def truncated(fraction):
    data = pdf_bytes(pages=3)
    return data[: int(len(data) * fraction)]


HOSTILE = {
    "truncated at half": (lambda: truncated(0.5), "damaged or incomplete"),
    "truncated near the end": (lambda: pdf_bytes(pages=3)[:-20], "damaged or incomplete"),
    "header only": (lambda: b"%PDF-1.7\n", "damaged or incomplete"),
    "header and noise": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 400, "damaged or incomplete"),
    "no pages": (lambda: pdf_bytes(PdfWriter()), "no pages"),
    "page tree loop": (page_tree_loop_pdf, "damaged or incomplete"),
    "encrypted": (encrypted_pdf, "password-protected or encrypted"),
    "encrypted, empty user password": (lambda: encrypted_pdf(""), "password-protected or encrypted"),
    "100,000 pages": (lambda: shared_page_pdf(100_000), "more than 1,000 pages"),
    "100,000 pages claiming 1": (lambda: shared_page_pdf(100_000, claimed=1), "more than 1,000 pages"),
    "1,001 pages": (lambda: distinct_pages_pdf(1001), "more than 1,000 pages"),
    "decompression bomb": (decompression_bomb_pdf, "too complex to check"),
    "ZIP renamed": (zip_file, "not a PDF"),
    "PNG renamed": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, "not a PDF"),
    "HTML renamed": (lambda: b"<!doctype html><script>alert(1)</script>", "not a PDF"),
    "HTML with a PDF header in it": (lambda: b"<html><!-- %PDF-1.7 --><script>alert(1)</script></html>", "damaged"),
}


def upload(client, report, content, name="appendix.pdf", title="Hostile file"):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(f"/reports/{report.pk}/appendices/", {"title": title, "file": file})


def assert_refused(response, report, message, title="Hostile file", appendices=0):
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{title}"' in html  # the typed title is kept
    assert "There is a problem" in html
    assert report.appendices.count() == appendices


@pytest.mark.parametrize("case", HOSTILE)
def test_it_refuses_a_hostile_file_by_the_field(login, demo, case):
    make, message = HOSTILE[case]
    client = login(demo.officer)
    started = time.monotonic()
    response = upload(client, demo.draft, make())
    assert time.monotonic() - started < 15
    assert_refused(response, demo.draft, message)


def test_it_refuses_100000_separate_pages_quickly(login, demo):
    data = distinct_pages_pdf(100_000)  # 7 MB
    started = time.monotonic()
    response = upload(login(demo.officer), demo.draft, data)
    assert time.monotonic() - started < 10
    assert_refused(response, demo.draft, "This PDF has more than 1,000 pages; appendices can have at most 1,000.")


def test_it_takes_the_page_limit_from_settings(login, demo, settings):
    settings.APPENDIX_MAX_PAGES = 3
    client = login(demo.officer)
    assert upload(client, demo.draft, pdf_bytes(pages=3)).status_code == 302
    assert_refused(upload(client, demo.draft, pdf_bytes(pages=4)), demo.draft, "more than 3 pages", appendices=1)


def test_it_accepts_a_plain_pdf_with_a_thousand_pages(login, demo):
    response = upload(login(demo.officer), demo.draft, distinct_pages_pdf(1000), title="Long but fine")
    assert response.status_code == 302
    assert demo.draft.appendices.get().page_count == 1000


def test_it_checks_a_large_upload_where_it_was_spooled_to_disk(login, demo, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # every upload goes to a temporary file
    client = login(demo.officer)
    assert upload(client, demo.draft, pdf_bytes(pages=2), title="On disk").status_code == 302
    assert demo.draft.appendices.get().page_count == 2
    assert_refused(upload(client, demo.draft, truncated(0.6)), demo.draft, "damaged", appendices=1)


def test_it_refuses_a_file_that_takes_too_long_to_check(login, demo, monkeypatch):
    monkeypatch.setattr(pdfcheck, "CHECK_SECONDS", 0.001)
    response = upload(login(demo.officer), demo.draft, pdf_bytes())
    assert_refused(response, demo.draft, "too complex to check")


def test_it_refuses_rather_than_fails_when_the_checker_dies(login, demo, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/bin/false")
    response = upload(login(demo.officer), demo.draft, pdf_bytes())
    assert_refused(response, demo.draft, "damaged or incomplete")


def test_it_gives_the_checker_no_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    seen = {}

    def spy(command, **kwargs):
        seen.update(kwargs)
        raise pdfcheck.subprocess.TimeoutExpired(command, 0)

    monkeypatch.setattr(pdfcheck.subprocess, "run", spy)
    with pytest.raises(pdfcheck.PdfProblem):
        pdfcheck.disarm_pdf(io.BytesIO(pdf_bytes()))
    assert "SECRET_KEY" not in seen["env"] and "DATABASE_URL" not in seen["env"]


def test_it_refuses_a_file_over_the_size_limit_by_the_field(login, demo):
    data = pdf_bytes() + b"%" + b"0" * (20 * MB)  # 20 MB and a bit: under the request cap, over the file limit
    response = upload(login(demo.officer), demo.draft, data, title="Slightly too big")
    assert_refused(response, demo.draft, "appendices can be at most 20 MB", title="Slightly too big")


class GeneratedBody:
    """A multipart request body of `size` bytes, made only as it is read; counts what was read."""

    def __init__(self, size, boundary):
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHuge\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        self.head, self.tail = head, f"\r\n--{boundary}--\r\n".encode()
        self.size = size
        self.position = 0

    def read(self, n=-1):
        remaining = self.size - self.position
        n = remaining if n is None or n < 0 else min(n, remaining)
        chunk = bytearray()
        while len(chunk) < n:
            at = self.position + len(chunk)
            if at < len(self.head):
                chunk += self.head[at : at + n - len(chunk)]
            elif at >= self.size - len(self.tail):
                start = at - (self.size - len(self.tail))
                chunk += self.tail[start : start + n - len(chunk)]
            else:
                chunk += b"0" * min(n - len(chunk), self.size - len(self.tail) - at)
        self.position += n
        return bytes(chunk)

    def readline(self, limit=-1):
        return self.read(limit)


def test_it_refuses_a_100_mb_upload_without_reading_it(login, demo):
    client = login(demo.officer)
    body = GeneratedBody(100 * MB, boundary="B0UNDARY")
    response = client.generic(
        "POST",
        f"/reports/{demo.draft.pk}/appendices/",
        content_type="multipart/form-data; boundary=B0UNDARY",
        CONTENT_LENGTH=str(body.size),
        HTTP_REFERER=f"http://testserver/reports/{demo.draft.pk}/edit/",
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "The file is too large" in html
    assert "What you sent was 100.0 MB. An appendix can be at most 20 MB, so nothing was saved." in html
    assert f'href="http://testserver/reports/{demo.draft.pk}/edit/"' in html
    assert body.position == 0  # not one byte of it was read
    assert not demo.draft.appendices.exists()


def test_it_sends_the_refused_upload_back_only_to_our_own_pages(client, db):
    response = client.generic(
        "POST", "/reports/1/appendices/", CONTENT_LENGTH=str(500 * MB), HTTP_REFERER="https://attacker.example/"
    )
    assert response.status_code == 413
    assert 'href="/"' in response.content.decode()


def test_it_refuses_a_malformed_multipart_body_without_failing(login, demo):
    client = login(demo.officer)
    response = client.generic(
        "POST", f"/reports/{demo.draft.pk}/appendices/", b"garbage", content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_it_refuses_an_upload_without_a_file(login, demo):
    response = login(demo.officer).post(f"/reports/{demo.draft.pk}/appendices/", {"title": "No file"})
    assert_refused(response, demo.draft, "This field is required.", title="No file")


def test_it_refuses_an_empty_file(login, demo):
    response = upload(login(demo.officer), demo.draft, b"")
    assert response.status_code == 400
    assert not demo.draft.appendices.exists()
