"""The reference lists in a real browser, with axe-core on every page and never /admin/: `admin` adds an
implication type, moves it up without any script, and retires a ward; the officer's editor follows."""

import re

import pytest

from reports.models import ImplicationType, Ward

pytestmark = pytest.mark.e2e


def names(model, **filters):
    return list(model.objects.filter(**filters).order_by("position", "name").values_list("name", flat=True))


def test_admin_adds_an_implication_type_moves_it_up_and_retires_a_ward(people, e2e_demo):
    admin = people("admin").sign_in("admin")
    page = admin.page
    page.get_by_role("button", name="Administration", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Reference lists", exact=True).click()
    admin.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Reference lists"

    with page.expect_navigation():
        page.get_by_role("link", name="Implication types", exact=True).click()
    admin.check()
    page.get_by_label("Name").fill("legal implications")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the implication type").click()
    admin.check()
    assert page.get_by_text("There is already an implication type called “Legal Implications”.").count() == 2
    assert page.get_by_label("Name").input_value() == "legal implications"
    page.get_by_label("Name").fill("Climate Implications")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the implication type").click()
    admin.check()
    assert page.get_by_text("“Climate Implications” is added to the implication types.").is_visible()
    assert names(ImplicationType)[-1] == "Climate Implications"

    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Move up\W+Climate Implications$")).click()
    admin.check()
    order = names(ImplicationType)
    assert order[-2:] == ["Climate Implications", "Equality Implications"]
    items = page.locator("#h-live + ol > li").all_inner_texts()
    assert [text.split("\n")[0].split(". ", 1)[1].strip() for text in items] == order

    with page.expect_navigation():
        page.get_by_role("link", name="Reference lists").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Wards", exact=True).click()
    admin.check()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Retire\W+Linacre$")).click()
    admin.check()
    assert page.get_by_text(re.compile("“Linacre” is retired")).is_visible()
    assert not Ward.objects.get(name="Linacre").is_active
    retired = page.get_by_role("region", name="Retired")
    assert retired.get_by_role("button", name=re.compile(r"^Restore\W+Linacre$")).is_visible()
    assert "/admin/" not in page.url

    officer = people("officer").sign_in("officer")
    officer.goto("/reports/new/")
    editor = officer.page
    assert editor.get_by_label("Climate Implications").count() == 1
    assert editor.get_by_label("Linacre").count() == 0
