"""Checks an uploaded appendix is a PDF we can join into a pack, by its content, not its name.

The file is parsed in a child process with a time and a memory bound (CHECK_SECONDS,
CHECK_MEMORY_MB): pypdf is careful, but whatever a hostile file does, it costs at most that,
never a hung or bloated web worker. The child walks the page tree itself and stops counting past
the page limit, so a file with 100,000 pages (real or claimed) is refused in well under a second.

Refused: anything whose first kilobyte has no `%PDF-` header; encrypted files; files pypdf cannot
read (truncated, malformed, a page tree that loops); more pages than settings.APPENDIX_MAX_PAGES;
and active content that has no place in a published agenda pack: JavaScript, actions that launch
programs, XFA forms and attached files.
"""

import io
import json
import logging
import os
import subprocess
import sys

log = logging.getLogger(__name__)

MAX_PAGES = 1000  # when Django's settings are not there to say (settings.APPENDIX_MAX_PAGES)
CHECK_SECONDS = 20
CHECK_MEMORY_MB = 1024
HEADER_WINDOW = 1024  # readers accept a little junk before `%PDF-`; so do we, no more
MAX_TREE_DEPTH = 64
REFUSED_ACTIONS = {"/JavaScript", "/Launch", "/ImportData"}

MESSAGES = {
    "not_pdf": "This file is not a PDF. Appendices must be PDF files; save or export it as PDF first.",
    "encrypted": "This PDF is password-protected or encrypted. Save a copy without a password or security settings and upload that.",
    "damaged": "This PDF is damaged or incomplete and cannot be read. Try saving it as PDF again.",
    "no_pages": "This PDF has no pages.",
    "too_many_pages": (
        "This PDF has more than {max_pages:,} pages; appendices can have at most {max_pages:,}. "
        "Split it into smaller appendices."
    ),
    "active_content": (
        "This PDF contains JavaScript, attached files or actions that open other programs, which an "
        "appendix may not carry. Save a plain copy (for example with Print to PDF) and upload that."
    ),
    "too_complex": (
        "This PDF is too complex to check. Try saving it as PDF again, or split it into smaller appendices."
    ),
}


class PdfProblem(Exception):
    """The upload is not a PDF we accept; the message says why in plain words."""


def inspect_pdf(fileobj):
    """Return the page count of a readable, unencrypted PDF without active content, or raise PdfProblem."""
    max_pages = _max_pages()
    fileobj.seek(0)
    head = fileobj.read(HEADER_WINDOW)
    fileobj.seek(0)
    if b"%PDF-" not in head:
        raise PdfProblem(MESSAGES["not_pdf"])
    command = [sys.executable, "-I", os.path.abspath(__file__), str(max_pages)]
    path = fileobj.temporary_file_path() if hasattr(fileobj, "temporary_file_path") else None
    try:
        if path:
            # A large upload is already on disk: the child reads it there, not through memory here.
            command.append(path)
            data = None
        else:
            data = fileobj.read()
        result = subprocess.run(  # noqa: S603 - our own interpreter and file, no shell
            command,
            input=data,
            stdin=subprocess.DEVNULL if data is None else None,
            capture_output=True,
            timeout=CHECK_SECONDS,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},  # nothing secret for a hostile file
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("Refused an appendix that took more than %s seconds to check", CHECK_SECONDS)
        raise PdfProblem(MESSAGES["too_complex"]) from None
    finally:
        fileobj.seek(0)
    verdict = _read_verdict(result)
    if "pages" in verdict:
        return verdict["pages"]
    problem = verdict.get("problem", "damaged")
    log.info("Refused an appendix: %s %s", problem, verdict.get("detail", ""))
    raise PdfProblem(MESSAGES.get(problem, MESSAGES["damaged"]).format(max_pages=max_pages))


def _max_pages():
    from django.conf import settings

    return getattr(settings, "APPENDIX_MAX_PAGES", MAX_PAGES) if settings.configured else MAX_PAGES


def _read_verdict(result):
    lines = result.stdout.decode(errors="replace").strip().splitlines()
    if result.returncode == 0 and lines:
        try:
            return json.loads(lines[-1])
        except ValueError:
            pass
    # Killed by the CPU or memory limit (a signal), or crashed: either way, not a file we take.
    log.warning(
        "The appendix check ended with status %s: %s", result.returncode, result.stderr.decode(errors="replace")[-500:]
    )
    return {"problem": "too_complex" if result.returncode < 0 or b"MemoryError" in result.stderr else "damaged"}


# The child process: `python -I pdfcheck.py MAX_PAGES [PATH]` (the PDF on standard input if no PATH).
# It prints one line of JSON: {"pages": N} or {"problem": "<key of MESSAGES>"}.


class _Refusal(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _limit_resources():
    import resource

    memory = CHECK_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (CHECK_SECONDS, CHECK_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _page_tree_leaves(reader, max_pages):
    """The page dictionaries in the page tree, refusing loops, shared subtrees and absurd depth.

    Stops as soon as there are more than `max_pages`, however many the file has or claims.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    top = reader.root_object.get("/Pages")
    if top is None:
        raise _Refusal("damaged")
    leaves = []
    seen = set()
    stack = [(top, 0)]
    while stack:
        ref, depth = stack.pop()
        node = ref.get_object() if isinstance(ref, IndirectObject) else ref
        if not isinstance(node, DictionaryObject) or depth > MAX_TREE_DEPTH:
            raise _Refusal("damaged")
        kind = node.get("/Type")
        if kind == "/Pages" or (kind is None and "/Kids" in node):
            key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(node)
            if key in seen:
                raise _Refusal("damaged")  # a loop, or one subtree hung in many places
            seen.add(key)
            kids = node.get("/Kids")
            kids = kids.get_object() if kids is not None else None
            if not isinstance(kids, ArrayObject):
                raise _Refusal("damaged")
            stack.extend((kid, depth + 1) for kid in reversed(kids))
        else:
            leaves.append(node)
            if len(leaves) > max_pages:
                raise _Refusal("too_many_pages")
    return leaves


def _refuse_actions(action, budget=100):
    """Refuse an action (or a chain of them via /Next) that runs script or launches a program."""
    from pypdf.generic import ArrayObject, DictionaryObject

    pending = [action]
    while pending:
        budget -= 1
        if budget < 0:
            raise _Refusal("too_complex")
        item = pending.pop()
        item = item.get_object() if item is not None else None
        if isinstance(item, ArrayObject):
            pending.extend(item)
        elif isinstance(item, DictionaryObject):
            if item.get("/S") in REFUSED_ACTIONS or "/JS" in item:
                raise _Refusal("active_content")
            pending.append(item.get("/Next"))


def _refuse_additional_actions(holder):
    from pypdf.generic import DictionaryObject

    triggers = holder.get("/AA")
    triggers = triggers.get_object() if triggers is not None else None
    if isinstance(triggers, DictionaryObject):
        for action in triggers.values():
            _refuse_actions(action)


def _check_catalog(root):
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if names is not None and ("/JavaScript" in names or "/EmbeddedFiles" in names):
        raise _Refusal("active_content")
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if form is not None and "/XFA" in form:
        raise _Refusal("active_content")
    _refuse_actions(root.get("/OpenAction"))
    _refuse_additional_actions(root)


def _check_page(page):
    from pypdf.generic import DictionaryObject

    _refuse_additional_actions(page)
    annotations = page.get("/Annots")
    for annotation in annotations.get_object() if annotations is not None else []:
        annotation = annotation.get_object()
        if not isinstance(annotation, DictionaryObject):
            continue
        if annotation.get("/Subtype") == "/FileAttachment":
            raise _Refusal("active_content")
        _refuse_actions(annotation.get("/A"))
        _refuse_additional_actions(annotation)


def _count_pages(stream, max_pages):
    from pypdf import PdfReader

    reader = PdfReader(stream, strict=False)
    if reader.is_encrypted:
        raise _Refusal("encrypted")
    leaves = _page_tree_leaves(reader, max_pages)
    if not leaves:
        raise _Refusal("no_pages")
    _check_catalog(reader.root_object)
    # pypdf's own view of the pages (what the pack builder joins) must agree with the walk.
    if len(reader.pages) != len(leaves):
        raise _Refusal("damaged")
    for page in reader.pages:
        page.mediabox  # noqa: B018 - a page without a readable size is a broken page
        _check_page(page)
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()  # decoded within pypdf's limits: a cut-off stream shows here
    return len(leaves)


def _child(argv):
    _limit_resources()
    logging.disable(logging.CRITICAL)  # pypdf's complaints about the file are not news
    from pypdf.errors import LimitReachedError

    max_pages = int(argv[1])
    try:
        if len(argv) > 2:
            with open(argv[2], "rb") as handle:
                verdict = {"pages": _count_pages(handle, max_pages)}
        else:
            verdict = {"pages": _count_pages(io.BytesIO(sys.stdin.buffer.read()), max_pages)}
    except _Refusal as refusal:
        verdict = {"problem": refusal.code}
    except (LimitReachedError, MemoryError, RecursionError):
        verdict = {"problem": "too_complex"}
    except Exception as exc:  # noqa: BLE001 - whatever pypdf cannot read is a damaged file
        verdict = {"problem": "damaged", "detail": repr(exc)[:300]}
    sys.stdout.write(json.dumps(verdict) + "\n")


if __name__ == "__main__":
    _child(sys.argv)
