"""Journey: a published report corrected before its meeting (a prerequisite of issue 20). The clerk opens a
correction from the report's page; the author finds it on My work and corrects it in the editor while a
visitor still reads the report as published; the clerk republishes it, first forgetting to say what changed;
the visitor then reads the corrected edition, which says what changed."""

import re

from boards import services as agenda
from boards.models import AgendaPack
from reports.models import Correction, Report
from tests.e2e.test_agenda import PUBLIC, run_worker, upcoming

OLD_SUMMARY_WORDS = "pools NHS and council budgets"
NEW_SUMMARY = "The report presents the Sefton Better Care Fund plan for 2025 to 2027, corrected for the Board."
WHAT_CHANGED = "The summary now says the plan is corrected."


def publish_the_upcoming_agenda(clerk_user):
    meeting = upcoming()
    agenda.agenda_add_report(meeting=meeting, report=Report.objects.get(subject=PUBLIC), user=clerk_user)
    agenda.agenda_publish(meeting=meeting, user=clerk_user)
    run_worker(meeting)
    return meeting, Report.objects.get(subject=PUBLIC)


def test_it_corrects_a_published_report_and_republishes_it(people, e2e_demo):
    meeting, report = publish_the_upcoming_agenda(e2e_demo.users["clerk"])
    visitor = people("visitor", viewport={"width": 390, "height": 844})
    visitor.goto(f"/papers/{report.pk}/")
    assert OLD_SUMMARY_WORDS in visitor.page.content()

    clerk = people("clerk").sign_in("clerk")
    clerk.goto(f"/reports/{report.pk}/")
    clerk.page.get_by_role("button", name="Correct this report").click()
    clerk.page.wait_for_load_state()
    clerk.check()
    assert clerk.page.get_by_text("You are correcting").is_visible()
    copy = Correction.objects.get(report=report).draft

    officer = people("officer", viewport={"width": 390, "height": 844}).sign_in("officer")
    officer.page.get_by_role("link", name=f"Correct “{PUBLIC}”").click()
    officer.page.wait_for_load_state()
    officer.check()
    assert officer.page.url.endswith(f"/reports/{copy.pk}/edit/")
    officer.page.get_by_role("textbox", name="Summary", exact=True).fill(NEW_SUMMARY)
    officer.page.get_by_role("button", name="Save draft").click()
    officer.page.wait_for_load_state()
    officer.check()
    assert Report.objects.get(pk=copy.pk).summary == NEW_SUMMARY
    visitor.goto(f"/papers/{report.pk}/")
    assert OLD_SUMMARY_WORDS in visitor.page.content() and NEW_SUMMARY not in visitor.page.content()

    clerk.goto(f"/reports/{report.pk}/")
    clerk.page.get_by_role("button", name="Republish the correction").click()
    clerk.page.wait_for_load_state()
    clerk.check()
    field = clerk.page.get_by_role("textbox", name="What changed")
    assert "Say what the correction changed" in field.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ').map(id => document.getElementById(id).innerText).join(' ')"
    )
    field.fill(WHAT_CHANGED)
    clerk.page.get_by_role("button", name="Republish the correction").click()
    clerk.page.wait_for_load_state()
    clerk.check()
    assert clerk.page.get_by_text(re.compile(r"is republished as edition 2")).is_visible()
    run_worker(meeting)

    visitor.goto(f"/papers/{report.pk}/")
    assert visitor.page.get_by_text(re.compile(rf"^Corrected edition 2, .*: {re.escape(WHAT_CHANGED)}$")).is_visible()
    assert NEW_SUMMARY in visitor.page.content()
    assert all(pack.revision == 2 for pack in meeting.packs.exclude(edition=AgendaPack.Edition.FRONT_SHEET))
