"""Every page that lists rows costs the same number of queries with 3 rows as with 30 (issue 21).

The demo council is loaded once for the module and grown through the models (reports indexed by
`reindex_report`, agendas made with `ensure_standard_items`), first to 3 of everything, then to 30.
Each page below is asked for at both sizes, as the person it is for, and its queries counted
(the second of two identical requests, so per-process caches are warm; Django's cache is emptied
before each, so the public meeting page is rendered, not served from the cache). A page whose
count grows fetches something once per row: an N+1.

| Page                              | URL                                     | As        | Rows that grow                               |
|-----------------------------------|-----------------------------------------|-----------|----------------------------------------------|
| Public home                       | /public/                                | visitor   | published agendas, coming meetings (6 each)  |
| Meetings                          | /meetings/                              | visitor   | coming and past meetings                     |
| Meetings (democratic services)    | /meetings/                              | clerk     | coming and past meetings                     |
| Calendar                          | /calendar/                              | visitor   | coming meetings, a page of past ones         |
| Calendar, one month               | /calendar/?month=                       | visitor   | the month's meetings                         |
| Calendar, one board               | /calendar/?board=                       | visitor   | the board's meetings                         |
| Boards                            | /boards/                                | visitor   | boards                                       |
| A board's page                    | /boards/<slug>/                         | visitor   | members, meetings                            |
| Meeting page (public)             | /meetings/<pk>/                         | visitor   | agenda items, Part 1 and Part 2              |
| Meeting page (a member)           | /meetings/<pk>/                         | member    | agenda items                                 |
| Meeting page (agenda builder)     | /meetings/<pk>/                         | clerk     | items, reports to place, history             |
| Decisions                         | /meetings/<pk>/decisions/               | clerk     | agenda items of a held meeting               |
| Move a meeting                    | /meetings/<pk>/move/                    | clerk     | (fixed: one meeting's date, time and venue)  |
| Packs (polled)                    | /meetings/<pk>/packs/                   | visitor   | (fixed: the packs of one meeting)            |
| Public paper                      | /papers/<pk>/                           | visitor   | sections, recommendations, appendices        |
| Forward Plan                      | /forward-plan/                          | visitor   | key decisions                                |
| Forward Plan (democratic services)| /forward-plan/                          | clerk     | key decisions, entries to accept             |
| Search                            | /search/?q=                             | visitor   | matches (20 a page)                          |
| Search, signed in                 | /search/?q=                             | officer   | matches (20 a page)                          |
| Search, democratic services       | /search/?q=                             | clerk     | matches (20 a page)                          |
| My work (author)                  | /                                       | officer   | drafts, returned drafts, my reports, deadlines|
| My work (consultee)               | /                                       | finance   | reports to sign off                          |
| My work (approver)                | /                                       | director  | reports to approve                           |
| My work (democratic services)     | /                                       | clerk     | reports to place, Forward Plan to accept     |
| My work (board member)            | /                                       | member    | my boards' coming meetings and their packs   |
| Reports, mine                     | /reports/                               | officer   | my reports (25 a page)                       |
| Reports, all                      | /reports/?scope=all                     | clerk     | every report (25 a page)                     |
| Report page                       | /reports/<pk>/                          | officer   | sections, recommendations, appendices        |
| Report page, its events           | /reports/<pk>/                          | officer   | workflow events                              |
| Editor                            | /reports/<pk>/edit/                     | officer   | recommendation and section rows, appendices  |
| Consultee's view                  | /reports/<pk>/consult/                  | finance   | the report's earlier returns                 |
| Report history                    | /reports/<pk>/history/                  | officer   | versions and workflow events                 |
| Compare versions                  | /reports/<pk>/compare/                  | officer   | versions offered                             |
| Exempt papers for review          | /reports/exempt/                        | clerk     | exempt reports on published agendas          |
| RSS, all agendas                  | /feeds/agendas.rss                      | visitor   | published agendas, each with its items       |
| Atom, all agendas                 | /feeds/agendas.atom                     | visitor   | published agendas                            |
| RSS, one board                    | /feeds/boards/<slug>/agendas.rss        | visitor   | the board's published agendas                |
| Atom, one board                   | /feeds/boards/<slug>/agendas.atom       | visitor   | the board's published agendas                |
| iCalendar, all meetings           | /feeds/meetings.ics                     | visitor   | meetings, each with its agenda               |
| iCalendar, one board              | /feeds/boards/<slug>/meetings.ics       | visitor   | the board's meetings                         |
| API organizations                 | /api/v1/organizations/                  | visitor   | boards (50 a page)                           |
| API meetings                      | /api/v1/meetings/                       | visitor   | meetings with their items (50 a page)        |
| API meetings of a board           | /api/v1/meetings/?organization=         | visitor   | the board's meetings                         |
| API meeting                       | /api/v1/meetings/<pk>/                  | visitor   | its agenda items                             |
| API agenda items                  | /api/v1/agenda-items/                   | visitor   | items of many meetings (50 a page)           |
| API papers                        | /api/v1/papers/                         | visitor   | public reports (50 a page)                   |
| API paper                         | /api/v1/papers/<pk>/                    | visitor   | its appendices                               |
| API persons                       | /api/v1/persons/                        | visitor   | councillors, each with their memberships     |
| API memberships                   | /api/v1/memberships/                    | visitor   | councillors' seats on boards (50 a page)     |
| Decision notices                  | /decisions/                             | visitor   | notices, each with its meeting and board     |
| Decision notices of a board       | /decisions/?board=cabinet               | visitor   | the Cabinet's notices                        |
| API changes since                 | /api/v1/<list>/?modified_since=         | visitor   | objects changed or deleted (50 a page)       |
| API file                          | /api/v1/files/appendix-<pk>/            | visitor   | its paper's appendices                       |
| API consultation                  | /api/v1/consultations/<pk>/             | visitor   | its paper's appendices                       |
| Officer decisions register        | /officer-decisions/                     | visitor   | published decisions (20 a page)              |
| Officer decisions, a search       | /officer-decisions/?q=&date_from=       | visitor   | the decisions found                          |
| RSS, officer decisions            | /feeds/officer-decisions.rss            | visitor   | published decisions (30)                     |
| Atom, officer decisions           | /feeds/officer-decisions.atom           | visitor   | published decisions (30)                     |
| Officer decisions to publish      | /officer-decisions/review/              | clerk     | submitted ones with their wards, published   |
| My officer decisions              | /officer-decisions/mine/                | officer   | the officer's own decisions                  |
| Officer decision page             | /officer-decisions/<pk>/                | visitor   | its wards and background papers              |
| Officer decision, check and submit| /officer-decisions/<pk>/submit/         | officer   | its wards, papers and history                |
| Follow by email                   | /follow/                                | visitor   | boards to choose from                        |
| Actions tracker                   | /actions/                               | visitor   | Part 1 items' actions                        |
| Actions tracker (a board member)  | /actions/                               | member    | actions, Part 2 ones of the member's board   |
| Actions tracker (dem. services)   | /actions/                               | clerk     | every action, with the filters' choices      |
| Action page                       | /actions/<pk>/                          | visitor   | its history                                  |
| Action page (its owner)           | /actions/<pk>/                          | officer   | its history, and the update form             |
| My actions                        | /actions/mine/                          | officer   | the officer's actions                        |
| Reports due for a meeting         | /meetings/<pk>/reports-due/             | clerk     | reports on their way, whom each waits for    |
| Officer decision, record          | /officer-decisions/new/                 | officer   | wards to choose from                         |
| Officer decision, edit            | /officer-decisions/<pk>/edit/           | officer   | its wards, wards to choose from              |
| Decision notice                   | /decisions/<pk>/                        | visitor   | call-in signatures, corrections (versions)   |
| Decision notice (clerk)           | /decisions/<pk>/                        | clerk     | call-in signatures, corrections (versions)   |
| Special meeting for a call-in     | /decisions/<pk>/special-meeting/        | clerk     | (fixed: one notice and its committee)        |
| A meeting's decision notices      | /meetings/<pk>/notices/                 | clerk     | decided items, their notices                 |
| API officer decisions             | /api/v1/officer-decisions/              | visitor   | published decisions with wards (50 a page)   |
| API officer decision              | /api/v1/officer-decisions/<pk>/         | visitor   | its wards and background papers              |
| API decision notices              | /api/v1/decision-notices/               | visitor   | notices (50 a page)                          |
| API decision notice               | /api/v1/decision-notices/<pk>/          | visitor   | its corrections                              |
| An issue's story                  | /issues/<pk>/                           | visitor   | (fixed: one decision, its notice, call-in)   |
| People                            | /people/                                | admin     | people with their roles (50 a page)          |
| People (democratic services)      | /people/                                | clerk     | councillors with their roles (50 a page)     |
| A person's page                   | /people/<pk>/                           | admin     | their history; posts in the role picker      |
| My account (a post holder)        | /my/account/                            | director  | the stand-ins they named, deputies to choose |
| Reference lists                   | /manage/lists/                          | admin     | (fixed: seven lists, their entries counted)  |
| A reference list: wards           | /manage/lists/wards/                    | admin     | wards, in use and retired; its history       |
| A reference list: posts           | /manage/lists/posts/                    | admin     | posts with directorate and holder            |
| A reference list: consultee kinds | /manage/lists/consultee-kinds/          | admin     | the kinds' officers                          |
| A reference entry: a post         | /manage/lists/posts/<pk>/               | admin     | directorates to choose from                  |

A programme's preview (/boards/<slug>/programme/?preview=1, as clerk) is counted by its own test at the end:
its rows are the dates its rule gives, 3 or 24, each with a clash. So are a board's pages for democratic
services (as clerk): its settings (/boards/<slug>/settings/: history rows, clerks and executive boards to
choose), its members (/boards/<slug>/members/: seats now, to come and past, councillors to choose, history),
one seat (/boards/<slug>/members/<pk>/: the councillor's history on the board) and adding a board
(/boards/new/: clerks and executive boards to choose), with 3 and then 30 of each.
"""

import datetime as dt
from io import StringIO
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import PersonEvent, StandIn, User
from actions.models import Action, ActionUpdate
from boards.models import AgendaItem, AgendaPack, Board, BoardEvent, Meeting, MeetingEvent, Membership
from boards.services import ensure_standard_items
from decisions import demo as decisions_demo
from decisions import services as notices
from decisions.models import CallIn, Notice, NoticeVersion, Signature
from members.models import Attendance, Councillor, Party
from minutes.models import Minutes
from officer_decisions.models import OfficerDecision, OfficerDecisionEvent, keep_until
from reference.models import ReferenceEvent
from reports import demo as demo_data
from reports.models import (
    Appendix,
    ConsulteeKind,
    Directorate,
    Post,
    Recommendation,
    Report,
    ReportEvent,
    Section,
    SignOff,
    Ward,
)
from reports.searchindex import reindex_report
from votes.models import Method, Motion, Outcome

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30
# Pages that list only the first few of their rows (the public home: the coming meetings and the latest papers).
CAPPED = {"public home"}
# Pages whose rows shown do not grow from 3 to 30 (a meeting's packs; a member's next 5 meetings and
# last 3), counted all the same.
FIXED = {
    "packs",
    "my work as member",
    "api file",
    "api consultation",
    "special meeting for a call-in",
    "issue",
    "move meeting",
    "reference lists",
}  # one object each
WORD = "kelpie"  # in every report made here, so a search for it finds them all

# (name, who asks, the URL: a function of the council built below)
PAGES = [
    ("public home", None, lambda c: "/public/"),
    ("meetings", None, lambda c: "/meetings/"),
    ("meetings as clerk", "clerk", lambda c: "/meetings/"),
    ("calendar", None, lambda c: "/calendar/"),
    ("calendar month", None, lambda c: f"/calendar/?month={c.month:%Y-%m}"),
    ("calendar board", None, lambda c: f"/calendar/?board={c.board.slug}"),
    ("boards", None, lambda c: "/boards/"),
    ("board page", None, lambda c: f"/boards/{c.board.slug}/"),
    ("meeting page", None, lambda c: f"/meetings/{c.past_big.pk}/"),
    ("meeting page as member", "member", lambda c: f"/meetings/{c.past_big.pk}/"),
    ("agenda builder", "clerk", lambda c: f"/meetings/{c.coming_big.pk}/"),
    ("decisions", "clerk", lambda c: f"/meetings/{c.past_big.pk}/decisions/"),
    ("move meeting", "clerk", lambda c: f"/meetings/{c.coming_big.pk}/move/"),
    ("packs", None, lambda c: f"/meetings/{c.past_big.pk}/packs/"),
    ("paper", None, lambda c: f"/papers/{c.paper.pk}/"),
    ("forward plan", None, lambda c: "/forward-plan/"),
    ("issue", None, lambda c: f"/issues/{c.issue.pk}/"),
    ("follow", None, lambda c: "/follow/"),
    ("forward plan as clerk", "clerk", lambda c: "/forward-plan/"),
    ("search", None, lambda c: f"/search/?q={WORD}"),
    ("search as officer", "officer", lambda c: f"/search/?q={WORD}"),
    ("search as clerk", "clerk", lambda c: f"/search/?q={WORD}"),
    ("my work as officer", "officer", lambda c: "/"),
    ("my work as finance", "finance", lambda c: "/"),
    ("my work as director", "director", lambda c: "/"),
    ("my work as clerk", "clerk", lambda c: "/"),
    ("my work as member", "member", lambda c: "/"),
    ("reports mine", "officer", lambda c: "/reports/"),
    ("reports all", "clerk", lambda c: "/reports/?scope=all"),
    ("report as word", "clerk", lambda c: f"/reports/{c.paper.pk}/report.docx"),
    ("report page", "officer", lambda c: f"/reports/{c.paper.pk}/"),
    ("report page with events", "officer", lambda c: f"/reports/{c.versioned.pk}/"),
    ("editor", "officer", lambda c: f"/reports/{c.drafted.pk}/edit/"),
    ("consultation", "finance", lambda c: f"/reports/{c.consulted.pk}/consult/"),
    ("history", "officer", lambda c: f"/reports/{c.versioned.pk}/history/"),
    ("compare", "officer", lambda c: f"/reports/{c.versioned.pk}/compare/"),
    ("exempt papers", "clerk", lambda c: "/reports/exempt/"),
    ("rss", None, lambda c: "/feeds/agendas.rss"),
    ("atom", None, lambda c: "/feeds/agendas.atom"),
    ("board rss", None, lambda c: f"/feeds/boards/{c.board.slug}/agendas.rss"),
    ("board atom", None, lambda c: f"/feeds/boards/{c.board.slug}/agendas.atom"),
    ("ical", None, lambda c: "/feeds/meetings.ics"),
    ("board ical", None, lambda c: f"/feeds/boards/{c.board.slug}/meetings.ics"),
    ("api organizations", None, lambda c: "/api/v1/organizations/"),
    ("api meetings", None, lambda c: "/api/v1/meetings/"),
    ("api board meetings", None, lambda c: f"/api/v1/meetings/?organization={c.board.pk}"),
    ("api meeting", None, lambda c: f"/api/v1/meetings/{c.past_big.pk}/"),
    ("api agenda items", None, lambda c: "/api/v1/agenda-items/"),
    ("api papers", None, lambda c: "/api/v1/papers/"),
    ("api paper", None, lambda c: f"/api/v1/papers/{c.paper.pk}/"),
    ("api persons", None, lambda c: "/api/v1/persons/"),
    ("api memberships", None, lambda c: "/api/v1/memberships/"),
    ("decision notices", None, lambda c: "/decisions/"),
    ("decision notices of a board", None, lambda c: "/decisions/?board=cabinet"),
    ("decision notices as clerk", "clerk", lambda c: "/decisions/"),
    ("api meetings changed", None, lambda c: "/api/v1/meetings/?modified_since=2000-01-01T00%3A00%3A00Z"),
    ("api agenda items changed", None, lambda c: "/api/v1/agenda-items/?modified_since=2000-01-01T00%3A00%3A00Z"),
    ("api papers changed", None, lambda c: "/api/v1/papers/?modified_since=2000-01-01T00%3A00%3A00Z"),
    ("api persons changed", None, lambda c: "/api/v1/persons/?modified_since=2000-01-01T00%3A00%3A00Z"),
    ("api file", None, lambda c: f"/api/v1/files/appendix-{c.paper.appendices.first().pk}/"),
    ("api consultation", None, lambda c: f"/api/v1/consultations/{c.paper.agenda_item.pk}/"),
    ("officer decisions", None, lambda c: "/officer-decisions/"),
    ("officer decisions search", None, lambda c: f"/officer-decisions/?q={WORD}&date_from=2020-01-01"),
    ("officer decisions rss", None, lambda c: "/feeds/officer-decisions.rss"),
    ("officer decisions atom", None, lambda c: "/feeds/officer-decisions.atom"),
    ("officer decisions review", "clerk", lambda c: "/officer-decisions/review/"),
    ("officer decisions mine", "officer", lambda c: "/officer-decisions/mine/"),
    ("officer decision page", None, lambda c: f"/officer-decisions/{c.officer_decision.pk}/"),
    ("officer decision submit", "officer", lambda c: f"/officer-decisions/{c.officer_draft.pk}/submit/"),
    ("actions tracker", None, lambda c: "/actions/"),
    ("actions tracker as member", "member", lambda c: "/actions/"),
    ("actions tracker as clerk", "clerk", lambda c: "/actions/"),
    ("action page", None, lambda c: f"/actions/{c.action.pk}/"),
    ("action page as owner", "officer", lambda c: f"/actions/{c.action.pk}/"),
    ("my actions", "officer", lambda c: "/actions/mine/"),
    ("reports due", "clerk", lambda c: f"/meetings/{c.coming_big.pk}/reports-due/"),
    ("officer decision new", "officer", lambda c: "/officer-decisions/new/"),
    ("officer decision edit", "officer", lambda c: f"/officer-decisions/{c.officer_draft.pk}/edit/"),
    ("decision notice", None, lambda c: f"/decisions/{c.notice.pk}/"),
    ("decision notice as clerk", "clerk", lambda c: f"/decisions/{c.notice.pk}/"),
    ("special meeting for a call-in", "clerk", lambda c: f"/decisions/{c.notice.pk}/special-meeting/"),
    ("meeting notices", "clerk", lambda c: f"/meetings/{c.cabinet_meeting.pk}/notices/"),
    ("api officer decisions", None, lambda c: "/api/v1/officer-decisions/"),
    ("api officer decision", None, lambda c: f"/api/v1/officer-decisions/{c.officer_decision.pk}/"),
    (
        "api officer decisions changed",
        None,
        lambda c: "/api/v1/officer-decisions/?modified_since=2000-01-01T00%3A00%3A00Z",
    ),
    ("people", "admin", lambda c: "/people/"),
    ("people as clerk", "clerk", lambda c: "/people/"),
    ("person page", "admin", lambda c: f"/people/{c.users['director'].pk}/"),
    ("my account", "director", lambda c: "/my/account/"),
    ("reference lists", "admin", lambda c: "/manage/lists/"),
    ("reference list, wards", "admin", lambda c: "/manage/lists/wards/"),
    ("reference list, posts", "admin", lambda c: "/manage/lists/posts/"),
    ("reference list, consultee kinds", "admin", lambda c: "/manage/lists/consultee-kinds/"),
    ("reference entry, a post", "admin", lambda c: f"/manage/lists/posts/{c.post.pk}/"),
    ("api decision notices", None, lambda c: "/api/v1/decision-notices/"),
    ("api decision notice", None, lambda c: f"/api/v1/decision-notices/{c.notice.pk}/"),
    (
        "api decision notices changed",
        None,
        lambda c: "/api/v1/decision-notices/?modified_since=2000-01-01T00%3A00%3A00Z",
    ),
]


# The council, grown ----------------------------------------------------------------------------


def _report(c, n, kind, **fields):
    """A report of the demo board with one recommendation and one section, indexed for search."""
    fields = {
        "author": c.users["officer"],
        "board": c.board,
        "subject": f"{WORD.title()} {kind} {n}",
        "summary": f"The {kind} report {n} on kelpies.",
        "report_of": c.post,
        "is_exempt": False,
        **fields,
    }
    report = Report.objects.create(**fields)
    Recommendation.objects.create(report=report, position=1, text="The Board are asked to note the report.")
    Section.objects.create(report=report, position=1, heading="Background", body="<ol><li>Kelpies.</li></ol>")
    reindex_report(report)
    return report


def _officer_decision(c, n, **fields):
    day = dt.date(2024, 1, 1) + dt.timedelta(days=n)
    return OfficerDecision.objects.create(
        title=f"{WORD.title()} decision {n}", decision=f"To buy kelpie {n}.", decided_on=day,
        officer=c.users["officer"], officer_title="Consultant in Public Health", delegated_power="Paragraph 4.5.",
        reasons="Needed.", background_papers=[f"Paper {n}"], keep_until=keep_until(day), **fields,
    )  # fmt: skip


def _item(meeting, report, position):
    return AgendaItem.objects.create(
        meeting=meeting, report=report, kind=AgendaItem.Kind.REPORT, title=report.subject, position=position
    )


def _packs(meeting, reports_in_full):
    """Packs as a build leaves them: ready, with a file (never read here) and the reports they hold."""
    for edition in AgendaPack.Edition.values:
        AgendaPack.objects.get_or_create(
            meeting=meeting,
            edition=edition,
            defaults={
                "state": AgendaPack.State.READY,
                "file": f"packs/{meeting.pk}-{edition}.pdf",
                "size": 1000,
                "page_count": 3,
                "built_at": timezone.now(),
                "reports_in_full": reports_in_full,
            },
        )


def build_council():
    """The demo council with the fixed parts of the grown one: two big meetings, a report with versions."""
    with mock.patch.object(decisions_demo, "load", lambda command, users: None):  # as the demo fixture
        call_command("load_demo", "--force", stdout=StringIO())
    users = {u.username: u for u in User.objects.all()}
    board = Board.objects.get(slug=demo_data.BOARD["slug"])
    # An executive board, its meeting held long ago: the decisions grown below are its.
    cabinet = Board.objects.create(name="Cabinet", slug="cabinet", is_executive=True)
    cabinet_meeting = Meeting.objects.create(
        board=cabinet, starts_at=timezone.now() - dt.timedelta(days=700), status=Meeting.Status.HELD,
        agenda_published_at=timezone.now() - dt.timedelta(days=710),
    )  # fmt: skip
    now = timezone.now()
    c = SimpleNamespace(users=users, board=board, post=Post.objects.get(holder=users["director"]))
    # A notice of the Cabinet's, called in: it gains a signature and a correction with each unit grown.
    c.cabinet_meeting = cabinet_meeting
    called = AgendaItem.objects.create(meeting=cabinet_meeting, position=1, title="Called in", decision="Agreed.")
    c.notice = notices.notice_publish(
        item=called, user=users["clerk"], decision="Agreed.", reasons="R.", alternatives="A."
    )
    c.call_in = CallIn.objects.create(notice=c.notice, reasons="Not costed.", requested_by=users["member"])
    Notice.objects.filter(pk=c.notice.pk).update(status=Notice.Status.CALLED_IN, effective_on=None)
    c.month = (timezone.localdate() - dt.timedelta(days=400)).replace(day=1)
    published = now - dt.timedelta(days=420)
    c.past_big = Meeting.objects.create(
        board=board,
        starts_at=now - dt.timedelta(days=410),
        status=Meeting.Status.HELD,
        agenda_published_at=published,
    )
    ensure_standard_items(c.past_big)
    c.coming_big = Meeting.objects.create(
        board=board,
        starts_at=now + dt.timedelta(days=1),  # before every other coming meeting: a member sees its packs
        status=Meeting.Status.AGENDA_PUBLISHED,
        agenda_published_at=now - dt.timedelta(days=1),
    )
    ensure_standard_items(c.coming_big)
    c.paper = _report(c, 0, "paper", status=Report.Status.PUBLISHED)
    _item(c.past_big, c.paper, 10)
    c.versioned = _report(c, 0, "versioned")
    c.drafted = _report(c, 0, "being drafted")
    c.consulted = _report(c, 0, "consulted", status=Report.Status.CONSULTATION)
    c.kinds = list(ConsulteeKind.objects.all())
    c.issue = _issue(c, cabinet_meeting)
    c.officer_decision = _officer_decision(c, 900, status=OfficerDecision.Status.PUBLISHED, published_at=now)
    c.officer_draft = _officer_decision(c, 901)
    # A decision of the big past meeting with an action arising, whose history grows below.
    c.decided = AgendaItem.objects.create(meeting=c.past_big, position=9, title="Kelpie decision", decision="Agreed.")
    c.action = _action(c, c.decided, users["officer"], 0)
    return c


def _action(c, item, owner, n):
    return Action.objects.create(
        item=item, description=f"Kelpie action {n}", owner=owner, due_on=dt.date(2025, 1, 1) + dt.timedelta(days=n),
        created_by=c.users["clerk"], status=Action.Status.values[n % 4],
    )  # fmt: skip


def _issue(c, cabinet_meeting):
    """A key decision of the Cabinet with its whole story: on the Forward Plan, published, decided, its
    notice published and called in, on the scrutiny committee's agenda."""
    day = timezone.localdate() - dt.timedelta(days=740)
    issue = _report(
        c, 0, "issue", status=Report.Status.PUBLISHED, board=cabinet_meeting.board, meeting=cabinet_meeting,
        is_key_decision=True, in_forward_plan=True, forward_plan_date=day, forward_plan_accepted_on=day,
        implementation_date="At once.",
    )  # fmt: skip
    item = _item(cabinet_meeting, issue, 1)
    AgendaItem.objects.filter(pk=item.pk).update(decision="Agreed.")
    item.refresh_from_db()
    clerk = c.users["clerk"]
    notice = notices.notice_publish(item=item, user=clerk, decision="Agreed.", reasons="R.", alternatives="A.")
    scrutiny = Board.objects.create(name="Scrutiny", slug="scrutiny")
    scrutiny_meeting = Meeting.objects.create(board=scrutiny, starts_at=timezone.now() + dt.timedelta(days=9))
    scrutiny_item = AgendaItem.objects.create(meeting=scrutiny_meeting, position=1, title="Call-in")
    CallIn.objects.create(notice=notice, reasons="R.", requested_by=clerk, completed_at=timezone.now())
    Notice.objects.filter(pk=notice.pk).update(
        status=Notice.Status.CALLED_IN, effective_on=None, scrutiny_item=scrutiny_item
    )
    return issue


def grow(c, start, stop):
    """Add units `start` to `stop - 1`: one of every row each page lists."""
    officer, clerk = c.users["officer"], c.users["clerk"]
    now = timezone.now()
    for n in range(start, stop):
        Board.objects.create(name=f"Committee {n:02d}", slug=f"committee-{n:02d}", clerk=clerk)
        person = User.objects.create_user(f"councillor-{n}", first_name="Councillor", last_name=f"Number {n}")
        Membership.objects.create(board=c.board, user=person)
        # A councillor (an API Person) of a party of their own, with a seat on each board.
        party = Party.objects.create(name=f"Party {n:02d}")
        Councillor.objects.create(user=person, party=party, email=f"councillor-{n}@example.org")
        Membership.objects.create(board=Board.objects.get(slug=f"committee-{n:02d}"), user=person)
        # People and roles: each a consultee, each standing in for the director (named by them), and a line of
        # the director's account history.
        ConsulteeKind.objects.get(prefix="FD").officers.add(person)
        StandIn.objects.create(post=c.post, holder=c.users["director"], deputy=person, starts_on=now.date(),
                               ends_on=now.date() + dt.timedelta(days=5))  # fmt: skip
        PersonEvent.objects.create(
            user=c.users["director"], actor=c.users["admin"], action="roles_changed", note=f"{n}"
        )
        Attendance.objects.create(meeting=c.past_big, member=person, status=Attendance.Status.PRESENT)

        # A past meeting in one month, its agenda published (a standard agenda and an exempt item of its own),
        # and a coming one not yet published.
        day = c.month + dt.timedelta(days=n % 28)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + n // 28, 0)))
        past = Meeting.objects.create(
            board=c.board, starts_at=starts, status=Meeting.Status.HELD, agenda_published_at=starts - dt.timedelta(7)
        )
        ensure_standard_items(past)
        confidential = AgendaItem.objects.create(
            meeting=past, position=5, title=f"Confidential matter {n}", own_is_exempt=True, decision="Agreed."
        )
        # Actions: one on a Part 1 decision (owned by the officer or the new councillor, by turns), one on this
        # Part 2 item of the board the member sits on; one more entry in the first action's history.
        _action(c, c.decided, officer if n % 2 else person, n)
        _action(c, confidential, officer, n)
        ActionUpdate.objects.create(action=c.action, actor=officer, to_status="in_progress", note=f"Progress {n}.")
        AgendaItem.objects.create(
            meeting=past, position=4, title=f"Other business {n}", own_exempt_paragraph=None, description="Noted."
        )
        _packs(past, [])
        Attendance.objects.create(meeting=past, member=person, status=Attendance.Status.PRESENT)
        Minutes.objects.create(meeting=past, status=Minutes.Status.PUBLISHED, drafted_at=now, published_at=now)
        coming = Meeting.objects.create(board=c.board, starts_at=now + dt.timedelta(days=2 + n, hours=1))
        ensure_standard_items(coming)
        # A decision of the demo's Cabinet, its notice published (Part 2 by turns: listed by title).
        cabinet_meeting = Meeting.objects.get(board__slug="cabinet")
        decided = AgendaItem.objects.create(
            meeting=cabinet_meeting, position=100 + n, title=f"Cabinet decision {n}", decision="Agreed.",
            own_is_exempt=n % 2 == 1, own_exempt_paragraph=3 if n % 2 else None,
        )  # fmt: skip
        notices.notice_publish(item=decided, user=clerk, decision="Agreed.", reasons="R.", alternatives="A.")
        # The called-in notice: one more signature, one more correction.
        Signature.objects.create(call_in=c.call_in, member=person)
        NoticeVersion.objects.create(
            notice=c.notice, version=n + 1, decision="Agreed.", reasons="R.", alternatives="A.", corrected_by=clerk,
            correction=f"Correction {n}.",
        )  # fmt: skip
        Notice.objects.filter(pk=c.notice.pk).update(version=n + 2)

        # The big meetings' agendas: a public and an exempt report on the past one, a key decision
        # (public or exempt by turns) on the coming one.
        public = _report(c, n, "public", status=Report.Status.PUBLISHED, meeting=c.past_big)
        exempt = _report(c, n, "exempt", status=Report.Status.PUBLISHED, meeting=c.past_big, is_exempt=True)
        exempt.exempt_paragraphs = [3]
        # Due for review for release, or not yet, by turns (the exempt papers page lists both).
        exempt.release_review_on = timezone.localdate() + dt.timedelta(days=-1 if n % 2 else 10)
        exempt.release_condition = f"After contract {n} is awarded."
        exempt.save(update_fields=["exempt_paragraphs", "release_review_on", "release_condition"])
        voted = _item(c.past_big, public, 10 + 2 * n)
        secret = _item(c.past_big, exempt, 11 + 2 * n)
        for item in (voted, secret):  # an API item's result, from its motion (Part 1 only)
            Motion.objects.create(
                item=item, text="That it be agreed.", mover=person, seconder=person, method=Method.SHOW_OF_HANDS,
                votes_for=1, outcome=Outcome.CARRIED, recorded_by=clerk,
            )  # fmt: skip
        key = _report(
            c,
            n,
            "key decision",
            status=Report.Status.PUBLISHED,
            meeting=c.coming_big,
            is_key_decision=True,
            in_forward_plan=True,
            forward_plan_date=timezone.localdate() - dt.timedelta(days=40),
            forward_plan_accepted_on=timezone.localdate() - dt.timedelta(days=40),
            is_exempt=n % 2 == 1,
            exempt_paragraphs=[3] if n % 2 else [],
        )
        _item(c.coming_big, key, 10 + n)
        MeetingEvent.objects.create(meeting=c.coming_big, actor=clerk, action="item_added", note=key.subject)

        # The public paper: one more of each of its parts.
        Recommendation.objects.create(report=c.paper, position=2 + n, text=f"Recommendation {n}.")
        Section.objects.create(report=c.paper, position=2 + n, heading=f"Section {n}", body="<p>Kelpies.</p>")
        Appendix.objects.create(report=c.paper, position=n, title=f"Appendix {n}", file=f"appendix-{n}.pdf")

        # The draft in the editor: one more of each of its rows.
        Recommendation.objects.create(report=c.drafted, position=2 + n, text=f"Recommendation {n}.")
        Section.objects.create(report=c.drafted, position=2 + n, heading=f"Section {n}", body="<p>Kelpies.</p>")
        Appendix.objects.create(report=c.drafted, position=n, title=f"Appendix {n}", file=f"draft-appendix-{n}.pdf")

        # The report in consultation: one more return in its past.
        ReportEvent.objects.create(report=c.consulted, actor=c.users["legal"], action="returned", comment=f"{n}")

        # Everyone's work: a draft, a returned draft, one in consultation, one signed off, one
        # approved and waiting for an agenda, a key decision waiting for acceptance.
        _report(c, n, "draft")
        returned = _report(c, n, "returned")
        ReportEvent.objects.create(
            report=returned, actor=c.users["finance"], action="returned", from_status="consultation", to_status="draft"
        )
        _report(c, n, "consultation", status=Report.Status.CONSULTATION)
        _report(c, n, "signed off", status=Report.Status.SIGNED_OFF)
        # On their way to the big coming meeting, with due dates (My work, the reports-due page): a draft,
        # one in consultation signed off by finance, one signed off.
        _report(c, n, "due draft", meeting=c.coming_big)
        due = _report(c, n, "due for sign-off", status=Report.Status.CONSULTATION, meeting=c.coming_big)
        SignOff.objects.create(
            report=due, kind=c.kinds[0], signed_by=c.users["finance"], officer_title="Finance",
            prefix=c.kinds[0].prefix, year=2099, number=n + 1, reference=f"{c.kinds[0].prefix}.{n + 1}/99",
        )  # fmt: skip
        _report(c, n, "due for approval", status=Report.Status.SIGNED_OFF, meeting=c.coming_big)
        _report(c, n, "approved", status=Report.Status.APPROVED, meeting=coming)
        _report(
            c,
            n,
            "pending",
            status=Report.Status.APPROVED,
            meeting=coming,
            is_key_decision=True,
            in_forward_plan=True,
            forward_plan_date=timezone.localdate(),
        )

        # Officer decisions: one published (exempt by turns), one waiting for democratic services with a ward.
        _officer_decision(
            c, n, status=OfficerDecision.Status.PUBLISHED, published_at=now, exempt_paragraph=3 if n % 2 else None
        )
        waiting = _officer_decision(c, n, status=OfficerDecision.Status.SUBMITTED, submitted_at=now)
        waiting.wards.set(Ward.objects.all()[:2])
        ward = Ward.objects.create(name=f"Kelpie ward {n}", is_active=n % 2 == 0)
        # Reference lists: a retired ward every other one, a post held in a directorate, a line of history.
        directorate = Directorate.objects.create(name=f"Kelpie directorate {n}", position=100 + n)
        Post.objects.create(title=f"Kelpie post {n}", directorate=directorate, holder=person)
        ReferenceEvent.objects.create(
            list_slug="wards", entry_id=ward.pk, entry_name=ward.name, actor=c.users["admin"], action="added"
        )
        for decision in (c.officer_decision, c.officer_draft):
            decision.wards.add(ward)
            decision.background_papers.append(f"Background paper {n}")
            decision.save(update_fields=["background_papers"])
        OfficerDecisionEvent.objects.create(decision=c.officer_draft, actor=officer, action="edited", to_status="draft")

        # The versioned report: one more version, and one more workflow event.
        c.versioned.version += 1
        c.versioned.summary = f"Version {c.versioned.version}."
        c.versioned._history_user = officer
        c.versioned.save()
        ReportEvent.objects.create(report=c.versioned, actor=c.users["finance"], action="returned", comment=f"{n}")
    for meeting in (c.past_big, c.coming_big):
        full = list(meeting.items.filter(report__is_exempt=False).values_list("report_id", flat=True))
        AgendaPack.objects.filter(meeting=meeting).delete()
        _packs(meeting, full)
    AgendaPack.objects.filter(meeting__in=[c.past_big, c.coming_big]).update(wanted_key="x", content_key="x")


def count_queries(c, who, url):
    """The queries of `url` asked for by `who` (None: a visitor), after one request to warm caches."""
    client = Client()
    if who:
        client.force_login(c.users[who])
    cache.clear()
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body, [q["sql"] for q in queries.captured_queries]


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each page's (status, body, queries) with 3 rows and with 30, from one council grown in one transaction."""
    found = {SMALL: {}, LARGE: {}}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        c = build_council()
        grow(c, 0, SMALL)
        for name, who, url in PAGES:
            found[SMALL][name] = count_queries(c, who, url(c))
        grow(c, SMALL, LARGE)
        for name, who, url in PAGES:
            found[LARGE][name] = count_queries(c, who, url(c))
        transaction.set_rollback(True)
    cache.clear()
    return found


@pytest.mark.parametrize("name", [name for name, _, _ in PAGES])
def test_it_costs_the_same_queries_with_3_rows_as_with_30(db, measured, name):
    small_status, small_body, small = measured[SMALL][name]
    large_status, large_body, large = measured[LARGE][name]
    assert small_status == large_status == 200, (small_status, large_status, large_body[:500])
    if name in CAPPED:  # it lists the latest few: more rows change what it shows, not always its length
        assert large_body != small_body
    elif name not in FIXED:
        assert len(large_body) > len(small_body)  # the rows were there to list
    if len(small) != len(large):
        print(f"{name}: {len(small)} queries with {SMALL} rows")
        print("\n".join(small))
        print(f"{name}: {len(large)} queries with {LARGE} rows")
        print("\n".join(large))
    assert len(small) == len(large), f"{name}: {len(small)} queries with {SMALL} rows, {len(large)} with {LARGE}"


# The bulk reads agree with the reads of one meeting they replace ----------------------------------


def test_numbered_agendas_number_each_meeting_as_numbered_items_does(demo, django_capture_on_commit_callbacks):
    from boards import services
    from boards.selectors import numbered_agendas, numbered_items
    from tests.test_public import publish_upcoming

    meeting, _, _ = publish_upcoming(demo, django_capture_on_commit_callbacks)
    services.agenda_add_item(meeting=meeting, user=demo.clerk, title="A late item", urgency_reason="It cannot wait.")
    meetings = list(Meeting.objects.all())
    for waiting in (False, True):
        agendas = numbered_agendas(meetings, waiting=waiting)
        for m in meetings:
            expected = [(n, item.pk) for n, item in numbered_items(m, waiting=waiting)]
            assert [(n, item.pk) for n, item in agendas[m.pk]] == expected, (m, waiting)
    assert len(agendas[meeting.pk]) == len(numbered_agendas([meeting])[meeting.pk]) + 1  # the waiting item
    assert numbered_agendas([]) == {}


def test_withheld_packs_are_those_holding_exempt_text(demo):
    from boards.selectors import mark_withheld

    seed = demo.seed
    packs = [
        AgendaPack.objects.update_or_create(
            meeting=demo.meeting, edition=edition, supplement=None, defaults={"reports_in_full": [seed.pk]}
        )[0]
        for edition in AgendaPack.Edition.values
    ]
    assert [p.withheld for p in mark_withheld(packs)] == [p.holds_exempt_text() for p in packs] == [False] * 3
    Report.objects.filter(pk=seed.pk).update(is_exempt=True)
    withheld = {p.edition: p.withheld for p in mark_withheld(packs)}
    assert withheld == {p.edition: p.holds_exempt_text() for p in packs}
    assert withheld == {"public": True, "members": False, "front": True}


# A programme's preview: its rows are the dates the rule gives -------------------------------------


def test_a_programme_preview_costs_the_same_queries_for_3_dates_as_for_24(demo, client):
    """Each date clashes with a meeting of another board at the same time and one of the board that day."""
    from boards import clock

    year = timezone.localdate().year + 1
    other = Board.objects.create(name="Planning Committee", slug="planning-committee")
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 12, 1)
    for day in clock.programme_dates(weekday=1, week=3, every=1, start=start, end=end):
        Meeting.objects.create(board=other, starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(14))))
        Meeting.objects.create(board=demo.board, starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
    client.force_login(demo.clerk)
    counts = {}
    for last in (f"{year}-03", f"{year + 1}-12"):
        query = {"preview": "1", "week": "3", "weekday": "1", "every": "1", "start": f"{year}-01", "end": last,
                 "time": "14:00", "venue": ""}  # fmt: skip
        client.get(f"/boards/{demo.board.slug}/programme/", query)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/boards/{demo.board.slug}/programme/", query)
        assert response.status_code == 200
        rows = response.context["rows"]
        assert all(len(row["clashes"]) == 2 for row in rows)
        counts[len(rows)] = len(queries)
    assert list(counts) == [3, 24]
    assert counts[3] == counts[24], counts


# A board's pages for democratic services: seats and their history grow -------------------------------


def _grow_board(demo, start, stop):
    """Seats start..stop on the demo board (now, to come and past), each with its history row, a democratic
    services officer each (the clerk's choices), an executive board each (the scrutiny choices) and a row of
    member's history on the board."""
    today = timezone.localdate()
    for n in range(start, stop):
        user = User.objects.create_user(f"cllr{n}", first_name="Councillor", last_name=f"Number {n}")
        Councillor.objects.create(user=user)
        User.objects.create_user(f"dso{n}", last_name=f"Clerk {n}", is_democratic_services=True)
        Board.objects.create(name=f"Cabinet {n}", slug=f"cabinet-{n}", is_executive=True)
        for starts_on, ends_on in [(None, None), (today + dt.timedelta(days=9), None), (None, dt.date(2020, 1, 1))]:
            seat = Membership.objects.create(board=demo.board, user=user, starts_on=starts_on, ends_on=ends_on)
            BoardEvent.objects.create(board=demo.board, membership=seat, actor=demo.clerk, action="member_added")
        BoardEvent.objects.create(board=demo.board, actor=demo.clerk, action="settings_changed", note=f"change {n}")
        member_seat = Membership.objects.get(board=demo.board, user=demo.member)
        BoardEvent.objects.create(board=demo.board, membership=member_seat, actor=demo.clerk, action="role_changed")


@pytest.mark.parametrize("page", ["settings/", "members/", "members/{seat}/", "/boards/new/"])
def test_a_boards_pages_cost_the_same_queries_with_3_seats_as_with_30(demo, client, page):
    client.force_login(demo.clerk)
    seat = Membership.objects.filter(board=demo.board, user=demo.member).get()
    BoardEvent.objects.create(board=demo.board, membership=seat, actor=demo.clerk, action="role_changed")
    path = page if page.startswith("/") else f"/boards/{demo.board.slug}/" + page.format(seat=seat.pk)
    counts, lengths = {}, {}
    for size, (start, stop) in {3: (0, 3), 30: (3, 30)}.items():
        _grow_board(demo, start, stop)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        counts[size], lengths[size] = len(queries), len(response.content)
    assert lengths[30] > lengths[3]  # the rows were there to list
    assert counts[3] == counts[30], counts
