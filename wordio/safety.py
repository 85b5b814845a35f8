"""What an uploaded .docx must pass before python-docx reads it (issue 18).

A .docx is a zip of XML files. Before anything is unzipped the zip's own directory is read and the
file refused when it is not a zip, is an encrypted (password-protected) Word file, which is an OLE
compound file and not a zip, declares more than MAX_UNZIPPED bytes in all or a part that
expands more than MAX_RATIO times (a zip bomb), or carries macros (vbaProject.bin, a macro-enabled
content type). Python's zipfile never reads a part past the size its directory declares (a lying
header ends in a CRC error, not a bigger read), so the declared sizes bound what reading costs.

External links in the document (hyperlinks, linked images, attached templates) are relationships
python-docx keeps as addresses: nothing here or in wordio.reader ever fetches them.
"""

import io
import zipfile

MAX_UPLOAD = 10 * 1024 * 1024  # bytes of the .docx itself
MAX_UNZIPPED = 20 * 1024 * 1024  # bytes of all its parts, as declared
MAX_RATIO = 100  # a part may expand at most this many times (parts over 1 MB)
MAX_PARTS = 1000

DAMAGED = "The file is damaged: it could not be opened as a Word document. Save it again and upload it."
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Refused(Exception):
    """The upload is not a .docx this app will read; the message says why, for the officer."""


def check_docx(data, filename=""):
    """Refuse `data` (bytes) unless it is a .docx safe to read: returns the open ZipFile's names."""
    name = (filename or "").lower()
    if name.endswith((".docm", ".dotm")):
        raise Refused("This is a macro-enabled Word file (.docm). Save it as a Word Document (.docx) and upload that.")
    if not data:
        raise Refused("The file is empty. Choose the Word document again.")
    if len(data) > MAX_UPLOAD:
        raise Refused(
            f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB. A report on the template is far smaller."
        )
    if data.startswith(OLE_MAGIC):
        raise Refused(
            "This file is password-protected (encrypted) or an old Word 97-2003 document (.doc). Remove the "
            "password, or save it as a Word Document (.docx), and upload it again."
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise Refused("This is not a Word document (.docx). Save the report as a Word Document and upload that.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise Refused(DAMAGED) from exc
    if len(infos) > MAX_PARTS:
        raise Refused("The file has too many parts to be a report. It was not opened.")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNZIPPED:
        raise Refused(
            f"The file would unpack to more than {MAX_UNZIPPED // (1024 * 1024)} MB, far more than a report. "
            "It was not opened."
        )
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused("The file is built to unpack to far more than it holds (a zip bomb). It was not opened.")
    names = {info.filename for info in infos}
    if any(n.lower().endswith("vbaproject.bin") or n.lower().endswith("vbadata.xml") for n in names):
        raise Refused("The file contains macros. Save it as a Word Document (.docx) without macros and upload that.")
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise Refused("This is a zip file but not a Word document (.docx). Save the report as a Word Document.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise Refused(DAMAGED) from exc
    if b"macroEnabled" in types or b"vbaProject" in types:
        raise Refused("The file contains macros. Save it as a Word Document (.docx) without macros and upload that.")
    return names
