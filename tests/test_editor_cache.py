"""The editor page as stored is kept in the cache (reports/editorcache.py): the same page, far fewer
queries, one person's page never served to another, and never a stale page after any change, by
anyone, through any path: another tab's autosave, a colleague's edit, a sign-off, a return, an
appendix converting, a reference list edit."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reference.models import LISTS
from reference.services import entry_edit
from reports import editorcache, services
from reports.models import Appendix, Recommendation, Section, Ward
from tests.test_autosave_changed_fields import PAGE_A, PAGE_B, autosave_changed
from tests.test_workflow import complete_draft, edit

pytestmark = pytest.mark.django_db

# The session, the user, the report, the key, and the council's name (read afresh in tests: conftest.py).
KEPT_QUERIES = 5
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def draft(demo, client):
    report = complete_draft(demo)
    report.wards.set(Ward.objects.order_by("pk")[:3])
    client.force_login(demo.officer)
    return report


def page(client, report):
    """The editor page and the number of queries it took."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("reports:edit", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(context.captured_queries)


def without_tokens(html):
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def test_it_serves_the_same_page_from_the_cache_in_a_few_queries(client, draft):
    first, rendered = page(client, draft)
    again, kept = page(client, draft)
    assert without_tokens(again) == without_tokens(first)
    assert editorcache.CSRF_PLACEHOLDER not in again
    assert kept <= KEPT_QUERIES < rendered


def test_the_cached_page_costs_the_same_queries_with_3_rows_or_30(client, draft):
    def add_rows(n):
        for i in range(n):
            Recommendation.objects.create(report=draft, position=100 + i, text=f"Recommendation {i}.")
            Section.objects.create(report=draft, position=100 + i, heading=f"Section {i}", body="<p>Kelpies.</p>")
            Appendix.objects.create(report=draft, position=100 + i, title=f"Appendix {i}", file=f"a-{i}.pdf")

    add_rows(3)
    page(client, draft)
    _, few = page(client, draft)
    add_rows(27)
    html, _ = page(client, draft)
    assert "Section 26" in html and "Appendix 26" in html  # the new rows changed the key
    _, many = page(client, draft)
    assert few == many


def test_each_request_gets_its_own_working_csrf_token(demo, draft):
    officer = Client(enforce_csrf_checks=True)
    officer.force_login(demo.officer)
    officer.get(reverse("reports:edit", args=[draft.pk]))
    html = officer.get(reverse("reports:edit", args=[draft.pk])).content.decode()  # from the cache
    assert all(re.fullmatch(r"[a-zA-Z0-9]{64}", token) for token in TOKEN.findall(html))  # real tokens only
    token = TOKEN.search(html, html.index('id="report-form"')).group(1)
    draft.refresh_from_db()
    data = {"csrfmiddlewaretoken": token, "_autosave": "1", "editor_page": PAGE_A, "version": draft.version,
            "revision": draft.revision, "_changed": "summary", "summary": "Posted with the page's token."}  # fmt: skip
    answer = officer.post(reverse("reports:edit", args=[draft.pk]), data, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    draft.refresh_from_db()
    assert draft.summary == "Posted with the page's token."


def test_one_persons_page_is_never_served_to_another(demo, client, draft):
    page(client, draft)  # kept for the officer
    clerk = Client()
    clerk.force_login(demo.clerk)
    officer_key = editorcache.editor_key(draft, demo.officer)
    assert editorcache.editor_key(draft, demo.clerk) != officer_key
    with CaptureQueriesContext(connection) as context:
        assert clerk.get(reverse("reports:edit", args=[draft.pk])).status_code == 200
    assert len(context.captured_queries) > KEPT_QUERIES  # rendered for the clerk, not the officer's page
    for refused, status in [(demo.outsider, 404), (None, 302)]:
        other = Client()
        if refused:
            other.force_login(refused)
        assert other.get(reverse("reports:edit", args=[draft.pk])).status_code == status


def changed_after(client, report, change):
    """The page before and after `change()`, both opened twice (so the second is the cached one)."""
    page(client, report)
    before, _ = page(client, report)
    change()
    page(client, report)
    after, _ = page(client, report)
    return before, after


def test_another_tabs_autosave_shows_at_once(client, draft):
    before, after = changed_after(
        client, draft, lambda: autosave_changed(client, draft, {"summary": "Typed in the other tab."}, page=PAGE_B)
    )
    assert "Typed in the other tab." in after and "Typed in the other tab." not in before


def test_a_colleagues_edit_shows_at_once(demo, client, draft):
    before, after = changed_after(client, draft, lambda: edit(draft, demo.clerk, reasons="The clerk's reasons."))
    assert "The clerk&#x27;s reasons." in after and "The clerk&#x27;s reasons." not in before


def test_a_sign_off_shows_at_once(demo, client, draft):
    services.report_submit(report=draft, user=demo.officer)

    def sign():
        services.report_sign_off(report=draft, user=demo.finance)

    before, after = changed_after(client, draft, sign)
    assert "This report has been signed off" in after and "This report has been signed off" not in before


def test_a_return_and_the_returners_name_show_at_once(demo, client, draft):
    services.report_submit(report=draft, user=demo.officer)
    before, after = changed_after(
        client,
        draft,
        lambda: services.report_return(report=draft, user=demo.finance, comment="Where is the £4.2m from?"),
    )
    assert "Where is the £4.2m from?" in after and "returned-comments" not in before
    finance = demo.finance

    def rename():
        finance.first_name = "Renamed"
        finance.save(update_fields=["first_name"])

    before, after = changed_after(client, draft, rename)
    assert "Returned to the author by Renamed" in after and "Renamed" not in before


def test_an_appendix_changed_without_a_history_row_shows_at_once(client, draft):
    appendix = Appendix.objects.create(report=draft, position=1, title="Costs", file="a.pdf", conversion="converting")

    def converted():
        appendix.conversion, appendix.problem = "failed", "The file could not be read."
        appendix.skip_history_when_saving = True  # as the conversion and the disarming save it
        appendix.save(update_fields=["conversion", "problem"])

    before, after = changed_after(client, draft, converted)
    assert "The file could not be read." in after and "The file could not be read." not in before


@pytest.mark.parametrize("slug", ["wards", "portfolios", "posts", "implication-types", "core-purposes"])
def test_a_reference_list_edit_shows_at_once(demo, client, draft, slug):
    ref = LISTS[slug]
    entry = ref.model.objects.filter(is_active=True).order_by("pk").first()
    name = "title" if slug == "posts" else "name"
    before, after = changed_after(
        client, draft, lambda: entry_edit(ref=ref, entry=entry, by=demo.admin, values={name: "Renamed entry"})
    )
    assert "Renamed entry" in after and "Renamed entry" not in before


def test_a_new_meeting_and_a_renamed_board_show_at_once(demo, client, draft):
    from datetime import timedelta

    from boards.models import Meeting

    last = Meeting.objects.order_by("-starts_at").first()

    def schedule():
        Meeting.objects.create(board=demo.board, starts_at=last.starts_at + timedelta(days=400), venue="Town Hall")

    before, after = changed_after(client, draft, schedule)
    assert after.count("<option") == before.count("<option") + 1

    def rename():
        demo.board.name = "Renamed Board"
        demo.board.save(update_fields=["name"])

    before, after = changed_after(client, draft, rename)
    assert "Renamed Board" in after and "Renamed Board" not in before


def test_a_refused_save_and_the_completeness_check_are_rendered_not_kept(client, draft):
    page(client, draft)
    with CaptureQueriesContext(connection) as context:
        checked = client.get(reverse("reports:edit", args=[draft.pk]) + "?check=1")
    assert checked.status_code == 200 and len(context.captured_queries) > KEPT_QUERIES
    assert "Every block of the template is complete." in checked.content.decode()
    html, _ = page(client, draft)
    assert "Every block of the template is complete." not in html
