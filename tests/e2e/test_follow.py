"""Following by email in a real browser, with axe-core on every page: a visitor follows a board from
its page, mistypes the address, confirms from the email's link and stops with the button."""

import re

import pytest
from django.core import mail

from boards.models import Board

pytestmark = pytest.mark.e2e


def test_a_visitor_follows_a_board_confirms_and_stops(people, e2e_demo):
    board = Board.objects.get(meetings__starts_at__year=2022)
    visitor = people("visitor")
    page = visitor.goto(f"/boards/{board.slug}/")
    page.get_by_role("link", name="by email").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_label("A board or committee").input_value() == board.slug

    page.get_by_label("Email address").fill("someone@example")
    page.get_by_label("A keyword or phrase").fill("    ")
    page.get_by_role("button", name="Send me a confirmation email").click()
    page.wait_for_load_state()
    visitor.check()  # the error summary and the messages beside the fields pass axe too
    assert page.get_by_text("Enter an email address like name@example.com.").count() == 2  # summary and field
    assert page.get_by_text("not only spaces").count() == 2
    assert page.get_by_label("Email address").input_value() == "someone@example"

    page.get_by_label("Email address").fill("someone@example.org")
    page.get_by_label("A keyword or phrase").fill("")
    page.get_by_label("One email a day listing the day's").check()
    page.get_by_role("button", name="Send me a confirmation email").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"

    [message] = [m for m in mail.outbox if "someone@example.org" in m.to]
    confirm = re.search(r"/follow/confirm/[\w-]+/", message.body).group(0)
    page = visitor.goto(confirm)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Confirmed"
    assert page.get_by_text("in one email a day").count() == 1

    page.get_by_role("link", name="stop these emails now").click()
    page.wait_for_load_state()
    visitor.check()
    page.get_by_role("button", name="Stop these emails").click()
    page.wait_for_load_state()
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Emails stopped"
