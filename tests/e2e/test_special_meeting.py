"""Journey: a Cabinet decision is called in and goes on the scrutiny committee's next meeting; the clerk
convenes a special meeting from the notice instead: a date too soon is refused until the urgency is
explained, with nothing typed lost; the notice then tells everyone where the call-in will be heard."""

import os

import pytest
from django.utils import timezone

from accounts.models import User
from boards.models import AgendaItem, Meeting
from decisions import services
from decisions.models import Notice

pytestmark = pytest.mark.e2e
SUBJECT = "Leisure Centres Investment Programme"
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


@pytest.fixture
def e2e_demo(e2e_demo_executive):
    return e2e_demo_executive


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_clerk_convenes_a_special_meeting_to_hear_a_call_in(people, e2e_demo):
    item = AgendaItem.objects.get(meeting__board__slug="cabinet", title=SUBJECT)
    clerk_user = User.objects.get(username="clerk")
    notice = services.notice_publish(
        item=item, user=clerk_user, decision=item.decision, reasons="The pools need repair.", alternatives="None."
    )
    services.call_in_request(notice=notice, user=User.objects.get(username="cllr.lloyd"), reasons="Not costed.")
    services.call_in_sign(notice=notice, user=User.objects.get(username="cllr.brennan"))
    ordinary = Notice.objects.get(pk=notice.pk).scrutiny_item.meeting

    clerk = people("clerk").sign_in("clerk")
    page = clerk.goto(f"/decisions/{notice.pk}/")
    assert f"the meeting of the {ordinary.board} on {ordinary.date_display}" in page.locator("body").inner_text()
    page.get_by_role("link", name="Convene a special meeting of the scrutiny committee to hear the call-in").click()
    page.wait_for_load_state()
    clerk.check()
    shot(page, "convene")
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Time").fill("18:30")
    page.get_by_label("Venue").fill("Committee Room 1, Bootle Town Hall")
    page.get_by_role("button", name="Convene the special meeting").click()
    page.wait_for_load_state()
    clerk.check()
    shot(page, "convene-refused")
    assert "less than five clear working days" in page.content()
    assert page.get_by_label("Venue").input_value() == "Committee Room 1, Bootle Town Hall"  # nothing lost
    page.get_by_label("Why it is urgent", exact=False).fill(
        "The contract must be signed before the committee's next meeting."
    )
    page.get_by_role("button", name="Convene the special meeting").click()
    page.wait_for_load_state()
    clerk.check()
    special = Meeting.objects.get(is_special=True)
    assert special.date == tomorrow and special.venue == "Committee Room 1, Bootle Town Hall"
    assert not ordinary.items.filter(title__startswith="Call-in:").exists()

    visitor = people("visitor")
    page = visitor.goto(f"/decisions/{notice.pk}/")
    shot(page, "notice")
    assert "It will be heard at a special meeting of the Overview" in page.locator("body").inner_text()
    page.get_by_role("link", name=f"{special.board} on {special.date_display}").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.url.endswith(f"/meetings/{special.pk}/")
    assert "Special meeting:" in page.content()
    shot(page, "special-meeting")
    page = visitor.goto("/open-data/")
    shot(page, "open-data")
