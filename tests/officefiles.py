"""Office files for tests, made here: Word with python-docx, Excel workbooks written out by hand
(a workbook is a zip of a few XML parts), and the hostile variants of each."""

import io
import zipfile
from xml.sax.saxutils import escape

import docx

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def docx_bytes(*paragraphs, pages=1):
    """A Word document: a heading, then `paragraphs`; `pages` > 1 adds page breaks and filler."""
    document = docx.Document()
    document.add_heading("An appendix in Word", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    for page in range(2, pages + 1):
        document.add_page_break()
        document.add_heading(f"Page {page}", level=2)
        for line in range(12):
            document.add_paragraph(f"Line {line + 1} of page {page}: the appendix goes on with its figures and notes.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cell(ref, value):
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _column(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows, *, dimension=True):
    """A worksheet's XML from `rows` (lists of values), with its <dimension> unless told not to."""
    width = max((len(row) for row in rows), default=1)
    head = f'<dimension ref="A1:{_column(width - 1)}{max(len(rows), 1)}"/>' if dimension else ""
    body = "".join(
        f'<row r="{r + 1}">' + "".join(_cell(f"{_column(c)}{r + 1}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{head}<sheetData>{body}</sheetData></worksheet>"
    )


def xlsx_bytes(sheets, *, extra=None, content_types_extra="", workbook_rels_extra="", dimension=True, raw=None):
    """A workbook of `sheets` ({name: rows}); `extra` adds parts, `raw` gives sheet XML as is."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(names))
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}{content_types_extra}</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                for i in range(len(names))
            )
            + f"{workbook_rels_extra}</Relationships>"
        ),
    }
    for i, name in enumerate(names):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = (raw or {}).get(name) or sheet_xml(sheets[name], dimension=dimension)
    parts.update(extra or {})
    return zip_bytes(parts)


def zip_bytes(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def with_parts(data, extra, *, types=None):
    """The zip `data` with the parts `extra` added; `types` (old, new) rewrites [Content_Types].xml."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if types:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(*types)
    parts.update(extra)
    return zip_bytes(parts)


def zip_bomb_docx():
    """A "docx" of about 200 KB that declares 200 MB unpacked: one part of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                part.write(block)
    return out.getvalue()


def encrypted_docx():
    """What Word saves for a .docx with a password: an OLE2 file holding EncryptionInfo and EncryptedPackage."""
    return OLE_MAGIC + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")


def rows(count, width=3):
    return [[f"Row {r}", r, r * 2][:width] for r in range(1, count + 1)]


def odp_bytes(*slides):
    """An OpenDocument presentation of `slides`, each a text box (the fewest parts LibreOffice reads)."""
    namespaces = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
    )
    pages = "".join(
        f'<draw:page draw:name="page{n}"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm">'
        f"<draw:text-box><text:p>{escape(text)}</text:p></draw:text-box></draw:frame></draw:page>"
        for n, text in enumerate(slides, start=1)
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces} office:version="1.2">'
        f"<office:body><office:presentation>{pages}</office:presentation></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.presentation"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.presentation")  # first, stored
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return out.getvalue()
