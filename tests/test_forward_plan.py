"""The Forward Plan shows a key decision only once democratic services have accepted it."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from boards import services as agenda
from reports import services
from reports.models import Report
from tests.test_public import pdf_text
from tests.test_workflow import complete_draft, edit

pytestmark = pytest.mark.django_db

SUBJECT = "Closure of the Crosby day centre"


@pytest.fixture
def planned(demo):
    """An officer's draft marked "key decision, in Forward Plan" today, not accepted yet."""
    report = complete_draft(demo, subject=SUBJECT)
    edit(
        report,
        demo.officer,
        meeting=str(demo.board.meetings.filter(starts_at__gt=timezone.now()).get().pk),
        is_key_decision="True",
        in_forward_plan="True",
        forward_plan_date=timezone.localdate().isoformat(),
        is_exempt="False",
    )
    return Report.objects.get(pk=report.pk)


def test_it_keeps_an_authors_entry_off_the_public_plan_until_the_clerk_accepts_it(
    demo, login, planned, django_capture_on_commit_callbacks, mailoutbox
):
    visitor = Client()
    assert SUBJECT not in visitor.get("/forward-plan/").content.decode()
    assert SUBJECT not in pdf_text(visitor.get("/forward-plan.pdf").content)
    assert SUBJECT not in login(demo.outsider).get("/forward-plan/").content.decode()

    clerk = login(demo.clerk)
    for url in ["/", "/forward-plan/"]:
        html = clerk.get(url).content.decode()
        assert "Forward Plan entries waiting for your acceptance" in html and SUBJECT in html, url
        assert f'action="/reports/{planned.pk}/forward-plan/accept/"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"/reports/{planned.pk}/forward-plan/accept/", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"

    planned.refresh_from_db()
    assert planned.forward_plan_accepted_on == timezone.localdate()
    assert planned.forward_plan_accepted_by == demo.clerk
    assert planned.events.filter(action="forward_plan_accepted", actor=demo.clerk).exists()
    assert any(SUBJECT in m.subject and demo.officer.email in m.to for m in mailoutbox)
    html = visitor.get("/forward-plan/").content.decode()
    assert SUBJECT in html
    assert SUBJECT in pdf_text(visitor.get("/forward-plan.pdf").content)
    assert "waiting for your acceptance" not in html
    assert "waiting for your acceptance" not in clerk.get("/").content.decode()  # nothing waits any more


def test_it_refuses_acceptance_by_anyone_but_democratic_services(demo, login, planned):
    for user in [demo.officer, demo.director, demo.member]:
        with pytest.raises(services.TransitionRefused, match="Only democratic services"):
            services.report_accept_for_forward_plan(report=planned, user=user)
    assert login(demo.outsider).post(f"/reports/{planned.pk}/forward-plan/accept/").status_code == 404
    assert Client().post(f"/reports/{planned.pk}/forward-plan/accept/")["Location"].startswith("/accounts/login/")
    assert login(demo.clerk).get(f"/reports/{planned.pk}/forward-plan/accept/").status_code == 405
    planned.refresh_from_db()
    assert planned.forward_plan_accepted_on is None


def test_it_accepts_an_entry_once_and_only_an_entry(demo, planned):
    services.report_accept_for_forward_plan(report=planned, user=demo.clerk)
    with pytest.raises(services.TransitionRefused, match="was accepted onto the Forward Plan on"):
        services.report_accept_for_forward_plan(report=planned, user=demo.clerk)
    with pytest.raises(services.TransitionRefused, match="not a key decision in the Forward Plan"):
        services.report_accept_for_forward_plan(report=demo.draft, user=demo.clerk)


def test_an_entry_that_leaves_the_plan_is_accepted_again_when_it_comes_back(demo, planned):
    services.report_accept_for_forward_plan(report=planned, user=demo.clerk)
    edit(planned, demo.officer, in_forward_plan="False")
    planned.refresh_from_db()
    assert planned.forward_plan_accepted_on is None
    edit(planned, demo.officer, in_forward_plan="True")
    assert SUBJECT not in Client().get("/forward-plan/").content.decode()


def test_it_counts_the_28_clear_days_from_the_day_the_clerk_accepted_it(demo, planned):
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    planned.meeting = meeting
    planned.forward_plan_date = timezone.localdate() - dt.timedelta(days=60)  # typed long ago
    assert "waits for democratic services to accept it" in agenda.key_decision_problem(planned, meeting)
    planned.forward_plan_accepted_on = meeting.date - dt.timedelta(days=10)
    assert "only 9 clear days" in agenda.key_decision_problem(planned, meeting)
    planned.forward_plan_accepted_on = timezone.localdate() - dt.timedelta(days=60)
    assert agenda.key_decision_problem(planned, meeting) == ""
