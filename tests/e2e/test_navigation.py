"""The main navigation: one line at 1280 px for every role, nothing wider than the window from a
phone to a desktop, and every entry reachable with the keyboard through its menu."""

import pytest

pytestmark = pytest.mark.e2e

# The widest navigation each kind of person has: the administrator (staff, sees everything), the
# monitoring officer (register changes), democratic services, a councillor and the visitor.
ROLES = ["admin", "legal", "clerk", "member", None]


@pytest.mark.parametrize("username", ROLES, ids=[r or "visitor" for r in ROLES])
def test_the_navigation_is_one_line_at_1280_px_and_never_wider_than_the_window(people, username):
    person = people(username or "visitor")
    if username:
        person.sign_in(username)
    else:
        person.goto("/public/")
    page = person.page
    nav = page.locator("nav.navbar")
    link = nav.locator(".nav-link").first
    assert nav.bounding_box()["height"] <= link.bounding_box()["height"] + 24, "one line of links"
    for item in nav.locator(".nav-link:visible, .navbar-text:visible").all():
        box = item.bounding_box()
        assert box["height"] <= link.bounding_box()["height"] + 1, f"{item.inner_text()!r} wraps"
    for width in (1280, 1024, 768, 390):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"wider than {width} px"


def test_every_entry_is_reached_with_the_keyboard_through_its_menu(people):
    admin = people("admin").sign_in("admin")
    page = admin.page
    menu = page.get_by_role("button", name="Decisions", exact=True)
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Officer decisions"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    admin.check()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Officer decisions")

    page.set_viewport_size({"width": 390, "height": 800})  # a phone: the menu button opens the same links
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Meetings", exact=True).click()
    page.get_by_role("link", name="Forward Plan").click()
    page.wait_for_load_state()
    admin.check()
    assert "/forward-plan/" in page.url
