"""History is rows: every state-changing service of a report, a meeting or an agenda item leaves one,
the clerk's meeting page lists the meeting's, and no page load (GET) writes anything."""

import datetime as dt
import inspect
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import timezone

from boards import clock
from boards import services as agenda
from boards.models import AgendaItem, Board, BoardEvent, Meeting, MeetingEvent, Membership
from officer_decisions.models import OfficerDecision, OfficerDecisionEvent
from reports import services
from reports.models import Report, ReportEvent, ReportReading
from tests.test_workflow import complete_draft, edit

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")

# Every model with a history, and the rows that hold it.
HISTORIES = {
    Report: ReportEvent,
    Meeting: MeetingEvent,
    AgendaItem: MeetingEvent,
    OfficerDecision: OfficerDecisionEvent,  # tested in tests/test_officer_decisions.py
    Board: BoardEvent,  # a board's settings and seats: tested in tests/test_board_admin.py
    Membership: BoardEvent,
}


def state_changing_services():
    """The services that change a report, a meeting or an agenda: boards' agenda_*, meeting_* and supplement_*,
    and reports' report_* (reads such as publication_checks are named otherwise)."""
    names = set()
    for module, prefixes in [(agenda, ("agenda_", "meeting_", "supplement_")), (services, ("report_",))]:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and name.startswith(prefixes):
                names.add(name)
    return names


def test_it_lists_every_model_with_a_history():
    with_events = {
        model for model in apps.get_models() if any(rel.related_name == "events" for rel in model._meta.related_objects)
    }
    assert with_events == set(HISTORIES)


def rows():
    """How many history rows there are of each kind."""
    return {
        "report": ReportEvent.objects.count(),
        "meeting": MeetingEvent.objects.count(),
        "item": MeetingEvent.objects.filter(item__isnull=False).count(),
        "reading": ReportReading.objects.count(),
        "report_history": Report.history.count(),
    }


def test_it_leaves_a_row_for_every_state_changing_service(demo, django_capture_on_commit_callbacks):
    clerk = demo.clerk
    done = {}

    def step(name, kinds, call):
        before = rows()
        result = call()
        after = rows()
        grew = {kind for kind in after if after[kind] > before[kind]}
        assert set(kinds) <= grew, f"{name} left no {set(kinds) - grew} row"
        done[name] = result
        return result

    # A meeting of today, scheduled through the service: it gets its standard items and a row.
    today = timezone.localdate()
    starts = dt.datetime(today.year, today.month, today.day, 23, 59, tzinfo=LONDON)
    meeting = step(
        "meeting_schedule",
        ["meeting"],
        lambda: agenda.meeting_schedule(board=demo.board, starts_at=starts, venue="", user=clerk),
    )
    assert meeting.items.filter(kind=AgendaItem.Kind.STANDARD).count() == 3
    # A report through its workflow.
    report = complete_draft(demo, subject="A report for the history test")
    step("report_save_draft", ["report_history"], lambda: edit(report, demo.officer, summary="<p>Changed.</p>"))
    step("report_submit", ["report"], lambda: services.report_submit(report=report, user=demo.officer))
    step("report_record_reading", ["reading"], lambda: services.report_record_reading(report=report, user=demo.finance))
    step(
        "report_return", ["report"], lambda: services.report_return(report=report, user=demo.finance, comment="Fix it.")
    )
    services.report_submit(report=report, user=demo.officer)
    step("report_sign_off", ["report"], lambda: services.report_sign_off(report=report, user=demo.finance))
    services.report_sign_off(report=report, user=demo.legal)
    step("report_approve", ["report"], lambda: services.report_approve(report=report, user=demo.director))
    step(
        "report_withdraw_approval",
        ["report"],
        lambda: services.report_withdraw_approval(report=report, user=demo.director, reason="Figures changed."),
    )
    report = complete_draft(demo, subject="Another report for the history test")
    for user in [demo.officer, demo.finance, demo.legal]:
        (services.report_submit if user == demo.officer else services.report_sign_off)(report=report, user=user)
    services.report_approve(report=report, user=demo.director)
    late = "The board must decide before the next meeting."
    item = step(
        "agenda_add_report",
        ["meeting", "item", "report"],
        lambda: agenda.agenda_add_report(meeting=meeting, report=report, user=clerk, urgency_reason=late),
    )
    step(
        "agenda_remove_item",
        ["meeting", "report"],
        lambda: agenda.agenda_remove_item(item=item, user=clerk),
    )
    step(
        "report_place_on_agenda",
        ["report"],
        lambda: services.report_place_on_agenda(report=report, meeting=meeting, user=clerk),
    )
    step(
        "report_take_off_agenda",
        ["report"],
        lambda: services.report_take_off_agenda(report=report, meeting=meeting, user=clerk),
    )
    item = agenda.agenda_add_report(meeting=meeting, report=report, user=clerk, urgency_reason=late)
    other = step(
        "agenda_add_item",
        ["meeting", "item"],
        lambda: agenda.agenda_add_item(meeting=meeting, user=clerk, title="An update", urgency_reason=late),
    )
    step(
        "agenda_reorder",
        ["meeting"],
        lambda: agenda.agenda_reorder(meeting=meeting, user=clerk, order=[other.pk, item.pk]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        step("agenda_publish", ["meeting", "report"], lambda: agenda.agenda_publish(meeting=meeting, user=clerk))
    step("report_publish", [], lambda: None)  # done by agenda_publish just now: its row is the report's
    assert Report.objects.get(pk=report.pk).events.filter(action="published").exists()
    agenda.agenda_add_item(meeting=meeting, user=clerk, title="A late update", urgency_reason=late)
    step("supplement_publish", ["meeting"], lambda: agenda.supplement_publish(meeting=meeting, user=clerk))
    step("meeting_mark_held", ["meeting"], lambda: agenda.meeting_mark_held(meeting=meeting, user=clerk))
    step(
        "meeting_record_decisions",
        ["meeting", "item"],
        lambda: agenda.meeting_record_decisions(meeting=meeting, user=clerk, decisions={item.pk: "Agreed."}),
    )
    step("meeting_approve_minutes", ["meeting"], lambda: agenda.meeting_approve_minutes(meeting=meeting, user=clerk))
    # Cancelling a published meeting defers its reports.
    upcoming = demo.board.meetings.filter(starts_at__gt=timezone.now() + dt.timedelta(days=7)).get()
    waiting = Report.objects.get(subject="Better Care Fund Plan 2025 to 2027")
    exempt = Report.objects.get(subject="Sexual Health Services: Contract Award")
    agenda.agenda_add_report(meeting=upcoming, report=waiting, user=clerk)
    agenda.agenda_add_report(meeting=upcoming, report=exempt, user=clerk)
    with django_capture_on_commit_callbacks(execute=True):
        agenda.agenda_publish(meeting=upcoming, user=clerk)
    # An exempt paper on the published agenda: its review date moved, then released.
    step(
        "report_set_release_terms",
        ["report"],
        lambda: services.report_set_release_terms(
            report=exempt, user=clerk, review_on=today + dt.timedelta(days=7), condition="After the award."
        ),
    )
    step(
        "report_release",
        ["report"],
        lambda: services.report_release(report=exempt, user=clerk, reason="The contract was awarded early."),
    )
    # A published report corrected before its meeting: a correction opened and abandoned, then one republished.
    step("report_open_correction", ["report"], lambda: services.report_open_correction(report=waiting, user=clerk))
    step(
        "report_abandon_correction",
        ["report"],
        lambda: services.report_abandon_correction(report=waiting, user=clerk),
    )
    correction = services.report_open_correction(report=waiting, user=clerk)
    edit(correction.draft, demo.officer, summary="A corrected summary.")
    with django_capture_on_commit_callbacks(execute=True):
        step(
            "report_republish",
            ["report", "report_history"],
            lambda: services.report_republish(report=waiting, user=clerk, what_changed="The summary is corrected."),
        )
    assert Report.objects.get(pk=waiting.pk).summary == "A corrected summary."
    later = upcoming.starts_at + dt.timedelta(days=1)
    while not clock.is_working_day(timezone.localtime(later).date()):
        later += dt.timedelta(days=1)
    step(
        "meeting_move",
        ["meeting"],
        lambda: agenda.meeting_move(meeting=upcoming, starts_at=later, venue="Council Chamber", user=clerk),
    )
    next_year = dt.datetime(today.year + 1, 2, 3, 14, tzinfo=LONDON)
    step(
        "meeting_schedule_programme",
        ["meeting"],
        lambda: agenda.meeting_schedule_programme(board=demo.board, starts=[next_year], venue="", user=clerk),
    )
    step("meeting_cancel", ["meeting", "report"], lambda: agenda.meeting_cancel(meeting=upcoming, user=clerk))
    assert Report.objects.get(pk=waiting.pk).events.filter(action="deferred").exists()
    step("report_defer", [], lambda: None)  # by meeting_cancel just now
    fp = complete_draft(demo, subject="A key decision for the history test")
    Report.objects.filter(pk=fp.pk).update(is_key_decision=True, in_forward_plan=True, forward_plan_date=today)
    step(
        "report_accept_for_forward_plan",
        ["report"],
        lambda: services.report_accept_for_forward_plan(report=fp, user=clerk),
    )
    past = complete_draft(demo, subject="A report of a meeting before the system")
    step(
        "report_record_past_publication",
        ["report", "report_history"],
        lambda: services.report_record_past_publication(report=past, user=clerk, at=timezone.now()),
    )

    assert set(done) == state_changing_services()
    actions = list(MeetingEvent.objects.filter(meeting=meeting).values_list("action", flat=True))
    assert actions == [
        "scheduled",
        "report_added",
        "item_removed",
        "report_added",
        "item_added",
        "reordered",
        "agenda_published",
        "item_added",
        "supplement_published",
        "held",
        "decision_recorded",
        "minutes_approved",
    ]
    published = MeetingEvent.objects.get(meeting=meeting, action="agenda_published")
    assert (published.actor, published.from_status, published.to_status) == (clerk, "scheduled", "agenda_published")


def test_it_shows_the_meetings_history_on_the_clerks_page(demo, login):
    day = timezone.localdate() + dt.timedelta(days=40)
    starts = dt.datetime(day.year, day.month, day.day, 14, tzinfo=LONDON)
    meeting = agenda.meeting_schedule(board=demo.board, starts_at=starts, venue="", user=demo.clerk)
    agenda.agenda_add_item(meeting=meeting, user=demo.clerk, title="A presentation on the new clinic")
    html = login(demo.clerk).get(f"/meetings/{meeting.pk}/").content.decode()
    history = html[html.index('id="h-history"') :]
    assert "Scheduled" in history and "Item added to the agenda" in history
    assert "A presentation on the new clinic" in history and str(demo.clerk) in history


def test_it_writes_nothing_when_the_clerk_opens_a_page(demo, django_capture_on_commit_callbacks):
    """Every GET in the permissions matrix, as democratic services: no row of any table changes (the
    session's aside, and the consultee's reading receipts, as tests/test_permissions.py leaves out)."""
    from django.test import Client
    from django.urls import reverse

    from tests.permissions_matrix import matrix_rows
    from tests.test_permissions import build_world, compared_tables, table_checksums, url_for, url_patterns

    world = build_world(demo, django_capture_on_commit_callbacks)
    # A meeting scheduled without the service, as an old one: its page used to make the standard items.
    bare = Meeting.objects.create(board=demo.board, starts_at=timezone.now() + dt.timedelta(days=50))
    client = Client()
    client.force_login(demo.clerk)
    patterns = dict(url_patterns())
    urls = [url_for(row, patterns[row.name], world)[0] for row in matrix_rows() if row.method == "GET"]
    urls = [url for url in urls if not url.startswith("/admin/")] + [reverse("boards:meeting", args=[bare.pk])]
    tables = compared_tables()
    before = table_checksums(tables)
    for url in urls:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    after = table_checksums(tables)
    assert [table for table in before if before[table] != after[table]] == []
    assert not bare.items.exists()
    assert len(urls) > 50
