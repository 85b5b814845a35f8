"""Emails at each workflow step: to the right people, with the right words, only once the step has committed."""

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from reports import services
from tests.test_workflow import report_in


def recipients(outbox=None):
    return sorted(m.to[0].split("@")[0] for m in (mail.outbox if outbox is None else outbox))


def test_submitting_tells_the_consultees_after_the_step_commits(demo, django_capture_on_commit_callbacks):
    report = report_in(demo, "draft")
    with django_capture_on_commit_callbacks() as callbacks:
        services.report_submit(report=report, user=demo.officer)
        assert mail.outbox == [], "nothing is sent inside the transaction"
    assert len(callbacks) == 1
    callbacks[0]()
    assert recipients() == ["finance", "legal"]
    message = mail.outbox[0]
    assert message.subject == f"For your sign-off: {report.title}"
    assert f"/reports/{report.pk}/consult/" in message.body
    assert "Eleanor Moulton has submitted" in message.body


def test_a_refused_step_sends_nothing(demo, django_capture_on_commit_callbacks):
    report = report_in(demo, "draft")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(services.TransitionRefused):
        services.report_approve(report=report, user=demo.director)
    assert callbacks == [] and mail.outbox == []


def test_each_step_tells_the_people_who_act_next(demo, django_capture_on_commit_callbacks):
    report = report_in(demo, "consultation")
    steps = [
        (lambda: services.report_sign_off(report=report, user=demo.finance), {"officer": "Signed off"}),
        (
            lambda: services.report_sign_off(report=report, user=demo.legal),
            {"director": "For your approval", "officer": "Signed off"},
        ),
        (
            lambda: services.report_approve(report=report, user=demo.director),
            {"officer": "Approved", "clerk": "Approved, ready for an agenda"},
        ),
        (
            lambda: services.report_withdraw_approval(report=report, user=demo.clerk, reason="Wrong meeting."),
            {"officer": "Approval withdrawn", "director": "Approval withdrawn"},
        ),
        (lambda: services.report_approve(report=report, user=demo.director), None),
        (lambda: services.report_publish(report=report, user=demo.clerk), {"officer": "Published"}),
    ]
    for step, expected in steps:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            step()
        if expected is not None:
            got = {m.to[0].split("@")[0]: m.subject.split(":")[0] for m in mail.outbox}
            assert got == expected, f"{got} != {expected}"
            assert all(m.subject.endswith(report.title) for m in mail.outbox)


def test_a_return_tells_the_author_with_the_comments_and_the_voided_signer(demo, django_capture_on_commit_callbacks):
    report = report_in(demo, "consultation_signed_by_finance")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, user=demo.legal, comment="Cite the 2022 Regulations.")
    by_person = {m.to[0].split("@")[0]: m for m in mail.outbox}
    assert sorted(by_person) == ["finance", "officer"]
    assert by_person["officer"].subject.startswith("Returned to you")
    assert "Cite the 2022 Regulations." in by_person["officer"].body
    assert f"/reports/{report.pk}/edit/" in by_person["officer"].body
    assert by_person["finance"].subject.startswith("Your sign-off was voided")


def test_an_exempt_reports_comments_stay_out_of_email(demo, django_capture_on_commit_callbacks):
    report = report_in(demo, "consultation")
    report.is_exempt, report.exempt_paragraphs = True, [3]
    report.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, user=demo.legal, comment="The bidder's price is too high.")
    (message,) = mail.outbox
    assert "bidder" not in message.body
    assert "sign in to read it" in message.body


def test_nobody_is_emailed_about_their_own_step(demo, django_capture_on_commit_callbacks):
    report = report_in(demo, "approved")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_withdraw_approval(report=report, user=demo.director, reason="Recheck the costs.")
    assert "director" not in recipients()


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_mail_server_that_is_down_never_undoes_a_step(demo, settings, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "tests.test_notifications.BrokenBackend"
    report = report_in(demo, "draft")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=report, user=demo.officer)
    report.refresh_from_db()
    assert report.status == report.Status.CONSULTATION
    assert "Could not send the emails" in caplog.text
