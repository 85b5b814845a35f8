"""Stand-ins (issue 17): a post holder names a deputy for dates, who approves (or returns) the post's reports
in their place; the record says "approved by X for Y"."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import StandIn, User
from accounts.services import PeopleRefused
from reports import services as report_services
from reports.models import Post, Report, ReportEvent
from tests.test_workflow import report_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def dph():
    return Post.objects.get(title="Director of Public Health")


def name(demo, deputy=None, starts_on=None, ends_on=None, by=None, post=None):
    return services.stand_in_name(
        post=post or dph(),
        deputy=deputy or demo.outsider,
        starts_on=starts_on or TODAY(),
        ends_on=ends_on or TODAY() + dt.timedelta(days=14),
        by=by or demo.director,
    )


def refused(message, call, field=None, **kwargs):
    with pytest.raises(PeopleRefused) as caught:
        call(**kwargs)
    assert str(caught.value) == message
    assert caught.value.field == field


# Naming a stand-in -----------------------------------------------------------------------------------


def test_a_holder_names_a_deputy_who_is_told(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stand_in = name(demo)
    assert StandIn.objects.in_force().get() == stand_in
    assert mail.outbox[0].to == [demo.outsider.email]
    assert "stand in for them as Director of Public Health" in mail.outbox[0].body
    roles = User.objects.get(pk=demo.outsider.pk).roles
    assert any(r.startswith("Standing in for Margaret Ashworth (Director of Public Health) until") for r in roles)
    assert demo.director.person_events.get().action == "stand_in_named"


def test_it_refuses_naming_oneself(demo):
    refused(
        "Name someone else: you cannot stand in for yourself.", name, field="deputy", demo=demo, deputy=demo.director
    )


def test_it_refuses_dates_in_the_wrong_order(demo):
    refused(
        "The last day comes before the first: put the dates the right way round.",
        name,
        field="ends_on",
        demo=demo,
        starts_on=TODAY() + dt.timedelta(days=5),
        ends_on=TODAY() + dt.timedelta(days=4),
    )


def test_it_refuses_dates_that_have_passed(demo):
    refused(
        "These dates have passed: a stand-in is for today or later.",
        name,
        field="ends_on",
        demo=demo,
        starts_on=TODAY() - dt.timedelta(days=9),
        ends_on=TODAY() - dt.timedelta(days=1),
    )


def test_it_refuses_someone_who_does_not_hold_the_post(demo):
    refused("You do not hold the post of Director of Public Health.", name, field="post", demo=demo, by=demo.officer)
    assert not StandIn.objects.exists()


def test_it_refuses_a_councillor_or_a_deactivated_deputy(demo):
    refused("A councillor cannot approve officers' reports: name an officer.", name, field="deputy", demo=demo,
            deputy=demo.member)  # fmt: skip
    services.user_deactivate(user=demo.outsider, by=demo.admin)
    outsider = User.objects.get(pk=demo.outsider.pk)
    refused(f"{outsider} cannot sign in (their account is deactivated).", name, field="deputy", demo=demo,
            deputy=outsider)  # fmt: skip


def test_it_refuses_the_same_deputy_twice_on_the_same_days(demo):
    name(demo)
    refused(f"{demo.outsider} already stands in for you on some of these days.", name, field="deputy", demo=demo,
            starts_on=TODAY() + dt.timedelta(days=3))  # fmt: skip


def test_a_stand_in_holds_only_within_its_dates_until_ended(demo):
    later = name(demo, starts_on=TODAY() + dt.timedelta(days=3), ends_on=TODAY() + dt.timedelta(days=4))
    assert not StandIn.objects.in_force().exists()
    assert StandIn.objects.in_force(TODAY() + dt.timedelta(days=4)).get() == later
    assert not StandIn.objects.in_force(TODAY() + dt.timedelta(days=5)).exists()
    services.stand_in_end(stand_in=later, by=demo.director)
    assert not StandIn.objects.in_force(TODAY() + dt.timedelta(days=4)).exists()
    refused("This stand-in has already ended.", services.stand_in_end, stand_in=later, by=demo.director)


def test_only_the_holder_who_named_it_ends_it(demo):
    stand_in = name(demo)
    refused("Only the post holder who named this stand-in can end it.", services.stand_in_end, stand_in=stand_in,
            by=demo.outsider)  # fmt: skip


def test_a_stand_in_lapses_when_the_post_passes_to_someone_else(demo):
    name(demo)
    Post.objects.filter(title="Director of Public Health").update(holder=demo.officer)
    assert not StandIn.objects.in_force().exists()


# Approving in the holder's place ---------------------------------------------------------------------------


def test_the_deputy_sees_and_approves_a_report_for_the_holder(demo, django_capture_on_commit_callbacks):
    report = report_in(demo, "signed_off")
    assert not Report.objects.awaiting_approval_by(demo.outsider).exists()
    assert not report_services.is_approver(report, demo.outsider)
    name(demo)
    assert list(Report.objects.awaiting_approval_by(demo.outsider)) == [report]
    assert Report.objects.visible_to(demo.outsider).filter(pk=report.pk).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_approve(report=report, user=demo.outsider, comment="On Margaret's behalf.")
    event = ReportEvent.objects.get(report=report, action="approved")
    assert (event.actor, event.on_behalf_of) == (demo.outsider, demo.director)
    assert event.by == "Owen Tate for Margaret Ashworth (Director of Public Health)"
    to_director = [m for m in mail.outbox if m.to == [demo.director.email]]
    assert to_director and "Owen Tate for Margaret Ashworth (Director of Public Health) has approved" in (
        to_director[0].body
    )


def test_the_deputy_is_told_a_report_waits_for_approval(demo, django_capture_on_commit_callbacks):
    report = report_in(demo, "consultation_signed_by_finance")
    name(demo)
    name(demo, deputy=demo.officer, starts_on=TODAY() + dt.timedelta(days=1))  # not yet, and its author anyway
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_sign_off(report=report, user=demo.legal)
    waiting = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("For your approval"))
    assert waiting == sorted([demo.director.email, demo.outsider.email])


def test_the_holder_still_approves_as_themselves(demo):
    report = report_in(demo, "signed_off")
    name(demo)
    report_services.report_approve(report=report, user=demo.director)
    event = ReportEvent.objects.get(report=report, action="approved")
    assert event.on_behalf_of is None and event.by == "Margaret Ashworth"


def test_the_deputy_returns_a_report_for_the_holder(demo):
    report = report_in(demo, "signed_off")
    name(demo)
    report_services.report_return(report=report, user=demo.outsider, comment="Say where the money comes from.")
    event = ReportEvent.objects.get(report=report, action="returned")
    assert event.on_behalf_of == demo.director


def test_a_deputy_never_approves_their_own_report(demo):
    report = report_in(demo, "signed_off")  # by officer
    name(demo, deputy=demo.officer)
    assert not Report.objects.awaiting_approval_by(demo.officer).exists()
    with pytest.raises(report_services.TransitionRefused) as caught:
        report_services.report_approve(report=report, user=demo.officer)
    assert str(caught.value) == (
        "You wrote this report, so you cannot approve it for Margaret Ashworth: its approval must come from them "
        "or another stand-in."
    )
    with pytest.raises(report_services.TransitionRefused):
        report_services.report_return(report=report, user=demo.officer, comment="Returning my own.")
    assert Report.objects.get(pk=report.pk).status == Report.Status.SIGNED_OFF


def test_a_deputy_cannot_approve_outside_the_dates_nor_withdraw_an_approval(demo):
    report = report_in(demo, "signed_off")
    name(demo, starts_on=TODAY() + dt.timedelta(days=1))
    with pytest.raises(report_services.TransitionRefused) as caught:
        report_services.report_approve(report=report, user=demo.outsider)
    assert "Only the Director of Public Health (or a stand-in they have named) can approve" in str(caught.value)
    approved = report_in(demo, "approved", subject="Approved by the director")
    StandIn.objects.update(starts_on=TODAY())
    assert "withdraw_approval" not in report_services.available_actions(approved, demo.outsider)


# The pages -----------------------------------------------------------------------------------------------


def test_the_report_page_and_history_say_approved_for(demo, client):
    report = report_in(demo, "signed_off")
    name(demo)
    client.force_login(demo.outsider)
    page = client.get(reverse("reports:detail", args=[report.pk]))
    assert 'action="{}"'.format(reverse("reports:approve", args=[report.pk])) in page.content.decode()
    client.post(
        reverse("reports:approve", args=[report.pk]), {"expected_status": "signed_off", "comment": "For Margaret."}
    )
    assert Report.objects.get(pk=report.pk).status == Report.Status.APPROVED
    client.force_login(demo.director)
    said = "Approved by Owen Tate for Margaret Ashworth (Director of Public Health)"
    assert said in client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    history = client.get(reverse("reports:history", args=[report.pk])).content.decode()
    assert "Approved</span> by Owen Tate for Margaret Ashworth (Director of Public Health)" in history


def test_my_work_lists_the_approvals_for_the_deputy(demo, client):
    report = report_in(demo, "signed_off")
    client.force_login(demo.outsider)
    assert report not in client.get(reverse("home")).context["to_approve"]
    name(demo)
    assert report in client.get(reverse("home")).context["to_approve"]


def test_the_account_page_names_a_stand_in(demo, client, django_capture_on_commit_callbacks):
    client.force_login(demo.director)
    page = client.get(reverse("accounts:my_account"))
    assert "Stand-ins while you are away" in page.content.decode()
    form = {
        "post": dph().pk,
        "deputy": demo.outsider.pk,
        "starts_on": TODAY().isoformat(),
        "ends_on": (TODAY() + dt.timedelta(days=7)).isoformat(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("accounts:stand_in_new"), form)
    assert answer.status_code == 302
    stand_in = StandIn.objects.get()
    page = client.get(reverse("accounts:my_account")).content.decode()
    assert "Owen Tate as Director of Public Health" in page
    client.post(reverse("accounts:stand_in_end", args=[stand_in.pk]))
    assert StandIn.objects.get().ended_at is not None


def test_the_stand_in_form_says_why_beside_the_field_and_keeps_the_dates(demo, client):
    client.force_login(demo.director)
    starts, ends = TODAY() + dt.timedelta(days=6), TODAY() + dt.timedelta(days=2)
    form = {"post": dph().pk, "deputy": demo.outsider.pk, "starts_on": starts.isoformat(), "ends_on": ends.isoformat()}
    page = client.post(reverse("accounts:stand_in_new"), form)
    assert page.status_code == 400
    assert page.context["form"].errors["ends_on"] == [
        "The last day comes before the first: put the dates the right way round."
    ]
    assert f'value="{starts.isoformat()}"' in page.content.decode()
    oneself = client.post(reverse("accounts:stand_in_new"), {**form, "deputy": demo.director.pk})
    assert oneself.status_code == 400 and "deputy" in oneself.context["form"].errors
    empty = client.post(reverse("accounts:stand_in_new"), {})
    assert empty.status_code == 400 and {"deputy", "starts_on", "ends_on"} <= set(empty.context["form"].errors)
    assert not StandIn.objects.exists()


def test_someone_without_a_post_gets_no_stand_in_form(demo, client):
    client.force_login(demo.officer)
    page = client.get(reverse("accounts:my_account"))
    assert page.status_code == 200 and "Stand-ins while you are away" not in page.content.decode()
    assert client.post(reverse("accounts:stand_in_new"), {"deputy": demo.outsider.pk}).status_code == 404


def test_no_one_ends_another_holders_stand_in(demo, client):
    stand_in = name(demo)
    client.force_login(demo.outsider)
    assert client.post(reverse("accounts:stand_in_end", args=[stand_in.pk])).status_code == 404
    assert StandIn.objects.get().ended_at is None
