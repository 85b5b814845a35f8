"""A form sent with nothing in it (an empty POST body) is a submission like any other: the page
comes back with its required fields marked, never as if it had not been sent. Each of these views
used to bind its form to `request.POST or None`, which is None for an empty body, so an empty
submission showed the blank form again with no message at all."""

import pytest
from django.utils import timezone

from boards.models import Meeting

pytestmark = pytest.mark.django_db


def coming(demo):
    return Meeting.objects.filter(board=demo.board, starts_at__gt=timezone.now()).order_by("starts_at").first()


PAGES = {
    "a member proposes an interest": ("member", lambda demo: "/my/interests/add/"),
    "a member declares an interest": ("member", lambda demo: f"/meetings/{coming(demo).pk}/declare/"),
    "democratic services schedule a meeting": ("clerk", lambda demo: "/meetings/new/"),
    "democratic services record a declaration": ("clerk", lambda demo: f"/meetings/{demo.meeting.pk}/declarations/"),
    "an officer records a delegated decision": ("director", lambda demo: "/officer-decisions/new/"),
    "democratic services record an action arising": (
        "clerk",
        lambda demo: f"/meetings/{demo.meeting.pk}/items/{demo.seed.agenda_item.pk}/actions/new/",
    ),
}


@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_an_empty_submission_marks_the_required_fields(demo_record_open, login, page):
    username, url = PAGES[page]
    client = login(demo_record_open.users[username])
    address = url(demo_record_open)
    assert client.get(address).status_code == 200
    response = client.post(address, {})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "is-invalid" in html and "required" in html.lower(), html[:3000]
