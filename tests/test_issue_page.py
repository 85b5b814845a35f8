"""The issue's story (issue 16): one public page per issue, a key decision on the Forward Plan or a
public report, telling in order what has happened to it and what is planned: the Forward Plan notice,
the meeting that is to decide it, the agenda, the decision, the decision notice, call-in and its outcome,
and implementation. An exempt report's page shows only what the Forward Plan shows of it."""

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from boards.models import AgendaItem, Meeting
from decisions import services
from decisions.models import Notice
from decisions.selectors import story
from reports.models import Report
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT, publish_upcoming

pytestmark = pytest.mark.django_db


def text_of(page):
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def positions(page, *steps):
    """Where each of `steps` is in the page's story; fails on any missing."""
    story_text = text_of(page[page.index('class="story ') :])
    return [story_text.index(step) for step in steps]


def day(value):
    return f"{value:%A} {value.day} {value:%B %Y}"


# A Forward Plan entry whose report is not published yet --------------------------------------------


def test_it_tells_a_forward_plan_entry_s_story_before_its_report_is_published(client, demo):
    report = Report.objects.get(subject=PUBLIC_SUBJECT)
    assert report.is_on_forward_plan and report.status == Report.Status.APPROVED
    meeting = report.meeting
    response = client.get(f"/issues/{report.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<h1 class="h2">{PUBLIC_SUBJECT}</h1>' in page
    steps = [
        f"Done · {day(report.forward_plan_notice_date)} Notice given in the Forward Plan",
        f"Planned · {day(meeting.publication_deadline)} The agenda and the report due to be published",
        f"Planned · {day(meeting.date)} To be decided by the Health and Wellbeing Board at its meeting",
    ]
    assert positions(page, *steps) == sorted(positions(page, *steps))
    # Its facts as the Forward Plan prints them; no report to read yet, nothing of its content.
    assert "Decision maker" in page and "Taken in private?" in page
    assert "Read the report" not in page and report.summary not in page
    assert f'href="/meetings/{meeting.pk}/"' in page
    assert 'href="/forward-plan/"' in page


def test_the_forward_plan_links_each_entry_to_its_story(client, demo):
    page = client.get("/forward-plan/").content.decode()
    for report in Report.objects.filter(subject__in=[PUBLIC_SUBJECT, EXEMPT_SUBJECT]):
        assert f'href="/issues/{report.pk}/"' in page


def test_an_entry_without_a_meeting_is_to_be_decided_on_a_date_to_be_confirmed(client, demo):
    report = Report.objects.get(subject=PUBLIC_SUBJECT)
    Report.objects.filter(pk=report.pk).update(meeting=None)
    page = client.get(f"/issues/{report.pk}/").content.decode()
    assert "Planned · date to be confirmed To be decided by the Health and Wellbeing Board" in text_of(page)
    assert "due to be published" not in page


def test_a_cancelled_meeting_leaves_the_date_to_be_confirmed(client, demo):
    report = Report.objects.get(subject=PUBLIC_SUBJECT)
    Meeting.objects.filter(pk=report.meeting_id).update(status=Meeting.Status.CANCELLED)
    page = client.get(f"/issues/{report.pk}/").content.decode()
    assert "To be decided by the Health and Wellbeing Board: the date is to be confirmed" in page


# An exempt entry: what the Forward Plan shows, and no more --------------------------------------------


def test_an_exempt_entry_shows_what_the_forward_plan_shows_and_nothing_of_its_report(client, demo):
    report = Report.objects.get(subject=EXEMPT_SUBJECT)
    page = client.get(f"/issues/{report.pk}/").content.decode()
    assert EXEMPT_SUBJECT not in page and report.summary not in page
    assert (
        "A key decision for the Health and Wellbeing Board (details will be given when the agenda is published)" in page
    )
    assert "Yes. Paragraph 3 of Part 1 of Schedule 12A" in page
    assert report.implementation_date not in page


def test_an_exempt_decision_taken_in_private_shows_its_dates_and_not_its_words(
    client, demo, django_capture_on_commit_callbacks
):
    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    AgendaItem.objects.filter(pk=exempt.agenda_item.pk).update(decision="RESOLVED: SECRET-TERMS be agreed.")
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.HELD, starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    Report.objects.filter(pk=exempt.pk).update(implementation_date="SECRET-DATE")
    page = Client().get(f"/issues/{exempt.pk}/").content.decode()
    text = text_of(page)
    # Named as its published agenda names it, with its paragraph; its decision and words stay private.
    assert exempt.agenda_item.title in page
    assert "Listed on the agenda, to be considered in private" in text
    assert "Considered by the Health and Wellbeing Board in private" in text
    assert "SECRET" not in page
    assert f'href="/papers/{exempt.pk}/"' not in page
    # And the public report on the same agenda tells its decision.
    AgendaItem.objects.filter(pk=public.agenda_item.pk).update(decision="RESOLVED: that the plan be approved.")
    text = text_of(Client().get(f"/issues/{public.pk}/").content.decode())
    assert "Decided by the Health and Wellbeing Board at its meeting RESOLVED: that the plan be approved." in text
    assert (
        f"The decision is in effect Implementation, as the report plans it: {public.implementation_date.strip()}"
        in text
    )


def test_a_released_paper_was_listed_in_private_then_released(client, demo, django_capture_on_commit_callbacks):
    from reports.services import report_release

    _, _, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        report_release(report=exempt, user=demo.clerk, reason="The contract is awarded.")
    text = text_of(client.get(f"/issues/{exempt.pk}/").content.decode())
    found = [
        text.index(f"Done · {day(timezone.localdate())} Listed on the agenda, to be considered in private"),
        text.index(f"Done · {day(timezone.localdate())} The report released for publication"),
    ]
    assert found == sorted(found)
    assert EXEMPT_SUBJECT in text and "Read the report" in text


# The demo's Cabinet decision: published, called in, decided -------------------------------------------


def leisure(demo):
    return AgendaItem.objects.select_related("meeting").get(
        meeting__board__slug="cabinet", title="Leisure Centres Investment Programme"
    )


def test_it_tells_the_whole_story_of_a_cabinet_decision_called_in(demo_executive):
    item = leisure(demo_executive)
    clerk = demo_executive.clerk
    notice = services.notice_publish(item=item, user=clerk, decision=item.decision, reasons="r", alternatives="a")
    url = f"/issues/{item.report_id}/"
    text = text_of(Client().get(url).content.decode())
    assert f"Planned · {day(notice.effective_on)} Takes effect, unless it is called in by the end of" in text

    lloyd, brennan = (User.objects.get(username=name) for name in ("cllr.lloyd", "cllr.brennan"))
    services.call_in_request(notice=notice, user=lloyd, reasons="The costs are not clear.")
    services.call_in_sign(notice=notice, user=brennan)
    notice.refresh_from_db()
    committee = notice.scrutiny_item.meeting
    page = Client().get(url).content.decode()
    assert "Takes effect" not in page
    steps = [
        "Notice given in the Forward Plan",
        "The report published with the agenda",
        f"Done · {day(item.meeting.date)} Decided by the Cabinet at its meeting",
        "RESOLVED: that the Leisure Centres Investment Programme 2027 to 2030 be approved.",
        f"Decision notice {notice.reference} published",
        "Called in by members of the Overview and Scrutiny Committee (Adult Social Care and Health): implementation suspended",
        f"Planned · {day(committee.date)} To be considered by the Overview and Scrutiny Committee",
        "Planned Implementation, as the report plans it: When the call-in period ends.",
    ]
    found = positions(page, *steps)
    assert found == sorted(found)
    assert f'href="/meetings/{committee.pk}/"' in page and f'href="/decisions/{notice.pk}/"' in page

    services.call_in_outcome(notice=notice, user=clerk, outcome=Notice.Outcome.NO_FURTHER_ACTION)
    notice.refresh_from_db()
    page = Client().get(url).content.decode()
    steps = [
        "Notice given in the Forward Plan",
        "The report published with the agenda",
        "Decided by the Cabinet at its meeting",
        f"Decision notice {notice.reference} published",
        "Called in by members of the Overview and Scrutiny Committee",
        "The outcome of the call-in: No further action: the decision takes effect",
        f"Done · {day(notice.effective_on)} In effect",
        "The decision is in effect Implementation, as the report plans it",
    ]
    found = positions(page, *steps)
    assert found == sorted(found)
    # Decided before the committee's meeting came: that meeting is no part of the story.
    assert "To be considered by" not in page


def test_a_decision_referred_back_is_not_in_effect(demo_executive):
    item = leisure(demo_executive)
    clerk = demo_executive.clerk
    notice = services.notice_publish(item=item, user=clerk, decision=item.decision, reasons="r", alternatives="a")
    services.call_in_request(notice=notice, user=User.objects.get(username="cllr.lloyd"), reasons="Costs.")
    services.call_in_sign(notice=notice, user=User.objects.get(username="cllr.brennan"))
    services.call_in_outcome(notice=notice, user=clerk, outcome=Notice.Outcome.REFERRED_BACK)
    text = text_of(Client().get(f"/issues/{item.report_id}/").content.decode())
    assert "The outcome of the call-in: Referred back to the decision maker" in text
    assert "In effect" not in text and "The decision is in effect" not in text


def test_a_decision_without_its_notice_yet_says_when_the_notice_is_due(demo_executive):
    from decisions.selectors import notice_due_on

    item = leisure(demo_executive)
    text = text_of(Client().get(f"/issues/{item.report_id}/").content.decode())
    assert f"Planned · {day(notice_due_on(item.meeting))} The decision notice due to be published" in text


def test_the_call_in_period_passes_and_the_decision_is_in_effect(demo_executive):
    item = leisure(demo_executive)
    notice = services.notice_publish(
        item=item, user=demo_executive.clerk, decision=item.decision, reasons="r", alternatives="a"
    )
    report = Report.objects.get(pk=item.report_id)
    before = [(s.words, s.done) for s in story(report)]
    assert ("Implementation, as the report plans it: When the call-in period ends.", False) in before
    later = story(report, now=notice.call_in_closes_at + dt.timedelta(days=3))
    words = [(s.words, s.done, s.state_display) for s in later]
    assert ("In effect: the call-in period ended without a call-in", True, "Done") in words
    assert (
        "Implementation, as the report plans it: When the call-in period ends.",
        True,
        "The decision is in effect",
    ) in words


def test_an_urgent_decision_is_in_effect_at_once(demo_executive):
    item = leisure(demo_executive)
    services.notice_publish(
        item=item, user=demo_executive.clerk, decision=item.decision, reasons="r", alternatives="a",
        is_urgent=True, urgency_reason="The roof is failing.",
    )  # fmt: skip
    text = text_of(Client().get(f"/issues/{item.report_id}/").content.decode())
    assert "In effect at once: an urgent decision, not open to call-in" in text


def test_the_steps_are_in_date_order_with_undated_ones_in_their_place(demo):
    report = Report.objects.get(subject=PUBLIC_SUBJECT)
    Report.objects.filter(pk=report.pk).update(meeting=None)
    steps = story(Report.objects.get(pk=report.pk))
    assert [s.words.split(" ")[0] for s in steps] == ["Notice", "To"]
    days = [s.day for s in story(demo.seed) if s.day]
    assert days == sorted(days)


# Where it is linked from ----------------------------------------------------------------------------


def test_the_paper_page_tells_the_story_and_links_its_page(client, demo):
    page = client.get(f"/papers/{demo.seed.pk}/").content.decode()
    assert "The story of this decision" in page
    assert f'href="/issues/{demo.seed.pk}/"' in page
    assert "Decided by the Health and Wellbeing Board at its meeting" in text_of(page)


def test_the_decision_notice_links_the_story(client, demo_executive):
    item = leisure(demo_executive)
    notice = services.notice_publish(
        item=item, user=demo_executive.clerk, decision=item.decision, reasons="r", alternatives="a"
    )
    page = client.get(f"/decisions/{notice.pk}/").content.decode()
    assert f'href="/issues/{item.report_id}/"' in page


def test_a_notice_of_a_decision_without_a_report_links_no_story(client, demo_executive):
    meeting = leisure(demo_executive).meeting
    item = AgendaItem.objects.create(meeting=meeting, position=50, title="An oral update", decision="Noted.")
    notice = services.notice_publish(
        item=item, user=demo_executive.clerk, decision="Noted.", reasons="r", alternatives="a"
    )
    page = client.get(f"/decisions/{notice.pk}/").content.decode()
    assert "/issues/" not in page


# Who sees it: everyone, for a public issue; no one, for anything else --------------------------------


@pytest.mark.parametrize("who", [None, "outsider", "member", "clerk", "officer"])
def test_everyone_sees_a_public_issue_alike(demo, who):
    client = Client()
    if who:
        client.force_login(demo.users[who])
    response = client.get(f"/issues/{demo.seed.pk}/")
    assert response.status_code == 200
    assert demo.seed.subject in response.content.decode()


@pytest.mark.parametrize("who", [None, "outsider", "member", "clerk", "officer", "admin"])
def test_nobody_sees_a_draft_s_story(demo, who):
    client = Client()
    if who:
        client.force_login(demo.users[who])
    assert client.get(f"/issues/{demo.draft.pk}/").status_code == 404


def test_it_answers_404_for_what_is_not_an_issue_yet(client, demo):
    report = Report.objects.get(subject=PUBLIC_SUBJECT)
    # A key decision its author put in the Forward Plan that democratic services have not accepted.
    Report.objects.filter(pk=report.pk).update(forward_plan_accepted_on=None)
    assert client.get(f"/issues/{report.pk}/").status_code == 404
    # Accepted, but the plan gives notice of it only from a date still to come.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    Report.objects.filter(pk=report.pk).update(
        forward_plan_accepted_on=timezone.localdate(), forward_plan_date=tomorrow
    )
    assert client.get(f"/issues/{report.pk}/").status_code == 404
    # Taken off the plan.
    Report.objects.filter(pk=report.pk).update(forward_plan_date=timezone.localdate(), in_forward_plan=False)
    assert client.get(f"/issues/{report.pk}/").status_code == 404
    assert client.get("/issues/999999/").status_code == 404


def test_it_answers_get_and_head_only(client, demo):
    assert client.head(f"/issues/{demo.seed.pk}/").status_code == 200
    assert client.post(f"/issues/{demo.seed.pk}/").status_code == 405


def test_the_story_of_a_public_decision_lists_the_actions_arising_and_keeps_up_with_them(client, demo):
    from actions import demo as actions_demo
    from actions import services as actions
    from actions.models import Action

    page = html.unescape(client.get(f"/issues/{demo.seed.pk}/").content.decode())
    assert "Actions arising from this decision" in page
    for description in (actions_demo.DONE, actions_demo.OVERDUE, actions_demo.IN_PROGRESS):
        assert description in text_of(page)
    assert "Overdue" in page

    # The owner finishes one: the next visitor sees it, though the page is cached.
    action = Action.objects.get(description=actions_demo.IN_PROGRESS)
    actions.action_update(action=action, user=action.owner, status=Action.Status.DONE, note="Agreed: Netherton first.")
    page = html.unescape(client.get(f"/issues/{demo.seed.pk}/").content.decode())
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(actions_demo.IN_PROGRESS)}.*?</tr>", page, re.S).group(0)
    assert "Done" in text_of(row) and "In progress" not in text_of(row), row
