"""Journey: an exempt paper released on its review date (issue 16). The agenda is published with the
demo's exempt report in Part 2 (tests/e2e/test_agenda.py walks that in the browser); the clerk finds
the paper due for review from My work and releases it; a visitor then reads it on its own page and
in the meeting's public pack."""

import re

from boards import services as agenda
from reports.models import Report
from tests.e2e.test_agenda import EXEMPT, EXEMPT_WORDS, PUBLIC, run_worker, upcoming
from tests.test_public import pdf_text


def public_pack_text(person, meeting):
    # Read through the browser's own request (its cookies: a visitor's), not a download: the pack's
    # bytes are what matter here, and downloads are walked by tests/e2e/test_agenda.py.
    response = person.page.request.get(f"/meetings/{meeting.pk}/pack.pdf")
    assert response.status == 200, response.status
    return " ".join(pdf_text(response.body()).split())


def test_it_releases_an_exempt_paper_on_its_review_date_into_the_public_pack(people, e2e_demo):
    meeting = upcoming()
    clerk_user = e2e_demo.users["clerk"]
    for subject in (PUBLIC, EXEMPT):
        agenda.agenda_add_report(meeting=meeting, report=Report.objects.get(subject=subject), user=clerk_user)
    agenda.agenda_publish(meeting=meeting, user=clerk_user)
    run_worker(meeting)
    visitor = people("visitor")
    visitor.goto(f"/meetings/{meeting.pk}/")
    assert EXEMPT_WORDS not in public_pack_text(visitor, meeting)

    clerk = people("clerk").sign_in("clerk")
    page = clerk.page
    page.get_by_role("link", name=re.compile("exempt paper on published agendas is due for review")).click()
    page.wait_for_load_state()
    clerk.check()
    due = page.get_by_role("heading", name=re.compile("^Due for review")).locator("xpath=following-sibling::*[1]")
    assert "After the contract is awarded" in due.inner_text()
    page.get_by_role("link", name=re.compile(f"^Review.*{re.escape(EXEMPT)}")).click()
    page.wait_for_load_state()
    clerk.check()
    page.get_by_role("button", name="Release for publication").click()
    page.wait_for_load_state()
    clerk.check()
    assert page.get_by_text(f"“{EXEMPT}” is released").is_visible()
    run_worker(meeting)  # the packs the release queued again

    visitor.goto(f"/meetings/{meeting.pk}/")
    visitor.page.get_by_role("link", name=EXEMPT).first.click()
    visitor.page.wait_for_load_state()
    visitor.check()
    assert visitor.page.get_by_text("It was released for publication on").is_visible()
    assert EXEMPT_WORDS in public_pack_text(visitor, meeting)
