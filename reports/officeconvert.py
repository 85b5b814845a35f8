"""Appendices in office formats: checked before conversion, then converted to PDF by LibreOffice.

`precheck(upload, filename)` runs in the request and reads only the zip's central directory and a
few small parts (never unpacking the document): it returns the format ("docx", "xlsx", ...) or
raises OfficeProblem with a message for the officer. Refused:
- a file that is neither a zip (OOXML, OpenDocument) nor an OLE2 file (.doc, .xls): "corrupt";
- an OLE2 file where a zip is expected (a .docx/.xlsx/.pptx saved with a password is an encrypted
  OLE2 container) or holding an EncryptedPackage: "password-protected";
- a zip bomb: more than MAX_UNZIPPED bytes declared in all, more than MAX_PARTS parts, or a large
  part that expands more than MAX_RATIO times;
- macros: vbaProject.bin, a macro-enabled content type (.docm/.xlsm/.pptm), OpenDocument Basic/ or
  Scripts/; ActiveX controls;
- embedded objects (OLE objects and packages: embeddings/*.bin, an OpenDocument object that is not a
  chart): refused, not stripped, so the original kept for download is the file that was checked.
  A chart's own workbook (embeddings/*.xlsx) is a chart, and stays;
- external links other than hyperlinks (linked workbooks, linked pictures or objects, an attached
  template): refused, so nothing in the file points LibreOffice at anything outside it. Hyperlinks
  stay: they become web links in the PDF, which the PDF check keeps, and nothing follows them;
- a sheet larger than MAX_SHEET_ROWS rows or MAX_SHEET_COLUMNS columns by its declared dimension.
  A sheet that does not declare one is bounded by the conversion's time and memory instead.

`convert_to_pdf(path, workdir)` runs `soffice --headless --convert-to pdf` in a child process: its
own throwaway profile (macros disabled, links never updated), its own process group killed at
CONVERT_SECONDS, its address space capped at CONVERT_MEMORY_MB (RLIMIT_AS), an environment with
nothing secret in it, and no network: it runs in a new network namespace (`unshare --net`) that has
only a loopback device, where the kernel allows one (see README, "Office appendices").
The PDF it writes then goes through reports.pdfcheck.disarm_pdf, like any uploaded PDF.
"""

import contextlib
import logging
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import zipfile
from functools import cache

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction

from reports.models import Appendix
from reports.pdfcheck import PdfProblem, disarm_pdf

log = logging.getLogger(__name__)

OFFICE_EXTENSIONS = ("docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls")
OFFICE_CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNZIPPED = 100 * 1024 * 1024  # bytes of all parts, as the zip's directory declares them
MAX_RATIO = 100  # a part over 1 MB may expand at most this many times
MAX_PARTS = 5000
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 200
ODF_CONTENT_SCAN = 20 * 1024 * 1024  # bytes of an OpenDocument's content.xml read for links
CONVERT_SECONDS = 120
CONVERT_MEMORY_MB = 2048
THUMBNAIL_SECONDS = 20

OOXML_MAIN = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
HYPERLINK = "/hyperlink"

DAMAGED = "The file is damaged or incomplete and cannot be read. Save it again and upload the new copy."
ENCRYPTED = (
    "This file is password-protected (encrypted). Save a copy without a password and upload that, or save it as PDF."
)
BOMB = "The file would unpack to far more than it holds (more than {mb} MB, or a zip bomb). It was not opened."
MACROS = (
    "The file contains macros, which appendices may not carry. Save it without macros (as .docx, .xlsx, .pptx "
    "or OpenDocument) or as PDF, and upload that."
)
EMBEDDED = (
    "The file contains embedded objects (another file or program inside it), which appendices may not carry. "
    "Replace them with pictures or tables, or save the file as PDF, and upload that."
)
EXTERNAL = (
    "The file takes content from outside itself (a linked workbook, picture or template), which appendices may "
    "not do. Break the links (paste the values or pictures in) or save the file as PDF, and upload that."
)
HUGE_SHEET = (
    "The sheet “{sheet}” has {rows:,} rows and {columns:,} columns: too large to print as an appendix (at most "
    f"{MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS:,} columns). Print the part that matters to PDF and upload that."
)
NOT_OFFICE = (
    "This file is not a PDF or an office document this app converts. Appendices may be PDF, Word (.docx, .doc), "
    "Excel (.xlsx, .xls), PowerPoint (.pptx) or OpenDocument (.odt, .ods, .odp) files."
)


class OfficeProblem(Exception):
    """The office file is refused before conversion, or its conversion failed; the message says why."""


def precheck(fileobj, filename=""):
    """The office format of `fileobj` ("docx", "xls", ...) if it may be converted, or OfficeProblem."""
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension in ("docm", "xlsm", "pptm", "dotm", "xltm", "potm"):
        raise OfficeProblem(MACROS)
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if not head:
        raise OfficeProblem("The file is empty. Choose it again.")
    if head.startswith(OLE_MAGIC):
        return _ole_format(fileobj, extension)
    if not zipfile.is_zipfile(fileobj):
        fileobj.seek(0)
        raise OfficeProblem(DAMAGED if extension in OFFICE_EXTENSIONS else NOT_OFFICE)
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            return _zip_format(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise OfficeProblem(DAMAGED) from exc
    finally:
        fileobj.seek(0)


def _ole_format(fileobj, extension):
    # An OLE2 compound file: a Word or Excel 97-2003 file, or an OOXML file saved with a password
    # (then it holds the streams "EncryptionInfo" and "EncryptedPackage", names stored in UTF-16).
    data = fileobj.read(MAX_UNZIPPED)
    fileobj.seek(0)
    if "EncryptedPackage".encode("utf-16-le") in data or extension in ("docx", "xlsx", "pptx", "odt", "ods", "odp"):
        raise OfficeProblem(ENCRYPTED)
    if extension not in ("doc", "xls"):
        raise OfficeProblem(NOT_OFFICE)
    if "_VBA_PROJECT".encode("utf-16-le") in data or "Macros".encode("utf-16-le") in data:
        raise OfficeProblem(MACROS)
    if "ObjectPool".encode("utf-16-le") in data or "MBD0".encode("utf-16-le") in data:
        raise OfficeProblem(EMBEDDED)
    return extension


def _zip_format(archive):
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise OfficeProblem(BOMB.format(mb=MAX_UNZIPPED // (1024 * 1024)))
    if sum(info.file_size for info in infos) > MAX_UNZIPPED:
        raise OfficeProblem(BOMB.format(mb=MAX_UNZIPPED // (1024 * 1024)))
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise OfficeProblem(BOMB.format(mb=MAX_UNZIPPED // (1024 * 1024)))
    names = [info.filename for info in infos]
    lower = [name.lower() for name in names]
    if "mimetype" in names:
        return _odf_format(archive, lower)
    if "[Content_Types].xml" in names:
        return _ooxml_format(archive, names, lower)
    raise OfficeProblem(NOT_OFFICE)


def _odf_format(archive, lower):
    kind = ODF_TYPES.get(archive.read("mimetype").strip())
    if kind is None:
        raise OfficeProblem(NOT_OFFICE)
    if any(name.startswith(("basic/", "scripts/")) for name in lower):
        raise OfficeProblem(MACROS)
    manifest = archive.read("META-INF/manifest.xml") if "meta-inf/manifest.xml" in lower else b""
    if b"oleobject" in manifest.lower():
        raise OfficeProblem(EMBEDDED)
    if "content.xml" not in lower or archive.getinfo("content.xml").file_size > ODF_CONTENT_SCAN:
        return kind  # a very large content.xml is bounded by the conversion's time and memory instead
    content = archive.read("content.xml")
    if b"vnd.sun.star.script" in content or b"script:macro-name" in content:
        raise OfficeProblem(MACROS)  # an event bound to a script, even one not in the file
    if re.search(rb"<(table:table-source|office:dde-source|text:section-source)\b", content):
        raise OfficeProblem(EXTERNAL)
    # A picture or object linked from outside: an xlink:href, on anything but a hyperlink, to
    # something that is not a part inside the file ("Pictures/...", "./Object 1").
    for match in re.finditer(rb"<(\w+:[\w-]+)\b[^>]*?xlink:href=\"([^\"]*)\"", content):
        tag, target = match.group(1), match.group(2)
        if tag in (b"text:a", b"draw:a"):
            continue
        if b":" in target or target.startswith((b"/", b"../")):
            raise OfficeProblem(EXTERNAL)
    return kind


def _ooxml_format(archive, names, lower):
    types = archive.read("[Content_Types].xml")
    if b"macroEnabled" in types or b"vbaProject" in types:
        raise OfficeProblem(MACROS)
    if any(name.endswith(("vbaproject.bin", "vbadata.xml")) for name in lower):
        raise OfficeProblem(MACROS)
    if any("/activex/" in name for name in lower):
        raise OfficeProblem(MACROS)
    kind = next((kind for main, kind in OOXML_MAIN.items() if main in names), None)
    if kind is None:
        raise OfficeProblem(NOT_OFFICE)
    for name in lower:
        if "/embeddings/" in name and not name.endswith(".xlsx"):
            raise OfficeProblem(EMBEDDED)
        if name.startswith("xl/externallinks/"):
            raise OfficeProblem(EXTERNAL)
    for name in names:
        if name.endswith(".rels") and archive.getinfo(name).file_size <= 4 * 1024 * 1024:
            for rel in re.finditer(rb"<Relationship\b[^>]*>", archive.read(name)):
                tag = rel.group(0)
                if b'TargetMode="External"' in tag and HYPERLINK.encode() + b'"' not in tag:
                    raise OfficeProblem(EXTERNAL)
                if b'/oleObject"' in tag or b'/package"' in tag:
                    raise OfficeProblem(EMBEDDED)
    if kind == "xlsx":
        _check_sheet_sizes(archive, names)
    return kind


def _check_sheet_sizes(archive, names):
    """Refuse a sheet whose declared dimension (`<dimension ref="A1:C1000000"/>`, near its start) is too big."""
    for name in names:
        if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
            continue
        with archive.open(name) as part:
            head = part.read(4096)
        match = re.search(rb'<dimension ref="[A-Z]*\d*:?([A-Z]+)(\d+)"', head)
        if not match:
            continue
        columns = _column_number(match.group(1).decode())
        rows = int(match.group(2))
        if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
            sheet = name.rsplit("/", 1)[-1].removesuffix(".xml")
            raise OfficeProblem(HUGE_SHEET.format(sheet=sheet, rows=rows, columns=columns))


def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


# Conversion ----------------------------------------------------------------------------------------

# The throwaway profile: macros never run (the highest security level, execution disabled), links
# and external data never updated, no update checks, no first-start wizard.
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments"><prop oor:name="AutoCheckEnabled" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def soffice_path():
    """The LibreOffice program, or "" when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice") or ""


@cache
def _network_namespace():
    """["unshare", "--net", ...] when this machine lets us run a child without a network, else []."""
    unshare = shutil.which("unshare")
    if not unshare:
        return []
    for prefix in ([unshare, "--net"], [unshare, "--map-root-user", "--net"]):
        try:
            done = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return prefix
    log.warning("unshare --net is not allowed here: office conversions run with the worker's network")
    return []


def _limit_memory(megabytes):
    def limit():
        size = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return limit


def convert_to_pdf(source, workdir, *, seconds=None, memory_mb=None):
    """Convert the office file at `source` to PDF in `workdir`: the PDF's path, or OfficeProblem."""
    from django.conf import settings

    seconds = seconds or getattr(settings, "OFFICE_CONVERT_SECONDS", CONVERT_SECONDS)
    memory_mb = memory_mb or getattr(settings, "OFFICE_CONVERT_MEMORY_MB", CONVERT_MEMORY_MB)
    program = soffice_path()
    if not program:
        raise OfficeProblem("The converter (LibreOffice) is not installed on the server. Upload the file as PDF.")
    profile = os.path.join(workdir, "profile")
    os.makedirs(os.path.join(profile, "user"), exist_ok=True)
    with open(os.path.join(profile, "user", "registrymodifications.xcu"), "w") as handle:
        handle.write(PROFILE_SETTINGS)
    outdir = os.path.join(workdir, "out")
    os.makedirs(outdir, exist_ok=True)
    command = [
        *_network_namespace(),
        program,
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        f"-env:UserInstallation=file://{profile}",
        "--convert-to",
        "pdf",
        "--outdir",
        outdir,
        source,
    ]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": workdir, "LANG": "C.UTF-8", "TMPDIR": workdir}
    process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments, no shell
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=workdir,
        start_new_session=True,  # its own process group, so a timeout kills soffice.bin and all it started
        preexec_fn=_limit_memory(memory_mb),  # noqa: PLW1509 - setrlimit must run in the child
    )
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise OfficeProblem(
            f"The conversion to PDF took more than {seconds} seconds and was stopped. The file is too large or "
            "complex to convert: save it as PDF yourself, or split it, and upload that."
        ) from None
    finally:
        _kill_group(process)  # anything it left behind
    produced = [name for name in os.listdir(outdir) if name.lower().endswith(".pdf")]
    if process.returncode != 0 or not produced:
        log.warning(
            "soffice ended with status %s and no PDF: %s %s",
            process.returncode,
            out[-500:].decode(errors="replace"),
            err[-500:].decode(errors="replace"),
        )
        if process.returncode and process.returncode < 0 or process.returncode in (134, 137, 139):
            raise OfficeProblem(
                "The conversion to PDF ran out of memory and was stopped. The file is too large to convert: save "
                "it as PDF yourself, or split it, and upload that."
            )
        raise OfficeProblem(
            "The file could not be converted to PDF: it may be damaged, password-protected or in a format "
            "LibreOffice does not read. Save it as PDF yourself and upload that."
        )
    return os.path.join(outdir, produced[0])


def _kill_group(process):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def first_page_png(pdf_path, workdir, *, width=240):
    """A PNG of the PDF's first page, `width` pixels wide (pdftoppm), or None when it cannot be drawn."""
    program = shutil.which("pdftoppm")
    if not program:
        return None
    target = os.path.join(workdir, "thumbnail")
    command = [program, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(width), "-scale-to-y", "-1"]
    try:
        subprocess.run(  # noqa: S603
            [*command, pdf_path, target],
            capture_output=True,
            timeout=THUMBNAIL_SECONDS,
            check=True,
            env={"PATH": os.environ.get("PATH", "")},
            preexec_fn=_limit_memory(512),  # noqa: PLW1509
        )
        with open(target + ".png", "rb") as handle:
            return handle.read()
    except (OSError, subprocess.SubprocessError):
        log.warning("No thumbnail for %s", pdf_path)
        return None


def sniff_is_pdf(fileobj):
    """Whether the upload is a PDF by its content (the first kilobyte holds `%PDF-`)."""
    fileobj.seek(0)
    head = fileobj.read(1024)
    fileobj.seek(0)
    return b"%PDF-" in head


# The worker's job ----------------------------------------------------------------------------------


def appendix_convert(*, appendix_id):
    """Convert an office appendix to PDF, check and rebuild that PDF as an upload's, and keep it.

    Run by the worker (reports.tasks.convert_appendix_task). Like reports.pdf.store_report_pdf, the
    background job that makes the file is the one that stores it: the Appendix row is otherwise
    written by reports.services (added, removed). The appendix shows "converting" while
    it runs and "done" (with its pages and a first-page thumbnail) or "failed" with the reason after;
    a failed one is neither served nor joined into packs, as a PDF that could not be rebuilt. The
    report does not change: the file is the one its author added.
    """
    with transaction.atomic():
        appendix = Appendix.objects.select_for_update().filter(pk=appendix_id).first()
        if appendix is None or appendix.conversion not in (Appendix.Conversion.PENDING, Appendix.Conversion.CONVERTING):
            return None
        appendix.conversion = Appendix.Conversion.CONVERTING
        appendix.skip_history_when_saving = True
        appendix.save(update_fields=["conversion"])
    original = appendix.original.name
    workdir = tempfile.mkdtemp(prefix="office-appendix-")
    thumbnail = None
    try:
        source = f"{workdir}/appendix.{appendix.source_format}"
        with appendix.original.open("rb") as handle, open(source, "wb") as copy:
            shutil.copyfileobj(handle, copy)
        pdf_path = convert_to_pdf(source, workdir)
        with open(pdf_path, "rb") as handle:
            pdf = disarm_pdf(handle)
        thumbnail = first_page_png(pdf_path, workdir)
        problem = ""
    except (OfficeProblem, PdfProblem) as exc:
        problem, pdf = str(exc), None
    except OSError:
        log.exception("Appendix %s could not be converted", appendix_id)
        problem, pdf = "The uploaded file is missing from storage. Remove the appendix and upload it again.", None
    except Exception:  # noqa: BLE001 - shown as failed, never left "converting" for ever
        log.exception("Appendix %s could not be converted", appendix_id)
        problem, pdf = "The conversion to PDF failed. Save the file as PDF yourself and upload that.", None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    with transaction.atomic():
        locked = Appendix.objects.select_for_update().filter(pk=appendix_id).first()
        if locked is None or locked.original.name != original:
            return None  # removed meanwhile
        locked.skip_history_when_saving = True  # the same appendix, now as PDF: not an edit of the report
        if pdf is None:
            locked.conversion, locked.problem = Appendix.Conversion.FAILED, problem[:500]
            locked.save(update_fields=["conversion", "problem"])
            return locked
        locked.file.save("appendix.pdf", File(pdf.file), save=False)
        if thumbnail:
            locked.thumbnail.save("thumbnail.png", ContentFile(thumbnail), save=False)
        locked.page_count, locked.size = pdf.pages, pdf.size  # the PDF's, as for an uploaded PDF
        locked.disarmed_version, locked.problem = pdf.rules_version, ""
        locked.conversion = Appendix.Conversion.DONE
        locked.save(
            update_fields=["file", "thumbnail", "page_count", "size", "disarmed_version", "problem", "conversion"]
        )
    return locked


ABANDONED = (
    "The conversion stopped before it finished (the converter was stopped each time it was tried). "
    "Remove the appendix and upload it again, or save it as PDF and upload that."
)


def fail_abandoned(appendix_ids):
    """Show as failed each of these appendices still "converting" (its job ended without finishing:
    its worker was stopped on every attempt); the ids of those so marked. Run by the worker's sweep
    (reports.tasks.recover_stalled_conversions), never while a job for them is queued or running."""
    failed = []
    for appendix_id in appendix_ids:
        with transaction.atomic():
            locked = (
                Appendix.objects.select_for_update()
                .filter(pk=appendix_id, conversion=Appendix.Conversion.CONVERTING)
                .first()
            )
            if locked is None:
                continue
            locked.skip_history_when_saving = True
            locked.conversion, locked.problem = Appendix.Conversion.FAILED, ABANDONED
            locked.save(update_fields=["conversion", "problem"])
            failed.append(appendix_id)
    return failed
