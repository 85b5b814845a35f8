"""The report lifecycle: every step from every state by every role, and the pages that drive it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from reports import services
from reports.forms import ReportForm
from reports.models import ConsulteeKind, ReferenceSequence, Report, ReportEvent, SignOff

LONDON = ZoneInfo("Europe/London")
D = Report.Status

# Helpers, also used by test_history, test_notifications and test_concurrency ----------------------


def complete_draft(demo, subject="Better Care Fund plan 2023 to 2025"):
    """A new draft by `officer` with every block filled in: the seed's words under a new subject."""
    report = Report.objects.get(pk=demo.seed.pk)
    parts = {
        "recommendations": list(report.recommendations.all()),
        "implications": list(report.implications.all()),
        "core_purposes": list(report.core_purposes.all()),
        "sections": list(report.sections.all()),
    }
    report.pk = report.id = None
    report._state.adding = True
    report.subject = subject
    report.status = D.DRAFT
    report.version = 1
    report.author = demo.officer
    report.save()
    for objects in parts.values():
        for obj in objects:
            obj.pk = obj.id = None
            obj._state.adding = True
            obj.report = report
            obj.save()
    report.save()  # the last history row of version 1 comes after its parts
    assert report.missing_items() == []
    return report


def walk_to(demo, report, state):
    """Take `report` from draft to `state` through the services, as its people would."""
    steps = {
        "consultation": [lambda r: services.report_submit(report=r, user=demo.officer)],
        "consultation_signed_by_finance": [
            lambda r: services.report_submit(report=r, user=demo.officer),
            lambda r: services.report_sign_off(report=r, user=demo.finance),
        ],
    }
    steps["signed_off"] = steps["consultation_signed_by_finance"] + [
        lambda r: services.report_sign_off(report=r, user=demo.legal)
    ]
    steps["approved"] = steps["signed_off"] + [lambda r: services.report_approve(report=r, user=demo.director)]
    steps["published"] = steps["approved"] + [lambda r: services.report_publish(report=r, user=demo.clerk)]
    for step in steps.get(state, []):
        step(report)
    report.refresh_from_db()
    return report


def report_in(demo, state, **kwargs):
    return walk_to(demo, complete_draft(demo, **kwargs), state)


def form_data(report, **changes):
    """The editor's form for `report` as the browser posts it back (fields and list rows), with `changes` typed in."""
    form = ReportForm(instance=report)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            data[name] = "on" if value else ""
        else:
            data[name] = "" if value is None else str(value)
    recommendations, sections = list(report.recommendations.all()), list(report.sections.all())
    data["recommendation-id"] = [str(r.pk) for r in recommendations]
    data["recommendation-text"] = [r.text for r in recommendations]
    data["section-id"] = [str(s.pk) for s in sections]
    data["section-heading"] = [s.heading for s in sections]
    data["section-body"] = [s.body for s in sections]
    data.update(changes)
    return data


def edit(report, user, expected_version=None, **changes):
    """Save `changes` to the report's fields through the editor's service, as from a form opened at `expected_version`."""
    report = Report.objects.get(pk=report.pk)
    version = report.version if expected_version is None else expected_version
    form = ReportForm(form_data(report, version=str(version), **changes), instance=report)
    form.is_valid()
    return services.report_save_draft(
        report=report, **form.draft(), recommendations=None, sections=None, user=user, expected_version=version
    )


def next_reference(prefix, year=None):
    """The reference the next sign-off for `prefix` will be issued (the demo data has used some already)."""
    year = year or dt.datetime.now(LONDON).year
    sequence = ReferenceSequence.objects.filter(prefix=prefix, year=year).first()
    return SignOff.format_reference(prefix, (sequence.last_number if sequence else 0) + 1, year)


def snapshot(report):
    """Everything a step could change about a report, to prove a refused step changed nothing."""
    fresh = Report.objects.get(pk=report.pk)
    return {
        "status": fresh.status,
        "version": fresh.version,
        "sign_offs": list(SignOff.objects.filter(report=report).values_list("pk", "reference", "voided_at")),
        "events": ReportEvent.objects.filter(report=report).count(),
        "history": fresh.history.count(),
        "sequences": list(ReferenceSequence.objects.order_by("pk").values_list("prefix", "year", "last_number")),
    }


def do(action, report, user, **extra):
    kwargs = {"report": report, "user": user, **extra}
    if action == "return":
        kwargs.setdefault("comment", "Please say where the £4.2m comes from.")
    if action == "withdraw_approval":
        kwargs.setdefault("reason", "The figures in section 2 have changed.")
    return getattr(services, f"report_{action}")(**kwargs)


# Every step, from every state, by every role ------------------------------------------------------

ROLES = ["officer", "finance", "legal", "director", "clerk", "member", "outsider", "admin"]
STATES = ["draft", "consultation", "consultation_signed_by_finance", "signed_off", "approved", "published"]
ACTIONS = ["submit", "sign_off", "return", "approve", "withdraw_approval", "publish"]
ALLOWED = {
    ("submit", "draft", "officer"): D.CONSULTATION,
    ("sign_off", "consultation", "finance"): D.CONSULTATION,
    ("sign_off", "consultation", "legal"): D.CONSULTATION,
    ("sign_off", "consultation_signed_by_finance", "legal"): D.SIGNED_OFF,
    ("return", "consultation", "finance"): D.DRAFT,
    ("return", "consultation", "legal"): D.DRAFT,
    ("return", "consultation_signed_by_finance", "finance"): D.DRAFT,
    ("return", "consultation_signed_by_finance", "legal"): D.DRAFT,
    ("return", "signed_off", "director"): D.DRAFT,
    ("approve", "signed_off", "director"): D.APPROVED,
    ("withdraw_approval", "approved", "director"): D.SIGNED_OFF,
    ("withdraw_approval", "approved", "clerk"): D.SIGNED_OFF,
    ("publish", "approved", "clerk"): D.PUBLISHED,
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_it_allows_each_step_only_to_its_role_from_its_state(demo, action, state):
    report = report_in(demo, state)
    for role in ROLES:
        user = demo.users[role]
        before = snapshot(report)
        savepoint = transaction.savepoint()
        try:
            expected = ALLOWED.get((action, state, role))
            offered = action in services.available_actions(Report.objects.get(pk=report.pk), user)
            assert offered == (expected is not None), f"the pages offer {action} to {role} from {state}: {offered}"
            if expected is not None:
                do(action, report, user)
                after = snapshot(report)
                assert after["status"] == expected, (action, state, role)
                assert after["events"] > before["events"], "every step is recorded"
                event = ReportEvent.objects.filter(report=report).order_by("-pk").first()
                assert (event.actor, event.from_status, event.to_status) == (user, before["status"], expected)
            else:
                with pytest.raises(services.TransitionRefused) as refusal:
                    do(action, report, user)
                assert str(refusal.value), "a refusal always says why"
                assert snapshot(report) == before, f"{role} refused {action} from {state} but something changed"
        finally:
            transaction.savepoint_rollback(savepoint)


def test_it_refuses_a_consultee_signing_twice(demo):
    report = report_in(demo, "consultation_signed_by_finance")
    before = snapshot(report)
    with pytest.raises(services.TransitionRefused, match="already signed off"):
        services.report_sign_off(report=report, user=demo.finance)
    assert snapshot(report) == before


def test_it_refuses_to_submit_an_incomplete_draft_listing_what_is_missing(demo):
    before = snapshot(demo.draft)
    with pytest.raises(services.TransitionRefused, match="Choose the Date of Meeting") as refusal:
        services.report_submit(report=demo.draft, user=demo.officer)
    assert "Enter the Reasons for the Recommendation(s)" in str(refusal.value)
    assert snapshot(demo.draft) == before


def test_it_needs_a_comment_to_return_and_a_reason_to_withdraw(demo):
    report = report_in(demo, "consultation")
    before = snapshot(report)
    with pytest.raises(services.TransitionRefused, match="needs a comment"):
        services.report_return(report=report, user=demo.legal, comment="   ")
    assert snapshot(report) == before
    report = report_in(demo, "approved", subject="Approved")
    before = snapshot(report)
    with pytest.raises(services.TransitionRefused, match="reason is required"):
        services.report_withdraw_approval(report=report, user=demo.director, reason="")
    assert snapshot(report) == before


def test_it_signs_off_when_every_active_consultee_has_signed(demo):
    report = report_in(demo, "consultation")
    expected = [next_reference("FD"), next_reference("LD")]
    first = services.report_sign_off(report=report, user=demo.finance, comment="Costs are covered.")
    report.refresh_from_db()
    assert report.status == D.CONSULTATION
    second = services.report_sign_off(report=report, user=demo.legal)
    report.refresh_from_db()
    assert report.status == D.SIGNED_OFF
    assert [first.reference, second.reference] == expected
    assert first.report_version == report.version
    assert first.comment == "Costs are covered."
    state_changes = report.events.filter(to_status=D.SIGNED_OFF)
    assert state_changes.count() == 1


def test_a_council_can_add_a_consultee_kind_with_its_own_prefix(demo):
    risk = ConsulteeKind.objects.create(name="Risk", officer_title="Head of Risk and Audit", prefix="RA", position=3)
    risk.officers.add(demo.outsider)
    report = report_in(demo, "signed_off")
    assert report.status == D.CONSULTATION, "finance and legal alone no longer sign it off"
    sign_off = services.report_sign_off(report=report, user=demo.outsider)
    report.refresh_from_db()
    assert report.status == D.SIGNED_OFF
    assert sign_off.reference.startswith("RA.1/")
    assert f"Head of Risk and Audit ({sign_off.reference})" in report.internal_consultations_text()


def test_references_restart_on_1_january(demo, monkeypatch):
    def sign_at(moment, subject):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return services.report_sign_off(report=report_in(demo, "consultation", subject=subject), user=demo.finance)

    assert sign_at(dt.datetime(2030, 12, 31, 23, 59, 59, tzinfo=LONDON), "A").reference == "FD.1/30"
    assert sign_at(dt.datetime(2030, 12, 31, 23, 59, 59, tzinfo=LONDON), "B").reference == "FD.2/30"
    assert sign_at(dt.datetime(2031, 1, 1, 0, 0, 1, tzinfo=LONDON), "C").reference == "FD.1/31"
    assert sign_at(dt.datetime(2031, 1, 1, 9, 0, tzinfo=LONDON), "D").reference == "FD.2/31"
    # Midnight in London in summer is 23:00 UTC the day before: the year is London's.
    assert sign_at(dt.datetime(2031, 12, 31, 23, 30, tzinfo=dt.UTC), "E").reference == "FD.3/31"
    assert ReferenceSequence.objects.get(prefix="FD", year=2030).last_number == 2
    assert ReferenceSequence.objects.get(prefix="LD", year=2022).last_number == 5132, "other prefixes untouched"


def test_it_never_reuses_a_voided_reference(demo):
    report = report_in(demo, "consultation")
    first = services.report_sign_off(report=report, user=demo.finance)
    services.report_return(report=report, user=demo.legal, comment="Add the equality analysis.")
    first.refresh_from_db()
    assert first.voided_at is not None and first.void_reason == "Report returned to the author"
    walk_to(demo, report, "consultation")
    again = services.report_sign_off(report=report, user=demo.finance)
    assert again.number == first.number + 1
    assert SignOff.objects.filter(report=report).count() == 2, "the voided sign-off stays on record"


def test_editing_after_sign_off_voids_the_sign_offs_and_an_approved_report_is_locked(demo):
    report = report_in(demo, "signed_off")
    references = {s.reference for s in report.active_sign_offs()}
    report, changed = edit(report, demo.officer, summary="A new summary.")
    assert changed
    assert report.status == D.CONSULTATION
    assert report.active_sign_offs() == []
    assert SignOff.objects.filter(report=report, voided_at__isnull=False).count() == 2
    assert report.internal_consultations_text() == ""
    assert {s.reference for s in SignOff.history.filter(report_id=report.pk)} == references, "kept in history"

    approved = report_in(demo, "approved", subject="Another")
    before = snapshot(approved)
    with pytest.raises(services.ReportLocked):
        edit(approved, demo.officer, summary="Too late.")
    assert snapshot(approved) == before


def test_withdrawing_approval_returns_it_to_signed_off_and_is_recorded(demo):
    report = report_in(demo, "approved")
    services.report_withdraw_approval(report=report, user=demo.clerk, reason="Wrong meeting date.")
    report.refresh_from_db()
    assert report.status == D.SIGNED_OFF
    assert report.is_editable
    assert len(report.active_sign_offs()) == 2, "the sign-offs were given to this very version"
    event = report.events.order_by("-pk").first()
    assert (event.action, event.actor, event.comment) == ("approval_withdrawn", demo.clerk, "Wrong meeting date.")
    services.report_approve(report=report, user=demo.director)
    report.refresh_from_db()
    assert report.status == D.APPROVED


def test_a_replayed_step_is_refused_when_the_page_showed_an_older_state(demo):
    report = report_in(demo, "draft")
    page = {"expected_status": report.status, "expected_version": report.version}
    services.report_submit(report=report, user=demo.officer, **page)
    before = snapshot(report)
    with pytest.raises(services.TransitionRefused, match="now in consultation"):
        services.report_submit(report=report, user=demo.officer, **page)
    assert snapshot(report) == before
    with pytest.raises(services.TransitionRefused, match="edited since you opened it"):
        services.report_sign_off(report=report, user=demo.finance, expected_version=report.version - 1)
    assert snapshot(report) == before


# The pages ----------------------------------------------------------------------------------------


def sign_in(client, user):
    """Sign in through the login form, as a person does."""
    client.logout()
    response = client.post(reverse("login"), {"username": user.username, "password": "committee-demo"})
    assert response.status_code == 302, f"{user.username} could not sign in"
    return client


def state_fields(report):
    report.refresh_from_db()
    return {"expected_status": report.status, "expected_version": str(report.version)}


def test_the_whole_journey_works_with_the_demo_users(demo, client, django_capture_on_commit_callbacks):
    from tests.editor import complete_report_data

    report = demo.draft
    references = {"FD": next_reference("FD"), "LD": next_reference("LD")}

    # The officer completes the demo draft in the editor and submits it.
    sign_in(client, demo.officer)
    data = complete_report_data(demo.board, demo.meeting, version=str(report.version), subject=report.subject)
    response = client.post(reverse("reports:edit", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Submit for sign-off" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:submit", args=[report.pk]), state_fields(report), follow=True)
    assert "Submitted for sign-off" in response.content.decode()
    report.refresh_from_db()
    assert report.status == D.CONSULTATION
    assert sorted(m.to[0].split("@")[0] for m in mail.outbox) == ["finance", "legal"]

    # Finance and legal find it on My work, read it and sign it off.
    for username, prefix in [("finance", "FD"), ("legal", "LD")]:
        sign_in(client, demo.users[username])
        home = client.get(reverse("home")).content.decode()
        assert "Waiting for your sign-off" in home and report.subject in home
        consult = client.get(reverse("reports:consult", args=[report.pk]))
        assert consult.status_code == 200
        assert "Sign off" in consult.content.decode() and "Return to author" in consult.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("reports:sign_off", args=[report.pk]),
                {**state_fields(report), "comment": "Content agreed."},
                follow=True,
            )
        assert f"The reference is {references[prefix]}." in response.content.decode()
        assert report.subject not in client.get(reverse("home")).content.decode(), "no longer waiting for them"

    report.refresh_from_db()
    assert report.status == D.SIGNED_OFF
    text = report.internal_consultations_text()
    assert f"Executive Director of Corporate Resources and Customer Services ({references['FD']})" in text
    assert f"Chief Legal and Democratic Officer ({references['LD']})" in text
    assert any(m.to == [demo.director.email] and "For your approval" in m.subject for m in mail.outbox)

    # The director approves it from My work.
    sign_in(client, demo.director)
    home = client.get(reverse("home")).content.decode()
    assert "Waiting for your approval" in home and report.subject in home
    detail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Approve this report" in detail and references["FD"] in detail and references["LD"] in detail
    response = client.post(reverse("reports:approve", args=[report.pk]), state_fields(report), follow=True)
    assert "Approved." in response.content.decode()
    report.refresh_from_db()
    assert report.status == D.APPROVED
    assert list(report.events.values_list("action", flat=True)) == [
        "created",
        "submitted",
        "signed_off",
        "signed_off",
        "approved",
    ]

    # The approved report is locked, and its PDF prints the references with the consultees' titles.
    sign_in(client, demo.officer)
    assert client.get(reverse("reports:edit", args=[report.pk])).status_code == 302
    from io import BytesIO

    from pypdf import PdfReader

    pdf = client.get(reverse("reports:pdf", args=[report.pk]))
    pdf_bytes = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    words = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf_bytes)).pages)
    assert f"({references['FD']})" in words and f"({references['LD']})" in words
    assert "Chief Legal and Democratic Officer" in words


def test_a_returned_report_goes_back_to_its_author_with_the_comments(demo, client):
    report = report_in(demo, "consultation_signed_by_finance")
    sign_in(client, demo.legal)
    response = client.post(
        reverse("reports:return", args=[report.pk]),
        {**state_fields(report), "comment": "Paragraph 2.1 needs the legal basis."},
        follow=True,
    )
    assert "Returned" in response.content.decode()
    report.refresh_from_db()
    assert report.status == D.DRAFT
    assert report.active_sign_offs() == [], "finance's sign-off is voided"

    sign_in(client, demo.officer)
    home = client.get(reverse("home")).content.decode()
    assert "Returned to you with comments" in home and "Paragraph 2.1 needs the legal basis." in home
    editor = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert "Returned to the author by Lewis Dwyer" in editor and "Paragraph 2.1 needs the legal basis." in editor

    response = client.post(reverse("reports:submit", args=[report.pk]), state_fields(report), follow=True)
    report.refresh_from_db()
    assert report.status == D.CONSULTATION
    assert "Returned to you" not in client.get(reverse("home")).content.decode()


def test_the_approver_returns_a_signed_off_report_with_comments_or_approves_with_a_note(
    demo, client, mailoutbox, django_capture_on_commit_callbacks
):
    report = report_in(demo, "signed_off")
    sign_in(client, demo.director)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Your decision as Director of Public Health" in page and "Return to the author" in page
    assert "Sign off or return to the author" not in page, "the consultee's page is not theirs"

    # Returning needs a comment: refused beside the box, nothing changed, what was typed is kept.
    response = client.post(reverse("reports:return", args=[report.pk]), {**state_fields(report), "comment": "  "})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="approval-comment-error"' in page and "needs a comment" in page
    report.refresh_from_db()
    assert report.status == D.SIGNED_OFF and len(report.active_sign_offs()) == 2

    comment = "Set out the risk to the pooled budget in section 3."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:return", args=[report.pk]), {**state_fields(report), "comment": comment}
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == D.DRAFT and report.active_sign_offs() == [], "sign-offs are given again after the change"
    event = report.events.order_by("-pk").first()
    assert (event.actor, event.comment) == (demo.director, comment)
    told = [m for m in mailoutbox if demo.officer.email in m.to]
    assert told and f"{demo.director} has returned" in told[-1].body, [m.body for m in mailoutbox]
    sign_in(client, demo.officer)
    editor = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert f"Returned to the author by {demo.director}" in editor and comment in editor

    # Signed off again, the approver approves with a note for the record: in the history, not the PDF.
    for user in (demo.officer, demo.finance, demo.legal):
        do({"officer": "submit"}.get(user.username, "sign_off"), Report.objects.get(pk=report.pk), user)
    report.refresh_from_db()
    sign_in(client, demo.director)
    note = "Approved on the understanding that the risk register is updated."
    response = client.post(reverse("reports:approve", args=[report.pk]), {**state_fields(report), "comment": note})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == D.APPROVED and report.events.order_by("-pk").first().comment == note


def test_a_double_clicked_button_is_refused_with_a_message(demo, client):
    report = report_in(demo, "draft")
    sign_in(client, demo.officer)
    fields = state_fields(report)
    client.post(reverse("reports:submit", args=[report.pk]), fields)
    before = snapshot(report)
    response = client.post(reverse("reports:submit", args=[report.pk]), fields, follow=True)
    assert response.status_code == 200
    assert "Nothing was changed: this report is now in consultation" in response.content.decode()
    assert snapshot(report) == before


def test_a_replayed_sign_off_keeps_the_comment_and_changes_nothing(demo, client):
    report = report_in(demo, "consultation")
    sign_in(client, demo.finance)
    fields = {**state_fields(report), "comment": "Agreed."}
    client.post(reverse("reports:sign_off", args=[report.pk]), fields)
    before = snapshot(report)
    response = client.post(reverse("reports:sign_off", args=[report.pk]), {**fields, "comment": "Second thoughts"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "There is a problem" in page and "Second thoughts" in page
    assert snapshot(report) == before
    assert SignOff.objects.filter(report=report).count() == 1


def test_a_sign_off_from_a_stale_page_is_refused(demo, client):
    report = report_in(demo, "consultation")
    fields = state_fields(report)
    edit(report, demo.officer, summary="Changed while finance was reading.")
    sign_in(client, demo.finance)
    response = client.post(reverse("reports:sign_off", args=[report.pk]), fields)
    assert response.status_code == 409
    assert "edited since you opened it" in response.content.decode()
    assert SignOff.objects.filter(report=report).count() == 0


@pytest.mark.parametrize("name", ["submit", "sign_off", "return", "approve"])
def test_workflow_buttons_take_post_only(demo, client, name):
    report = report_in(demo, "consultation")
    sign_in(client, demo.finance)
    assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 405


@pytest.mark.parametrize("name", ["submit", "sign_off", "return", "approve", "withdraw_approval"])
@pytest.mark.parametrize("state", ["draft", "consultation", "signed_off", "approved"])
def test_an_outsider_gets_404_and_changes_nothing(demo, client, name, state):
    report = report_in(demo, state)
    before = snapshot(report)
    sign_in(client, demo.outsider)
    fields = {**state_fields(report), "comment": "x", "reason": "x"}
    assert client.post(reverse(f"reports:{name}", args=[report.pk]), fields).status_code == 404
    assert snapshot(report) == before


@pytest.mark.parametrize("role", ["officer", "director", "clerk", "member", "outsider"])
def test_the_consultee_view_is_for_consultees_only(demo, client, role):
    report = report_in(demo, "consultation")
    sign_in(client, demo.users[role])
    assert client.get(reverse("reports:consult", args=[report.pk])).status_code == 404
    response = client.post(reverse("reports:sign_off", args=[report.pk]), state_fields(report))
    assert response.status_code == 404
    assert SignOff.objects.filter(report=report).count() == 0


def test_someone_with_a_part_but_not_this_step_gets_a_message(demo, client):
    report = report_in(demo, "signed_off")
    before = snapshot(report)
    sign_in(client, demo.officer)  # the author may see it but not approve it
    response = client.post(reverse("reports:approve", args=[report.pk]), state_fields(report), follow=True)
    assert response.status_code == 200
    assert (
        "Only the Director of Public Health (or a stand-in they have named) can approve this report."
        in response.content.decode()
    )
    assert snapshot(report) == before


def test_withdrawing_approval_asks_for_a_reason(demo, client):
    report = report_in(demo, "approved")
    sign_in(client, demo.director)
    url = reverse("reports:withdraw_approval", args=[report.pk])
    assert "Why is the approval withdrawn?" in client.get(url).content.decode()
    before = snapshot(report)
    response = client.post(url, {**state_fields(report), "reason": ""})
    assert response.status_code == 409 and "a reason is required" in response.content.decode()
    assert snapshot(report) == before
    response = client.post(url, {**state_fields(report), "reason": "The meeting moved."}, follow=True)
    assert "Approval withdrawn" in response.content.decode()
    report.refresh_from_db()
    assert report.status == D.SIGNED_OFF

    sign_in(client, demo.member)
    response = client.get(reverse("reports:withdraw_approval", args=[report.pk]))
    assert response.status_code == 404


def test_the_member_cannot_withdraw_an_approval(demo, client):
    report = report_in(demo, "approved")
    report.board = demo.board
    report.save()
    before = snapshot(report)
    sign_in(client, demo.member)
    url = reverse("reports:withdraw_approval", args=[report.pk])
    assert client.get(url, follow=True).status_code == 200
    response = client.post(url, {**state_fields(report), "reason": "I object."})
    assert response.status_code == 409
    assert "Only the report&#x27;s approver or democratic services" in response.content.decode()
    assert snapshot(report) == before


def test_the_detail_page_offers_each_person_their_next_step(demo, client):
    expectations = [
        ("draft", "officer", "Submit for sign-off"),
        ("consultation", "finance", "Sign off or return to the author"),
        ("signed_off", "director", "Approve this report"),
        ("approved", "clerk", "Withdraw approval"),
    ]
    for state, role, button in expectations:
        report = report_in(demo, state, subject=f"For {role}")
        sign_in(client, demo.users[role])
        page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
        assert button in page, (state, role)
        sign_in(client, demo.admin)
        assert button not in client.get(reverse("reports:detail", args=[report.pk])).content.decode()


def test_my_work_lists_what_waits_for_each_person(demo, client):
    consultation = report_in(demo, "consultation", subject="Waiting for consultees")
    signed = report_in(demo, "signed_off", subject="Waiting for the director")
    sign_in(client, demo.finance)
    page = client.get(reverse("home")).content.decode()
    assert consultation.subject in page and signed.subject not in page
    assert "new to you" in page
    sign_in(client, demo.director)
    page = client.get(reverse("home")).content.decode()
    assert signed.subject in page and consultation.subject not in page
    sign_in(client, demo.outsider)
    page = client.get(reverse("home")).content.decode()
    assert consultation.subject not in page and signed.subject not in page


def test_the_admin_shows_and_sets_each_users_roles(demo, client):
    client.force_login(demo.admin)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "Consultee: Finance (FD)" in page and "Approver: Director of Public Health" in page
    assert "Democratic services" in page and "Board member: Health and Wellbeing Board" in page
    url = reverse("admin:accounts_user_change", args=[demo.outsider.pk])
    page = client.get(url).content.decode()
    assert "Consultee for" in page and "Approver for (posts held)" in page
    assert demo.officer.roles == ["Report author"]
    assert demo.finance.roles == ["Consultee: Finance (FD)"]


def test_adding_an_appendix_after_sign_off_voids_the_sign_offs_too(demo):
    import io

    from reports.pdfcheck import disarm_pdf
    from tests.test_packs import text_pdf

    report = report_in(demo, "signed_off")
    pdf = disarm_pdf(io.BytesIO(text_pdf("The action plan")))
    services.appendix_add(report=report, title="Action plan", pdf=pdf, filename="plan.pdf", user=demo.officer)
    report.refresh_from_db()
    assert report.status == D.CONSULTATION and report.active_sign_offs() == []
    assert report.events.filter(action="edited_after_sign_off", actor=demo.officer).exists()


def test_a_report_of_a_post_no_one_holds_cannot_be_submitted_and_says_why(demo, login):
    from reports.models import Post

    vacant = Post.objects.filter(holder__isnull=True).first()
    assert vacant is not None, "the demo has posts with no holder"
    report = report_in(demo, "draft")
    Report.objects.filter(pk=report.pk).update(report_of=vacant)
    report.refresh_from_db()
    assert any(f"No one holds the post of {vacant}" in message for _, message in report.missing_items())
    with pytest.raises(services.TransitionRefused):
        services.report_submit(report=report, user=demo.officer)
    # Signed off before the post fell vacant: the page says why no one can approve it.
    signed = report_in(demo, "signed_off")
    Report.objects.filter(pk=signed.pk).update(report_of=vacant)
    assert "no one can approve this report" in login(demo.officer).get(f"/reports/{signed.pk}/").content.decode()


def test_the_editor_warns_that_a_change_voids_the_sign_offs(demo, login):
    signed = report_in(demo, "signed_off")
    html = login(demo.officer).get(f"/reports/{signed.pk}/edit/").content.decode()
    references = [s.reference for s in signed.active_sign_offs()]
    assert len(references) == 2 and all(reference in html for reference in references)
    assert "voids those sign-offs" in html
    assert "voids those sign-offs" not in login(demo.officer).get("/reports/new/").content.decode()


def test_a_comment_too_long_is_refused_and_kept(demo, login):
    report = report_in(demo, "consultation")
    comment = "Please reconsider. " * 1100  # over 20,000 characters
    response = login(demo.legal).post(f"/reports/{report.pk}/return/", {"comment": comment})
    html = response.content.decode()
    assert "Keep the comment to 20,000 characters" in html and comment.strip() in html
    report.refresh_from_db()
    assert report.status == Report.Status.CONSULTATION
