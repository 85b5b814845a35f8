"""Nothing of an exempt report reaches anyone not allowed to see it, by any route.

A unique marker goes into every field of an exempt report, its parts, its appendix (title, file
name and the file's text), its sign-offs and its history, into a declaration of interest on its
agenda item, and into the Part 2 minute of an exempt item of the held meeting, whose minutes are
published as a draft (minutes/). Then every URL the project defines,
taken from the URL resolver and filled in with real ids, is requested (GET and POST) as an
anonymous visitor, as `outsider` and as a member of another board; every same-site link, redirect
and API address found in the answers is followed in turn (search results, feeds, pages of lists).
The marker must appear in no answer: HTML, JSON, iCalendar, RSS, Atom, PDF text, PDF metadata and
bookmarks, or any header. The board's own member, who may see the report, must find it.
"""

import contextlib
import datetime as dt
import io
import itertools
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from actions import services as actions
from actions.models import Action
from boards import public_cache
from boards import services as agenda
from boards.models import AgendaItem, AgendaPack, Board, Meeting
from boards.tasks import build_pack_now
from decisions import services as decisions
from decisions.models import Notice
from interests.models import Declaration
from interests.services import declaration_record
from minutes.models import Minutes
from minutes.services import minutes_draft, minutes_publish, minutes_save
from officer_decisions import services as officer_decisions
from officer_decisions.models import OfficerDecision
from reports.models import Appendix, Report
from reports.searchindex import reindex_report
from tests import images
from tests.appendices import stored_appendix
from tests.images import figure_html, stored_figure
from tests.test_packs import text_pdf
from tests.test_public import other_board_member, publish_upcoming
from tests.test_workflow import report_in
from votes.models import Amendment, Choice, MemberVote, Method, Motion, Outcome


@pytest.fixture
def demo(demo_record_open):
    """The demo with 14 September 2022's record open (tests/conftest.py): the matrix and the planted
    markers edit that record (attendance, decisions, minutes), which the demo's approved minutes lock."""
    return demo_record_open


pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MARKER = "qzxleak7731"
# Searches ask for this word, planted beside the marker: a search for the marker itself would echo it back.
BESIDE = "ploverquay"
MAX_DEPTH = 3  # links followed from the URLs of the resolver
QUERIES_PER_PATH = 4  # query strings followed per path (months of the calendar, pages of a list)


def plant_marker(report):
    """The marker in every text field of the report and its parts, saved as a person's edits would be."""
    for field in Report._meta.concrete_fields:
        if field.get_internal_type() not in {"CharField", "TextField"} or field.choices or field.name == "status":
            continue
        if field.name == "pdf_file":
            continue
        value = f"{field.name} {MARKER} {BESIDE}"
        setattr(report, field.name, value[: field.max_length] if field.max_length else value)
    report.contact_email = f"{MARKER}@example.org"
    report.version += 1  # so no PDF stored before the marker is served
    report.save()
    for row in [*report.recommendations.all(), *report.implications.all(), *report.core_purposes.all()]:
        row.text = f"{type(row).__name__} {MARKER} {BESIDE}"
        row.save()
    # A figure whose image carries the marker in its bytes, and whose alt text and caption carry it too.
    figure = stored_figure(report, images.png(label=MARKER, text_chunk=f"Figure {MARKER}"))
    for section in report.sections.all():
        section.heading = f"Heading {MARKER} {BESIDE}"
        section.body = f"<ol><li><p>Body {MARKER} {BESIDE}</p></li></ol><h3>Inner {MARKER}</h3>" + figure_html(
            figure, alt=f"Alt {MARKER}", caption=f"Caption {MARKER}"
        )
        section.save()
    for sign_off in report.sign_offs.all():
        sign_off.comment = f"Sign-off comment {MARKER}"
        sign_off.officer_title = f"Officer title {MARKER}"
        sign_off.save()
    for event in report.events.all():
        event.comment = f"Event {MARKER}"
        event.save()
    appendix = stored_appendix(
        report, f"Appendix {MARKER}", text_pdf(f"Appendix text {MARKER}"), original_filename=f"{MARKER}-bids.pdf"
    )
    report.refresh_from_db()
    reindex_report(report)  # the parts were written directly, so the search document is brought up to date here
    return appendix


# Every URL the project defines, with real ids ----------------------------------------------------

NAMED_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")
PLAIN_GROUP = re.compile(r"\((?!\?)[^)]*\)")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _template(pattern):
    """A URL pattern piece as a format string with {name} holes, and the alternatives of regex groups."""
    text = str(pattern)
    alternatives = {}
    if hasattr(pattern, "_route"):
        return CONVERTER.sub(lambda m: "{" + m.group(1) + "}", text), alternatives
    text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")

    def named(match):
        name, body = match.groups()
        if re.fullmatch(r"[\w|]+", body):
            alternatives[name] = body.split("|")
        return "{" + name + "}"

    text = NAMED_GROUP.sub(named, text)
    counter = itertools.count()
    text = PLAIN_GROUP.sub(lambda m: "{_" + str(next(counter)) + "}", text)
    return text, alternatives


def url_templates(patterns=None, prefix="", alternatives=None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    alternatives = alternatives or {}
    for entry in patterns:
        piece, more = _template(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from url_templates(entry.url_patterns, prefix + piece, {**alternatives, **more})
        else:
            yield "/" + prefix + piece, {**alternatives, **more}


def every_url(pools):
    """Every URL of the project, each hole filled with each of its candidate values, kept if it resolves."""
    urls = set()
    templates = list(url_templates())
    for template, alternatives in templates:
        names = re.findall(r"\{(\w+)\}", template)
        choices = [alternatives.get(name) or pools.get(name) or pools["default"] for name in names]
        for values in itertools.product(*choices):
            url = template.format(**dict(zip(names, map(str, values), strict=True)))
            try:
                resolve(url)
            except Resolver404:
                continue
            urls.add(url)
    return len(templates), sorted(urls)


# Reading every kind of answer --------------------------------------------------------------------

_pdf_texts = {}


def pdf_words(data):
    if data not in _pdf_texts:
        reader = PdfReader(io.BytesIO(data))
        parts = [page.extract_text() or "" for page in reader.pages]
        parts.append(str(reader.metadata or ""))

        def outline(items):
            for item in items:
                if isinstance(item, list):
                    outline(item)
                else:
                    parts.append(item.title)

        outline(reader.outline)
        _pdf_texts[data] = "\n".join(parts)
    return _pdf_texts[data]


def answer_text(response):
    """All a response says: its headers and body, with a PDF's text, metadata and bookmarks."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    text = "\n".join(f"{k}: {v}" for k, v in response.items()) + "\n" + data.decode("utf-8", "replace")
    if data.startswith(b"%PDF"):
        text += "\n" + pdf_words(data)
    return text


LINK = re.compile(r"""(?:href|src|action)=["']([^"'#]+)""")
JSON_URL = re.compile(r'"(http://testserver/[^"]+)"')
XML_LINK = re.compile(r"<link>(http://testserver/[^<]+)</link>|<link href=\"(http://testserver/[^\"]+)\"")


def links(url, response, text):
    found = [urljoin(url, href.replace("&amp;", "&")) for href in LINK.findall(text)]
    found += JSON_URL.findall(text)
    found += [a or b for a, b in XML_LINK.findall(text)]
    if response.get("Location"):
        found.append(urljoin(url, response["Location"]))
    for link in found:
        parts = urlsplit(link)
        if parts.scheme in {"", "http"} and parts.netloc in {"", "testserver"} and parts.path.startswith("/"):
            if parts.path.startswith("/static/") or "logout" in parts.path:
                continue
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def marker_in(text):
    """The markers (here: MARKER) that `text` carries, also where a PDF's text splits a word."""
    return [MARKER] if MARKER in text.lower() or MARKER in "".join(text.split()).lower() else []


@contextlib.contextmanager
def stamps_read_once():
    """While only GETs are made, the public pages' stamps (boards.public_cache) are read once, as a
    server keeps them for a second, not once a request as tests/conftest.py has them read (for tests
    that change the database behind the ORM's back). GETs change nothing a stamp sums up, and a save
    has them read again anyway; so every answer is the one it would have been. They are read afresh
    after. (Read for every page, the stamps were a sixth of a walk's time.)"""
    recheck = public_cache.RECHECK_SECONDS
    public_cache.RECHECK_SECONDS = None  # kept until forgotten
    try:
        yield
    finally:
        public_cache.RECHECK_SECONDS = recheck
        public_cache._forget_keys()


def walk(client, start, *, leaked=marker_in, max_depth=MAX_DEPTH, post=True):
    """GET every start URL and the same-site links found in the answers (a few query strings per path,
    `max_depth` links deep), then POST every start URL (if `post`); returns (URLs requested, leaks, errors).

    `leaked(text)` names what an answer must not carry (tests/test_exempt_stateful.py asks for
    the markers of the reports exempt at that moment)."""
    seen, leaks, errors = set(), [], []
    queue = deque((url, 0) for url in start)
    queries_per_path = {}

    def check(method, url):
        try:
            response = client.get(url) if method == "GET" else client.post(url, {})
        except Exception as exc:  # noqa: BLE001 - every failure is reported below
            errors.append(f"{method} {url}: {exc!r}")
            return None, ""
        if response.status_code >= 500:
            errors.append(f"{method} {url}: {response.status_code}")
        text = answer_text(response)
        if found := leaked(text):
            leaks.append(f"{method} {url} ({response.status_code} {response.get('Content-Type', '')}): {found}")
        return response, text

    with stamps_read_once():
        while queue:
            url, depth = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            response, text = check("GET", url)
            if response is None or depth >= max_depth:
                continue
            for link in links(url, response, text):
                path = link.split("?")[0]
                if link in seen or queries_per_path.get(path, 0) >= QUERIES_PER_PATH:
                    continue
                queries_per_path[path] = queries_per_path.get(path, 0) + 1
                queue.append((link, depth + 1))
    for url in start if post else []:
        if "logout" not in url:  # signing out would end the walk's session
            check("POST", url)
    return seen, leaks, errors


def plant_vote(item, demo):
    seconder = User.objects.get(username="cllr.ellison")
    motion = Motion.objects.create(
        item=item, text=f"Motion {MARKER} {BESIDE}", mover=demo.member, seconder=seconder, method=Method.RECORDED,
        votes_for=1, votes_against=1, outcome=Outcome.CARRIED, casting_vote="for", recorded_by=demo.clerk,
    )  # fmt: skip
    Amendment.objects.create(
        motion=motion, position=1, text=f"Amendment {MARKER} {BESIDE}", mover=seconder, seconder=demo.member,
        outcome=Outcome.LOST, votes_against=2,
    )  # fmt: skip
    MemberVote.objects.create(motion=motion, member=demo.member, choice=Choice.FOR)
    MemberVote.objects.create(motion=motion, member=seconder, choice=Choice.AGAINST)


def plant_officer_decisions(demo):
    """The marker in every field of a published exempt officer decision but its title, and of an officer's draft."""
    texts = ["decision", "delegated_power", "reasons", "alternatives", "conflict_of_interest", "dispensation"]
    fields = {name: f"{name} {MARKER} {BESIDE}" for name in texts} | {
        "decided_on": timezone.localdate(), "officer_title": "Director of Public Health",
        "background_papers": [f"Paper {MARKER}"],
    }  # fmt: skip
    exempt = officer_decisions.officer_decision_record(
        user=demo.director, fields=fields | {"title": f"Exempt contract {BESIDE}", "exempt_paragraph": 3}
    )
    officer_decisions.officer_decision_submit(decision=exempt, user=demo.director)
    officer_decisions.officer_decision_publish(decision=exempt, user=demo.clerk)
    officer_decisions.officer_decision_record(user=demo.officer, fields=fields | {"title": f"Draft {MARKER}"})


def plant_action(item, demo):
    """An action arising from the Part 2 decision, the marker in its description and in its owner's note."""
    action = actions.action_create(
        item=item, user=demo.clerk, description=f"Action {MARKER} {BESIDE}", owner=demo.director,
        due_on=timezone.localdate(),
    )  # fmt: skip
    actions.action_update(action=action, user=demo.director, status="in_progress", note=f"Progress {MARKER}")


def plant_decision_notice(demo):
    """The marker in every text of the notice of a Cabinet decision taken in private, and its correction."""
    cabinet = Board.objects.create(name="Cabinet", slug="cabinet", is_executive=True)
    held = Meeting.objects.create(
        board=cabinet, starts_at=timezone.now() - dt.timedelta(days=1), status=Meeting.Status.HELD,
        agenda_published_at=timezone.now() - dt.timedelta(days=10),
    )  # fmt: skip
    item = AgendaItem.objects.create(
        meeting=held, position=1, title=f"Disposal of a depot {BESIDE}", own_is_exempt=True, own_exempt_paragraph=3,
        decision=f"Cabinet decision {MARKER} {BESIDE}",
    )  # fmt: skip
    texts = {name: f"{name} {MARKER} {BESIDE}" for name in ("decision", "reasons", "alternatives", "conflicts")}
    notice = decisions.notice_publish(item=item, user=demo.clerk, **texts)
    decisions.notice_correct(
        notice=notice, user=demo.clerk, **(texts | {"reasons": f"Corrected {MARKER}"}),
        correction=f"Correction {MARKER} {BESIDE}",
    )  # fmt: skip
    # The scrutiny committee's outcome, with the note the clerk types (set directly: the call-in is
    # tested elsewhere; here only what the pages print of it).
    Notice.objects.filter(pk=notice.pk).update(
        status=Notice.Status.DECIDED, outcome=Notice.Outcome.NO_FURTHER_ACTION, outcome_note=f"Outcome {MARKER} {BESIDE}",
        outcome_recorded_at=timezone.now(), updated_at=timezone.now(),
    )  # fmt: skip
    for edition in AgendaPack.Edition.values:  # its agenda is published: its packs are built
        pack, _ = AgendaPack.objects.get_or_create(meeting=held, edition=edition)
        build_pack_now(pack.pk)
    return notice


def cancelled_after_publication(demo, capture):
    """A meeting whose agenda (a public report, and a Part 2 item with the marker in its description) was
    published and read from the API, then cancelled: what stays of its objects are deleted objects."""
    report = report_in(demo, "approved", subject=f"Published, then its meeting cancelled {BESIDE}")
    day = timezone.localdate() + dt.timedelta(days=70)
    meeting = Meeting.objects.create(
        board=demo.board, starts_at=timezone.make_aware(dt.datetime(day.year, day.month, day.day, 14)), venue="Bootle"
    )
    agenda.agenda_add_report(meeting=meeting, report=report, user=demo.clerk)
    part_2 = agenda.agenda_add_item(
        meeting=meeting, user=demo.clerk, title="Staffing matter", description=f"Part 2 {MARKER} {BESIDE}",
        is_exempt=True, exempt_paragraph=1,
    )  # fmt: skip
    with capture(execute=True):
        agenda.agenda_publish(meeting=meeting, user=demo.clerk)
    assert Client().get(f"/api/v1/agenda-items/{part_2.pk}/").json()["public"] is False  # the API has printed them
    agenda.meeting_cancel(meeting=meeting, user=demo.clerk)
    return meeting, report, part_2


@pytest.fixture
def exempt_world(demo, django_capture_on_commit_callbacks):
    """The upcoming agenda published with the exempt report, the marker planted, every pack built."""
    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    appendix = plant_marker(exempt)
    AgendaItem.objects.filter(pk=exempt.agenda_item.pk).update(decision=f"Decision {MARKER} {BESIDE}")
    # A declaration of interest on the Part 2 item, recorded as the clerk records it.
    declaration_record(
        meeting=meeting, item=exempt.agenda_item, member=demo.member, user=demo.clerk,
        kind=Declaration.Kind.PECUNIARY, nature=f"Declaration {MARKER} {BESIDE}",
        conduct=Declaration.Conduct.DISPENSATION, dispensation=f"Dispensation {MARKER}",
    )  # fmt: skip
    # A motion, an amendment and a recorded vote on the Part 2 item (planted directly: the meeting is
    # still to come, so votes.services would refuse it).
    plant_vote(exempt.agenda_item, demo)
    # A Part 2 item of the held meeting whose minute carries the marker, drafted from the record and
    # typed by the clerk; the minutes published as a draft (so the next agenda's packs hold them).
    part_2 = AgendaItem.objects.create(
        meeting=demo.meeting, position=90, kind=AgendaItem.Kind.OTHER, title="Exempt contract matter",
        own_is_exempt=True, own_exempt_paragraph=3, decision=f"Part 2 decision {MARKER} {BESIDE}",
    )  # fmt: skip
    plant_action(part_2, demo)
    minutes = minutes_draft(meeting=demo.meeting, user=demo.clerk)
    minutes_save(
        meeting=demo.meeting, user=demo.clerk, body=minutes.body,
        exempt_body=minutes.exempt_body + f"<p>Part 2 minute {MARKER} {BESIDE}</p>",
    )  # fmt: skip
    minutes_publish(meeting=demo.meeting, user=demo.clerk)
    assert MARKER in Minutes.objects.get(meeting=demo.meeting).exempt_body
    for edition in AgendaPack.Edition.values:
        for each in [meeting, demo.meeting]:
            pack, _ = AgendaPack.objects.get_or_create(meeting=each, edition=edition)
            build_pack_now(pack.pk)
    plant_officer_decisions(demo)
    plant_decision_notice(demo)
    other_board, planner = other_board_member()
    cancelled_after_publication(demo, django_capture_on_commit_callbacks)
    return meeting, public, exempt, appendix, other_board, planner


def test_it_keeps_every_word_of_an_exempt_report_from_everyone_not_allowed(demo, exempt_world):
    meeting, public, exempt, appendix, other_board, planner = exempt_world
    item = exempt.agenda_item
    other_meeting = Meeting.objects.get(board=other_board)
    ints = [exempt.pk, public.pk, demo.seed.pk, demo.draft.pk, meeting.pk, demo.meeting.pk, other_meeting.pk]
    figure = exempt.figures.get()
    ints += [demo.board.pk, other_board.pk, item.pk, public.agenda_item.pk, appendix.pk, figure.pk, 1, 999999]
    ints += list(OfficerDecision.objects.values_list("pk", flat=True))
    secret_action = Action.objects.get(description__contains=MARKER)
    ints += list(Action.objects.values_list("pk", flat=True))
    ints += list(Notice.objects.values_list("pk", flat=True))
    # What stays of a cancelled meeting's objects (deleted objects): its meeting, report and items.
    cancelled = Meeting.objects.get(status=Meeting.Status.CANCELLED)
    withdrawn = Report.objects.get(subject__startswith="Published, then its meeting cancelled")
    withdrawn_items = list(cancelled.items.values_list("pk", flat=True))
    ints += [cancelled.pk, withdrawn.pk, *withdrawn_items]
    # People's pages (/people/<id>/): an officer who holds a post and a councillor. Their ids must be in
    # the pool themselves: on SQLite they happen to equal another row's id, on PostgreSQL they do not.
    ints += [demo.director.pk, demo.member.pk]
    pools = {
        "default": sorted(set(ints)),
        "pk": sorted(set(ints)),
        "appendix_pk": [appendix.pk, 999999],
        "figure_pk": [figure.pk, 999999],
        "item_pk": [item.pk, public.agenda_item.pk],
        "version": sorted({1, exempt.version - 1, exempt.version}),
        "object_id": [exempt.pk, appendix.pk, item.pk],
        "id": [exempt.pk, planner.pk],
        "content_type_id": [ContentType.objects.get_for_model(m).pk for m in (Report, Appendix)],
        "_0": [exempt.pk],
        "_1": [exempt.pk, 1],
        "slug": [demo.board.slug, other_board.slug],
        "url": ["nothing/"],
        "uidb64": ["MQ"],
        "token": ["set-password"],
        # The open data's Files and Locations, by key: the exempt report's, its appendix's, the meeting's.
        "key": [f"paper-{exempt.pk}", f"appendix-{appendix.pk}", f"pack-{meeting.pk}", f"agenda-{meeting.pk}",
                f"minutes-{demo.meeting.pk}", f"meeting-{meeting.pk}", f"board-{demo.board.pk}",
                f"paper-{withdrawn.pk}", f"agenda-{cancelled.pk}", f"pack-{cancelled.pk}", f"meeting-{cancelled.pk}"],
    }  # fmt: skip
    pattern_count, urls = every_url(pools)
    # Searches, feeds and API pages with the words of the report and its marker.
    urls += [
        f"/search/?q={BESIDE}",
        f"/search/?q=subject+{BESIDE}",
        f'/search/?q="Body+{MARKER[:4]}"+OR+{BESIDE}',
        "/search/?q=Sexual+Health",
        "/search/?q=contract+award",
        f"/search/?q={BESIDE}&board={demo.board.slug}&date_from={meeting.date}&date_to={meeting.date}",
        f"/reports/?scope=all&board={demo.board.slug}",
        "/reports/?scope=all&status=published",
        f"/calendar/?month={meeting.date:%Y-%m}",
        f"/calendar/?board={demo.board.slug}&month={meeting.date:%Y-%m}",
        f"/api/v1/meetings/?organization={demo.board.pk}",
        "/api/v1/agenda-items/?page=1",
        # The meeting record in the API: who attended, the results, the minutes, the councillors.
        f"/api/v1/meetings/{demo.meeting.pk}/",
        "/api/v1/persons/",
        f"/api/v1/persons/{demo.member.pk}/",
        "/api/v1/memberships/",
        # Changes since a date: deleted objects are listed too, as what remains of them.
        "/api/v1/agenda-items/?modified_since=2000-01-01T00%3A00%3A00Z",
        "/api/v1/papers/?modified_since=2000-01-01T00%3A00%3A00Z",
        # The register of officer decisions, searched for the exempt decision's title.
        f"/officer-decisions/?q={BESIDE}",
        # The tracker of actions, filtered down to the board's actions in progress.
        f"/actions/?board={demo.board.slug}&status=in_progress",
        f"/actions/?owner={demo.director.pk}",
        # Officer decisions and decision notices in the API, their changes too.
        "/api/v1/officer-decisions/",
        "/api/v1/officer-decisions/?modified_since=2000-01-01T00%3A00%3A00Z",
        "/api/v1/decision-notices/",
        "/api/v1/decision-notices/?modified_since=2000-01-01T00%3A00%3A00Z",
        "/decisions/",
    ]
    od_exempt = OfficerDecision.objects.get(exempt_paragraph=3, title__contains=BESIDE)
    exempt_notice = Notice.objects.get(title__contains=BESIDE)
    for must in [
        f"/officer-decisions/{od_exempt.pk}/",
        f"/actions/{secret_action.pk}/",
        f"/actions/{secret_action.pk}/update/",
        f"/meetings/{demo.meeting.pk}/items/{item.pk}/actions/new/",
        "/actions/",
        "/actions/mine/",
        "/people/",
        f"/people/{demo.director.pk}/",
        "/my/account/",
        f"/api/v1/officer-decisions/{od_exempt.pk}/",
        f"/api/v1/decision-notices/{exempt_notice.pk}/",
        # Deleted objects: what stays of a cancelled meeting's paper, items, files and consultation.
        f"/api/v1/papers/{withdrawn.pk}/",
        f"/api/v1/files/paper-{withdrawn.pk}/",
        f"/api/v1/files/agenda-{cancelled.pk}/",
        *(f"/api/v1/agenda-items/{pk}/" for pk in withdrawn_items),
        *(f"/api/v1/consultations/{pk}/" for pk in withdrawn_items),
        f"/decisions/{exempt_notice.pk}/",
        "/feeds/decisions.rss",
        "/feeds/officer-decisions.rss",
        "/feeds/officer-decisions.atom",
        f"/reports/{exempt.pk}/",
        f"/reports/{exempt.pk}/pdf/",
        f"/reports/{exempt.pk}/appendices/{appendix.pk}/",
        f"/reports/{exempt.pk}/figures/{figure.pk}/",
        f"/reports/{exempt.pk}/history/{exempt.version}/",
        f"/papers/{exempt.pk}/",
        f"/issues/{exempt.pk}/",
        f"/meetings/{meeting.pk}/members-pack.pdf",
        f"/meetings/{demo.meeting.pk}/minutes/",
        f"/meetings/{demo.meeting.pk}/minutes.pdf",
        f"/api/v1/agenda-items/{item.pk}/",
        f"/api/v1/consultations/{item.pk}/",
        f"/api/v1/files/paper-{exempt.pk}/",
        f"/api/v1/files/appendix-{appendix.pk}/",
        f"/api/v1/locations/meeting-{meeting.pk}/",
        f"/api/v1/meetings/{demo.meeting.pk}/",
        "/api/v1/persons/",
        "/api/v1/memberships/",
        "/feeds/meetings.ics",
        "/feeds/agendas.rss",
        "/forward-plan.pdf",
        f"/admin/reports/report/{exempt.pk}/change/",
    ]:
        assert must in urls, must

    for url in [f"/api/v1/papers/{withdrawn.pk}/", *(f"/api/v1/agenda-items/{pk}/" for pk in withdrawn_items)]:
        assert Client().get(url).json()["deleted"] is True, url
    # The exempt report's story is public (it is on the Forward Plan): walked below, it must hold no marker.
    assert Client().get(f"/issues/{exempt.pk}/").status_code == 200

    walked = {}
    for name, user in [("anonymous", None), ("outsider", demo.outsider), ("member of another board", planner)]:
        client = Client()
        if user is not None:
            client.force_login(user)
        seen, leaks, errors = walk(client, urls)
        walked[name] = len(seen)
        assert not errors, f"{name}: {errors[:20]}"
        assert not leaks, f"the exempt report reached {name} at: {leaks}"
        assert len(seen) >= len(urls)
    print(f"\n{pattern_count} URL patterns, {len(urls)} URLs with real ids; pages requested: {walked}")

    # The board's member may see it, and does, by every route meant for them.
    client = Client()
    client.force_login(demo.member)
    for url in [
        f"/reports/{exempt.pk}/",
        f"/reports/{exempt.pk}/pdf/",
        f"/reports/{exempt.pk}/appendices/{appendix.pk}/",
        f"/reports/{exempt.pk}/figures/{figure.pk}/",
        f"/meetings/{meeting.pk}/members-pack.pdf",
        f"/meetings/{meeting.pk}/",
        f"/search/?q={BESIDE}",
        f"/actions/{secret_action.pk}/",
        "/actions/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER in answer_text(response).lower(), url
    # The declaration on the Part 2 item is on the meeting's page for the board's member.
    assert f"Declaration {MARKER}" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    # So are the motion and its amendment.
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"Motion {MARKER}" in page and f"Amendment {MARKER}" in page


def test_the_email_telling_members_a_meeting_moved_holds_nothing_of_its_part_2(
    demo, django_capture_on_commit_callbacks
):
    from django.core import mail

    from boards import services as agenda

    meeting, _, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    plant_marker(exempt)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agenda.meeting_move(meeting=meeting, starts_at=meeting.starts_at, venue="Council Chamber", user=demo.clerk)
    assert mail.outbox
    for message in mail.outbox:
        text = f"{message.subject} {message.body} {message.extra_headers}".lower()
        assert MARKER not in text and BESIDE not in text
        assert exempt.agenda_item.title.lower() not in text
