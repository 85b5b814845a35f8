"""Every URL the project defines, for every role: the answers of tests/permissions_matrix.py.

The matrix lists every URL pattern (a new one it does not list fails the suite). Each line is
requested with real ids by the anonymous visitor and the eight demo users, and every admin URL by
all of them but `admin`. Each request runs in a savepoint rolled back after it, so every request
meets the same world and the order of the lines does not matter. After each POST every table is
compared with how it was: a POST the matrix does not mark `*` must have changed nothing.

The demo is loaded once, and every mismatch is reported at once, in one table. PDFs are made
sparingly (17 renders, about 6 of the test's 60 seconds on SQLite): the approved reports' PDFs are
stored and the packs built once, with the world, as the app does on approval and publication, so
only the draft's PDF is rendered on request, for each of the three who may read it.
"""

import datetime as dt
import hashlib
import json
import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as people
from accounts.models import User
from actions import demo as actions_demo
from actions import services as actions
from actions.models import Action
from boards import clock
from boards import services as agenda
from boards.models import AgendaItem, Board, Meeting, Membership
from boards.tasks import build_pack_now
from decisions import services as notices
from follow import services as follow
from follow.models import Subscription
from interests import services as interests
from officer_decisions import services as officer_decisions
from officer_decisions.models import OfficerDecision
from reports import services as reports_services
from reports.models import ImplicationType, Portfolio, Post, Report, Ward
from reports.pdf import store_report_pdf
from tests import images
from tests.appendices import stored_appendix
from tests.images import stored_figure
from tests.permissions_matrix import ACTORS, ADMIN_URL_RULE, matrix_rows
from tests.test_leaks import every_url
from tests.test_members import attendance_post
from tests.test_packs import text_pdf
from tests.test_public import PUBLIC_SUBJECT, build_packs, publish_upcoming
from tests.test_workflow import form_data, report_in
from wordio.models import WordImport


@pytest.fixture
def demo(demo_record_open):
    """The demo with 14 September 2022's record open (tests/conftest.py): the matrix and the planted
    markers edit that record (attendance, decisions, minutes), which the demo's approved minutes lock."""
    return demo_record_open


# HEAD is checked for the visitor and for one signed-in person on every GET line: the public pages, and
# every page a person signed in opens (each view's decorator answers HEAD or not for everyone alike).
HEAD_ACTORS = ("anonymous", "clerk")

pytestmark = pytest.mark.django_db


# The URL patterns -------------------------------------------------------------------------------


def url_patterns(patterns=None, namespace="", arguments=()):
    """Every URL pattern as (name with its namespaces, the names of its arguments in URL order).

    A pattern without a name is `<unnamed route>`, so it is listed (and fails the matrix test) too.
    """
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        groups = entry.pattern.regex.groupindex
        here = arguments + tuple(sorted(groups, key=groups.get))
        if isinstance(entry, URLResolver):
            yield from url_patterns(
                entry.url_patterns, namespace + (f"{entry.namespace}:" if entry.namespace else ""), here
            )
        else:
            yield namespace + (entry.name or f"<unnamed {entry.pattern}>"), here


def test_it_lists_every_url_pattern_in_the_matrix():
    patterns = dict(url_patterns())
    rows = matrix_rows()
    listed = {row.name for row in rows}
    covered_by_rule = {name for name in patterns if name.startswith("admin:")}
    missing = sorted(set(patterns) - covered_by_rule - listed)
    assert not missing, (
        "URL patterns the permission matrix does not list: add lines for them to tests/permissions_matrix.py, "
        f"saying who may use each (GET and POST, for every actor): {missing}"
    )
    gone = sorted(listed - set(patterns))
    assert not gone, f"tests/permissions_matrix.py lists URL patterns that no longer exist: {gone}"
    assert covered_by_rule and ADMIN_URL_RULE
    for row in rows:
        assert len(row.ids) == len(patterns[row.name]), f"{row.label} needs ids for {patterns[row.name]}"
    methods = {}
    for row in rows:
        methods.setdefault(row.label, []).append(row.method)
    odd = {label: found for label, found in methods.items() if sorted(found) != ["GET", "POST"]}
    assert not odd, f"each URL and object needs one GET line and one POST line: {odd}"


# The world: the demo council, a report in every state, appendices, a meeting of each kind --------


def add_appendix(report, title):
    return stored_appendix(report, title, text_pdf(title))


def keep_original(appendix):
    """Make `appendix` one converted from a Word file: its original and first-page thumbnail kept."""
    appendix.source_format, appendix.conversion = "docx", "done"
    appendix.original.save("original.docx", ContentFile(b"PK original"), save=False)
    appendix.thumbnail.save("thumbnail.png", ContentFile(b"\x89PNG thumbnail"), save=False)
    appendix.save()
    return appendix


def build_world(demo, capture):
    """The objects the matrix names, by name."""
    complete = report_in(demo, "draft", subject="A complete draft, ready to submit")
    consulting = report_in(demo, "consultation", subject="In consultation")
    signed = report_in(demo, "signed_off", subject="Signed off, waiting for approval")
    approved = report_in(demo, "approved", subject="Approved, waiting for an agenda")
    placed = report_in(demo, "approved", subject="Approved, on the compiling meeting's agenda")
    planned = report_in(demo, "draft", subject="A key decision waiting for the Forward Plan")
    Report.objects.filter(pk=planned.pk).update(
        is_key_decision=True, in_forward_plan=True, forward_plan_date=timezone.localdate()
    )
    accepted = report_in(demo, "draft", subject="A key decision on the Forward Plan, its report a draft")
    Report.objects.filter(pk=accepted.pk).update(
        is_key_decision=True, in_forward_plan=True, forward_plan_date=timezone.localdate(),
        forward_plan_accepted_on=timezone.localdate(), forward_plan_accepted_by=demo.clerk,
    )  # fmt: skip
    draft_appendix = keep_original(add_appendix(demo.draft, "Draft appendix"))
    consulting_appendix = add_appendix(consulting, "Appendix in consultation")
    seed_appendix = add_appendix(demo.seed, "Seed appendix")
    # The board's next meeting, published with both waiting reports: the exempt one in Part 2.
    published, public, exempt = publish_upcoming(demo, capture)
    assert public.subject == PUBLIC_SUBJECT and exempt.is_exempt
    exempt_appendix = keep_original(add_appendix(exempt, "Exempt appendix"))
    # A correction open on the public report, its summary changed, so that it can be republished.
    correction = reports_services.report_open_correction(report=public, user=demo.clerk).draft
    reports_services.report_save_draft(
        report=correction, fields={"summary": "A corrected summary."}, recommendations=None, sections=None,
        user=demo.officer, expected_version=1,
    )  # fmt: skip
    draft_figure, exempt_figure, seed_figure = (stored_figure(r) for r in (demo.draft, exempt, demo.seed))
    # Stored as they are once approved, so only the draft's PDF is made on request.
    for report in [exempt, demo.seed]:
        store_report_pdf(Report.objects.get(pk=report.pk))
    build_packs(published)
    # A note member made on the exempt report in the reader (so member has notes of it to delete).
    member_note(demo, published, exempt)
    # Its first supplement published (an item added after publication), its packs built; a second
    # item waits for the next supplement.
    agenda.agenda_add_item(
        meeting=published, user=demo.clerk, title="A late update", urgency_reason="Figures came late."
    )
    with capture(execute=True):
        supplement = agenda.supplement_publish(meeting=published, user=demo.clerk)
    for pack in supplement.packs.all():
        build_pack_now(pack.pk)
    agenda.agenda_add_item(meeting=published, user=demo.clerk, title="A later update", urgency_reason="Later still.")
    # A meeting being compiled: the standard items, a report, and another item to reorder it with.
    day = timezone.localdate() + dt.timedelta(days=42)
    scheduled = Meeting.objects.create(
        board=demo.board,
        starts_at=timezone.make_aware(dt.datetime(day.year, day.month, day.day, 14)),
        venue="Town Hall",
    )
    placed_item = agenda.agenda_add_report(meeting=scheduled, report=placed, user=demo.clerk)
    agenda.agenda_add_item(meeting=scheduled, user=demo.clerk, title="An update from the Director")
    # A meeting cancelled after its agenda (a public report) was published and read from the API: its
    # paper, agenda item, file and consultation stay at their addresses as deleted objects (issue 22).
    withdrawn = report_in(demo, "approved", subject="Published, then its meeting cancelled")
    day = timezone.localdate() + dt.timedelta(days=70)
    cancelled = Meeting.objects.create(
        board=demo.board, starts_at=timezone.make_aware(dt.datetime(day.year, day.month, day.day, 14)), venue="Bootle"
    )
    withdrawn_item = agenda.agenda_add_report(meeting=cancelled, report=withdrawn, user=demo.clerk)
    with capture(execute=True):
        agenda.agenda_publish(meeting=cancelled, user=demo.clerk)
    assert "deleted" not in Client().get(f"/api/v1/papers/{withdrawn.pk}/").json()
    agenda.meeting_cancel(meeting=cancelled, user=demo.clerk)
    assert Client().get(f"/api/v1/papers/{withdrawn.pk}/").json()["deleted"] is True
    change = interests.register_propose_add(member=demo.member, user=demo.member, fields=INTEREST)
    # The Cabinet, scrutinised by a committee member sits on: a held meeting with one decision noticed.
    cabinet = Board.objects.create(name="Cabinet", slug="cabinet", is_executive=True)
    scrutiny = Board.objects.create(name="Overview and Scrutiny Committee", slug="overview-and-scrutiny")
    scrutiny.scrutinises.add(cabinet)
    Membership.objects.create(board=scrutiny, user=demo.member)
    cabinet_held = Meeting.objects.create(
        board=cabinet, starts_at=timezone.now() - dt.timedelta(days=1), status=Meeting.Status.HELD,
        agenda_published_at=timezone.now() - dt.timedelta(days=10),
    )  # fmt: skip
    decided_item = AgendaItem.objects.create(meeting=cabinet_held, position=1, title="A decision", decision="Agreed.")
    noticed = AgendaItem.objects.create(
        meeting=cabinet_held, position=2, title="A noticed decision", decision="Agreed."
    )
    notice = notices.notice_publish(item=noticed, user=demo.clerk, decision="Agreed.", reasons="R.", alternatives="A.")
    secret_item = AgendaItem.objects.create(
        meeting=cabinet_held, position=3, title="A Part 2 decision", own_is_exempt=True, own_exempt_paragraph=3,
        decision="Agreed.",
    )  # fmt: skip
    exempt_action = actions.action_create(
        item=secret_item, user=demo.clerk, description="A Part 2 action.", owner=demo.director,
        due_on=timezone.localdate(),
    )  # fmt: skip
    od_draft = officer_decisions.officer_decision_record(user=demo.officer, fields=officer_decision())
    od_submitted = OfficerDecision.objects.get(status=OfficerDecision.Status.SUBMITTED, officer=demo.officer)
    od_published = OfficerDecision.objects.published().filter(officer=demo.director, exempt_paragraph=None).first()
    od_exempt = OfficerDecision.objects.published().get(exempt_paragraph__isnull=False)
    pending, confirmed = (
        follow_subscription(demo, f"{name}@example.org", confirm=name == "confirmed")
        for name in ("pending", "confirmed")
    )
    # Someone democratic services invited as a councillor, who has not chosen a password yet; and a stand-in
    # director named for officer from tomorrow (so no report's approvers change today).
    invitee = people.user_invite(
        by=demo.clerk, email="invitee@example.org", first_name="Ivy", last_name="Invited", councillor=True
    )
    stand_in = people.stand_in_name(
        post=Post.objects.get(holder=demo.director), deputy=demo.officer, by=demo.director,
        starts_on=timezone.localdate() + dt.timedelta(days=1), ends_on=timezone.localdate() + dt.timedelta(days=9),
    )  # fmt: skip
    # Reference lists: a portfolio retired before the test, for restoring.
    retired_portfolio = Portfolio.objects.create(name="A retired portfolio", position=99, is_active=False)
    # The draft and the exempt report as imported from Word, each with a part not placed.
    for imported in (demo.draft, exempt):
        WordImport.objects.create(
            report=imported, imported_by=imported.author, on_template=True, unplaced=[["Summary", "Not placed"]]
        )
    ids = {
        "ward": Ward.objects.get(name="Ainsdale").pk,
        "itype": ImplicationType.objects.get(name="Equality Implications").pk,
        "retired_portfolio": retired_portfolio.pk,
        "invitee": invitee.pk,
        "invitee_uid": urlsafe_base64_encode(force_bytes(invitee.pk)),
        "invitee_token": people.invitation_tokens.make_token(invitee),
        "stand_in": stand_in.pk,
        "draft": demo.draft.pk,
        "complete": complete.pk,
        "consulting": consulting.pk,
        "signed": signed.pk,
        "approved": approved.pk,
        "planned": planned.pk,
        "accepted": accepted.pk,
        "exempt": exempt.pk,
        "public": public.pk,
        "correction": correction.pk,
        "seed": demo.seed.pk,
        "draft_appendix": draft_appendix.pk,
        "consulting_appendix": consulting_appendix.pk,
        "exempt_appendix": exempt_appendix.pk,
        "seed_appendix": seed_appendix.pk,
        "draft_figure": draft_figure.pk,
        "exempt_figure": exempt_figure.pk,
        "seed_figure": seed_figure.pk,
        "published": published.pk,
        "held": demo.meeting.pk,
        "scheduled": scheduled.pk,
        "placed_item": placed_item.pk,
        "exempt_item": exempt.agenda_item.pk,
        "seed_item": demo.seed.agenda_item.pk,
        "board": demo.board.slug,
        "board_id": demo.board.pk,
        "officer": demo.officer.pk,
        "councillor": demo.member.pk,
        "report_type": ContentType.objects.get_for_model(Report).pk,
        "member_user": demo.member.pk,
        "entry": demo.member.register_entries.get(is_sensitive=False).pk,
        "change": change.pk,
        "declaration": demo.seed.agenda_item.declarations.get().pk,
        "seat": demo.member.memberships.get(board=demo.board).pk,
        "seed_file": f"paper-{demo.seed.pk}",
        "exempt_file": f"paper-{exempt.pk}",
        "seed_appendix_file": f"appendix-{seed_appendix.pk}",
        "exempt_appendix_file": f"appendix-{exempt_appendix.pk}",
        "agenda_file": f"agenda-{published.pk}",
        "meeting_location": f"meeting-{published.pk}",
        "board_location": f"board-{demo.board.pk}",
        "cancelled": cancelled.pk,
        "withdrawn": withdrawn.pk,
        "withdrawn_item": withdrawn_item.pk,
        "withdrawn_file": f"paper-{withdrawn.pk}",
        "cabinet_held": cabinet_held.pk,
        "decided_item": decided_item.pk,
        "notice": notice.pk,
        "od_draft": od_draft.pk,
        "od_submitted": od_submitted.pk,
        "od_published": od_published.pk,
        "od_exempt": od_exempt.pk,
        "follow_pending": pending.token,
        "follow_confirmed": confirmed.token,
        "action": Action.objects.get(description=actions_demo.IN_PROGRESS).pk,
        "exempt_action": exempt_action.pk,
    }
    return SimpleNamespace(ids=ids, demo=demo, scheduled=scheduled, approved=approved, exempt=exempt)


def member_note(demo, meeting, report):
    from reader import selectors as reader_selectors
    from reader import services as reader_services

    section = report.sections.order_by("position", "pk").first()
    change = {"id": "6f1c2b9e-0000-4000-8000-0000000000aa", "anchor": f"s{section.pk}-p1", "quote": "",
              "highlight": False, "text": "Member's own note", "deleted": False, "base": 0}  # fmt: skip
    index = reader_selectors.meeting_blocks(demo.member, meeting)
    result = reader_services.notes_sync(user=demo.member, meeting=meeting, changes=[change], index=index)
    assert not result.refused, result.refused


def follow_subscription(demo, email, *, confirm):
    """A subscription to the board by `email`, confirmed or waiting for its confirmation."""
    things = [(Subscription.Kind.BOARD, demo.board, None, "")]
    follow.follow_subscribe(email=email, things=things, frequency=Subscription.Frequency.IMMEDIATE)
    subscription = Subscription.objects.get(address__email=email)
    return follow.follow_confirm(token=subscription.token) if confirm else subscription


def url_for(row, arguments, world):
    """The row's URL and its arguments: its ids (objects of the world, or values as they are) in the pattern's order."""
    kwargs = dict(zip(arguments, [world.ids.get(value, value) for value in row.ids], strict=True))
    return reverse(row.name, kwargs=kwargs), kwargs


# What a POST carries: the fields a person would fill in where they make the difference between an
# action done and one refused; every other URL is posted an empty body.
APPENDIX_PDF = text_pdf("An appendix uploaded by the permission test")
NEW_PASSWORD = "a-new-password-for-the-matrix-7"
FIGURE_PNG = images.png()


class JsonBody(str):
    """A POST body sent as JSON (the reader's notes API), not as form fields."""


def reader_sync(world, kwargs):
    """A new note on the first paragraph of the exempt report's body, for the published meeting."""
    section = world.exempt.sections.order_by("position", "pk").first()
    change = {"id": "6f1c2b9e-0000-4000-8000-000000000001", "anchor": f"s{section.pk}-p1", "quote": "",
              "highlight": True, "text": "A note of the permission test", "deleted": False, "base": 0}  # fmt: skip
    return JsonBody(json.dumps({"device": "matrix", "meeting": world.ids["published"], "changes": [change]}))


def reader_offline_check(world, kwargs):
    """The offline check of a device keeping the published meeting, the exempt report's page among its papers."""
    item = AgendaItem.objects.get(report=world.exempt)
    exempt = [f"/reader/meetings/{world.ids['published']}/items/{item.pk}/"]
    return JsonBody(json.dumps({"meetings": [{"meeting": world.ids["published"], "exempt": exempt}]}))


def edited_report(world, kwargs):
    report = Report.objects.get(pk=kwargs["pk"])
    return form_data(report, summary=report.summary + " Changed by the permission test.")


INTEREST = {"category": "securities", "description": "Shares in Mersey Ferries plc", "whose": "member"}


def officer_decision(**changes):
    """An officer decision's fields, for the service; officer_decision_form: the same as a form posts them."""
    return {"title": "A decision of the permission test", "decision": "To buy a van.",
            "decided_on": timezone.localdate(), "officer_title": "Consultant in Public Health",
            "delegated_power": "Scheme of Delegation, paragraph 4.5.", "reasons": "The old one broke.",
            **changes}  # fmt: skip


def officer_decision_form(world, kwargs):
    return officer_decision(decided_on=timezone.localdate().isoformat())


def declared(world, kwargs):
    item = Meeting.objects.get(pk=kwargs["pk"]).items.issued().order_by("position").last()
    return {"item": item.pk, "member": world.demo.member.pk, "kind": "pecuniary", "nature": "Shares in the bidder",
            "conduct": "left_room"}  # fmt: skip


def voted(world, kwargs):
    """A show of hands on the item, moved and seconded by two members present at the demo meeting."""
    movers = dict(User.objects.filter(username__in=["cllr.rahman", "cllr.kenyon"]).values_list("username", "pk"))
    return {"text": "That the report be noted.", "mover": movers["cllr.rahman"], "seconder": movers["cllr.kenyon"],
            "method": "hands", "votes_for": "3", "votes_against": "0", "abstentions": "1",
            "amendment-TOTAL_FORMS": "0", "amendment-INITIAL_FORMS": "0"}  # fmt: skip


def new_order(world, kwargs):
    movable = world.scheduled.items.exclude(kind=AgendaItem.Kind.STANDARD).order_by("-position")
    return {"order": ",".join(str(item.pk) for item in movable)}


def moved(world, kwargs):
    """The meeting on a later working day (not its own), in another room."""
    meeting = Meeting.objects.get(pk=kwargs["pk"])
    day = max(meeting.date, timezone.localdate()) + dt.timedelta(days=7)
    while not clock.is_working_day(day):
        day += dt.timedelta(days=1)
    return {"date": day.isoformat(), "time": "10:00", "venue": "Committee Room 2"}


def programme(world, kwargs):
    """The second Wednesday of every other month next year, the first of them ticked."""
    year = timezone.localdate().year + 1
    first = clock.programme_dates(weekday=2, week=2, every=2, start=dt.date(year, 1, 1), end=dt.date(year, 1, 1))[0]
    return {"week": "2", "weekday": "2", "every": "2", "time": "14:00", "venue": "", "start": f"{year}-01",
            "end": f"{year}-12", "dates": [first.isoformat()]}  # fmt: skip


def _word_report():
    """A small .docx on the template, for wordio:import."""
    import io

    from docx import Document

    document = Document()
    document.add_paragraph("Summary:")
    document.add_paragraph("A report imported by the permission test.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


BODIES = {
    "accounts:person_new": lambda world, kwargs: {
        "email": "asked@example.org",
        "first_name": "Asa",
        "last_name": "Asked",
        "councillor": "on",
    },
    "accounts:person": lambda world, kwargs: {"is_author": "on", "is_monitoring_officer": "on"},
    "accounts:invitation": lambda world, kwargs: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    "accounts:stand_in_new": lambda world, kwargs: {
        "post": Post.objects.get(title="Director of Public Health").pk,
        "deputy": world.demo.outsider.pk,
        "starts_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "ends_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    },
    "reference:list": lambda world, kwargs: {"name": "Climate Implications"},
    "reference:edit": lambda world, kwargs: {"name": "Ainsdale and Woodvale"},
    "reference:move": lambda world, kwargs: {"direction": "up"},
    "reports:new": lambda world, kwargs: {"subject": "A report started by the permission test"},
    "wordio:import": lambda world, kwargs: {"file": SimpleUploadedFile("report.docx", _word_report())},
    "reports:edit": edited_report,
    "reports:return": lambda world, kwargs: {"comment": "Please say where the money comes from."},
    "reports:withdraw_approval": lambda world, kwargs: {"reason": "The figures have changed."},
    "reports:release": lambda world, kwargs: {"reason": "The contract has been awarded."},
    "reports:correction_republish": lambda world, kwargs: {"what_changed": "The summary is corrected."},
    "reports:release_terms": lambda world, kwargs: {
        "release_review_on": "2030-03-01",
        "release_condition": "After the contract is awarded.",
    },
    "reports:appendix_upload": lambda world, kwargs: {
        "title": "Map of the wards",
        "file": SimpleUploadedFile("map.pdf", APPENDIX_PDF, content_type="application/pdf"),
    },
    "reports:figure_upload": lambda world, kwargs: {
        "figure-file": SimpleUploadedFile("chart.png", FIGURE_PNG, content_type="image/png"),
        "figure-alt_text": "A bar chart of the permission test",
    },
    "boards:meeting_new": lambda world, kwargs: {
        "board": world.demo.board.pk,
        "date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "time": "14:00",
    },
    "boards:programme": programme,
    "boards:new": lambda world, kwargs: {
        "name": "Licensing Committee",
        "default_time": "18:00",
        "quorum": "3",
        "report_deadline_days": "5",
    },
    "boards:settings": lambda world, kwargs: {
        "name": world.demo.board.name,
        "default_venue": "Bootle Town Hall",
        "default_time": "10:00",
        "quorum": "4",
        "report_deadline_days": "5",
    },
    "boards:retire": lambda world, kwargs: {"action": "retire"},
    "boards:members": lambda world, kwargs: {
        "user": world.ids["invitee"],
        "role": "substitute",
        "starts_on": timezone.localdate().isoformat(),
    },
    "boards:membership_role": lambda world, kwargs: {
        "role": "substitute",
        "on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
    },
    "boards:membership_end": lambda world, kwargs: {"ends_on": timezone.localdate().isoformat()},
    "boards:meeting_move": moved,
    "boards:meeting_status": lambda world, kwargs: {"action": "cancel"},
    "boards:meeting_decisions": lambda world, kwargs: {
        f"item_{item.pk}": f"Decision on {item.title}" for item in Meeting.objects.get(pk=kwargs["pk"]).items.all()
    },
    "boards:agenda_add_report": lambda world, kwargs: {"report": world.approved.pk},
    "boards:agenda_add_item": lambda world, kwargs: {"title": "Any other business"},
    "boards:agenda_reorder": new_order,
    "minutes:minutes": lambda world, kwargs: {"action": "draft"},
    "members:attendance": lambda world, kwargs: attendance_post(Meeting.objects.get(pk=kwargs["pk"]), {}),
    "members:apologies_send": lambda world, kwargs: {f"m{kwargs['pk']}-reason": "On leave"},
    "follow:follow": lambda world, kwargs: {
        "email": "asks@example.org",
        "board": world.demo.board.slug,
        "frequency": "daily",
    },
    "interests:add": lambda world, kwargs: INTEREST,
    "interests:edit": lambda world, kwargs: {**INTEREST, "description": "Shares in Mersey Ferries Holdings plc"},
    "interests:return": lambda world, kwargs: {"reason": "Name the company's registered office."},
    "interests:declarations": declared,
    "interests:declare": declared,
    "votes:record": voted,
    "actions:new": lambda world, kwargs: {
        "description": "Write to the partners.",
        "owner": world.demo.officer.pk,
        "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    },
    "reader:api_sync": reader_sync,
    "reader:offline_check": reader_offline_check,
    "actions:update": lambda world, kwargs: {"status": "done", "note": "Done by the permission test."},
    "officer_decisions:new": officer_decision_form,
    "officer_decisions:edit": officer_decision_form,
    "officer_decisions:return": lambda world, kwargs: {"comment": "Name the budget the money comes from."},
    "admin:reports_report_delete": lambda world, kwargs: {"post": "yes"},
    "admin:auth_user_password_change": lambda world, kwargs: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
}


# Did the database change? ----------------------------------------------------------------------------

# Left out of the comparison because a request writes them whoever asks and whatever is asked:
# - django_session: a request moves the session's expiry on (at most once a minute: the idle timeout,
#   config.middleware.IdleTimeoutMiddleware), and signing out deletes it;
# - django-axes' attempts and logs: the sign-in views record attempts by design (axes is off in tests);
# - reports_reportreading: the consultee's page records that they read the report each time it is
#   shown, and a refused sign-off or return shows that page again, with the refusal on it.
# - public_apirecord and public_apistate: the open data API's change records; the first API answer after a
#   public change compares what the API prints with them (public/harvest.py), so a GET writes them by design.
# Everything else is compared: reports and their parts, sign-offs, events, agenda items, meetings,
# packs, users, the history tables, the task queue and the admin's log.
UNCOMPARED = {
    "django_session",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
    "reports_reportreading",
    "public_apirecord",
    "public_apistate",
}


def compared_tables():
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not (meta.proxy or not meta.managed or meta.db_table in UNCOMPARED):
            tables.add((meta.db_table, meta.pk.column))
    return sorted(tables)


def table_checksums(tables):
    """A checksum of each table's rows (in primary key order), by table.

    PostgreSQL sums every table up itself, in one query (each row as its text, in order); the test
    asks after every POST, hundreds of times, and reading each table's rows out was most of its time.
    """
    quote = connection.ops.quote_name
    checksums = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t.{quote(pk)}), '')) "
                    f"FROM {quote(table)} t)"
                    for table, pk in tables
                ),
                [table for table, _ in tables],
            )
            return dict(cursor.fetchall())
        for table, pk in tables:
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
            checksums[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return checksums


def writes_so_far():
    """What this connection has written so far. On PostgreSQL, by table: the rows this transaction has
    inserted, updated and deleted (those of savepoints rolled back too); on SQLite, the rows changed
    by every statement since the connection opened (sqlite3's total_changes).

    Either only grows with each write, so a table whose figure is the same after a request as before
    it was not written by the request, and need not be summed up again.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
                "WHERE schemaname = current_schema()"
            )
            return {table: counts for table, *counts in cursor.fetchall()}
    connection.ensure_connection()
    return connection.connection.total_changes


def tables_written(tables, before):
    """Those of `tables` that may have been written since `writes_so_far()` gave `before`."""
    now = writes_so_far()
    if isinstance(now, dict):
        return [(table, pk) for table, pk in tables if now.get(table) != before.get(table)]
    return tables if now != before else []


# Asking ---------------------------------------------------------------------------------------------


def sign_in_everyone(demo):
    """A test client and a session key for each actor (no session for the anonymous visitor).

    Made once: a new client loads the middleware again, and WhiteNoise's scan of the static files
    takes 70 ms each time.
    """
    clients = {}
    for actor in ACTORS:
        client = Client()
        if actor != "anonymous":
            client.force_login(demo.users[actor])
        session = client.cookies.get(settings.SESSION_COOKIE_NAME)
        clients[actor] = (client, session.value if session else None)
    return clients


def outcome(response):
    """The answer as the matrix writes it."""
    if response.status_code in {301, 302, 303}:
        if response["Location"].startswith((settings.LOGIN_URL, reverse("admin:login"))):
            return "login"
        return "302"
    return str(response.status_code)


class Asker:
    """Makes each request in a savepoint rolled back after it, and says what the database changed."""

    def __init__(self, demo):
        self.clients = sign_in_everyone(demo)
        self.tables = compared_tables()
        self.before = table_checksums(self.tables)
        self.count = 0
        self.cached = []  # answers to a signed-in actor without Cache-Control: private, no-store

    def __call__(self, actor, method, url, body):
        """(The outcome, with `*` if a POST changed the database; the tables it changed)."""
        client, session_key = self.clients[actor]
        # Only the actor's session goes with the request (no messages left by the last answer), and
        # it is put back every time: the session that signing out deleted comes back with the rollback.
        client.cookies.clear()
        if session_key:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        self.count += 1
        changed = []
        with transaction.atomic():
            written = writes_so_far() if method == "POST" else None
            try:
                posted = {}
                if method == "POST":
                    posted = {"data": body}
                    if isinstance(body, JsonBody):
                        posted["content_type"] = "application/json"
                response = {"GET": client.get, "HEAD": client.head}.get(method, client.post)(url, **posted)
                got = outcome(response)
                if actor != "anonymous" and response.get("Cache-Control") != "private, no-store":
                    self.cached.append(f"{actor} {method} {url}: {response.get('Cache-Control')}")
                if response.streaming:
                    # Read to the end, which closes the file. (Not response.close(): the test client has
                    # closed a plain response already, and closing it again closes the database connection.)
                    b"".join(response.streaming_content)
            except Exception as exc:  # noqa: BLE001 - an error is a mismatch like any other
                got = f"{type(exc).__name__}: {exc}"[:100]
            else:
                if method == "POST":
                    # Only the tables the request wrote can differ: the others are not read again.
                    tables = tables_written(self.tables, written)
                    after = table_checksums(tables) if tables else {}
                    changed = [table for table, checksum in after.items() if checksum != self.before[table]]
                    got += "*" if changed else ""
            transaction.set_rollback(True)
        return got, changed


def admin_urls(world):
    """Every URL under /admin/, its ids filled in (tests/test_leaks.py's way), unnamed patterns included."""
    ids = world.ids
    pools = {
        "default": [ids["officer"]],
        "content_type_id": [ids["report_type"]],
        "object_id": [ids["exempt"]],
        "_0": [ids["exempt"]],
        "_1": [1],
        "url": ["nothing/"],
    }
    _, urls = every_url(pools)
    return [url for url in urls if url.startswith("/admin/")]


def admin_rule(url):
    """What ADMIN_URL_RULE says each actor but `admin` gets."""
    if url == reverse("admin:login"):
        return "200"
    if url == reverse("admin:logout"):
        return "302"  # to the admin's index, which sends them to its sign-in page
    return "login"


def mismatch_table(mismatches):
    rows = [("URL", "matrix line", "actor", "method", "expected", "got"), *mismatches]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)


def test_it_answers_every_url_for_every_actor_as_the_matrix_says(demo, django_capture_on_commit_callbacks):
    started = time.perf_counter()
    world = build_world(demo, django_capture_on_commit_callbacks)
    ask = Asker(demo)
    built = time.perf_counter()
    patterns = dict(url_patterns())
    mismatches, timings = [], []

    def check(url, label, method, expected, body_for=None, kwargs=None):
        for actor, wanted in expected.items():
            body = body_for(world, kwargs) if body_for and method == "POST" else {}
            got, changed = ask(actor, method, url, body)
            if got != wanted:
                where = f" ({', '.join(changed)})" if changed else ""
                mismatches.append((url, label, actor, method, wanted, got + where))

    for row in matrix_rows():
        row_started = time.perf_counter()
        url, kwargs = url_for(row, patterns[row.name], world)
        check(url, row.label, row.method, row.expected, BODIES.get(row.name), kwargs)
        if row.method == "GET":  # HEAD is answered wherever GET is, as GET answers it (issue 22)
            check(url, row.label, "HEAD", {a: row.expected[a] for a in HEAD_ACTORS})
        timings.append((time.perf_counter() - row_started, f"{row.label} {row.method}"))
    matrix_done = time.perf_counter()
    admin = admin_urls(world)
    assert len(admin) > 100
    for url in admin:
        for method in ["GET", "POST"]:
            expected = {actor: admin_rule(url) for actor in ACTORS if actor != "admin"}
            check(url, "ADMIN_URL_RULE", method, expected)

    assert table_checksums(ask.tables) == ask.before, "every request was rolled back"
    timings.sort(reverse=True)
    names = {row.name for row in matrix_rows()}
    admin_names = {name for name in names if name.startswith("admin:")}
    print(
        f"\n{len(names - admin_names)} URL patterns and {len(admin_names)} of the admin's in {len(matrix_rows())} "
        f"matrix lines, and {len(admin)} admin URLs under the rule: {ask.count} requests. The world took "
        f"{built - started:.1f} s, the matrix {matrix_done - built:.1f} s, the rule {time.perf_counter() - matrix_done:.1f} s; "
        "slowest lines: " + ", ".join(f"{label} {seconds:.2f} s" for seconds, label in timings[:4])
    )
    assert not ask.cached, "answers to a signed-in person that a cache may keep:\n" + "\n".join(ask.cached[:20])
    assert not mismatches, (
        f"{len(mismatches)} of {ask.count} answers differ from tests/permissions_matrix.py "
        "(* = the POST changed the database; the tables it changed follow):\n" + mismatch_table(mismatches)
    )
