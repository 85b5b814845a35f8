"""The report PDF: one template, one render function, a locked-down fetcher, a stored file.

`render_report_pdf(report)` fills templates/reports/pdf/report.html (the print preview shows the
same HTML) and hands it to WeasyPrint as tagged PDF/UA-1, with fonts from static/fonts/.

Two guards stand between a report's text and the machine, whatever HTML reached the renderer:

- `LockedFetcher` is the only way WeasyPrint can load anything. It reads the app's own static files
  from disk and hands over the report's own figures, read from storage before the render starts
  (so S3 works too, and the render needs no database), and refuses everything else: file:// URLs,
  http(s) to any other address (loopback included), any other report's figures, and data: URLs
  other than small raster images. It never opens a network connection, so there is no redirect
  to follow.
- Each render runs in a forked child process with a CPU, memory and wall-clock bound. A render
  that runs past it is killed and the caller gets a `PdfRenderError` it can show as a friendly page,
  rather than a web worker that hangs or a machine that swaps.

A report is laid out once per version, without page numbers (`render_report_pages`); its own PDF
(`report_document`) is those pages stamped "Page X of Y" with its appendices after them, and a pack
stamps the same pages with its own numbers (reports/pdfjoin.py). Approved and published reports'
pages are kept, and their PDFs stored (`store_report_pdf`, by the background job reports/tasks.py
queues on approval) and served from storage, while `pdf_key` (a fingerprint of everything the PDF
prints) still holds; drafts are rendered on every request.
"""

import base64
import binascii
import contextlib
import gc
import hashlib
import io
import json
import logging
import math
import mimetypes
import os
import re
import resource
import select
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit

import pikepdf
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from pikepdf import Name, OutlineItem
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.html import figure_images
from reports.models import appendix_letter

log = logging.getLogger(__name__)

# Bounds of one render. Settings of the same names override them. The time bound sits under
# gunicorn's default 30-second worker timeout, since a draft's PDF is made during the request;
# background jobs (agenda packs) may pass a longer `timeout`.
PDF_RENDER_TIMEOUT = 25  # seconds of wall-clock time
PDF_RENDER_MEMORY_MB = 1024  # megabytes of address space beyond what the process already has
MAX_PDF_BYTES = 200 * 1024 * 1024

# What the fetcher hands over.
MAX_FETCHES = 200
MAX_FETCHED_BYTES = 64 * 1024 * 1024
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DATA_URL_BYTES = 256 * 1024
RASTER_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}

FINAL_STATUSES = {"approved", "published"}


class PdfRenderError(Exception):
    """The PDF could not be made; the message says why in plain words."""


class PdfRenderTimeout(PdfRenderError):
    """The render ran past its time bound and was stopped."""


class PdfRenderTooLarge(PdfRenderError):
    """The render needed more memory, or produced a bigger file, than it is allowed."""


class FetchRefused(Exception):
    """The PDF renderer does not fetch this URL."""


def _raster_type(data):
    """The MIME type of a PNG, JPEG, GIF or WebP image from its first bytes, else None."""
    for mime, signatures in RASTER_SIGNATURES.items():
        if data.startswith(signatures) and (mime != "image/webp" or data[8:12] == b"WEBP"):
            return mime
    return None


class LockedFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, locked down to the app's static files and one report's media.

    Files are read from disk, never over the network, and only from inside the configured roots
    (after resolving symlinks and `..`). Media must be images under one of `media_prefixes`.
    Whatever is refused is listed in `refused`; WeasyPrint logs it and renders without it.
    """

    def __init__(
        self, *, base_url, static_url, static_roots, media_url=None, media_root=None, media_prefixes=(), files=None
    ):
        super().__init__(timeout=1, allowed_protocols=frozenset(), allow_redirects=False, fail_on_errors=False)
        self.base_url = base_url
        self.origin = urlsplit(base_url)
        # Images read beforehand, by path on our own origin (a report's figures): path -> (bytes, MIME type).
        self.files = dict(files or {})
        self.routes = [("static", urlsplit(urljoin(base_url, static_url)), [Path(r).resolve() for r in static_roots])]
        if media_url and media_root and media_prefixes:
            self.routes.append(("media", urlsplit(urljoin(base_url, media_url)), [Path(media_root).resolve()]))
        self.media_prefixes = tuple(media_prefixes)
        self.refused = []
        self.fetched = []
        self.bytes_fetched = 0

    def fetch(self, url, headers=None):
        try:
            response = self._fetch(url)
        except FetchRefused as exc:
            self.refused.append(url[:200])
            log.warning("The PDF renderer refused %.120s: %s", url, exc)
            raise
        self.fetched.append(url[:200])
        return response

    def _fetch(self, url):
        if len(self.fetched) + len(self.refused) >= MAX_FETCHES:
            raise FetchRefused(f"a document may load at most {MAX_FETCHES} files")
        scheme = url.split(":", 1)[0].strip().lower()
        if scheme == "data":
            return self._data_url(url)
        if scheme not in {"http", "https"}:
            raise FetchRefused(f"{scheme}: URLs are never fetched")
        try:
            parts = urlsplit(url)
        except ValueError:
            raise FetchRefused("not a URL") from None
        own_origin = (parts.scheme.lower(), parts.netloc.lower()) == (
            self.origin.scheme.lower(),
            self.origin.netloc.lower(),
        )
        if own_origin and not parts.query and not parts.fragment and parts.path in self.files:
            data, mime = self.files[parts.path]
            return self._respond(url, data, mime)
        for kind, prefix, roots in self.routes:
            same_origin = (parts.scheme.lower(), parts.netloc.lower()) == (prefix.scheme.lower(), prefix.netloc.lower())
            if same_origin and parts.path.startswith(prefix.path):
                return self._read_file(url, unquote(parts.path[len(prefix.path) :]), kind, roots)
        raise FetchRefused("only the app's own static files and the report's own media are fetched")

    def _read_file(self, url, relative, kind, roots):
        segments = relative.split("/")
        if not relative or any(s in {"", ".", ".."} for s in segments) or "\\" in relative or "\x00" in relative:
            raise FetchRefused("not a plain path")
        if kind == "media" and not relative.startswith(self.media_prefixes):
            raise FetchRefused("only the report's own media are fetched")
        for root in roots:
            path = (root / relative).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                continue
            if path.stat().st_size > MAX_FILE_BYTES:
                raise FetchRefused("file too big")
            data = path.read_bytes()[:MAX_FILE_BYTES]
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if kind == "media":
                mime = _raster_type(data)
                if not mime:
                    raise FetchRefused("only images are fetched from media")
            return self._respond(url, data, mime)
        raise FetchRefused("no such file")

    def _data_url(self, url):
        header, comma, payload = url.split(":", 1)[1].partition(",")
        params = [p.strip() for p in header.lower().split(";")]
        mime = params[0]
        if not comma or mime not in RASTER_SIGNATURES:
            raise FetchRefused("data: URLs are only used for PNG, JPEG, GIF and WebP images")
        if len(payload) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
            raise FetchRefused("data: image too big")
        try:
            data = base64.b64decode(unquote_to_bytes(payload)) if "base64" in params[1:] else unquote_to_bytes(payload)
        except (binascii.Error, ValueError):
            raise FetchRefused("data: image is not valid base64") from None
        if len(data) > MAX_DATA_URL_BYTES or _raster_type(data) != mime:
            raise FetchRefused("data: image too big, or not the image it says it is")
        return self._respond(url, data, mime)

    def _respond(self, url, data, mime):
        if self.bytes_fetched + len(data) > MAX_FETCHED_BYTES:
            raise FetchRefused("the document's files are too big in total")
        self.bytes_fetched += len(data)
        return URLFetcherResponse(url, data, {"Content-Type": mime})


def _setting(name):
    return getattr(settings, name, globals()[name])


def app_base_url():
    """The address the renderer resolves relative URLs against: the site's own, served by the fetcher."""
    return settings.SITE_URL.rstrip("/") + "/"


def _static_roots():
    roots = [Path(d[1] if isinstance(d, (list, tuple)) else d) for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return roots


def app_fetcher(*, media_prefixes=(), files=None):
    """A fetcher for our own templates: the app's static files, media only under `media_prefixes`, and
    `files` (path on our origin -> (bytes, MIME type)), read beforehand."""
    return LockedFetcher(
        base_url=app_base_url(),
        static_url=settings.STATIC_URL,
        static_roots=_static_roots(),
        media_url=settings.MEDIA_URL,
        media_root=settings.MEDIA_ROOT,
        media_prefixes=media_prefixes,
        files=files,
    )


# The council's logo (boards.models.Council) is printed on every report and front sheet.
BRANDING_MEDIA = "council/"


def report_fetcher(report, html=None):
    """A fetcher for one report: the static files, the council's logo, and the report's own figures (those
    `html` shows, or all of them), read from storage now, before the render, checked to be the PNG or
    JPEG we stored."""
    wanted = None
    if html is not None:
        wanted = {figure for owner, figure, _, _ in figure_images(html) if owner == report.pk}
    figures = report.figures.all() if report.pk else []
    files = {}
    for figure in figures:
        if wanted is not None and figure.pk not in wanted:
            continue
        try:
            with figure.file.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            log.warning("Figure file %s of report %s is missing; printing its alt text instead", figure.pk, report.pk)
            continue
        if len(data) <= MAX_FILE_BYTES and _raster_type(data) == figure.content_type:
            files[figure.url] = (data, figure.content_type)
    return app_fetcher(files=files, media_prefixes=(BRANDING_MEDIA,))


# Tagging: what WeasyPrint leaves undone for PDF/UA.
#
# WeasyPrint tags everything it draws, margin boxes (running headers and footers) included: it builds
# their structure elements but leaves them out of the tree, so their marked content points at
# elements no reader reaches. PDF/UA wants such page furniture marked as artifacts, so after each
# render `_finish_tags` turns every marked-content sequence whose element is outside the tree into an
# /Artifact. `_build_box_tree` below leaves elements marked data-pdf-artifact (the DRAFT watermark)
# out of the tree the same way, and gives every table header cell its /Scope (Row or Column, from
# the HTML's scope attribute), which WeasyPrint does not write.

_SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}


def _install_tag_hooks():
    """Wrap WeasyPrint's tag-tree builder (once per process); its recursion goes through the wrapper."""
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "wrapped_by_committee_reports", False):
        return

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, marked):
        element = getattr(getattr(box, "_box", box), "element", None)
        if element is not None and element.get("data-pdf-artifact") is not None:
            # Map its marked content (so WeasyPrint's own bookkeeping holds), then leave it out.
            tuple(build(box, parent, pdf, page_number, nums, annotations, marked))
            return
        for built in build(box, parent, pdf, page_number, nums, annotations, marked):
            if built.get("S") == "/TH" and "A" in built:
                scope = (element.get("scope") or "").strip().lower() if element is not None else ""
                built["A"]["Scope"] = _SCOPES.get(scope, "/Column")
            yield built

    build_box_tree.wrapped_by_committee_reports = True
    tags._build_box_tree = build_box_tree


def _finish_tags(document, pdf):
    """WeasyPrint's finisher: marked content outside the tag tree becomes /Artifact (see above)."""
    objects = {o.number: o for o in pdf.objects if getattr(o, "number", None) is not None}

    def resolve(value):
        if isinstance(value, bytes) and value.endswith(b" R"):
            return objects.get(int(value.split()[0]))
        return value

    root = resolve(pdf.catalog.get("StructTreeRoot"))
    if root is None:
        return
    reachable, todo = set(), [root]
    while todo:
        node = todo.pop()
        kids = node.get("K") if hasattr(node, "get") else None
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid = resolve(kid)
            if hasattr(kid, "get") and kid.number not in reachable:
                reachable.add(kid.number)
                todo.append(kid)
    nums = resolve(root["ParentTree"])["Nums"]
    kids = pdf.page_references
    for index in range(0, len(nums), 2):
        key, value = nums[index], nums[index + 1]
        if not isinstance(value, list) or not isinstance(key, int) or key >= len(kids):
            continue  # an annotation's entry, or not a page's
        outside = set()
        for mcid, reference in enumerate(value):
            target = resolve(reference)
            if target is not None and hasattr(target, "number") and target.number not in reachable:
                outside.add(mcid)
                value[mcid] = b"null"
        if outside:
            _mark_artifacts(resolve(resolve(kids[key])["Contents"]), outside)


def _mark_artifacts(stream, mcids):
    """Rewrite `/Tag <</MCID n>> BDC` as `/Artifact <</Type /Pagination>> BDC` for each n in `mcids`."""
    import pydyf

    operations = stream.stream
    for index in range(1, len(operations) - 1):
        properties = operations[index]
        if operations[index + 1] == b"BDC" and isinstance(properties, dict) and properties.get("MCID") in mcids:
            operations[index - 1] = "/Artifact"
            operations[index] = pydyf.Dictionary({"Type": "/Pagination"})


# Rendering in a bounded child process.

_fork_lock = threading.Lock()
_shared = None  # (FontConfiguration, fonts stylesheet), loaded once per process


@dataclass
class Rendering:
    """A finished render: the PDF, and the URLs the fetcher refused (WeasyPrint rendered without them)."""

    pdf: bytes
    refused: list = field(default_factory=list)
    info: object = None


def shared_fonts():
    """static/css/print-fonts.css, parsed and its fonts loaded once per process, and WeasyPrint warm.

    Every forked child inherits both, so no render reloads six font files or pays for Pango,
    Fontconfig and fontTools' subsetter loading lazily: that is a third of a short report's time.
    Called with _fork_lock held, so no fork sees a half-initialised library. Returns
    (font_config, [stylesheet]), or (None, []) when the fonts cannot be loaded (logged).
    """
    global _shared
    if _shared is not None:
        folder = getattr(_shared[0], "_folder", None)
        if folder is None or os.path.isdir(folder):  # a tmp cleaner may have removed the loaded fonts
            return _shared
    _install_tag_hooks()
    font_config = FontConfiguration()
    try:
        url = urljoin(app_base_url(), static("css/print-fonts.css"))
        fonts = CSS(url=url, url_fetcher=app_fetcher(), font_config=font_config)
        scrap = '<html lang="en-GB"><title>.</title><p>Ready <b>to</b> <i>print</i> <b><i>now</i></b></p>'
        HTML(string=scrap, base_url=app_base_url(), url_fetcher=app_fetcher()).write_pdf(
            pdf_variant="pdf/ua-1", stylesheets=[fonts], font_config=font_config
        )
        _shared = (font_config, [fonts])
    except Exception:  # noqa: BLE001 - without them PDFs fall back to the system's fonts
        log.exception("The PDF fonts (static/css/print-fonts.css) could not be loaded")
        _shared = (None, [])
    return _shared


def _memory_kb(field_name):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def _limit_child(timeout, memory_bytes):
    """Bound this (child) process: CPU seconds, address space, file size; no core dumps.

    Returns the address space it had when bounded, for `_ran_out_of_memory`."""
    cpu = math.ceil(timeout) + 1
    _lower_limit(resource.RLIMIT_CPU, cpu, cpu + 1)
    start = _memory_kb("VmSize") * 1024
    address_space = start + memory_bytes
    _lower_limit(resource.RLIMIT_AS, address_space, address_space)
    _lower_limit(resource.RLIMIT_FSIZE, 256 * 1024 * 1024, 256 * 1024 * 1024)
    _lower_limit(resource.RLIMIT_CORE, 0, 0)
    return start


def _ran_out_of_memory(exc, start, memory_bytes):
    """Whether a failure in the bounded child came from its memory bound: C libraries (pango, qpdf)
    report a refused allocation in their own words (SystemError, std::bad_alloc), so a failure
    after the child has used most of its room counts as running out of memory."""
    if isinstance(exc, MemoryError) or "bad_alloc" in str(exc):
        return True
    return _memory_kb("VmPeak") * 1024 - start >= memory_bytes // 2


def _lower_limit(which, soft, hard):
    """Set a resource limit, never above the one already in force (only root may raise a hard limit)."""
    old_soft, old_hard = resource.getrlimit(which)
    if old_hard != resource.RLIM_INFINITY:
        hard = min(hard, old_hard)
    soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def _child(write_fd, html, base_url, fetcher, fonts, workdir, timeout, memory_bytes):
    """The forked child: render, send the outcome down the pipe, exit without running any cleanup."""
    exit_code = 1
    try:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(signum, signal.SIG_DFL)
        # Nothing the parent had open (database connections, listening sockets) is the renderer's business.
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 65536)
        tempfile.tempdir = workdir
        # The parent's objects are the child's only by copy-on-write: keep the collector off them.
        gc.freeze()
        start = _limit_child(timeout, memory_bytes)
        header = {}
        try:
            font_config, stylesheets = fonts
            pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
                pdf_variant="pdf/ua-1", stylesheets=stylesheets, font_config=font_config, finisher=_finish_tags
            )
            header["status"] = "ok"
        except MemoryError:
            pdf, header["status"] = b"", "memory"
        except RecursionError:
            pdf, header["status"] = b"", "too_deep"
        except Exception as exc:  # noqa: BLE001 - anything WeasyPrint raises becomes a clear error
            status = "memory" if _ran_out_of_memory(exc, start, memory_bytes) else "error"
            pdf, header["status"], header["detail"] = b"", status, f"{type(exc).__name__}: {exc}"[:300]
        header["refused"] = fetcher.refused[:50]
        message = json.dumps(header).encode() + b"\n" + pdf
        view = memoryview(message)
        while view:
            view = view[os.write(write_fd, view) :]
        exit_code = 0
    finally:
        os._exit(exit_code)


def render_html(html, *, fetcher=None, base_url=None, timeout=None, memory_mb=None):
    """Render `html` to a tagged PDF/UA-1 in a forked child bounded in time and memory.

    Raises PdfRenderTimeout, PdfRenderTooLarge or PdfRenderError; never hangs past `timeout`.
    """
    fetcher = fetcher or app_fetcher()
    base_url = base_url or fetcher.base_url
    timeout = timeout or _setting("PDF_RENDER_TIMEOUT")
    memory_bytes = (memory_mb or _setting("PDF_RENDER_MEMORY_MB")) * 1024 * 1024
    workdir = tempfile.mkdtemp(prefix="report-pdf-")
    try:
        with _fork_lock:
            fonts = shared_fonts()
            # The write end must not leak into another render's child, so pipe and fork under one lock.
            read_fd, write_fd = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read_fd)
                os.close(write_fd)
                log.exception("Could not start a PDF render")
                raise PdfRenderError(
                    "The server is too busy to make the PDF just now. Try again in a minute."
                ) from None
            if pid == 0:  # pragma: no cover - the child never returns
                _child(write_fd, html, base_url, fetcher, fonts, workdir, timeout, memory_bytes)
            os.close(write_fd)
        message, timed_out, too_big = _read_from_child(read_fd, pid, timeout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return _outcome(message, timed_out, too_big, timeout)


def run_bounded(work, *, timeout, memory_mb, max_bytes=MAX_PDF_BYTES):
    """`work()` run in a forked child bounded like a render (time, memory); returns what it returned.

    `work` returns (bytes, a JSON-able value). The child has no database: any query raises in it,
    so data it needs must be read before. Raises PdfRenderTimeout or PdfRenderTooLarge when the
    bounds are reached, PdfRenderError when `work` fails; the caller's process never grows with it.
    """
    global _fork_lock
    workdir = tempfile.mkdtemp(prefix="bounded-")
    try:
        with _fork_lock:
            read_fd, write_fd = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read_fd)
                os.close(write_fd)
                raise PdfRenderError(
                    "The server is too busy to make the PDF just now. Try again in a minute."
                ) from None
            if pid == 0:  # pragma: no cover - the child never returns
                _fork_lock = threading.Lock()  # held by the parent as it forked: a render in here needs its own
                _bounded_child(write_fd, work, workdir, timeout, memory_mb * 1024 * 1024)
            os.close(write_fd)
        message, timed_out, too_big = _read_from_child(read_fd, pid, timeout, max_bytes)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rendering = _outcome(message, timed_out, too_big, timeout, check_pdf=False)
    return rendering.pdf, rendering.info


def _no_database(*args, **kwargs):
    raise RuntimeError("a bounded child process must not use the parent's database connection")


def _bounded_child(write_fd, work, workdir, timeout, memory_bytes):
    exit_code = 1
    try:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(signum, signal.SIG_DFL)
        from django.db import connections

        for alias in connections:
            connections[alias].execute_wrappers.append(_no_database)
        os.closerange(3, write_fd)  # nothing the parent had open is the child's business
        os.closerange(write_fd + 1, 65536)
        tempfile.tempdir = workdir
        gc.freeze()
        start = _limit_child(timeout, memory_bytes)
        header = {}
        try:
            data, header["info"] = work()
            header["status"] = "ok"
        except MemoryError:
            data, header["status"] = b"", "memory"
        except RecursionError:
            data, header["status"] = b"", "too_deep"
        except Exception as exc:  # noqa: BLE001 - reported to the parent as a clear error
            # qpdf reports running out of memory as a failure to decode (std::bad_alloc).
            status = "memory" if _ran_out_of_memory(exc, start, memory_bytes) else "error"
            data, header["status"], header["detail"] = b"", status, f"{type(exc).__name__}: {exc}"[:300]
        message = json.dumps(header).encode() + b"\n" + data
        view = memoryview(message)
        while view:
            view = view[os.write(write_fd, view) :]
        exit_code = 0
    finally:
        os._exit(exit_code)


def _read_from_child(read_fd, pid, timeout, max_bytes=MAX_PDF_BYTES):
    """Everything the child writes, until it closes the pipe or runs out of time; then reap it."""
    deadline = time.monotonic() + timeout
    chunks, size, timed_out, too_big, finished = [], 0, False, False, False
    poller = select.poll()
    poller.register(read_fd, select.POLLIN)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            if not poller.poll(max(1, math.ceil(remaining * 1000))):
                continue
            chunk = os.read(read_fd, 1024 * 1024)
            if not chunk:
                finished = True
                break
            size += len(chunk)
            if size > max_bytes + 1024 * 1024:
                too_big = True
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if not finished:  # out of time, too big, or this thread was interrupted: the child goes too
            _kill(pid)
        _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        timed_out = True  # the CPU limit, the backstop of the wall-clock one
    return b"".join(chunks), timed_out, too_big


def _kill(pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _outcome(message, timed_out, too_big, timeout, check_pdf=True):
    if timed_out:
        raise PdfRenderTimeout(f"Making the PDF took longer than {timeout:g} seconds, so it was stopped.")
    if too_big:
        raise PdfRenderTooLarge("The PDF would be bigger than the renderer allows.")
    header_bytes, newline, pdf = message.partition(b"\n")
    try:
        header = json.loads(header_bytes) if newline else {}
    except ValueError:
        header = {}
    status = header.get("status")
    if status == "ok" and (pdf.startswith(b"%PDF-") or not check_pdf):
        return Rendering(pdf, header.get("refused", []), header.get("info"))
    if status == "memory":
        raise PdfRenderTooLarge("Making the PDF needed more memory than the renderer allows.")
    if status == "too_deep":
        raise PdfRenderError("The report's text is nested too deeply to lay out as a PDF.")
    if status == "error":
        log.error("The PDF renderer failed: %s", header.get("detail"))
        raise PdfRenderError("The PDF renderer could not lay this document out.")
    raise PdfRenderError("The PDF renderer stopped unexpectedly (it may have run out of memory).")


def render_html_pdf(html, *, fetcher=None, base_url=None, timeout=None, memory_mb=None):
    """PDF bytes of `html` (our own templates), through the locked fetcher and the bounded child."""
    return render_html(html, fetcher=fetcher, base_url=base_url, timeout=timeout, memory_mb=memory_mb).pdf


def stored_html_pdf(html, folder):
    """(PDF bytes, key) of `html`, rendered once and kept in storage under `folder`/<its digest>.pdf:
    for documents that are the same whenever what they print is (the Forward Plan, minutes, the
    insight scorecard), so each is rendered only when it changes."""
    key = hashlib.sha256(html.encode()).hexdigest()
    name = f"{folder}/{key}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read(), key
    data = render_html_pdf(html)
    default_storage.save(name, ContentFile(data))
    return data, key


def stamp_renderer():
    """This renderer, as reports.pdfjoin lays out its page and item stamps with it."""
    from reports import pdfjoin

    return pdfjoin.Renderer(render=render_html_pdf, fingerprint=renderer_fingerprint())


# The report's HTML.

# A first row of header cells directly in <tbody> (as the rich-text editor writes it) moves into
# <thead>, so it repeats on every page the table runs over. Cells holding tables are left alone.
_HEADERLESS_TABLE = re.compile(
    r"(<table\b[^>]*>\s*(?:<caption\b[^>]*>(?:(?!</?table\b).)*?</caption>\s*)?)<tbody>\s*"
    r"(<tr>(?:\s*<th\b[^>]*>(?:(?!</?t(?:able|r|d|h)\b).)*?</th>)+\s*</tr>)",
    re.S,
)

# Runs of text with no break opportunity: WeasyPrint's line breaking is quadratic in their length,
# so a 1 MB "word" would never finish. Past 128 characters they get a zero-width space every 64
# (and a span every 2,048, to keep each text box small); shorter URLs still wrap at their slashes.
_LONG_RUN = re.compile(r"(?:&#?\w{1,10};|[^ \t\n\r\f\v<>&\u200b]){128,}")
_RUN_PIECE = re.compile(r"(?:&#?\w{1,10};|[^&]|&){1,64}", re.S)
_TAG = re.compile(r"(<[^>]*>)")


def _breakable(match):
    run = match.group()
    pieces = _RUN_PIECE.findall(run) if "&" in run else [run[i : i + 64] for i in range(0, len(run), 64)]
    if len(pieces) <= 32:
        return "\u200b".join(pieces)
    return "".join("<span>" + "\u200b".join(pieces[i : i + 32]) + "</span>" for i in range(0, len(pieces), 32))


def _allow_long_runs_to_break(html):
    head, body_tag, body = html.partition("<body")
    if not body_tag:
        head, body = "", html
    parts = _TAG.split(body)
    for i in range(0, len(parts), 2):
        if len(parts[i]) >= 128:
            parts[i] = _LONG_RUN.sub(_breakable, parts[i])
    return head + body_tag + "".join(parts)


# Headings typed into a section (h3, h4) nest under the section's own h2 without skipping a level:
# an h4 with no h3 before it is printed as an h3 (the same size and bookmark depth follow the tag).
_HEADING = re.compile(r"<(/?)h([1-6])\b([^>]*)>")
# Header cells say what they head: in <thead> a column, elsewhere the row (unless the author said).
_THEAD = re.compile(r"<thead\b.*?</thead>", re.S)
_TH_WITHOUT_SCOPE = re.compile(r"<th\b(?![^>]*\bscope=)")
_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
_CELL = re.compile(r"<t[dh]\b([^>]*)>")
_COLSPAN = re.compile(r"colspan=\"?(\d+)")
MANY_COLUMNS = 6


def _nest_headings(html, parent_level=2):
    opened = []  # (typed level, printed level) of the headings the next one may sit under
    closing = []  # the printed level of each heading opened, to close it with the same tag

    def renumber(match):
        end, level, attributes = match.group(1), int(match.group(2)), match.group(3)
        if end:
            return f"</h{closing.pop() if closing else level}>"
        while opened and opened[-1][0] >= level:
            opened.pop()
        printed = min((opened[-1][1] if opened else parent_level) + 1, 6)
        opened.append((level, printed))
        closing.append(printed)
        return f"<h{printed}{attributes}>"

    return _HEADING.sub(renumber, html)


def _scope_header_cells(html):
    def in_head(match):
        return _TH_WITHOUT_SCOPE.sub('<th scope="col"', match.group())

    html = _THEAD.sub(in_head, html)
    return _TH_WITHOUT_SCOPE.sub('<th scope="row"', html)


def _mark_wide_tables(html):
    """A table of more than MANY_COLUMNS columns gets the class many-columns (smaller type, print.css)."""
    if "<table" not in html:
        return html
    out, position = [], 0
    for match in re.finditer(r"<table\b", html):
        end = html.find("</table>", match.end())
        segment = html[match.end() : end if end != -1 else len(html)]
        widest = max(
            (
                sum(int(_COLSPAN.search(a).group(1)) if _COLSPAN.search(a) else 1 for a in _CELL.findall(row))
                for row in _ROW.findall(segment)
            ),
            default=0,
        )
        out.append(html[position : match.start()])
        out.append('<table class="many-columns"' if widest > MANY_COLUMNS else "<table")
        position = match.end()
    out.append(html[position:])
    return "".join(out)


def _printed_html(html):
    """A section's allow-listed, numbered HTML made ready for print: a table's first row of header
    cells made its header, header cells scoped, typed headings nested, wide tables marked."""
    html = _HEADERLESS_TABLE.sub(r"\1<thead>\2</thead><tbody>", html)
    return _mark_wide_tables(_scope_header_cells(_nest_headings(html)))


def _printed_sections(report):
    """The body as printed: allow-listed again (whatever route it was stored by), paragraphs and figures
    numbered (Report.numbered_sections), then made ready for print."""
    return [(number, section, _printed_html(html)) for number, section, html in report.numbered_sections(sanitise=True)]


def is_final(report):
    """Approved and published reports are no longer drafts: no watermark, and their PDF is stored."""
    return report.status in FINAL_STATUSES


def council_branding():
    """The council's branding as printed: boards.models.Council (COUNCIL_NAME until one is saved)."""
    from boards.models import Council

    return Council.current()


def report_html(report, *, preview=False, council=None):
    """The report in its printed layout: the HTML its PDF is made from, and the print preview."""
    council = council or council_branding()
    name = council.display_name
    appendices = list(report.appendices.all())
    context = {
        "report": report,
        "preview": preview,
        "draft": not is_final(report),
        "council": council,
        "council_name": name,
        "author": f"{report.report_of}, {name}" if report.report_of_id else name,
        "recommendations": list(report.recommendations.all()),
        "implications": report.implication_rows(),
        "core_purposes": report.core_purpose_rows(),
        "climate_choices": report.ClimateImpact.choices,
        "appendices": [_Lettered(a, i) for i, a in enumerate(appendices)],
        "sections": _printed_sections(report),
    }
    return render_to_string("reports/pdf/report.html", context)


class _Lettered:
    """An appendix with its letter (A, B, ...) worked out once, not with a query per appendix."""

    def __init__(self, appendix, index):
        self.appendix = appendix
        self.title = appendix.title
        self.letter = appendix_letter(index)


def report_render_job(report):
    """What rendering `report` needs, read from the database now: (HTML, fetcher).

    `render_html_pdf(*report_render_job(report))` may then run in another thread.
    """
    html = _allow_long_runs_to_break(report_html(report))
    return html, report_fetcher(report, html)


def render_report_pages(report, *, timeout=None):
    """The report's own pages, as printed for every use: no page numbers yet (they are stamped).

    A pack stamps them "Page 41" and "Agenda Item 4"; the report's own PDF (`report_document`)
    stamps "Page 3 of 9" and adds the appendices. So a report is laid out once per version.
    """
    html, fetcher = report_render_job(report)
    return render_html_pdf(html, fetcher=fetcher, timeout=timeout)


def render_report_pdf(report, *, timeout=None):
    """The report's PDF as downloaded: tagged PDF/UA-1, A4, "Page X of Y", with its appendices."""
    return report_document(report, render_report_pages(report, timeout=timeout))


def report_document(report, pages):
    """The report's own PDF from its printed `pages`: "Page X of Y" on each, then every appendix.

    Appendix pages are framed inside the margins and stamped "Appendix A, page 1 of 3"; the viewer's
    page labels read 1, 2, ... then A-1, A-2, ...; each appendix gets a bookmark. A draft's preview
    gets them as the approved PDF does.
    """
    from reports import pdfjoin

    out = pikepdf.open(io.BytesIO(pages))
    count = len(out.pages)
    stamps = pdfjoin.page_of_stamps(0, count)
    parts = [pdfjoin.Part(out, 0, count)]
    ranges = [(0, "", 1)]
    bookmarks = []
    for lettered in (_Lettered(a, i) for i, a in enumerate(report.appendices.all())):
        label = f"Appendix {lettered.letter}: {lettered.title}"
        source, foreign = _appendix_pdf(report, lettered, label)
        part = pdfjoin.append(out, source, foreign=foreign, title=label)
        parts.append(part)
        prefix = f"Appendix {lettered.letter}, page"
        stamps.update(pdfjoin.page_of_stamps(part.start, part.count, prefix=prefix))
        ranges.append((part.start, f"{lettered.letter}-", 1))
        bookmarks.append(OutlineItem(label, part.start))
    if len(parts) > 1:
        pdfjoin.merge_tag_trees(out, parts)
        with out.open_outline() as outline:
            outline.root.extend(bookmarks)
        out.Root.PageMode = Name.UseOutlines
    pdfjoin.stamp(out, stamps, renderer=stamp_renderer())
    pdfjoin.label_pages(out, ranges)
    return pdfjoin.save(out)


def open_appendix(appendix):
    """(bytes, pikepdf document) of an appendix's stored file, only if the current rules rebuilt it.

    The one way an appendix's file is read to be joined, into a report's own PDF or a pack; raises
    PdfProblem (or pikepdf's error) when it was not rebuilt or cannot be read now.
    """
    from reports.pdfcheck import PdfProblem

    if not appendix.is_disarmed:
        raise PdfProblem(appendix.problem or "not rebuilt by the current rules yet")
    with appendix.file.open("rb") as handle:
        data = handle.read()
    document = pikepdf.open(io.BytesIO(data))  # refuses encrypted files: no password is given
    if not len(document.pages):
        raise PdfProblem("no pages")
    for page in document.pages:
        page.obj.get("/Contents")  # every page must be reachable
    return data, document


def _appendix_pdf(report, lettered, label):
    """(the appendix as a pikepdf document, True), or a notice page in its place if it cannot be read."""
    try:
        return open_appendix(lettered.appendix)[1], True
    except Exception as exc:  # noqa: BLE001 - a broken appendix must never break the report's PDF
        log.warning("Appendix %s of report %s could not be attached: %r", lettered.appendix.pk, report.pk, exc)
        html = render_to_string(
            "boards/pdf/notice.html",
            {
                "title": label,
                "lines": [
                    f"Appendix {lettered.letter}, “{lettered.title}”, is still being converted to PDF: it is "
                    "attached once that is done."
                    if lettered.appendix.is_converting
                    else f"Appendix {lettered.letter}, “{lettered.title}”, could not be attached to this PDF "
                    "because its file could not be read.",
                    "Please contact democratic services for a copy.",
                ],
                "council": council_branding().display_name,
            },
        )
        return pikepdf.open(io.BytesIO(render_html_pdf(html))), False


# Storage and download.


def report_pdf_filename(report):
    name = slugify(report.subject)[:80] or f"report-{report.pk}"
    return f"{name}{'' if is_final(report) else '-draft'}.pdf"


_renderer_fingerprint = None


def renderer_fingerprint():
    """A fingerprint of how our PDFs are printed: the templates, the print CSS, WeasyPrint's version."""
    global _renderer_fingerprint
    if _renderer_fingerprint is None:
        import weasyprint

        digest = hashlib.sha256(weasyprint.__version__.encode())
        base = Path(settings.BASE_DIR)
        for path in [
            base / "templates" / "reports" / "pdf" / "report.html",
            base / "templates" / "reports" / "pdf" / "stamps.html",
            base / "static" / "css" / "print-page.css",
            base / "static" / "css" / "print.css",
            base / "static" / "css" / "print-fonts.css",
            base / "reports" / "pdfjoin.py",
        ]:
            digest.update(path.read_bytes() if path.exists() else b"")
        _renderer_fingerprint = digest.hexdigest()
    return _renderer_fingerprint


def report_pdf_key(report, council=None):
    """A fingerprint of everything a report's PDF prints, so a stored PDF is used only while it holds.

    The report's own words are covered by its version (every edit raises it); the rest is what
    the PDF prints from elsewhere: the meeting's date, the names of the board, post, portfolio,
    wards and reference lists, the sign-offs, the council's branding, the appendices, and the
    templates and CSS.
    """
    council = council or council_branding()
    parts = [
        renderer_fingerprint(),
        council.fingerprint,
        report.pk,
        report.version,
        is_final(report),
        # The exempt banner and header, read now: whatever route changed them, a stored PDF made
        # while the report was public is not served once it is exempt.
        report.is_exempt,
        report.exempt_paragraph_list,
        str(report.board) if report.board_id else "",
        report.meeting.starts_at.isoformat() if report.meeting_id else "",
        str(report.report_of) if report.report_of_id else "",
        str(report.portfolio) if report.portfolio_id else "",
        sorted(w.name for w in report.wards.all()),
        [(i.type.name, i.type.position) for i in report.implication_rows()],
        [(c.purpose.name, c.purpose.position) for c in report.core_purpose_rows()],
        [(s.officer_title, s.reference, s.voided_at is None) for s in report.sign_offs.all()],
        [(a.pk, a.title, a.file.name, a.size) for a in report.appendices.all()],
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _pages_name(report, key):
    return f"reports/pages/{report.pk}/{key[:40]}.pdf"


def stored_report_pages(report, key=None):
    """An approved report's printed pages (`render_report_pages`) kept from an earlier render, or None."""
    if not is_final(report):
        return None
    name = _pages_name(report, key or report_pdf_key(report))
    try:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                return handle.read()
    except OSError:
        log.warning("The stored pages of report %s could not be read; rendering them again", report.pk)
    return None


def store_report_pages(report, pages, key=None):
    """Keep an approved report's printed pages for packs and downloads; earlier versions' pages go."""
    if not is_final(report):
        return
    name = _pages_name(report, key or report_pdf_key(report))
    if default_storage.exists(name):
        return
    default_storage.save(name, ContentFile(pages))
    folder = name.rsplit("/", 1)[0]
    with contextlib.suppress(OSError, NotImplementedError):
        for old in default_storage.listdir(folder)[1]:
            if f"{folder}/{old}" != name:
                default_storage.delete(f"{folder}/{old}")


def report_pages(report, *, timeout=None):
    """The report's printed pages: kept ones while they hold, else rendered now (and kept once approved)."""
    key = report_pdf_key(report)
    pages = stored_report_pages(report, key)
    if pages is None:
        pages = render_report_pages(report, timeout=timeout)
        store_report_pages(report, pages, key)
    return pages


def _stored_pdf_is_current(report, key=None):
    if not (is_final(report) and report.pdf_file):
        return False
    return report.pdf_key == (key or report_pdf_key(report))


def is_current_pdf_key(report, key):
    """Whether the report's stored PDF prints what `key` (`report_pdf_key(report)`, read now) says."""
    return _stored_pdf_is_current(report, key)


def stored_report_pdf(report, key=None):
    """The report's stored PDF if it still prints what the report would print now, else None."""
    if not _stored_pdf_is_current(report, key):
        return None
    try:
        with report.pdf_file.open("rb") as handle:
            return handle.read()
    except OSError:
        log.warning("The stored PDF of report %s is missing; rendering it again", report.pk)
        return None


def store_report_pdf(report, *, timeout=None, pdf=None):
    """Make an approved or published report's PDF and keep it in storage as of its current version.

    Returns the PDF bytes. If the report changed while it rendered, nothing is stored. For the
    approval workflow or a background job to call, so the first download is served from storage.
    A caller that made the PDF itself passes `pdf`.
    """
    if not is_final(report):
        raise ValueError("Only approved and published reports' PDFs are stored")
    key = report_pdf_key(report)
    if pdf is None:
        pdf = report_document(report, report_pages(report, timeout=timeout))
    old_name = None
    with transaction.atomic():
        current = type(report).objects.select_for_update().get(pk=report.pk)
        if current.version != report.version or not is_final(current):
            return pdf
        if current.pdf_key == key and current.pdf_file and current.pdf_file.storage.exists(current.pdf_file.name):
            report.pdf_file, report.pdf_version, report.pdf_key = current.pdf_file.name, current.pdf_version, key
            return pdf  # another request stored it meanwhile
        old_name = current.pdf_file.name
        current.pdf_file.save(f"report-{current.pk}-v{current.version}-{key[:8]}.pdf", ContentFile(pdf), save=False)
        current.pdf_version = current.version
        current.pdf_key = key
        current.skip_history_when_saving = True  # the PDF is excluded from the audit trail
        current.save(update_fields=["pdf_file", "pdf_version", "pdf_key"])
        storage = current.pdf_file.storage
        if old_name and old_name != current.pdf_file.name:
            transaction.on_commit(lambda: storage.delete(old_name))
    report.pdf_file, report.pdf_version, report.pdf_key = current.pdf_file.name, current.pdf_version, key
    return pdf


def report_pdf_response(request, report):
    """The download: the stored PDF while it is current, else made now for this answer alone.

    An approved report's PDF is stored by a background job (reports/tasks.py) queued by its approval;
    until that has run, or after something it prints changed elsewhere, it is made here and not
    stored, since no GET writes.

    When the PDF cannot be made, a page that says why (503), never a server error.
    """
    try:
        return _pdf_download(report)
    except PdfRenderError as exc:
        log.warning("The PDF of report %s could not be made: %s", report.pk, exc)
        response = render(request, "reports/pdf/render_failed.html", {"report": report, "reason": exc}, status=503)
        response["Cache-Control"] = "no-store"
        return response


def _pdf_download(report):
    filename = report_pdf_filename(report)
    if _stored_pdf_is_current(report):
        try:
            handle = report.pdf_file.open("rb")
        except OSError:
            log.warning("The stored PDF of report %s is missing; rendering it again", report.pk)
        else:
            response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
            response["Cache-Control"] = "private, no-cache"
            return response
    if is_final(report):
        log.info("Report %s has no current stored PDF: made for this download", report.pk)
        pdf = report_document(report, report_pages(report))  # its pages kept, as a pack keeps them
    else:
        pdf = render_report_pdf(report)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-cache"
    return response


def appendix_response(request, appendix, filename):
    """An appendix's stored file, only once it has been rebuilt by the current rules (reports/pdfdisarm.py).

    Otherwise a page that says why: waiting to be rebuilt (503), or refused by the rebuild (410).
    """
    if appendix.is_disarmed:
        return FileResponse(appendix.file.open("rb"), content_type="application/pdf", filename=filename)
    context = {"appendix": appendix, "report": appendix.report}
    response = render(request, "reports/appendix_unavailable.html", context, status=410 if appendix.problem else 503)
    if not appendix.problem:
        response["Retry-After"] = "3600"
    response["Cache-Control"] = "no-store"
    return response
