"""Appendix uploads: checked by their content, then disarmed and rebuilt; only the rebuilt file is kept.

`disarm_pdf(upload)` runs reports/pdfdisarm.py in a child process bounded in time, memory and the
size of what it writes (CHECK_SECONDS, CHECK_MEMORY_MB), with nothing secret in its environment:
whatever a hostile file does, it costs at most that, never a hung or bloated web worker. The child
reads the file with pikepdf, the library the pack builder joins appendices with, so the file that
was checked is the file that is joined, and builds a new PDF holding only the pages, their text,
images and tags, the bookmarks and links to web or mail addresses (see pdfdisarm for the rules).

Refused, with a message for the author: anything whose first kilobyte has no `%PDF-` header;
encrypted files; files that cannot be read (truncated, malformed, a page tree that loops); more
pages than settings.APPENDIX_MAX_PAGES; content streams that decode to more than 64 MB; anything
that takes more than the time or memory bounds to rebuild.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from reports.pdfdisarm import RULES_VERSION

log = logging.getLogger(__name__)

MAX_PAGES = 1000  # when Django's settings are not there to say (settings.APPENDIX_MAX_PAGES)
MAX_MB = 20  # likewise settings.APPENDIX_MAX_MB
CHECK_SECONDS = 20
CHECK_MEMORY_MB = 1024
HEADER_WINDOW = 1024  # readers accept a little junk before `%PDF-`; so do we, no more
SPOOL_BYTES = 5 * 1024 * 1024  # a rebuilt file larger than this waits on disk, not in memory
CHILD = Path(__file__).with_name("pdfdisarm.py")

MESSAGES = {
    "not_pdf": "This file is not a PDF. Appendices must be PDF files; save or export it as PDF first.",
    "encrypted": "This PDF is password-protected or encrypted. Save a copy without a password or security settings and upload that.",
    "damaged": "This PDF is damaged or incomplete and cannot be read. Try saving it as PDF again.",
    "no_pages": "This PDF has no pages.",
    "too_many_pages": (
        "This PDF has more than {max_pages:,} pages; appendices can have at most {max_pages:,}. "
        "Split it into smaller appendices."
    ),
    "too_complex": (
        "This PDF is too complex to check. Try saving it as PDF again, or split it into smaller appendices."
    ),
}


class PdfProblem(Exception):
    """The upload is not a PDF we accept; the message says why in plain words."""


@dataclass
class DisarmedPdf:
    """An upload rebuilt without active content: the new file, its pages, and what was taken out."""

    file: object  # an open binary file at position 0
    pages: int
    size: int
    removed: list = field(default_factory=list)
    rules_version: int = RULES_VERSION


def disarm_pdf(fileobj):
    """The upload rebuilt from an allow-list (a DisarmedPdf), or PdfProblem saying why it cannot be."""
    max_pages, max_mb = _limits()
    fileobj.seek(0)
    head = fileobj.read(HEADER_WINDOW)
    fileobj.seek(0)
    if b"%PDF-" not in head:
        raise PdfProblem(MESSAGES["not_pdf"])
    workdir = tempfile.mkdtemp(prefix="appendix-")
    try:
        source = _on_disk(fileobj, workdir)
        target = os.path.join(workdir, "rebuilt.pdf")
        output_mb = max(64, 3 * max_mb)  # rebuilt content is compressed again: a little larger at worst
        command = [sys.executable, "-I", str(CHILD), str(max_pages), source, target]
        command += [str(CHECK_SECONDS), str(CHECK_MEMORY_MB), str(output_mb)]
        try:
            result = subprocess.run(  # noqa: S603 - our own interpreter and file, no shell
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=CHECK_SECONDS,
                env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},  # nothing secret for a hostile file
                check=False,
            )
        except subprocess.TimeoutExpired:
            log.warning("Refused an appendix that took more than %s seconds to rebuild", CHECK_SECONDS)
            raise PdfProblem(MESSAGES["too_complex"]) from None
        verdict = _read_verdict(result)
        if "pages" not in verdict or not os.path.isfile(target):
            problem = verdict.get("problem", "damaged")
            log.info("Refused an appendix: %s %s", problem, verdict.get("detail", ""))
            raise PdfProblem(MESSAGES.get(problem, MESSAGES["damaged"]).format(max_pages=max_pages))
        rebuilt = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller's to keep
        with open(target, "rb") as handle:
            shutil.copyfileobj(handle, rebuilt)
        size = rebuilt.tell()
        rebuilt.seek(0)
        if verdict["removed"]:
            log.info("Disarmed an appendix: removed %s", ", ".join(verdict["removed"]))
        return DisarmedPdf(rebuilt, verdict["pages"], size, verdict["removed"])
    finally:
        fileobj.seek(0)
        shutil.rmtree(workdir, ignore_errors=True)


def _limits():
    from django.conf import settings

    if not settings.configured:
        return MAX_PAGES, MAX_MB
    return getattr(settings, "APPENDIX_MAX_PAGES", MAX_PAGES), getattr(settings, "APPENDIX_MAX_MB", MAX_MB)


def _on_disk(fileobj, workdir):
    """The upload's path: where Django spooled a large one, or a copy of a small one held in memory."""
    if hasattr(fileobj, "temporary_file_path"):
        return fileobj.temporary_file_path()
    path = os.path.join(workdir, "upload.pdf")
    with open(path, "wb") as handle:
        shutil.copyfileobj(fileobj, handle)
    return path


def _read_verdict(result):
    lines = result.stdout.decode(errors="replace").strip().splitlines()
    if result.returncode == 0 and lines:
        try:
            return json.loads(lines[-1])
        except ValueError:
            pass
    # Killed by the CPU, memory or file size limit (a signal), or crashed: not a file we take.
    log.warning(
        "The appendix rebuild ended with status %s: %s",
        result.returncode,
        result.stderr.decode(errors="replace")[-500:],
    )
    return {"problem": "too_complex" if result.returncode < 0 or b"MemoryError" in result.stderr else "damaged"}
