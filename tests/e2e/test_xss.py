"""Hostile text in Chromium: a report holding every vector of tests/xss_vectors.py in every field,
read by each person who reads it, and a handful of vectors typed and pasted into the real editor.

Each browser context bypasses the Content Security Policy (tests/e2e/conftest.py), so what is tested
here is the escaping and the rich-text allow-list alone, not the policy behind them. On every page:
no dialog opens (alert, confirm, prompt), `window.__xss` stays unset, no JavaScript error, no popup,
the page does not navigate away, and the live DOM, after the page's own scripts ran and the mouse
went over it, has no event handler attribute, no script other than the app's static files, no
frame, object, embed or base element, no `srcdoc` and no URL whose scheme (as the browser resolves
it) is other than http, https, mailto or tel.
"""

from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from boards.models import AgendaItem, Meeting
from reports.models import Report
from tests.e2e.editing import section_text
from tests.editor import complete_report_data, editor_data
from tests.test_xss import ALL, PROSE_FIELDS, SUBJECT, XML_SAFE, MarkupAudit, saved_pk, squash, state
from tests.xss_vectors import VECTORS

pytestmark = pytest.mark.e2e

DOM_AUDIT = """() => {
    const found = [];
    const safe = new Set(["http:", "https:", "mailto:", "tel:"]);
    const never = new Set(["IFRAME", "FRAME", "FRAMESET", "OBJECT", "EMBED", "APPLET", "BASE", "PORTAL"]);
    const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster",
        "background", "codebase", "cite", "lowsrc", "dynsrc", "ping"]);
    const describe = (el) => el.outerHTML.slice(0, 200);
    const resolve = (value) => { try { return new URL(value, document.baseURI); } catch (e) { return null; } };
    const own = (value) => { const url = resolve(value); return url && url.origin === location.origin; };
    if (document.querySelectorAll("base").length) found.push("a base element");
    for (const el of document.querySelectorAll("*")) {
        const tag = el.tagName.toUpperCase();
        if (never.has(tag)) found.push("element: " + describe(el));
        if (tag === "SCRIPT" && el.type !== "importmap") {
            const src = el.getAttribute("src");
            if (!src || !own(src) || !resolve(src).pathname.startsWith("/static/") || el.textContent.trim())
                found.push("script: " + describe(el));
        }
        if (tag === "META" && el.hasAttribute("http-equiv")) found.push("meta: " + describe(el));
        if (tag === "LINK" && !(["stylesheet", "icon", "alternate"].includes(el.rel) && own(el.href)))
            found.push("link: " + describe(el));
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            if (name.startsWith("on")) found.push("handler: " + describe(el));
            if (name === "srcdoc" || name === "srcset") found.push(name + ": " + describe(el));
            if (urlAttributes.has(name)) {
                const url = resolve(attr.value);
                if (url && !safe.has(url.protocol)) found.push(url.protocol + " URL: " + describe(el));
            }
        }
    }
    return found;
}"""


class Watched:
    """A person whose every dialog, popup, JavaScript error and stray DOM is written down."""

    def __init__(self, person):
        self.person = person
        self.page = person.page
        self.findings = []
        self.page.on("dialog", lambda dialog: self.findings.append(f"a {dialog.type} dialog: {dialog.message!r}"))
        self.page.on("popup", lambda popup: self.findings.append(f"a popup: {popup.url}"))
        person.context.on("page", lambda page: self.findings.append(f"a new page: {page.url}"))

    def sign_in(self, username):
        self.person.sign_in(username)
        return self

    def visit(self, path, where=None, shows=()):
        """Load `path`, let its scripts and timers run, scroll it and move the mouse over it, then look.
        (The DOM check below is what proves no handler is there; the mouse only gives one a chance.)"""
        where = where or f"{self.person.name} at {path}"
        page = self.page
        page.goto(path, wait_until="load")
        page.wait_for_timeout(300)
        page.mouse.move(20, 20)
        page.mouse.move(1260, 880, steps=4)
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        page.mouse.move(20, 880, steps=4)
        page.wait_for_timeout(200)
        self.look(where, path)
        if shows:
            text = squash(page.evaluate("() => document.body.innerText"))
            self.findings += [f"{where}: does not show {t[:80]!r} as text" for t in shows if squash(t) not in text]

    def look(self, where, path=None):
        page = self.page
        if path and not page.url.split("#")[0].endswith(path):
            self.findings.append(f"{where}: the page went to {page.url}")
        for frame in page.frames:
            if frame.evaluate("() => typeof window.__xss") != "undefined":
                self.findings.append(f"{where}: window.__xss was set in {frame.url}")
        self.findings += [f"{where}: {problem}" for problem in page.evaluate(DOM_AUDIT)]
        errors, self.person.errors[:] = list(self.person.errors), []
        self.findings += [f"{where}: a JavaScript error: {error}" for error in errors]


def spread(fields):
    """The vectors dealt out over `fields`, one paragraph each: every vector in one of them."""
    return {name: "\n\n".join(VECTORS[index :: len(fields)]) for index, name in enumerate(fields)}


def prose_fields():
    """The report's free-text fields (prose blocks, implications, core purposes) by form name."""
    from reports.models import CorePurpose, ImplicationType

    return [
        *PROSE_FIELDS,
        *(f"implication_{pk}" for pk in ImplicationType.objects.filter(is_active=True).values_list("pk", flat=True)),
        *(f"core_purpose_{pk}" for pk in CorePurpose.objects.filter(is_active=True).values_list("pk", flat=True)),
    ]


COMMENTS = ["return", "finance", "legal", "approve", "withdraw", "approve again", "urgency"]
SPREAD_COMMENTS = spread(COMMENTS)


def upcoming():
    return Meeting.objects.filter(board__slug="health-and-wellbeing-board", starts_at__gt=timezone.now()).get()


def hostile_report_on_a_published_agenda(demo_users):
    """Through the app's own forms (Django's test client, in this process): a report holding the
    vectors across its fields (a recommendation and a section per vector, the vectors dealt out over
    the prose blocks), returned, signed off, approved, withdrawn and approved again with the vectors
    dealt out over the comments and reasons, placed late on the published agenda with some as its
    reason for urgency, beside an agenda item per vector (made in the database: tests/test_xss.py
    adds them through the form). Finance read it before it held them.
    (tests/test_xss.py puts every vector in every field; a browser need only meet each somewhere.)"""
    users = demo_users
    meeting = upcoming()
    client = Client()
    client.force_login(users["officer"])
    report = Report.objects.get(pk=saved_pk(client.post("/reports/new/", complete_report_data(meeting.board, meeting))))
    client.post(f"/reports/{report.pk}/submit/", state(report))
    client.force_login(users["finance"])
    client.get(f"/reports/{report.pk}/consult/")
    client.force_login(users["officer"])
    data = complete_report_data(
        meeting.board,
        meeting,
        version=str(Report.objects.get(pk=report.pk).version),
        subject=SUBJECT,
        contact_officer=VECTORS[1],
        **spread(prose_fields()),
    )
    rows = editor_data(
        recommendations=[*VECTORS, "The Board are asked to approve the plan."],
        sections=[*((v, v) for v in VECTORS), ("Introduction", "<p>The fund pools budgets.</p>")],
    )
    data.update({key: value for key, value in rows.items() if key != "version"})
    assert client.post(f"/reports/{report.pk}/edit/", data).status_code == 302
    before_return = Report.objects.get(pk=report.pk).version

    comment = SPREAD_COMMENTS
    client.force_login(users["finance"])
    response = client.post(f"/reports/{report.pk}/return/", {"comment": comment["return"], **state(report)})
    assert response.status_code == 302
    client.force_login(users["officer"])
    assert client.post(f"/reports/{report.pk}/submit/", state(report)).status_code == 302
    for name in ("finance", "legal"):
        client.force_login(users[name])
        response = client.post(f"/reports/{report.pk}/sign-off/", {"comment": comment[name], **state(report)})
        assert response.status_code == 302
    client.force_login(users["director"])
    for step, data in [
        ("approve", {"comment": comment["approve"]}),
        ("withdraw-approval", {"reason": comment["withdraw"]}),
        ("approve", {"comment": comment["approve again"]}),
    ]:
        assert client.post(f"/reports/{report.pk}/{step}/", {**data, **state(report)}).status_code == 302

    client.force_login(users["clerk"])
    other = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    assert client.post(f"/meetings/{meeting.pk}/agenda/reports/", {"report": other.pk}).status_code == 302
    assert client.post(f"/meetings/{meeting.pk}/agenda/publish/").status_code == 302
    urgency = {"report": report.pk, "urgency_reason": comment["urgency"]}
    response = client.post(f"/meetings/{meeting.pk}/agenda/reports/", urgency)
    assert response.status_code == 302
    # Placed after publication, it waits for the supplementary agenda: published next.
    assert client.post(f"/meetings/{meeting.pk}/supplements/publish/").status_code == 302
    last = AgendaItem.objects.filter(meeting=meeting).order_by("-position").first().position
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=last + n, kind=AgendaItem.Kind.OTHER, title=v.strip(), description=v,
                   is_late=True, urgency_reason=v)
        for n, v in enumerate(XML_SAFE, start=1)
    )  # fmt: skip
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    assert AgendaItem.objects.filter(meeting=meeting).count() > len(XML_SAFE)
    return report, meeting, before_return


def test_the_watch_sees_a_vector_that_runs(browser):
    """Markup that does run, put straight into a page: the dialog, the marker, the handler, the
    script URL and the frame are all seen (so a quiet page means something)."""
    context = browser.new_context()
    try:
        person = SimpleNamespace(page=context.new_page(), context=context, errors=[], name="probe")
        person.page.on("pageerror", lambda exc: person.errors.append(str(exc)))
        person.page.on("dialog", lambda dialog: dialog.accept())  # as the people of conftest.py do
        watched = Watched(person)
        person.page.set_content(
            '<img src=x onerror="alert(1)"><svg onload="window.__xss=1"></svg>'
            '<a href=" javascript:alert(2)">x</a><iframe srcdoc="<b>x</b>"></iframe>'
        )
        person.page.wait_for_timeout(300)
        watched.look("the probe")
    finally:
        context.close()
    seen = "\n".join(watched.findings)
    for expected in ["alert dialog", "window.__xss", "handler:", "javascript: URL", "element: <iframe", "srcdoc"]:
        assert expected in seen, (expected, seen)


def test_no_vector_runs_on_any_page_that_shows_them(people, e2e_demo):
    report, meeting, before = hostile_report_on_a_published_agenda(e2e_demo.users)
    findings = []
    readers = {
        "officer": [
            "/",
            f"/reports/{report.pk}/",
            f"/reports/{report.pk}/print/",
            f"/reports/{report.pk}/history/",
            f"/reports/{report.pk}/history/{before}/",
            f"/reports/{report.pk}/compare/?from=1&to={report.version}&all=1",
            "/reports/?scope=mine",
            "/search/?q=alert",
        ],
        "finance": [f"/reports/{report.pk}/consult/", "/"],
        "director": [f"/reports/{report.pk}/"],
        "clerk": [f"/meetings/{meeting.pk}/", f"/reports/{report.pk}/"],
        "member": ["/", f"/meetings/{meeting.pk}/"],
    }
    shown = [SUBJECT, *(v.strip() for v in VECTORS[::7])]  # a sample; tests/test_xss.py checks them all
    for name, paths in readers.items():
        person = Watched(people(name)).sign_in(name)
        for path in paths:
            person.visit(path, shows=shown if path.rstrip("/").endswith((f"/{report.pk}", "/consult")) else ())
        findings += person.findings
    visitor = Watched(people("visitor"))
    visitor.visit(f"/papers/{report.pk}/", shows=shown)
    for path in [
        f"/meetings/{meeting.pk}/",
        "/search/?q=alert",
        "/search/?q=script+onerror",
        "/forward-plan/",
        "/public/",
    ]:
        visitor.visit(path)
    findings += visitor.findings
    assert not findings, "\n".join(findings[:60])


def test_no_vector_runs_on_the_editor_holding_them(people, e2e_demo):
    """The editor with every vector in its fields: a rich-text editor per section loading its
    sanitised vector, every recommendation and heading box holding one, the summary all of them."""
    draft = Report.objects.get(author=e2e_demo.users["officer"], status=Report.Status.DRAFT)
    client = Client()
    client.force_login(e2e_demo.users["officer"])
    meeting = upcoming()
    data = complete_report_data(
        meeting.board, meeting, version=str(draft.version), subject=SUBJECT, contact_officer=VECTORS[1], summary=ALL
    )
    rows = editor_data(recommendations=VECTORS, sections=[(v, v) for v in VECTORS])
    data.update({key: value for key, value in rows.items() if key != "version"})
    assert client.post(f"/reports/{draft.pk}/edit/", data).status_code == 302
    officer = Watched(people("officer")).sign_in("officer")
    officer.visit(f"/reports/{draft.pk}/edit/", "the editor holding every vector")
    assert officer.page.locator(".ProseMirror[contenteditable=true]").count() == len(VECTORS), "an editor per section"
    assert not officer.findings, "\n".join(officer.findings[:60])


TYPED = [
    "<img src=x onerror=alert(1)>",
    "<svg onload=prompt(1)>",
    '<a href="javascript:alert(1)">XSS</a>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<details open ontoggle=window.__xss=1>",
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">',
    "<form><math><mtext></form><form><mglyph><style><img src=x onerror=alert(1)>",
    '<b><noscript><a alt="</noscript><img src=x onerror=alert(1)>"></noscript>',
]

PASTE = """(args) => {
    const [selector, html] = args;
    const target = document.querySelector(selector);
    target.focus();
    const data = new DataTransfer();
    data.setData("text/html", html);
    data.setData("text/plain", "pasted");
    target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def test_vectors_typed_and_pasted_into_the_editor_do_not_run(people, e2e_demo):
    """A handful of vectors typed into the editor's boxes and its rich-text editor, and pasted into
    the rich-text editor as HTML (as from another page); saved, then shown."""
    officer = Watched(people("officer")).sign_in("officer")
    page = officer.page
    page.goto("/reports/new/")

    def textbox(label):
        return page.get_by_role("textbox", name=label, exact=True)

    textbox("Subject").fill(TYPED[0])
    textbox("Summary").fill("\n".join(TYPED))
    textbox("Contact Officer").fill(TYPED[1])
    textbox("Background Papers").fill(TYPED[2] + " https://www.gov.uk/")
    page.get_by_role("button", name="Add a recommendation").click()
    page.keyboard.type(TYPED[3])
    page.get_by_role("button", name="Add a section").click()
    page.keyboard.type(TYPED[4])
    body = section_text(page, 1)
    body.click()
    page.keyboard.type(TYPED[5])
    page.keyboard.press("Enter")
    page.evaluate(
        PASTE,
        [".ProseMirror[contenteditable=true]", "".join(TYPED) + '<p><a href="https://example.org/">a link</a></p>'],
    )
    page.wait_for_timeout(300)
    officer.look("the editor after typing and pasting")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text("Draft saved.").is_visible()
    officer.look("the editor after saving", None)

    report = Report.objects.get(subject=TYPED[0])
    assert report.summary.replace("\r\n", "\n") == "\n".join(TYPED) and report.contact_officer == TYPED[1]
    assert report.recommendations.get().text == TYPED[3]
    section = report.sections.get()
    assert section.heading == TYPED[4]
    assert 'href="https://example.org/"' in section.body, "the paste reached the editor"
    assert "&lt;math&gt;&lt;mtext&gt;" in section.body, "what was typed is text"
    assert not MarkupAudit.of(section.body, "the stored section").findings, section.body

    officer.visit(f"/reports/{report.pk}/edit/", "the editor, reloaded")
    officer.visit(f"/reports/{report.pk}/", "the saved report")
    officer.visit(f"/reports/{report.pk}/print/", "its print preview")
    assert not officer.findings, "\n".join(officer.findings[:60])
