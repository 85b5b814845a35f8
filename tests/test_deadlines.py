"""Due dates of reports on their way to a meeting, the reminders the daily job sends, the reports-due
page for democratic services, and My work's panels for each role (issue 17)."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts import services as people
from boards.models import Meeting
from deadlines import services, tasks
from deadlines.models import DailyRun, Reminder
from reports import services as workflow
from reports.models import Report
from tests.test_workflow import complete_draft

LONDON = ZoneInfo("Europe/London")


def meeting_on(board, day, hour=14):
    return Meeting.objects.create(board=board, starts_at=dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON))


def wednesday_in(days):
    """The first Wednesday at least `days` days from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return day + dt.timedelta(days=(2 - day.weekday()) % 7)


def report_for(demo, meeting, state="consultation", subject="Better Care Fund plan 2023 to 2025"):
    """A complete report by `officer` naming `meeting`, taken to `state` through the services."""
    report = complete_draft(demo, subject=subject)
    Report.objects.filter(pk=report.pk).update(meeting=meeting, board=meeting.board)
    report.refresh_from_db()
    if state in ("consultation", "signed_off"):
        workflow.report_submit(report=report, user=demo.officer)
    if state == "signed_off":
        workflow.report_sign_off(report=report, user=demo.finance)
        workflow.report_sign_off(report=report, user=demo.legal)
    report.refresh_from_db()
    return report


# Due dates ----------------------------------------------------------------------------------------


def test_due_dates_step_over_christmas_bank_holidays_and_weekends(demo):
    # Wednesday 13 January 2027: publish by Tuesday 5 January (five clear working days, 6 to 12
    # January); reports ready five working days before that: 4 January, then 31, 30, 29 December and
    # 24 December, stepping over New Year's Day, Christmas, Boxing Day observed and the weekends.
    meeting = meeting_on(demo.board, dt.date(2027, 1, 13))
    assert meeting.publication_deadline == dt.date(2027, 1, 5)
    assert meeting.report_deadline == dt.date(2026, 12, 24)
    assert meeting.approval_due == dt.date(2026, 12, 24)  # on the report deadline by default
    assert meeting.sign_off_due == dt.date(2026, 12, 21)  # three working days before: 23, 22, 21 December
    # Reminders two working days before: the sign-off's on Thursday 17 December (over the weekend),
    # the approval's on Tuesday 22 December.
    assert services.remind_on(meeting.sign_off_due) == dt.date(2026, 12, 17)
    assert services.remind_on(meeting.approval_due) == dt.date(2026, 12, 22)


def test_due_dates_follow_the_settings_and_step_over_easter(demo, settings):
    settings.REPORT_APPROVAL_DUE_WORKING_DAYS = 1
    settings.REPORT_SIGN_OFF_DUE_WORKING_DAYS = 3
    # Wednesday 7 April 2027: publish by Tuesday 30 March; report deadline Friday 19 March (Easter
    # Monday 29 March and Good Friday 26 March left out).
    meeting = meeting_on(demo.board, dt.date(2027, 4, 7))
    assert meeting.publication_deadline == dt.date(2027, 3, 30)
    assert meeting.report_deadline == dt.date(2027, 3, 19)
    assert meeting.approval_due == dt.date(2027, 3, 18)
    assert meeting.sign_off_due == dt.date(2027, 3, 15)  # 17, 16, then Monday 15 March
    settings.REMINDER_WORKING_DAYS = 1
    assert services.remind_on(dt.date(2027, 3, 15)) == dt.date(2027, 3, 12)  # the Friday before


def test_a_report_has_due_dates_only_on_its_way_to_a_meeting_to_come(demo):
    meeting = meeting_on(demo.board, wednesday_in(40))
    report = report_for(demo, meeting)
    assert (report.sign_off_due, report.approval_due) == (meeting.sign_off_due, meeting.approval_due)
    assert report.next_due == meeting.sign_off_due and not report.is_overdue
    assert Report.objects.on_their_way().filter(pk=report.pk).exists()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SIGNED_OFF)
    report.refresh_from_db()
    assert report.next_due == meeting.approval_due
    Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
    report.refresh_from_db()
    assert report.next_due is None and not Report.objects.on_their_way().filter(pk=report.pk).exists()
    # A cancelled meeting, or one that has passed, gives no due dates.
    Report.objects.filter(pk=report.pk).update(status=Report.Status.CONSULTATION)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    report.refresh_from_db()
    assert report.next_due is None and not Report.objects.on_their_way().filter(pk=report.pk).exists()
    Report.objects.filter(pk=report.pk).update(meeting=demo.meeting)  # 14 September 2022
    report.refresh_from_db()
    assert report.next_due is None and not Report.objects.on_their_way().filter(pk=report.pk).exists()


def test_a_report_whose_sign_off_date_has_passed_is_overdue(demo):
    soon = meeting_on(demo.board, timezone.localdate() + dt.timedelta(days=3))
    report = report_for(demo, soon)
    assert report.next_due < timezone.localdate() and report.is_overdue


# Reminders ----------------------------------------------------------------------------------------


def reminded():
    return sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)


def test_it_reminds_the_consultees_once_from_two_working_days_before_the_sign_off_date(demo):
    meeting = meeting_on(demo.board, wednesday_in(60))
    report = report_for(demo, meeting)
    mail.outbox.clear()
    day = services.remind_on(meeting.sign_off_due)
    assert services.send_due_reminders(today=day - dt.timedelta(days=1)) == 0
    assert services.send_due_reminders(today=day) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([demo.finance.email, demo.legal.email])
    message = mail.outbox[0]
    assert message.subject == f"Reminder: sign-off due {meeting.sign_off_due:%A} {meeting.sign_off_due.day} " + (
        f"{meeting.sign_off_due:%B %Y}: {report.title}"
    )
    assert f"/reports/{report.pk}/consult/" in message.body
    assert "Health and Wellbeing Board" in message.body
    # Once per report, person and due date, however often the job runs.
    assert services.send_due_reminders(today=day) == 0
    assert services.send_due_reminders(today=day + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(report=report, step=Reminder.Step.SIGN_OFF, due_on=meeting.sign_off_due).count() == 2


def test_it_reminds_only_consultees_who_have_not_signed_and_then_the_approver(demo):
    meeting = meeting_on(demo.board, wednesday_in(60))
    report = report_for(demo, meeting)
    workflow.report_sign_off(report=report, user=demo.finance)
    mail.outbox.clear()
    assert services.send_due_reminders(today=services.remind_on(meeting.sign_off_due)) == 1
    assert [m.to for m in mail.outbox] == [[demo.legal.email]]
    # The approver is reminded once the report waits for them, not before.
    assert services.send_due_reminders(today=services.remind_on(meeting.approval_due)) == 0
    workflow.report_sign_off(report=report, user=demo.legal)
    mail.outbox.clear()
    assert services.send_due_reminders(today=services.remind_on(meeting.approval_due)) == 1
    assert [m.to for m in mail.outbox] == [[demo.director.email]]
    assert mail.outbox[0].subject.startswith("Reminder: approval due")
    assert services.send_due_reminders(today=meeting.approval_due) == 0


def test_a_deputy_standing_in_today_is_reminded_of_the_approval_too_but_never_of_their_own_report(demo, login):
    meeting = meeting_on(demo.board, wednesday_in(60))
    report = report_for(demo, meeting, state="signed_off")
    post = report.report_of
    assert post.holder == demo.director
    # Named through the service a post holder uses, from today for as long as the reminder day needs.
    people.stand_in_name(
        post=post, deputy=demo.clerk, starts_on=timezone.localdate(), ends_on=meeting.approval_due, by=demo.director
    )
    mail.outbox.clear()
    assert services.send_due_reminders(today=services.remind_on(meeting.approval_due)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([demo.director.email, demo.clerk.email])
    assert services.send_due_reminders(today=services.remind_on(meeting.approval_due)) == 0
    html = login(demo.clerk).get(f"/meetings/{meeting.pk}/reports-due/").content.decode()
    assert "standing in for Margaret Ashworth" in html
    # A deputy who wrote the report cannot approve it, so is not told to.
    own = report_for(demo, meeting, state="signed_off", subject="Written by the deputy")
    Report.objects.filter(pk=own.pk).update(author=demo.clerk)
    mail.outbox.clear()
    services.send_due_reminders(today=services.remind_on(meeting.approval_due))
    assert [m.to for m in mail.outbox] == [[demo.director.email]]


def test_nobody_whose_account_is_closed_or_has_no_email_is_reminded(demo):
    meeting = meeting_on(demo.board, wednesday_in(60))
    report = report_for(demo, meeting)
    type(demo.legal).objects.filter(pk=demo.legal.pk).update(is_active=False)
    type(demo.finance).objects.filter(pk=demo.finance.pk).update(email="")
    assert services.send_due_reminders(today=services.remind_on(meeting.sign_off_due)) == 0
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SIGNED_OFF)
    type(demo.director).objects.filter(pk=demo.director.pk).update(is_active=False)
    assert services.send_due_reminders(today=services.remind_on(meeting.approval_due)) == 0
    assert not Reminder.objects.exists()


def test_a_missed_reminder_day_is_caught_up_and_an_overdue_step_says_so(demo):
    meeting = meeting_on(demo.board, wednesday_in(60))
    report_for(demo, meeting)
    mail.outbox.clear()
    late = meeting.sign_off_due + dt.timedelta(days=1)
    assert services.send_due_reminders(today=late) == 2
    assert all("overdue since" in m.subject and "is overdue" in m.body for m in mail.outbox)


def test_a_report_moved_to_another_meeting_is_reminded_of_its_new_due_date(demo):
    first = meeting_on(demo.board, wednesday_in(60))
    report = report_for(demo, first)
    assert services.send_due_reminders(today=services.remind_on(first.sign_off_due)) == 2
    later = meeting_on(demo.board, wednesday_in(120))
    Report.objects.filter(pk=report.pk).update(meeting=later)
    assert services.send_due_reminders(today=services.remind_on(first.sign_off_due)) == 0  # not yet due again
    assert services.send_due_reminders(today=services.remind_on(later.sign_off_due)) == 2


def test_a_reminder_that_cannot_be_sent_is_not_recorded_and_goes_next_time(demo, monkeypatch):
    meeting = meeting_on(demo.board, wednesday_in(60))
    report_for(demo, meeting)
    day = services.remind_on(meeting.sign_off_due)

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("the mail server is down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        assert services.send_due_reminders(today=day) == 0
    assert not Reminder.objects.exists()
    assert services.send_due_reminders(today=day) == 2


def test_the_command_sends_what_is_due_and_nothing_twice(demo):
    meeting = meeting_on(demo.board, timezone.localdate() + dt.timedelta(days=3))  # sign-offs overdue now
    report_for(demo, meeting)
    mail.outbox.clear()
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    assert out.getvalue().strip() == "Sent 2 reminders."
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    assert out.getvalue().strip() == "Sent 0 reminders."
    assert len(mail.outbox) == 2


# The daily job in the worker ----------------------------------------------------------------------


def at_hour(day, hour):
    return dt.datetime(day.year, day.month, day.day, hour, 5, tzinfo=LONDON)


def test_the_worker_queues_the_reminder_job_once_a_day_from_the_hour(db, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.REMINDER_HOUR = 7
    day = dt.date(2026, 12, 17)
    assert tasks.queue_daily_reminders(at_hour(day, 6)) is False
    assert tasks.queue_daily_reminders(at_hour(day, 7)) is True
    assert tasks.queue_daily_reminders(at_hour(day, 7)) is False  # another worker, or the next heartbeat
    assert tasks.queue_daily_reminders(at_hour(day, 23)) is False
    assert tasks.queue_daily_reminders(at_hour(day + dt.timedelta(days=1), 9)) is True
    assert DailyRun.objects.get().last_run_on == day + dt.timedelta(days=1)
    queued = DBTaskResult.objects.all()
    assert [t.task_path for t in queued] == ["deadlines.tasks.send_due_reminders_task"] * 2


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks, as a process does
def test_the_worker_runs_the_queued_job_and_the_consultees_get_their_reminders(demo, settings):
    from django_tasks_db.management.commands.db_worker import Worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    meeting = meeting_on(demo.board, timezone.localdate() + dt.timedelta(days=3))
    report_for(demo, meeting)
    mail.outbox.clear()
    assert tasks.queue_daily_reminders(timezone.now().replace(hour=23)) is True
    Worker(
        queue_names=["*"], interval=0.1, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id="test", excluded_queue_names=[],
    ).run()  # fmt: skip
    assert sorted(m.to[0] for m in mail.outbox) == sorted([demo.finance.email, demo.legal.email])


def test_run_worker_gives_the_heartbeat_the_daily_job(db, monkeypatch, settings):
    from boards.management.commands import run_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    made = {}

    class Recorded:
        def __init__(self, **options):
            made.update(options)

        def configure_signals(self):
            pass

        def run(self):
            pass

    monkeypatch.setattr(run_worker, "ResilientWorker", Recorded)
    call_command("run_worker", "--queue-name", "*", "--no-reload")
    assert tasks.queue_daily_reminders in made["sweeps"]


# The reports-due page -----------------------------------------------------------------------------


def test_democratic_services_see_every_report_due_with_its_state_and_whom_it_waits_for(demo, login):
    meeting = meeting_on(demo.board, wednesday_in(40))
    drafted = report_for(demo, meeting, state="draft", subject="Drafted for the meeting")
    consulting = report_for(demo, meeting, subject="In consultation for the meeting")
    workflow.report_sign_off(report=consulting, user=demo.finance)
    signed = report_for(demo, meeting, state="signed_off", subject="Signed off for the meeting")
    approved = report_for(demo, meeting, state="signed_off", subject="Approved for the meeting")
    workflow.report_approve(report=approved, user=demo.director)
    response = login(demo.clerk).get(f"/meetings/{meeting.pk}/reports-due/")
    assert response.status_code == 200
    rows = {r.pk: r for r in response.context["reports"]}
    assert set(rows) == {drafted.pk, consulting.pk, signed.pk}
    assert [str(p) for p, _ in rows[drafted.pk].waits_for] == ["Eleanor Moulton"]
    assert [(str(p), what) for p, what in rows[consulting.pk].waits_for] == [("Lewis Dwyer", "sign-off (LD)")]
    assert [(str(p), what) for p, what in rows[signed.pk].waits_for] == [("Margaret Ashworth", "approval")]
    html = response.content.decode()
    assert "Approved for the meeting" not in html
    assert f"Sign-offs by {meeting.sign_off_due:%a} {meeting.sign_off_due.day}" in html
    assert f"Approval by {meeting.approval_due:%a} {meeting.approval_due.day}" in html
    assert (
        f'href="/meetings/{meeting.pk}/reports-due/"'
        in login(demo.clerk).get(f"/meetings/{meeting.pk}/").content.decode()
    )


def a_meeting_between_the_due_dates(board):
    """A meeting to come whose sign-offs are overdue today and whose approval is not yet due."""
    today = timezone.localdate()
    for days in range(1, 90):
        day = today + dt.timedelta(days=days)
        candidate = Meeting(board=board, starts_at=dt.datetime(day.year, day.month, day.day, 14, tzinfo=LONDON))
        if candidate.sign_off_due < today < candidate.approval_due:
            return meeting_on(board, day)
    raise AssertionError("no such day in the next 90")


def test_the_reports_due_page_lists_overdue_reports_first(demo, login):
    meeting = a_meeting_between_the_due_dates(demo.board)
    signed = report_for(demo, meeting, state="signed_off", subject="Signed off, approval due later")
    consulting = report_for(demo, meeting, subject="Still in consultation, overdue")
    response = login(demo.clerk).get(f"/meetings/{meeting.pk}/reports-due/")
    assert [r.pk for r in response.context["reports"]] == [consulting.pk, signed.pk]
    html = response.content.decode()
    assert position(html, consulting.subject) < position(html, "overdue</span>") < position(html, signed.subject)


@pytest.mark.parametrize("who", ["officer", "finance", "director", "member", "outsider"])
def test_the_reports_due_page_is_for_democratic_services_only(demo, login, who):
    meeting = meeting_on(demo.board, wednesday_in(40))
    assert login(getattr(demo, who)).get(f"/meetings/{meeting.pk}/reports-due/").status_code == 404


def test_the_reports_due_page_takes_get_only_and_sends_visitors_to_sign_in(demo, client, login):
    meeting = meeting_on(demo.board, wednesday_in(40))
    assert client.get(f"/meetings/{meeting.pk}/reports-due/")["Location"].startswith("/accounts/login/")
    assert login(demo.clerk).post(f"/meetings/{meeting.pk}/reports-due/").status_code == 405


# My work for each role ----------------------------------------------------------------------------


def position(html, text):
    assert text in html, text
    return html.index(text)


def test_a_consultee_sees_their_sign_offs_first_with_due_dates_overdue_first(demo, login):
    later = meeting_on(demo.board, wednesday_in(60))
    soon = meeting_on(demo.board, timezone.localdate() + dt.timedelta(days=3))
    on_time = report_for(demo, later, subject="Due in good time")
    late = report_for(demo, soon, subject="Overdue for sign-off")
    html = login(demo.finance).get("/").content.decode()
    assert position(html, "Waiting for your sign-off") < position(html, late.subject) < position(html, on_time.subject)
    assert f"sign-offs due {later.sign_off_due:%a} {later.sign_off_due.day}" in html
    assert "overdue" in html[position(html, late.subject) : position(html, on_time.subject)]


def test_a_director_sees_their_approvals_first_with_due_dates(demo, login):
    meeting = meeting_on(demo.board, wednesday_in(60))
    report = report_for(demo, meeting, state="signed_off")
    html = login(demo.director).get("/").content.decode()
    assert position(html, "Waiting for your approval") < position(html, report.subject) < position(html, "My drafts")
    assert f"approval due {meeting.approval_due:%a} {meeting.approval_due.day}" in html


def test_a_director_with_nothing_to_approve_is_told_so_first(demo, login):
    html = login(demo.director).get("/").content.decode()
    assert position(html, "No report is waiting for your approval.") < position(html, "My drafts")


def test_an_author_sees_the_due_dates_of_their_drafts(demo, login):
    meeting = meeting_on(demo.board, wednesday_in(60))
    report_for(demo, meeting, state="draft", subject="A draft for the meeting")
    html = login(demo.officer).get("/").content.decode()
    assert f"sign-offs due {meeting.sign_off_due:%a} {meeting.sign_off_due.day}" in html


def test_a_councillor_sees_their_boards_meetings_and_papers_first_and_nothing_of_drafts(demo, login):
    meeting = meeting_on(demo.board, wednesday_in(40))
    report_for(demo, meeting, state="draft", subject="A draft the councillor must not see")
    html = login(demo.member).get("/").content.decode()
    assert position(html, "My boards") < position(html, "My next meetings")
    assert position(html, "My next meetings") < position(html, "Send apologies for a coming meeting")
    assert "Health and Wellbeing Board" in html
    for drafty in ("My drafts", "You have no drafts", "Start a new report", "A draft the councillor must not see"):
        assert drafty not in html
    assert "Nothing is waiting for you to sign off, approve or revise" not in html
    assert "Waiting for your sign-off" not in html and "Waiting for your approval" not in html


def test_democratic_services_see_their_meetings_first_with_the_statutory_clock(demo, login):
    meeting = meeting_on(demo.board, wednesday_in(20))
    report_for(demo, meeting, subject="Due for the clerk's meeting")
    html = login(demo.clerk).get("/").content.decode()
    assert position(html, "Your coming meetings") < position(html, "Approved reports to place on agendas")
    panel = html[position(html, "Your coming meetings") : position(html, "Approved reports to place on agendas")]
    assert f"{meeting.publication_deadline:%a} {meeting.publication_deadline.day}" in panel
    assert f"{meeting.report_deadline:%a} {meeting.report_deadline.day}" in panel
    assert f"{meeting.clear_days_left} clear working days if published today" in panel
    assert f'href="/meetings/{meeting.pk}/reports-due/">1 report<' in panel
    # The panels they had are all still there.
    assert "Coming report deadlines" in html and "My drafts" in html
