"""Hostile text: every XSS vector of tests/xss_vectors.py typed into every free-text and rich-text field,
then every page, feed, calendar, API answer and PDF that shows it is checked for executable markup.

Pages are read as a browser's tokenizer reads them (html.parser), element by element: an element the
app never writes, an event handler attribute, a script that is not one of the app's own static files,
a `javascript:` (or `data:`, `vbscript:`) URL, a `srcdoc`, a `<meta http-equiv>`, a `<base>` or a
style with `url(...)`/`expression(...)` is a finding. Escaped text (`&lt;script&gt;`) is expected,
and where a field is plain text the page must show the vector verbatim, so nothing was swallowed.

How the vectors reach the fields, batched to stay quick:
- single-line fields (subject, contact officer, section headings, appendix titles, agenda item
  titles, meeting venues) get one vector per object: a report, row, appendix, item or meeting each;
- multi-line fields (the report's text blocks, implications and core purposes, comments, reasons)
  hold every vector at once, one per paragraph; besides, a report per vector holds that vector alone
  in every one of its fields;
- what is only echoed back (a refused form, a query string) gets every vector in one request.
PDFs are walked object by object with pypdf: no JavaScript, launch, submit, import, remote go-to,
open or additional actions, no embedded files, and every URI is http, https or mailto.
"""

import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from boards.models import AgendaItem, AgendaPack, Meeting, Supplement
from boards.tasks import build_pack_now
from reports.forms import PROSE_FIELDS
from reports.models import Appendix, CorePurpose, ImplicationType, Report
from reports.pdfcheck import DisarmedPdf
from tests.editor import complete_report_data, editor_data
from tests.xss_vectors import PDF_VECTORS, VECTORS, joined


@pytest.fixture
def demo(demo_record_open):
    """The demo with 14 September 2022's record open (tests/conftest.py): the vectors are typed into
    that record (decisions, attendance), which the demo's approved minutes lock."""
    return demo_record_open


pytestmark = pytest.mark.django_db

ALL = joined()  # every vector, one per paragraph
ALL_ONE_LINE = joined(separator=" ")  # every vector in one line, for echoed single-line inputs
# XML 1.0 has no place for most C0 control characters (DOMPurify's \x01 and \x03 vectors).
XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XML_SAFE = [v for v in VECTORS if not XML_INVALID.search(v)]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # as config.middleware strips them
# A subject for the reports that go through the workflow: PortSwigger's first polyglot. (A subject
# with a line break, which only a hand-made request can send, stops the workflow's emails: Django
# refuses a multi-line Subject header. The per-vector drafts hold such subjects.)
SUBJECT = next(v for v in VECTORS if v.startswith("javascript:/*-->") and "\n" not in v)


# The markup check -------------------------------------------------------------------------------

# Every element the app's templates, its crispy forms, the rich-text allow-list (reports/html.py),
# the search highlights and the version comparison write. Anything else on a page was injected.
APP_ELEMENTS = {
    "html", "head", "body", "title", "meta", "link", "script", "header", "nav", "main", "footer", "section",
    "article", "div", "span", "p", "a", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl",
    "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "col", "colgroup", "form",
    "input", "button", "select", "option", "textarea", "label", "fieldset", "legend", "details",
    "summary", "small", "strong", "b", "em", "i", "u", "sub", "sup", "br", "blockquote", "pre", "code",
    "time", "mark", "ins", "del", "template", "dialog", "figure", "figcaption", "img",
}  # fmt: skip
# The only images the app writes: a report's own figures (reports/html.py), by their own address.
FIGURE_SRC = re.compile(r"/reports/\d+/figures/\d+/")
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "codebase",
    "lowsrc", "dynsrc", "ping", "cite", "longdesc", "manifest", "icon", "archive", "classid", "profile",
    "usemap", "itemtype",
}  # fmt: skip
NEVER_ATTRIBUTES = {"srcdoc", "srcset", "imagesrcset", "http-equiv", "dataformatas", "datasrc", "datafld"}
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
SAFE_STYLE = re.compile(r"[\w\s:;%.#,-]*")  # the app's only style attribute is a progress bar width
LINK_RELS = {"stylesheet", "icon", "alternate"}
HEAD_ONLY = {"title", "meta", "link", "base", "style"}
ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_.:-]*")
C0_AND_SPACE = "".join(map(chr, range(0x21)))


def url_scheme(value):
    """The scheme a browser reads in `value` (WHATWG URL: C0 controls and spaces trimmed, tabs and
    newlines removed), or None for a relative URL."""
    value = re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", value)
    return match.group(1).lower() if match else None


def same_site_path(value):
    return value == "" or (value.startswith("/") and not value.startswith("//")) or value.startswith("#")


class MarkupAudit(HTMLParser):
    """Tokenizes a page and lists everything in it that could run script, or that the app never writes."""

    def __init__(self, where, elements=APP_ELEMENTS):
        super().__init__(convert_charrefs=True)
        self.where = where
        self.elements = elements
        self.findings = []
        self.text = []
        self.script = None  # the attributes and text of the <script> being read
        self.opened = set()

    @classmethod
    def of(cls, html, where, elements=APP_ELEMENTS):
        audit = cls(where, elements)
        try:
            audit.feed(html)
            audit.close()
        except AssertionError as exc:  # html.parser gives up on some malformed declarations
            audit.finding(f"markup the tokenizer cannot read: {exc}")
        if html.rfind("<!--") > html.rfind("-->"):
            audit.finding("a comment left open, hiding the rest of the page")
        return audit

    def finding(self, message):
        self.findings.append(f"{self.where}: {message}")

    def handle_starttag(self, tag, attrs):
        shown = f"<{tag} " + " ".join(f"{k}={v!r}" for k, v in attrs)[:160] + ">"
        if tag not in self.elements:
            self.finding(f"an element the app never writes: {shown}")
        if tag in {"html", "head", "body"}:
            if tag in self.opened:
                self.finding(f"a second {tag} element: {shown}")
            self.opened.add(tag)
        elif tag in HEAD_ONLY and "body" in self.opened:
            self.finding(f"a head element inside the body: {shown}")
        values = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if not ATTRIBUTE_NAME.fullmatch(name):
                self.finding(f"a malformed attribute name {name!r}: {shown}")
            elif name.startswith("on"):
                self.finding(f"an event handler: {shown}")
            elif name in NEVER_ATTRIBUTES:
                self.finding(f"a {name} attribute: {shown}")
            elif name in URL_ATTRIBUTES and url_scheme(value) not in (None, *SAFE_SCHEMES):
                self.finding(f"a {url_scheme(value)}: URL: {shown}")
            elif name == "style" and not SAFE_STYLE.fullmatch(value):
                self.finding(f"a style that could load or run something: {shown}")
            elif name == "value" and tag == "input":
                self.text.append(value)
        if tag == "img" and not FIGURE_SRC.fullmatch(values.get("src") or ""):
            self.finding(f"an image that is not one of a report's figures: {shown}")
        if tag == "script":
            self.script = (values, [])
        elif tag == "meta" and not (set(values) <= {"charset", "name", "content"}):
            self.finding(f"a meta element that does more than describe: {shown}")
        elif tag == "link" and not (values.get("rel") in LINK_RELS and same_site_path(values.get("href") or "")):
            self.finding(f"a link to something other than the app's own files: {shown}")
        elif tag in {"form", "button", "input"}:
            for name in ("action", "formaction"):
                if name in values and not same_site_path(values[name] or ""):
                    self.finding(f"a form that posts elsewhere: {shown}")

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            values, body = self.script
            self.script = None
            content = "".join(body).strip()
            if values.get("type") == "importmap":
                imports = json.loads(content).get("imports", {})
                if not all(same_site_path(url) for url in imports.values()):
                    self.finding(f"an import map loading from elsewhere: {content[:200]}")
            elif not (same_site_path(values.get("src") or "") and values.get("src") and not content):
                self.finding(f"a script that is not one of the app's files: {values} {content[:200]!r}")

    def handle_data(self, data):
        if self.script is not None:
            self.script[1].append(data)
        else:
            self.text.append(data)

    def handle_comment(self, data):
        if data.lstrip().startswith("[if") or "<" in data:
            self.finding(f"a conditional or markup-bearing comment: <!--{data[:120]}-->")

    def handle_pi(self, data):
        self.finding(f"a processing instruction: <?{data[:120]}>")

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.finding(f"a declaration: <!{decl[:120]}>")

    def unknown_decl(self, data):
        self.finding(f"a CDATA section or unknown declaration: <![{data[:120]}]>")


def squash(text):
    """Text without any whitespace, so that line breaks the page adds (<br>, <p>) do not matter, and
    without control characters, which config.middleware takes out of everything posted."""
    return "".join(ch for ch in CONTROL.sub("", text) if not ch.isspace())


class Findings:
    """Everything found on every page of a test, reported together at its end."""

    def __init__(self):
        self.problems = []
        self.pages = 0

    def html(self, response_or_html, where, shows=(), elements=APP_ELEMENTS):
        """Check one HTML page; `shows` are texts it must display verbatim (escaped, not swallowed)."""
        html = response_or_html if isinstance(response_or_html, str) else page_text(response_or_html)
        audit = MarkupAudit.of(html, where, elements)
        self.pages += 1
        self.problems += audit.findings
        if shows:
            displayed = squash("".join(audit.text))
            for text in shows:
                if squash(text) not in displayed:
                    self.problems.append(f"{where}: does not show this text verbatim: {text[:120]!r}")
        return html

    def get(self, client, url, where=None, status=200, shows=()):
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code, page_text(response)[:500])
        return self.html(response, where or f"GET {url}", shows=shows)

    def check(self):
        assert self.pages, "no page was checked"
        if self.problems:
            kinds = {}
            for problem in self.problems:
                kinds.setdefault(problem.split(":", 2)[0] + ":" + problem.split(":", 2)[1][:40], []).append(problem)
            report = [f"{len(found)} x {kind}\n    e.g. {found[0][:300]}" for kind, found in kinds.items()]
            pytest.fail(f"{len(self.problems)} findings on {self.pages} pages:\n" + "\n".join(report[:80]))


def page_text(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


# Feeds, calendars and the API ---------------------------------------------------------------------


def check_feed(findings, client, url):
    """RSS or Atom: well-formed XML, and the HTML in each item's description or summary inert."""
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)
    html_parts = [e.text or "" for e in root.iter() if e.tag.split("}")[-1] in {"description", "summary", "content"}]
    assert html_parts, f"{url} has no items"
    for index, fragment in enumerate(html_parts):
        findings.html(fragment, f"{url} item {index}")
    return root


ICAL_PROPERTIES = {
    "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "UID", "DTSTAMP", "LAST-MODIFIED", "DTSTART",
    "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "URL", "STATUS", "SEQUENCE",
}  # fmt: skip


def check_ical(findings, client, url):
    """Each unfolded line is one of the properties the app writes: text cannot start a new one."""
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar"), url
    body = response.content.decode()
    assert "\r" not in body.replace("\r\n", "") and "\n" not in body.replace("\r\n", ""), f"{url}: a bare line end"
    findings.pages += 1
    for line in body.replace("\r\n ", "").split("\r\n")[:-1]:
        name = re.match(r"[A-Z][A-Z0-9-]*", line)
        if not name or name.group() not in ICAL_PROPERTIES or line[name.end()] not in ":;":
            findings.problems.append(f"{url}: a line that is not one of the app's properties: {line[:120]!r}")
    return body


def check_json(findings, client, url):
    """JSON, labelled as JSON and not to be sniffed as anything else; every address in it is http(s)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Content-Type"] == "application/json", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    data = response.json()
    findings.pages += 1

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        elif (
            isinstance(value, str)
            and re.search(r"(?i)(url|\.id|\.web|\.first|\.last|\.next|\.prev)", path)
            and url_scheme(value) not in {"http", "https"}
        ):
            findings.problems.append(f"{url}: {path} is not an http(s) address: {value[:120]!r}")

    walk(data, "$")
    return data


# PDFs -------------------------------------------------------------------------------------------

PDF_FORBIDDEN_KEYS = {
    "/JavaScript", "/JS", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/OpenAction", "/AA",
    "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA", "/AcroForm",
}  # fmt: skip
PDF_FORBIDDEN_ACTIONS = {
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/ResetForm", "/Rendition",
    "/Movie", "/Sound", "/RichMediaExecute", "/GoTo3DView", "/Hide", "/SetOCGState",
}  # fmt: skip
PDF_ACTIONS = {"/URI", "/GoTo"}  # the only actions a report, a pack or the Forward Plan has
PDF_ACTION_KEYS = {"/A", "/PA"}  # where an action sits in a link or an outline item (/OpenAction, /AA: refused)
PDF_FORBIDDEN_TYPES = {"/EmbeddedFile", "/Filespec", "/FileAttachment", "/Movie", "/Sound", "/Screen", "/3D"}
PDF_URI_SCHEMES = {"http", "https", "mailto"}


def pdf_findings(data, label):
    """Walk every object of the PDF (from the trailer, and every object in its cross-reference
    table whether reachable or not) for active content, attachments and non-web links."""
    reader = PdfReader(io.BytesIO(data))
    findings = []
    seen = set()
    uris = []

    def check_action(action, path):
        """An action and the actions it chains to with /Next: only go-to and web links."""
        for one in action if isinstance(action, ArrayObject) else [action]:
            one = one.get_object() if isinstance(one, IndirectObject) else one
            if isinstance(one, DictionaryObject):
                if one.get("/S") not in PDF_ACTIONS:
                    findings.append(f"{label}: {path} is a {one.get('/S')} action")
                if "/Next" in one:
                    check_action(one["/Next"], f"{path}/Next")

    def walk(obj, path):
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                return
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                resolved = value.get_object() if isinstance(value, IndirectObject) else value
                if key in PDF_FORBIDDEN_KEYS:
                    findings.append(f"{label}: {path}{key}")
                if key == "/S" and resolved in PDF_FORBIDDEN_ACTIONS:
                    findings.append(f"{label}: {path} is a {resolved} action")
                if key in PDF_ACTION_KEYS and ("/Title" in obj or obj.get("/Subtype") == "/Link"):
                    check_action(resolved, f"{path}{key}")  # a link's or an outline item's action
                if key == "/Type" and resolved == "/Action":
                    check_action(obj, path)
                if key in {"/Type", "/Subtype"} and resolved in PDF_FORBIDDEN_TYPES:
                    findings.append(f"{label}: {path} is a {resolved}")
                if key == "/URI":
                    uri = str(resolved)
                    uris.append(uri)
                    if url_scheme(uri) not in PDF_URI_SCHEMES:
                        findings.append(f"{label}: {path}/URI {uri[:120]!r}")
                if key == "/F" and path.endswith("/A"):
                    findings.append(f"{label}: {path} names a file")
                walk(value, f"{path}{key}")
        elif isinstance(obj, ArrayObject):
            for index, value in enumerate(obj):
                walk(value, f"{path}[{index}]")

    walk(reader.trailer, "trailer")
    numbers = [(num, gen) for gen, table in reader.xref.items() for num in table]
    numbers += [(num, 0) for num in getattr(reader, "xref_objStm", {})]
    for num, gen in numbers:
        walk(IndirectObject(num, gen, reader), f"obj {num} ")
    assert len(seen) > 10, f"{label}: only {len(seen)} objects read"
    return findings, uris


# Setting up ---------------------------------------------------------------------------------------


def upcoming(demo):
    return demo.board.meetings.filter(starts_at__gt=timezone.now()).get()


def text_fields(value):
    """Every free-text field of the report editor set to `value`."""
    fields = dict.fromkeys(PROSE_FIELDS, value)
    for kind in ImplicationType.objects.filter(is_active=True):
        fields[f"implication_{kind.pk}"] = value
    for purpose in CorePurpose.objects.filter(is_active=True):
        fields[f"core_purpose_{purpose.pk}"] = value
    return fields


def state(report):
    report.refresh_from_db()
    return {"expected_status": report.status, "expected_version": str(report.version)}


def saved_pk(response):
    assert response.status_code == 302, page_text(response)[:2000]
    return int(re.search(r"/reports/(\d+)/", response["Location"]).group(1))


def plain(vector):
    """What a plain-text form field keeps of a vector: no control characters (config.middleware takes
    them out) and Django strips the ends."""
    return CONTROL.sub("", vector).strip()


def one_line(vector):
    """What the subject keeps of a vector: one line (reports.forms)."""
    return " ".join(plain(vector).split())


# The tests ----------------------------------------------------------------------------------------


def test_the_corpus_is_big_and_varied():
    assert len(VECTORS) >= 100
    assert len(set(VECTORS)) == len(VECTORS)
    for needle in ["<script", "onerror", "javascript:", "<svg", "<math", "srcdoc", "<iframe", "<style", "&#"]:
        assert any(needle in v.lower() for v in VECTORS), needle


# Vectors that only mean something inside a script or a URL, that only Netscape 4 ran (JavaScript
# entities, "&{...}"), or that today's URL parsing reads as a relative address (a U+2028, U+1680,
# U+2000 or \x01...\x03 before "javascript:"): echoed raw into HTML they make no element, handler
# or script URL that runs today.
NOT_MARKUP = {
    "<BR SIZE=\"&{alert('XSS')}\">",
    '<a title="&{alert(1)}">XSS</a>',
    "\\\";alert('XSS');//",
    "Set.constructor`alert\\x28document.domain\\x29",
    "\u00bcscript\u00bealert(\u00a2XSS\u00a2)\u00bc/script\u00be",
    "123<a href='\u2028javascript:alert(1)'>I am a dolphin!</a>",
    "<a href='&#x1680;javascript:alert(1)'>CLICK</a><a href='&#x180E;javascript:alert(1)'>CLICK</a>",
    "<a href='&#x2000;javascript:alert(1)'>CLICK</a><a href='&#x3000;javascript:alert(1)'>CLICK</a>",
    '<a href="\x01java\x03script:alert(1)">@shafigullin<a>',
}


def test_the_markup_check_finds_each_vector_left_unescaped():
    """Written into a page as they are, the vectors are found: the check has teeth."""
    missed = []
    for vector in VECTORS:
        audit = MarkupAudit.of(f"<body><p>{vector}</p></body>", "raw")
        if not audit.findings and vector not in NOT_MARKUP:
            missed.append(vector)
    assert not missed, missed
    assert set(VECTORS) >= NOT_MARKUP and len(NOT_MARKUP) < len(VECTORS) // 20


def test_the_pdf_check_finds_what_raw_html_makes():
    """WeasyPrint given the unsanitised markup makes file and script links and an attachment: found."""
    from weasyprint import HTML

    html = '<html lang="en"><body>' + "".join(PDF_VECTORS) + '<a href="javascript:alert(1)">x</a></body></html>'
    problems, _ = pdf_findings(HTML(string=html, base_url="/tmp/").write_pdf(), "raw")
    assert any("javascript:" in p for p in problems) and any("file:" in p for p in problems), problems
    assert any("/EmbeddedFiles" in p for p in problems) and any("/FileAttachment" in p for p in problems), problems


def test_feeds_answer_when_an_agenda_item_holds_a_control_character(demo, client):
    """Control characters are taken out of everything posted (config.middleware), so the feeds,
    which XML 1.0 forbids them in, still answer."""
    meeting = upcoming(demo)
    client.force_login(demo.clerk)
    other = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    client.post(f"/meetings/{meeting.pk}/agenda/reports/", {"report": other.pk})
    assert client.post(f"/meetings/{meeting.pk}/agenda/publish/").status_code == 302
    vector = next(v for v in VECTORS if XML_INVALID.search(v))
    data = {"title": vector, "description": vector, "urgency_reason": vector}
    assert client.post(f"/meetings/{meeting.pk}/agenda/items/", data).status_code == 302
    client.logout()
    client.raise_request_exception = False
    assert client.get("/feeds/agendas.rss").status_code == 200


def test_each_vector_alone_in_every_field_of_a_report(demo, login):
    """One report per vector, saved through the editor with the vector in every free-text field, its
    only recommendation and its only section (heading and body); its page and the officer's lists
    show each verbatim and run none, nor do the search results that highlight words inside them."""
    findings = Findings()
    client = login(demo.officer)
    reports = []
    for vector in VECTORS:
        data = editor_data(
            subject=vector,
            contact_officer=vector,
            recommendations=[vector],
            sections=[(vector, vector)],
            **text_fields(vector),
        )
        reports.append((vector, saved_pk(client.post("/reports/new/", data))))

    for vector, pk in reports:
        report = Report.objects.get(pk=pk)
        assert report.subject == one_line(vector)
        assert report.contact_officer == report.summary == plain(vector)
        assert report.recommendations.get().text == plain(vector)
        findings.get(client, f"/reports/{pk}/", shows=[plain(vector)])

    pages = -(-Report.objects.filter(author=demo.officer).count() // 25)
    for page in range(1, pages + 1):
        findings.get(client, f"/reports/?scope=mine&page={page}")
    findings.get(client, "/")
    # Searching finds the reports and highlights the words inside the vectors (every page for
    # "alert", which nearly all of them hold).
    for page in range(1, -(-len(VECTORS) // 20) + 1):
        findings.get(client, "/search/?" + _query(q="alert", page=page), where=f"search for alert, page {page}")
    for word in ["script", "onerror", "javascript", "svg onload", "img src", "style"]:
        findings.get(client, "/search/?" + _query(q=word), where=f"search for {word}")
    findings.check()


def _query(**params):
    from urllib.parse import urlencode

    return urlencode(params)


def test_a_report_full_of_vectors_on_every_page_through_its_whole_life(
    demo, client, login, django_capture_on_commit_callbacks
):
    """One report holding every vector in every field (prose fields one per paragraph, a
    recommendation and a section per vector), read by everyone who reads it, from draft to its
    public page; the consultees' comments, the approver's and the withdrawal reason hold every
    vector too."""
    findings = Findings()
    meeting = upcoming(demo)
    officer = login(demo.officer)

    # The officer drafts a plain report and submits it; finance reads it (so the consult view will
    # list what changed since).
    report = Report.objects.get(pk=saved_pk(officer.post("/reports/new/", complete_report_data(demo.board, meeting))))
    officer.post(f"/reports/{report.pk}/submit/", state(report))
    report.refresh_from_db()
    assert report.status == Report.Status.CONSULTATION
    client.force_login(demo.finance)
    client.get(f"/reports/{report.pk}/consult/")

    # Then the officer fills every field with every vector.
    client.force_login(demo.officer)
    hostile = complete_report_data(
        demo.board,
        meeting,
        version=str(report.version),
        subject=SUBJECT,
        contact_officer=VECTORS[1],  # the OWASP polyglot, with a line break
        **text_fields(ALL),
    )
    rows = editor_data(
        recommendations=[*VECTORS, "The Board are asked to approve the plan."],
        sections=[*((v, v) for v in VECTORS), ("Introduction", "<p>The fund pools budgets.</p>")],
    )
    hostile.update({key: value for key, value in rows.items() if key != "version"})
    response = client.post(f"/reports/{report.pk}/edit/", hostile)
    assert response.status_code == 302, page_text(response)[:3000]
    report.refresh_from_db()
    assert report.summary == plain(ALL) and report.recommendations.count() == len(VECTORS) + 1
    assert report.sections.count() == len(VECTORS) + 1
    hostile_version = report.version

    prose = [ALL]  # every vector, shown verbatim (squashed), in the prose blocks
    headings = [plain(v) for v in VECTORS]
    findings.get(client, f"/reports/{report.pk}/", shows=[*headings, *prose])
    findings.get(client, f"/reports/{report.pk}/edit/", shows=[*headings, *prose])
    findings.get(client, f"/reports/{report.pk}/print/", shows=[*headings, *prose])

    # Someone saving from the version before sees the hostile text beside theirs (a refused save).
    stale = complete_report_data(demo.board, meeting, version=str(hostile_version - 1), summary=ALL + "\n\nMine.")
    response = client.post(f"/reports/{report.pk}/edit/", stale)
    assert response.status_code == 409
    findings.html(response, "a refused (stale) save")
    # An invalid save echoes what was typed: every vector in the one-line fields as well.
    echoed = {
        **hostile,
        "version": str(hostile_version),
        **dict.fromkeys(["subject", "contact_officer", "contact_phone", "contact_email"], ALL_ONE_LINE),
        "forward_plan_date": ALL_ONE_LINE,
    }
    response = client.post(f"/reports/{report.pk}/edit/", echoed)
    assert response.status_code == 200
    findings.html(response, "an invalid save, echoed", shows=[ALL_ONE_LINE])
    autosave = client.post(f"/reports/{report.pk}/edit/", {**echoed, "_autosave": "1"})
    assert autosave["Content-Type"] == "application/json" and autosave["X-Content-Type-Options"] == "nosniff"
    report.refresh_from_db()
    assert report.version == hostile_version and report.summary == plain(ALL), "the refused saves changed nothing"

    # Finance sees what changed since they read it, and returns it with every vector as comment; a
    # return from a stale page keeps the comment on the page.
    client.force_login(demo.finance)
    findings.get(client, f"/reports/{report.pk}/consult/", shows=headings)
    refused = client.post(f"/reports/{report.pk}/return/", {"comment": ALL, "expected_version": "1"})
    assert refused.status_code == 409
    findings.html(refused, "a refused return, with its comment", shows=[ALL])
    assert client.post(f"/reports/{report.pk}/return/", {"comment": ALL, **state(report)}).status_code == 302
    client.force_login(demo.officer)
    findings.get(client, "/", where="My work with the returned comments", shows=[ALL])
    findings.get(client, f"/reports/{report.pk}/", shows=[ALL])
    findings.get(client, f"/reports/{report.pk}/edit/", shows=[ALL])

    # Submitted again, signed off by both with every vector as comment, approved with it, the
    # approval withdrawn with it as reason (once refused from a stale page), approved again.
    assert client.post(f"/reports/{report.pk}/submit/", state(report)).status_code == 302
    for user in (demo.finance, demo.legal):
        client.force_login(user)
        assert client.post(f"/reports/{report.pk}/sign-off/", {"comment": ALL, **state(report)}).status_code == 302
    client.force_login(demo.director)
    assert client.post(f"/reports/{report.pk}/approve/", {"comment": ALL, **state(report)}).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED
    findings.get(client, f"/reports/{report.pk}/withdraw-approval/")
    refused = client.post(f"/reports/{report.pk}/withdraw-approval/", {"reason": ALL, "expected_version": "1"})
    assert refused.status_code == 409
    findings.html(refused, "a refused withdrawal, with its reason", shows=[ALL])
    assert client.post(f"/reports/{report.pk}/withdraw-approval/", {"reason": ALL, **state(report)}).status_code == 302
    assert client.post(f"/reports/{report.pk}/approve/", {"comment": ALL, **state(report)}).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED

    for user in (demo.officer, demo.finance, demo.director, demo.clerk):
        client.force_login(user)
        findings.get(client, f"/reports/{report.pk}/", where=f"the report as {user}", shows=[ALL])
        findings.get(client, "/", where=f"My work as {user}")
    client.force_login(demo.officer)
    history = findings.get(client, f"/reports/{report.pk}/history/", shows=[ALL])
    assert "Version" in history
    for number in sorted(set(map(int, re.findall(rf"/reports/{report.pk}/history/(\d+)/", history)))):
        findings.get(client, f"/reports/{report.pk}/history/{number}/")
    findings.get(client, f"/reports/{report.pk}/compare/?from=1&to={report.version}&all=1", shows=headings)
    findings.get(client, f"/reports/{report.pk}/compare/?from={hostile_version - 1}&to={hostile_version}")

    # Democratic services: the report waits on the meeting page, is placed on the agenda (its
    # reason for urgency every vector) with the demo's other public report, and the agenda published.
    client.force_login(demo.clerk)
    findings.get(client, f"/meetings/{meeting.pk}/", where="the clerk's meeting page", shows=[SUBJECT])
    other = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    assert client.post(f"/meetings/{meeting.pk}/agenda/reports/", {"report": other.pk}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/meetings/{meeting.pk}/agenda/publish/").status_code == 302
        response = client.post(f"/meetings/{meeting.pk}/agenda/reports/", {"report": report.pk, "urgency_reason": ALL})
        assert response.status_code == 302
        # Added after publication, it waits for the supplementary agenda, published next.
        assert client.post(f"/meetings/{meeting.pk}/supplements/publish/").status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED, list(client.get(f"/meetings/{meeting.pk}/").context["messages"])
    assert AgendaItem.objects.get(report=report).urgency_reason == plain(ALL)
    findings.get(client, f"/meetings/{meeting.pk}/", where="the clerk's published meeting page", shows=[ALL])
    # The clerk accepts the key decision onto the Forward Plan from the list of entries waiting.
    findings.get(client, "/forward-plan/", where="the Forward Plan with its entries waiting", shows=[SUBJECT])
    assert client.post(f"/reports/{report.pk}/forward-plan/accept/", {"next": "/forward-plan/"}).status_code == 302
    findings.get(client, f"/reports/{report.pk}/history/", where="history with the agenda steps", shows=[ALL])

    # A member, then anyone: the public pages, search, feeds, calendars and the API.
    client.force_login(demo.member)
    findings.get(client, "/", where="the member's My work")
    findings.get(client, f"/meetings/{meeting.pk}/", where="the meeting as a member")
    client.logout()
    findings.get(client, f"/meetings/{meeting.pk}/", where="the public meeting page", shows=[SUBJECT])
    findings.get(client, f"/papers/{report.pk}/", where="the public paper", shows=[*headings, *prose])
    for page in ["/public/", "/calendar/", f"/calendar/?month={meeting.date:%Y-%m}", "/boards/", "/meetings/"]:
        findings.get(client, page)
    findings.get(client, f"/boards/{demo.board.slug}/")
    findings.get(client, "/forward-plan/", shows=[SUBJECT])
    for word in ["alert", "script", "onerror", "javascript", "svg onload", '"img src"', "xss -nothing"]:
        findings.get(client, "/search/?" + _query(q=word), where=f"public search for {word}")
    for url in ["/feeds/agendas.rss", "/feeds/agendas.atom", f"/feeds/boards/{demo.board.slug}/agendas.rss"]:
        check_feed(findings, client, url)
    for url in ["/feeds/meetings.ics", f"/feeds/boards/{demo.board.slug}/meetings.ics"]:
        check_ical(findings, client, url)
    papers = check_json(findings, client, "/api/v1/papers/")
    assert any(p["name"] == SUBJECT for p in papers["data"]), "the hostile subject round-trips"
    check_json(findings, client, f"/api/v1/papers/{report.pk}/")
    check_json(findings, client, f"/api/v1/meetings/{meeting.pk}/")
    check_json(findings, client, "/api/v1/agenda-items/")
    findings.check()


def test_each_vector_alone_in_the_other_free_text_inputs(demo, client, login, monkeypatch):
    """An appendix, an agenda item (title, description, reason for urgency) and a meeting (venue) per
    vector, added through their forms; the pages, feeds, calendars and API that list them. (Agenda
    items leave out the two vectors with control characters, which the feeds cannot carry: see
    test_feeds_answer_when_an_agenda_item_holds_a_control_character.)"""
    findings = Findings()
    meeting = upcoming(demo)
    # The appendix check runs a PDF parser in a child process; the title is what is tested here.
    monkeypatch.setattr("reports.forms.disarm_pdf", lambda upload: DisarmedPdf(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), 1, 15))
    client.force_login(demo.officer)
    draft = demo.draft
    for vector in VECTORS:
        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        response = client.post(f"/reports/{draft.pk}/appendices/", {"title": vector, "file": upload})
        assert response.status_code == 302, page_text(response)[:1000]
    titles = [plain(v) for v in VECTORS]
    assert sorted(draft.appendices.values_list("title", flat=True)) == sorted(titles)
    findings.get(client, f"/reports/{draft.pk}/edit/", where="the editor, with the appendices' messages", shows=titles)
    findings.get(client, f"/reports/{draft.pk}/", shows=titles)
    findings.get(client, f"/reports/{draft.pk}/print/", shows=titles)
    refused = client.post(
        f"/reports/{draft.pk}/appendices/",
        {"title": ALL_ONE_LINE, "file": SimpleUploadedFile("a.txt", b"not a pdf", content_type="text/plain")},
    )
    monkeypatch.undo()
    assert refused.status_code == 400
    findings.html(refused, "a refused appendix, echoed", shows=[ALL_ONE_LINE])

    # Agenda items on the published agenda: late, so each needs (and shows) its reason for urgency.
    client.force_login(demo.clerk)
    other = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    client.post(f"/meetings/{meeting.pk}/agenda/reports/", {"report": other.pk})
    assert client.post(f"/meetings/{meeting.pk}/agenda/publish/").status_code == 302
    for vector in XML_SAFE:
        data = {"title": vector, "description": vector, "urgency_reason": vector}
        assert client.post(f"/meetings/{meeting.pk}/agenda/items/", data).status_code == 302
    items = AgendaItem.objects.filter(meeting=meeting, kind=AgendaItem.Kind.OTHER)
    assert items.count() == len(XML_SAFE) and all(i.is_late for i in items)
    assert client.post(f"/meetings/{meeting.pk}/supplements/publish/").status_code == 302  # they were waiting
    item_titles = [plain(v) for v in XML_SAFE]
    findings.get(client, f"/meetings/{meeting.pk}/", where="the clerk's agenda, with its messages", shows=item_titles)
    refused = client.post(f"/meetings/{meeting.pk}/agenda/items/", {"title": ALL_ONE_LINE, "urgency_reason": ""})
    assert refused.status_code == 400
    findings.html(refused, "a refused item, its typing kept")

    # Meetings scheduled with each vector as the venue.
    day = timezone.localdate() + timezone.timedelta(days=60)
    for minute, vector in enumerate(VECTORS):  # a board meets once at a time
        time = f"{9 + minute // 60:02d}:{minute % 60:02d}"
        data = {"board": demo.board.pk, "date": f"{day:%Y-%m-%d}", "time": time, "venue": vector}
        assert client.post("/meetings/new/", data).status_code == 302
    assert Meeting.objects.filter(venue__in=titles).count() == len(VECTORS)
    refused = client.post("/meetings/new/", {"board": demo.board.pk, "date": ALL_ONE_LINE, "venue": ALL_ONE_LINE})
    assert refused.status_code == 400
    findings.html(refused, "a refused meeting, echoed", shows=[ALL_ONE_LINE])
    findings.get(client, "/meetings/", where="the clerk's meetings", shows=titles)

    client.logout()
    findings.get(client, f"/meetings/{meeting.pk}/", where="the public agenda", shows=item_titles)
    findings.get(client, f"/calendar/?month={day:%Y-%m}", shows=titles)
    for page in ["/public/", "/calendar/", f"/boards/{demo.board.slug}/", "/meetings/"]:
        findings.get(client, page)
    for url in ["/feeds/agendas.rss", "/feeds/agendas.atom"]:
        check_feed(findings, client, url)
    calendar = check_ical(findings, client, "/feeds/meetings.ics")
    assert "SUMMARY:" in calendar
    check_json(findings, client, f"/api/v1/meetings/{meeting.pk}/")
    check_json(findings, client, "/api/v1/agenda-items/")
    check_json(findings, client, "/api/v1/meetings/")
    findings.check()


def test_every_vector_as_a_decision(demo, client):
    """Every vector in the decisions on the items of the demo's held meeting (shared out among them:
    a decision holds 10,000 characters), through the clerk's form: the meeting page (the clerk's,
    the public's), the form itself and the API."""
    findings = Findings()
    items = list(demo.meeting.items.all())
    decisions = {item.pk: joined(VECTORS[n :: len(items)]) for n, item in enumerate(items)}
    client.force_login(demo.clerk)
    url = f"/meetings/{demo.meeting.pk}/decisions/"
    assert client.post(url, {f"item_{pk}": text for pk, text in decisions.items()}).status_code == 302
    saved = dict(AgendaItem.objects.filter(meeting=demo.meeting).values_list("pk", "decision"))
    assert saved == {pk: plain(text) for pk, text in decisions.items()}
    shown = list(decisions.values())
    findings.get(client, f"/meetings/{demo.meeting.pk}/", where="the clerk's meeting page", shows=shown)
    findings.get(client, url, where="the decisions form")
    refused = client.post(url, {f"item_{items[0].pk}": ALL})  # over 10,000 characters: refused, echoed
    assert refused.status_code == 400
    findings.html(refused, "a refused decision, echoed", shows=[ALL])
    client.logout()
    findings.get(client, f"/meetings/{demo.meeting.pk}/", where="the public meeting page", shows=shown)
    check_json(findings, client, "/api/v1/agenda-items/")
    findings.check()


def test_echoed_query_strings_and_sign_in(demo, client, login):
    """Every vector at once in every query-string parameter of the pages that take one, and in the
    sign-in form; each vector alone as a search; what is echoed back is inert."""
    findings = Findings()
    for path in ["/search/", "/calendar/"]:
        response = client.get(path, {"q": ALL_ONE_LINE, "board": ALL_ONE_LINE, "month": ALL_ONE_LINE,
                                     "date_from": ALL_ONE_LINE, "date_to": ALL_ONE_LINE, "page": ALL_ONE_LINE})  # fmt: skip
        assert response.status_code in {200, 400}, path
        findings.html(response, f"{path} with every vector in its query")
    response = client.post("/accounts/login/", {"username": ALL_ONE_LINE, "password": ALL_ONE_LINE})
    assert response.status_code == 200
    findings.html(response, "a refused sign-in, echoed", shows=[ALL_ONE_LINE])
    officer = login(demo.officer)
    query = dict.fromkeys(["scope", "status", "board", "page", "q"], ALL_ONE_LINE)
    findings.html(officer.get("/reports/", query), "the report list with every vector in its query")
    findings.html(officer.get(f"/reports/{demo.draft.pk}/history/", {"page": ALL_ONE_LINE}), "history, queried")
    findings.html(officer.get("/search/", {"q": ALL_ONE_LINE[:200]}), "search as the officer")
    client.logout()
    for vector in VECTORS:
        response = client.get("/search/", {"q": vector})
        assert response.status_code == 200
        findings.html(response, f"a search for {vector[:60]!r}", shows=[vector])
    response = client.get("/api/v1/papers/", {"page": ALL_ONE_LINE})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    findings.check()


def test_pdfs_of_hostile_reports_have_no_actions_scripts_or_attachments(demo, login):
    """The report PDF with every vector in its rich text, headings, recommendations, links and
    appendix titles (and WeasyPrint's own attachment and file-link markup), the agenda front sheet and
    public pack (bookmarks and contents links included) with every vector as an item's title and
    description, and the Forward Plan: walked object by object."""
    from public.pdf import forward_plan_pdf
    from public.queries import forward_plan
    from reports.pdf import render_report_pdf

    meeting = upcoming(demo)
    client = login(demo.officer)
    data = complete_report_data(
        demo.board,
        meeting,
        subject=SUBJECT,
        background_papers=ALL + "\n\nhttps://www.england.nhs.uk/ mailto:x@example.org javascript:alert(1)",
        contact_officer=VECTORS[1],
    )
    data.update(
        {
            k: v
            for k, v in editor_data(
                recommendations=VECTORS,
                sections=[(v, v) for v in [*VECTORS, *PDF_VECTORS]]
                + [("Links", '<p><a href="https://example.org/">web</a> <a href="mailto:a@example.org">mail</a></p>')],
            ).items()
            if k.startswith(("recommendation-", "section-"))
        }
    )
    report = Report.objects.get(pk=saved_pk(client.post("/reports/new/", data)))
    for position, vector in enumerate(VECTORS, start=1):
        appendix = Appendix(report=report, position=position, title=plain(vector), page_count=1)
        appendix.file.save(f"a{position}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        appendix.save()
    report = Report.objects.with_parts().get(pk=report.pk)
    problems, uris = pdf_findings(render_report_pdf(report, timeout=120), "the report PDF")
    assert any(u.startswith("https://example.org") for u in uris) and any(u.startswith("mailto:") for u in uris), (
        "the check sees the report's links",
        uris[:20],
    )

    # The front sheet: every vector as an agenda item (title and description) of the published agenda.
    client.force_login(demo.clerk)
    other = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    client.post(f"/meetings/{meeting.pk}/agenda/reports/", {"report": other.pk})
    assert client.post(f"/meetings/{meeting.pk}/agenda/publish/").status_code == 302
    for position, vector in enumerate(VECTORS, start=1000):
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            kind=AgendaItem.Kind.OTHER,
            title=plain(vector),
            description=vector,
            is_late=True,
            urgency_reason=vector,
        )
    # ... and as the late items of a supplementary agenda, with their reasons for urgency.
    supplement = Supplement.objects.create(meeting=meeting, number=1, published_at=timezone.now())
    for position, vector in enumerate(VECTORS, start=2000):
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            kind=AgendaItem.Kind.OTHER,
            title=f"Late {position}",
            description=vector,
            is_late=True,
            urgency_reason=vector,
            supplement=supplement,
        )
    for edition, where in [
        (AgendaPack.Edition.FRONT_SHEET, None),
        (AgendaPack.Edition.PUBLIC, None),
        (AgendaPack.Edition.PUBLIC, supplement),
    ]:
        pack, _ = AgendaPack.objects.get_or_create(meeting=meeting, edition=edition, supplement=where)
        build_pack_now(pack.pk)
        pack.refresh_from_db()
        assert pack.file, pack.error
        more, _ = pdf_findings(pack.file.read(), f"the {pack}")
        problems += more
    plan, _ = forward_plan_pdf(forward_plan(), timezone.localdate())
    more, _ = pdf_findings(plan, "the Forward Plan")
    problems += more
    assert not problems, "\n".join(problems[:60])
