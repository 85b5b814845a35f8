"""Hostile input to the report PDF: whatever HTML reaches the renderer, nothing outside the app is
fetched (a loopback listener must hear nothing, a canary file must not leak), huge and deep input
is either rendered or refused with a clear error, and no render runs past its bound."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from threading import Thread
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import StreamObject

from reports import pdf
from reports.models import Section
from reports.views import report_queryset
from tests import images
from tests.images import stored_figure

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2a4e1c30000000049454e44ae426082"
)


# An unbreakable word that may wrap anywhere: WeasyPrint's line breaking is quadratic in its length,
# so this takes minutes to lay out.
SLOW_HTML = '<html lang="en-GB"><title>Slow</title><p style="overflow-wrap: anywhere">' + "x" * 200_000 + "</p>"


@pytest.fixture
def listener():
    """A loopback HTTP server that records every connection, and answers any request with a
    redirect to a file:// URL, should the renderer ever ask it anything."""
    connections = []

    class Server(ThreadingHTTPServer):
        def verify_request(self, request, client_address):
            connections.append(client_address)
            return True

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = Server(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_address[1]}", port=server.server_address[1], connections=connections
    )
    server.shutdown()
    server.server_close()


@pytest.fixture
def canary(tmp_path):
    """Files whose content must never reach a PDF: plain text, and a stylesheet that would print it."""
    secret = f"CANARY{uuid.uuid4().hex}"
    text = tmp_path / "canary.txt"
    text.write_text(secret)
    css = tmp_path / "canary.css"
    css.write_text(f'body::before {{ content: "{secret}"; }}')
    return SimpleNamespace(secret=secret, text=text, css=css)


def hostile_html(listener, canary):
    here = listener.url
    return f"""
<base href="{here}/base/">
<link rel="stylesheet" href="file://{canary.css}">
<link rel="stylesheet" href="{here}/linked.css">
<link rel="attachment" href="file://{canary.text}" title="canary">
<style>
  @import url("{here}/imported.css");
  @import "file://{canary.css}";
  @font-face {{ font-family: Sneaky; src: url("{here}/font.ttf"), url("file://{canary.text}"), local("DejaVu Sans"); }}
  body {{ background: url("{here}/background.png"); font-family: Sneaky, sans-serif; }}
</style>
<h3>Hostile section</h3>
<script>document.write("SCRIPT RAN")</script>
<iframe src="{here}/iframe.html"></iframe>
<img src="file:///etc/passwd" alt="passwd">
<img src="file://{canary.text}" alt="canary">
<img src="{here}/image.png" alt="remote">
<img src="http://localhost:{listener.port}/localhost.png" alt="localhost">
<img src="http://[::1]:{listener.port}/ipv6.png" alt="ipv6">
<img src="//127.0.0.1:{listener.port}/scheme-relative.png" alt="scheme relative">
<img src="relative.png" alt="relative to the base">
<img src="/static/../../../../{canary.text}" alt="traversal">
<img src="{settings.SITE_URL}/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd" alt="encoded traversal">
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3Cimage href='file://{canary.text}'/%3E%3C/svg%3E" alt="svg data">
<img src="data:text/html;base64,PGgxPmhpPC9oMT4=" alt="html data">
<object data="{here}/object.bin" type="image/png"></object>
<embed src="file://{canary.text}">
<a rel="attachment" href="file://{canary.text}">attachment link</a>
<a rel="attachment" href="{here}/attachment.pdf">remote attachment link</a>
<p style="background-image: url('{here}/style-attribute.png')">Styled paragraph</p>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="40">
  <style>@import url("{here}/svg-import.css");</style>
  <image href="file://{canary.text}" width="10" height="10"/>
  <image xlink:href="{here}/svg-image.png" width="10" height="10"/>
  <use href="{here}/sprite.svg#icon"/>
  <text x="0" y="30">svg text</text>
</svg>
<p>The end of the hostile section.</p>
"""


def every_byte_of(data):
    """The PDF file and every stream in it, decompressed, to look for a leak however it was stored."""
    reader = PdfReader(BytesIO(data))
    found = [data]
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - free or compressed object numbers
            continue
        if isinstance(obj, StreamObject):
            found.append(obj.get_data())
    return b"".join(found)


def text_of(data):
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def assert_nothing_leaked(data, listener, canary):
    assert data.startswith(b"%PDF-")
    assert listener.connections == []
    assert canary.secret.encode() not in every_byte_of(data)
    assert canary.secret not in text_of(data)
    assert "root:" not in text_of(data)
    assert PdfReader(BytesIO(data)).attachments == {}


def set_raw_body(report, html, heading="Hostile"):
    """Store a section body as typed, bypassing the sanitiser (as a bug or a raw import might)."""
    section = Section.objects.create(report=report, position=99, heading=heading, body="")
    Section.objects.filter(pk=section.pk).update(body=html)
    return section


def own_children():
    """Processes whose parent is this one (a render's child that was not reaped would be one).

    The tests compare the set before and after a render: a process the test run started elsewhere
    (and still owns) is not the render's.
    """
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid():
                children.append((int(entry.name), fields[0]))
    return children


def test_it_fetches_nothing_outside_the_app_from_raw_hostile_html(demo, listener, canary):
    html = f'<!doctype html><html lang="en-GB"><head><title>Hostile</title></head><body>{hostile_html(listener, canary)}</body></html>'
    rendering = pdf.render_html(html, fetcher=pdf.report_fetcher(demo.seed))
    assert_nothing_leaked(rendering.pdf, listener, canary)
    assert "The end of the hostile section." in text_of(rendering.pdf)
    refused = "\n".join(rendering.refused)
    assert f"file://{canary.css}" in refused and f"file://{canary.text}" in refused
    assert f"{listener.url}/linked.css" in refused and f"{listener.url}/imported.css" in refused
    assert f"{listener.url}/image.png" in refused and f"{listener.url}/base/relative.png" in refused


def test_it_fetches_nothing_outside_the_app_from_a_hostile_section_body(demo, listener, canary):
    set_raw_body(demo.seed, hostile_html(listener, canary))
    data = pdf.render_report_pdf(report_queryset().get(pk=demo.seed.pk))
    assert_nothing_leaked(data, listener, canary)
    text = text_of(data)
    assert "The end of the hostile section." in text
    assert "SCRIPT RAN" not in text


def test_it_stores_a_hostile_section_only_as_allow_listed_html(demo, listener, canary):
    section = Section.objects.create(
        report=demo.seed, position=99, heading="Hostile", body=hostile_html(listener, canary)
    )
    for tag in ("<script", "<iframe", "<img", "<link", "<style", "<svg", "<object", "<embed", "<base", "file:"):
        assert tag not in section.body
    assert_nothing_leaked(pdf.render_report_pdf(report_queryset().get(pk=demo.seed.pk)), listener, canary)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "{listener}/anything.png",
        "https://127.0.0.1:{port}/tls.png",
        "http://localhost:{port}/x.css",
        "http://[::1]:{port}/x.css",
        "http://127.1:{port}/x.css",
        "ftp://127.0.0.1:{port}/x",
        "gopher://127.0.0.1:{port}/x",
        "javascript:alert(1)",
        "//127.0.0.1:{port}/x",
        "{site}@127.0.0.1:{port}/static/css/print.css",
        "{site}/static/../../../../etc/passwd",
        "{site}/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "{site}/static/css%2f..%2f..%2f..%2fetc%2fpasswd",
        "{site}/static/css/print.css%00.png",
        "{site}/static/",
        "{site}/static/no-such-file.css",
        "{site}/reports/1/",
        "{site}/media/reports/figures/999999/figure.png",
        "data:text/html;base64,PGgxPmhpPC9oMT4=",
        "data:text/css,body%7Bcolor:red%7D",
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
        "data:application/pdf;base64,JVBERi0xLjQK",
        "data:image/png;base64,bm90IGEgcG5n",
        "data:image/png;base64," + "A" * 400_000,
    ],
)
def test_it_refuses_every_url_outside_the_app(demo, listener, url):
    fetcher = pdf.report_fetcher(demo.seed)
    url = url.format(listener=listener.url, port=listener.port, site=settings.SITE_URL)
    with pytest.raises(pdf.FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url[:200]]
    assert listener.connections == []


def test_it_fetches_the_apps_own_static_files(demo):
    fetcher = pdf.report_fetcher(demo.seed)
    css = fetcher.fetch(f"{settings.SITE_URL}{settings.STATIC_URL}css/print-page.css")
    assert css.content_type == "text/css" and b"@page" in css.read()
    font = fetcher.fetch(f"{settings.SITE_URL}{settings.STATIC_URL}fonts/source-sans-3/SourceSans3-Regular.ttf")
    assert len(font.read()) > 100_000


def test_it_fetches_small_data_images_and_the_reports_own_figures(demo):
    fetcher = pdf.report_fetcher(demo.seed)
    assert fetcher.fetch("data:image/png;base64," + __import__("base64").b64encode(PNG_1x1).decode()).read() == PNG_1x1
    figure = stored_figure(demo.seed, PNG_1x1)
    fetcher = pdf.report_fetcher(demo.seed)
    assert fetcher.fetch(f"{settings.SITE_URL}{figure.url}").read() == PNG_1x1
    for url in [
        f"{settings.SITE_URL}{figure.url}?x=1",
        f"{settings.SITE_URL}/reports/{demo.seed.pk}/figures/{figure.pk + 1}/",
        f"{settings.SITE_URL}/media/{figure.file.name}",
        f"http://127.0.0.1:9{figure.url}",
    ]:
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(url)
    other = pdf.report_fetcher(demo.draft)
    with pytest.raises(pdf.FetchRefused):
        other.fetch(f"{settings.SITE_URL}{figure.url}")


def test_it_hands_over_only_figure_files_that_are_the_images_they_say(demo):
    not_an_image = stored_figure(demo.seed, b"<html>not an image</html>")
    jpeg_said_png = stored_figure(demo.seed, images.jpeg(), content_type="image/png")
    fetcher = pdf.report_fetcher(demo.seed)
    for figure in (not_an_image, jpeg_said_png):
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(f"{settings.SITE_URL}{figure.url}")


def test_it_fetches_nothing_outside_the_app_for_a_hostile_figure(demo, listener, canary):
    """Figures in a body that point anywhere but at the report's own figures print as their alt text."""
    own = stored_figure(demo.seed, images.png(label="own"))
    other = stored_figure(demo.draft, images.png(label="other"))
    sources = [
        f"{listener.url}/figure.png",
        f"file://{canary.text}",
        f"/reports/{demo.draft.pk}/figures/{other.pk}/",
        f"{settings.SITE_URL}/reports/{demo.draft.pk}/figures/{other.pk}/",
        f"/reports/{demo.seed.pk}/figures/{own.pk}/../../../../etc/passwd",
        f"//127.0.0.1:{listener.port}/reports/{demo.seed.pk}/figures/{own.pk}/",
        f"/media/{other.file.name}",
    ]
    body = "".join(
        f'<figure><img src="{src}" alt="hostile {n}"><figcaption>Hostile {n}</figcaption></figure>'
        for n, src in enumerate(sources)
    )
    set_raw_body(demo.seed, body + images.figure_html(own, alt="The report's own chart"))
    html, fetcher = pdf.report_render_job(report_queryset().get(pk=demo.seed.pk))
    rendering = pdf.render_html(html, fetcher=fetcher)
    assert_nothing_leaked(rendering.pdf, listener, canary)
    assert rendering.refused == []  # the sanitiser dropped them all before the renderer saw them
    assert list(fetcher.files) == [own.url]
    assert images.pictures_in(rendering.pdf) == 1
    # Straight to the renderer, unsanitised: every one of them is refused, and no picture printed.
    raw = pdf.render_html(body, fetcher=pdf.report_fetcher(demo.seed, body))
    assert_nothing_leaked(raw.pdf, listener, canary)
    assert len(raw.refused) == len(sources) - 1  # two of them are the same address
    assert images.pictures_in(raw.pdf) == 0


def test_it_refuses_a_symlink_out_of_the_static_files(tmp_path, canary):
    root = tmp_path / "static"
    root.mkdir()
    (root / "escape.css").symlink_to(canary.css)
    (root / "fine.css").write_text("p { color: black }")
    fetcher = pdf.LockedFetcher(base_url="http://app.test/", static_url="/static/", static_roots=[root])
    assert fetcher.fetch("http://app.test/static/fine.css").read() == b"p { color: black }"
    with pytest.raises(pdf.FetchRefused):
        fetcher.fetch("http://app.test/static/escape.css")


def test_it_limits_how_much_one_document_may_load(demo):
    fetcher = pdf.report_fetcher(demo.seed)
    url = f"{settings.SITE_URL}{settings.STATIC_URL}css/print.css"
    for _ in range(pdf.MAX_FETCHES):
        fetcher.fetch(url)
    with pytest.raises(pdf.FetchRefused):
        fetcher.fetch(url)


def test_it_renders_a_10000_deep_nest_once_sanitised(demo):
    set_raw_body(
        demo.seed, "<blockquote><div><ul><li>" * 2500 + "The deepest words." + "</li></ul></div></blockquote>" * 2500
    )
    data = pdf.render_report_pdf(report_queryset().get(pk=demo.seed.pk))
    assert "The deepest words." in text_of(data)


def test_it_renders_or_refuses_a_raw_10000_deep_nest_within_its_bound(demo):
    html = '<html lang="en-GB"><title>Deep</title>' + "<div>" * 10_000 + "The deepest words." + "</div>" * 10_000
    before = set(own_children())
    started = time.monotonic()
    try:
        data = pdf.render_html_pdf(html, timeout=20)
    except pdf.PdfRenderError as exc:
        assert str(exc)  # a plain sentence the page can show
    else:
        assert data.startswith(b"%PDF-")
    assert time.monotonic() - started < 25
    assert set(own_children()) <= before


@pytest.mark.slow
def test_it_renders_a_single_one_megabyte_word(demo):
    """Laying out a megabyte of text takes WeasyPrint half a minute: longer than a request may
    wait (a clear error, tested below), within what a background job allows."""
    set_raw_body(demo.seed, "<p>" + "x" * 1_000_000 + "</p>")
    data = pdf.render_report_pdf(report_queryset().get(pk=demo.seed.pk), timeout=180)
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) > 100
    assert sum(page.extract_text().count("x") for page in reader.pages[5:8]) > 6_000


@pytest.mark.slow
def test_it_shows_a_clear_error_or_the_pdf_for_a_one_megabyte_word_on_request(demo, login):
    set_raw_body(demo.draft, "<p>" + "x" * 1_000_000 + "</p>")
    started = time.monotonic()
    response = login(demo.officer).get(reverse("reports:pdf", args=[demo.draft.pk]))
    assert time.monotonic() - started < pdf.PDF_RENDER_TIMEOUT + 10
    if response.status_code == 503:
        assert b"took longer than" in response.content
    else:
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")


@pytest.mark.slow
def test_it_renders_a_2000_row_table_with_its_header_on_every_page(demo):
    rows = "".join(
        f"<tr><td><p>Row {n}</p></td><td><p>{n * 7} people</p></td><td><p>Ward {n % 22}</p></td></tr>"
        for n in range(2000)
    )
    body = f"<table><tbody><tr><th><p>Row number</p></th><th><p>Residents</p></th><th><p>Ward name</p></th></tr>{rows}</tbody></table>"
    Section.objects.create(report=demo.seed, position=99, heading="A long table", body=body)
    data = pdf.render_report_pdf(report_queryset().get(pk=demo.seed.pk), timeout=180)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(data)).pages]
    table_pages = [text for text in pages if "people" in text]
    assert len(table_pages) > 40
    assert all("Row number Residents Ward name" in text for text in table_pages)
    assert "Row 1999 13993 people Ward 19" in pages[-1]


def test_it_renders_welsh_polish_and_arabic_as_real_text(demo):
    welsh = "Mae’r Cyngor yn ymgynghori â thrigolion ynglŷn â’r gwasanaeth: ŵyn, ŷd, Ŵyr."
    polish = "Zażółć gęślą jaźń: Łódź, Kraków, Gdańsk."
    arabic = "تقرير إلى مجلس الصحة والرفاهية"
    Section.objects.create(
        report=demo.seed, position=99, heading="Ieithoedd", body=f"<p>{welsh}</p><p>{polish}</p><p>{arabic}</p>"
    )
    data = pdf.render_report_pdf(report_queryset().get(pk=demo.seed.pk))
    text = " ".join(text_of(data).split())
    assert welsh in text
    assert polish in text
    assert sum(1 for char in text if "\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff") >= 20
    reader = PdfReader(BytesIO(data))
    fonts = {
        str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    assert any("Noto-Sans-Arabic" in name or "NotoSansArabic" in name for name in fonts), fonts


def test_it_stops_a_render_past_its_time_bound(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    html = SLOW_HTML
    before = set(own_children())
    started = time.monotonic()
    with pytest.raises(pdf.PdfRenderTimeout, match="took longer than 1 seconds"):
        pdf.render_html_pdf(html, timeout=1)
    assert time.monotonic() - started < 3
    assert set(own_children()) <= before
    assert list(tmp_path.glob("report-pdf-*")) == []


MEMORY_BOUND_SCRIPT = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
django.setup()
from reports import pdf
pdf.render_html_pdf('<html lang="en-GB"><title>Warm</title><p>A worker has rendered before.</p>')
rows = "".join(f"<tr><td>Row {n}</td><td>{n} people</td></tr>" for n in range(2000))
html = f'<html lang="en-GB"><title>Big</title><table><tbody>{rows}</tbody></table>'
try:
    pdf.render_html_pdf(html, memory_mb=8, timeout=30)
    print("rendered")
except pdf.PdfRenderError as exc:
    print("refused:", exc)
print("children:", len(os.listdir(f"/proc/{os.getpid()}/task")), sorted(
    p for p in os.listdir("/proc") if p.isdigit() and open(f"/proc/{p}/stat").read().split()[3] == str(os.getpid())
))
"""


def test_it_stops_a_render_past_its_memory_bound():
    """The bound is what the render may take beyond what its process already has mapped. A
    process that has freed much (this test process, after the suite's renders) lends that room
    to its child, so the render is tried from a fresh interpreter, as a worker starts."""
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_BOUND_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"},
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr[-2000:]
    assert lines[0].startswith("refused:") and "memory" in lines[0], done.stdout
    assert lines[-1].endswith("[]"), done.stdout  # no child left behind


def test_it_renders_the_same_pdf_after_a_render_was_stopped(demo):
    with pytest.raises(pdf.PdfRenderTimeout):
        pdf.render_html_pdf(SLOW_HTML, timeout=0.5)
    assert "Cities Inequalities Project" in text_of(pdf.render_report_pdf(report_queryset().get(pk=demo.seed.pk)))
